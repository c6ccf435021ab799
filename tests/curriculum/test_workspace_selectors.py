"""What the pair's workspace shows: the week, today's case, the questions and answers."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from medmentor.curriculum import selectors, services
from medmentor.curriculum.models import Case, CaseImage, WeekPlan
from medmentor.programs.models import Pair, ProgramWeek

pytestmark = pytest.mark.usefixtures("fast_passwords")


def _day(case_week, weekday: int) -> datetime.date:
    return case_week.week.starts_on + datetime.timedelta(days=weekday)


def test_week_content_gives_topic_readings_and_cases_by_day(case_week):
    content = selectors.week_content(program_week=case_week.week)
    assert content.topic == "Thyroid scintigraphy"
    assert [reading.citation for reading in content.readings] == [
        "Thyroid scintigraphy: reading 1",
        "Thyroid scintigraphy: reading 2",
    ]
    assert [case.day for case in content.cases] == [0, 1, 2, 3, 4]
    assert content.case_on(2).title == "Thyroid scintigraphy, case 3"
    assert content.date_of(content.cases[4]) == _day(case_week, 4)


def test_week_content_of_an_unplanned_week_is_none(program):
    week = ProgramWeek.objects.create(program=program, starts_on=program.starts_on)
    assert selectors.week_content(program_week=week) is None


def test_week_content_query_count_does_not_grow_with_images_and_questions(
    case_week, django_assert_num_queries
):
    for case in case_week.cases:
        for order in range(3):
            CaseImage.objects.create(case=case, order=order, image="x.png", alt_text="A scan")
    week = ProgramWeek.objects.get(pk=case_week.week.pk)
    # The plan, readings, cases, images, questions.
    with django_assert_num_queries(5):
        content = selectors.week_content(program_week=week)
        assert sum(len(case.images.all()) for case in content.cases) == 15
        assert sum(len(case.questions.all()) for case in content.cases) == 10
    # Then kept per curriculum week: the plan only.
    again = ProgramWeek.objects.get(pk=week.pk)
    with django_assert_num_queries(1):
        kept = selectors.week_content(program_week=again)
        assert sum(len(case.images.all()) for case in kept.cases) == 15
        assert [case.pk for case in kept.cases] == [case.pk for case in content.cases]


def test_the_junior_sees_their_pair_and_todays_case(case_week, junior, senior, program):
    workspace = selectors.workspace_for(person=junior, program=program, today=_day(case_week, 2))
    assert workspace.week == case_week.week
    assert workspace.as_junior and not workspace.as_senior
    assert workspace.partners == [senior]
    assert workspace.today_case.case == case_week.cases[2]
    assert workspace.today_note == ""
    assert len(workspace.cases) == 5


def test_at_the_weekend_the_workspace_shows_fridays_case(case_week, junior, program):
    workspace = selectors.workspace_for(person=junior, program=program, today=_day(case_week, 6))
    assert workspace.today_case.case.day == 4
    assert "weekend" in workspace.today_note


def test_a_day_without_a_case_says_so_and_still_lists_the_week(case_week, junior, program):
    Case.objects.filter(pk=case_week.cases[1].pk).delete()
    workspace = selectors.workspace_for(person=junior, program=program, today=_day(case_week, 1))
    assert workspace.today_case is None
    assert workspace.today_note == "No case today."
    assert len(workspace.cases) == 4


def test_before_choosing_the_junior_sees_questions_without_answers(case_week, junior, program):
    workspace = selectors.workspace_for(person=junior, program=program, today=_day(case_week, 0))
    view = workspace.today_case
    assert view.style is None
    assert [question.answer_visible for question in view.questions] == [False, False]
    assert not any(question.can_reveal for question in view.questions)


def test_reading_first_shows_every_answer(case_week, junior, program):
    services.case_learning_style_choose(junior=junior, case=case_week.cases[0], style="read_first")
    view = selectors.workspace_for(
        person=junior, program=program, today=_day(case_week, 0)
    ).today_case
    assert view.style == "read_first"
    assert [question.answer_visible for question in view.questions] == [True, True]


def test_going_blind_hides_answers_until_each_is_revealed(case_week, junior, program):
    case = case_week.cases[0]
    services.case_learning_style_choose(junior=junior, case=case, style="blind")
    services.answer_reveal(junior=junior, question=case.questions.first())
    view = selectors.workspace_for(
        person=junior, program=program, today=_day(case_week, 0)
    ).today_case
    assert [(q.answer_visible, q.revealed, q.can_reveal) for q in view.questions] == [
        (True, True, False),
        (False, False, True),
    ]


def test_the_senior_always_sees_the_answers_and_never_the_juniors_style(
    case_week, junior, senior, program
):
    case = case_week.cases[0]
    services.case_learning_style_choose(junior=junior, case=case, style="blind")
    workspace = selectors.workspace_for(person=senior, program=program, today=_day(case_week, 0))
    view = workspace.today_case
    assert workspace.as_senior and not workspace.as_junior
    assert view.style is None and not view.as_junior
    assert all(question.answer_visible for question in view.questions)
    assert not any(question.revealed for question in view.questions)


def test_both_members_see_their_pairs_mark_and_nobody_elses(
    case_week, junior, senior, other_junior, program
):
    case = case_week.cases[0]
    services.case_review_mark(pair=case_week.pair, case=case, status="skipped", by=senior)
    for person in (junior, senior):
        view = selectors.workspace_for(
            person=person, program=program, today=_day(case_week, 0)
        ).today_case
        assert [review.status for review in view.reviews] == ["skipped"]
    other = selectors.workspace_for(
        person=other_junior, program=program, today=_day(case_week, 0)
    ).today_case
    assert [(review.pair, review.status) for review in other.reviews] == [
        (case_week.other_pair, None)
    ]


def test_a_learner_not_paired_this_week_sees_no_cases(case_week, junior, program):
    Pair.objects.filter(pk=case_week.pair.pk).update(is_removed=True)
    workspace = selectors.workspace_for(person=junior, program=program, today=_day(case_week, 0))
    assert workspace.week == case_week.week
    assert workspace.pairs == [] and workspace.cases == [] and workspace.content is None


def test_a_day_outside_the_programs_weeks_has_no_week(case_week, junior, program):
    workspace = selectors.workspace_for(person=junior, program=program, today=_day(case_week, 7))
    assert workspace.week is None and workspace.cases == []


@pytest.mark.parametrize(
    "person_name", ["director", "coordinator", "faculty", "researcher", "outsider"]
)
def test_the_workspace_is_for_juniors_and_seniors_only(case_week, program, request, person_name):
    with pytest.raises(PermissionDenied):
        selectors.workspace_for(
            person=request.getfixturevalue(person_name),
            program=program,
            today=case_week.today,
        )


def test_the_case_page_opens_for_the_pairs_of_its_week(case_week, junior, senior, program):
    case = case_week.cases[3]
    for person in (junior, senior):
        view = selectors.case_view_for(person=person, program=program, case_id=case.pk)
        assert view.case == case
        assert view.date == _day(case_week, 3)


@pytest.mark.parametrize("person_name", ["director", "faculty", "outsider"])
def test_the_case_page_is_closed_to_everyone_else(case_week, program, request, person_name):
    with pytest.raises(PermissionDenied):
        selectors.case_view_for(
            person=request.getfixturevalue(person_name),
            program=program,
            case_id=case_week.cases[0].pk,
        )


def test_no_peeking_at_a_case_of_a_week_you_are_not_paired_in(case_week, junior, program):
    with pytest.raises(PermissionDenied):
        selectors.case_view_for(person=junior, program=program, case_id=case_week.unplanned_case.pk)


def test_a_case_of_another_program_does_not_exist_here(case_week, junior, outsider):
    other_program = outsider.enrollments.get().program
    with pytest.raises(Case.DoesNotExist):
        selectors.case_view_for(person=junior, program=other_program, case_id=case_week.cases[0].pk)


def test_a_case_taught_again_later_is_dated_by_its_latest_week(case_week, junior, program):
    earlier = ProgramWeek.objects.create(
        program=program, starts_on=case_week.week.starts_on - datetime.timedelta(weeks=4)
    )
    WeekPlan.objects.create(program_week=earlier, curriculum_week=case_week.curriculum_week)
    Pair.objects.create(week=earlier, junior=junior, senior=case_week.pair.senior)
    view = selectors.case_view_for(person=junior, program=program, case_id=case_week.cases[0].pk)
    assert view.date == case_week.week.starts_on
    assert len(view.reviews) == 2
