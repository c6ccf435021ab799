"""Meetings tests: the shared people of tests/conftest.py (senior and junior are the
pair; other_junior is another learner of the program; director its director)."""

import datetime
import zoneinfo

import icalendar
import pytest
from django.utils import timezone

from medmentor.meetings import services
from medmentor.messaging.models import OutboxAttachment

pytestmark = pytest.mark.usefixtures("fast_passwords")


def at(zone: str, *args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=zoneinfo.ZoneInfo(zone))


@pytest.fixture
def london(program):
    """The program runs in Europe/London (BST starts 28 March 2027)."""
    program.time_zone = "Europe/London"
    program.save(update_fields=["time_zone"])
    return program


@pytest.fixture
def one_off(program, senior, junior):
    """A meeting of the pair, next week, planned by the senior."""
    start = timezone.now().astimezone(program.zone).replace(
        hour=18, minute=0, second=0, microsecond=0
    ) + datetime.timedelta(days=7)
    return services.meeting_plan(
        program=program,
        organizer=senior,
        participants=[senior, junior],
        title="Mentoring meeting",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        place="Library, room 2",
        agenda="Goals for the block",
    )


@pytest.fixture
def past_meeting(program, senior, junior):
    """A meeting of the pair that ended two days ago (planned before it happened)."""
    now = timezone.now()
    start = now - datetime.timedelta(days=2)
    return services.meeting_plan(
        program=program,
        organizer=senior,
        participants=[senior, junior],
        title="Coffee and questions",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        now=start - datetime.timedelta(days=1),
    )


def attached_calendars(*, uid_prefix: str = "", person=None) -> list[icalendar.Calendar]:
    """The .ics files queued in the outbox (oldest first), parsed back by icalendar."""
    rows = OutboxAttachment.objects.order_by("id").select_related("message")
    if person is not None:
        rows = rows.filter(message__person=person)
    calendars = [icalendar.Calendar.from_ical(bytes(row.content)) for row in rows]
    return [c for c in calendars if str(c.walk("VEVENT")[0]["UID"]).startswith(uid_prefix)]
