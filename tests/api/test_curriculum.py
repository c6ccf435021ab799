"""GET weeks (with topics) and the week's cases; no learner progress for anyone."""

import datetime

import pytest

from medmentor.curriculum.models import (
    AnswerReveal,
    CaseLearningStyle,
    CaseReview,
    LearningStyle,
    ReviewStatus,
    WeekPlan,
)
from medmentor.programs.models import Pair, ProgramWeek

pytestmark = pytest.mark.django_db

WEEKS = "/api/programs/nm-must-see/weeks"


def cases_url(week) -> str:
    return f"{WEEKS}/{week.starts_on.isoformat()}/cases"


@pytest.mark.parametrize(
    "role", ["director", "coordinator", "faculty", "researcher", "senior", "junior"]
)
def test_everyone_enrolled_sees_the_weeks_and_topics(call, people, case_week, role):
    response = call(people[role], "GET", WEEKS)
    assert response.status_code == 200
    [week] = response.json()["items"]
    assert week["starts_on"] == case_week.week.starts_on.isoformat()
    assert week["ends_on"] == (case_week.week.starts_on + datetime.timedelta(days=6)).isoformat()
    assert week["topic"] == "Thyroid scintigraphy"
    assert week["curriculum_week_number"] == 1


def test_an_unplanned_week_has_no_topic(call, people, case_week):
    later = case_week.week.starts_on + datetime.timedelta(days=7)
    ProgramWeek.objects.create(program=case_week.week.program, starts_on=later)
    response = call(people["junior"], "GET", WEEKS)
    assert [w["topic"] for w in response.json()["items"]] == ["Thyroid scintigraphy", None]


def test_outsider_and_anonymous_do_not_see_the_weeks(call, case_week, outsider):
    assert call(outsider, "GET", WEEKS).status_code == 404
    assert call(None, "GET", WEEKS).status_code == 401


@pytest.mark.parametrize("role", ["director", "coordinator", "senior", "junior"])
def test_cases_come_with_questions_and_answers(call, people, case_week, role):
    response = call(people[role], "GET", cases_url(case_week.week))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    monday = body["items"][0]
    assert monday["day_name"] == "Monday"
    assert monday["date"] == case_week.week.starts_on.isoformat()
    assert monday["title"] == "Thyroid scintigraphy, case 1"
    assert [q["answer"] for q in monday["questions"]] == [
        "Answer 1 of Thyroid scintigraphy, case 1.",
        "Answer 2 of Thyroid scintigraphy, case 1.",
    ]


@pytest.mark.parametrize("role", ["faculty", "researcher"])
def test_faculty_and_researchers_are_refused_the_cases(call, people, case_week, role):
    response = call(people[role], "GET", cases_url(case_week.week))
    assert response.status_code == 403
    assert "Answer" not in response.content.decode()


def test_outsider_and_anonymous_do_not_see_the_cases(call, case_week, outsider):
    assert call(outsider, "GET", cases_url(case_week.week)).status_code == 404
    assert call(None, "GET", cases_url(case_week.week)).status_code == 401


def test_a_learner_not_paired_that_week_is_refused_its_cases(call, people, case_week):
    Pair.objects.filter(week=case_week.week).update(is_removed=True)
    response = call(people["junior"], "GET", cases_url(case_week.week))
    assert response.status_code == 403
    assert "paired" in response.json()["detail"]


def test_next_weeks_cases_stay_closed_to_learners_until_its_monday(
    call, people, case_week, junior, senior
):
    next_week = ProgramWeek.objects.create(
        program=case_week.week.program,
        starts_on=case_week.week.starts_on + datetime.timedelta(days=7),
    )
    WeekPlan.objects.create(program_week=next_week, curriculum_week=case_week.unplanned_case.week)
    Pair.objects.create(week=next_week, junior=junior, senior=senior)
    refused = call(junior, "GET", cases_url(next_week))
    assert refused.status_code == 403
    assert "open on" in refused.json()["detail"]
    assert "Bone scans" not in refused.content.decode()
    assert call(people["director"], "GET", cases_url(next_week)).json()["count"] == 5


def test_an_unplanned_week_has_no_cases(call, people, case_week):
    WeekPlan.objects.filter(program_week=case_week.week).delete()
    response = call(people["director"], "GET", cases_url(case_week.week))
    assert response.json() == {"items": [], "count": 0}


def _keys_and_values(data) -> tuple[set, set]:
    keys, values = set(), set()
    if isinstance(data, dict):
        for key, value in data.items():
            keys.add(key)
            k, v = _keys_and_values(value)
            keys |= k
            values |= v
    elif isinstance(data, list):
        for item in data:
            k, v = _keys_and_values(item)
            keys |= k
            values |= v
    else:
        values.add(data)
    return keys, values


def test_no_answer_ever_carries_a_learners_progress(call, people, case_week, other_junior):
    """The junior went in blind, revealed one answer, and the pair skipped the case:
    every caller gets the very same cases, with nothing of that in them."""
    case = case_week.cases[0]
    CaseLearningStyle.objects.create(junior=people["junior"], case=case, style=LearningStyle.BLIND)
    AnswerReveal.objects.create(junior=people["junior"], question=case.questions.first())
    CaseReview.objects.create(
        pair=case_week.pair, case=case, status=ReviewStatus.SKIPPED, marked_by=people["senior"]
    )
    bodies = {
        who: call(person, "GET", cases_url(case_week.week)).json()
        for who, person in {
            "junior": people["junior"],
            "senior": people["senior"],
            "other junior": other_junior,
            "director": people["director"],
            "token director": ("token", people["director"]),
        }.items()
    }
    assert all(body == bodies["director"] for body in bodies.values())
    keys, values = _keys_and_values(bodies["junior"])
    assert not keys & {"style", "learning_style", "revealed", "status", "reviewed", "skipped"}
    assert not values & {"blind", "read_first", "reviewed", "skipped"}
    for url in [WEEKS, "/api/programs", "/api/programs/nm-must-see", "/api/me"]:
        text = call(people["junior"], "GET", url).content.decode()
        assert "blind" not in text and "skipped" not in text
