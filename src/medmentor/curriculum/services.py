"""Every write of the case-review program: week plans and the learners' own progress.

The progress writes (learning style, revealed answers, reviewed/skipped) are made only
by their owners — the junior, or a member of the pair — and each checks that itself,
so a view, an API endpoint or a console command cannot write for someone else.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from medmentor.curriculum.models import (
    AnswerReveal,
    Case,
    CaseLearningStyle,
    CaseReview,
    CurriculumWeek,
    LearningStyle,
    Question,
    ReviewStatus,
    WeekPlan,
)
from medmentor.curriculum.selectors import case_allowed_as_junior
from medmentor.people.models import Person
from medmentor.programs.models import Pair, Program, ProgramWeek

# What `case_review_mark` accepts besides the ReviewStatus values: undo the mark.
REVIEW_CLEAR = "clear"


@transaction.atomic
def week_plans_assign(*, program: Program) -> list[WeekPlan]:
    """Give each program week without a plan a curriculum week, cycling through the
    curriculum in number order from `program.starts_on` (week 1 in the program's first
    week, and round again after the last). Plans that exist — set by the director with
    `week_plan_set`, or by an earlier run — are kept. Returns the plans created."""
    curriculum_weeks = list(
        CurriculumWeek.objects.filter(curriculum__program=program).order_by("number")
    )
    if not curriculum_weeks:
        return []
    planned = WeekPlan.objects.filter(program_week__program=program).values("program_week")
    unplanned = ProgramWeek.objects.filter(program=program).exclude(pk__in=planned)
    plans = []
    for program_week in unplanned.order_by("starts_on"):
        weeks_in = (program_week.starts_on - program.starts_on).days // 7
        plans.append(
            WeekPlan(
                program_week=program_week,
                curriculum_week=curriculum_weeks[weeks_in % len(curriculum_weeks)],
            )
        )
    return WeekPlan.objects.bulk_create(plans)


@transaction.atomic
def week_plan_set(*, program_week: ProgramWeek, curriculum_week: CurriculumWeek) -> WeekPlan:
    """Make `program_week` teach `curriculum_week` (the director's choice, kept by
    `week_plans_assign`). The caller checks that the person may run the program."""
    if curriculum_week.curriculum.program_id != program_week.program_id:
        raise ValidationError(
            f"Curriculum week {curriculum_week.number} ({curriculum_week.topic}) belongs to "
            f"another program's curriculum."
        )
    plan, _ = WeekPlan.objects.update_or_create(
        program_week=program_week, defaults={"curriculum_week": curriculum_week}
    )
    return plan


def _require_junior_of(*, junior: Person, case: Case) -> None:
    if not case_allowed_as_junior(person=junior, case=case):
        raise PermissionDenied(
            f"Only a junior paired in a week that teaches “{case.title}” may do this."
        )


@transaction.atomic
def case_learning_style_choose(*, junior: Person, case: Case, style: str) -> CaseLearningStyle:
    """The junior chooses how to meet `case`: read the answers first, or go in blind.

    They may change their mind; answers revealed while blind stay revealed.
    """
    if style not in LearningStyle.values:
        raise ValidationError(
            f"“{style}” is not a learning style; choose one of: "
            + ", ".join(LearningStyle.values)
            + "."
        )
    _require_junior_of(junior=junior, case=case)
    choice, _ = CaseLearningStyle.objects.update_or_create(
        junior=junior, case=case, defaults={"style": style, "chosen_at": timezone.now()}
    )
    return choice


@transaction.atomic
def answer_reveal(*, junior: Person, question: Question) -> AnswerReveal:
    """The junior reveals one answer. Revealing it again changes nothing."""
    _require_junior_of(junior=junior, case=question.case)
    reveal, _ = AnswerReveal.objects.get_or_create(junior=junior, question=question)
    return reveal


@transaction.atomic
def case_review_mark(*, pair: Pair, case: Case, status: str, by: Person) -> CaseReview | None:
    """Either member of `pair` marks `case` reviewed or skipped, or clears the mark
    (`status="clear"`). Changing one's mind is fine: skipping needs no reason.

    Returns the mark, or None after clearing.
    """
    if by.pk not in (pair.junior_id, pair.senior_id):
        raise PermissionDenied("Only the junior and the senior of this pair may mark its cases.")
    if pair.is_removed:
        raise PermissionDenied("This pair was removed by the director; its cases are closed.")
    if status not in (*ReviewStatus.values, REVIEW_CLEAR):
        raise ValidationError(
            f"“{status}” is not a mark; use one of: "
            + ", ".join((*ReviewStatus.values, REVIEW_CLEAR))
            + "."
        )
    plan = WeekPlan.objects.filter(program_week_id=pair.week_id).first()
    if plan is None or plan.curriculum_week_id != case.week_id:
        raise ValidationError(f"“{case.title}” is not one of the cases of this pair's week.")
    if status == REVIEW_CLEAR:
        CaseReview.objects.filter(pair=pair, case=case).delete()
        return None
    review, _ = CaseReview.objects.update_or_create(
        pair=pair,
        case=case,
        defaults={"status": status, "marked_by": by, "marked_at": timezone.now()},
    )
    return review
