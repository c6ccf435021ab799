"""Descriptive statistics per survey item or scale, vectorised over all columns at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numpy as np

from medmentor.stats._common import as_float_matrix, fmt

__all__ = ["Descriptives", "describe"]

_QUANTILE_METHOD: Final = "linear"  # Hyndman & Fan (1996) type 7: R's and numpy's default.


@dataclass(frozen=True)
class Descriptives:
    """Per-column summaries of a respondents × items (or scales) table.

    Every array attribute has one entry per column, in the order of ``names``.
    Statistics that cannot be computed (the mean of a column nobody answered, the SD of a
    single answer) are NaN, and ``warnings`` says why.

    Attributes
    ----------
    names : tuple of str
    n : ndarray of int
        Number of answers (non-missing values).
    missing : ndarray of int
        Number of respondents who left the column empty.
    mean, sd : ndarray of float
        Arithmetic mean and sample standard deviation (divisor n - 1).
    median, q1, q3, iqr : ndarray of float
        Median, first and third quartiles (Hyndman & Fan type 7) and Q3 - Q1.
    minimum, maximum : ndarray of float
    levels : ndarray or None
        The declared answer levels (e.g. 1..5 for a 5-point Likert item), if given.
    counts : ndarray of int or None
        Shape (columns, levels): how many answers fell on each level.
    outside_levels : ndarray of int or None
        Answers that matched none of the declared levels.
    method : str
    warnings : list of str
    """

    names: tuple[str, ...]
    n: np.ndarray
    missing: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    median: np.ndarray
    q1: np.ndarray
    q3: np.ndarray
    iqr: np.ndarray
    minimum: np.ndarray
    maximum: np.ndarray
    levels: np.ndarray | None
    counts: np.ndarray | None
    outside_levels: np.ndarray | None
    method: str
    warnings: list[str] = field(default_factory=list)

    def rows(self) -> list[dict]:
        """One plain dict per column (Python floats and ints), for templates and exports."""
        rows = []
        for index, name in enumerate(self.names):
            row = {
                "name": name,
                "n": int(self.n[index]),
                "missing": int(self.missing[index]),
                "mean": float(self.mean[index]),
                "sd": float(self.sd[index]),
                "median": float(self.median[index]),
                "q1": float(self.q1[index]),
                "q3": float(self.q3[index]),
                "iqr": float(self.iqr[index]),
                "minimum": float(self.minimum[index]),
                "maximum": float(self.maximum[index]),
            }
            if self.levels is not None and self.counts is not None:
                row["distribution"] = {
                    _level_key(level): int(count)
                    for level, count in zip(self.levels, self.counts[index], strict=True)
                }
            rows.append(row)
        return rows


def describe(data, *, names=None, levels=None) -> Descriptives:
    r"""Summarise each column of a respondents × items table.

    Parameters
    ----------
    data : array_like, shape (respondents,) or (respondents, columns)
        Numeric answers; ``NaN`` or ``None`` means the respondent left it empty. A 1-D
        input is one column.
    names : sequence of str, optional
        Column names; default ``"column 1"``, ``"column 2"``...
    levels : sequence of float, optional
        The answer levels of a Likert or choice item (e.g. ``range(1, 6)``); when given,
        ``counts`` holds the distribution over these levels.

    Returns
    -------
    Descriptives

    Notes
    -----
    For column :math:`j` with answered values :math:`x_1..x_n`:

    .. math::

        \bar x = \frac{1}{n}\sum_i x_i, \qquad
        s = \sqrt{\frac{1}{n-1}\sum_i (x_i - \bar x)^2}

    The median and quartiles interpolate linearly between order statistics: the
    :math:`p`-quantile is :math:`x_{(h)}` at :math:`h = (n-1)p + 1`, interpolated between
    neighbours (Hyndman & Fan 1996, definition 7). With Likert data this can give a median
    of 3.5 when the two middle answers are 3 and 4. Missing values are left out column by
    column, so ``n`` may differ between columns.

    Complexity: :math:`O(R \cdot C)` for means and counts, plus a partial sort per column for
    the quantiles.

    Examples
    --------
    >>> result = describe([[1, 5], [2, 4], [3, None], [4, 4]], names=["q1", "q2"],
    ...                   levels=[1, 2, 3, 4, 5])
    >>> result.n.tolist(), result.missing.tolist()
    ([4, 3], [0, 1])
    >>> result.median.tolist()
    [2.5, 4.0]
    >>> result.counts[1].tolist()
    [0, 0, 0, 2, 1]

    References
    ----------
    Hyndman, R. J. & Fan, Y. (1996). Sample quantiles in statistical packages.
    *The American Statistician*, 50(4), 361–365.
    """
    values = as_float_matrix(data, name="data")
    n_rows, n_columns = values.shape
    column_names = _names(names, n_columns)

    answered = ~np.isnan(values)
    n = answered.sum(axis=0)
    missing = n_rows - n
    filled = np.where(answered, values, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = filled.sum(axis=0) / n
        deviations = np.where(answered, values - mean, 0.0)
        sd = np.sqrt((deviations * deviations).sum(axis=0) / (n - 1))
    mean = np.where(n > 0, mean, np.nan)
    sd = np.where(n > 1, sd, np.nan)

    level_array: np.ndarray | None = None
    counts: np.ndarray | None = None
    outside: np.ndarray | None = None
    quantiles = None
    if levels is not None:
        level_array = np.asarray(list(levels), dtype=float)
        counts = np.stack([(values == level).sum(axis=0) for level in level_array], axis=1)
        outside = n - counts.sum(axis=1)
        if not outside.any() and np.all(np.diff(level_array) > 0):
            quantiles = _quantiles_from_counts(level_array, counts, n)
    if quantiles is None:
        quantiles = _quantiles(values, answered, n)
    minimum, q1, median, q3, maximum = quantiles

    warnings = _warnings(column_names, n, outside, level_array)
    return Descriptives(
        names=column_names,
        n=n,
        missing=missing,
        mean=mean,
        sd=sd,
        median=median,
        q1=q1,
        q3=q3,
        iqr=q3 - q1,
        minimum=minimum,
        maximum=maximum,
        levels=level_array,
        counts=counts,
        outside_levels=outside,
        method=(
            "n counts the answers given; missing answers are left out column by column. "
            "SD is the sample standard deviation (divisor n - 1). Median and quartiles "
            "interpolate linearly between ordered answers (Hyndman & Fan type 7, as R and "
            "numpy do by default); IQR = Q3 - Q1."
        ),
        warnings=warnings,
    )


_PROBABILITIES = np.array([0.0, 0.25, 0.5, 0.75, 1.0])


def _quantiles(values: np.ndarray, answered: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Type-7 quantiles of every column, missing values left out, from one sort.

    ``np.sort`` puts NaN last, so the answered values of column j are its first n[j] sorted
    entries and order statistic h sits at row h.
    """
    result = np.full((_PROBABILITIES.size, values.shape[1]), np.nan)
    if values.shape[0] == 0 or not n.any():
        return result
    if answered.all():
        return np.quantile(values, _PROBABILITIES, axis=0, method=_QUANTILE_METHOD)
    ordered = np.sort(values, axis=0)
    has = n > 0
    positions = (n[has] - 1) * _PROBABILITIES[:, None]
    below = np.floor(positions).astype(np.int64)
    above = np.minimum(below + 1, n[has] - 1)
    columns = np.flatnonzero(has)
    low = ordered[below, columns]
    high = ordered[above, columns]
    result[:, has] = low + (positions - below) * (high - low)
    return result


def _quantiles_from_counts(levels: np.ndarray, counts: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Type-7 quantiles read off the level counts (every answer lies on a declared level).

    The order statistic h (0-based) is the first level whose cumulative count exceeds h;
    this replaces a sort of every column by a search in a handful of cumulative counts.
    """
    result = np.full((_PROBABILITIES.size, counts.shape[0]), np.nan)
    for column in np.flatnonzero(n):
        cumulative = np.cumsum(counts[column])
        positions = (n[column] - 1) * _PROBABILITIES
        below = np.floor(positions).astype(np.int64)
        above = np.minimum(below + 1, n[column] - 1)
        low = levels[np.searchsorted(cumulative, below, side="right")]
        high = levels[np.searchsorted(cumulative, above, side="right")]
        result[:, column] = low + (positions - below) * (high - low)
    return result


def _names(names, n_columns: int) -> tuple[str, ...]:
    if names is None:
        return tuple(f"column {index + 1}" for index in range(n_columns))
    names = tuple(str(name) for name in names)
    if len(names) != n_columns:
        raise ValueError(f"Got {len(names)} names for {n_columns} columns of data.")
    return names


def _warnings(names, n, outside, levels) -> list[str]:
    warnings = []
    for index, name in enumerate(names):
        if n[index] == 0:
            warnings.append(f"Nobody answered {name}; it has no summary.")
        elif n[index] == 1:
            warnings.append(f"Only one person answered {name}; its SD cannot be computed.")
        if outside is not None and outside[index] > 0:
            warnings.append(
                f"{name} has {outside[index]} answer(s) outside the declared levels "
                f"{fmt(levels.min())}-{fmt(levels.max())}; they count in n and the mean "
                "but not in the distribution."
            )
    return warnings


def _level_key(level: float):
    return int(level) if float(level).is_integer() else float(level)
