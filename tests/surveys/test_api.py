"""The surveys API: counts per wave, items, and the pre/post statistics."""

import datetime

import pytest

from medmentor.surveys.demo import CODES, _items_for, survey_demo_load
from medmentor.surveys.models import Anonymity, Wave
from medmentor.surveys.services import response_record
from tests.conftest import sign_in
from tests.surveys.conftest import make_survey

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.fixture
def demo_survey(program, junior, senior, other_junior, other_senior):
    return survey_demo_load(program=program, today=datetime.date(2026, 11, 27))


def test_statistics_give_the_paired_row_with_method_and_code_match(client, demo_survey, researcher):
    sign_in(client, researcher)
    body = client.get(
        f"/api/programs/{demo_survey.program.slug}/surveys/{demo_survey.pk}/statistics"
    ).json()
    assert body["code_match"] == {
        "exact": 5,
        "tolerant": 1,
        "ambiguous": 0,
        "unmatched_pre": 1,
        "unmatched_post": 0,
        "match_rate": pytest.approx(6 / 7),
        "expected_false_tolerant": 0.0,
        # Seven respondents cannot tell how many codes the design allows: null.
        "effective_code_space": None,
        "warnings": [],
    }
    row = body["scales"][0]
    assert (row["n_pairs"], row["pre_median"], row["post_median"]) == (6, 21.0, 30.5)
    # The paired t-test and d_z, checked against scipy on the demo's six pairs.
    from scipy import stats as scipy_stats

    pre, post = [21, 20, 23, 19, 22, 21], [31, 30, 29, 28, 33, 31]
    expected = scipy_stats.ttest_rel(post, pre)
    interval = expected.confidence_interval()
    assert row["t"] == pytest.approx(expected.statistic)
    assert row["df"] == 5
    assert row["t_p_value"] == pytest.approx(expected.pvalue)
    assert row["mean_difference"] == pytest.approx(56 / 6)
    assert (row["mean_difference_ci_low"], row["mean_difference_ci_high"]) == (
        pytest.approx(interval.low),
        pytest.approx(interval.high),
    )
    assert row["cohens_dz"] == pytest.approx(expected.statistic / 6**0.5)
    assert row["cohens_dz_ci_low"] < row["cohens_dz"] < row["cohens_dz_ci_high"]
    assert row["p_value"] == pytest.approx(0.03125)
    assert "exact" in row["method"] and row["effect_size"]
    assert row["warnings"]
    assert row["follow_up"] is None  # no follow-up wave


def test_statistics_give_pre_vs_follow_up_per_scale(client, demo_survey, director):
    pre = demo_survey.waves.get(kind="pre")
    follow_up = Wave.objects.create(
        instrument=demo_survey,
        kind="follow_up",
        opens_at=pre.opens_at + datetime.timedelta(weeks=20),
        closes_at=pre.opens_at + datetime.timedelta(weeks=23),
    )
    # Four of the seven pre respondents answer again, with their pre codes.
    for code, total in zip(CODES[:4], (30, 29, 33, 27), strict=True):
        response_record(wave=follow_up, code=code, answers=_items_for(total))
    sign_in(client, director)
    body = client.get(
        f"/api/programs/{demo_survey.program.slug}/surveys/{demo_survey.pk}/statistics"
    ).json()
    row = body["scales"][0]
    assert row["n_pairs"] == 6  # pre vs post is unchanged
    assert body["follow_up_code_match"]["exact"] == 4
    assert body["follow_up_code_match"]["unmatched_pre"] == 3
    later = row["follow_up"]
    # Pre totals 21, 20, 23, 19 against 30, 29, 33, 27.
    assert (later["n_pairs"], later["pre_median"], later["follow_up_median"]) == (4, 20.5, 29.5)
    assert later["pre_mean"] == pytest.approx(20.75)
    assert later["follow_up_mean"] == pytest.approx(29.75)
    assert later["test"] == "Wilcoxon signed-rank"
    assert later["p_value"] == pytest.approx(0.125)  # all four up: 2 / 2^4, exact
    assert "exact" in later["method"]
    assert later["effect"] == pytest.approx(1.0)
    assert any("smallest possible" in warning for warning in later["warnings"])


def test_an_identified_survey_has_no_code_match(client, program, researcher, junior, senior):
    survey = make_survey(program, anonymity=Anonymity.IDENTIFIED)
    for person, before, after in ((junior, 20, 28), (senior, 22, 30)):
        response_record(
            wave=survey.waves.get(kind="pre"), person=person, answers=_items_for(before)
        )
        response_record(
            wave=survey.waves.get(kind="post"), person=person, answers=_items_for(after)
        )
    sign_in(client, researcher)
    body = client.get(f"/api/programs/{program.slug}/surveys/{survey.pk}/statistics").json()
    assert body["code_match"] is None
    assert "by respondent" in body["pairing"]
    assert body["scales"][0]["n_pairs"] == 2


def test_faculty_sees_counts_per_wave_but_not_statistics(client, demo_survey, faculty):
    sign_in(client, faculty)
    slug = demo_survey.program.slug
    surveys = client.get(f"/api/programs/{slug}/surveys").json()
    pre = next(w for w in surveys[0]["waves"] if w["kind"] == "pre")
    # Four learners here; the demo seeds its seven pre answers whatever the roster.
    assert (pre["invited"], pre["answered"], pre["declined"]) == (4, 7, 0)
    assert "person" not in str(surveys)
    assert (
        client.get(f"/api/programs/{slug}/surveys/{demo_survey.pk}/statistics").status_code == 403
    )


def test_unknown_survey_is_404_with_a_message(client, demo_survey, director):
    sign_in(client, director)
    response = client.get(f"/api/programs/{demo_survey.program.slug}/surveys/999999")
    assert response.status_code == 404
    assert "No survey 999999" in response.json()["detail"]
