"""Agreement between coders: percent agreement, Cohen's kappa (two coders) and
Krippendorff's alpha (any number of coders, missing values, four levels of measurement).

Ratings come as a table with one row per coder and one column per unit (Krippendorff's
"reliability data"), with ``None``/``NaN``/``""`` where a coder did not code a unit.
Values may be numbers or strings (code names).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal, cast

import krippendorff
import numpy as np
from scipy import stats as scipy_stats
from statsmodels.stats import inter_rater

from medmentor.stats._common import check_confidence, fmt, fmt_p, plural, verb

__all__ = [
    "CodeAgreement",
    "CohensKappa",
    "KrippendorffAlpha",
    "PercentAgreement",
    "code_agreement",
    "cohens_kappa",
    "cohens_kappa_from_table",
    "coincidence_matrix",
    "kappa_interval",
    "krippendorff_alpha",
    "percent_agreement",
]

LEVELS = ("nominal", "ordinal", "interval", "ratio")


@dataclass(frozen=True)
class PercentAgreement:
    """Share of agreeing coder pairs, averaged over units coded by at least two coders."""

    proportion: float
    n_units: int
    n_coders: int
    method: str
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CohensKappa:
    """Result of :func:`cohens_kappa`.

    Attributes
    ----------
    kappa : float
    se : float
        Large-sample standard error (Fleiss, Cohen & Everitt 1969), used for the interval.
    ci_low, ci_high : float
    confidence : float
    se_null : float
        Standard error under kappa = 0, used for the test.
    z, p_value : float
        Test of kappa = 0 (two-sided).
    observed_agreement, expected_agreement : float
        :math:`p_o` and :math:`p_e`.
    n_units : int
        Units both coders coded.
    categories : list
    table : ndarray
        Coder A in rows, coder B in columns, in the order of ``categories``.
    method : str
    warnings : list of str
    """

    kappa: float
    se: float
    ci_low: float
    ci_high: float
    confidence: float
    se_null: float
    z: float
    p_value: float
    observed_agreement: float
    expected_agreement: float
    n_units: int
    categories: list
    table: np.ndarray
    method: str
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class KrippendorffAlpha:
    """Result of :func:`krippendorff_alpha`."""

    alpha: float
    level: str
    n_units: int
    n_coders: int
    n_values: int
    method: str
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CodeAgreement:
    """Agreement on whether one qualitative code applies to each unit.

    ``n_uncoded_units`` counts the units no coder applied any code to (they count as
    agreement unless the caller chose to drop them, then ``n_uncoded_units_dropped``
    equals it). ``kappa_ci_low``/``kappa_ci_high`` bound the kappa interval (NaN when
    not computable; ``None`` without two coders).
    """

    code: str
    n_units: int
    n_uncoded_units_dropped: int
    percent_agreement: float
    kappa: float | None
    alpha: float
    method: str
    warnings: list[str] = field(default_factory=list)
    kappa_ci_low: float | None = None
    kappa_ci_high: float | None = None
    n_uncoded_units: int = 0


def percent_agreement(ratings) -> PercentAgreement:
    r"""Percent agreement between coders, any number of coders.

    Parameters
    ----------
    ratings : array_like, shape (coders, units)
        Missing codes as ``None``/``NaN``/``""``.

    Returns
    -------
    PercentAgreement

    Notes
    -----
    For a unit :math:`u` coded by :math:`m_u \ge 2` coders, :math:`n_{uc}` of whom chose
    category :math:`c`, the share of agreeing ordered coder pairs is
    :math:`\sum_c n_{uc}(n_{uc}-1) / (m_u(m_u-1))`. Percent agreement is the mean of that
    share over such units; with two coders it is simply the share of units on which they
    agree. Units coded by fewer than two coders do not count.

    Percent agreement ignores agreement by chance; report kappa or alpha beside it.

    Examples
    --------
    >>> percent_agreement([["a", "a", "b", "b"], ["a", "b", "b", "b"]]).proportion
    0.75

    References
    ----------
    Krippendorff, K. (2011). *Computing Krippendorff's Alpha-Reliability*, section C (the
    pairing of values within units that this average follows).

    O'Connor, C. & Joffe, H. (2020). Intercoder reliability in qualitative research:
    debates and practical guidelines. *International Journal of Qualitative Methods*, 19.
    """
    codes, _ = _encode(ratings)
    counts = _unit_counts(codes)
    m = counts.sum(axis=1)
    pairable = m >= 2
    n_units = int(pairable.sum())
    warnings = _pairable_warnings(codes.shape[1], n_units)
    if n_units == 0:
        proportion = float("nan")
    else:
        agreeing = (counts[pairable] * (counts[pairable] - 1)).sum(axis=1)
        proportion = float(np.mean(agreeing / (m[pairable] * (m[pairable] - 1))))
    return PercentAgreement(
        proportion=proportion,
        n_units=n_units,
        n_coders=codes.shape[0],
        method=(
            f"Percent agreement over {plural(n_units, 'unit')} coded by at least two of "
            f"{codes.shape[0]} coders: the share of agreeing coder pairs in each unit, "
            "averaged over units. Not corrected for chance agreement."
        ),
        warnings=warnings,
    )


def cohens_kappa(coder_a, coder_b, *, confidence: float = 0.95) -> CohensKappa:
    r"""Cohen's kappa for two coders, with standard error, interval and test.

    Parameters
    ----------
    coder_a, coder_b : array_like
        One code per unit for each coder, in the same unit order; units that either coder
        left empty are dropped.
    confidence : float, default 0.95

    Returns
    -------
    CohensKappa

    Notes
    -----
    The agreement table is built over the union of the categories either coder used, so a
    category that only one coder chose still counts as disagreement. With cell proportions
    :math:`p_{ij}` and margins :math:`p_{i\cdot}, p_{\cdot j}` (Cohen 1960):

    .. math::

        p_o = \sum_i p_{ii}, \quad p_e = \sum_i p_{i\cdot} p_{\cdot i}, \quad
        \kappa = \frac{p_o - p_e}{1 - p_e}.

    The interval uses the large-sample variance of Fleiss, Cohen & Everitt (1969),

    .. math::

        \widehat{\operatorname{Var}}(\kappa) = \frac{
          \sum_i p_{ii}\,[1 - (p_{i\cdot} + p_{\cdot i})(1-\kappa)]^2
          + (1-\kappa)^2 \sum_{i \ne j} p_{ij} (p_{\cdot i} + p_{j\cdot})^2
          - [\kappa - p_e(1-\kappa)]^2}{n (1-p_e)^2},

    and the test of :math:`\kappa = 0` the null variance
    :math:`[p_e + p_e^2 - \sum_i p_{i\cdot}p_{\cdot i}(p_{i\cdot}+p_{\cdot i})]/(n(1-p_e)^2)`,
    as SAS PROC FREQ does. The computation is ``statsmodels.stats.inter_rater.cohens_kappa``.

    Examples
    --------
    >>> a = ["yes"] * 25 + ["no"] * 25
    >>> b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    >>> round(cohens_kappa(a, b).kappa, 3)
    0.4

    References
    ----------
    Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational and
    Psychological Measurement*, 20, 37–46.

    Fleiss, J. L., Cohen, J. & Everitt, B. S. (1969). Large sample standard errors of kappa
    and weighted kappa. *Psychological Bulletin*, 72, 323–327.
    """
    first = np.asarray(coder_a, dtype=object)
    second = np.asarray(coder_b, dtype=object)
    if first.ndim != 1 or first.shape != second.shape:
        raise ValueError(
            "coder_a and coder_b must be flat lists with one code per unit in the same order; "
            f"got {first.size} and {second.size} codes."
        )
    codes, categories = _encode(np.vstack([first, second]))
    both = (codes >= 0).all(axis=0)
    n_dropped = int((~both).sum())
    size = len(categories)
    table = np.bincount(codes[0, both] * size + codes[1, both], minlength=size * size).reshape(
        size, size
    )
    result = cohens_kappa_from_table(table, categories=categories, confidence=confidence)
    if n_dropped:
        result.warnings.insert(
            0,
            f"{plural(n_dropped, 'unit')} coded by only one of the two coders "
            f"{'was' if n_dropped == 1 else 'were'} left out.",
        )
    return result


def cohens_kappa_from_table(table, *, categories=None, confidence: float = 0.95) -> CohensKappa:
    r"""Cohen's kappa from a square agreement table (coder A rows, coder B columns).

    Parameters
    ----------
    table : array_like, shape (categories, categories)
        Counts of units; cell (i, j) = coder A chose category i and coder B category j.
    categories : sequence, optional
        Category names in table order.
    confidence : float, default 0.95

    Returns
    -------
    CohensKappa

    Notes
    -----
    :math:`\kappa = (p_o - p_e)/(1 - p_e)` with :math:`p_o = \sum_i p_{ii}` and
    :math:`p_e = \sum_i p_{i\cdot}p_{\cdot i}`; standard errors as in :func:`cohens_kappa`.

    Examples
    --------
    >>> result = cohens_kappa_from_table([[20, 5], [10, 15]])
    >>> round(result.kappa, 3), round(result.observed_agreement, 2)
    (0.4, 0.7)

    References
    ----------
    Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational and
    Psychological Measurement*, 20, 37–46.

    Fleiss, J. L., Levin, B. & Paik, M. C. (2003). *Statistical Methods for Rates and
    Proportions*, 3rd ed., chapter 18. Wiley.
    """
    check_confidence(confidence)
    counts = np.asarray(table, dtype=float)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
        raise ValueError(f"The agreement table must be square; got shape {counts.shape}.")
    if (counts < 0).any():
        raise ValueError("The agreement table cannot hold negative counts.")
    size = counts.shape[0]
    categories = list(categories) if categories is not None else list(range(size))
    n = int(counts.sum())
    nan = float("nan")
    method = (
        f"Cohen's kappa over {plural(n, 'unit')} coded by both coders; standard error by "
        "Fleiss, Cohen & Everitt (1969), "
        f"{fmt(confidence * 100, 0)}% interval {KAPPA_INTERVAL_METHOD}; test of kappa = 0 "
        "with the null standard error (as SAS PROC FREQ)."
    )
    warnings: list[str] = []
    if n == 0:
        warnings.append("No unit was coded by both coders, so kappa cannot be computed.")
        return CohensKappa(nan, nan, nan, nan, confidence, nan, nan, nan, nan, nan, 0,
                           categories, counts, method, warnings)  # fmt: skip
    proportions = counts / n
    observed = float(np.trace(proportions))
    expected = float((proportions.sum(axis=1) * proportions.sum(axis=0)).sum())
    if expected >= 1.0:
        warnings.append(
            "Both coders used a single category for every unit, so chance agreement is "
            "complete and kappa is undefined."
        )
        return CohensKappa(nan, nan, nan, nan, confidence, nan, nan, nan, observed, expected,
                           n, categories, counts, method, warnings)  # fmt: skip
    with np.errstate(invalid="ignore", divide="ignore"):
        # statsmodels divides by the null SE while building its summary; a zero SE
        # (one coder used one category) is handled below instead.
        result = inter_rater.cohens_kappa(counts)
    kappa = float(result.kappa)
    se = math.sqrt(max(float(result.var_kappa), 0.0))
    se_null = math.sqrt(max(float(result.var_kappa0), 0.0))
    z_crit = scipy_stats.norm.ppf(0.5 + confidence / 2)
    z = kappa / se_null if se_null > 0 else nan
    p_value = float(2 * scipy_stats.norm.sf(abs(z))) if se_null > 0 else nan
    ci_low, ci_high = kappa_interval(kappa, se, z_crit)
    if math.isnan(ci_low):
        warnings.append(
            "The large-sample standard error of kappa is 0 here (the coders agree on every "
            "unit, or their margins leave no room to differ), so no interval is reported: "
            "a zero-width interval would claim a certainty the data do not give."
        )
    if expected > 0.8 and observed - kappa > 0.3:
        warnings.append(
            f"Coders agreed on {fmt(observed * 100, 0)}% of units but kappa is only "
            f"{fmt(kappa, 2)}, because one category covers most units (chance agreement "
            f"{fmt(expected, 2)}); report percent agreement beside kappa."
        )
    if n < 30:
        warnings.append(
            f"Kappa from {plural(n, 'unit')} is imprecise ({fmt(confidence * 100, 0)}% interval "
            f"{fmt(ci_low, 2)} to {fmt(ci_high, 2)}); the normal "
            "approximation behind the interval and the p-value "
            f"({fmt_p(p_value)}) needs more units to be accurate."
        )
    return CohensKappa(
        kappa=kappa,
        se=se,
        ci_low=ci_low,
        ci_high=ci_high,
        confidence=confidence,
        se_null=se_null,
        z=z,
        p_value=p_value,
        observed_agreement=observed,
        expected_agreement=expected,
        n_units=n,
        categories=categories,
        table=counts,
        method=method,
        warnings=warnings,
    )


KAPPA_INTERVAL_METHOD = (
    "kappa ± z·SE (Wald), truncated to kappa's possible range of -1 to 1; not reported when SE is 0"
)


def kappa_interval(kappa: float, se: float, z_crit: float) -> tuple[float, float]:
    """Wald interval for kappa, truncated to the possible range [-1, 1].

    Parameters
    ----------
    kappa, se : float
        The estimate and its large-sample standard error.
    z_crit : float
        The normal quantile for the confidence level (1.96 for 95%).

    Returns
    -------
    (low, high) : tuple of float
        ``kappa ± z_crit·se`` clipped to [-1, 1]; both NaN when ``se`` is 0 or not a
        number, because a zero-width interval ("1 to 1") claims a certainty that a
        finite sample never gives.

    Examples
    --------
    >>> kappa_interval(0.8, 0.2, 1.96)
    (0.408, 1.0)
    """
    if not (se > 0) or math.isnan(kappa):
        return float("nan"), float("nan")
    return (
        round(max(-1.0, kappa - z_crit * se), 12),
        round(min(1.0, kappa + z_crit * se), 12),
    )


def coincidence_matrix(ratings) -> tuple[list, np.ndarray]:
    r"""Krippendorff's coincidence matrix of the pairable values.

    Parameters
    ----------
    ratings : array_like, shape (coders, units)

    Returns
    -------
    categories : list
        The values that occur, sorted.
    matrix : ndarray, shape (values, values)
        :math:`o_{ck} = \sum_u \frac{n_{uc}(n_{uk} - [c = k])}{m_u - 1}` over units with
        :math:`m_u \ge 2` values; its total is the number of pairable values :math:`n`.

    Notes
    -----
    Each unit with :math:`m_u` values contributes :math:`m_u(m_u-1)` ordered pairs of values
    from different coders, weighted by :math:`1/(m_u-1)` so that every pairable value counts
    once. Units with fewer than two values are left out.

    Examples
    --------
    >>> categories, matrix = coincidence_matrix([[1, 1, 2], [1, 2, 2]])
    >>> categories, matrix.tolist()
    ([1, 2], [[2.0, 1.0], [1.0, 2.0]])

    References
    ----------
    Krippendorff, K. (2011). *Computing Krippendorff's Alpha-Reliability*, sections A-C.
    Annenberg School for Communication, University of Pennsylvania.
    """
    codes, categories = _encode(ratings)
    counts = _unit_counts(codes)
    return categories, _coincidences(counts)


def krippendorff_alpha(ratings, *, level: str = "nominal", engine: str = "krippendorff"):
    r"""Krippendorff's alpha for any number of coders, with missing values.

    Parameters
    ----------
    ratings : array_like, shape (coders, units)
        Codes or values; ``None``/``NaN``/``""`` where a coder did not code a unit. Levels
        other than nominal need numeric values.
    level : {"nominal", "ordinal", "interval", "ratio"}
    engine : {"krippendorff", "coincidence"}
        ``"krippendorff"`` (default) computes alpha with the ``krippendorff`` package
        (Castro 2017); ``"coincidence"`` with this module's own implementation of the
        coincidence-matrix formulas below, which the tests hold against the package and
        against Krippendorff's published examples.

    Returns
    -------
    KrippendorffAlpha

    Notes
    -----
    From the coincidence matrix :math:`o_{ck}` (see :func:`coincidence_matrix`), its
    margins :math:`n_c` and total :math:`n` (Krippendorff 2011):

    .. math::

        \alpha = 1 - \frac{D_o}{D_e}
               = 1 - (n-1)\frac{\sum_{c,k} o_{ck}\,\delta^2_{ck}}
                                 {\sum_{c,k} n_c n_k\,\delta^2_{ck}}

    with :math:`\delta^2_{ck}` = 1 if :math:`c \ne k` (nominal);
    :math:`\left(\sum_{g=c}^{k} n_g - \frac{n_c+n_k}{2}\right)^2` (ordinal);
    :math:`(c-k)^2` (interval); :math:`\left(\frac{c-k}{c+k}\right)^2` (ratio).
    The ratio level refuses negative values (``ValueError``): its distance is defined on
    an absolute zero, and -1 against 1 would otherwise count as the widest disagreement
    divided by zero.
    Units coded by fewer than two coders carry no information about agreement and are
    left out.

    Examples
    --------
    Krippendorff (2011), section C: four observers, twelve units, missing values.

    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    ...         [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]]
    >>> round(krippendorff_alpha(data).alpha, 3)
    0.743

    References
    ----------
    Krippendorff, K. (2011). *Computing Krippendorff's Alpha-Reliability*. Annenberg School
    for Communication, University of Pennsylvania. https://repository.upenn.edu/asc_papers/43

    Hayes, A. F. & Krippendorff, K. (2007). Answering the call for a standard reliability
    measure for coding data. *Communication Methods and Measures*, 1, 77–89.

    Castro, S. (2017). Fast Krippendorff: fast computation of Krippendorff's alpha agreement
    measure. https://github.com/pln-fing-udelar/fast-krippendorff
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}; got {level!r}.")
    if engine not in ("krippendorff", "coincidence"):
        raise ValueError(f"engine must be 'krippendorff' or 'coincidence'; got {engine!r}.")
    codes, categories = _encode(ratings)
    if level != "nominal" and not all(isinstance(c, int | float) for c in categories):
        raise ValueError(f"The {level} level needs numeric values; got {categories[:5]}.")
    if level == "ratio" and categories and min(categories) < 0:
        raise ValueError(
            f"The ratio level needs values of 0 or more (counts, durations); got "
            f"{min(categories)}. Ratio distances compare values to their sum, which means "
            "nothing when a value is negative; use the interval level for values that can "
            "be negative."
        )
    counts = _unit_counts(codes)
    m = counts.sum(axis=1)
    pairable = m >= 2
    n_units = int(pairable.sum())
    n_values = int(m[pairable].sum())
    warnings = _pairable_warnings(codes.shape[1], n_units)
    used_categories = int((counts[pairable].sum(axis=0) > 0).sum())
    nan = float("nan")
    if n_units == 0 or used_categories < 2:
        if n_units:
            warnings.append(
                "Every pairable value is the same, so there is no variation to agree on and "
                "alpha is undefined."
            )
        alpha = nan
    elif engine == "krippendorff":
        alpha = _alpha_from_package(codes, categories, level)
    else:
        alpha = _alpha_from_coincidences(counts, categories, level)
    warnings.extend(_alpha_interpretation(alpha))
    return KrippendorffAlpha(
        alpha=alpha,
        level=level,
        n_units=n_units,
        n_coders=codes.shape[0],
        n_values=n_values,
        method=(
            f"Krippendorff's alpha, {level} level, over {plural(n_units, 'unit')} coded by at "
            f"least two of {codes.shape[0]} coders ({plural(n_values, 'pairable value')}); "
            + (
                "computed with the krippendorff package."
                if engine == "krippendorff"
                else "computed from the coincidence matrix (Krippendorff 2011)."
            )
        ),
        warnings=warnings,
    )


def code_agreement(
    presence, *, codes=None, drop_uncoded_units: bool = False, confidence: float = 0.95
) -> list[CodeAgreement]:
    """Agreement per qualitative code, and pooled over all codes, over all the units.

    Parameters
    ----------
    presence : array_like, shape (coders, units, codes)
        1 where a coder applied the code to the unit (a character, a sentence, a speaker
        turn), 0 where not, NaN where the coder did not code that unit's document at all.
    codes : sequence of str, optional
        Code names; default ``"code 1"``, ``"code 2"``...
    drop_uncoded_units : bool, default False
        By default every unit of the compared documents counts, as NVivo's coding
        comparison counts every character of a source: a unit both coders left without
        the code is agreement that the code does not apply there. ``True`` leaves out the
        units to which no coder applied any code, a stated option for readers who want
        agreement on the coded stretches only; it is said in each row's method. Beware
        that for a single code it makes kappa 0 or less by construction (no unit is left
        where both coders say "no"), so it is never the default.
    confidence : float, default 0.95
        Level of the kappa interval.

    Returns
    -------
    list of CodeAgreement
        One per code, then one named ``"all codes (pooled)"`` computed over every
        (unit, code) decision.

    Notes
    -----
    Per code, the unit-by-coder 0/1 decisions go to :func:`percent_agreement`,
    :func:`cohens_kappa` (two coders only; expected agreement from both margins over all
    units, NVivo's EF1 + EF2) and :func:`krippendorff_alpha` (nominal).

    Examples
    --------
    NVivo's example: 1000 characters, 50 coded by both, 150 by one coder only, 800 by
    neither gives (800 + 50) / 1000 = 85% agreement.

    >>> import numpy as np
    >>> presence = np.zeros((2, 1000, 1))
    >>> presence[:, :50, 0] = 1
    >>> presence[0, 50:200, 0] = 1
    >>> code_agreement(presence, codes=["support"])[0].percent_agreement
    0.85

    References
    ----------
    QSR International. *NVivo 10 Help: Run a Coding Comparison query* ("How is the
    percentage agreement calculated?", "How is the Kappa coefficient calculated?").
    http://help-nv10.qsrinternational.com/desktop/procedures/run_a_coding_comparison_query.htm

    Krippendorff, K. (2019). *Content Analysis: An Introduction to Its Methodology*, 4th
    ed., chapter 12 (reliability of coding given units). Sage.
    """
    check_confidence(confidence)
    array = np.asarray(presence, dtype=float)
    if array.ndim != 3:
        raise ValueError(
            f"presence must have three dimensions (coders, units, codes); got shape {array.shape}."
        )
    n_coders, n_units, n_codes = array.shape
    names = (
        [str(c) for c in codes] if codes is not None else [f"code {i + 1}" for i in range(n_codes)]
    )
    if len(names) != n_codes:
        raise ValueError(f"Got {len(names)} code names for {n_codes} codes.")
    present = np.nan_to_num(array, nan=0.0) > 0
    coded = present.any(axis=(0, 2))
    n_uncoded = int(n_units - coded.sum())
    kept = coded if drop_uncoded_units else np.ones(n_units, dtype=bool)
    n_dropped = int(n_units - kept.sum())
    if n_dropped:
        unit_note = (
            f" As chosen, {plural(n_dropped, 'unit')} that no coder coded "
            f"{verb(n_dropped, 'was', 'were')} left out; agreement is on the coded "
            "stretches only."
        )
    elif n_uncoded:
        unit_note = (
            f" All units count, including {plural(n_uncoded, 'unit')} no coder coded "
            "(agreement that no code applies there), as NVivo counts them."
        )
    else:
        unit_note = ""
    results = []
    subsets = [(names[j], array[:, kept, j]) for j in range(n_codes)]
    subsets.append(("all codes (pooled)", array[:, kept, :].reshape(n_coders, -1)))
    for name, decisions in subsets:
        agreement = percent_agreement(decisions)
        alpha = krippendorff_alpha(decisions, level="nominal")
        kappa = kappa_low = kappa_high = None
        warnings = list(agreement.warnings)
        if n_coders == 2:
            kappa_result = cohens_kappa(decisions[0], decisions[1], confidence=confidence)
            kappa = kappa_result.kappa
            kappa_low, kappa_high = kappa_result.ci_low, kappa_result.ci_high
            warnings += [w for w in kappa_result.warnings if w not in warnings]
        warnings += [w for w in alpha.warnings if w not in warnings]
        results.append(
            CodeAgreement(
                code=name,
                n_units=agreement.n_units,
                n_uncoded_units_dropped=n_dropped,
                percent_agreement=agreement.proportion,
                kappa=kappa,
                alpha=alpha.alpha,
                method=(
                    f"Whether '{name}' applies, decided per unit by {n_coders} coders: "
                    "percent agreement, "
                    + (
                        f"Cohen's kappa with a {fmt(confidence * 100, 0)}% interval "
                        f"({KAPPA_INTERVAL_METHOD}), "
                        if n_coders == 2
                        else ""
                    )
                    + "and nominal Krippendorff's alpha."
                    + unit_note
                ),
                warnings=warnings,
                kappa_ci_low=kappa_low,
                kappa_ci_high=kappa_high,
                n_uncoded_units=n_uncoded,
            )
        )
    return results


def _encode(ratings) -> tuple[np.ndarray, list]:
    """Codes as integers 0..V-1 (-1 = missing) in a (coders, units) array, plus the values."""
    try:
        numeric = np.asarray(ratings, dtype=float)
    except (TypeError, ValueError):
        numeric = None
    if numeric is not None:
        if numeric.ndim != 2:
            raise ValueError(
                "ratings must be a table with one row per coder and one column per unit; "
                f"got shape {numeric.shape}."
            )
        present = ~np.isnan(numeric)
        values = np.unique(numeric[present])
        codes = np.full(numeric.shape, -1, dtype=np.int64)
        codes[present] = np.searchsorted(values, numeric[present])
        return codes, [int(v) if float(v).is_integer() else float(v) for v in values]
    objects = np.asarray(ratings, dtype=object)
    if objects.ndim != 2:
        raise ValueError(
            "ratings must be a table with one row per coder and one column per unit; "
            f"got shape {objects.shape}."
        )
    flat = objects.ravel()
    missing = np.array([_is_missing(v) for v in flat])
    labels = sorted({v for v, gone in zip(flat, missing, strict=True) if not gone}, key=str)
    index = {label: i for i, label in enumerate(labels)}
    codes = np.array([-1 if gone else index[v] for v, gone in zip(flat, missing, strict=True)])
    return codes.reshape(objects.shape), labels


def _is_missing(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return math.isnan(value)
    except TypeError:
        return False


def _unit_counts(codes: np.ndarray) -> np.ndarray:
    """counts[u, c]: how many coders gave value c to unit u."""
    n_coders, n_units = codes.shape
    n_values = int(codes.max()) + 1 if (codes >= 0).any() else 0
    present = codes >= 0
    units = np.broadcast_to(np.arange(n_units), codes.shape)[present]
    flat = np.bincount(units * n_values + codes[present], minlength=n_units * n_values)
    return flat.reshape(n_units, n_values).astype(float)


def _coincidences(counts: np.ndarray) -> np.ndarray:
    m = counts.sum(axis=1)
    pairable = m >= 2
    counts = counts[pairable]
    weights = 1.0 / (m[pairable] - 1)
    weighted = counts * weights[:, None]
    return weighted.T @ counts - np.diag(weighted.sum(axis=0))


def _alpha_from_coincidences(counts: np.ndarray, categories: list, level: str) -> float:
    coincidences = _coincidences(counts)
    margins = coincidences.sum(axis=1)
    n = margins.sum()
    delta = _distances(np.asarray(categories, dtype=float), margins, level)
    observed = (coincidences * delta).sum()
    expected = (np.outer(margins, margins) * delta).sum()
    return float(1 - (n - 1) * observed / expected)


def _distances(values: np.ndarray, margins: np.ndarray, level: str) -> np.ndarray:
    c, k = np.meshgrid(values, values, indexing="ij")
    if level == "nominal":
        return (c != k).astype(float)
    if level == "interval":
        return (c - k) ** 2
    if level == "ratio":
        total = c + k
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total == 0, 0.0, ((c - k) / total) ** 2)
    # Ordinal: values are sorted, so positions stand for ranks.
    cumulative = np.concatenate([[0.0], np.cumsum(margins)])
    i, j = np.meshgrid(np.arange(values.size), np.arange(values.size), indexing="ij")
    low, high = np.minimum(i, j), np.maximum(i, j)
    between = cumulative[high + 1] - cumulative[low]
    return (between - (margins[i] + margins[j]) / 2) ** 2


def _alpha_from_package(codes: np.ndarray, categories: list, level: str) -> float:
    if level == "nominal":
        data = np.where(codes >= 0, codes, np.nan).astype(float)
        domain = np.arange(len(categories), dtype=float)
    else:
        values = np.asarray(categories, dtype=float)
        data = np.where(codes >= 0, values[np.clip(codes, 0, None)], np.nan)
        domain = values
    return float(
        krippendorff.alpha(
            reliability_data=data,
            value_domain=domain,
            level_of_measurement=cast(Literal["nominal", "ordinal", "interval", "ratio"], level),
        )
    )


def _pairable_warnings(n_units_total: int, n_pairable: int) -> list[str]:
    warnings = []
    left_out = n_units_total - n_pairable
    if left_out:
        warnings.append(
            f"{plural(left_out, 'unit')} coded by fewer than two coders "
            f"{'does' if left_out == 1 else 'do'} not count toward agreement."
        )
    if n_pairable == 0:
        warnings.append("No unit was coded by two or more coders, so agreement is undefined.")
    return warnings


def _alpha_interpretation(alpha: float) -> list[str]:
    if math.isnan(alpha):
        return []
    if alpha < 0.667:
        return [
            f"Alpha is {fmt(alpha)}, below 0.667, the lowest value Krippendorff (2004) accepts "
            "even for tentative conclusions; refine the codebook and recode."
        ]
    if alpha < 0.8:
        return [
            f"Alpha is {fmt(alpha)}: Krippendorff (2004) accepts values between 0.667 and "
            "0.800 only for tentative conclusions."
        ]
    return []
