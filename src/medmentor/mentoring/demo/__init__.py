"""The second demo program: one-to-one near-peer mentoring of incoming students
underrepresented in medicine (seed 004), ready for the demo director to match.

Loaded through the doors a director uses: `roster.csv` through
`programs.services.roster_import` (the demo's director and coordinator, 12 near-peer
mentors — senior students and residents — and 24 incoming MS1 students), then
`matching_profiles.csv` through `mentoring.services.matching_profiles_import`
(capacities 1–3; interests, site, languages; identity attributes people chose to
share, and the concordance some mentees asked for). Then `living.py` matches and
publishes the cohort and gives the pairs a history (meetings, goals, profiles, a series
ahead), so the program is alive; the director may run matching again on the Matching
page. Loading twice changes nothing.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction

from medmentor.mentoring.demo.living import LivingProgram, near_peer_bring_to_life
from medmentor.mentoring.models import Mentorship
from medmentor.mentoring.services import matching_profiles_import
from medmentor.people.models import Person
from medmentor.programs import access, services
from medmentor.programs.models import Program, ProgramKind

FOLDER = Path(__file__).resolve().parent
ROSTER_FILE = FOLDER / "roster.csv"
PROFILES_FILE = FOLDER / "matching_profiles.csv"
PROGRAM_SLUG = "near-peer-urim"
PROGRAM_NAME = "Near-peer mentors for incoming students"
PROGRAM_DESCRIPTION = (
    "Incoming medical students from backgrounds underrepresented in medicine — American "
    "Indian and Alaska Native, rural, first-generation — are each paired with a near-peer "
    "mentor: a senior student or resident a few steps ahead, who shares what helped them "
    "through the first year. Mentors take one to three students. Identity only counts in "
    "matching where the student asked for a mentor who shares it."
)


class NearPeerDemoError(Exception):
    """The near-peer demo could not be loaded; the message says why."""


@dataclass
class NearPeerDemoLoad:
    program: Program
    lines: list[str] = field(default_factory=list)
    mentors: list[Person] = field(default_factory=list)
    mentees: list[Person] = field(default_factory=list)
    # The published pairs' history; None when an earlier load already made it.
    living: LivingProgram | None = None

    @property
    def mentor(self) -> Person:
        """The demo's mentor (mentor 1, who has several mentees)."""
        return self.mentors[0]

    @property
    def mentee(self) -> Person:
        """The demo's mentee: one of mentor 1's."""
        pair = (
            Mentorship.objects.filter(program=self.program, mentor=self.mentor)
            .select_related("mentee")
            .order_by("mentee__email")
            .first()
        )
        return pair.mentee if pair else self.mentees[0]


def _outcome(result, name: str) -> str:
    if result.errors or not result.applied:
        problems = "; ".join(str(error) for error in result.errors[:5])
        raise NearPeerDemoError(f"The demo's {name} was refused: {problems or 'not applied'}")
    counts = result.counts
    return f"{counts['create']} added, {counts['update']} updated, {counts['unchanged']} unchanged."


def near_peer_demo_load(
    *,
    starts_on: datetime.date,
    institution_name: str,
    time_zone: str,
    password: str,
    today: datetime.date | None = None,
) -> NearPeerDemoLoad:
    """Create (or bring up to date) the near-peer program; safe to run any number of times.

    People without a password get `password` (the demo's published one)."""
    with transaction.atomic():
        program = Program.objects.filter(slug=PROGRAM_SLUG).first()
        lines = []
        if program is None:
            program = services.program_create(
                name=PROGRAM_NAME,
                slug=PROGRAM_SLUG,
                institution_name=institution_name,
                service_name="",
                starts_on=starts_on,
                kind=ProgramKind.ONE_TO_ONE,
                time_zone=time_zone,
                description=PROGRAM_DESCRIPTION,
            )
            lines.append(f"Created the program “{PROGRAM_NAME}” ({PROGRAM_SLUG}).")
        elif program.starts_on != starts_on:
            program.starts_on = starts_on
            program.save(update_fields=["starts_on"])
            lines.append(f"Moved “{PROGRAM_NAME}” to start on {starts_on:%d %b %Y}.")
        else:
            lines.append(f"The program “{PROGRAM_NAME}” is already loaded and current.")
        roster = services.roster_import(
            program=program,
            file_name=ROSTER_FILE.name,
            content=ROSTER_FILE.read_bytes(),
            apply=True,
            by=access.SYSTEM,  # the demo loader runs at the operations console
        )
        lines.append("Near-peer roster: " + _outcome(roster, ROSTER_FILE.name))
        profiles = matching_profiles_import(
            program=program,
            file_name=PROFILES_FILE.name,
            content=PROFILES_FILE.read_bytes(),
            apply=True,
            by=access.SYSTEM,
        )
        lines.append("Matching profiles: " + _outcome(profiles, PROFILES_FILE.name))
        emails = [
            row["email"]
            for row in csv.DictReader(io.StringIO(ROSTER_FILE.read_text(encoding="utf-8")))
        ]
        people = {p.email: p for p in Person.objects.filter(email__in=emails)}
        without = [p.pk for p in people.values() if not p.has_usable_password()]
        if without:
            Person.objects.filter(pk__in=without).update(password=make_password(password))
        mentors = [people[e] for e in emails if e.startswith("mentor")]
        mentees = [people[e] for e in emails if e.startswith("mentee")]
        lines.append(
            f"Near-peer cohort: {len(mentees)} incoming students and {len(mentors)} mentors."
        )
        living = near_peer_bring_to_life(program=program, today=today or starts_on)
        lines += living.lines if living else ["Near-peer pairs: already published and living."]
    return NearPeerDemoLoad(
        program=program, lines=lines, mentors=mentors, mentees=mentees, living=living
    )
