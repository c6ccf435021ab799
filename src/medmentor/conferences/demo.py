"""The demo's peer-support conference program (seed 001): internal medicine residents
meet, optionally, in the slot of the afternoon report; a third-year resident
facilitates, residents tell stories, faculty from hospital medicine and palliative
care share how they cope, the chaplain closes with a moment of silence.

Loaded through the doors a director uses (roster import, then the services): two
past sessions with their attendance counted and their anonymous feedback answered,
and one ahead with its storytellers and faculty confirmed. Loading twice changes
nothing: a program that already has sessions is left as it is.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.urls import reverse

from medmentor.conferences import services
from medmentor.conferences.models import ConferenceSession, PartKind, SegmentKind
from medmentor.meetings.models import local_datetime
from medmentor.people.models import Person
from medmentor.programs import access
from medmentor.programs import services as programs
from medmentor.programs.models import Program, ProgramKind
from medmentor.surveys.services import response_record

PROGRAM_SLUG = "peer-support"
PROGRAM_NAME = "Resident peer-support conference"
PROGRAM_DESCRIPTION = (
    "An optional, resident-led conference in the afternoon-report slot: residents share "
    "a personal story about being a resident, faculty from hospital medicine and "
    "palliative care share how they cope, and the chaplain closes with a moment of "
    "silence for patients who died. Nothing is recorded or written down."
)
DOMAIN = "demo.medmentor.test"
# email name, full name, training level, role
ROSTER = [
    ("director", "Maya Okafor", "faculty", "director"),
    ("coordinator", "Luis Romero", "other", "coordinator"),
    ("ps.facilitator", "Priya Raman", "R3", "senior"),
    ("ps.r3b", "Tomás Herrera", "R3", "senior"),
    ("ps.r2a", "Grace Whitehorse", "R2", "senior"),
    ("ps.r2b", "Daniel Kim", "R2", "senior"),
    ("ps.r2c", "Amara Nwosu", "R2", "senior"),
    ("ps.r1a", "Lena Fischer", "R1", "junior"),
    ("ps.r1b", "Omar Haddad", "R1", "junior"),
    ("ps.r1c", "Hannah Begay", "R1", "junior"),
    ("ps.r1d", "Mateo Silva", "R1", "junior"),
    ("ps.r1e", "Chloe Martin", "R1", "junior"),
    ("ps.faculty1", "Ruth Abernathy", "faculty", "faculty"),
    ("ps.faculty2", "Samuel Osei", "faculty", "faculty"),
    ("ps.faculty3", "Ingrid Larsen", "faculty", "faculty"),
    ("ps.faculty4", "Victor Chavez", "faculty", "faculty"),
]
HELP = [
    services.ResourceFields(
        title="Employee assistance program", detail="Free, confidential counselling: 555-0140"
    ),
    services.ResourceFields(
        title="Resident wellness office", detail="Weekdays 8–5, 2nd floor, room 214"
    ),
    services.ResourceFields(title="Chaplaincy", detail="Day and night through the operator"),
]
RUN_SHEET = [
    services.SegmentFields(kind=SegmentKind.WELCOME, minutes=5, led_by="Priya Raman (R3)"),
    services.SegmentFields(kind=SegmentKind.STORIES, minutes=20, led_by="Three residents"),
    services.SegmentFields(
        kind=SegmentKind.FACULTY, minutes=15, led_by="Hospital medicine and palliative care"
    ),
    services.SegmentFields(kind=SegmentKind.OPEN, minutes=12, led_by="Everyone"),
    services.SegmentFields(
        kind=SegmentKind.CLOSING,
        minutes=8,
        title="Moment of silence for patients who died",
        led_by="The palliative care chaplain",
    ),
]
# Each past session's anonymous feedback: (worth, connected, normal) per answer.
FEEDBACK = [
    [(5, 4, 5), (4, 4, 5), (5, 5, 5), (4, 3, 4), (5, 4, 5), (3, 3, 4)],
    [(5, 5, 5), (4, 4, 4), (5, 4, 5), (4, 4, 5), (5, 5, 5), (4, 3, 5), (5, 4, 4)],
]
ATTENDED = [9, 11]


class ConferenceDemoError(Exception):
    """The conference demo could not be loaded; the message says why."""


@dataclass
class ConferenceDemoLoad:
    program: Program
    lines: list[str] = field(default_factory=list)


def _roster_csv() -> bytes:
    lines = ["email,full_name,training_level,role"]
    lines += [f"{name}@{DOMAIN},{full},{level},{role}" for name, full, level, role in ROSTER]
    return ("\n".join(lines) + "\n").encode()


def _people() -> dict[str, Person]:
    emails = {f"{name}@{DOMAIN}": name for name, *_ in ROSTER}
    return {emails[p.email]: p for p in Person.objects.filter(email__in=emails)}


def _noon(program: Program, day: datetime.date) -> datetime.datetime:
    return local_datetime(day, datetime.time(12, 0), program.zone)


def _past_session(*, program, people, day, attended: int, answers, title: str):
    start = _noon(program, day)
    before = start - datetime.timedelta(days=10)
    facilitator = people["ps.facilitator"]
    session = services.session_plan(
        program=program,
        by=access.SYSTEM,
        facilitator=facilitator,
        title=title,
        starts_at=start,
        minutes=60,
        video_url="https://zoom.example.test/j/4455667788",
        now=before,
    )
    services.run_sheet_save(session=session, by=facilitator, segments=RUN_SHEET, now=before)
    for name in ("ps.r2a", "ps.r1b", "ps.r3b"):
        part = services.part_ask(
            session=session,
            by=facilitator,
            person=people[name],
            kind=PartKind.STORYTELLER,
            now=before,
        )
        services.part_answer(part=part, by=people[name], accept=True, now=before)
    invited = [row.person for row in session.meeting.attendance.order_by("person__email")]
    during = start + datetime.timedelta(minutes=5)
    services.attendance_tick(session=session, by=facilitator, people=invited[:attended], now=during)
    wave = services.feedback_open(
        session=session, by=access.SYSTEM, now=start + datetime.timedelta(hours=2)
    )
    for worth, connected, normal in answers:
        response_record(
            wave=wave,
            answers={
                "fb_worth": str(worth),
                "fb_connected": str(connected),
                "fb_normal": str(normal),
            },
        )
    return session


def conference_demo_load(
    *, institution_name: str, time_zone: str, password: str, today: datetime.date
) -> ConferenceDemoLoad:
    """Create the conference program with its three sessions, or leave it as it is."""
    lines: list[str] = []
    with transaction.atomic():
        program = Program.objects.filter(slug=PROGRAM_SLUG).first()
        if program is not None and ConferenceSession.objects.filter(program=program).exists():
            return ConferenceDemoLoad(
                program=program,
                lines=[f"The program “{PROGRAM_NAME}” is already loaded.", *_sign_ins(program)],
            )
        if program is None:
            program = programs.program_create(
                name=PROGRAM_NAME,
                slug=PROGRAM_SLUG,
                institution_name=institution_name,
                service_name="",
                starts_on=today - datetime.timedelta(days=today.weekday() + 35),
                kind=ProgramKind.CONFERENCE,
                time_zone=time_zone,
                description=PROGRAM_DESCRIPTION,
            )
        roster = programs.roster_import(
            program=program,
            file_name="peer_support_roster.csv",
            content=_roster_csv(),
            apply=True,
            by=access.SYSTEM,
        )
        if roster.errors or not roster.applied:
            problems = "; ".join(str(error) for error in roster.errors[:5])
            raise ConferenceDemoError(f"The conference roster was refused: {problems}")
        people = _people()
        without = [p.pk for p in people.values() if not p.has_usable_password()]
        if without:
            Person.objects.filter(pk__in=without).update(password=make_password(password))
        services.help_resources_save(program=program, by=access.SYSTEM, resources=HELP)
        for weeks_ago, attended, answers in zip((3, 1), ATTENDED, FEEDBACK, strict=True):
            _past_session(
                program=program,
                people=people,
                day=today - datetime.timedelta(weeks=weeks_ago),
                attended=attended,
                answers=answers,
                title="Afternoon report: peer support",
            )
        # "Now" as the demo sees it (a test may load the demo as of another day).
        now = local_datetime(today, datetime.time(9, 0), program.zone)
        ahead = services.session_plan(
            program=program,
            by=access.SYSTEM,
            facilitator=people["ps.facilitator"],
            title="Afternoon report: peer support",
            starts_at=_noon(program, today + datetime.timedelta(weeks=1)),
            minutes=60,
            video_url="https://zoom.example.test/j/4455667788",
            now=now,
        )
        services.run_sheet_save(
            session=ahead, by=people["ps.facilitator"], segments=RUN_SHEET, now=now
        )
        asked = [
            *((name, PartKind.STORYTELLER) for name in ("ps.r2b", "ps.r1a", "ps.r1c")),
            *((name, PartKind.FACULTY) for name in ("ps.faculty1", "ps.faculty2")),
        ]
        for name, kind in asked:
            part = services.part_ask(
                session=ahead, by=people["ps.facilitator"], person=people[name], kind=kind, now=now
            )
            services.part_answer(part=part, by=people[name], accept=True, now=now)
        lines.append(
            f"Created “{PROGRAM_NAME}” ({PROGRAM_SLUG}): two past sessions (attendance "
            "counted, feedback answered) and one next week with three storytellers and two "
            "faculty confirmed."
        )
    return ConferenceDemoLoad(program=program, lines=[*lines, *_sign_ins(program)])


def _sign_ins(program: Program) -> list[str]:
    """Where the conference's people go and whom to sign in as (the demo password)."""
    home = reverse("conference-home", kwargs={"slug": program.slug})
    report = reverse("conference-report", kwargs={"slug": program.slug})
    return [
        f"Peer-support conference: the facilitator ps.facilitator@{DOMAIN}, a resident "
        f"ps.r1b@{DOMAIN} and a storyteller ps.r1a@{DOMAIN} open {home}; the director "
        f"the counts and anonymous feedback at {report}."
    ]
