"""Every write of the conferences app: keyword-only functions, one transaction each,
each told who acts (`by`) and checking it.

Refusals raise ConferenceError with a message that names what was refused and why;
nothing is written then (each service checks before it writes, and writes in one
transaction).
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from medmentor.conferences.models import (
    Attendance,
    CheckInWay,
    ConferenceDefaults,
    ConferenceSession,
    HelpResource,
    PartKind,
    PartStatus,
    Segment,
    SegmentKind,
    SessionPart,
)
from medmentor.meetings import services as meetings
from medmentor.meetings.models import MeetingParticipant
from medmentor.messaging.personal_links import personal_link_placeholder
from medmentor.messaging.services import RenderedEmail, outbox_enqueue_many
from medmentor.people.models import Person
from medmentor.programs import access
from medmentor.programs.access import Actor
from medmentor.programs.models import Program, Role
from medmentor.programs.selectors import program_people_in_role
from medmentor.surveys.library import instrument_create
from medmentor.surveys.models import Anonymity, Wave
from medmentor.surveys.services import invitations_create


class ConferenceError(ValueError):
    """A refused conference change; the message says what and why, in plain words."""


# Check-in opens this long before a session starts and closes when it ends; the
# facilitator may tick people for a week after.
CHECK_IN_OPENS_BEFORE = datetime.timedelta(minutes=30)
TICK_CLOSES_AFTER = datetime.timedelta(days=7)
FEEDBACK_OPEN_DAYS = 7

# The run sheet a new session starts with (the seed-001 conference), when it fits.
DEFAULT_RUN_SHEET = (
    (SegmentKind.WELCOME, 5, "The facilitator"),
    (SegmentKind.STORIES, 20, "The storytellers"),
    (SegmentKind.FACULTY, 15, "Supportive faculty"),
    (SegmentKind.OPEN, 15, "Everyone"),
    (SegmentKind.CLOSING, 5, "The chaplain"),
)

# The anonymous feedback after each session: short, and the same every time so the
# report can pool it across sessions.
FEEDBACK_SPEC: dict[str, Any] = {
    "title": "Peer-support conference feedback",
    "introduction": "Four short questions about the session. Nobody can tell who answered.",
    "consent_text": (
        "This feedback helps the residents who run the conference improve it. It is "
        "anonymous: your answers are stored without your name, and results are shown only "
        "pooled over at least five answers. Taking part is optional."
    ),
    "items": [
        {
            "key": "fb_worth",
            "text": "The session was worth my time.",
            "kind": "likert",
            "points": 5,
            "anchors": ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"],
        },
        {
            "key": "fb_connected",
            "text": "I feel more connected to my fellow residents.",
            "kind": "likert",
            "points": 5,
            "anchors": ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"],
        },
        {
            "key": "fb_normal",
            "text": "The session showed that it is normal to talk about personal challenges.",
            "kind": "likert",
            "points": 5,
            "anchors": ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"],
        },
        {
            "key": "fb_better",
            "text": "What would make the next session better? (Please name nobody.)",
            "kind": "text",
        },
    ],
}
FEEDBACK_LIKERT_KEYS = ("fb_worth", "fb_connected", "fb_normal")


def _local(when: datetime.datetime, session_or_meeting) -> str:
    meeting = getattr(session_or_meeting, "meeting", session_or_meeting)
    return f"{when.astimezone(meeting.zone):%A %d %B %Y, %H:%M}"


def session_runs(*, session: ConferenceSession, person: Actor) -> bool:
    """Whether `person` runs `session`: its facilitator, or the program's staff."""
    if access.program_access(person, session.program).manages:
        return True
    return getattr(person, "pk", None) == session.facilitator_id


def _require_runner(*, session: ConferenceSession, by: Actor, what: str) -> None:
    if not session_runs(session=session, person=by):
        raise ConferenceError(
            f"Only the session's facilitator and the program's directors and coordinators "
            f"can {what}."
        )


def _require_ahead(*, session: ConferenceSession, now, what: str) -> None:
    meeting = session.meeting
    if meeting.is_cancelled:
        raise ConferenceError(f"“{meeting.title}” was cancelled; nothing can {what} now.")
    if meeting.starts_at <= now:
        raise ConferenceError(
            f"“{meeting.title}” started on {_local(meeting.starts_at, meeting)}; "
            f"nothing can {what} now."
        )


# --- The program's defaults for new sessions ---------------------------------------------


def conference_defaults_set(
    *, program: Program, by: Actor, minutes: int, place: str = "", video_url: str = ""
) -> ConferenceDefaults:
    """Set what a new session of `program` starts with on the planning page: its length
    and its room or video link (either may be blank; the planner says where then). The
    program's managers only; asked when the program is created."""
    access.require_manager(by, program, "Only the program's directors and coordinators do this.")
    _check_length(minutes)
    place, video_url = place.strip(), video_url.strip()
    if len(place) > 200:
        raise ConferenceError("The room's name fits in 200 characters.")
    if video_url:
        try:
            URLValidator(schemes=["https", "http"])(video_url)
        except ValidationError:
            raise ConferenceError(
                f"The video link “{video_url[:80]}” is not a web address (https://…)."
            ) from None
    with transaction.atomic():
        defaults, _ = ConferenceDefaults.objects.update_or_create(
            program=program,
            defaults={"minutes": minutes, "place": place, "video_url": video_url},
        )
    return defaults


def conference_created(*, program: Program, by: Actor, answers: dict) -> None:
    """The conference kind's set-up when a program is created (kinds.register_creation):
    its defaults for new sessions, from the new program page's answers."""
    conference_defaults_set(
        program=program,
        by=by,
        minutes=answers.get("session_minutes") or 60,
        place=answers.get("session_place") or "",
        video_url=answers.get("session_video_url") or "",
    )


# --- Sessions ---------------------------------------------------------------------------


def session_invitees(*, program: Program, facilitator: Person) -> list[Person]:
    """Who a session's calendar invitation goes to: every resident and faculty member
    of the program (attendance is optional), the facilitator first."""
    people = [facilitator]
    for role in (Role.SENIOR, Role.JUNIOR, Role.FACULTY):
        people += program_people_in_role(program=program, role=role)
    return [person for person in dict.fromkeys(people) if person.is_active]


def session_invitations_sync(
    *, program: Program, by: Actor, now: datetime.datetime | None = None
) -> int:
    """Invite to every session of `program` still ahead the residents and faculty who
    joined the program after it was planned (attendance is optional for all of them):
    a one-off session's invitation goes to each newcomer, a series' update to everyone
    in it (meetings.series_participants_add). Run by the worker (tasks.py) and whenever
    a session is planned. The program's managers or access.SYSTEM. Returns how many
    invitations were added (a person counts once per session or series)."""
    now = now or timezone.now()
    access.require_manager(by, program, "Only the program's directors and coordinators do this.")
    coming = list(
        ConferenceSession.objects.filter(
            program=program, meeting__starts_at__gt=now, meeting__cancelled_at__isnull=True
        ).select_related("meeting__series", "meeting__program")
    )
    if not coming:
        return 0
    everyone = [
        person
        for role in (Role.SENIOR, Role.JUNIOR, Role.FACULTY)
        for person in program_people_in_role(program=program, role=role)
        if person.is_active
    ]
    invited: dict[int, set[int]] = {}
    for meeting_id, person_id in MeetingParticipant.objects.filter(
        meeting__in=[session.meeting for session in coming]
    ).values_list("meeting_id", "person_id"):
        invited.setdefault(meeting_id, set()).add(person_id)
    added = 0
    series_done: set[int] = set()
    try:
        with transaction.atomic():
            for session in coming:
                meeting = session.meeting
                new = [p for p in everyone if p.pk not in invited.get(meeting.pk, set())]
                if not new:
                    continue
                if meeting.series is None:
                    added += meetings.meeting_participants_add(
                        meeting=meeting, people=new, by=access.SYSTEM, now=now
                    )
                elif meeting.series.pk not in series_done:
                    series_done.add(meeting.series.pk)
                    added += meetings.series_participants_add(
                        series=meeting.series, people=new, by=access.SYSTEM, now=now
                    )
    except meetings.MeetingError as error:
        raise ConferenceError(str(error)) from None
    return added


def _check_plan(*, program: Program, by: Actor, facilitator: Person) -> None:
    standing = access.program_access(by, program)
    if not (
        standing.manages or (standing.is_learner and getattr(by, "pk", None) == facilitator.pk)
    ):
        raise ConferenceError(
            f"Only {program.name}'s directors and coordinators plan sessions, or a resident "
            "who facilitates one."
        )
    if not access.program_access(facilitator, program).is_learner:
        raise ConferenceError(
            f"{facilitator.full_name} is not a resident of {program.name}: the facilitator "
            "is one of its residents."
        )


def _check_length(minutes: int) -> None:
    if not 15 <= minutes <= 240:
        raise ConferenceError(f"A session of {minutes} minutes is refused: 15 to 240 minutes.")


def _default_run_sheet(session: ConferenceSession) -> None:
    if sum(minutes for _, minutes, _ in DEFAULT_RUN_SHEET) > session.minutes:
        return
    Segment.objects.bulk_create(
        Segment(session=session, position=n, kind=kind, minutes=minutes, led_by=led_by)
        for n, (kind, minutes, led_by) in enumerate(DEFAULT_RUN_SHEET, start=1)
    )


def session_plan(
    *,
    program: Program,
    by: Actor,
    facilitator: Person,
    title: str,
    starts_at: datetime.datetime,
    minutes: int,
    place: str = "",
    video_url: str = "",
    now: datetime.datetime | None = None,
) -> ConferenceSession:
    """Plan a one-off session, virtual (`video_url`) or in a room (`place`): every
    resident and faculty member gets the calendar invitation (through meetings), and
    the run sheet starts as the seed-001 conference's when it fits."""
    now = now or timezone.now()
    _check_plan(program=program, by=by, facilitator=facilitator)
    _check_length(minutes)
    if not (place.strip() or video_url.strip()):
        raise ConferenceError("Say where the session is: a room, or a video link.")
    try:
        with transaction.atomic():
            meeting = meetings.meeting_plan(
                program=program,
                organizer=facilitator,
                participants=session_invitees(program=program, facilitator=facilitator),
                title=title,
                starts_at=starts_at,
                ends_at=starts_at + datetime.timedelta(minutes=minutes),
                place=place,
                video_url=video_url,
                now=now,
            )
            session = ConferenceSession.objects.create(
                program=program, meeting=meeting, facilitator=facilitator, created_at=now
            )
            _default_run_sheet(session)
            # Residents who joined since the program's other sessions were planned.
            session_invitations_sync(program=program, by=access.SYSTEM, now=now)
    except meetings.MeetingError as error:
        raise ConferenceError(str(error)) from None
    return session


def session_series_plan(
    *,
    program: Program,
    by: Actor,
    facilitator: Person,
    title: str,
    weekday: int,
    local_time: datetime.time,
    starts_on: datetime.date,
    count: int,
    minutes: int,
    interval_weeks: int = 4,
    place: str = "",
    video_url: str = "",
    now: datetime.datetime | None = None,
) -> list[ConferenceSession]:
    """Plan a series (e.g. every fourth Thursday at noon, six times): one calendar
    invitation for the series, one session (with its own run sheet) per date."""
    now = now or timezone.now()
    _check_plan(program=program, by=by, facilitator=facilitator)
    _check_length(minutes)
    if not (place.strip() or video_url.strip()):
        raise ConferenceError("Say where the sessions are: a room, or a video link.")
    try:
        with transaction.atomic():
            series = meetings.series_plan(
                program=program,
                organizer=facilitator,
                participants=session_invitees(program=program, facilitator=facilitator),
                title=title,
                weekday=weekday,
                local_time=local_time,
                starts_on=starts_on,
                interval_weeks=interval_weeks,
                duration_minutes=minutes,
                count=count,
                place=place,
                video_url=video_url,
                now=now,
            )
            sessions = []
            for meeting in series.meetings.order_by("starts_at"):
                session = ConferenceSession.objects.create(
                    program=program, meeting=meeting, facilitator=facilitator, created_at=now
                )
                _default_run_sheet(session)
                sessions.append(session)
            session_invitations_sync(program=program, by=access.SYSTEM, now=now)
    except meetings.MeetingError as error:
        raise ConferenceError(str(error)) from None
    return sessions


def session_cancel(
    *, session: ConferenceSession, by: Actor, now: datetime.datetime | None = None
) -> None:
    """Cancel a session still ahead: everyone invited gets the calendar cancellation.
    The calendar event is the facilitator's, so it goes out as theirs."""
    now = now or timezone.now()
    _require_runner(session=session, by=by, what="cancel it")
    _require_ahead(session=session, now=now, what="be cancelled")
    try:
        meetings.meeting_cancel(meeting=session.meeting, by=session.facilitator, now=now)
    except meetings.MeetingError as error:
        raise ConferenceError(str(error)) from None


# --- The run sheet ----------------------------------------------------------------------


@dataclass(frozen=True)
class SegmentFields:
    kind: str
    minutes: int
    title: str = ""
    led_by: str = ""


def run_sheet_save(
    *,
    session: ConferenceSession,
    by: Actor,
    segments: list[SegmentFields],
    now: datetime.datetime | None = None,
) -> list[Segment]:
    """Replace the run sheet with `segments`, in this order. Refused when a row is not
    valid or the segments together last longer than the session."""
    now = now or timezone.now()
    _require_runner(session=session, by=by, what="edit the run sheet")
    _require_ahead(session=session, now=now, what="change on its run sheet")
    if not segments:
        raise ConferenceError("A run sheet needs at least one segment.")
    for row, fields in enumerate(segments, start=1):
        if fields.kind not in SegmentKind.values:
            raise ConferenceError(f"Segment {row}: “{fields.kind[:40]}” is not a kind of segment.")
        if not 1 <= fields.minutes <= session.minutes:
            raise ConferenceError(
                f"Segment {row}: {fields.minutes} minutes is refused: 1 to "
                f"{session.minutes} (the session's length)."
            )
        if len(fields.title) > 200 or len(fields.led_by) > 200:
            raise ConferenceError(f"Segment {row}: a title or a name fits in 200 characters.")
    total = sum(fields.minutes for fields in segments)
    if total > session.minutes:
        raise ConferenceError(
            f"The segments add up to {total} minutes, but the session lasts "
            f"{session.minutes} minutes: shorten them by {total - session.minutes} minutes, "
            "or lengthen the session. Nothing was saved."
        )
    with transaction.atomic():
        session.segments.all().delete()
        return Segment.objects.bulk_create(
            Segment(
                session=session,
                position=n,
                kind=fields.kind,
                minutes=fields.minutes,
                title=fields.title.strip(),
                led_by=fields.led_by.strip(),
            )
            for n, fields in enumerate(segments, start=1)
        )


# --- Parts: storytellers and supportive faculty -----------------------------------------

GUIDES = {
    PartKind.STORYTELLER: "conferences/guide_storyteller_email.txt",
    PartKind.FACULTY: "conferences/guide_faculty_email.txt",
}


def _home_url(program: Program) -> str:
    return settings.SITE_URL + reverse("conference-home", kwargs={"slug": program.slug})


def part_email(*, part: SessionPart, what: str) -> RenderedEmail:
    """The ask, the reminder of an unanswered ask, or the guide once accepted."""
    session, meeting = part.session, part.session.meeting
    context = {
        "person": part.person.full_name,
        "part": PartKind(part.kind).label.lower(),
        "is_storyteller": part.kind == PartKind.STORYTELLER,
        "title": meeting.title,
        "when": f"{_local(meeting.starts_at, meeting)} ({meeting.time_zone})",
        "facilitator": session.facilitator.full_name,
        "url": _home_url(session.program),
    }
    template, subject = {
        "ask": ("conferences/ask_email.txt", f"Would you share at {meeting.title}?"),
        "reminder": ("conferences/ask_email.txt", f"Reminder: would you share at {meeting.title}?"),
        "guide": (GUIDES[PartKind(part.kind)], f"Thank you — a short guide for {meeting.title}"),
    }[what]
    context["is_reminder"] = what == "reminder"
    if what in ("ask", "reminder"):
        # Placeholders: the worker mints each link at delivery for the person asked
        # alone (answer_links.py), so the outbox never holds a working one.
        for key, accept in (("accept_url", True), ("decline_url", False)):
            context[key] = personal_link_placeholder(
                kind="conference-answer", ref=f"{part.pk}-{'accept' if accept else 'decline'}"
            )
    return RenderedEmail(
        key=f"conference-{what}:{part.pk}",
        to_email=part.person.email,
        person_id=part.person_id,
        subject=" ".join(subject.split())[:300],
        text_body=render_to_string(template, context),
        topic=f"program:{session.program_id}",
    )


def part_ask(
    *,
    session: ConferenceSession,
    by: Actor,
    person: Person,
    kind: str,
    now: datetime.datetime | None = None,
) -> SessionPart:
    """Ask a resident to tell a story, or a faculty member to share how they cope, at
    `session`; they accept or decline on the conference page. Asked once only."""
    now = now or timezone.now()
    _require_runner(session=session, by=by, what="ask people to take a part")
    _require_ahead(session=session, now=now, what="be asked for it")
    if kind not in PartKind.values:
        raise ConferenceError(f"“{kind[:40]}” is not a part of a session.")
    standing = access.program_access(person, session.program)
    if kind == PartKind.STORYTELLER and not standing.is_learner:
        raise ConferenceError(
            f"{person.full_name} is not a resident of {session.program.name}: storytellers "
            "are residents."
        )
    if kind == PartKind.FACULTY and not standing.is_faculty:
        raise ConferenceError(
            f"{person.full_name} is not faculty of {session.program.name}: the supportive "
            "role is for its faculty."
        )
    earlier = session.parts.filter(person=person, kind=kind).first()
    if earlier is not None:
        raise ConferenceError(
            f"{person.full_name} was already asked to be a {PartKind(kind).label.lower()} at "
            f"this session on {earlier.asked_at:%d %B %Y} "
            f"({PartStatus(earlier.status).label.lower()}); nobody is asked twice."
        )
    try:
        with transaction.atomic():
            part = SessionPart.objects.create(
                session=session, person=person, kind=kind, asked_at=now
            )
            outbox_enqueue_many(emails=[part_email(part=part, what="ask")])
    except IntegrityError:
        # Asked at the same moment by someone else: the unique constraint held.
        raise ConferenceError(
            f"{person.full_name} was already asked; nobody is asked twice."
        ) from None
    return part


def part_answer(
    *, part: SessionPart, by: Actor, accept: bool, now: datetime.datetime | None = None
) -> SessionPart:
    """The person asked accepts (and gets the short guide) or declines; they may change
    their mind until the session starts."""
    now = now or timezone.now()
    if getattr(by, "pk", None) != part.person_id:
        raise ConferenceError("Only the person asked can answer for themselves.")
    _require_ahead(session=part.session, now=now, what="be answered")
    status = PartStatus.ACCEPTED if accept else PartStatus.DECLINED
    with transaction.atomic():
        part.status, part.answered_at = status, now
        part.save(update_fields=["status", "answered_at"])
        if accept:
            outbox_enqueue_many(emails=[part_email(part=part, what="guide")])
    return part


# --- Attendance -------------------------------------------------------------------------


def _invited(session: ConferenceSession, person: Person) -> bool:
    return session.meeting.attendance.filter(person=person).exists()


def check_in(
    *, session: ConferenceSession, by: Person, now: datetime.datetime | None = None
) -> bool:
    """`by` says they are at the session (from half an hour before it starts until it
    ends). Returns False when they had already checked in (nothing changes)."""
    now = now or timezone.now()
    meeting = session.meeting
    if meeting.is_cancelled:
        raise ConferenceError(f"“{meeting.title}” was cancelled; there is nothing to check in to.")
    if not _invited(session, by):
        raise ConferenceError(f"{by.full_name} is not invited to “{meeting.title}”.")
    if now < meeting.starts_at - CHECK_IN_OPENS_BEFORE:
        raise ConferenceError(
            f"Check-in opens half an hour before the session starts "
            f"({_local(meeting.starts_at, meeting)})."
        )
    if now > meeting.ends_at:
        raise ConferenceError(f"“{meeting.title}” is over; check-in has closed.")
    with transaction.atomic():
        _, created = Attendance.objects.get_or_create(
            session=session, person=by, defaults={"way": CheckInWay.SELF, "recorded_at": now}
        )
    return created


def attendance_tick(
    *,
    session: ConferenceSession,
    by: Actor,
    people: list[Person],
    now: datetime.datetime | None = None,
) -> int:
    """The facilitator ticks who is there (those already counted stay counted once).
    Returns how many were added to the count."""
    now = now or timezone.now()
    meeting = session.meeting
    _require_runner(session=session, by=by, what="tick attendance")
    if meeting.is_cancelled:
        raise ConferenceError(f"“{meeting.title}” was cancelled; there is no attendance to tick.")
    if now < meeting.starts_at - CHECK_IN_OPENS_BEFORE:
        raise ConferenceError(
            f"Attendance is ticked from half an hour before the session "
            f"({_local(meeting.starts_at, meeting)})."
        )
    if now > meeting.ends_at + TICK_CLOSES_AFTER:
        raise ConferenceError(
            "Attendance can be ticked for a week after a session; that week is over."
        )
    invited = set(meeting.attendance.values_list("person_id", flat=True))
    strangers = [person for person in people if person.pk not in invited]
    if strangers:
        raise ConferenceError(
            f"{strangers[0].full_name} is not invited to “{meeting.title}”. Nothing was ticked."
        )
    with transaction.atomic():
        known = set(session.attendance.values_list("person_id", flat=True))
        new = [
            Attendance(session=session, person=person, way=CheckInWay.TICK, recorded_at=now)
            for person in dict.fromkeys(people)
            if person.pk not in known
        ]
        Attendance.objects.bulk_create(new)
    return len(new)


# --- Feedback ---------------------------------------------------------------------------


def feedback_open(
    *, session: ConferenceSession, by: Actor, now: datetime.datetime | None = None
) -> Wave:
    """The session's anonymous feedback: one survey wave, opened when the session has
    ended, for everyone invited to it (not only those who came, so the invitations say
    nothing of attendance). Refused for a cancelled session or one not over yet; a
    session's wave is made once."""
    now = now or timezone.now()
    meeting = session.meeting
    _require_runner(session=session, by=by, what="send the feedback form")
    if meeting.is_cancelled:
        raise ConferenceError(
            f"“{meeting.title}” on {_local(meeting.starts_at, meeting)} was cancelled: "
            "there is no feedback to ask for. Nothing was sent."
        )
    if meeting.ends_at > now:
        raise ConferenceError(
            f"“{meeting.title}” ends on {_local(meeting.ends_at, meeting)}; the feedback form "
            "goes out once it is over."
        )
    if session.feedback_wave_id is not None:
        raise ConferenceError(f"The feedback form of “{meeting.title}” was already sent.")
    day = meeting.starts_at.astimezone(meeting.zone)
    spec = {**FEEDBACK_SPEC, "title": f"Feedback: {meeting.title}, {day:%d %b %Y}"}
    with transaction.atomic():
        instrument = instrument_create(
            program=session.program,
            spec=spec,
            anonymity=Anonymity.ANONYMOUS,
            # Open from the session's end (the worker may run a little later).
            pre_opens_at=meeting.ends_at,
            post_opens_at=meeting.ends_at,
            open_days=FEEDBACK_OPEN_DAYS,
            by=access.SYSTEM,
            wave_kinds=("post",),
        )
        instrument.max_reminders = 1
        instrument.save(update_fields=["max_reminders"])
        wave = instrument.waves.get()
        invitations_create(wave=wave, people=[p.person for p in meeting.attendance.all()])
        updated = ConferenceSession.objects.filter(
            pk=session.pk, feedback_wave__isnull=True
        ).update(feedback_wave=wave)
        if not updated:
            raise ConferenceError(f"The feedback form of “{meeting.title}” was already sent.")
        session.feedback_wave = wave
    return wave


# --- Where to get help ------------------------------------------------------------------


@dataclass(frozen=True)
class ResourceFields:
    title: str
    detail: str = ""
    url: str = ""


def help_resources_save(
    *, program: Program, by: Actor, resources: list[ResourceFields]
) -> list[HelpResource]:
    """Replace the program's list of where to get help (its director only)."""
    access.require(by, program, "directs", "Only the program's director edits where to get help.")
    for row, fields in enumerate(resources, start=1):
        if not fields.title.strip():
            raise ConferenceError(f"Resource {row}: give it a name (e.g. “Employee assistance”).")
        if len(fields.title) > 200 or len(fields.detail) > 500:
            raise ConferenceError(
                f"Resource {row}: the name fits in 200 characters, the details in 500."
            )
        if fields.url:
            try:
                URLValidator(schemes=["https", "http"])(fields.url)
            except ValidationError:
                raise ConferenceError(
                    f"Resource {row}: “{fields.url[:80]}” is not a web address (https://…)."
                ) from None
    with transaction.atomic():
        program.help_resources.all().delete()
        return HelpResource.objects.bulk_create(
            HelpResource(
                program=program,
                position=n,
                title=fields.title.strip(),
                detail=fields.detail.strip(),
                url=fields.url.strip(),
            )
            for n, fields in enumerate(resources, start=1)
        )
