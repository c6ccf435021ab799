"""Paired pre/post statistics checked against published worked examples.

Each expected value names the place it was printed. Where no publication gives a figure
(exact p-values with ties), the test computes it by an independent route (brute-force
enumeration of every sign pattern) and says so.
"""

import itertools

import numpy as np
import pytest
import scipy.stats

from medmentor.stats import (
    cohens_dz,
    paired_comparison,
    paired_t_test,
    rank_biserial_paired,
    wilcoxon_signed_rank,
)
from tests.stats.published_data import (
    DARWIN_DIFFERENCES,
    DEPRESSION_FIRST_VISIT,
    DEPRESSION_SECOND_VISIT,
    SLEEP_DRUG1,
    SLEEP_DRUG2,
)


def brute_force_signed_rank_p(differences, alternative="two-sided"):
    """Exact p-value by listing all 2^n sign patterns of the mid-ranks (zeros dropped)."""
    nonzero = np.array([d for d in differences if d != 0], dtype=float)
    ranks = scipy.stats.rankdata(np.abs(nonzero))
    observed = ranks[nonzero > 0].sum()
    sums = np.array(
        [sum(r for r, s in zip(ranks, signs, strict=True) if s) for signs in
         itertools.product([False, True], repeat=len(ranks))]
    )  # fmt: skip
    upper = np.mean(sums >= observed - 1e-9)
    lower = np.mean(sums <= observed + 1e-9)
    if alternative == "greater":
        return upper
    if alternative == "less":
        return lower
    return min(1.0, 2 * min(upper, lower))


# --- Wilcoxon signed-rank -------------------------------------------------------------


def test_exact_wilcoxon_matches_r_on_hollander_wolfe_depression_scores():
    # R, ?wilcox.test: wilcox.test(x, y, paired = TRUE, alternative = "greater")
    # gives V = 40, p-value = 0.01953 (= 10/512). Our differences are post - pre, so x - y
    # is post = x, pre = y.
    result = wilcoxon_signed_rank(
        DEPRESSION_SECOND_VISIT, DEPRESSION_FIRST_VISIT, alternative="greater"
    )
    assert result.statistic == 40
    assert result.t_minus == 5
    assert result.p_value == pytest.approx(10 / 512, abs=1e-15)
    assert result.z is None
    assert "exact p-value" in result.method and "no ties" in result.method


def test_exact_two_sided_wilcoxon_doubles_the_smaller_tail():
    # Hollander, Wolfe & Chicken Example 3.1 two-sided: 2 * 10/512 = 0.0390625 (R prints
    # 0.03906 for wilcox.test(x, y, paired = TRUE)).
    result = wilcoxon_signed_rank(DEPRESSION_SECOND_VISIT, DEPRESSION_FIRST_VISIT)
    assert result.p_value == pytest.approx(0.0390625, abs=1e-15)


def test_large_sample_wilcoxon_without_correction_matches_r():
    # R, ?wilcox.test: wilcox.test(y - x, alternative = "less", exact = FALSE,
    # correct = FALSE) gives V = 5, p-value = 0.01908 ("H&W large sample approximation").
    result = wilcoxon_signed_rank(
        DEPRESSION_FIRST_VISIT, DEPRESSION_SECOND_VISIT, alternative="less",
        method="approx", correction=False,
    )  # fmt: skip
    assert result.statistic == 5
    assert result.p_value == pytest.approx(0.01908, abs=5e-6)
    assert "normal approximation without continuity correction" in result.method


def test_exact_wilcoxon_matches_scipy_docs_on_darwins_maize():
    # scipy.stats.wilcoxon docs (Darwin's data via Fisher 1935): two-sided
    # statistic 24.0, p = 0.041259765625; alternative="greater": 96.0, p = 0.0206298828125.
    zeros = [0] * len(DARWIN_DIFFERENCES)
    two_sided = wilcoxon_signed_rank(zeros, DARWIN_DIFFERENCES)
    greater = wilcoxon_signed_rank(zeros, DARWIN_DIFFERENCES, alternative="greater")
    assert (two_sided.statistic, two_sided.t_minus) == (96, 24)
    assert two_sided.p_value == pytest.approx(0.041259765625, abs=1e-15)
    assert greater.p_value == pytest.approx(0.0206298828125, abs=1e-15)


def test_wilcoxon_with_ties_and_a_zero_matches_r_normal_approximation_on_sleep_data():
    # R: wilcox.test(extra[group == 1], extra[group == 2], paired = TRUE) warns "cannot
    # compute exact p-value with ties / zeroes" and prints V = 0, p-value = 0.009091
    # ("Wilcoxon signed rank test with continuity correction"). R's x - y is our post - pre.
    result = wilcoxon_signed_rank(SLEEP_DRUG2, SLEEP_DRUG1, method="approx")
    assert result.statistic == 0
    assert (result.n_pairs, result.n_zero, result.n_used) == (10, 1, 9)
    assert result.has_ties
    assert result.p_value == pytest.approx(0.009091, abs=5e-7)
    assert "with continuity correction and tie-corrected variance" in result.method
    assert "1 zero difference dropped before ranking (Wilcoxon's method)" in result.method
    assert any("dropped (Wilcoxon's method), leaving 9" in w for w in result.warnings)


def test_exact_wilcoxon_with_ties_equals_enumeration_of_every_sign_pattern():
    # No publication prints the exact conditional p-value for tied data; the independent
    # route is to list all 2^9 = 512 sign patterns of the mid-ranks.
    differences = np.subtract(SLEEP_DRUG1, SLEEP_DRUG2)
    for alternative in ("two-sided", "greater", "less"):
        result = wilcoxon_signed_rank(SLEEP_DRUG2, SLEEP_DRUG1, alternative=alternative)
        expected = brute_force_signed_rank_p(differences, alternative)
        assert result.p_value == pytest.approx(expected, abs=1e-12)
    assert "mid-ranks" in result.method


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_exact_wilcoxon_with_likert_ties_equals_enumeration(seed):
    rng = np.random.default_rng(seed)
    pre = rng.integers(1, 6, size=12)
    post = np.clip(pre + rng.integers(-2, 4, size=12), 1, 5)
    result = wilcoxon_signed_rank(pre, post)
    assert result.p_value == pytest.approx(brute_force_signed_rank_p(post - pre), abs=1e-12)


@pytest.mark.parametrize("n", [5, 11, 20, 40])
def test_exact_wilcoxon_without_ties_equals_scipy_exact_distribution(n):
    # scipy's exact signed-rank distribution is an independent implementation.
    rng = np.random.default_rng(n)
    differences = rng.permutation(np.arange(1, n + 1)) * rng.choice([-1, 1], size=n)
    ours = wilcoxon_signed_rank(np.zeros(n), differences)
    theirs = scipy.stats.wilcoxon(differences, method="exact")
    assert ours.p_value == pytest.approx(theirs.pvalue, rel=1e-10)


def test_pratt_zero_handling_matches_scipy_normal_approximation():
    rng = np.random.default_rng(7)
    pre = rng.integers(1, 6, size=60)
    post = np.clip(pre + rng.integers(-1, 3, size=60), 1, 5)
    ours = wilcoxon_signed_rank(pre, post, zero_method="pratt", method="approx")
    theirs = scipy.stats.wilcoxon(post - pre, zero_method="pratt", correction=True, method="approx")
    assert ours.p_value == pytest.approx(theirs.pvalue, rel=1e-9)
    assert "Pratt's method" in ours.method


def test_auto_method_switches_to_normal_approximation_above_fifty_pairs():
    rng = np.random.default_rng(0)
    pre = rng.normal(size=80)
    result = wilcoxon_signed_rank(pre, pre + rng.normal(0.3, 1, size=80))
    assert result.z is not None
    assert "normal approximation" in result.method


def test_six_pairs_all_improving_give_the_smallest_exact_p_and_say_so():
    result = wilcoxon_signed_rank([1, 2, 3, 4, 5, 6], [2, 4, 6, 8, 10, 12])
    assert result.p_value == pytest.approx(2 / 64)
    assert (
        "With 6 pairs, the smallest possible two-sided exact Wilcoxon p-value is 0.031; "
        "a non-significant result says little." in result.warnings
    )


def test_five_pairs_cannot_reach_significance_and_the_warning_says_so():
    result = wilcoxon_signed_rank([1, 2, 3, 4, 5], [3, 5, 7, 9, 11])
    assert result.p_value == pytest.approx(0.0625)
    assert any("cannot reach p < 0.05 whatever the data show" in w for w in result.warnings)


def test_respondents_with_one_wave_are_left_out_of_the_pairs():
    result = wilcoxon_signed_rank([1, None, 3, 4], [2, 5, float("nan"), 6])
    assert result.n_pairs == 2


def test_no_change_at_all_gives_p_one_with_a_reason():
    result = wilcoxon_signed_rank([3, 4, 5], [3, 4, 5])
    assert result.p_value == 1.0
    assert any("No pair changed" in w for w in result.warnings)


def test_text_in_the_answers_is_refused_with_its_position():
    with pytest.raises(ValueError, match=r"post: value 'four' at position 2 is not a number"):
        wilcoxon_signed_rank([1, 2], [3, "four"])


def test_waves_of_different_length_are_refused():
    with pytest.raises(ValueError, match="got 3 pre values and 2 post values"):
        wilcoxon_signed_rank([1, 2, 3], [1, 2])


def test_unknown_options_are_refused_by_name():
    with pytest.raises(ValueError, match="zero_method"):
        wilcoxon_signed_rank([1, 2], [2, 3], zero_method="zsplit")
    with pytest.raises(ValueError, match="alternative"):
        wilcoxon_signed_rank([1, 2], [2, 3], alternative="bigger")


# --- paired t-test -------------------------------------------------------------------


def test_paired_t_test_matches_r_on_student_sleep_data():
    # R: t.test(extra ~ group, data = sleep, paired = TRUE): t = -4.0621, df = 9,
    # p-value = 0.002833, 95% CI -2.4598858 -0.7001142, mean difference -1.58 (group 1
    # minus group 2). Here post - pre = drug2 - drug1, so the signs flip.
    result = paired_t_test(SLEEP_DRUG1, SLEEP_DRUG2)
    assert result.t == pytest.approx(4.0621, abs=5e-5)
    assert result.df == 9
    assert result.p_value == pytest.approx(0.002833, abs=5e-7)
    assert result.mean_difference == pytest.approx(1.58)
    assert result.ci_low == pytest.approx(0.7001142, abs=5e-8)
    assert result.ci_high == pytest.approx(2.4598858, abs=5e-8)


def test_paired_t_test_with_identical_changes_is_undefined_not_an_error():
    result = paired_t_test([1, 2, 3], [2, 3, 4])
    assert np.isnan(result.t)
    assert any("exactly the same amount" in w for w in result.warnings)


# --- effect sizes --------------------------------------------------------------------


def test_cohens_dz_and_its_noncentral_t_interval_match_r_effectsize_on_sleep_data():
    # R effectsize docs, ?cohens_d: cohens_d(Pair(extra[group == 1], extra[group == 2]) ~ 1,
    # data = sleep) prints Cohen's d = -1.28, 95% CI [-2.12, -0.41].
    result = cohens_dz(SLEEP_DRUG2, SLEEP_DRUG1)
    assert round(result.estimate, 2) == -1.28
    assert round(result.ci_low, 2) == -2.12
    assert round(result.ci_high, 2) == -0.41
    assert "not d_av" in result.method and "noncentral t" in result.method


def test_cohens_dz_is_t_over_root_n():
    t_test = paired_t_test(SLEEP_DRUG1, SLEEP_DRUG2)
    assert cohens_dz(SLEEP_DRUG1, SLEEP_DRUG2).estimate == pytest.approx(t_test.t / np.sqrt(10))


def test_cohens_dz_interval_bounds_have_the_stated_tail_probabilities():
    # The defining property of the interval (Steiger & Fouladi 1997), checked directly.
    result = cohens_dz(SLEEP_DRUG1, SLEEP_DRUG2, confidence=0.9)
    t = result.estimate * np.sqrt(10)
    assert scipy.stats.nct.cdf(t, 9, result.ci_low * np.sqrt(10)) == pytest.approx(0.95)
    assert scipy.stats.nct.cdf(t, 9, result.ci_high * np.sqrt(10)) == pytest.approx(0.05)


def test_rank_biserial_and_fisher_z_interval_match_r_effectsize_on_depression_scores():
    # R effectsize docs, ?rank_biserial: rank_biserial(Pair(first, second) ~ 1,
    # data = depression) prints r = 0.78, 95% CI [0.30, 0.94].
    result = rank_biserial_paired(DEPRESSION_SECOND_VISIT, DEPRESSION_FIRST_VISIT)
    assert result.estimate == pytest.approx(35 / 45)
    assert round(result.ci_low, 2) == 0.30
    assert round(result.ci_high, 2) == 0.94
    assert "Fisher's z" in result.method


def test_rank_biserial_is_kerbys_simple_difference_on_darwins_maize():
    # Kerby (2014): r = (T+ - T-)/(T+ + T-); with scipy's published T+ = 96, T- = 24.
    result = rank_biserial_paired([0] * 15, DARWIN_DIFFERENCES)
    assert result.estimate == pytest.approx((96 - 24) / 120)


def test_rank_biserial_of_one_when_everyone_improved_has_no_fisher_interval():
    result = rank_biserial_paired([1, 2, 3, 4], [2, 4, 6, 8])
    assert result.estimate == 1.0
    assert np.isnan(result.ci_low) and np.isnan(result.ci_high)
    assert any("does not exist" in w for w in result.warnings)


# --- the report row --------------------------------------------------------------------


def test_synthetic_seed_002_style_table_row_reports_medians_tests_and_warnings():
    # SYNTHETIC data in the style of seed 002 ("juniors more confident in feeding back to
    # seniors, 21 vs 31, p = 0.008"): six juniors, a 0-35 scale, everyone improved.
    pre = [21, 20, 23, 19, 22, 21]
    post = [31, 30, 29, 28, 33, 31]
    row = paired_comparison(pre, post, name="confidence giving feedback")
    assert (row.n_pairs, row.pre.median, row.post.median) == (6, 21.0, 30.5)
    assert row.wilcoxon.p_value == pytest.approx(0.03125)
    assert row.rank_biserial.estimate == 1.0
    assert row.cohens_dz.estimate > 0
    # With six pairs an exact Wilcoxon test cannot give the seed's p = 0.008: its floor is
    # 2/64, and the warning tells the reader.
    assert row.wilcoxon.p_value > 0.008
    assert row.warnings[0].startswith("With 6 pairs, the smallest possible two-sided exact")
    assert "exact p-value" in row.method and "Paired t-test" in row.method


def test_report_row_counts_respondents_missing_a_wave():
    row = paired_comparison([20, 21, None, 23], [25, 27, 30, None], name="awareness")
    assert (row.n_pairs, row.n_incomplete) == (2, 2)
    assert row.warnings[0] == (
        "2 respondents answered only one wave of awareness and were left out of the "
        "paired comparison."
    )
