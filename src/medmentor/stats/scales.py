"""Scale scores from items (sum or mean, reverse scoring, missing-item rule) and
Cronbach's alpha with a Feldt confidence interval."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import stats as scipy_stats

from medmentor.stats._common import as_float_matrix, check_confidence, fmt, plural, verb

__all__ = [
    "CronbachAlpha",
    "ScaleScores",
    "cronbach_alpha",
    "feldt_interval",
    "reverse_items",
    "scale_scores",
]


@dataclass(frozen=True)
class ScaleScores:
    """One scale score per respondent, with the rule that produced it.

    Attributes
    ----------
    name : str
    scores : ndarray of float
        NaN for respondents who missed more items than the rule allows.
    items_answered : ndarray of int
        Items answered by each respondent.
    n_items : int
    scoring : {"sum", "mean"}
    score_min, score_max : float
        The declared range of the score (e.g. 0-35 for seven items scored 0-5 and summed).
    n_scored, n_unscored, n_prorated : int
        Respondents with a score, without one, and with a score prorated from fewer than
        all items.
    method : str
    warnings : list of str
    """

    name: str
    scores: np.ndarray
    items_answered: np.ndarray
    n_items: int
    scoring: str
    score_min: float
    score_max: float
    n_scored: int
    n_unscored: int
    n_prorated: int
    method: str
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CronbachAlpha:
    """Cronbach's alpha of a scale with its confidence interval.

    Attributes
    ----------
    alpha : float
    ci_low, ci_high : float
        Feldt (1965) interval at ``confidence``.
    confidence : float
    n_respondents : int
        Respondents who answered every item (alpha uses complete cases only).
    n_excluded : int
        Respondents left out because they missed at least one item.
    n_items : int
    method : str
    warnings : list of str
    """

    alpha: float
    ci_low: float
    ci_high: float
    confidence: float
    n_respondents: int
    n_excluded: int
    n_items: int
    method: str
    warnings: list[str] = field(default_factory=list)


def reverse_items(items, *, columns, item_min: float, item_max: float) -> np.ndarray:
    r"""Reverse-score the given columns: :math:`x' = \text{min} + \text{max} - x`.

    Parameters
    ----------
    items : array_like, shape (respondents, items)
    columns : sequence of int or of bool
        Zero-based column indices to reverse, or a boolean mask over the columns.
    item_min, item_max : float
        The declared lowest and highest answer of every item (e.g. 1 and 5).

    Returns
    -------
    ndarray
        A copy of ``items`` with the chosen columns reversed; missing stays missing.

    Notes
    -----
    Reverse scoring maps the highest answer to the lowest and keeps the spacing, so a
    negatively worded item ("I avoid giving feedback to seniors") points the same way as
    the others before items are summed or alpha is computed.

    Examples
    --------
    >>> reverse_items([[1, 5], [2, 4]], columns=[1], item_min=1, item_max=5).tolist()
    [[1.0, 1.0], [2.0, 2.0]]

    References
    ----------
    DeVellis, R. F. (2017). *Scale Development: Theory and Applications*, 4th ed.,
    chapter 5. Sage.
    """
    values = as_float_matrix(items, name="items").copy()
    mask = _column_mask(columns, values.shape[1])
    values[:, mask] = item_min + item_max - values[:, mask]
    return values


def scale_scores(
    items,
    *,
    item_min: float,
    item_max: float,
    reverse=(),
    scoring: str = "sum",
    max_missing: int = 0,
    name: str = "scale",
) -> ScaleScores:
    r"""Score a scale from its items.

    Parameters
    ----------
    items : array_like, shape (respondents, items)
        Item answers; ``NaN``/``None`` is a missing answer.
    item_min, item_max : float
        Declared range of every item; any answer outside it is an error.
    reverse : sequence of int or bool, optional
        Columns to reverse-score before adding up (see :func:`reverse_items`).
    scoring : {"sum", "mean"}
        Sum of items (e.g. 7 items scored 0-5 give 0-35) or their mean (stays 0-5).
    max_missing : int, default 0
        A respondent who left at most this many items empty still gets a score; more
        missing items give no score (NaN).
    name : str
        Used in messages.

    Returns
    -------
    ScaleScores

    Raises
    ------
    ValueError
        When an answer lies outside ``item_min``-``item_max``; the message names the row
        and item (both counted from 1) and the value.

    Notes
    -----
    With :math:`k` items of which respondent :math:`i` answered the set :math:`A_i`
    (:math:`|A_i| \ge k - \text{max\_missing}`):

    .. math::

        \text{mean score}_i = \frac{1}{|A_i|}\sum_{j \in A_i} x_{ij}, \qquad
        \text{sum score}_i = k \cdot \text{mean score}_i

    so a sum score with missing items is *prorated*: the mean of the answered items stands
    in for the missing ones (person-mean imputation). Without prorating, a respondent who
    skipped an item would look as if they had answered its lowest level. Keep
    ``max_missing`` small (at most about a fifth of the items) so that the score still
    describes the whole scale.

    Examples
    --------
    Seven items scored 0-5 and summed give 0-35 (the scale of seed 002):

    >>> result = scale_scores([[5, 5, 4, 4, 5, 4, 4], [3, 3, 2, None, 3, 3, 2]],
    ...                       item_min=0, item_max=5, max_missing=1)
    >>> result.scores.round(2).tolist(), (result.score_min, result.score_max)
    ([31.0, 18.67], (0.0, 35.0))
    >>> result.n_prorated
    1

    References
    ----------
    Fayers, P. M. & Machin, D. (2016). *Quality of Life: The Assessment, Analysis and
    Reporting of Patient-Reported Outcomes*, 3rd ed., chapter 15 (missing items and
    prorating). Wiley.
    """
    if scoring not in ("sum", "mean"):
        raise ValueError(f"scoring must be 'sum' or 'mean'; got {scoring!r}.")
    if item_min >= item_max:
        raise ValueError(f"item_min ({item_min}) must be below item_max ({item_max}).")
    values = as_float_matrix(items, name="items")
    n_rows, n_items = values.shape
    if not 0 <= max_missing < n_items:
        raise ValueError(
            f"max_missing must be between 0 and {n_items - 1} for a scale of {n_items} items; "
            f"got {max_missing}."
        )
    _check_range(values, item_min, item_max, name)
    if len(reverse):
        values = reverse_items(values, columns=reverse, item_min=item_min, item_max=item_max)

    answered = ~np.isnan(values)
    items_answered = answered.sum(axis=1)
    scored = items_answered >= n_items - max_missing
    with np.errstate(invalid="ignore", divide="ignore"):
        item_mean = np.where(answered, values, 0.0).sum(axis=1) / items_answered
    scores = np.where(scored, item_mean * (n_items if scoring == "sum" else 1), np.nan)
    prorated = scored & (items_answered < n_items)

    factor = n_items if scoring == "sum" else 1
    n_scored = int(scored.sum())
    n_prorated = int(prorated.sum())
    warnings = []
    if n_rows - n_scored:
        warnings.append(
            f"{plural(n_rows - n_scored, 'respondent')} of {n_rows} missed more than "
            f"{max_missing} of the {n_items} items of {name} and "
            f"{verb(n_rows - n_scored, 'has', 'have')} no score."
        )
    if n_prorated:
        warnings.append(
            f"{plural(n_prorated, 'score')} of {name} {verb(n_prorated, 'was', 'were')} "
            "prorated from fewer than all "
            f"{n_items} items."
        )
    method = (
        f"{'Sum' if scoring == 'sum' else 'Mean'} of {n_items} items scored "
        f"{fmt(item_min)}-{fmt(item_max)}"
        + (f", {len(_mask_indices(reverse, n_items))} reverse-scored" if len(reverse) else "")
        + f" (range {fmt(item_min * factor)}-{fmt(item_max * factor)}). "
        + (
            f"A respondent missing up to {max_missing} item(s) is scored from the mean of the "
            f"answered items{' times ' + str(n_items) if scoring == 'sum' else ''} "
            "(prorated); more missing items give no score."
            if max_missing
            else "Only respondents who answered every item are scored."
        )
    )
    return ScaleScores(
        name=name,
        scores=scores,
        items_answered=items_answered,
        n_items=n_items,
        scoring=scoring,
        score_min=float(item_min * factor),
        score_max=float(item_max * factor),
        n_scored=n_scored,
        n_unscored=n_rows - n_scored,
        n_prorated=n_prorated,
        method=method,
        warnings=warnings,
    )


def cronbach_alpha(items, *, confidence: float = 0.95) -> CronbachAlpha:
    r"""Cronbach's alpha with a Feldt confidence interval.

    Reverse-score items first (:func:`reverse_items`); alpha assumes all items point the
    same way.

    Parameters
    ----------
    items : array_like, shape (respondents, items)
        Respondents with any missing item are left out (listwise deletion).
    confidence : float, default 0.95

    Returns
    -------
    CronbachAlpha

    Notes
    -----
    With :math:`k` items, item variances :math:`s_j^2` and total-score variance
    :math:`s_T^2` over :math:`n` complete respondents (Cronbach 1951):

    .. math::

        \hat\alpha = \frac{k}{k-1}\left(1 - \frac{\sum_j s_j^2}{s_T^2}\right)

    Feldt's interval treats :math:`(1-\alpha)/(1-\hat\alpha)` as
    :math:`F(n-1, (n-1)(k-1))` (Feldt 1965; Feldt, Woodruff & Salih 1987, formulas 6-7):

    .. math::

        L = 1 - (1-\hat\alpha)\,F_{1-\gamma/2}, \qquad U = 1 - (1-\hat\alpha)\,F_{\gamma/2}

    where :math:`\gamma = 1 - \text{confidence}`.

    Examples
    --------
    >>> result = cronbach_alpha([[1, 2, 2], [2, 3, 3], [3, 3, 4], [4, 5, 5], [5, 4, 5]])
    >>> round(result.alpha, 3), result.n_respondents
    (0.957, 5)

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    *Psychometrika*, 16, 297–334.

    Feldt, L. S. (1965). The approximate sampling distribution of Kuder-Richardson
    reliability coefficient twenty. *Psychometrika*, 30, 357–370.

    Feldt, L. S., Woodruff, D. J. & Salih, F. A. (1987). Statistical inference for
    coefficient alpha. *Applied Psychological Measurement*, 11, 93–103.
    """
    check_confidence(confidence)
    values = as_float_matrix(items, name="items")
    n_rows, n_items = values.shape
    if n_items < 2:
        raise ValueError("Cronbach's alpha needs at least 2 items.")
    complete = values[~np.isnan(values).any(axis=1)]
    n = complete.shape[0]
    n_excluded = n_rows - n
    warnings = []
    if n_excluded:
        warnings.append(
            f"Alpha uses the {plural(n, 'respondent')} who answered every item; "
            f"{n_excluded} with missing items were left out."
        )
    nan = float("nan")
    if n < 3:
        warnings.append(f"With {plural(n, 'complete respondent')}, alpha cannot be estimated.")
        return _alpha_result(nan, nan, nan, confidence, n, n_excluded, n_items, warnings)

    item_variances = complete.var(axis=0, ddof=1)
    total_variance = complete.sum(axis=1).var(ddof=1)
    if total_variance == 0:
        warnings.append("Every respondent has the same total score, so alpha is undefined.")
        return _alpha_result(nan, nan, nan, confidence, n, n_excluded, n_items, warnings)
    alpha = n_items / (n_items - 1) * (1 - item_variances.sum() / total_variance)

    ci_low, ci_high = feldt_interval(alpha, n_items=n_items, n_respondents=n, confidence=confidence)

    if alpha < 0:
        warnings.append(
            "Alpha is negative: answers vary more within respondents than between them. "
            "Check whether some items should be reverse-scored."
        )
    if ci_high - ci_low > 0.2:
        warnings.append(
            f"With {plural(n, 'respondent')}, the {fmt(confidence * 100, 0)}% interval for "
            f"alpha runs from {fmt(ci_low, 2)} to {fmt(ci_high, 2)}, so the scale's "
            "consistency is only roughly known."
        )
    return _alpha_result(
        float(alpha), float(ci_low), float(ci_high), confidence, n, n_excluded, n_items, warnings
    )


def feldt_interval(
    alpha: float, *, n_items: int, n_respondents: int, confidence: float = 0.95
) -> tuple[float, float]:
    r"""Feldt's confidence interval for a coefficient alpha computed elsewhere.

    Parameters
    ----------
    alpha : float
        The estimated alpha.
    n_items : int
        Number of items :math:`k` (at least 2).
    n_respondents : int
        Number of respondents :math:`n` behind the estimate (at least 2).
    confidence : float, default 0.95

    Returns
    -------
    (low, high) : tuple of float

    Notes
    -----
    .. math::

        L = 1 - (1-\hat\alpha)\,F_{1-\gamma/2}(n-1, (n-1)(k-1)), \qquad
        U = 1 - (1-\hat\alpha)\,F_{\gamma/2}(n-1, (n-1)(k-1))

    (Feldt, Woodruff & Salih 1987, formulas 6 and 7).

    Examples
    --------
    >>> low, high = feldt_interval(0.85, n_items=7, n_respondents=89)
    >>> round(low, 3), round(high, 3)
    (0.797, 0.893)

    References
    ----------
    Feldt, L. S., Woodruff, D. J. & Salih, F. A. (1987). Statistical inference for
    coefficient alpha. *Applied Psychological Measurement*, 11, 93–103.
    """
    check_confidence(confidence)
    if n_items < 2 or n_respondents < 2:
        raise ValueError("Feldt's interval needs at least 2 items and 2 respondents.")
    gamma = 1 - confidence
    df1, df2 = n_respondents - 1, (n_respondents - 1) * (n_items - 1)
    low = 1 - (1 - alpha) * scipy_stats.f.ppf(1 - gamma / 2, df1, df2)
    high = 1 - (1 - alpha) * scipy_stats.f.ppf(gamma / 2, df1, df2)
    return float(low), float(high)


def _alpha_result(alpha, low, high, confidence, n, n_excluded, n_items, warnings):
    return CronbachAlpha(
        alpha=alpha,
        ci_low=low,
        ci_high=high,
        confidence=confidence,
        n_respondents=n,
        n_excluded=n_excluded,
        n_items=n_items,
        method=(
            f"Cronbach's alpha over {n_items} items from the {n} respondents who answered "
            f"all of them; {fmt(confidence * 100, 0)}% confidence interval by Feldt's "
            "F-distribution method (Feldt, Woodruff & Salih 1987)."
        ),
        warnings=warnings,
    )


def _check_range(values: np.ndarray, item_min: float, item_max: float, name: str) -> None:
    with np.errstate(invalid="ignore"):
        outside = (values < item_min) | (values > item_max)
    if outside.any():
        row, column = np.argwhere(outside)[0]
        raise ValueError(
            f"{name}: row {row + 1}, item {column + 1} has the value {fmt(values[row, column])}, "
            f"outside the declared range {fmt(item_min)}-{fmt(item_max)}."
        )


def _column_mask(columns, n_columns: int) -> np.ndarray:
    mask = np.zeros(n_columns, dtype=bool)
    mask[_mask_indices(columns, n_columns)] = True
    return mask


def _mask_indices(columns, n_columns: int) -> np.ndarray:
    columns = np.asarray(list(columns))
    if columns.dtype == bool:
        if columns.size != n_columns:
            raise ValueError(f"The reverse mask has {columns.size} entries for {n_columns} items.")
        return np.flatnonzero(columns)
    indices = columns.astype(int)
    if indices.size and (indices.min() < 0 or indices.max() >= n_columns):
        raise ValueError(
            f"Reverse-scored item numbers must be between 0 and {n_columns - 1} (counted from "
            f"0); got {indices.tolist()}."
        )
    return indices
