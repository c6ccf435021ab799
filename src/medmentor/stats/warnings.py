"""Plain-English warnings for claims the sample cannot support.

Small programs produce small samples: six juniors, five consultants. With so few
pairs an exact test has only a handful of possible p-values, and the smallest of them
may already be above 0.05. These helpers compute those floors and turn them into
sentences a program director can read next to the table.

The functions return ``None`` when there is nothing to warn about, so callers can write
``warnings = [w for w in (...) if w]``.
"""

from __future__ import annotations

import math

from medmentor.stats._common import check_alternative, fmt

__all__ = [
    "mann_whitney_sample_size_warning",
    "min_exact_mann_whitney_p",
    "min_exact_wilcoxon_p",
    "paired_t_sample_size_warning",
    "wilcoxon_sample_size_warning",
]

# Below this many untied pairs the smallest exact two-sided Wilcoxon p-value is at least
# 2 / 2**9 = 0.0039, i.e. the test has very few distinct outcomes; we say so.
_FEW_PAIRS = 10

# Below this many pairs a t-test cannot check its own normality assumption from the data.
_FEW_PAIRS_FOR_T = 10


def min_exact_wilcoxon_p(n_pairs: int, alternative: str = "two-sided") -> float:
    r"""Smallest p-value an exact Wilcoxon signed-rank test can give with ``n_pairs``.

    Parameters
    ----------
    n_pairs : int
        Number of non-zero differences that enter the ranking.
    alternative : {"two-sided", "greater", "less"}

    Returns
    -------
    float

    Notes
    -----
    The most extreme outcome is every difference having the same sign. Under the null
    hypothesis each of the :math:`2^n` sign patterns is equally likely, and exactly one
    pattern puts all ranks on one side, so

    .. math::

        p_{\min} = \frac{1}{2^n} \text{ (one-sided)}, \qquad
        p_{\min} = \min\left(1, \frac{2}{2^n}\right) \text{ (two-sided)}.

    This holds with tied absolute differences too (mid-ranks are all positive, so the
    all-positive pattern is still the single largest sum).

    Examples
    --------
    >>> round(min_exact_wilcoxon_p(6), 5)
    0.03125
    >>> min_exact_wilcoxon_p(5)
    0.0625

    References
    ----------
    Hollander, M., Wolfe, D. A. & Chicken, E. (2014). *Nonparametric Statistical
    Methods*, 3rd ed., section 3.1. Wiley.
    """
    check_alternative(alternative)
    if n_pairs <= 0:
        return 1.0
    one_sided = 0.5**n_pairs
    return one_sided if alternative != "two-sided" else min(1.0, 2 * one_sided)


def min_exact_mann_whitney_p(n1: int, n2: int, alternative: str = "two-sided") -> float:
    r"""Smallest p-value an exact Mann–Whitney U test can give with groups of n1 and n2.

    Notes
    -----
    The most extreme outcome is complete separation of the two groups; it is one of
    :math:`\binom{n_1+n_2}{n_1}` equally likely arrangements, so
    :math:`p_{\min} = 1/\binom{n_1+n_2}{n_1}` one-sided and twice that two-sided.

    Examples
    --------
    >>> round(min_exact_mann_whitney_p(3, 3), 4)
    0.1
    >>> round(min_exact_mann_whitney_p(3, 4), 4)
    0.0571

    References
    ----------
    Mann, H. B. & Whitney, D. R. (1947). On a test of whether one of two random variables
    is stochastically larger than the other. *Annals of Mathematical Statistics*, 18, 50–60.
    """
    check_alternative(alternative)
    if n1 <= 0 or n2 <= 0:
        return 1.0
    one_sided = 1.0 / math.comb(n1 + n2, n1)
    return one_sided if alternative != "two-sided" else min(1.0, 2 * one_sided)


def wilcoxon_sample_size_warning(
    n_pairs: int, *, alternative: str = "two-sided", significance: float = 0.05
) -> str | None:
    """A sentence about what an exact Wilcoxon test can show with ``n_pairs``, or None.

    Notes
    -----
    The floor is :func:`min_exact_wilcoxon_p`. If it is at or above ``significance`` the
    sentence says the test cannot reach significance; below 10 pairs it says that a
    non-significant result carries little information (the test has too few possible
    outcomes to detect anything but a unanimous change).

    References
    ----------
    Hollander, M., Wolfe, D. A. & Chicken, E. (2014). *Nonparametric Statistical Methods*,
    3rd ed., table A.4 (critical values of the signed-rank statistic). Wiley.

    Examples
    --------
    >>> print(wilcoxon_sample_size_warning(6))
    With 6 pairs, the smallest possible two-sided exact Wilcoxon p-value is 0.031;
    a non-significant result says little.
    >>> print(wilcoxon_sample_size_warning(5))
    With 5 pairs, the smallest possible two-sided exact Wilcoxon p-value is 0.062,
    so this test cannot reach p < 0.05 whatever the data show.
    >>> wilcoxon_sample_size_warning(30) is None
    True
    """
    floor = min_exact_wilcoxon_p(n_pairs, alternative)
    return _floor_sentence(
        f"With {_pairs(n_pairs)}",
        f"{_sided(alternative)} exact Wilcoxon",
        floor,
        significance,
        warn=n_pairs < _FEW_PAIRS,
    )


def mann_whitney_sample_size_warning(
    n1: int, n2: int, *, alternative: str = "two-sided", significance: float = 0.05
) -> str | None:
    """A sentence about what an exact Mann–Whitney test can show with these groups, or None.

    Notes
    -----
    The floor is :func:`min_exact_mann_whitney_p`; a sentence is returned while it is above
    0.001.

    References
    ----------
    Hollander, M., Wolfe, D. A. & Chicken, E. (2014). *Nonparametric Statistical Methods*,
    3rd ed., chapter 4. Wiley.

    Examples
    --------
    >>> print(mann_whitney_sample_size_warning(3, 3))
    With groups of 3 and 3, the smallest possible two-sided exact Mann-Whitney p-value
    is 0.1, so this test cannot reach p < 0.05 whatever the data show.
    """
    floor = min_exact_mann_whitney_p(n1, n2, alternative)
    return _floor_sentence(
        f"With groups of {n1} and {n2}",
        f"{_sided(alternative)} exact Mann-Whitney",
        floor,
        significance,
        warn=floor > 0.001,
    )


def paired_t_sample_size_warning(n_pairs: int) -> str | None:
    """A sentence about the paired t-test's normality assumption in small samples, or None.

    Notes
    -----
    The t-test's p-value is exact only for normally distributed differences; with fewer
    than 10 pairs neither a plot nor a test can check that, so the rank test should be read
    beside it.

    References
    ----------
    Fagerland, M. W. (2012). t-tests, non-parametric tests, and large studies: a paradox
    of statistical practice? *BMC Medical Research Methodology*, 12, 78.

    Examples
    --------
    >>> print(paired_t_sample_size_warning(6))
    With 6 pairs, the t-test relies on the differences being roughly normal, which so
    few values cannot show; read it beside the Wilcoxon test.
    """
    if n_pairs < 2:
        return f"With {_pairs(n_pairs)}, a paired t-test cannot be computed."
    if n_pairs < _FEW_PAIRS_FOR_T:
        return (
            f"With {_pairs(n_pairs)}, the t-test relies on the differences being roughly "
            "normal, which so few values cannot show; read it beside the Wilcoxon test."
        )
    return None


def _floor_sentence(
    opening: str, test: str, floor: float, significance: float, *, warn: bool
) -> str | None:
    if floor >= significance:
        return (
            f"{opening}, the smallest possible {test} p-value is {fmt(floor)}, so this test "
            f"cannot reach p < {fmt(significance)} whatever the data show."
        )
    if warn:
        return (
            f"{opening}, the smallest possible {test} p-value is {fmt(floor)}; "
            "a non-significant result says little."
        )
    return None


def _pairs(n: int) -> str:
    return f"{n} pair" if n == 1 else f"{n} pairs"


def _sided(alternative: str) -> str:
    return "two-sided" if alternative == "two-sided" else "one-sided"
