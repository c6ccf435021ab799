"""Input checks and number formatting shared by the statistics modules (private).

Every public function in ``medmentor.stats`` accepts plain Python lists or numpy arrays,
treats ``None`` and ``NaN`` as "no answer", and raises ``ValueError`` with a sentence that
names the offending position when the input cannot be used.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

ALTERNATIVES = ("two-sided", "greater", "less")


def as_float_vector(values, *, name: str) -> np.ndarray:
    """Return a 1-D float array; ``None`` becomes NaN; non-numbers raise ``ValueError``."""
    array = _as_float_array(values, name=name)
    if array.ndim != 1:
        raise ValueError(
            f"{name} must be a flat list of numbers, not an array of shape {array.shape}."
        )
    return array


def as_float_matrix(values, *, name: str) -> np.ndarray:
    """Return a 2-D float array (rows are respondents, columns are items)."""
    array = _as_float_array(values, name=name)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be a table of rows (respondents) and columns (items), "
            f"not an array of shape {array.shape}."
        )
    return array


def _as_float_array(values, *, name: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        _raise_first_non_number(values, name=name)
        raise ValueError(
            f"{name} must be a rectangular table of numbers (every row the same length)."
        ) from None
    if np.isinf(array).any():
        position = tuple(int(i) + 1 for i in np.argwhere(np.isinf(array))[0])
        raise ValueError(f"{name}: value at position {_position(position)} is infinite.")
    return array


def _raise_first_non_number(values, *, name: str, prefix: tuple[int, ...] = ()) -> None:
    if isinstance(values, str | bytes):
        raise ValueError(
            f"{name}: value {values!r} at position {_position(prefix)} is not a number."
        )
    if isinstance(values, Sequence | np.ndarray):
        for index, value in enumerate(values):
            _raise_first_non_number(value, name=name, prefix=(*prefix, index + 1))
        return
    if values is None:
        return
    try:
        float(values)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name}: value {values!r} at position {_position(prefix)} is not a number."
        ) from None


def _position(position: tuple[int, ...]) -> str:
    if len(position) == 2:
        return f"row {position[0]}, column {position[1]}"
    return ", ".join(str(p) for p in position) or "1"


def paired_complete(pre, post) -> tuple[np.ndarray, np.ndarray, int]:
    """Drop pairs where either wave is missing; return (pre, post, number dropped)."""
    before = as_float_vector(pre, name="pre")
    after = as_float_vector(post, name="post")
    if before.shape != after.shape:
        raise ValueError(
            f"pre and post must hold one value per respondent in the same order; "
            f"got {before.size} pre values and {after.size} post values."
        )
    complete = ~(np.isnan(before) | np.isnan(after))
    return before[complete], after[complete], int(before.size - complete.sum())


def round_differences(differences: np.ndarray) -> np.ndarray:
    """Round to 12 significant digits so floating-point noise does not split tied values.

    ``4.4 - 3.1`` and ``1.9 - 0.6`` are both 1.3 on paper but differ in the last bit as
    floats; ranking them apart would silently turn a tie into two ranks.
    """
    if differences.size == 0:
        return differences
    largest = float(np.max(np.abs(differences)))
    if largest == 0.0:
        return differences
    magnitude = 10.0 ** math.floor(math.log10(largest))
    return np.round(differences / magnitude, 12) * magnitude


def check_alternative(alternative: str) -> str:
    if alternative not in ALTERNATIVES:
        raise ValueError(
            f"alternative must be one of {', '.join(ALTERNATIVES)}; got {alternative!r}."
        )
    return alternative


def check_confidence(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1 (e.g. 0.95); got {confidence!r}.")
    return float(confidence)


def fmt(value: float, decimals: int = 3) -> str:
    """Format a number for a sentence: 0.03125 -> '0.031', 0.5 -> '0.5', 12.0 -> '12'."""
    if value is None or math.isnan(value):
        return "not available"
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


NOT_COMPUTABLE = "not computable"


def fmt_p(p: float) -> str:
    """Format a p-value the way reports print it: three decimals, "< 0.001" below that,
    "not computable" when there is none.

    Examples
    --------
    >>> fmt_p(0.0312), fmt_p(1e-14), fmt_p(float("nan"))
    ('0.031', '< 0.001', 'not computable')
    """
    if p is None or math.isnan(p):
        return NOT_COMPUTABLE
    if p < 0.001:
        return "< 0.001"
    return fmt_figure(p, 3)


def fmt_figure(value, decimals: int = 2) -> str:
    """Format a figure for a report: the one rounding rule of the report page, its PDF
    and its CSV.

    Parameters
    ----------
    value : float or None
    decimals : int

    Returns
    -------
    str
        Rounded half away from zero from the number's shortest decimal form, so 0.35
        gives "0.4" everywhere (Python's ``f"{0.35:.1f}"`` gives "0.3", because 0.35 is
        stored as 0.34999...; Django's ``floatformat`` gives "0.4": the two disagreed);
        "−0.00" is written "0.00"; ``None``, NaN and infinities are "not computable".

    Examples
    --------
    >>> fmt_figure(0.35, 1), fmt_figure(2.675, 2), fmt_figure(-0.001, 2), fmt_figure(None)
    ('0.4', '2.68', '0.00', 'not computable')
    """
    if value is None:
        return NOT_COMPUTABLE
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        return NOT_COMPUTABLE
    from decimal import ROUND_HALF_UP, Decimal

    rounded = Decimal(repr(number)).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    return f"{rounded:f}"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count} {word}"


def verb(count: int, singular: str, plural_form: str) -> str:
    """'was'/'were', 'has'/'have'... agreeing with count."""
    return singular if count == 1 else plural_form
