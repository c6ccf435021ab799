"""Agreement between coders, checked against published worked examples and, for
Krippendorff's alpha, between the krippendorff package and our own coincidence-matrix
implementation."""

import numpy as np
import pytest

from medmentor.stats import (
    code_agreement,
    cohens_kappa,
    cohens_kappa_from_table,
    coincidence_matrix,
    krippendorff_alpha,
    percent_agreement,
)
from tests.stats.published_data import (
    KRIPPENDORFF_B,
    KRIPPENDORFF_C,
    KRIPPENDORFF_THREE_CODERS,
)

ENGINES = ["krippendorff", "coincidence"]

# --- Cohen's kappa --------------------------------------------------------------------


def test_kappa_matches_the_textbook_grant_proposal_example():
    # Wikipedia "Cohen's kappa", worked example (50 grant proposals, two readers):
    # yes/yes 20, yes/no 5, no/yes 10, no/no 15 -> p_o = 0.70, p_e = 0.50, kappa = 0.40.
    result = cohens_kappa_from_table([[20, 5], [10, 15]])
    assert result.observed_agreement == pytest.approx(0.70)
    assert result.expected_agreement == pytest.approx(0.50)
    assert result.kappa == pytest.approx(0.40)


def test_kappa_standard_errors_match_a_sas_proc_freq_printout():
    # SAS PROC FREQ (AGREE) printout for the table below, reproduced in statsmodels'
    # test suite (statsmodels/stats/tests/test_inter_rater.py, TestUnweightedCohens):
    # Kappa 0.4842, ASE 0.1380, 95% limits 0.2137-0.7547; ASE under H0 0.1484,
    # Z 3.2626, two-sided Pr > |Z| 0.0011.
    result = cohens_kappa_from_table([[0, 4, 1], [0, 8, 0], [0, 1, 5]])
    assert result.kappa == pytest.approx(0.4842, abs=5e-5)
    assert result.se == pytest.approx(0.1380, abs=5e-5)
    assert result.ci_low == pytest.approx(0.2137, abs=5e-5)
    assert result.ci_high == pytest.approx(0.7547, abs=5e-5)
    assert result.se_null == pytest.approx(0.1484, abs=5e-5)
    assert result.z == pytest.approx(3.2626, abs=5e-5)
    assert result.p_value == pytest.approx(0.0011, abs=5e-5)


def test_kappa_standard_error_matches_bonetts_statpsych_example():
    # statpsych (Bonett), ?ci.kappa: ci.kappa(.05, 31, 12, 4, 58) "should return"
    # Cohen kappa 0.676, SE 0.0734, LL 0.532, UL 0.820 (f00, f01, f10, f11).
    result = cohens_kappa_from_table([[31, 12], [4, 58]])
    assert round(result.kappa, 3) == 0.676
    assert round(result.se, 4) == 0.0734
    assert (round(result.ci_low, 3), round(result.ci_high, 3)) == (0.532, 0.820)


def test_kappa_counts_a_category_only_one_coder_used_as_disagreement():
    # Building the table over the union of categories: coder B's "other" must not vanish.
    a = ["support", "support", "conflict", "conflict", "support"]
    b = ["support", "other", "conflict", "conflict", "support"]
    result = cohens_kappa(a, b)
    assert result.categories == ["conflict", "other", "support"]
    assert result.table.sum() == 5
    assert result.observed_agreement == pytest.approx(0.8)
    # p_e = 0.4*0.4 + 0*0.2 + 0.6*0.4 = 0.40; kappa = (0.8 - 0.4)/(1 - 0.4)
    assert result.kappa == pytest.approx(2 / 3)


def test_kappa_leaves_out_units_only_one_coder_coded_and_says_so():
    result = cohens_kappa(["a", "b", None, "a"], ["a", "b", "b", ""])
    assert result.n_units == 2
    assert result.warnings[0] == "2 units coded by only one of the two coders were left out."


def test_kappa_is_undefined_when_both_coders_used_one_category():
    result = cohens_kappa(["a", "a", "a"], ["a", "a", "a"])
    assert np.isnan(result.kappa)
    assert any("undefined" in w for w in result.warnings)


def test_high_agreement_on_a_rare_code_warns_about_the_kappa_paradox():
    a = [0] * 90 + [1] * 5 + [0] * 5
    b = [0] * 90 + [0] * 5 + [1] * 5
    result = cohens_kappa(a, b)
    assert result.observed_agreement == pytest.approx(0.9)
    assert any("report percent agreement beside kappa" in w for w in result.warnings)


# --- Krippendorff's alpha --------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_alpha_matches_krippendorff_2011_nominal_example_with_missing_data(engine):
    # Krippendorff (2011), Computing Krippendorff's Alpha-Reliability, section C:
    # nominal alpha = 0.743 for four observers, twelve units, missing values.
    result = krippendorff_alpha(KRIPPENDORFF_C, level="nominal", engine=engine)
    assert round(result.alpha, 3) == 0.743
    assert (result.n_units, result.n_coders, result.n_values) == (11, 4, 40)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("level", "expected"), [("ordinal", 0.815), ("ratio", 0.797)])
def test_alpha_matches_published_values_for_other_levels(engine, level, expected):
    # Same data; ordinal 0.815 is printed in Krippendorff (2011) (section D); ordinal
    # 0.815 and ratio 0.797 are the values asserted in the fast-krippendorff test suite
    # (tests/test_krippendorff.py) for these data.
    result = krippendorff_alpha(KRIPPENDORFF_C, level=level, engine=engine)
    assert round(result.alpha, 3) == expected


@pytest.mark.parametrize("engine", ENGINES)
def test_alpha_matches_krippendorff_2011_binary_two_observer_example(engine):
    # Krippendorff (2011), section B: binary data, two observers, ten units: alpha = 0.095.
    assert round(krippendorff_alpha(KRIPPENDORFF_B, engine=engine).alpha, 3) == 0.095


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("level", "expected"), [("nominal", 0.691358), ("interval", 0.810845)])
def test_alpha_matches_the_three_coder_computational_example(engine, level, expected):
    # Wikipedia "Krippendorff's alpha", computational example, and the krippendorff
    # package's README/tests: nominal 0.691 (0.691358), interval 0.811 (0.810845).
    result = krippendorff_alpha(KRIPPENDORFF_THREE_CODERS, level=level, engine=engine)
    assert result.alpha == pytest.approx(expected, abs=5e-7)


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
@pytest.mark.parametrize("seed", [0, 1])
def test_our_coincidence_implementation_agrees_with_the_krippendorff_package(level, seed):
    rng = np.random.default_rng(seed)
    truth = rng.integers(1, 6, size=80)
    ratings = np.where(rng.random((5, 80)) < 0.7, truth, rng.integers(1, 6, size=(5, 80)))
    ratings = np.where(rng.random((5, 80)) < 0.15, np.nan, ratings.astype(float))
    package = krippendorff_alpha(ratings, level=level, engine="krippendorff").alpha
    ours = krippendorff_alpha(ratings, level=level, engine="coincidence").alpha
    assert ours == pytest.approx(package, abs=1e-10)


def test_coincidence_matrix_totals_the_pairable_values_of_krippendorff_2011():
    # Krippendorff (2011), section C: the coincidence matrix sums to n = 40 pairable values
    # (unit 12, coded once, drops out).
    categories, matrix = coincidence_matrix(KRIPPENDORFF_C)
    assert categories == [1, 2, 3, 4, 5]
    assert matrix.sum() == pytest.approx(40)
    assert np.allclose(matrix, matrix.T)


def test_alpha_takes_code_names_and_reads_krippendorffs_thresholds_aloud():
    ratings = [
        ["praise", "concern", "praise", "idea", None],
        ["praise", "concern", "idea", "idea", "praise"],
        ["praise", "praise", "praise", "idea", "praise"],
    ]
    result = krippendorff_alpha(ratings)
    assert 0 < result.alpha < 0.667
    assert any("below 0.667" in w for w in result.warnings)


def test_alpha_needs_numbers_for_interval_level():
    with pytest.raises(ValueError, match="interval level needs numeric values"):
        krippendorff_alpha([["a", "b"], ["a", "b"]], level="interval")


# --- percent agreement and agreement per qualitative code ------------------------------


def test_percent_agreement_averages_agreeing_pairs_over_units():
    # Unit 1: 3 coders agree (6/6 ordered pairs); unit 2: two of three agree (2/6).
    result = percent_agreement([[1, 1], [1, 2], [1, 2]])
    assert result.proportion == pytest.approx((1 + 2 / 6) / 2)


def test_text_nobody_coded_counts_by_default_and_is_left_out_only_when_asked():
    # Two coders, ten units; the coders disagree on both coded units and the other eight
    # units nobody coded: agreement that neither code applies there.
    presence = np.zeros((2, 10, 2))
    presence[0, 0, 0] = 1
    presence[1, 1, 0] = 1
    presence[0, 1, 1] = 1
    presence[1, 0, 1] = 1
    every_unit = code_agreement(presence, codes=["support", "power gradient"])
    coded_only = code_agreement(presence, drop_uncoded_units=True)
    assert every_unit[0].percent_agreement == pytest.approx(0.8)
    assert every_unit[0].n_uncoded_units == 8
    assert every_unit[0].n_uncoded_units_dropped == 0
    assert "All units count, including 8 units no coder coded" in every_unit[0].method
    assert [row.percent_agreement for row in coded_only[:2]] == [0.0, 0.0]
    assert coded_only[0].n_uncoded_units_dropped == 8
    assert "As chosen, 8 units that no coder coded were left out" in coded_only[0].method
    assert every_unit[-1].code == "all codes (pooled)"


def _characters(n: int, coded_a: range, coded_b: range) -> np.ndarray:
    presence = np.zeros((2, n, 1))
    presence[0, list(coded_a), 0] = 1
    presence[1, list(coded_b), 0] = 1
    return presence


def test_nvivo_percentage_agreement_example_counts_every_character():
    """NVivo 10 Help, "Run a Coding Comparison query", section "How is the percentage
    agreement calculated?" (QSR International,
    http://help-nv10.qsrinternational.com/desktop/procedures/run_a_coding_comparison_query.htm):
    a source of 1000 characters, 50 coded by both users, 150 by only one, 800 by neither
    gives (800 + 50) / 1000 = 85%."""
    presence = _characters(1000, range(0, 200), range(0, 50))
    row = code_agreement(presence, codes=["node"])[0]
    assert row.percent_agreement == pytest.approx(0.85)
    assert row.n_units == 1000


def test_published_character_level_example_gives_kappa_0_1667_and_60_percent():
    """The character-level example quoted in issue 13 (kappa 0.1667 with 60% agreement),
    computed the way NVivo 10 Help, "How is the Kappa coefficient calculated?" does it
    (http://help-nv10.qsrinternational.com/desktop/procedures/run_a_coding_comparison_query.htm):
    EF1 = coded by A x coded by B / total units, EF2 = not coded by A x not coded by B /
    total units, K = (agreeing units - (EF1 + EF2)) / (total units - (EF1 + EF2)).
    The only 10-character source with that result: each user codes 4 characters, 2 of
    them the same: agreement (2 + 4) / 10 = 60%, EF = 1.6 + 3.6 = 5.2,
    K = (6 - 5.2) / (10 - 5.2) = 0.1667. Leaving out the characters nobody coded (the
    old behaviour) gave 33% and kappa -0.500."""
    presence = _characters(10, range(0, 4), range(2, 6))
    row = code_agreement(presence, codes=["node"])[0]
    assert row.percent_agreement == pytest.approx(0.6)
    assert round(row.kappa, 4) == 0.1667
    dropped = code_agreement(presence, codes=["node"], drop_uncoded_units=True)[0]
    assert round(dropped.percent_agreement, 2) == 0.33
    assert dropped.kappa == pytest.approx(-0.5)


def test_39_of_40_characters_agreeing_gives_a_high_kappa_not_zero():
    """Issue 13: 39 of 40 characters agreeing gave kappa 0 when only coded characters
    counted. Over all 40 (NVivo 10 Help, "How is the Kappa coefficient calculated?"):
    A codes 10, B the same 10 and one more: EF = 10*11/40 + 30*29/40 = 24.5,
    K = (39 - 24.5) / (40 - 24.5) = 0.9355."""
    presence = _characters(40, range(0, 10), range(0, 11))
    row = code_agreement(presence, codes=["node"])[0]
    assert row.percent_agreement == pytest.approx(39 / 40)
    assert row.kappa == pytest.approx(14.5 / 15.5)
    assert -1 <= row.kappa_ci_low < row.kappa < row.kappa_ci_high <= 1


def test_kappa_interval_never_leaves_minus_one_to_one_and_names_the_method():
    # 10 units, 9 agreeing: the Wald interval would run above 1.
    result = cohens_kappa([1] * 5 + [0] * 5, [1] * 4 + [0] * 6)
    assert result.kappa + 1.96 * result.se > 1
    assert result.ci_high == 1.0
    assert result.ci_low >= -1
    assert "truncated to kappa's possible range of -1 to 1" in result.method
    assert "to 1)" in " ".join(result.warnings)


def test_perfect_agreement_has_no_one_to_one_interval_but_says_why():
    result = cohens_kappa([1, 0, 1, 0, 1, 1], [1, 0, 1, 0, 1, 1])
    assert result.kappa == 1.0
    assert np.isnan(result.ci_low) and np.isnan(result.ci_high)
    assert any("no interval is reported" in w for w in result.warnings)


def test_ratio_alpha_refuses_negative_values_in_words():
    with pytest.raises(ValueError, match="ratio level needs values of 0 or more"):
        krippendorff_alpha([[-1, 2, 3], [1, 2, 3]], level="ratio")
    # The interval level accepts them.
    assert krippendorff_alpha([[-1, 2, 3], [-1, 2, 3]], level="interval").alpha == 1.0
