"""Setting a program up: creating a program and enrolling people.

From the console, `program_create` creates a program, with its institution and service
when they are new, and `person_enrol` enrols a person in it in a role, creating them
when new. From the web, `program_create_as_director` creates a program at an
institution its creator may create programs at (programs.access) and makes the creator
its director. Each refusal is a `ProgramError` whose message says what was refused and
why.
"""

import datetime
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import transaction
from django.utils.text import slugify

from medmentor.one_line import line_break_problem
from medmentor.people.models import Institution, Person, Service, TrainingLevel
from medmentor.programs import access, kinds
from medmentor.programs.models import (
    Enrollment,
    Program,
    ProgramKind,
    Role,
    Weekday,
    validate_time_zone,
)
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
    _program_checks(name=name, slug=slug, kind=kind, time_zone=time_zone, starts_on=starts_on)
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


# Short names the web addresses under programs/ use for themselves.
RESERVED_SLUGS = frozenset({"new"})


def _program_checks(
    *, name: str, slug: str, kind: str, time_zone: str, starts_on: datetime.date
) -> None:
    """Refuse (ProgramError) a program that cannot be created as asked."""
    if not name.strip():
        raise ProgramError("The program needs a name.")
    if problem := line_break_problem(name.strip(), what="The program's name"):
        # The name is in the subject of the matching emails ("Your mentor in <name>").
        raise ProgramError(problem)
    if len(name.strip()) > 200:
        raise ProgramError("The program's name is longer than 200 characters.")
    try:
        validate_slug(slug)
    except ValidationError as error:
        raise ProgramError(
            f"“{slug}” cannot be a program's short name: use letters, digits, - and _."
        ) from error
    if len(slug) > 80:
        raise ProgramError("The short name is longer than 80 characters.")
    if slug in RESERVED_SLUGS:
        raise ProgramError(f"“{slug}” is a word medmentor's web addresses use; choose another.")
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


def program_slug_suggest(name: str) -> str:
    """A free short name made from `name` ("Nuclear Medicine must-see" →
    "nuclear-medicine-must-see", then "-2", "-3"… when taken)."""
    base = slugify(name)[:70].strip("-") or "program"
    if base in RESERVED_SLUGS:
        base = f"{base}-program"
    slug, number = base, 2
    while Program.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def program_create_as_director(
    *,
    by: Person,
    kind: str,
    name: str,
    institution: Institution,
    starts_on: datetime.date,
    time_zone: str,
    slug: str = "",
    description: str = "",
    service_name: str = "",
    weekly_email_weekday: int | None = None,
    weekly_email_time: datetime.time | None = None,
    kind_settings: Mapping[str, object] | None = None,
) -> Program:
    """Create a program of `kind` at `institution` with `by` as its director, who must
    be allowed to create programs there (access.require_program_creator). A blank
    `slug` is made from the name. The kind's own set-up (kinds.register_creation's
    after_create, given `kind_settings`, the kind's own settings fields) runs in the
    same transaction: all of it is created, or nothing."""
    access.require_program_creator(
        by,
        institution,
        f"You may not create programs at {institution.name}: new programs there are created "
        "by the directors of its programs.",
    )
    if kind not in [creation.kind for creation in kinds.creatable_kinds()]:
        raise ProgramError(
            f"Programs of the kind “{kind}” cannot be created here yet: choose one of the kinds "
            "listed."
        )
    slug = slug.strip().lower() or program_slug_suggest(name)
    _program_checks(name=name, slug=slug, kind=kind, time_zone=time_zone, starts_on=starts_on)
    if problem := line_break_problem(service_name.strip(), what="The service's name"):
        raise ProgramError(problem)
    if weekly_email_weekday is not None and weekly_email_weekday not in Weekday.values:
        raise ProgramError("Choose the weekly email's day from Monday to Sunday.")
    settings: dict[str, object] = {}
    if weekly_email_weekday is not None:
        settings["weekly_email_weekday"] = weekly_email_weekday
    if weekly_email_time is not None:
        settings["weekly_email_time"] = weekly_email_time
    with transaction.atomic():
        service = None
        if service_name.strip():
            service = Service.objects.filter(
                institution=institution, name__iexact=service_name.strip()
            ).first() or Service.objects.create(institution=institution, name=service_name.strip())
        program = Program.objects.create(
            name=name.strip(),
            slug=slug,
            kind=kind,
            institution=institution,
            service=service,
            starts_on=starts_on,
            time_zone=time_zone,
            description=description.strip(),
            **settings,
        )
        Enrollment.objects.create(
            program=program,
            person=by,
            role=Role.DIRECTOR,
            joined_on=datetime.datetime.now(tz=program.zone).date(),
        )
        after_create = kinds.creation_for(kind).after_create
        if after_create is not None:
            after_create(program=program, by=by, **dict(kind_settings or {}))
    return program


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
