"""Scale scoring and Cronbach's alpha."""

import numpy as np
import pytest

from medmentor.stats import cronbach_alpha, feldt_interval, reverse_items, scale_scores
from tests.stats.published_data import CRONBACH_WIDE_MISSING


def hoyt_alpha(items):
    """Alpha by Hoyt's (1941) two-way ANOVA route: 1 - MS_residual / MS_respondents.

    An algebraically independent computation (sums of squares in plain Python loops).
    """
    n, k = len(items), len(items[0])
    grand = sum(sum(row) for row in items) / (n * k)
    row_means = [sum(row) / k for row in items]
    col_means = [sum(row[j] for row in items) / n for j in range(k)]
    ss_rows = k * sum((m - grand) ** 2 for m in row_means)
    ss_cols = n * sum((m - grand) ** 2 for m in col_means)
    ss_total = sum((x - grand) ** 2 for row in items for x in row)
    ms_rows = ss_rows / (n - 1)
    ms_residual = (ss_total - ss_rows - ss_cols) / ((n - 1) * (k - 1))
    return 1 - ms_residual / ms_rows


def test_alpha_and_feldt_interval_match_pingouins_documented_example():
    # pingouin.cronbach_alpha docs (checked by its authors against R's psych::alpha):
    # data "cronbach_wide_missing", nan_policy="listwise" ->
    # (0.8016949152542373, array([0.533, 0.947])), the interval by Feldt's method with
    # n = the 9 complete respondents.
    result = cronbach_alpha(CRONBACH_WIDE_MISSING)
    assert result.alpha == pytest.approx(0.8016949152542373, abs=1e-12)
    assert (round(result.ci_low, 3), round(result.ci_high, 3)) == (0.533, 0.947)
    assert (result.n_respondents, result.n_excluded, result.n_items) == (9, 3, 11)
    assert result.warnings[0] == (
        "Alpha uses the 9 respondents who answered every item; 3 with missing items were left out."
    )


def test_feldt_interval_agrees_with_statpsych_to_three_decimals():
    # statpsych (Bonett), ?ci.cronbach: ci.cronbach(.05, .85, 7, 89) "should return"
    # LL 0.7971254, UL 0.8931436 (Feldt 1965). Our exact F quantiles give 0.79706 and
    # 0.89317; statpsych's computation differs in the fourth decimal, so compare at three.
    low, high = feldt_interval(0.85, n_items=7, n_respondents=89)
    assert round(low, 3) == round(0.7971254, 3)
    assert round(high, 3) == round(0.8931436, 3)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_alpha_equals_hoyts_anova_reliability(seed):
    rng = np.random.default_rng(seed)
    trait = rng.normal(size=(40, 1))
    items = np.clip(np.rint(3 + trait + rng.normal(size=(40, 6))), 1, 5)
    assert cronbach_alpha(items).alpha == pytest.approx(hoyt_alpha(items.tolist()), abs=1e-12)


def test_alpha_flags_items_that_need_reverse_scoring():
    items = [[1, 5], [2, 4], [3, 3], [4, 2], [5, 1], [2, 3]]
    result = cronbach_alpha(items)
    assert result.alpha < 0
    assert any("reverse-scored" in w for w in result.warnings)
    fixed = cronbach_alpha(reverse_items(items, columns=[1], item_min=1, item_max=5))
    assert fixed.alpha > 0.9


def test_seven_items_scored_zero_to_five_make_a_zero_to_thirty_five_scale():
    # Seed 002: "Likert scales ... on a scale from 0 to 35" (7 items scored 0-5, summed).
    result = scale_scores([[5] * 7, [0] * 7, [3] * 7], item_min=0, item_max=5)
    assert (result.score_min, result.score_max) == (0, 35)
    assert result.scores.tolist() == [35, 0, 21]
    assert "Sum of 7 items scored 0-5 (range 0-35)" in result.method


def test_missing_items_are_prorated_up_to_the_limit_and_unscored_beyond():
    items = [[4, 4, 4, 4], [4, None, 4, 4], [4, None, None, 4]]
    result = scale_scores(items, item_min=1, item_max=5, max_missing=1, name="approachability")
    assert result.scores[:2].tolist() == [16, 16]
    assert np.isnan(result.scores[2])
    assert (result.n_scored, result.n_unscored, result.n_prorated) == (2, 1, 1)
    assert result.warnings == [
        "1 respondent of 3 missed more than 1 of the 4 items of approachability and has no score.",
        "1 score of approachability was prorated from fewer than all 4 items.",
    ]


def test_mean_scoring_and_reverse_items_keep_the_item_range():
    result = scale_scores([[5, 1], [1, 5]], item_min=1, item_max=5, reverse=[1], scoring="mean")
    assert result.scores.tolist() == [5, 1]
    assert (result.score_min, result.score_max) == (1, 5)
    assert "1 reverse-scored" in result.method


def test_an_answer_outside_the_declared_range_is_refused_naming_row_item_and_value():
    with pytest.raises(
        ValueError, match=r"awareness: row 2, item 3 has the value 7, outside the declared "
        r"range 0-5\."
    ):  # fmt: skip
        scale_scores([[1, 2, 3], [1, 2, 7]], item_min=0, item_max=5, name="awareness")


def test_text_in_the_item_table_is_refused_naming_its_position():
    with pytest.raises(ValueError, match=r"items: value 'x' at position row 2, column 1"):
        scale_scores([[1, 2], ["x", 2]], item_min=0, item_max=5)
