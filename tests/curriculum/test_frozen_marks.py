"""Marks change only while their week runs; a schedule correction never deletes one."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from medmentor.curriculum import selectors, services
from medmentor.curriculum.models import AnswerReveal, CaseLearningStyle, CaseReview, WeekPlan
from medmentor.programs.models import Pair, ProgramWeek, ServiceBlock
from medmentor.programs.services import WeekFinishedError, pair_remove, pairs_derive

pytestmark = pytest.mark.usefixtures("fast_passwords")


def _week(case_week, weeks_from_now, curriculum_number=1):
    week = ProgramWeek.objects.create(
        program=case_week.week.program,
        starts_on=case_week.week.starts_on + datetime.timedelta(weeks=weeks_from_now),
    )
    WeekPlan.objects.create(
        program_week=week, curriculum_week=case_week.curriculum.weeks.get(number=curriculum_number)
    )
    return week


@pytest.fixture
def last_weeks_pair(case_week, junior, senior):
    """Jo and Sam's pair of last week (over); this week's pair of theirs is gone."""
    case_week.pair.delete()
    return Pair.objects.create(week=_week(case_week, -1), junior=junior, senior=senior)


def test_marking_a_case_of_a_finished_week_is_refused(case_week, last_weeks_pair, junior):
    case = case_week.cases[0]
    services.case_review_mark(
        pair=last_weeks_pair,
        case=case,
        status="reviewed",
        by=junior,
        today=last_weeks_pair.week.starts_on,
    )
    for status in ("skipped", "clear"):
        with pytest.raises(WeekFinishedError, match="ended on .*figures never move"):
            services.case_review_mark(pair=last_weeks_pair, case=case, status=status, by=junior)
    assert CaseReview.objects.get().status == "reviewed"


def test_choosing_a_style_or_revealing_in_a_finished_week_is_refused(
    case_week, last_weeks_pair, junior
):
    case = case_week.cases[0]
    with pytest.raises(WeekFinishedError):
        services.case_learning_style_choose(junior=junior, case=case, style="blind")
    with pytest.raises(WeekFinishedError):
        services.answer_reveal(junior=junior, question=case.questions.first())
    assert not CaseLearningStyle.objects.exists() and not AnswerReveal.objects.exists()


def test_nothing_is_marked_before_the_week_starts(case_week, junior, senior):
    next_week = _week(case_week, 1, curriculum_number=2)
    pair = Pair.objects.create(week=next_week, junior=junior, senior=senior)
    case = next_week.plan.curriculum_week.cases.first()
    with pytest.raises(PermissionDenied, match="open on its Monday"):
        services.case_review_mark(pair=pair, case=case, status="reviewed", by=junior)
    with pytest.raises(PermissionDenied, match="open on its Monday"):
        services.case_learning_style_choose(junior=junior, case=case, style="blind")
    assert not CaseReview.objects.exists() and not CaseLearningStyle.objects.exists()


def test_a_finished_weeks_plan_cannot_be_changed_nor_a_missing_one_added(case_week, program):
    last_week = _week(case_week, -1)
    with pytest.raises(WeekFinishedError):
        services.week_plan_set(
            program_week=last_week, curriculum_week=case_week.curriculum.weeks.get(number=2)
        )
    unplanned = ProgramWeek.objects.create(
        program=program, starts_on=case_week.week.starts_on - datetime.timedelta(weeks=2)
    )
    services.week_plans_assign(program=program)
    assert not WeekPlan.objects.filter(program_week=unplanned).exists()
    assert last_week.plan.curriculum_week.number == 1


def test_a_case_of_a_week_to_come_is_refused_by_the_one_rule_for_page_and_api(
    case_week, program, junior
):
    next_week = _week(case_week, 1, curriculum_number=2)
    Pair.objects.create(week=next_week, junior=junior, senior=case_week.pair.senior)
    case = next_week.plan.curriculum_week.cases.first()
    with pytest.raises(PermissionDenied, match="open on its Monday") as page:
        selectors.case_view_for(person=junior, program=program, case_id=case.pk)
    with pytest.raises(PermissionDenied) as api:
        selectors.week_cases_for(program_week=next_week, viewer=junior)
    assert str(page.value) == str(api.value)
    # From its Monday on, both open it.
    monday = next_week.starts_on
    assert selectors.case_view_for(person=junior, program=program, case_id=case.pk, today=monday)
    assert selectors.week_cases_for(program_week=next_week, viewer=junior, today=monday)


def test_a_finished_weeks_case_page_is_read_only_and_says_why(
    case_week, last_weeks_pair, program, junior
):
    view = selectors.case_view_for(person=junior, program=program, case_id=case_week.cases[0].pk)
    monday = last_weeks_pair.week.starts_on
    note = f"Week of {monday.day} {monday:%b} ended on"
    assert view.style_closed_note.startswith(note)
    assert view.reviews[0].closed_note.startswith(note)
    # Reading the answers after the week records nothing, so they are simply shown.
    assert all(question.answer_visible for question in view.questions)
    assert not any(question.can_reveal for question in view.questions)


def test_a_schedule_correction_keeps_the_pairs_marks_and_restoring_it_brings_them_back(
    case_week, program, junior, senior, other_junior, other_senior
):
    week = case_week.week
    for person in (junior, senior, other_junior, other_senior):
        ServiceBlock.objects.create(
            program=program,
            person=person,
            service=program.service,
            starts_on=week.starts_on,
            ends_on=week.ends_on,
        )
    pairs_derive(program=program, week=week)  # the fixture's two pairs, and two more
    pair = case_week.pair
    services.case_review_mark(pair=pair, case=case_week.cases[0], status="reviewed", by=junior)
    today = case_week.today

    ServiceBlock.objects.filter(person=senior).delete()
    pairs_derive(program=program, week=week)
    pair.refresh_from_db()
    assert pair.is_removed
    assert CaseReview.objects.filter(pair=pair).count() == 1
    # Pairs off the schedule are not counted anywhere (Sam is in none now); their
    # marks wait for them.
    summary = selectors.participation_summary(program=program, today=today)
    assert summary.weeks[week.pk].people == 3

    ServiceBlock.objects.create(
        program=program,
        person=senior,
        service=program.service,
        starts_on=week.starts_on,
        ends_on=week.ends_on,
    )
    pairs_derive(program=program, week=week)
    pair.refresh_from_db()
    assert not pair.is_removed
    assert CaseReview.objects.get(pair=pair).status == "reviewed"


def test_a_pair_removed_by_hand_keeps_its_marks_but_is_not_counted(
    case_week, program, director, junior
):
    pair = case_week.pair
    services.case_review_mark(pair=pair, case=case_week.cases[0], status="reviewed", by=junior)
    pair_remove(pair=pair, by=director)
    assert CaseReview.objects.filter(pair=pair).exists()
    sunday = case_week.week.ends_on + datetime.timedelta(days=1)
    row = selectors.participation_summary(program=program, today=sunday).weeks[case_week.week.pk]
    assert row.people == 2  # only other_junior and other_senior


def test_replacing_the_curriculum_after_a_week_taught_it_is_refused(case_week, program, junior):
    from medmentor.curriculum.package import CurriculumPackageError, curriculum_package_import
    from tests.curriculum.test_package import package_zip

    last_week = _week(case_week, -1)
    pair = Pair.objects.create(week=last_week, junior=junior, senior=case_week.pair.senior)
    services.case_review_mark(
        pair=pair, case=case_week.cases[0], status="reviewed", by=junior, today=last_week.starts_on
    )
    with pytest.raises(CurriculumPackageError, match="cannot be replaced.*ended on"):
        curriculum_package_import(program=program, content=package_zip(), replace=True)
    assert CaseReview.objects.filter(pair=pair).exists()
    assert last_week.plan.curriculum_week.curriculum == case_week.curriculum
