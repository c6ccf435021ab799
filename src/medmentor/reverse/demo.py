"""The reverse mentoring demo program (seed 002): 6 clinical fellows (mentors) and 5
consultants (mentees), loaded through the services a director, fellows, facilitator and
consultants use.

All five consultants consent (as in the seed). Phase 1: the fellows give feedback in
the seven domains on the consultants they work with; four consultants have feedback
from 3 to 5 fellows, which the facilitator reviews and releases; the fifth has feedback
from only 2 fellows, so nothing is released to them. Phase 2: five sessions, logged at
45, 28, 180, 45 and 60 minutes (median 45, range 28–180, as in the seed), with some
consultants' "what will you change" notes. The seed-002 style pre/post survey (the
survey library's instrument; surveys/demo.py) belongs to this program. Loading twice
changes nothing but the survey's waves, which follow `today`.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from medmentor.people.models import Person
from medmentor.programs import access
from medmentor.programs.models import Enrollment, Program, ProgramKind, Role
from medmentor.programs.services.setup import program_create
from medmentor.reverse import services
from medmentor.reverse.models import DomainAnswer
from medmentor.surveys.demo import survey_demo_load
from medmentor.surveys.models import Instrument

PROGRAM_SLUG = "reverse-mentoring"
PROGRAM_NAME = "Reverse mentoring: fellows and consultants"
PROGRAM_DESCRIPTION = (
    "Clinical fellows give their supervising consultants feedback in seven domains — use "
    "of technology, clinical practice, approach to juniors, time management, "
    "approachability, strengths and areas for improvement — pooled from at least three "
    "fellows and without names. Then each consultant meets a fellow as their reverse "
    "mentor, 1-2-1, to talk it through."
)
DOMAIN = "demo.medmentor.test"
FELLOWS = [
    ("fellow1", "Amara Nwosu"),
    ("fellow2", "Tomás Herrera"),
    ("fellow3", "Anjali Mehta"),
    ("fellow4", "Jonah Whitfield"),
    ("fellow5", "Zainab Yusuf"),
    ("fellow6", "Hiro Tanaka"),
]
CONSULTANTS = [
    ("consultant1", "Dr Helen Marsh"),
    ("consultant2", "Dr Robert Ainsley"),
    ("consultant3", "Dr Fiona Gallagher"),
    ("consultant4", "Dr Martin Osei"),
    ("consultant5", "Dr Catherine Doyle"),
]
FACILITATOR = ("facilitator", "Nadia Karim")
# Which fellows give feedback on each consultant (consultant 5: two, below the threshold).
GIVERS = {0: [0, 1, 2, 3], 1: [1, 2, 3], 2: [2, 3, 4, 5, 0], 3: [3, 4, 5], 4: [4, 5]}
SESSION_MINUTES = [45, 28, 180, 45, 60]
WORDS = [
    {
        "technology": (4, "Quick to try the new e-prescribing templates on the ward."),
        "clinical_practice": (5, "Thorough, safe decisions; explains the reasoning on rounds."),
        "approach_to_juniors": (3, "Can be short with questions when the ward is busy."),
        "time_management": (3, "Ward rounds often overrun into clinic time."),
        "approachability": (4, "Easy to call overnight."),
        "strengths": (None, "Calm in emergencies; teaches at the bedside."),
        "areas_for_improvement": (None, "Protect a few minutes for questions after handover."),
    },
    {
        "technology": (2, "Prefers paper lists to the electronic handover tool."),
        "clinical_practice": (4, "Careful with escalation plans."),
        "approach_to_juniors": (4, "Asks what juniors think before deciding."),
        "time_management": (4, "Rounds start on time."),
        "approachability": (3, "Seems busy, so people hesitate to call."),
        "strengths": (None, "Clear plans written in the notes."),
        "areas_for_improvement": (None, "Try the shared electronic task list."),
    },
    {
        "technology": (3, "Uses the imaging viewer well; not the messaging app."),
        "clinical_practice": (5, "Up to date with the guidelines."),
        "approach_to_juniors": (3, "Feedback mostly comes when something went wrong."),
        "time_management": (2, "Clinics run late, which delays the ward jobs."),
        "approachability": (4, "Friendly on the ward."),
        "strengths": (None, "Knowledge, and sharing it."),
        "areas_for_improvement": (None, "Say what went well too, not only what went wrong."),
    },
]


class ReverseDemoError(Exception):
    """The reverse mentoring demo could not be loaded; the message says why."""


@dataclass
class ReverseDemoLoad:
    program: Program
    survey: Instrument
    fellows: list[Person] = field(default_factory=list)
    consultants: list[Person] = field(default_factory=list)
    facilitator: Person | None = None
    lines: list[str] = field(default_factory=list)


def _person(key: str, name: str, level: str, password_hash: str) -> Person:
    person = Person.objects.filter(email=f"{key}@{DOMAIN}").first()
    if person is None:
        person = Person.objects.create_user(
            email=f"{key}@{DOMAIN}", full_name=name, training_level=level
        )
        person.password = password_hash
        person.save(update_fields=["password"])
    return person


def _enrol(program: Program, person: Person, role: str) -> Person:
    Enrollment.objects.get_or_create(program=program, person=person, role=role)
    return person


def _first_load(*, program: Program, fellows, consultants, facilitator, today) -> list[str]:
    for n, consultant in enumerate(consultants):
        for f in set(GIVERS[n]) | {n}:
            services.relationship_add(
                program=program,
                fellow=fellows[f],
                consultant=consultant,
                is_mentor=f == n,
                by=access.SYSTEM,
            )
        services.consent_give(program=program, by=consultant)
    services.facilitator_add(program=program, person=facilitator, by=access.SYSTEM)
    for n, consultant in enumerate(consultants):
        for k, f in enumerate(GIVERS[n]):
            services.feedback_give(
                program=program,
                consultant=consultant,
                answers=WORDS[(n + k) % len(WORDS)],
                by=fellows[f],
            )
    # The facilitator settles every flagged text as it stands, then releases to the
    # four consultants with feedback from at least 3 fellows.
    for answer in DomainAnswer.objects.filter(
        feedback__program=program, needs_review=True, reviewed_at__isnull=True
    ).select_related("feedback__program"):
        services.answer_review(answer=answer, shown_text=answer.shown_text, by=facilitator)
    released = 0
    for n, consultant in enumerate(consultants):
        if len(GIVERS[n]) >= services.RELEASE_THRESHOLD:
            services.feedback_release(program=program, consultant=consultant, by=facilitator)
            released += 1
    zone = program.zone
    for n, consultant in enumerate(consultants):
        day = today - datetime.timedelta(days=7 * (6 - n))
        starts_at = datetime.datetime.combine(day, datetime.time(16, 0), tzinfo=zone)
        session = services.session_book(
            program=program,
            consultant=consultant,
            starts_at=starts_at,
            minutes=45,
            place="Education centre, room 2",
            by=consultant,
            now=starts_at - datetime.timedelta(days=3),
        )
        minutes = SESSION_MINUTES[n]
        services.session_log(
            session=session,
            minutes=minutes,
            by=fellows[n],
            now=starts_at + datetime.timedelta(minutes=minutes + 10),
        )
        if n % 2 == 0:
            services.change_note_save(
                session=session,
                text="Leave ten minutes after handover for questions; try the task list.",
                by=consultant,
            )
    return [
        f"Reverse mentoring: {len(fellows)} fellows and {len(consultants)} consultants; "
        f"feedback released to {released}, one below the threshold of "
        f"{services.RELEASE_THRESHOLD}; {len(consultants)} sessions logged."
    ]


def reverse_demo_load(
    *, institution_name: str, starts_on: datetime.date, time_zone: str, password: str, today
) -> ReverseDemoLoad:
    """Create (or keep current) the reverse mentoring program; safe to run again."""
    try:
        with transaction.atomic():
            password_hash = make_password(password)
            program = Program.objects.filter(slug=PROGRAM_SLUG).first()
            new = program is None
            if program is None:
                program = program_create(
                    name=PROGRAM_NAME,
                    slug=PROGRAM_SLUG,
                    institution_name=institution_name,
                    service_name="",
                    starts_on=starts_on,
                    kind=ProgramKind.REVERSE,
                    time_zone=time_zone,
                    description=PROGRAM_DESCRIPTION,
                )
            director = Enrollment.objects.filter(role=Role.DIRECTOR).order_by("pk").first()
            if director is not None:
                _enrol(program, director.person, Role.DIRECTOR)
            fellows = [
                _enrol(program, _person(key, name, "fellow", password_hash), Role.SENIOR)
                for key, name in FELLOWS
            ]
            consultants = [
                _enrol(program, _person(key, name, "faculty", password_hash), Role.JUNIOR)
                for key, name in CONSULTANTS
            ]
            facilitator = _enrol(
                program, _person(*FACILITATOR, "faculty", password_hash), Role.FACULTY
            )
            lines = [f"The program “{PROGRAM_NAME}” ({PROGRAM_SLUG}) is loaded."]
            if new:
                lines += _first_load(
                    program=program,
                    fellows=fellows,
                    consultants=consultants,
                    facilitator=facilitator,
                    today=today,
                )
            # The seed-002 pre/post survey, answered by fellows and consultants.
            survey = survey_demo_load(program=program, today=today)
    except services.ReverseError as error:
        raise ReverseDemoError(str(error)) from error
    return ReverseDemoLoad(
        program=program,
        survey=survey,
        fellows=fellows,
        consultants=consultants,
        facilitator=facilitator,
        lines=lines,
    )
