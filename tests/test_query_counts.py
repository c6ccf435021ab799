"""The busy pages use the same number of database queries with 10 people or hundreds.

Issue 2, item 11: the workspace and the director's program page must not run one query
per person, pair or week. Each size is built fast with bulk_create; the counts are
pinned, so a change that adds a query per row (or any query) shows up here.
"""

import datetime

import pytest
from django.urls import reverse

from medmentor.curriculum.models import AnswerReveal, CaseLearningStyle, CaseReview, WeekPlan
from medmentor.messaging.models import OutboxMessage
from medmentor.people.models import Person
from medmentor.programs.models import (
    Enrollment,
    Pair,
    Program,
    ProgramKind,
    ProgramWeek,
    Role,
    ServiceBlock,
)
from medmentor.surveys.services import invitations_create
from tests.conftest import sign_in
from tests.privacy_matrix.support import content
from tests.surveys.conftest import make_survey

pytestmark = pytest.mark.usefixtures("fast_passwords")


# Every signed-in page: session, person, program. The session is not written (it is
# renewed at most every few minutes: medmentor.people.session_refresh).
PER_REQUEST = 3
# Roles, this week, the pairs (with the week's plan), the junior's styles and
# reveals, the pair's marks, next week's pairs and the past weeks to revisit (with their
# cases when there are any). The week's content (readings, cases, images, questions) is
# kept per curriculum week once read (4 queries the first time).
WORKSPACE_QUERIES = PER_REQUEST + 8
WORKSPACE_FIRST_QUERIES = WORKSPACE_QUERIES + 4
# The case with its week, the viewer's pairs of its weeks, their marks; the case's
# images and questions come with its week's kept content (4 queries the first time).
CASE_PAGE_QUERIES = PER_REQUEST + 3
CASE_PAGE_FIRST_QUERIES = CASE_PAGE_QUERIES + 4
# Roles, the weeks (with their plans and the numbers of pairs and cases), all current
# pairs (the people of the weeks not over are counted from them), juniors on service,
# outbox counts, and whether the viewer is a researcher (the focus-groups link). The
# finished weeks' figures are kept once computed (their reviewed marks and the people
# of all the shown weeks together: 2 queries the first time).
DASHBOARD_QUERIES = PER_REQUEST + 6
DASHBOARD_FIRST_QUERIES = DASHBOARD_QUERIES + 2


def _grow(program, service, case_week, people: int) -> None:
    """Add `people` learners (half juniors, half seniors), paired this week and in four
    past weeks, on service, with marks, styles, reveals and weekly emails — all in bulk."""
    half = people // 2
    learners = Person.objects.bulk_create(
        Person(email=f"learner{index}@lakeside.test", full_name=f"Learner {index:04}")
        for index in range(2 * half)
    )
    juniors, seniors = learners[:half], learners[half:]
    Enrollment.objects.bulk_create(
        [Enrollment(program=program, person=person, role=Role.JUNIOR) for person in juniors]
        + [Enrollment(program=program, person=person, role=Role.SENIOR) for person in seniors]
    )
    weeks = [case_week.week] + ProgramWeek.objects.bulk_create(
        ProgramWeek(
            program=program, starts_on=case_week.week.starts_on - datetime.timedelta(weeks=ago)
        )
        for ago in range(1, 5)
    )
    WeekPlan.objects.bulk_create(
        WeekPlan(program_week=week, curriculum_week=case_week.curriculum_week) for week in weeks[1:]
    )
    pairs = Pair.objects.bulk_create(
        Pair(week=week, junior=junior, senior=senior)
        for week in weeks
        for junior, senior in zip(juniors, seniors, strict=True)
    )
    ServiceBlock.objects.bulk_create(
        ServiceBlock(
            program=program,
            person=person,
            service=service,
            starts_on=weeks[-1].starts_on,
            ends_on=case_week.week.ends_on,
        )
        for person in learners
    )
    CaseReview.objects.bulk_create(
        CaseReview(pair=pair, case=case, status="reviewed", marked_by=pair.junior)
        for pair in pairs
        for case in case_week.cases[:2]
    )
    CaseLearningStyle.objects.bulk_create(
        CaseLearningStyle(junior=junior, case=case, style="blind")
        for junior in juniors
        for case in case_week.cases
    )
    AnswerReveal.objects.bulk_create(
        AnswerReveal(junior=junior, question=case.questions.first())
        for junior in juniors
        for case in case_week.cases
    )
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            key=f"weekly:{person.pk}",
            to_email=person.email,
            subject="This week",
            text_body=".",
            topic=f"program:{program.pk}",
        )
        for person in learners
    )


@pytest.fixture(params=[10, 300], ids=["10-people", "300-people"])
def sized_program(request, program, service, case_week, junior):
    # The fixture's own four learners (two pairs), plus the rest.
    _grow(program, service, case_week, request.param - 4)
    # The viewer's own progress, so their page reads it.
    CaseLearningStyle.objects.create(junior=junior, case=case_week.cases[0], style="blind")
    AnswerReveal.objects.create(junior=junior, question=case_week.cases[0].questions.first())
    CaseReview.objects.create(
        pair=case_week.pair, case=case_week.cases[0], status="skipped", marked_by=junior
    )
    learners = Enrollment.objects.filter(program=program, role__in=[Role.JUNIOR, Role.SENIOR])
    assert learners.count() == request.param
    return program


def test_the_workspace_query_count_does_not_grow_with_the_program(
    client, sized_program, junior, django_assert_num_queries
):
    sign_in(client, junior)
    url = reverse("workspace", kwargs={"slug": sized_program.slug})
    with django_assert_num_queries(WORKSPACE_FIRST_QUERIES):
        first = client.get(url)
    with django_assert_num_queries(WORKSPACE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert content(response) == content(first)


def test_the_case_page_query_count_does_not_grow_with_the_program(
    client, sized_program, case_week, senior, django_assert_num_queries
):
    sign_in(client, senior)
    url = reverse("case", kwargs={"slug": sized_program.slug, "case_id": case_week.cases[0].pk})
    with django_assert_num_queries(CASE_PAGE_FIRST_QUERIES):
        first = client.get(url)
    with django_assert_num_queries(CASE_PAGE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert content(response) == content(first)


def test_the_dashboard_query_count_does_not_grow_with_the_program(
    client, sized_program, director, django_assert_num_queries
):
    sign_in(client, director)
    url = reverse("program-detail", kwargs={"slug": sized_program.slug})
    with django_assert_num_queries(DASHBOARD_FIRST_QUERIES):
        first = client.get(url)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert content(response) == content(first)


# The home page for a person in two programs: the signed-in page's queries but the
# program lookup (PER_REQUEST - 1), the person's programs (1), then per
# program what needs them. Case review, as director: this week, who is on service
# (blocks, enrollments), this week's paired juniors, the outbox counts, whether the week
# has a plan, open waves with their counts, the person's own open invitations (8).
# One-to-one, as director and researcher: mentees without a match, the latest run, the
# outbox counts, open waves, own invitations, the documents in review and to code, the
# pairs' health (needing a check-in, asking for help: one query) (7).
HOME_QUERIES = PER_REQUEST - 1 + 1 + 8 + 7


def test_the_home_page_query_count_does_not_grow_with_the_programs(
    client, sized_program, director, institution, django_assert_num_queries
):
    one_to_one = Program.objects.create(
        name="Near-peer mentoring",
        slug="near-peer",
        kind=ProgramKind.ONE_TO_ONE,
        institution=institution,
        starts_on=datetime.date(2026, 11, 2),
    )
    learners = list(
        Person.objects.filter(enrollments__program=sized_program, enrollments__role=Role.JUNIOR)
    )
    Enrollment.objects.bulk_create(
        [Enrollment(program=one_to_one, person=person, role=Role.JUNIOR) for person in learners]
        + [
            Enrollment(program=one_to_one, person=director, role=Role.DIRECTOR),
            Enrollment(program=one_to_one, person=director, role=Role.RESEARCHER),
        ]
    )
    for program in (sized_program, one_to_one):
        wave = make_survey(program).waves.get(kind="pre")
        invitations_create(wave=wave, people=[*learners, director])
    sign_in(client, director)
    with django_assert_num_queries(HOME_QUERIES):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Near-peer mentoring" in page and "A survey is waiting for you" in page
