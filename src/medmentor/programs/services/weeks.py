"""Program weeks and the pairs of each week: deriving them, adding and removing them.

`program_weeks_ensure` creates the weeks of a program up to a day; `pairs_derive` pairs
every junior on the program's service in a week with every senior on it; `pair_add` and
`pair_remove` are the staff's hand changes. A finished week is frozen so the figures
shown for it never move: every write to a week's pairs or marks asks `week_require_open`,
which raises `WeekFinishedError` (docs/privacy.md).
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from medmentor.people.models import Person
from medmentor.programs import access, selectors
from medmentor.programs.access import Actor
from medmentor.programs.models import (
    Pair,
    PairOrigin,
    PairRemoval,
    Program,
    ProgramWeek,
)


def _monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def program_weeks_ensure(*, program: Program, until: datetime.date) -> list[ProgramWeek]:
    """Make sure every week from the program's start to the week holding `until` exists.

    Returns those weeks in order (existing ones included).
    """
    first = _monday_of(program.starts_on)
    last = _monday_of(until)
    if last < first:
        return []
    wanted = []
    monday = first
    while monday <= last:
        wanted.append(monday)
        monday += datetime.timedelta(days=7)
    with transaction.atomic():
        ProgramWeek.objects.bulk_create(
            [ProgramWeek(program=program, starts_on=monday) for monday in wanted],
            ignore_conflicts=True,
        )
        return list(
            ProgramWeek.objects.filter(
                program=program, starts_on__gte=first, starts_on__lte=last
            ).order_by("starts_on")
        )


@dataclass(frozen=True)
class PairDerivation:
    """The pairs of one week after deriving them, and the juniors left without a senior."""

    week: ProgramWeek
    pairs: list[Pair]
    juniors_without_senior: list[Person]
    added: int = 0
    removed: int = 0
    restored: int = 0  # schedule-removed pairs brought back, with their marks


class WeekFinishedError(ValidationError):
    """A change to a week that is over, refused: finished weeks are frozen so that the
    figures shown for them never move (docs/privacy.md). The message says which week
    ended when, and why."""

    def __init__(self, week: ProgramWeek) -> None:
        self.week = week
        super().__init__(selectors.week_finished_message(week=week), code="week_finished")

    def __str__(self) -> str:
        return str(self.message)


def week_require_open(*, week: ProgramWeek, today: datetime.date | None = None) -> None:
    """WeekFinishedError when `week` is over (in the program's time zone).

    The one check every write to a week's pairs or marks makes; `today` is the
    program's today unless given (the demo loader writes the history of past weeks
    as of the day it happened).
    """
    if selectors.week_is_finished(week=week, today=today):
        raise WeekFinishedError(week)


def pairs_derive(
    *, program: Program, week: ProgramWeek, today: datetime.date | None = None
) -> PairDerivation:
    """Pair every junior on the program's service in `week` with every senior on it.

    Pairs the schedule no longer supports are marked removed (removed_by schedule),
    never deleted: they keep their marks, and the same rows come back, marks and all,
    when the schedule supports them again. Only schedule-made pairs follow the
    schedule: a pair the director added stays, and one the director removed is never
    added back. WeekFinishedError for a week that is over.
    """
    if week.program_id != program.id:
        raise ValueError(f"{week} belongs to another program than {program}.")
    week_require_open(week=week, today=today)
    with transaction.atomic():
        on_service = selectors.on_service_by_week(program=program, weeks=[week])[week.id]
        wanted = {
            (junior.id, senior.id)
            for junior in on_service.juniors
            for senior in on_service.seniors
            if junior.id != senior.id
        }
        existing = {
            (pair.junior_id, pair.senior_id): pair for pair in Pair.objects.filter(week=week)
        }
        stale = [
            pair.id
            for key, pair in existing.items()
            if pair.origin == PairOrigin.SCHEDULE and not pair.is_removed and key not in wanted
        ]
        restored = [
            pair.id
            for key, pair in existing.items()
            if pair.is_removed and pair.removed_by == PairRemoval.SCHEDULE and key in wanted
        ]
        Pair.objects.filter(id__in=stale).update(
            is_removed=True, removed_by=PairRemoval.SCHEDULE, removed_at=timezone.now()
        )
        Pair.objects.filter(id__in=restored).update(
            is_removed=False, removed_by="", removed_at=None
        )
        added = Pair.objects.bulk_create(
            [
                Pair(week=week, junior_id=junior_id, senior_id=senior_id)
                for junior_id, senior_id in sorted(wanted - existing.keys())
            ]
        )
        pairs = selectors.pairs_for_week(week=week)
    with_senior = {pair.junior_id for pair in pairs}
    return PairDerivation(
        week=week,
        pairs=pairs,
        juniors_without_senior=[j for j in on_service.juniors if j.id not in with_senior],
        added=len(added),
        removed=len(stale),
        restored=len(restored),
    )


class PairError(ValueError):
    """A pair the director asked for that cannot be; the message says why."""


def _require_program_staff(*, program: Program, by: Actor) -> None:
    access.require_manager(
        by, program, "Only the program's directors and coordinators may change pairs."
    )


def pair_add(*, week: ProgramWeek, junior: Person, senior: Person, by: Actor) -> Pair:
    """The director pairs `junior` with `senior` for `week`; re-deriving keeps this pair.

    Adding a pair removed earlier brings the same pair back, with its marks.
    WeekFinishedError for a week that is over.
    """
    program = week.program
    _require_program_staff(program=program, by=by)
    week_require_open(week=week)
    if junior.pk == senior.pk:
        raise PairError("A person cannot be paired with themselves.")
    if not access.program_access(junior, program).is_junior:
        raise PairError(f"{junior.full_name} is not a junior in {program.name}.")
    if not access.program_access(senior, program).is_senior:
        raise PairError(f"{senior.full_name} is not a senior in {program.name}.")
    with transaction.atomic():
        pair, created = Pair.objects.select_for_update().get_or_create(
            week=week,
            junior=junior,
            senior=senior,
            defaults={"origin": PairOrigin.DIRECTOR},
        )
        if not created and pair.is_removed:
            pair.is_removed = False
            pair.origin = PairOrigin.DIRECTOR
            pair.removed_by = ""
            pair.removed_at = None
            pair.save(update_fields=["is_removed", "origin", "removed_by", "removed_at"])
    return pair


def pair_remove(*, pair: Pair, by: Actor) -> Pair:
    """The director ends a pair for its week; it is kept, marked removed (with its
    marks, which no longer count), so that re-deriving from the schedule does not
    bring it back. WeekFinishedError for a week that is over."""
    _require_program_staff(program=pair.week.program, by=by)
    week_require_open(week=pair.week)
    with transaction.atomic():
        pair.is_removed = True
        pair.removed_by = PairRemoval.DIRECTOR
        pair.removed_at = timezone.now()
        pair.save(update_fields=["is_removed", "removed_by", "removed_at"])
    return pair
