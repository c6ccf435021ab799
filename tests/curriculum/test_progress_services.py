"""Writes of the case-review program: week plans, learning style, reveals, review marks."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from medmentor.curriculum import services
from medmentor.curriculum.models import (
    AnswerReveal,
    CaseLearningStyle,
    CaseReview,
    Curriculum,
    WeekPlan,
)
from medmentor.programs.models import Pair, ProgramWeek
from tests.conftest import coming_monday, make_curriculum_week

pytestmark = pytest.mark.usefixtures("fast_passwords")


def _weeks(program, count):
    """`count` weeks of a program that starts next week (finished weeks' plans are frozen)."""
    program.starts_on = coming_monday(program)
    program.save(update_fields=["starts_on"])
    return [
        ProgramWeek.objects.create(
            program=program, starts_on=program.starts_on + datetime.timedelta(weeks=index)
        )
        for index in range(count)
    ]


def _plans(program):
    return {
        plan.program_week.starts_on: plan.curriculum_week.number
        for plan in WeekPlan.objects.filter(program_week__program=program).select_related(
            "program_week", "curriculum_week"
        )
    }


# --- week plans ---------------------------------------------------------------------


def test_week_plans_assign_cycles_through_the_curriculum_from_the_program_start(program):
    curriculum = Curriculum.objects.create(program=program, title="NM")
    for number in (2, 1, 3):  # created out of order: the number decides
        make_curriculum_week(curriculum, number, f"Topic {number}")
    weeks = _weeks(program, 7)

    created = services.week_plans_assign(program=program)

    assert len(created) == 7
    assert [_plans(program)[week.starts_on] for week in weeks] == [1, 2, 3, 1, 2, 3, 1]


def test_week_plans_assign_keeps_the_directors_choice_and_only_fills_gaps(program):
    curriculum = Curriculum.objects.create(program=program, title="NM")
    first = make_curriculum_week(curriculum, 1, "One")
    make_curriculum_week(curriculum, 2, "Two")
    third = make_curriculum_week(curriculum, 3, "Three")
    weeks = _weeks(program, 3)
    services.week_plan_set(program_week=weeks[0], curriculum_week=third)

    created = services.week_plans_assign(program=program)
    again = services.week_plans_assign(program=program)

    assert len(created) == 2 and again == []
    assert [_plans(program)[week.starts_on] for week in weeks] == [3, 2, 3]
    assert first.plans.count() == 0


def test_week_plans_assign_without_a_curriculum_plans_nothing(program):
    _weeks(program, 2)
    assert services.week_plans_assign(program=program) == []
    assert not WeekPlan.objects.exists()


def test_week_plan_set_refuses_another_programs_curriculum_week(program, outsider):
    other_program = outsider.enrollments.get().program
    other_week = make_curriculum_week(
        Curriculum.objects.create(program=other_program, title="Other"), 1, "Elsewhere"
    )
    (week,) = _weeks(program, 1)
    with pytest.raises(ValidationError, match="another program"):
        services.week_plan_set(program_week=week, curriculum_week=other_week)
    assert not WeekPlan.objects.exists()


def test_week_plan_set_replaces_the_weeks_plan(case_week):
    week_two = case_week.curriculum.weeks.get(number=2)
    services.week_plan_set(program_week=case_week.week, curriculum_week=week_two)
    assert WeekPlan.objects.get(program_week=case_week.week).curriculum_week == week_two


# --- learning style and reveals -------------------------------------------------------


def test_junior_chooses_and_changes_their_learning_style(case_week, junior):
    case = case_week.cases[0]
    services.case_learning_style_choose(junior=junior, case=case, style="blind")
    services.case_learning_style_choose(junior=junior, case=case, style="read_first")
    assert CaseLearningStyle.objects.get(junior=junior, case=case).style == "read_first"


@pytest.mark.parametrize("person_name", ["senior", "director", "faculty", "outsider"])
def test_only_a_paired_junior_may_choose_a_style(case_week, request, person_name):
    person = request.getfixturevalue(person_name)
    with pytest.raises(PermissionDenied):
        services.case_learning_style_choose(junior=person, case=case_week.cases[0], style="blind")
    assert not CaseLearningStyle.objects.exists()


def test_other_junior_may_choose_for_their_own_case(case_week, other_junior):
    services.case_learning_style_choose(junior=other_junior, case=case_week.cases[0], style="blind")
    assert CaseLearningStyle.objects.get().junior == other_junior


def test_a_case_of_an_unplanned_week_is_closed_even_to_the_junior(case_week, junior):
    with pytest.raises(PermissionDenied):
        services.case_learning_style_choose(
            junior=junior, case=case_week.unplanned_case, style="blind"
        )


def test_a_junior_removed_from_their_pair_loses_the_case(case_week, junior):
    Pair.objects.filter(pk=case_week.pair.pk).update(is_removed=True)
    with pytest.raises(PermissionDenied):
        services.answer_reveal(junior=junior, question=case_week.cases[0].questions.first())


def test_an_unknown_style_is_refused_by_name(case_week, junior):
    with pytest.raises(ValidationError, match="“peek”"):
        services.case_learning_style_choose(junior=junior, case=case_week.cases[0], style="peek")
    assert not CaseLearningStyle.objects.exists()


def test_revealing_an_answer_twice_keeps_one_reveal(case_week, junior):
    question = case_week.cases[0].questions.first()
    services.answer_reveal(junior=junior, question=question)
    services.answer_reveal(junior=junior, question=question)
    assert AnswerReveal.objects.filter(junior=junior).count() == 1


def test_a_senior_cannot_reveal_for_the_junior(case_week, senior):
    with pytest.raises(PermissionDenied):
        services.answer_reveal(junior=senior, question=case_week.cases[0].questions.first())
    assert not AnswerReveal.objects.exists()


# --- reviewed or skipped --------------------------------------------------------------


@pytest.mark.parametrize("marker", ["junior", "senior"])
def test_either_member_of_the_pair_marks_a_case(case_week, request, marker):
    person = request.getfixturevalue(marker)
    review = services.case_review_mark(
        pair=case_week.pair, case=case_week.cases[0], status="reviewed", by=person
    )
    assert (review.status, review.marked_by) == ("reviewed", person)


def test_the_pair_changes_its_mind_between_reviewed_skipped_and_unmarked(case_week, junior, senior):
    pair, case = case_week.pair, case_week.cases[0]
    services.case_review_mark(pair=pair, case=case, status="reviewed", by=junior)
    services.case_review_mark(pair=pair, case=case, status="skipped", by=senior)
    assert CaseReview.objects.get(pair=pair, case=case).status == "skipped"
    assert services.case_review_mark(pair=pair, case=case, status="clear", by=junior) is None
    assert not CaseReview.objects.exists()


@pytest.mark.parametrize("person_name", ["other_junior", "other_senior", "director", "faculty"])
def test_nobody_outside_the_pair_may_mark_its_case(case_week, request, person_name):
    person = request.getfixturevalue(person_name)
    with pytest.raises(PermissionDenied):
        services.case_review_mark(
            pair=case_week.pair, case=case_week.cases[0], status="reviewed", by=person
        )
    assert not CaseReview.objects.exists()


def test_a_case_from_another_week_cannot_be_marked(case_week, junior):
    with pytest.raises(ValidationError, match="not one of the cases"):
        services.case_review_mark(
            pair=case_week.pair, case=case_week.unplanned_case, status="reviewed", by=junior
        )


def test_an_unknown_mark_is_refused_by_name(case_week, junior):
    with pytest.raises(ValidationError, match="“done”"):
        services.case_review_mark(
            pair=case_week.pair, case=case_week.cases[0], status="done", by=junior
        )
    assert not CaseReview.objects.exists()


def test_a_removed_pair_cannot_mark(case_week, junior):
    Pair.objects.filter(pk=case_week.pair.pk).update(is_removed=True)
    case_week.pair.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.case_review_mark(
            pair=case_week.pair, case=case_week.cases[0], status="skipped", by=junior
        )
