"""The director's program page: weeks, pairs, emails, participation; aggregates only."""

import datetime

import pytest
from django.urls import reverse

from medmentor.curriculum import services
from medmentor.curriculum.models import WeekPlan
from medmentor.people.models import Person
from medmentor.programs.models import Enrollment, Pair, ProgramWeek, Role, ServiceBlock
from tests.conftest import sign_in

pytestmark = pytest.mark.usefixtures("fast_passwords")


def _url(program):
    return reverse("program-detail", kwargs={"slug": program.slug})


@pytest.fixture
def finished_week(case_week, program):
    """Last week: three pairs of crowd people (six people), one case reviewed by each."""
    week = ProgramWeek.objects.create(
        program=program, starts_on=case_week.week.starts_on - datetime.timedelta(weeks=1)
    )
    WeekPlan.objects.create(program_week=week, curriculum_week=case_week.curriculum_week)
    people = Person.objects.bulk_create(
        Person(email=f"crowd{index}@lakeside.test", full_name=f"Crowd {index}")
        for index in range(6)
    )
    Enrollment.objects.bulk_create(
        Enrollment(program=program, person=person, role=Role.JUNIOR if index < 3 else Role.SENIOR)
        for index, person in enumerate(people)
    )
    for index in range(3):
        pair = Pair.objects.create(week=week, junior=people[index], senior=people[index + 3])
        services.case_review_mark(  # while the week ran: it is frozen now
            pair=pair,
            case=case_week.cases[0],
            status="reviewed",
            by=pair.junior,
            today=week.starts_on,
        )
    return week


def test_the_director_sees_weeks_pairs_flags_emails_and_participation(
    client, case_week, finished_week, program, service, director, junior, institution
):
    lonely = Person.objects.create(email="lonely@lakeside.test", full_name="Lee Lonely")
    Enrollment.objects.create(program=program, person=lonely, role=Role.JUNIOR)
    ServiceBlock.objects.create(
        program=program,
        person=lonely,
        service=service,
        starts_on=case_week.week.starts_on,
        ends_on=case_week.week.ends_on,
    )
    sign_in(client, director)
    response = client.get(_url(program))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Thyroid scintigraphy" in page
    assert "Jo Junior with Sam Senior" in page
    assert "Lee Lonely" in page
    assert "Sent: <strong>0</strong>" in page
    assert "20%" in page  # last week: 3 of 15 case slots reviewed, six people
    assert "shown when the week is over" in page  # this week


@pytest.mark.parametrize("person_name", ["faculty", "researcher"])
def test_faculty_and_researchers_see_aggregates_but_no_names(
    client, case_week, finished_week, program, request, person_name
):
    sign_in(client, request.getfixturevalue(person_name))
    response = client.get(_url(program))
    assert response.status_code == 200
    page = response.content.decode()
    assert "20%" in page
    for name in ("Jo Junior", "Sam Senior", "Crowd 1", "Sent:"):
        assert name not in page


def test_a_week_of_fewer_than_five_people_is_too_few_to_show(client, case_week, program, director):
    last_week = ProgramWeek.objects.create(
        program=program, starts_on=case_week.week.starts_on - datetime.timedelta(weeks=1)
    )
    WeekPlan.objects.create(program_week=last_week, curriculum_week=case_week.curriculum_week)
    pair = Pair.objects.create(
        week=last_week, junior=case_week.pair.junior, senior=case_week.pair.senior
    )
    services.case_review_mark(  # while the week ran: it is frozen now
        pair=pair,
        case=case_week.cases[0],
        status="reviewed",
        by=pair.junior,
        today=last_week.starts_on,
    )
    sign_in(client, director)
    page = client.get(_url(program)).content.decode()
    assert "too few to show" in page
    assert "%" not in page.split("Participation", 1)[1]


@pytest.mark.parametrize("person_name", ["junior", "senior", "outsider"])
def test_learners_and_outsiders_may_not_open_the_dashboard(
    client, case_week, program, request, person_name
):
    sign_in(client, request.getfixturevalue(person_name))
    assert client.get(_url(program)).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, program):
    response = client.get(_url(program))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sign-in"))


def test_the_dashboard_of_a_program_without_weeks_says_what_to_do(client, program, director):
    sign_in(client, director)
    page = client.get(_url(program)).content.decode()
    assert "No weeks yet" in page and "Import the service schedule" in page
