"""The surveys API: counts per wave, items, and the pre/post statistics."""

import datetime

import pytest

from medmentor.surveys.demo import survey_demo_load
from tests.conftest import sign_in

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
    }
    row = body["scales"][0]
    assert (row["n_pairs"], row["pre_median"], row["post_median"]) == (6, 21.0, 30.5)
    assert row["p_value"] == pytest.approx(0.03125)
    assert "exact" in row["method"] and row["effect_size"]
    assert row["warnings"]


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
