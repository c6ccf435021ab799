"""GET /api/programs/{slug}/participation: aggregates only, over at least 5 people."""

import datetime

import pytest

from medmentor.curriculum.models import CaseReview, ReviewStatus, WeekPlan
from medmentor.programs.models import Enrollment, Pair, ProgramWeek, Role
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

URL = "/api/programs/nm-must-see/participation"
PAST_MONDAY = datetime.date(2020, 1, 6)


@pytest.fixture
def past_week(case_week, program, junior, senior, other_junior, other_senior):
    """A finished week with three pairs of six people; one pair reviewed one case and
    skipped another."""
    third_junior = make_person("junior3@lakeside.test", "Jess Junior", "R1")
    third_senior = make_person("senior3@lakeside.test", "Sky Senior", "R4")
    Enrollment.objects.create(program=program, person=third_junior, role=Role.JUNIOR)
    Enrollment.objects.create(program=program, person=third_senior, role=Role.SENIOR)
    week = ProgramWeek.objects.create(program=program, starts_on=PAST_MONDAY)
    WeekPlan.objects.create(program_week=week, curriculum_week=case_week.curriculum_week)
    first = Pair.objects.create(week=week, junior=junior, senior=senior)
    Pair.objects.create(week=week, junior=other_junior, senior=other_senior)
    Pair.objects.create(week=week, junior=third_junior, senior=third_senior)
    CaseReview.objects.create(
        pair=first, case=case_week.cases[0], status=ReviewStatus.REVIEWED, marked_by=senior
    )
    CaseReview.objects.create(
        pair=first, case=case_week.cases[1], status=ReviewStatus.SKIPPED, marked_by=senior
    )
    return week


@pytest.mark.parametrize("role", ["director", "coordinator", "faculty", "researcher"])
def test_staff_faculty_and_researchers_see_the_figures(call, people, past_week, role):
    response = call(people[role], "GET", URL)
    assert response.status_code == 200
    body = response.json()
    assert body["min_group_size"] == 5
    past, current = body["weeks"]
    assert past["starts_on"] == PAST_MONDAY.isoformat()
    assert past == {
        "starts_on": PAST_MONDAY.isoformat(),
        "people": 6,
        "shown": True,
        "reviewed_percent": 7,  # 1 of 15 case slots (5 cases × 3 pairs)
        "pending": False,
        "has_cases": True,
    }
    assert current["pending"] is True
    assert current["reviewed_percent"] is None


def test_a_group_under_five_shows_no_figure(call, people, case_week):
    CaseReview.objects.create(
        pair=case_week.pair,
        case=case_week.cases[0],
        status=ReviewStatus.REVIEWED,
        marked_by=people["senior"],
    )
    week = ProgramWeek.objects.create(program=case_week.week.program, starts_on=PAST_MONDAY)
    WeekPlan.objects.create(program_week=week, curriculum_week=case_week.curriculum_week)
    Pair.objects.create(week=week, junior=people["junior"], senior=people["senior"])
    body = call(people["faculty"], "GET", URL).json()
    past = body["weeks"][0]
    assert past["people"] == 2
    assert past["shown"] is False
    assert past["reviewed_percent"] is None
    assert body["overall"]["reviewed_percent"] is None


def test_the_figures_never_name_a_pair_or_a_skip(call, people, past_week):
    text = call(people["director"], "GET", URL).content.decode()
    for private in ["Junior", "Senior", "skip", "blind", "read_first", "style"]:
        assert private not in text


@pytest.mark.parametrize("role", ["senior", "junior"])
def test_learners_are_refused_the_figures(call, people, past_week, role):
    response = call(people[role], "GET", URL)
    assert response.status_code == 403
    assert "reviewed_percent" not in response.content.decode()


def test_outsider_and_anonymous_do_not_see_the_figures(call, past_week, outsider):
    assert call(outsider, "GET", URL).status_code == 404
    assert call(None, "GET", URL).status_code == 401


def test_token_user_sees_the_figures(call, people, past_week):
    assert call(("token", people["researcher"]), "GET", URL).status_code == 200
