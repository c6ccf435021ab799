"""The peer-group demo program (seed 003): "every other Thursday", groups of at most
eight, formed from a profiles file and alive.

Loaded through the doors a director uses: the roster through
`programs.services.roster_import`, the group profiles through
`groups.services.group_profiles_import`, groups drafted with `form_groups` by place
(subgroups Denver and Aurora) and published; then the groups' own life as their members
would make it: the agreement accepted, a series every other Thursday with meetings
behind and ahead, attendance, the presenter rotation (one swap), a log and a thread.
One group is full at eight; another has a new member who joined and has yet to accept
the agreement. Loading twice changes nothing.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from medmentor.groups import services
from medmentor.groups.models import GroupProfile, Membership, PeerGroup, PresenterTurn
from medmentor.meetings.models import Meeting
from medmentor.people.models import Person
from medmentor.programs import access
from medmentor.programs import services as program_services
from medmentor.programs.models import Program, ProgramKind

PROGRAM_SLUG = "every-other-thursday"
PROGRAM_NAME = "Every other Thursday: faculty peer groups"
PROGRAM_DESCRIPTION = (
    "Small, confidential peer mentoring groups of at most eight junior faculty, meeting "
    "every other Thursday. Each member brings a problem in turn; the group keeps a log of "
    "topics and achievements and talks between meetings."
)
# The demo's director of every program, written as the other demo rosters have her.
DIRECTOR = (
    "director@demo.medmentor.test",
    "Maya Okafor",
    "faculty",
    "director",
    "Nuclear Medicine",
)
# 21 members: Denver (8 + 6), Aurora (7); one more joins an Aurora group.
MEMBERS = [
    ("Melanie Greene", "Denver", "Endocrinology"),
    ("Anne-Marie Carreau", "Denver", "Endocrinology"),
    ("Shanlee Davis", "Denver", "Pediatrics"),
    ("Brigitte Frohnert", "Denver", "Pediatrics"),
    ("Jill Kaar", "Denver", "Nutrition"),
    ("Nina Ma", "Denver", "Endocrinology"),
    ("Natalie Nokoff", "Denver", "Pediatrics"),
    ("Jane Reusch", "Denver", "Cardiology"),
    ("Stacey Simon", "Denver", "Psychology"),
    ("Kristen Nadeau", "Denver", "Pediatrics"),
    ("Ruth Alvarez", "Denver", "Cardiology"),
    ("Hana Sato", "Denver", "Nephrology"),
    ("Grace Oduya", "Denver", "Psychology"),
    ("Leah Cohen", "Denver", "Nutrition"),
    ("Priya Raman", "Aurora", "Endocrinology"),
    ("Ingrid Olsen", "Aurora", "Pediatrics"),
    ("Fatima Haddad", "Aurora", "Cardiology"),
    ("Rosa Delgado", "Aurora", "Psychology"),
    ("Mei Lin", "Aurora", "Nephrology"),
    ("Ama Mensah", "Aurora", "Pediatrics"),
    ("Claire Dubois", "Aurora", "Nutrition"),
]
NEWCOMER = ("Tara Whitehorse", "Aurora", "Pediatrics")


def _email(k: int) -> str:
    return f"peer{k:02d}@demo.medmentor.test"


class PeerGroupDemoError(Exception):
    """The peer-group demo could not be loaded; the message says why."""


@dataclass
class PeerGroupDemoLoad:
    program: Program
    lines: list[str] = field(default_factory=list)


def _csv(rows: list[list[str]]) -> bytes:
    return ("\n".join(",".join(row) for row in rows) + "\n").encode()


def _refused(result, name: str) -> None:
    if result.errors or not result.applied:
        problems = "; ".join(str(error) for error in result.errors[:5])
        raise PeerGroupDemoError(f"The peer-group demo's {name} was refused: {problems}")


def peer_group_demo_load(
    *, starts_on: datetime.date, institution_name: str, time_zone: str, password: str
) -> PeerGroupDemoLoad:
    """Create the peer-group program and its groups' life; safe to run again."""
    with transaction.atomic():
        program = Program.objects.filter(slug=PROGRAM_SLUG).first()
        if program is not None and PeerGroup.objects.filter(program=program).exists():
            return PeerGroupDemoLoad(
                program=program, lines=[f"The program “{PROGRAM_NAME}” is already loaded."]
            )
        if program is None:
            program = program_services.program_create(
                name=PROGRAM_NAME,
                slug=PROGRAM_SLUG,
                institution_name=institution_name,
                service_name="",
                starts_on=starts_on,
                kind=ProgramKind.PEER_GROUP,
                time_zone=time_zone,
                description=PROGRAM_DESCRIPTION,
            )
        people = [*MEMBERS, NEWCOMER]
        roster = [["email", "full_name", "training_level", "role", "specialty"], list(DIRECTOR)]
        roster += [
            [_email(k), name, "faculty", "junior", spec]
            for k, (name, _, spec) in enumerate(people, 1)
        ]
        result = program_services.roster_import(
            program=program,
            file_name="roster.csv",
            content=_csv(roster),
            apply=True,
            by=access.SYSTEM,
        )
        _refused(result, "roster")
        profiles = [["email", "place", "specialty", "career_stage"]]
        profiles += [
            [_email(k), place, spec, "assistant professor"]
            for k, (_, place, spec) in enumerate(MEMBERS, 1)
        ]
        profiles_csv = _csv(profiles)
        result = services.group_profiles_import(
            program=program,
            file_name="profiles.csv",
            content=profiles_csv,
            apply=True,
            by=access.SYSTEM,
        )
        _refused(result, "group profiles")
        emails = [_email(k) for k in range(1, len(people) + 1)] + [DIRECTOR[0]]
        by_email = {p.email: p for p in Person.objects.filter(email__in=emails)}
        without = [p.pk for p in by_email.values() if not p.has_usable_password()]
        if without:
            Person.objects.filter(pk__in=without).update(password=make_password(password))
        # Locked: the first eight of Denver are the group that already meets (full).
        GroupProfile.objects.filter(
            program=program, person__email__in=[_email(k) for k in range(1, 9)]
        ).update(group="Denver Thursday")
        run = services.formation_run_create(
            program=program,
            by=access.SYSTEM,
            similar=[],
            diverse=["specialty"],
            subgroup_by="place",
        )
        services.formation_publish(run=run, by=access.SYSTEM)
        lines = [
            f"Created the program “{PROGRAM_NAME}” ({PROGRAM_SLUG}): {len(run.groups)} peer groups "
            f"of {len(MEMBERS)} members."
        ]
        groups = list(PeerGroup.objects.filter(program=program).order_by("name"))
        for group in groups:
            _bring_to_life(group)
        aurora = next(g for g in groups if g.subgroup == "Aurora")
        services.group_open_set(group=aurora, by=access.SYSTEM, is_open=True)
        services.group_join(group=aurora, by=by_email[_email(len(people))])
        lines.append(
            f"Peer groups: sign in as {_email(1)} (facilitator) or {_email(2)} (member) of "
            "“Denver Thursday”, with the demo password."
        )
        lines.append(
            f"{NEWCOMER[0]} ({_email(len(people))}) joined {aurora.name} and has yet to accept "
            "the agreement."
        )
    return PeerGroupDemoLoad(program=program, lines=lines)


def _bring_to_life(group: PeerGroup) -> None:
    """The agreement accepted by all, three meetings behind and three ahead, attendance,
    a swap of turns, a log and a thread."""
    program = group.program
    now = timezone.now()
    agreement = services.agreement_current(program=program)
    members = [m.person for m in Membership.objects.filter(group=group).order_by("joined_at", "id")]
    for person in members:
        services.agreement_accept(program=program, agreement=agreement, by=person)
    facilitator = members[0]
    first = (now - datetime.timedelta(weeks=6)).astimezone(program.zone).date()
    services.group_series_plan(
        group=group,
        by=facilitator,
        weekday=3,
        local_time=datetime.time(18, 0),
        starts_on=first,
        interval_weeks=2,
        count=6,
        place="Research 2, room 5104",
        now=now - datetime.timedelta(weeks=7),
    )
    group.refresh_from_db()
    past = list(Meeting.objects.filter(series=group.series, starts_at__lte=now))
    for k, meeting in enumerate(past):
        present = [p.pk for j, p in enumerate(members) if (j + k) % 5 != 4]
        services.attendance_take(meeting=meeting, by=facilitator, present=present, now=now)
    turns = list(
        PresenterTurn.objects.filter(group=group, meeting__starts_at__gt=now).order_by(
            "meeting__starts_at"
        )
    )
    if len(turns) >= 2:
        swap = services.presenter_swap_ask(
            mine=turns[0], theirs=turns[1], by=turns[0].person, now=now
        )
        services.presenter_swap_answer(swap=swap, by=swap.asked_of, accept=True, now=now)
    services.log_entry_add(
        group=group,
        by=members[1],
        kind="topic",
        text="Saying no to a committee without closing a door.",
        now=now,
    )
    services.log_entry_add(
        group=group,
        by=members[2],
        kind="topic",
        text="Impostor feelings before a first R01 submission.",
        now=now,
    )
    services.log_entry_add(
        group=group,
        by=members[3],
        kind="achievement",
        text="K award funded on resubmission.",
        now=now,
    )
    services.thread_post(
        group=group,
        by=members[2],
        body="Thank you all for Thursday. I sent the email we drafted.",
        now=now,
    )
    services.thread_post(
        group=group, by=members[4], body="Brilliant! Tell us how it lands next time.", now=now
    )
