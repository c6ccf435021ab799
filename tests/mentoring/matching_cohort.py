"""A small one-to-one near-peer program for the matching tests (pages, API, privacy).

Mentors (seniors): Mara (MS4, capacity 2, North, Spanish, URiM, woman), Nate (MS3,
capacity 1, South) and Olu (MS2, capacity 1: only one level above the incoming
students, so the default seniority gap of 2 leaves him without a mentee). Mentees
(juniors, MS1): Ana (North, Spanish, asked for gender and URiM concordance), Ben
(South) and Cy (no profile at all).
"""

import datetime
from types import SimpleNamespace

from medmentor.mentoring.models import MatchingProfile
from medmentor.programs.models import Enrollment, Program, ProgramKind, Role
from tests.conftest import make_person

SLUG = "near-peer"


def _enrol(program, person, role, **profile):
    enrollment = Enrollment.objects.create(program=program, person=person, role=role)
    if profile:
        MatchingProfile.objects.create(enrollment=enrollment, **profile)
    return person


def one_to_one_program(institution, *, staff=()):
    """The program, its people, and each (person, role) of `staff` enrolled too."""
    program = Program.objects.create(
        name="Near-peer mentoring",
        slug=SLUG,
        kind=ProgramKind.ONE_TO_ONE,
        institution=institution,
        starts_on=datetime.date(2026, 8, 3),
    )
    for person, role in staff:
        Enrollment.objects.get_or_create(program=program, person=person, role=role)

    def person(email, name, level):
        return make_person(f"{email}@near-peer.test", name, level, institution)

    mara = _enrol(
        program,
        person("mara", "Mara Mentor", "MS4"),
        Role.SENIOR,
        capacity=2,
        site="North",
        languages=["English", "Spanish"],
        interests=["research", "rural health"],
        gender="woman",
        urim=True,
        specialty="Family Medicine",
    )
    nate = _enrol(
        program,
        person("nate", "Nate Mentor", "MS3"),
        Role.SENIOR,
        capacity=1,
        site="South",
        languages=["English"],
        interests=["surgery"],
        gender="man",
    )
    olu = _enrol(program, person("olu", "Olu Mentor", "MS2"), Role.SENIOR, capacity=1)
    ana = _enrol(
        program,
        person("ana", "Ana Mentee", "MS1"),
        Role.JUNIOR,
        site="North",
        languages=["Spanish"],
        interests=["rural health"],
        gender="woman",
        urim=True,
        concordance=["gender", "urim"],
        specialty="Family Medicine",
    )
    ben = _enrol(
        program,
        person("ben", "Ben Mentee", "MS1"),
        Role.JUNIOR,
        site="South",
        languages=["English"],
        interests=["surgery"],
    )
    cy = _enrol(program, person("cy", "Cy Mentee", "MS1"), Role.JUNIOR)
    return SimpleNamespace(program=program, mara=mara, nate=nate, olu=olu, ana=ana, ben=ben, cy=cy)
