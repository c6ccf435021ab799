"""A small reverse mentoring program for the tests: a director, a coordinator, a
facilitator (faculty), a researcher, four fellows (SENIOR) and two consultants
(JUNIOR), one outsider.

Consultant `consultant` works with all four fellows (mentor: fellows[0]) and supervises
them; `other_consultant` works with fellows[0] and fellows[1] only (mentor: fellows[1]),
below the release threshold whatever they do. Both consented.
"""

import datetime
from types import SimpleNamespace

from medmentor.programs import access
from medmentor.programs.models import Enrollment, Program, ProgramKind, Role
from medmentor.reverse import services
from tests.conftest import make_institution, make_outsider, make_person

ANSWERS = {
    "technology": (4, "Uses the electronic handover list well."),
    "clinical_practice": (5, "Safe, careful decisions."),
    "strengths": (None, "Teaches at the bedside."),
}


def answers(text: str, rating: int = 3) -> dict:
    """Feedback in two domains with `text` as the approachability words."""
    return {"approachability": (rating, text), "time_management": (rating, "Rounds overrun.")}


def _enrol(program, email, name, level, role):
    person = make_person(email, name, level, program.institution)
    Enrollment.objects.create(program=program, person=person, role=role)
    return person


def make_reverse_world(*, consent: bool = True) -> SimpleNamespace:
    institution = make_institution()
    program = Program.objects.create(
        name="Reverse mentoring on the wards",
        slug="reverse",
        kind=ProgramKind.REVERSE,
        institution=institution,
        starts_on=datetime.date(2026, 11, 2),
        time_zone="Europe/London",
    )
    world = SimpleNamespace(program=program)
    world.director = _enrol(
        program, "director@lakeside.test", "Dana Director", "faculty", Role.DIRECTOR
    )
    world.coordinator = _enrol(
        program, "coordinator@lakeside.test", "Cory Coordinator", "other", Role.COORDINATOR
    )
    world.facilitator = _enrol(
        program, "facilitator@lakeside.test", "Fay Facilitator", "faculty", Role.FACULTY
    )
    world.researcher = _enrol(
        program, "researcher@lakeside.test", "Rae Researcher", "other", Role.RESEARCHER
    )
    world.fellows = [
        _enrol(program, f"fellow{n}@lakeside.test", name, "fellow", Role.SENIOR)
        for n, name in enumerate(["Nia Okoro", "Ben Lowry", "Cara Vance", "Dev Patel"], start=1)
    ]
    world.consultant = _enrol(
        program, "consultant@lakeside.test", "Dr Hugh Morton", "faculty", Role.JUNIOR
    )
    world.other_consultant = _enrol(
        program, "consultant2@lakeside.test", "Dr Ruth Ellis", "faculty", Role.JUNIOR
    )
    world.outsider = make_outsider(institution)
    for n, fellow in enumerate(world.fellows):
        services.relationship_add(
            program=program,
            fellow=fellow,
            consultant=world.consultant,
            is_mentor=n == 0,
            by=access.SYSTEM,
        )
    for n, fellow in enumerate(world.fellows[:2]):
        services.relationship_add(
            program=program,
            fellow=fellow,
            consultant=world.other_consultant,
            is_mentor=n == 1,
            by=access.SYSTEM,
        )
    services.facilitator_add(program=program, person=world.facilitator, by=access.SYSTEM)
    if consent:
        services.consent_give(program=program, by=world.consultant)
        services.consent_give(program=program, by=world.other_consultant)
    world.mentor = world.fellows[0]
    return world


def give_all(world, fellows=None, consultant=None, text="Approachable on the ward {n}."):
    """Each of `fellows` (all four) gives feedback on `consultant` (the first)."""
    consultant = consultant or world.consultant
    for n, fellow in enumerate(fellows if fellows is not None else world.fellows):
        services.feedback_give(
            program=world.program,
            consultant=consultant,
            answers=answers(text.format(n=n), rating=2 + n % 3),
            by=fellow,
        )


def review_and_release(world, consultant=None):
    from medmentor.reverse.models import DomainAnswer

    consultant = consultant or world.consultant
    for answer in DomainAnswer.objects.filter(
        feedback__consultant=consultant, needs_review=True, reviewed_at__isnull=True
    ).select_related("feedback__program"):
        services.answer_review(answer=answer, shown_text=answer.shown_text, by=world.facilitator)
    return services.feedback_release(
        program=world.program, consultant=consultant, by=world.facilitator
    )
