"""Descriptive statistics per item and scale."""

import statistics

import numpy as np
import pytest

from medmentor.stats import describe
from tests.stats.published_data import SLEEP_DRUG1, SLEEP_DRUG2


def test_summary_matches_r_summary_of_the_sleep_data():
    # R: summary(sleep$extra) prints Min. -1.600, 1st Qu. -0.025, Median 0.950,
    # Mean 1.540, 3rd Qu. 3.400, Max. 5.500 (quantile type 7).
    result = describe(SLEEP_DRUG1 + SLEEP_DRUG2)
    assert result.minimum[0] == pytest.approx(-1.6)
    assert result.q1[0] == pytest.approx(-0.025)
    assert result.median[0] == pytest.approx(0.95)
    assert result.mean[0] == pytest.approx(1.54)
    assert result.q3[0] == pytest.approx(3.4)
    assert result.maximum[0] == pytest.approx(5.5)


@pytest.mark.parametrize("levels", [range(1, 6), None], ids=["from-counts", "from-sort"])
@pytest.mark.parametrize("seed", [0, 1])
def test_every_column_agrees_with_the_standard_library_on_each_columns_answers(seed, levels):
    # Python's statistics module is an independent implementation; its "inclusive"
    # quantiles are Hyndman & Fan type 7.
    rng = np.random.default_rng(seed)
    data = rng.integers(1, 6, size=(50, 4)).astype(float)
    data[rng.random(data.shape) < 0.1] = np.nan
    result = describe(data, levels=levels)
    for column in range(4):
        answers = [x for x in data[:, column] if not np.isnan(x)]
        q1, median, q3 = statistics.quantiles(answers, n=4, method="inclusive")
        assert result.n[column] == len(answers)
        assert result.missing[column] == 50 - len(answers)
        assert result.mean[column] == pytest.approx(statistics.fmean(answers))
        assert result.sd[column] == pytest.approx(statistics.stdev(answers))
        assert (result.q1[column], result.median[column], result.q3[column]) == pytest.approx(
            (q1, median, q3)
        )
        assert result.iqr[column] == pytest.approx(q3 - q1)
        if levels is not None:
            assert result.counts[column].tolist() == [answers.count(v) for v in range(1, 6)]


def test_rows_give_plain_values_and_the_likert_distribution():
    rows = describe([[1, 5], [2, 4], [2, None]], names=["q1", "q2"], levels=[1, 2, 3, 4, 5]).rows()
    assert rows[0]["distribution"] == {1: 1, 2: 2, 3: 0, 4: 0, 5: 0}
    assert rows[1]["n"] == 2 and rows[1]["missing"] == 1
    assert isinstance(rows[1]["mean"], float)


def test_unanswered_and_single_answer_items_are_explained():
    result = describe([[None, 3], [None, None]], names=["q1", "q2"])
    assert np.isnan(result.mean[0]) and np.isnan(result.sd[1])
    assert result.warnings == [
        "Nobody answered q1; it has no summary.",
        "Only one person answered q2; its SD cannot be computed.",
    ]


def test_answers_off_the_declared_levels_are_counted_and_reported():
    result = describe([1, 2, 6], names=["q1"], levels=[1, 2, 3, 4, 5])
    assert result.outside_levels.tolist() == [1]
    assert "outside the declared levels 1-5" in result.warnings[0]


def test_wrong_number_of_names_is_refused():
    with pytest.raises(ValueError, match="Got 1 names for 2 columns"):
        describe([[1, 2]], names=["only one"])
