"""Every read of the conferences app that a page shows, with its privacy rules:

- Attendance is a count on every page, never a list: nobody's page says who came
  (a person sees only that they themselves checked in).
- Who was asked to take a part and what they answered is the session's facilitator's,
  the program's staff's and the person's own; residents see how many said yes.
- The feedback is an anonymous survey: shown only pooled, and only over at least
  MIN_GROUP_SIZE answers (privacy rules 1 and 2).
"""

import datetime
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count, Q
from django.utils import timezone

from medmentor.conferences.models import (
    Attendance,
    ConferenceDefaults,
    ConferenceSession,
    HelpResource,
    PartKind,
    PartStatus,
    SessionPart,
)
from medmentor.conferences.services import (
    CHECK_IN_OPENS_BEFORE,
    FEEDBACK_LIKERT_KEYS,
    FEEDBACK_SPEC,
    session_runs,
)
from medmentor.people.models import Person
from medmentor.programs import access
from medmentor.programs.models import LEARNER_ROLES, Program, Role
from medmentor.programs.selectors import AttentionItem, program_people_in_role
from medmentor.surveys.selectors import wave_data

# The smallest group a figure may describe (privacy rule 1).
MIN_GROUP_SIZE = 5


def _sessions(program: Program):
    return ConferenceSession.objects.filter(program=program).select_related(
        "meeting", "facilitator", "feedback_wave"
    )


@dataclass
class SessionCard:
    """A session as a resident's page shows it."""

    session: ConferenceSession
    segments: list
    storytellers_confirmed: int
    faculty_confirmed: int
    checked_in: bool
    check_in_open: bool
    runs: bool

    @property
    def meeting(self):
        return self.session.meeting

    @property
    def local_start(self) -> datetime.datetime:
        return self.meeting.starts_at.astimezone(self.meeting.zone)

    @property
    def local_end(self) -> datetime.datetime:
        return self.meeting.ends_at.astimezone(self.meeting.zone)


@dataclass
class ConferenceHome:
    upcoming: list[SessionCard]
    my_parts: list[SessionPart]
    resources: list[HelpResource]
    may_plan: bool
    manages: bool
    directs: bool
    sees_report: bool
    past: list[SessionCard] = field(default_factory=list)


def _confirmed(session_ids) -> dict[tuple[int, str], int]:
    rows = (
        SessionPart.objects.filter(session_id__in=session_ids, status=PartStatus.ACCEPTED)
        .values("session_id", "kind")
        .annotate(n=Count("id"))
    )
    return {(row["session_id"], row["kind"]): row["n"] for row in rows}


def conference_home(
    *, program: Program, viewer: Person, now: datetime.datetime | None = None
) -> ConferenceHome:
    """The conference page: sessions ahead (and, for those who run them, the last
    ones), the viewer's own asks, and where to get help."""
    now = now or timezone.now()
    standing = access.program_access(viewer, program)
    sessions = list(
        _sessions(program)
        .filter(meeting__cancelled_at__isnull=True, meeting__ends_at__gt=now)
        .prefetch_related("segments")
        .order_by("meeting__starts_at")[:20]
    )

    def runs(session: ConferenceSession) -> bool:
        # session_runs, with the viewer's standing read once for the whole page.
        return standing.manages or session.facilitator_id == viewer.pk

    past = [
        session
        for session in _sessions(program)
        .filter(meeting__ends_at__lte=now)
        .order_by("-meeting__starts_at")[:10]
        if runs(session)
    ]
    ids = [s.pk for s in sessions + past]
    confirmed = _confirmed(ids)
    mine = set(
        Attendance.objects.filter(session_id__in=ids, person=viewer).values_list(
            "session_id", flat=True
        )
    )

    def card(session: ConferenceSession) -> SessionCard:
        meeting = session.meeting
        return SessionCard(
            session=session,
            segments=list(session.segments.all()),
            storytellers_confirmed=confirmed.get((session.pk, PartKind.STORYTELLER), 0),
            faculty_confirmed=confirmed.get((session.pk, PartKind.FACULTY), 0),
            checked_in=session.pk in mine,
            check_in_open=(
                not meeting.is_cancelled
                and meeting.starts_at - CHECK_IN_OPENS_BEFORE <= now <= meeting.ends_at
            ),
            runs=runs(session),
        )

    my_parts = list(
        SessionPart.objects.filter(
            session__program=program,
            person=viewer,
            session__meeting__starts_at__gt=now,
            session__meeting__cancelled_at__isnull=True,
        )
        .select_related("session__meeting")
        .order_by("session__meeting__starts_at", "kind")
    )
    return ConferenceHome(
        upcoming=[card(s) for s in sessions],
        past=[card(s) for s in past],
        my_parts=my_parts,
        resources=list(program.help_resources.all()),
        may_plan=standing.manages or standing.is_learner,
        manages=standing.manages,
        directs=standing.directs,
        sees_report=standing.sees_aggregates,
    )


@dataclass
class SessionRun:
    """A session as its facilitator and the program's staff see it."""

    session: ConferenceSession
    segments: list
    parts: list[SessionPart]
    invitees: list[Person]
    invited_count: int
    attended_count: int
    feedback_count: int
    residents: list[Person]
    faculty: list[Person]
    is_over: bool
    is_ahead: bool

    @property
    def meeting(self):
        return self.session.meeting

    @property
    def local_start(self) -> datetime.datetime:
        return self.meeting.starts_at.astimezone(self.meeting.zone)

    @property
    def local_end(self) -> datetime.datetime:
        return self.meeting.ends_at.astimezone(self.meeting.zone)

    @property
    def planned_minutes(self) -> int:
        return sum(segment.minutes for segment in self.segments)


class NotYours(Exception):
    """The session is not one the viewer runs (a 403 with these words)."""


def session_for_runner(
    *, program: Program, session_id: int, viewer: Person, now: datetime.datetime | None = None
) -> SessionRun:
    """One session for its facilitator or the program's staff; ConferenceSession.
    DoesNotExist when there is none; NotYours when the viewer does not run it."""
    now = now or timezone.now()
    session = _sessions(program).get(pk=session_id)
    if not session_runs(session=session, person=viewer):
        raise NotYours(
            "This page is for the session's facilitator and the program's directors and "
            "coordinators."
        )
    meeting = session.meeting
    invitees = [
        row.person
        for row in meeting.attendance.select_related("person").order_by(
            "person__full_name", "person_id"
        )
    ]
    asked = {(p.person_id, p.kind) for p in session.parts.all()}
    # Who may be asked: the program's residents (not the facilitator) and faculty, read
    # once per role rather than once per person.
    learner_ids = {
        person.pk
        for role in LEARNER_ROLES
        for person in program_people_in_role(program=program, role=role)
    }
    faculty_ids = {
        person.pk for person in program_people_in_role(program=program, role=Role.FACULTY)
    }
    residents = [
        person
        for person in invitees
        if person.pk in learner_ids
        and (person.pk, PartKind.STORYTELLER) not in asked
        and person.pk != session.facilitator_id
    ]
    faculty = [
        person
        for person in invitees
        if person.pk in faculty_ids and (person.pk, PartKind.FACULTY) not in asked
    ]
    wave = session.feedback_wave
    return SessionRun(
        session=session,
        segments=list(session.segments.all()),
        parts=list(session.parts.select_related("person")),
        invitees=invitees,
        invited_count=len(invitees),
        attended_count=session.attendance.count(),
        feedback_count=(wave.responses.filter(submitted_at__isnull=False).count() if wave else 0),
        residents=residents,
        faculty=faculty,
        is_over=meeting.ends_at <= now,
        is_ahead=meeting.starts_at > now,
    )


# --- The report -------------------------------------------------------------------------


@dataclass
class ItemResult:
    text: str
    mean: float | None  # None: fewer than MIN_GROUP_SIZE answers
    answers: int


@dataclass
class SessionFigures:
    session: ConferenceSession
    invited: int
    attended: int
    responses: int
    means: list[float | None]

    @property
    def local_start(self) -> datetime.datetime:
        meeting = self.session.meeting
        return meeting.starts_at.astimezone(meeting.zone)


@dataclass
class ConferenceReport:
    sessions: list[SessionFigures]
    pooled: list[ItemResult]
    responses: int
    item_texts: list[str]
    min_group_size: int = MIN_GROUP_SIZE


def _mean(values: np.ndarray) -> tuple[float | None, int]:
    answered = values[~np.isnan(values)]
    if len(answered) < MIN_GROUP_SIZE:
        return None, len(answered)
    return round(float(answered.mean()), 1), len(answered)


def conference_report(*, program: Program, viewer: Person) -> ConferenceReport:
    """The sessions' counts (invited, attended, answered the feedback) and the
    feedback's means on its 1–5 items, per session and pooled across sessions, each
    only over at least MIN_GROUP_SIZE answers."""
    access.require_aggregates(viewer, program)
    texts = {item["key"]: item["text"] for item in FEEDBACK_SPEC["items"]}
    sessions = list(
        _sessions(program)
        .filter(meeting__cancelled_at__isnull=True)
        .annotate(
            invited=Count("meeting__attendance", distinct=True),
            attended=Count("attendance", distinct=True),
        )
        .order_by("meeting__starts_at")
    )
    figures: list[SessionFigures] = []
    columns: dict[str, list[np.ndarray]] = {key: [] for key in FEEDBACK_LIKERT_KEYS}
    total = 0
    for session in sessions:
        means: list[float | None] = [None] * len(FEEDBACK_LIKERT_KEYS)
        responses = 0
        if session.feedback_wave is not None:
            data = wave_data(wave=session.feedback_wave)
            responses = len(data.response_pks)
            total += responses
            by_key = {item.key: item for item in data.items}
            for n, key in enumerate(FEEDBACK_LIKERT_KEYS):
                if key in by_key:
                    column = data.column(by_key[key])
                    columns[key].append(column)
                    means[n] = _mean(column)[0]
        figures.append(
            SessionFigures(
                session=session,
                invited=session.invited,
                attended=session.attended,
                responses=responses,
                means=means,
            )
        )
    pooled = []
    for key in FEEDBACK_LIKERT_KEYS:
        values = np.concatenate(columns[key]) if columns[key] else np.array([])
        mean, answers = _mean(values)
        pooled.append(ItemResult(text=texts[key], mean=mean, answers=answers))
    return ConferenceReport(
        sessions=figures,
        pooled=pooled,
        responses=total,
        item_texts=[texts[key] for key in FEEDBACK_LIKERT_KEYS],
    )


# --- The home page ----------------------------------------------------------------------


def attention_items(*, person: Person, program: Program) -> list[AttentionItem]:
    """The home page's items: an ask waiting for the person's answer."""
    from django.urls import reverse

    waiting = SessionPart.objects.filter(
        Q(session__meeting__starts_at__gt=timezone.now()),
        session__program=program,
        person=person,
        status=PartStatus.ASKED,
        session__meeting__cancelled_at__isnull=True,
    ).count()
    if not waiting:
        return []
    return [
        AttentionItem(
            text=f"You were asked to take a part in a peer-support session ({waiting} "
            "waiting for your answer)",
            url=reverse("conference-home", kwargs={"slug": program.slug}),
            tone="warn",
        )
    ]


def session_defaults(*, program: Program) -> dict:
    """Where a new session of `program` starts on the planning page: the length, room
    and video link given when the program was created (none for older programs)."""
    defaults = ConferenceDefaults.objects.filter(program=program).first()
    if defaults is None:
        return {}
    return {"minutes": defaults.minutes, "place": defaults.place, "video_url": defaults.video_url}
