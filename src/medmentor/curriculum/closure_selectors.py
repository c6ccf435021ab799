"""Reads of a case-review program's holidays and closures: which service days of which
weeks are closed (for planning, the holidays page and the weekly email editor). Kept
apart from selectors.py, whose reads apply privacy rule 1; these show no one's
progress, only the program's calendar, and only to those who run it."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import QuerySet

from medmentor.curriculum.models import Closure, ServiceDay
from medmentor.people.models import Person
from medmentor.programs import access
from medmentor.programs.models import Program, ProgramWeek

SERVICE_DAYS = len(ServiceDay.values)  # Monday to Friday


@dataclass(frozen=True)
class WeekClosures:
    """The closed service days of one program week, with the closures' names."""

    week: ProgramWeek
    days: list[tuple[datetime.date, str]]  # (service day, closure name), by day

    @property
    def closed(self) -> bool:
        """Every service day is closed: the week teaches no curriculum week."""
        return len(self.days) == SERVICE_DAYS

    @property
    def open_days(self) -> int:
        return SERVICE_DAYS - len(self.days)


def closed_service_days(
    *, program: Program, starts_on: datetime.date, ends_on: datetime.date
) -> dict[datetime.date, str]:
    """The service days (Monday to Friday) from `starts_on` to `ends_on` that a closure
    of `program` covers, with the closure's name (the first by date, when several)."""
    closed: dict[datetime.date, str] = {}
    for closure in Closure.objects.filter(
        program=program, starts_on__lte=ends_on, ends_on__gte=starts_on
    ):
        day = max(closure.starts_on, starts_on)
        while day <= min(closure.ends_on, ends_on):
            if day.weekday() < SERVICE_DAYS:
                closed.setdefault(day, closure.name)
            day += datetime.timedelta(days=1)
    return closed


def week_closures(*, program: Program, weeks: Sequence[ProgramWeek]) -> dict[int, WeekClosures]:
    """Each of `weeks`' closed service days (one query), by week id."""
    if not weeks:
        return {}
    closed = closed_service_days(
        program=program,
        starts_on=min(week.starts_on for week in weeks),
        ends_on=max(week.starts_on for week in weeks) + datetime.timedelta(days=6),
    )
    return {
        week.id: WeekClosures(
            week=week,
            days=sorted(
                (day, name)
                for day, name in closed.items()
                if week.starts_on <= day <= week.starts_on + datetime.timedelta(days=6)
            ),
        )
        for week in weeks
    }


def closures_of(*, program: Program, viewer: Person) -> QuerySet:
    """The program's holidays and closures, by date: for those who run it."""
    access.require_manager(viewer, program)
    return Closure.objects.filter(program=program)
