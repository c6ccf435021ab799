"""A peer-group world for tests: a program of the small-group kind with a director,
faculty, researcher and as many learners as asked, and helpers to place them."""

import datetime

from django.utils import timezone

from medmentor.groups import services
from medmentor.groups.models import PeerGroup
from medmentor.programs.access import SYSTEM
from medmentor.programs.models import Enrollment, Role
from tests.conftest import make_person


def make_learners(program, count: int, *, start: int = 1, prefix: str = "member"):
    people = []
    for k in range(start, start + count):
        person = make_person(f"{prefix}{k}@lakeside.test", f"Member {prefix.title()} {k:02d}", "R2")
        Enrollment.objects.create(program=program, person=person, role=Role.JUNIOR)
        people.append(person)
    return people


def group_with(program, people, *, name="Thursday group", facilitator=None, accept=True):
    """A group of `people` (the first its facilitator unless `facilitator` is given),
    each having accepted the agreement when `accept`."""
    group = services.group_create(program=program, by=SYSTEM, name=name)
    facilitator = facilitator or people[0]
    for person in people:
        services.group_member_add(
            group=group, person=person, by=SYSTEM, is_facilitator=person == facilitator
        )
    if accept:
        agreement = services.agreement_current(program=program)
        for person in people:
            services.agreement_accept(program=program, agreement=agreement, by=person)
    return PeerGroup.objects.get(pk=group.pk)


def next_weekday(program, weekday: int, weeks_ahead: int = 1) -> datetime.date:
    today = timezone.now().astimezone(program.zone).date()
    return today + datetime.timedelta(
        days=(weekday - today.weekday()) % 7 + 7 * (weeks_ahead - 1) + 1
    )


def plan_series(group, facilitator, *, count=6, now=None, starts_on=None):
    """Every other Thursday 18:00 from the coming Thursday (or `starts_on`), `count`
    meetings, planned at `now`."""
    program = group.program
    return services.group_series_plan(
        group=group,
        by=facilitator,
        weekday=3,
        local_time=datetime.time(18, 0),
        starts_on=starts_on or next_weekday(program, 3),
        interval_weeks=2,
        count=count,
        now=now,
    )


def plan_series_with_past(group, facilitator, *, past=3, ahead=3):
    """A series whose first `past` meetings are over: planned as if months ago."""
    now = timezone.now()
    first = (now - datetime.timedelta(weeks=2 * past)).astimezone(group.program.zone).date()
    planned_at = now - datetime.timedelta(weeks=2 * past + 1)
    series = plan_series(group, facilitator, count=past + ahead, now=planned_at, starts_on=first)
    group.refresh_from_db()
    return series
