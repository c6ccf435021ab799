"""Two independent groups (e.g. unlinked pre and post waves of an anonymous survey):
Mann–Whitney U test and the rank-biserial correlation (Cliff's delta)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import stats as scipy_stats

from medmentor.stats._common import (
    as_float_vector,
    check_alternative,
    check_confidence,
    fmt,
)
from medmentor.stats.paired import EffectSize, _normal_p
from medmentor.stats.warnings import mann_whitney_sample_size_warning

__all__ = ["EXACT_MAX_TOTAL", "MannWhitneyTest", "mann_whitney_u", "rank_biserial_independent"]

# method="auto" is exact up to this many values in both groups together; the dynamic
# programme costs O(N^2 * n1) additions (well under 0.1 s at N = 50).
EXACT_MAX_TOTAL = 50


@dataclass(frozen=True)
class MannWhitneyTest:
    """Result of :func:`mann_whitney_u`.

    Attributes
    ----------
    u : float
        :math:`U` of the first group: pairs (x, y) with x > y, plus half the ties
        (R's ``W``).
    u_other : float
        :math:`U` of the second group, ``n1 * n2 - u``.
    n1, n2 : int
        Non-missing values in each group.
    has_ties : bool
    z : float or None
        Standardised statistic when the normal approximation was used.
    p_value : float
    alternative : str
    method : str
    warnings : list of str
    """

    u: float
    u_other: float
    n1: int
    n2: int
    has_ties: bool
    z: float | None
    p_value: float
    alternative: str
    method: str
    warnings: list[str] = field(default_factory=list)


def mann_whitney_u(
    x, y, *, alternative: str = "two-sided", method: str = "auto", correction: bool = True
) -> MannWhitneyTest:
    r"""Mann–Whitney U (Wilcoxon rank-sum) test of two independent groups.

    Parameters
    ----------
    x, y : array_like
        The two groups; ``NaN``/``None`` values are dropped.
    alternative : {"two-sided", "greater", "less"}
        ``"greater"``: values in ``x`` tend to be larger than in ``y``.
    method : {"auto", "exact", "approx"}
        ``"exact"``: permutation distribution of the rank sum over all
        :math:`\binom{n_1+n_2}{n_1}` splits; ``"approx"``: normal approximation;
        ``"auto"``: exact up to :data:`EXACT_MAX_TOTAL` values, approximate above.
    correction : bool, default True
        Continuity correction of 0.5 in the normal approximation (R's default).

    Returns
    -------
    MannWhitneyTest

    Notes
    -----
    Rank all :math:`N = n_1 + n_2` values together (mid-ranks for ties); with
    :math:`R_1` the rank sum of ``x``,

    .. math::

        U_1 = R_1 - \frac{n_1(n_1+1)}{2}.

    The exact p-value counts the splits of the observed (mid-)ranks into groups of sizes
    :math:`n_1, n_2` whose rank sum is at least as extreme; a dynamic programme over doubled
    ranks makes this exact also with ties (conditional on them). The normal approximation
    uses :math:`E[U_1] = n_1 n_2/2` and the tie-corrected variance

    .. math::

        \operatorname{Var}[U_1] = \frac{n_1 n_2}{12}
            \left(N + 1 - \frac{\sum (t^3 - t)}{N(N-1)}\right).

    Two-sided p-values double the smaller tail, capped at 1 (as R's ``wilcox.test``).

    Examples
    --------
    Permeability of the placental membrane at term (x) and at 12–26 weeks (y), Hollander &
    Wolfe (1973), p. 69:

    >>> x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
    >>> y = [1.15, 0.88, 0.90, 0.74, 1.21]
    >>> result = mann_whitney_u(x, y, alternative="greater")
    >>> result.u, round(result.p_value, 4)
    (35.0, 0.1272)

    References
    ----------
    Mann, H. B. & Whitney, D. R. (1947). On a test of whether one of two random variables
    is stochastically larger than the other. *Annals of Mathematical Statistics*, 18, 50–60.

    Hollander, M., Wolfe, D. A. & Chicken, E. (2014). *Nonparametric Statistical Methods*,
    3rd ed., chapter 4. Wiley.
    """
    check_alternative(alternative)
    if method not in ("auto", "exact", "approx"):
        raise ValueError(f"method must be 'auto', 'exact' or 'approx'; got {method!r}.")
    first = _present(x, "x")
    second = _present(y, "y")
    n1, n2 = first.size, second.size
    if n1 == 0 or n2 == 0:
        raise ValueError(f"Each group needs at least one value; got {n1} in x and {n2} in y.")
    combined = np.concatenate([first, second])
    ranks = scipy_stats.rankdata(combined)
    has_ties = bool(np.unique(combined).size < combined.size)
    u = float(ranks[:n1].sum() - n1 * (n1 + 1) / 2)
    warnings = []
    use_exact = method == "exact" or (method == "auto" and n1 + n2 <= EXACT_MAX_TOTAL)
    if use_exact:
        p_value = _exact_rank_sum_p(ranks, n1, alternative)
        z = None
        description = (
            f"Mann-Whitney U test, exact p-value from all {math.comb(n1 + n2, n1)} equally "
            f"likely ways to split the {n1 + n2} ranks into groups of {n1} and {n2}"
            + (
                " (tied values share mid-ranks; the distribution is conditional on those ties)."
                if has_ties
                else " (no ties)."
            )
        )
        sample_warning = mann_whitney_sample_size_warning(n1, n2, alternative=alternative)
        if sample_warning:
            warnings.append(sample_warning)
    else:
        n = n1 + n2
        _, tie_counts = np.unique(combined, return_counts=True)
        tie_term = float((tie_counts**3 - tie_counts).sum()) / (n * (n - 1))
        sd = math.sqrt(n1 * n2 / 12 * (n + 1 - tie_term))
        p_value, z = _normal_p(u - n1 * n2 / 2, sd, alternative, correction)
        description = (
            "Mann-Whitney U test, normal approximation "
            + ("with" if correction else "without")
            + " continuity correction"
            + (" and tie-corrected variance." if has_ties else ".")
        )
        if n1 + n2 < 20:
            warnings.append(
                f"The p-value uses a normal approximation with only {n1 + n2} values; the "
                "exact p-value (method='exact') is more trustworthy."
            )
    return MannWhitneyTest(
        u=u,
        u_other=n1 * n2 - u,
        n1=n1,
        n2=n2,
        has_ties=has_ties,
        z=z,
        p_value=p_value,
        alternative=alternative,
        method=description,
        warnings=warnings,
    )


def rank_biserial_independent(x, y, *, confidence: float = 0.95) -> EffectSize:
    r"""Rank-biserial correlation of two independent groups (equal to Cliff's delta).

    Notes
    -----
    .. math::

        r = \frac{2 U_1}{n_1 n_2} - 1 = P(X > Y) - P(X < Y),

    between -1 (every ``y`` above every ``x``) and +1. The interval is the normal
    approximation on Fisher's z scale of the R package *effectsize*:
    :math:`SE = \sqrt{(n_1+n_2+1)/(3 n_1 n_2)}`, bounds
    :math:`\tanh(\operatorname{artanh} r \pm z_{1-\gamma/2} SE)`.

    Examples
    --------
    R's ``sleep`` data treated as two independent groups:

    >>> drug1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
    >>> drug2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
    >>> result = rank_biserial_independent(drug1, drug2)
    >>> round(result.estimate, 2), round(result.ci_low, 2), round(result.ci_high, 2)
    (-0.49, -0.78, -0.02)

    References
    ----------
    Glass, G. V. (1965). A ranking variable analogue of biserial correlation.
    *Journal of Educational Measurement*, 2, 91–95.

    Cliff, N. (1993). Dominance statistics: ordinal analyses to answer ordinal questions.
    *Psychological Bulletin*, 114, 494–509.
    """
    check_confidence(confidence)
    test = mann_whitney_u(x, y, method="approx")
    n1, n2 = test.n1, test.n2
    estimate = 2 * test.u / (n1 * n2) - 1
    se = math.sqrt((n1 + n2 + 1) / (3 * n1 * n2))
    method = (
        f"Rank-biserial correlation 2U/(n1 n2) - 1 (Cliff's delta) for groups of {n1} and "
        f"{n2}; {fmt(confidence * 100, 0)}% interval by the normal approximation on Fisher's "
        "z scale (as R's effectsize)."
    )
    warnings = []
    nan = float("nan")
    if abs(estimate) >= 1:
        low = high = nan
        warnings.append(
            "Every value of one group lies above every value of the other "
            f"(r = {fmt(estimate)}); the Fisher-z interval does not exist for ±1."
        )
    else:
        z_crit = scipy_stats.norm.ppf(0.5 + confidence / 2)
        low, high = np.tanh(np.arctanh(estimate) + np.array([-1, 1]) * z_crit * se)
    return EffectSize(
        "rank-biserial correlation", float(estimate), float(low), float(high), confidence,
        n1 + n2, method, warnings,
    )  # fmt: skip


def _present(values, name: str) -> np.ndarray:
    array = as_float_vector(values, name=name)
    return array[~np.isnan(array)]


def _exact_rank_sum_p(ranks: np.ndarray, n1: int, alternative: str) -> float:
    """Exact p-value of the rank sum of the first n1 values over all splits.

    ``ways[j, s]`` counts the subsets of j ranks seen so far whose doubled sum is s; the
    doubled mid-ranks are integers, so ties are handled exactly.
    """
    doubled = np.rint(2 * ranks).astype(np.int64)
    total = int(doubled.sum())
    ways = np.zeros((n1 + 1, total + 1))
    ways[0, 0] = 1.0
    for rank in doubled:
        ways[1:, rank:] += ways[:-1, : total + 1 - rank].copy()
    distribution = ways[n1] / math.comb(ranks.size, n1)
    observed = int(doubled[:n1].sum())
    upper = float(distribution[observed:].sum())
    lower = float(distribution[: observed + 1].sum())
    if alternative == "greater":
        return min(1.0, upper)
    if alternative == "less":
        return min(1.0, lower)
    return min(1.0, 2 * min(upper, lower))
