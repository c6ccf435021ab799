"""Program-level participation and the director's dashboard: aggregates only, over ≥ 5."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from medmentor.curriculum import dashboard_selectors, selectors, services
from medmentor.curriculum.models import WeekPlan
from medmentor.messaging.models import OutboxMessage
from medmentor.people.models import Person
from medmentor.programs.models import Enrollment, Pair, ProgramWeek, Role, ServiceBlock

pytestmark = pytest.mark.usefixtures("fast_passwords")


def _people(program, role, count, prefix):
    people = Person.objects.bulk_create(
        Person(email=f"{prefix}{index}@lakeside.test", full_name=f"{prefix.title()} {index}")
        for index in range(count)
    )
    Enrollment.objects.bulk_create(
        Enrollment(program=program, person=person, role=role) for person in people
    )
    return people


def _past_week(case_week, weeks_ago: int) -> ProgramWeek:
    week = ProgramWeek.objects.create(
        program=case_week.week.program,
        starts_on=case_week.week.starts_on - datetime.timedelta(weeks=weeks_ago),
    )
    WeekPlan.objects.create(program_week=week, curriculum_week=case_week.curriculum_week)
    return week


def _pairs(week, juniors, seniors):
    return [
        Pair.objects.create(week=week, junior=junior, senior=senior)
        for junior, senior in zip(juniors, seniors, strict=True)
    ]


def _mark(pairs, cases, status):
    """Marks made while each pair's week ran (finished weeks are frozen now)."""
    for pair in pairs:
        for case in cases:
            services.case_review_mark(
                pair=pair, case=case, status=status, by=pair.junior, today=pair.week.starts_on
            )


@pytest.fixture
def crowd(program):
    """Six juniors and six seniors, enrolled but not yet paired."""
    return (
        _people(program, Role.JUNIOR, 6, "crowd-junior"),
        _people(program, Role.SENIOR, 6, "crowd-senior"),
    )


def test_a_finished_week_of_six_people_shows_the_share_reviewed(case_week, crowd, program):
    juniors, seniors = crowd
    week = _past_week(case_week, 1)
    pairs = _pairs(week, juniors[:3], seniors[:3])
    _mark(pairs, case_week.cases[:1], "reviewed")  # 3 of 15 slots
    _mark(pairs[:2], case_week.cases[1:2], "skipped")  # skips count as nothing

    row = selectors.participation_summary(program=program, today=case_week.today).weeks[week.pk]

    assert (row.people, row.shown, row.pending) == (6, True, False)
    assert row.reviewed_share == pytest.approx(3 / 15)
    assert row.reviewed_percent == 20


def test_a_week_of_four_people_is_too_few_to_show(case_week, crowd, program):
    juniors, seniors = crowd
    week = _past_week(case_week, 1)
    _mark(_pairs(week, juniors[:2], seniors[:2]), case_week.cases, "reviewed")

    row = selectors.participation_summary(program=program, today=case_week.today).weeks[week.pk]

    assert (row.people, row.shown, row.reviewed_share) == (4, False, None)


def test_exactly_five_people_is_enough(case_week, crowd, program):
    juniors, seniors = crowd
    week = _past_week(case_week, 1)
    # Three juniors with two seniors: one senior has two juniors.
    _pairs(week, juniors[:3], [seniors[0], seniors[1], seniors[1]])
    row = selectors.participation_summary(program=program, today=case_week.today).weeks[week.pk]
    assert (row.people, row.shown) == (5, True)


def test_someone_junior_and_senior_in_one_week_counts_once(case_week, crowd, program):
    juniors, _ = crowd
    a, b, c = juniors[:3]
    week = _past_week(case_week, 1)
    _pairs(week, [a, b, c], [b, c, a])  # three people, each junior once and senior once
    row = selectors.participation_summary(program=program, today=case_week.today).weeks[week.pk]
    assert (row.people, row.shown) == (3, False)


def test_the_current_week_shows_nothing_until_it_is_over(case_week, crowd, program):
    juniors, seniors = crowd
    _mark(_pairs(case_week.week, juniors, seniors), case_week.cases[:1], "reviewed")

    summary = selectors.participation_summary(program=program, today=case_week.today)
    row = summary.weeks[case_week.week.pk]
    assert row.people == 16  # six crowd pairs and the fixture's two pairs
    assert (row.shown, row.pending, row.reviewed_share) == (False, True, None)

    after = case_week.week.ends_on + datetime.timedelta(days=1)
    row = selectors.participation_summary(program=program, today=after).weeks[case_week.week.pk]
    assert row.shown and row.reviewed_share == pytest.approx(6 / 40)


def test_the_overall_figure_never_includes_a_hidden_week(case_week, crowd, program):
    juniors, seniors = crowd
    shown_week, hidden_week = _past_week(case_week, 2), _past_week(case_week, 1)
    _mark(_pairs(shown_week, juniors[:3], seniors[:3]), case_week.cases[:1], "reviewed")
    # Four people reviewing everything: were they counted overall, subtracting the shown
    # week from the overall figure would reveal what this small group did.
    _mark(_pairs(hidden_week, juniors[3:5], seniors[3:5]), case_week.cases, "reviewed")

    summary = selectors.participation_summary(program=program, today=case_week.today)

    assert not summary.weeks[hidden_week.pk].shown
    assert summary.overall.shown
    assert summary.overall.people == 6
    assert summary.overall.reviewed_share == pytest.approx(3 / 15)


def test_no_overall_figure_when_no_week_is_shown(case_week, program):
    summary = selectors.participation_summary(program=program, today=case_week.today)
    assert (summary.overall.shown, summary.overall.people, summary.overall.reviewed_share) == (
        False,
        0,
        None,
    )


def test_removed_pairs_and_marks_of_another_weeks_cases_do_not_count(case_week, crowd, program):
    juniors, seniors = crowd
    week = _past_week(case_week, 1)
    pairs = _pairs(week, juniors[:4], seniors[:4])
    _mark(pairs[:1], case_week.cases, "reviewed")
    # While the week ran, the director swapped its curriculum after the pair marked its
    # cases, and removed a pair (both refused once the week is over).
    WeekPlan.objects.filter(program_week=week).update(
        curriculum_week=case_week.curriculum.weeks.get(number=2)
    )
    Pair.objects.filter(pk=pairs[3].pk).update(is_removed=True)

    row = selectors.participation_summary(program=program, today=case_week.today).weeks[week.pk]
    assert (row.people, row.reviewed_share) == (6, 0)


# --- the dashboard --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("person_name", "access"),
    [
        ("director", selectors.DASHBOARD_MANAGE),
        ("coordinator", selectors.DASHBOARD_MANAGE),
        ("faculty", selectors.DASHBOARD_AGGREGATES),
        ("researcher", selectors.DASHBOARD_AGGREGATES),
        ("senior", None),
        ("junior", None),
        ("outsider", None),
    ],
)
def test_dashboard_access_by_role(program, request, person_name, access):
    person = request.getfixturevalue(person_name)
    assert selectors.dashboard_access(person=person, program=program) == access


@pytest.mark.parametrize("person_name", ["senior", "junior", "outsider"])
def test_learners_and_outsiders_get_no_dashboard(case_week, program, request, person_name):
    with pytest.raises(PermissionDenied):
        dashboard_selectors.program_dashboard(
            person=request.getfixturevalue(person_name), program=program, today=case_week.today
        )


def test_the_director_sees_pairs_by_name_and_juniors_without_a_senior(
    case_week, program, service, director, junior, other_junior
):
    lonely = _people(program, Role.JUNIOR, 1, "lonely")[0]
    for person in (junior, lonely):
        ServiceBlock.objects.create(
            program=program,
            person=person,
            service=service,
            starts_on=case_week.week.starts_on,
            ends_on=case_week.week.ends_on,
        )

    dashboard = dashboard_selectors.program_dashboard(
        person=director, program=program, today=case_week.today
    )

    (row,) = dashboard.weeks
    assert row.is_current and row.topic == "Thyroid scintigraphy" and row.pairs_count == 2
    assert {pair.junior for pair in row.pairs} == {junior, other_junior}
    assert row.juniors_without_senior == [lonely]
    assert dashboard.focus_weeks == [row]


def test_faculty_see_counts_but_no_names_and_no_emails(case_week, program, faculty):
    dashboard = dashboard_selectors.program_dashboard(
        person=faculty, program=program, today=case_week.today
    )
    (row,) = dashboard.weeks
    assert row.pairs_count == 2
    assert row.pairs is None and row.juniors_without_senior is None
    assert dashboard.emails is None and not dashboard.manages


def test_the_director_sees_the_programs_emails_sent_and_failed(case_week, program, director):
    statuses = ["sent", "sent", "failed", "gave_up", "queued"]
    for index, status in enumerate(statuses):
        OutboxMessage.objects.create(
            key=f"k{index}",
            to_email="x@lakeside.test",
            subject="Week",
            text_body=".",
            topic=f"program:{program.pk}",
            status=status,
        )
    OutboxMessage.objects.create(
        key="other", to_email="y@lakeside.test", subject=".", text_body=".", topic="sign-in"
    )
    emails = dashboard_selectors.program_dashboard(
        person=director, program=program, today=case_week.today
    ).emails
    assert (emails.sent, emails.failed, emails.waiting) == (2, 2, 1)
