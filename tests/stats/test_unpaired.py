"""Two independent groups (unlinked waves), checked against published worked examples."""

import itertools

import numpy as np
import pytest
import scipy.stats

from medmentor.stats import mann_whitney_u, rank_biserial_independent
from tests.stats.published_data import (
    PERMEABILITY_AT_TERM,
    PERMEABILITY_EARLY,
    SLEEP_DRUG1,
    SLEEP_DRUG2,
)


def brute_force_rank_sum_p(x, y, alternative="two-sided"):
    """Exact p-value by listing every split of the pooled mid-ranks into two groups."""
    combined = np.concatenate([x, y])
    ranks = scipy.stats.rankdata(combined)
    observed = ranks[: len(x)].sum()
    sums = np.array(
        [ranks[list(c)].sum() for c in itertools.combinations(range(len(ranks)), len(x))]
    )
    upper = np.mean(sums >= observed - 1e-9)
    lower = np.mean(sums <= observed + 1e-9)
    if alternative == "greater":
        return upper
    if alternative == "less":
        return lower
    return min(1.0, 2 * min(upper, lower))


def test_exact_mann_whitney_matches_r_on_hollander_wolfe_permeability():
    # R, ?wilcox.test (Hollander & Wolfe 1973, p. 69f): wilcox.test(x, y, alternative = "g")
    # prints W = 35, p-value = 0.1272 (exact, no ties).
    result = mann_whitney_u(PERMEABILITY_AT_TERM, PERMEABILITY_EARLY, alternative="greater")
    assert result.u == 35
    assert result.u_other == 15
    assert result.p_value == pytest.approx(0.1272, abs=5e-5)
    assert "exact p-value from all 3003" in result.method


def test_mann_whitney_with_ties_matches_r_normal_approximation_on_sleep_groups():
    # R: wilcox.test(extra ~ group, data = sleep) prints "Wilcoxon rank sum test with
    # continuity correction", W = 25.5, p-value = 0.06933.
    result = mann_whitney_u(SLEEP_DRUG1, SLEEP_DRUG2, method="approx")
    assert result.u == 25.5
    assert result.has_ties
    assert result.p_value == pytest.approx(0.06933, abs=5e-6)
    assert "with continuity correction and tie-corrected variance" in result.method


def test_exact_mann_whitney_with_ties_equals_enumeration_of_every_split():
    # No publication prints the exact conditional p-value with ties; the independent route
    # lists all C(12, 5) = 792 splits of the mid-ranks.
    x = [1, 2, 2, 3, 3]
    y = [2, 3, 3, 4, 4, 5, 5]
    for alternative in ("two-sided", "greater", "less"):
        result = mann_whitney_u(x, y, alternative=alternative)
        expected = brute_force_rank_sum_p(x, y, alternative)
        assert result.p_value == pytest.approx(expected, abs=1e-12)
    assert "mid-ranks" in result.method


@pytest.mark.parametrize(("n1", "n2"), [(3, 4), (8, 10), (20, 25)])
def test_exact_mann_whitney_without_ties_equals_scipy_exact_distribution(n1, n2):
    rng = np.random.default_rng(n1 * 100 + n2)
    x, y = rng.normal(size=n1), rng.normal(0.5, 1, size=n2)
    ours = mann_whitney_u(x, y, method="exact")
    theirs = scipy.stats.mannwhitneyu(x, y, method="exact")
    assert ours.u == theirs.statistic
    assert ours.p_value == pytest.approx(theirs.pvalue, rel=1e-10)


def test_rank_biserial_and_interval_match_r_effectsize_on_sleep_groups():
    # effectsize::rank_biserial(sleep group 1, group 2) prints r = -0.49, 95% CI
    # [-0.78, -0.02] (as quoted in an R tutorial of the effectsize output).
    result = rank_biserial_independent(SLEEP_DRUG1, SLEEP_DRUG2)
    assert result.estimate == pytest.approx(2 * 25.5 / 100 - 1)
    assert round(result.ci_low, 2) == -0.78
    assert round(result.ci_high, 2) == -0.02


def test_three_against_three_cannot_reach_significance_and_the_warning_says_so():
    result = mann_whitney_u([1, 2, 3], [4, 5, 6])
    assert result.p_value == pytest.approx(0.1)
    assert any("cannot reach p < 0.05" in w for w in result.warnings)


def test_missing_values_are_dropped_and_an_empty_group_is_refused():
    result = mann_whitney_u([1, None, 3], [2, 4, float("nan")])
    assert (result.n1, result.n2) == (2, 2)
    with pytest.raises(ValueError, match="Each group needs at least one value"):
        mann_whitney_u([None], [1, 2])
