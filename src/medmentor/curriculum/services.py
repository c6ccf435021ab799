"""Every write of the case-review program: week plans and the learners' own progress.

The progress writes (learning style, revealed answers, reviewed/skipped) are made only
by their owners — the junior, or a member of the pair — and each checks that itself,
so a view, an API endpoint or a console command cannot write for someone else. They
are made only while the week is running: a week to come has not opened its cases, and
a finished week is frozen, its marks kept as they were so that the figures shown for
it never move (docs/privacy.md). The plan of a finished week is frozen too.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from medmentor.curriculum.closure_selectors import SERVICE_DAYS, closed_service_days
from medmentor.curriculum.models import (
    AnswerReveal,
    Case,
    CaseLearningStyle,
    CaseReview,
    Closure,
    CurriculumWeek,
    LearningStyle,
    Question,
    ReviewStatus,
    WeekPlan,
)
from medmentor.curriculum.selectors import case_work_window, junior_weeks_for_case
from medmentor.people.models import Person
from medmentor.programs import access
from medmentor.programs.models import Pair, Program, ProgramWeek
from medmentor.programs.selectors import program_today, week_is_finished
from medmentor.programs.services import WeekFinishedError, week_require_open

# What `case_review_mark` accepts besides the ReviewStatus values: undo the mark.
REVIEW_CLEAR = "clear"


@transaction.atomic
def week_plans_assign(*, program: Program, today: datetime.date | None = None) -> list[WeekPlan]:
    """Give each program week without a plan a curriculum week, cycling through the
    curriculum in number order from `program.starts_on` (week 1 in the program's first
    week, and round again after the last). A week whose service days are all closed
    (holidays and closures) is skipped and does not count in the turn: the week after
    it teaches what it would have. Plans that exist — set by the director with
    `week_plan_set`, or by an earlier run — are kept, and finished weeks are left as
    they were. Returns the plans created. `today` is the program's today unless given
    (the demo loader writes past weeks' history as of their time)."""
    curriculum_weeks = list(
        CurriculumWeek.objects.filter(curriculum__program=program).order_by("number")
    )
    if not curriculum_weeks:
        return []
    planned = WeekPlan.objects.filter(program_week__program=program).values("program_week")
    unplanned = list(
        ProgramWeek.objects.filter(program=program).exclude(pk__in=planned).order_by("starts_on")
    )
    if not unplanned:
        return []
    if today is None:
        today = program_today(program=program)
    closed_mondays = _closed_mondays(
        program=program, until=unplanned[-1].starts_on + datetime.timedelta(days=6)
    )
    plans = []
    for program_week in unplanned:
        if week_is_finished(week=program_week, today=today):
            continue
        if program_week.starts_on in closed_mondays:
            continue
        weeks_in = (program_week.starts_on - program.starts_on).days // 7
        weeks_in -= sum(
            1 for monday in closed_mondays if program.starts_on <= monday < program_week.starts_on
        )
        plans.append(
            WeekPlan(
                program_week=program_week,
                curriculum_week=curriculum_weeks[weeks_in % len(curriculum_weeks)],
            )
        )
    return WeekPlan.objects.bulk_create(plans)


def _closed_mondays(*, program: Program, until: datetime.date) -> set[datetime.date]:
    """The Mondays of the weeks up to `until` whose service days are all closed."""
    start = min(program.starts_on, until)
    closed = closed_service_days(program=program, starts_on=start, ends_on=until)
    mondays: dict[datetime.date, int] = {}
    for day in closed:
        monday = day - datetime.timedelta(days=day.weekday())
        mondays[monday] = mondays.get(monday, 0) + 1
    return {monday for monday, count in mondays.items() if count == SERVICE_DAYS}


@transaction.atomic
def week_plan_set(*, program_week: ProgramWeek, curriculum_week: CurriculumWeek) -> WeekPlan:
    """Make `program_week` teach `curriculum_week` (the director's choice, kept by
    `week_plans_assign`). The caller checks that the person may run the program.
    WeekFinishedError for a week that is over: what it taught is what its marks and
    figure are about."""
    week_require_open(week=program_week)
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
    """PermissionDenied unless `junior` is the junior of a current pair in a week that
    teaches `case`; WeekFinishedError when all those weeks are over; PermissionDenied
    when none has started."""
    weeks = junior_weeks_for_case(person=junior, case=case)
    if not weeks:
        raise PermissionDenied(
            f"Only a junior paired in a week that teaches “{case.title}” may do this."
        )
    _require_running(weeks=weeks, today=program_today(program=weeks[0].program))


def _require_running(*, weeks: list[ProgramWeek], today: datetime.date) -> None:
    window = case_work_window(weeks=weeks, today=today)
    if window.finished_week is not None:
        raise WeekFinishedError(window.finished_week)
    if not window.open:
        raise PermissionDenied(window.note)


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
def case_review_mark(
    *,
    pair: Pair,
    case: Case,
    status: str,
    by: Person,
    today: datetime.date | None = None,
    one_set: bool = False,
) -> CaseReview | None:
    """Either member of `pair` marks `case` reviewed or skipped, or clears the mark
    (`status="clear"`). Changing one's mind is fine: skipping needs no reason. Only
    while the pair's week runs: WeekFinishedError once it is over (its figure must
    never move), PermissionDenied before it starts. `today` is the program's today
    unless given (the demo loader writes past weeks' marks as of their time).

    With `one_set`, the junior's own marks on their other pairs of the week for this
    case go (the junior's one set of marks when they have several seniors).

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
    if today is None:
        today = program_today(program=pair.week.program)
    _require_running(weeks=[pair.week], today=today)
    plan = WeekPlan.objects.filter(program_week_id=pair.week_id).first()
    if plan is None or plan.curriculum_week_id != case.week_id:
        raise ValidationError(f"“{case.title}” is not one of the cases of this pair's week.")
    if one_set and by.pk == pair.junior_id:
        # A junior with several seniors this week marks each case once: the case was
        # reviewed (or skipped) with one of them, so the mark on their other pairs of
        # the week goes (one case a day, seed 000).
        others = Pair.objects.filter(
            week_id=pair.week_id, junior_id=pair.junior_id, is_removed=False
        ).exclude(pk=pair.pk)
        CaseReview.objects.filter(pair__in=others, case=case).delete()
    if status == REVIEW_CLEAR:
        CaseReview.objects.filter(pair=pair, case=case).delete()
        return None
    review, _ = CaseReview.objects.update_or_create(
        pair=pair,
        case=case,
        defaults={"status": status, "marked_by": by, "marked_at": timezone.now()},
    )
    return review


# --- Holidays and closures -------------------------------------------------------------


def _closure_checked(*, name: str, starts_on: datetime.date, ends_on: datetime.date | None):
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Name: say what it is, e.g. “Thanksgiving”."})
    if len(name) > 200:
        raise ValidationError({"name": f"Name: {len(name)} characters; keep it to 200."})
    ends_on = ends_on or starts_on
    if ends_on < starts_on:
        raise ValidationError(
            {
                "ends_on": f"Last day: {ends_on:%-d %B %Y} is before the first, "
                f"{starts_on:%-d %B %Y}."
            }
        )
    if (ends_on - starts_on).days > 366:
        raise ValidationError({"ends_on": "Last day: a closure lasts a year at most."})
    return name, starts_on, ends_on


@transaction.atomic
def closure_add(
    *,
    program: Program,
    by: access.Actor,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
) -> Closure:
    """A holiday or closure of `program` (one day, or `starts_on` to `ends_on`).
    Weeks planned from now on skip a week it closes entirely; plans made are kept."""
    access.require_manager(
        by, program, "Only the program's directors and coordinators set its calendar."
    )
    name, starts_on, ends_on = _closure_checked(name=name, starts_on=starts_on, ends_on=ends_on)
    closure, _ = Closure.objects.get_or_create(
        program=program, name=name, starts_on=starts_on, ends_on=ends_on
    )
    return closure


@transaction.atomic
def closures_import(*, program: Program, by: access.Actor, rows: list[tuple]) -> int:
    """Add the (name, starts_on, ends_on) rows of an imported file, all or none;
    returns how many were new (a row already there is not doubled)."""
    access.require_manager(
        by, program, "Only the program's directors and coordinators set its calendar."
    )
    added = 0
    for index, (name, starts_on, ends_on) in enumerate(rows, start=1):
        try:
            name, starts_on, ends_on = _closure_checked(
                name=name, starts_on=starts_on, ends_on=ends_on
            )
        except ValidationError as error:
            raise ValidationError(f"Row {index}: {'; '.join(error.messages)}") from None
        _, created = Closure.objects.get_or_create(
            program=program, name=name, starts_on=starts_on, ends_on=ends_on
        )
        added += created
    return added


@transaction.atomic
def closure_remove(*, closure: Closure, by: access.Actor) -> None:
    access.require_manager(
        by, closure.program, "Only the program's directors and coordinators set its calendar."
    )
    closure.delete()
