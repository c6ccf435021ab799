"""Every read of meetings that a page, feed or email shows, with the privacy rules.

- A participant (or the organizer) sees the whole meeting, and its log (length and
  topics) — the log only participants.
- The program's staff (director, coordinator) see that a meeting was planned, when,
  who is in it and whether it happened — never its agenda, place, link or log.
- Anyone else: the meeting does not exist for them (Meeting.DoesNotExist).
"""

import datetime
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from medmentor.meetings import calendar_files as ics
from medmentor.meetings.events import meeting_event, series_event
from medmentor.meetings.models import (
    CalendarFeedToken,
    CalendarVersion,
    Meeting,
    MeetingLog,
    MeetingSeries,
)
from medmentor.meetings.services import MeetingError
from medmentor.people.models import Person
from medmentor.programs.models import LEARNER_ROLES, STAFF_ROLES, Program
from medmentor.programs.selectors import roles_in_program


@dataclass(frozen=True)
class MeetingView:
    """A meeting as one viewer may see it. `full` is False for staff outside it: then
    only the time, participants and whether it happened are filled in."""

    meeting: Meeting
    full: bool
    is_participant: bool
    is_organizer: bool
    participants: tuple[Person, ...]
    log: MeetingLog | None
    my_answer: str

    @property
    def local_start(self) -> datetime.datetime:
        return self.meeting.starts_at.astimezone(self.meeting.zone)

    @property
    def local_end(self) -> datetime.datetime:
        return self.meeting.ends_at.astimezone(self.meeting.zone)


def _view(meeting: Meeting, viewer: Person, *, staff: bool) -> MeetingView:
    participants = tuple(a.person for a in meeting.attendance.all())
    mine = [a for a in meeting.attendance.all() if a.person_id == viewer.pk]
    is_participant = bool(mine)
    is_organizer = meeting.organizer_id == viewer.pk
    if not (is_participant or is_organizer or staff):
        raise Meeting.DoesNotExist
    log = None
    if is_participant:  # the log is the participants' alone
        try:
            log = meeting.log
        except MeetingLog.DoesNotExist:
            log = None
    return MeetingView(
        meeting=meeting,
        full=is_participant or is_organizer,
        is_participant=is_participant,
        is_organizer=is_organizer,
        participants=participants,
        log=log,
        my_answer=mine[0].answer if mine else "",
    )


def _with_people(meetings):
    return meetings.select_related("program", "organizer", "series", "log").prefetch_related(
        "attendance__person"
    )


def _is_staff(*, program: Program, viewer: Person) -> bool:
    # TODO(access): the lead switches this to programs/access.py.
    return bool(roles_in_program(person=viewer, program=program) & set(STAFF_ROLES))


def meeting_for_viewer(*, program: Program, meeting_id: int, viewer: Person) -> MeetingView:
    """One meeting of `program` as `viewer` may see it; Meeting.DoesNotExist when they
    may not see it at all (shown as 404: no one learns it exists)."""
    meeting = _with_people(Meeting.objects.filter(program=program)).get(pk=meeting_id)
    return _view(meeting, viewer, staff=_is_staff(program=program, viewer=viewer))


@dataclass(frozen=True)
class MeetingsPage:
    upcoming: list[MeetingView]
    past: list[MeetingView]
    # Staff: the program's meetings that the viewer is not in (time, people, happened).
    program_meetings: list[MeetingView]
    may_plan: bool
    is_staff: bool


def meetings_for_viewer(
    *, program: Program, viewer: Person, now: datetime.datetime | None = None
) -> MeetingsPage:
    now = now or timezone.now()
    roles = roles_in_program(person=viewer, program=program)
    staff = bool(roles & set(STAFF_ROLES))
    mine_q = Q(attendance__person=viewer) | Q(organizer=viewer)
    mine = list(
        _with_people(
            Meeting.objects.filter(mine_q, program=program, cancelled_at__isnull=True).distinct()
        ).order_by("starts_at")
    )
    views = [_view(m, viewer, staff=staff) for m in mine]
    upcoming = [v for v in views if v.meeting.ends_at > now]
    past = [v for v in views if v.meeting.ends_at <= now][::-1]
    program_meetings = []
    if staff:
        others = _with_people(
            Meeting.objects.filter(program=program, cancelled_at__isnull=True)
            .exclude(pk__in=[m.pk for m in mine])
            .order_by("-starts_at")
        )[:200]
        program_meetings = [_view(m, viewer, staff=True) for m in others]
    return MeetingsPage(
        upcoming=upcoming,
        past=past,
        program_meetings=program_meetings,
        may_plan=bool(roles & {*STAFF_ROLES, *LEARNER_ROLES}),
        is_staff=staff,
    )


def program_people_for_planning(*, program: Program) -> QuerySet[Person]:
    """Who can be invited to a meeting of `program`: its active people."""
    return (
        Person.objects.filter(enrollments__program=program, is_active=True)
        .distinct()
        .order_by("full_name")
    )


# --- The feed -----------------------------------------------------------------------------

FEED_CACHE_SECONDS = 24 * 3600


class FeedTokenRevoked(MeetingError):
    pass


class FeedTokenUnknown(MeetingError):
    pass


def calendar_feed_person(*, token: str) -> tuple[Person, int]:
    """The owner of a live feed token and their calendar version (one query)."""
    row = (
        CalendarFeedToken.objects.filter(digest=CalendarFeedToken.digest_of(token))
        .select_related("person", "person__calendar_version")
        .first()
    )
    if row is None:
        raise FeedTokenUnknown("This calendar address is not known: it may be mistyped.")
    if row.revoked_at is not None:
        raise FeedTokenRevoked(
            f"This calendar address was turned off on {row.revoked_at:%d %B %Y}. Its owner "
            "can make a new one on their meetings page."
        )
    if not row.person.is_active:
        raise FeedTokenRevoked("This calendar address belongs to an account that is switched off.")
    try:
        version = row.person.calendar_version.version
    except CalendarVersion.DoesNotExist:
        version = 0
    return row.person, version


def calendar_events_of(*, person: Person) -> list[ics.CalendarEvent]:
    """Every series and one-off meeting `person` takes part in, as calendar events."""
    series = (
        MeetingSeries.objects.filter(participants=person, cancelled_at__isnull=True)
        .select_related("program", "organizer")
        .prefetch_related("participants", "skipped")
    )
    meetings = (
        Meeting.objects.filter(
            attendance__person=person, series__isnull=True, cancelled_at__isnull=True
        )
        .select_related("program", "organizer")
        .prefetch_related(Prefetch("participants"))
    )
    return [series_event(s) for s in series] + [meeting_event(m) for m in meetings]


def calendar_feed_build(*, person: Person) -> bytes:
    return ics.feed_ics(events=calendar_events_of(person=person), name="medmentor meetings")


def calendar_feed_body(*, token: str) -> bytes:
    """The feed of the token's owner, from the cache when their calendar version has
    not changed since it was built (services.calendar_versions_bump)."""
    person, version = calendar_feed_person(token=token)
    key = f"meetings:feed:{person.pk}:{version}"
    body = cache.get(key)
    if body is None:
        body = calendar_feed_build(person=person)
        cache.set(key, body, FEED_CACHE_SECONDS)
    return body


def calendar_feed_status(*, person: Person) -> CalendarFeedToken | None:
    """The person's live feed token row (its secret is not kept), or None."""
    return CalendarFeedToken.objects.filter(person=person, revoked_at__isnull=True).first()
