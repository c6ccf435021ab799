"""Setting a program up from the console: creating a program and enrolling people.

`program_create` creates a program, with its institution and service when they are new,
and `person_enrol` enrols a person in it in a role, creating them when new.
Each refusal is a `ProgramError` whose message says what was refused and why.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import transaction
from django.utils.text import slugify

from medmentor.one_line import line_break_problem
from medmentor.people.models import Institution, Person, Service, TrainingLevel
from medmentor.programs.models import Enrollment, Program, ProgramKind, Role, validate_time_zone
from medmentor.programs.services.roster import ALLOWED_ROLES
from medmentor.programs.services.weeks import _monday_of


class ProgramError(ValueError):
    """A program that cannot be created as asked; the message says why."""


def program_create(
    *,
    name: str,
    slug: str,
    institution_name: str,
    service_name: str,
    starts_on: datetime.date,
    kind: str = ProgramKind.CASE_REVIEW,
    time_zone: str = "America/New_York",
    description: str = "",
) -> Program:
    """Create a program, with its institution and service when they are new."""
    if not name.strip():
        raise ProgramError("The program needs a name.")
    if problem := line_break_problem(name.strip(), what="The program's name"):
        # The name is in the subject of the matching emails ("Your mentor in <name>").
        raise ProgramError(problem)
    try:
        validate_slug(slug)
    except ValidationError as error:
        raise ProgramError(
            f"“{slug}” cannot be a program's short name: use letters, digits, - and _."
        ) from error
    if Program.objects.filter(slug=slug).exists():
        raise ProgramError(f"A program called “{slug}” already exists.")
    if kind not in ProgramKind.values:
        raise ProgramError(f"“{kind}” is not a program kind; use {', '.join(ProgramKind.values)}.")
    try:
        validate_time_zone(time_zone)
    except ValidationError as error:
        raise ProgramError(error.messages[0]) from error
    if starts_on.weekday() != 0:
        raise ProgramError(
            f"Programs start on a Monday; {starts_on.isoformat()} is a "
            f"{starts_on:%A}. The Monday of that week is {_monday_of(starts_on).isoformat()}."
        )
    if not institution_name.strip():
        raise ProgramError("The program needs an institution.")
    with transaction.atomic():
        institution = Institution.objects.filter(name__iexact=institution_name.strip()).first()
        if institution is None:
            institution = Institution.objects.create(
                name=institution_name.strip(), slug=_free_institution_slug(institution_name)
            )
        service = None
        if service_name.strip():
            service = Service.objects.filter(
                institution=institution, name__iexact=service_name.strip()
            ).first() or Service.objects.create(institution=institution, name=service_name.strip())
        return Program.objects.create(
            name=name.strip(),
            slug=slug,
            kind=kind,
            institution=institution,
            service=service,
            starts_on=starts_on,
            time_zone=time_zone,
            description=description,
        )


def _free_institution_slug(name: str) -> str:
    base = slugify(name)[:70] or "institution"
    slug, number = base, 2
    while Institution.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def person_enrol(
    *,
    program: Program,
    email: str,
    role: str,
    full_name: str = "",
    training_level: str = TrainingLevel.OTHER,
) -> Person:
    """Enrol the person with `email` in `program` in `role`, creating them when new."""
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ProgramError(f"“{email}” is not an email address.") from error
    if role not in Role.values:
        raise ProgramError(f"“{role}” is not a role; use {ALLOWED_ROLES}.")
    with transaction.atomic():
        person = Person.objects.filter(email__iexact=email).first()
        if person is None:
            if not full_name.strip():
                raise ProgramError(f"{email} is new to medmentor: give their full name too.")
            person = Person.objects.create_user(
                email=email,
                full_name=full_name.strip(),
                training_level=training_level,
                institution=program.institution,
            )
        Enrollment.objects.get_or_create(program=program, person=person, role=role)
    return person
