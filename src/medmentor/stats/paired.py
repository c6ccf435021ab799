"""Paired pre/post comparisons: Wilcoxon signed-rank test, paired t-test, and their
effect sizes (matched-pairs rank-biserial correlation, Cohen's d_z).

Every function takes ``pre`` and ``post`` as equally long sequences with one entry per
respondent (missing waves as ``None``/``NaN``), works on the difference
``post - pre``, and drops respondents who answered only one wave.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize
from scipy import stats as scipy_stats

from medmentor.stats._common import (
    check_alternative,
    check_confidence,
    fmt,
    paired_complete,
    plural,
    round_differences,
    verb,
)
from medmentor.stats.warnings import paired_t_sample_size_warning, wilcoxon_sample_size_warning

__all__ = [
    "EXACT_MAX_PAIRS",
    "EffectSize",
    "PairedComparison",
    "PairedTTest",
    "SignedRankTest",
    "WaveSummary",
    "cohens_dz",
    "paired_comparison",
    "paired_t_test",
    "rank_biserial_paired",
    "wilcoxon_signed_rank",
]

# method="auto" computes the exact distribution up to this many non-zero differences.
# The dynamic programme below costs O(n^3) additions, a few milliseconds at n = 50;
# beyond it the normal approximation is accurate to about the third decimal.
EXACT_MAX_PAIRS = 50


@dataclass(frozen=True)
class SignedRankTest:
    """Result of :func:`wilcoxon_signed_rank`.

    Attributes
    ----------
    statistic : float
        :math:`T^+`, the sum of ranks of positive differences (R's ``V``).
    t_minus : float
        :math:`T^-`, the sum of ranks of negative differences.
    n_pairs : int
        Complete pairs (both waves answered).
    n_zero : int
        Pairs with no change.
    n_used : int
        Differences whose signs enter the test (non-zero ones).
    has_ties : bool
        Whether some absolute differences were tied (mid-ranks used).
    z : float or None
        Standardised statistic when the normal approximation was used.
    p_value : float
    alternative : str
    method : str
    warnings : list of str
    """

    statistic: float
    t_minus: float
    n_pairs: int
    n_zero: int
    n_used: int
    has_ties: bool
    z: float | None
    p_value: float
    alternative: str
    method: str
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PairedTTest:
    """Result of :func:`paired_t_test` (differences are post - pre)."""

    mean_difference: float
    sd_difference: float
    t: float
    df: int
    p_value: float
    ci_low: float
    ci_high: float
    confidence: float
    n_pairs: int
    alternative: str
    method: str
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class EffectSize:
    """An effect size with its confidence interval.

    Attributes
    ----------
    name : str
        E.g. ``"matched-pairs rank-biserial correlation"`` or ``"Cohen's d_z"``.
    estimate, ci_low, ci_high : float
        NaN where an interval cannot be computed (``warnings`` says why).
    confidence : float
    n : int
        Pairs (or, for two groups, total respondents) behind the estimate.
    method : str
    warnings : list of str
    """

    name: str
    estimate: float
    ci_low: float
    ci_high: float
    confidence: float
    n: int
    method: str
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class WaveSummary:
    """Median, quartiles, mean and SD of one wave over the complete pairs."""

    median: float
    q1: float
    q3: float
    mean: float
    sd: float


@dataclass(frozen=True)
class PairedComparison:
    """One row of a pre/post table: both waves, both tests, both effect sizes."""

    name: str
    n_pairs: int
    n_incomplete: int
    pre: WaveSummary
    post: WaveSummary
    wilcoxon: SignedRankTest
    t_test: PairedTTest
    rank_biserial: EffectSize
    cohens_dz: EffectSize
    method: str
    warnings: list[str] = field(default_factory=list)


def wilcoxon_signed_rank(
    pre,
    post,
    *,
    alternative: str = "two-sided",
    zero_method: str = "wilcox",
    method: str = "auto",
    correction: bool = True,
) -> SignedRankTest:
    r"""Wilcoxon signed-rank test on paired differences ``post - pre``.

    Parameters
    ----------
    pre, post : array_like
        One value per respondent and wave; incomplete pairs are dropped.
    alternative : {"two-sided", "greater", "less"}
        ``"greater"``: post values tend to be larger than pre values.
    zero_method : {"wilcox", "pratt"}
        ``"wilcox"`` (default, as in R and scipy) drops zero differences before ranking.
        ``"pratt"`` ranks them with the others and then drops their ranks (Pratt 1959),
        which keeps the information that some pairs did not change.
    method : {"auto", "exact", "approx"}
        ``"exact"``: the exact permutation distribution of the signed ranks; ``"approx"``:
        normal approximation; ``"auto"``: exact up to :data:`EXACT_MAX_PAIRS` non-zero
        differences, approximate above.
    correction : bool, default True
        Continuity correction of 0.5 in the normal approximation (as R's default).

    Returns
    -------
    SignedRankTest

    Notes
    -----
    Let :math:`d_i` be the non-zero differences, :math:`r_i` the ranks of
    :math:`|d_i|` (mid-ranks for ties) and

    .. math::

        T^+ = \sum_{d_i > 0} r_i, \qquad T^- = \sum_{d_i < 0} r_i .

    Under the null hypothesis (differences symmetric about 0) each sign pattern of the
    :math:`n` ranks is equally likely. The *exact* p-value counts the :math:`2^n` patterns
    whose :math:`T^+` is at least as extreme as observed; it is computed by a dynamic
    programme over the doubled (hence integer) mid-ranks, so it is exact also with tied
    ranks: conditional on the observed ties, as in Hollander, Wolfe & Chicken (2014,
    section 3.1, "ties") and StatXact. Without ties it equals the classical Wilcoxon
    distribution (R's ``psignrank``). Two-sided p-values double the smaller tail (capped
    at 1), as R does.

    The *normal approximation* uses :math:`E[T^+] = \tfrac12\sum r_i` and
    :math:`\operatorname{Var}[T^+] = \tfrac14\sum r_i^2`, which is the usual
    tie-corrected variance :math:`n(n+1)(2n+1)/24 - \sum(t^3-t)/48`, and
    :math:`z = (T^+ - E - c)/\sqrt{\operatorname{Var}}` with continuity correction
    :math:`c = \pm 0.5` towards the mean (R's ``wilcox.test`` formula).

    Differences are rounded to 12 significant digits before ranking so that floating-point
    noise (``4.4 - 3.1`` vs ``1.9 - 0.6``) does not split genuine ties.

    Examples
    --------
    Hamilton depression scores (Hollander & Wolfe 1973, p. 29), first visit ``x`` and second
    visit ``y``; the test of ``x - y > 0`` is ``pre=y, post=x``:

    >>> x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
    >>> y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
    >>> result = wilcoxon_signed_rank(y, x, alternative="greater")
    >>> result.statistic, round(result.p_value, 5)
    (40.0, 0.01953)
    >>> result.method
    'Wilcoxon signed-rank test, exact p-value from all 2^9 = 512 equally likely sign
    patterns of the ranks (no ties, no zero differences).'

    References
    ----------
    Wilcoxon, F. (1945). Individual comparisons by ranking methods. *Biometrics Bulletin*,
    1, 80–83.

    Pratt, J. W. (1959). Remarks on zeros and ties in the Wilcoxon signed rank procedures.
    *Journal of the American Statistical Association*, 54, 655–667.

    Hollander, M., Wolfe, D. A. & Chicken, E. (2014). *Nonparametric Statistical Methods*,
    3rd ed., chapter 3. Wiley.
    """
    check_alternative(alternative)
    if zero_method not in ("wilcox", "pratt"):
        raise ValueError(f"zero_method must be 'wilcox' or 'pratt'; got {zero_method!r}.")
    if method not in ("auto", "exact", "approx"):
        raise ValueError(f"method must be 'auto', 'exact' or 'approx'; got {method!r}.")
    before, after, _ = paired_complete(pre, post)
    differences = round_differences(after - before)
    n_pairs = differences.size
    zero = differences == 0
    n_zero = int(zero.sum())

    if zero_method == "wilcox":
        nonzero = differences[~zero]
        ranks = scipy_stats.rankdata(np.abs(nonzero))
    else:
        all_ranks = scipy_stats.rankdata(np.abs(differences))
        nonzero = differences[~zero]
        ranks = all_ranks[~zero]
    n_used = nonzero.size
    has_ties = bool(np.unique(np.abs(nonzero)).size < n_used)
    t_plus = float(ranks[nonzero > 0].sum())
    t_minus = float(ranks[nonzero < 0].sum())

    warnings = []
    zero_note = _zero_note(n_zero, zero_method)
    if n_zero:
        warnings.append(
            f"{plural(n_zero, 'pair')} of {n_pairs} had the same value before and after; "
            + (
                f"they were dropped (Wilcoxon's method), leaving {n_used}."
                if zero_method == "wilcox"
                else "they were ranked and then set aside (Pratt's method)."
            )
        )
    if n_used == 0:
        warnings.append(
            "No respondent answered both waves, so there is nothing to compare; p = 1."
            if n_pairs == 0
            else "No pair changed, so the test has nothing to rank; p = 1."
        )
        return SignedRankTest(
            0.0, 0.0, n_pairs, n_zero, 0, False, None, 1.0, alternative,
            "Wilcoxon signed-rank test: no non-zero differences." + zero_note, warnings,
        )  # fmt: skip

    use_exact = method == "exact" or (method == "auto" and n_used <= EXACT_MAX_PAIRS)
    if use_exact:
        p_value = _exact_signed_rank_p(ranks, t_plus, alternative)
        z = None
        if has_ties:
            description = (
                "Wilcoxon signed-rank test, exact p-value from the permutation distribution "
                f"of the signed mid-ranks over all 2^{n_used} sign patterns (tied absolute "
                "differences share mid-ranks; the distribution is conditional on those ties)."
            )
        else:
            description = (
                f"Wilcoxon signed-rank test, exact p-value from all {_patterns(n_used)} "
                "equally likely sign patterns of the ranks (no ties"
                + (", no zero differences)." if not n_zero else ").")
            )
        sample_warning = wilcoxon_sample_size_warning(n_used, alternative=alternative)
        if sample_warning:
            warnings.append(sample_warning)
    else:
        p_value, z = _normal_signed_rank_p(ranks, t_plus, alternative, correction)
        description = (
            "Wilcoxon signed-rank test, normal approximation "
            + ("with" if correction else "without")
            + " continuity correction"
            + (" and tie-corrected variance." if has_ties else ".")
        )
        if n_used < 20:
            warnings.append(
                f"The p-value uses a normal approximation with only {plural(n_used, 'pair')}; "
                "the exact p-value (method='exact') is more trustworthy."
            )
    return SignedRankTest(
        statistic=t_plus,
        t_minus=t_minus,
        n_pairs=n_pairs,
        n_zero=n_zero,
        n_used=n_used,
        has_ties=has_ties,
        z=z,
        p_value=p_value,
        alternative=alternative,
        method=description + zero_note,
        warnings=warnings,
    )


def paired_t_test(
    pre, post, *, alternative: str = "two-sided", confidence: float = 0.95
) -> PairedTTest:
    r"""Paired t-test on ``post - pre`` with a confidence interval for the mean difference.

    Parameters
    ----------
    pre, post : array_like
        One value per respondent and wave; incomplete pairs are dropped.
    alternative : {"two-sided", "greater", "less"}
    confidence : float, default 0.95
        Level of the (always two-sided) interval for the mean difference.

    Returns
    -------
    PairedTTest

    Notes
    -----
    With differences :math:`d_i`, mean :math:`\bar d`, SD :math:`s_d` and :math:`n` pairs,

    .. math::

        t = \frac{\bar d}{s_d/\sqrt n}, \quad df = n - 1, \quad
        \bar d \pm t_{1-\gamma/2,\,n-1}\, s_d/\sqrt n .

    The t statistic and p-value come from ``scipy.stats.ttest_rel``.

    Examples
    --------
    Student's sleep data (R ``sleep``): extra hours of sleep on drug 1 and drug 2.

    >>> drug1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
    >>> drug2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
    >>> result = paired_t_test(drug1, drug2)
    >>> round(result.t, 4), result.df, round(result.p_value, 6)
    (4.0621, 9, 0.002833)

    References
    ----------
    Student (1908). The probable error of a mean. *Biometrika*, 6, 1–25.
    """
    check_alternative(alternative)
    check_confidence(confidence)
    before, after, _ = paired_complete(pre, post)
    differences = after - before
    n = differences.size
    nan = float("nan")
    warning = paired_t_sample_size_warning(n)
    warnings = [warning] if warning else []
    method = (
        f"Paired t-test on post - pre ({plural(n, 'pair')}, df = {max(n - 1, 0)}); "
        f"{fmt(confidence * 100, 0)}% confidence interval for the mean difference from the "
        "t distribution."
    )
    if n < 2:
        return PairedTTest(nan, nan, nan, max(n - 1, 0), nan, nan, nan, confidence, n,
                           alternative, method, warnings)  # fmt: skip
    mean = float(differences.mean())
    sd = float(differences.std(ddof=1))
    if sd == 0:
        warnings.append(
            "Every pair changed by exactly the same amount, so the t statistic is undefined."
        )
        return PairedTTest(mean, 0.0, nan, n - 1, nan, mean, mean, confidence, n,
                           alternative, method, warnings)  # fmt: skip
    result = scipy_stats.ttest_rel(after, before, alternative=alternative)
    half_width = scipy_stats.t.ppf(0.5 + confidence / 2, n - 1) * sd / math.sqrt(n)
    return PairedTTest(
        mean_difference=mean,
        sd_difference=sd,
        t=float(result.statistic),
        df=n - 1,
        p_value=float(result.pvalue),
        ci_low=mean - half_width,
        ci_high=mean + half_width,
        confidence=confidence,
        n_pairs=n,
        alternative=alternative,
        method=method,
        warnings=warnings,
    )


def rank_biserial_paired(
    pre, post, *, zero_method: str = "wilcox", confidence: float = 0.95
) -> EffectSize:
    r"""Matched-pairs rank-biserial correlation of ``post - pre`` with a Fisher-z interval.

    Parameters
    ----------
    pre, post : array_like
    zero_method : {"wilcox", "pratt"}
        Treatment of zero differences, as in :func:`wilcoxon_signed_rank`.
    confidence : float, default 0.95

    Returns
    -------
    EffectSize
        ``estimate`` is between -1 (every pair went down) and +1 (every pair went up).

    Notes
    -----
    Kerby's (2014) simple difference formula over the signed ranks:

    .. math::

        r = \frac{T^+ - T^-}{T^+ + T^-}

    The interval is the normal approximation on Fisher's z scale used by the R package
    *effectsize* (Ben-Shachar, Lüdecke & Makowski 2020): with :math:`n` non-zero
    differences,

    .. math::

        SE = \frac{\sqrt{(2n^3 + 3n^2 + n)/6}}{n(n+1)/2}, \qquad
        \tanh\left(\operatorname{artanh}(r) \pm z_{1-\gamma/2}\,SE\right).

    When every pair moved the same way (:math:`|r| = 1`) the Fisher-z interval does not
    exist; the bounds are NaN and ``warnings`` says so.

    Examples
    --------
    >>> x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
    >>> y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
    >>> result = rank_biserial_paired(y, x)
    >>> round(result.estimate, 2), round(result.ci_low, 2), round(result.ci_high, 2)
    (0.78, 0.3, 0.94)

    References
    ----------
    Kerby, D. S. (2014). The simple difference formula: an approach to teaching
    nonparametric correlation. *Comprehensive Psychology*, 3, 11.IT.3.1.

    Ben-Shachar, M. S., Lüdecke, D. & Makowski, D. (2020). effectsize: estimation of effect
    size indices and standardized parameters. *Journal of Open Source Software*, 5(56), 2815.
    """
    check_confidence(confidence)
    test = wilcoxon_signed_rank(pre, post, zero_method=zero_method, method="approx")
    n = test.n_used
    name = "matched-pairs rank-biserial correlation"
    method = (
        "Matched-pairs rank-biserial correlation (T+ - T-)/(T+ + T-) over "
        f"{plural(n, 'non-zero difference')} (Kerby 2014); {fmt(confidence * 100, 0)}% "
        "interval by the normal approximation on Fisher's z scale (as R's effectsize)."
    )
    nan = float("nan")
    if n == 0:
        reason = "No pair changed" if test.n_pairs else "There are no complete pairs"
        return EffectSize(name, nan, nan, nan, confidence, 0, method,
                          [f"{reason}, so the correlation is undefined."])  # fmt: skip
    estimate = (test.statistic - test.t_minus) / (test.statistic + test.t_minus)
    max_sum = n * (n + 1) / 2
    se = math.sqrt((2 * n**3 + 3 * n**2 + n) / 6) / max_sum
    warnings = []
    if abs(estimate) >= 1:
        low = high = nan
        warnings.append(
            f"All {plural(n, 'changed pair')} moved in the same direction (r = {fmt(estimate)}); "
            "the Fisher-z interval does not exist for a correlation of exactly ±1."
        )
    else:
        z_crit = scipy_stats.norm.ppf(0.5 + confidence / 2)
        low, high = np.tanh(np.arctanh(estimate) + np.array([-1, 1]) * z_crit * se)
    return EffectSize(name, float(estimate), float(low), float(high), confidence, n, method,
                      warnings)  # fmt: skip


def cohens_dz(pre, post, *, confidence: float = 0.95) -> EffectSize:
    r"""Cohen's :math:`d_z` (mean change over SD of change) with a noncentral-t interval.

    Parameters
    ----------
    pre, post : array_like
    confidence : float, default 0.95

    Returns
    -------
    EffectSize

    Notes
    -----
    .. math::

        d_z = \frac{\bar d}{s_d} = \frac{t}{\sqrt n}

    This is the standardised mean *change*, the effect size that matches the paired t-test
    (Lakens 2013); it is not :math:`d_{av}`, which divides by the average SD of the two
    waves. The interval inverts the noncentral t distribution (Steiger & Fouladi 1997;
    Cumming & Finch 2001): find :math:`\lambda_L, \lambda_U` with

    .. math::

        P(T_{n-1,\lambda_L} \le t) = 1 - \gamma/2, \qquad
        P(T_{n-1,\lambda_U} \le t) = \gamma/2,

    and report :math:`\lambda/\sqrt n`. No small-sample bias correction (Hedges' g) is
    applied.

    Examples
    --------
    >>> drug1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
    >>> drug2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
    >>> result = cohens_dz(drug2, drug1)
    >>> round(result.estimate, 2), round(result.ci_low, 2), round(result.ci_high, 2)
    (-1.28, -2.12, -0.41)

    References
    ----------
    Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences*, 2nd ed.,
    section 2.3.5. Erlbaum.

    Lakens, D. (2013). Calculating and reporting effect sizes to facilitate cumulative
    science: a practical primer for t-tests and ANOVAs. *Frontiers in Psychology*, 4, 863.

    Steiger, J. H. & Fouladi, R. T. (1997). Noncentrality interval estimation and the
    evaluation of statistical models. In *What If There Were No Significance Tests?*
    (pp. 221–257). Erlbaum.
    """
    check_confidence(confidence)
    before, after, _ = paired_complete(pre, post)
    differences = after - before
    n = differences.size
    name = "Cohen's d_z"
    method = (
        f"Cohen's d_z = mean change / SD of change over {plural(n, 'pair')} (not d_av); "
        f"{fmt(confidence * 100, 0)}% interval by inverting the noncentral t distribution."
    )
    nan = float("nan")
    if n < 2:
        return EffectSize(name, nan, nan, nan, confidence, n, method,
                          [f"With {plural(n, 'pair')}, d_z cannot be computed."])  # fmt: skip
    sd = differences.std(ddof=1)
    if sd == 0:
        warning = "Every pair changed by the same amount, so d_z is undefined."
        return EffectSize(name, nan, nan, nan, confidence, n, method, [warning])
    estimate = float(differences.mean() / sd)
    t_observed = estimate * math.sqrt(n)
    gamma = 1 - confidence
    low = _noncentrality_limit(t_observed, n - 1, 1 - gamma / 2) / math.sqrt(n)
    high = _noncentrality_limit(t_observed, n - 1, gamma / 2) / math.sqrt(n)
    warnings = []
    if low < 0.2 and high > 0.8 or low < -0.8 and high > -0.2:
        warnings.append(
            f"The {fmt(confidence * 100, 0)}% interval for d_z runs from {fmt(low, 2)} to "
            f"{fmt(high, 2)}: the data fit anything from a small to a large effect."
        )
    return EffectSize(name, estimate, float(low), float(high), confidence, n, method, warnings)


def paired_comparison(
    pre,
    post,
    *,
    name: str = "scale",
    alternative: str = "two-sided",
    zero_method: str = "wilcox",
    method: str = "auto",
    confidence: float = 0.95,
) -> PairedComparison:
    """The pre vs post row of a report table: both waves summarised, both tests, both effects.

    Parameters
    ----------
    pre, post : array_like
        One value per respondent (e.g. a scale score) in each wave, aligned by respondent;
        respondents missing either wave are left out and counted in ``n_incomplete``.
    name : str
        The scale or item, used in messages.
    alternative, zero_method, method
        Passed to :func:`wilcoxon_signed_rank` (``alternative`` also to the t-test).
    confidence : float, default 0.95

    Returns
    -------
    PairedComparison
        ``warnings`` collects every warning of the parts, without repeats.

    Notes
    -----
    Both waves are summarised over the complete pairs only (median with Q1-Q3, mean with
    SD), so the medians in the row describe the same people the tests compare. Reporting the
    rank test and the t-test side by side, each with its effect size and interval, follows
    the advice for small paired samples in Fagerland (2012); see
    :func:`wilcoxon_signed_rank`, :func:`paired_t_test`, :func:`rank_biserial_paired` and
    :func:`cohens_dz` for the formulas.

    References
    ----------
    Fagerland, M. W. (2012). t-tests, non-parametric tests, and large studies: a paradox
    of statistical practice? *BMC Medical Research Methodology*, 12, 78.

    Lakens, D. (2013). Calculating and reporting effect sizes to facilitate cumulative
    science. *Frontiers in Psychology*, 4, 863.

    Examples
    --------
    >>> row = paired_comparison([21, 20, 23, 19, 22, 21], [31, 30, 29, 28, 33, 31],
    ...                         name="confidence giving feedback")
    >>> row.n_pairs, row.pre.median, row.post.median, round(row.wilcoxon.p_value, 5)
    (6, 21.0, 30.5, 0.03125)
    >>> row.warnings[0]
    'With 6 pairs, the smallest possible two-sided exact Wilcoxon p-value is 0.031;
    a non-significant result says little.'
    """
    before, after, n_incomplete = paired_complete(pre, post)
    wilcoxon = wilcoxon_signed_rank(
        before, after, alternative=alternative, zero_method=zero_method, method=method
    )
    t_test = paired_t_test(before, after, alternative=alternative, confidence=confidence)
    rank_biserial = rank_biserial_paired(
        before, after, zero_method=zero_method, confidence=confidence
    )
    dz = cohens_dz(before, after, confidence=confidence)
    warnings = []
    if n_incomplete:
        warnings.append(
            f"{plural(n_incomplete, 'respondent')} answered only one wave of {name} and "
            f"{verb(n_incomplete, 'was', 'were')} left out of the paired comparison."
        )
    for part in (wilcoxon, t_test, rank_biserial, dz):
        for warning in part.warnings:
            if warning not in warnings:
                warnings.append(warning)
    return PairedComparison(
        name=name,
        n_pairs=int(before.size),
        n_incomplete=n_incomplete,
        pre=_summary(before),
        post=_summary(after),
        wilcoxon=wilcoxon,
        t_test=t_test,
        rank_biserial=rank_biserial,
        cohens_dz=dz,
        method=(
            f"{name}: pre and post summarised over the {plural(before.size, 'complete pair')}. "
            f"{wilcoxon.method} {t_test.method} {rank_biserial.method} {dz.method}"
        ),
        warnings=warnings,
    )


def _patterns(n: int) -> str:
    return f"2^{n} = {2**n:,}" if n <= 20 else f"2^{n}"


def _summary(values: np.ndarray) -> WaveSummary:
    if values.size == 0:
        nan = float("nan")
        return WaveSummary(nan, nan, nan, nan, nan)
    q1, median, q3 = np.quantile(values, [0.25, 0.5, 0.75])
    sd = float(values.std(ddof=1)) if values.size > 1 else float("nan")
    return WaveSummary(float(median), float(q1), float(q3), float(values.mean()), sd)


def _zero_note(n_zero: int, zero_method: str) -> str:
    if not n_zero:
        return ""
    if zero_method == "wilcox":
        return f" {plural(n_zero, 'zero difference')} dropped before ranking (Wilcoxon's method)."
    return (
        f" {plural(n_zero, 'zero difference')} ranked with the others and then set aside "
        "(Pratt's method)."
    )


def _exact_signed_rank_p(ranks: np.ndarray, t_plus: float, alternative: str) -> float:
    """Exact p-value of T+ by convolving the two-point distribution {0, r} of each rank.

    Mid-ranks are multiples of 1/2, so doubled ranks are integers and the distribution of
    2T+ lives on 0..2*sum(ranks). Each step halves the mass, so no counts overflow.
    """
    doubled = np.rint(2 * ranks).astype(np.int64)
    total = int(doubled.sum())
    distribution = np.zeros(total + 1)
    distribution[0] = 1.0
    reach = 0
    for rank in doubled:
        shifted = np.zeros_like(distribution)
        shifted[rank : rank + reach + 1] = distribution[: reach + 1]
        distribution = 0.5 * (distribution + shifted)
        reach += rank
    observed = int(round(2 * t_plus))
    upper = float(distribution[observed:].sum())
    lower = float(distribution[: observed + 1].sum())
    if alternative == "greater":
        return min(1.0, upper)
    if alternative == "less":
        return min(1.0, lower)
    return min(1.0, 2 * min(upper, lower))


def _normal_signed_rank_p(
    ranks: np.ndarray, t_plus: float, alternative: str, correction: bool
) -> tuple[float, float]:
    mean = ranks.sum() / 2
    sd = math.sqrt((ranks**2).sum() / 4)
    return _normal_p(t_plus - mean, sd, alternative, correction)


def _normal_p(centred: float, sd: float, alternative: str, correction: bool) -> tuple[float, float]:
    """p-value of a centred statistic with R's continuity correction of 0.5 toward 0."""
    if correction:
        if alternative == "two-sided":
            centred -= math.copysign(0.5, centred) if centred else 0.0
        elif alternative == "greater":
            centred -= 0.5
        else:
            centred += 0.5
    z = centred / sd
    if alternative == "greater":
        return float(scipy_stats.norm.sf(z)), z
    if alternative == "less":
        return float(scipy_stats.norm.cdf(z)), z
    return float(min(1.0, 2 * scipy_stats.norm.sf(abs(z)))), z


def _noncentrality_limit(t_observed: float, df: int, target: float) -> float:
    """The noncentrality λ with P(T_{df,λ} <= t_observed) = target (cdf falls as λ grows)."""

    def gap(ncp: float) -> float:
        cdf = scipy_stats.nct.cdf(t_observed, df, ncp)
        if math.isnan(cdf):
            # scipy's noncentral t can fail far in the tails (tiny df, large |λ|); use the
            # reflection P(T_λ <= t) = 1 - P(T_-λ <= -t), and failing that the limit value.
            cdf = 1 - scipy_stats.nct.cdf(-t_observed, df, -ncp)
        if math.isnan(cdf):
            cdf = 1.0 if ncp < t_observed else 0.0
        return cdf - target

    step = max(1.0, abs(t_observed) * 0.5)
    low, high = t_observed - step, t_observed + step
    while gap(low) < 0:
        step *= 2
        low = t_observed - step
    while gap(high) > 0:
        step *= 2
        high = t_observed + step
    return float(optimize.brentq(gap, low, high, xtol=1e-12))
