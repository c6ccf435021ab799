"""The people page's writes: adding one person, changing their roles, ending their
enrollment. The same rules as the roster import (`roster`): a director gives or takes
away any role, a coordinator the roles below their own; nobody changes their own
roles; every program keeps a director; people other programs also hold keep their
name and level. Nothing is deleted: a role taken away or an enrollment ended keeps its
row with its last day (`left_on`), as the program's history.

Each refusal is a `PeopleError` (or PermissionDenied for someone who does not run the
program) whose message says what was refused and why.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from medmentor.one_line import line_break_problem
from medmentor.people.models import Person, TrainingLevel
from medmentor.programs import access
from medmentor.programs.access import Actor
from medmentor.programs.models import Enrollment, Program, Role
from medmentor.programs.selectors import program_today as _today
from medmentor.programs.services.roster import roster_roles_grantable


class PeopleError(ValueError):
    """A change to a program's people that was refused; the message says why."""


def program_today(program: Program) -> datetime.date:
    return _today(program=program)


def _role_words(roles) -> str:
    return " and ".join(Role(role).label.lower() for role in sorted(roles))


def _checked_roles(*, program: Program, roles, by: Actor, verb: str) -> set[str]:
    """`roles` as a set, each a role `by` may give or take away in `program`."""
    chosen = set(roles)
    unknown = sorted(chosen - set(Role.values))
    if unknown:
        raise PeopleError(f"“{unknown[0]}” is not a role; use {', '.join(Role.values)}.")
    beyond = sorted(chosen - roster_roles_grantable(program=program, by=by))
    if beyond:
        raise PeopleError(
            f"As a coordinator you cannot {verb} the role {_role_words(beyond)}; only a "
            "director of the program grants director and coordinator."
        )
    return chosen


def _current(program: Program, person: Person) -> dict[str, Enrollment]:
    """`person`'s enrollments in `program` by role, each locked, current or not."""
    return {
        enrollment.role: enrollment
        for enrollment in Enrollment.objects.select_for_update().filter(
            program=program, person=person
        )
    }


def _is_current(program: Program, enrollment: Enrollment) -> bool:
    return access.enrollment_is_current(left_on=enrollment.left_on, program=program)


def _require_a_director_remains(program: Program, person: Person, last_day: datetime.date):
    """Refuse when ending `person`'s director role would leave `program` without one."""
    today = program_today(program)
    others = (
        Enrollment.objects.filter(program=program, role=Role.DIRECTOR)
        .exclude(person=person)
        .exclude(left_on__lt=today)
        .exclude(left_on__lte=last_day)
    )
    if not others.exists():
        raise PeopleError(
            f"{person.full_name} is the program's only director: enrol another director "
            "first, so someone can still run the program."
        )


def _require_not_self(person: Person, by: Actor, what: str) -> None:
    if not isinstance(by, access.SystemActor) and person.pk == by.pk:
        raise PeopleError(
            f"Nobody {what} themselves: another director of the program can do it for you."
        )


def program_person_add(
    *,
    program: Program,
    by: Actor,
    email: str,
    roles,
    full_name: str = "",
    training_level: str = TrainingLevel.OTHER,
    joined_on: datetime.date | None = None,
) -> Person:
    """Enrol the person with `email` in `program` in `roles`, creating them when new.

    Someone medmentor already knows keeps their name and level (other programs may hold
    them; they are corrected from their own profile or by operations). A role they held
    here before and that ended is taken up again from `joined_on` (default today).
    """
    chosen = _checked_roles(program=program, roles=roles, by=by, verb="give")
    if not chosen:
        raise PeopleError("Choose at least one role for them in this program.")
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise PeopleError(f"“{email}” is not an email address.") from error
    full_name = full_name.strip()
    if problem := line_break_problem(full_name, what="The name"):
        raise PeopleError(problem)
    if len(full_name) > 200:
        raise PeopleError("The name is longer than 200 characters.")
    if training_level not in TrainingLevel.values:
        raise PeopleError(f"“{training_level}” is not a training level.")
    joined_on = joined_on or program_today(program)
    with transaction.atomic():
        person = Person.objects.filter(email__iexact=email).first()
        if person is None:
            if not full_name:
                raise PeopleError(f"{email} is new to medmentor: give their full name too.")
            person = Person.objects.create_user(
                email=email,
                full_name=full_name,
                training_level=training_level,
                institution=program.institution,
            )
        else:
            _require_not_self(person, by, "changes the roles of")
        held = _current(program, person)
        already = sorted(
            role for role in chosen if role in held and _is_current(program, held[role])
        )
        if already:
            raise PeopleError(
                f"{person.full_name} is already a {_role_words(already)} of this program: "
                "change their roles on their page instead."
            )
        for role in sorted(chosen):
            enrollment = held.get(role) or Enrollment(program=program, person=person, role=role)
            enrollment.joined_on = joined_on
            enrollment.left_on = None
            enrollment.save()
    return person


def enrollment_roles_set(*, program: Program, person: Person, roles, by: Actor) -> list[str]:
    """Make `roles` `person`'s current roles in `program`: a new role starts today, a
    role taken away ends with yesterday as its last day (so it no longer holds today).
    Returns the words of what changed."""
    wanted = set(roles)
    if not wanted:
        raise PeopleError(
            "Choose at least one role. To take someone out of the program, end their "
            "enrollment instead."
        )
    _require_not_self(person, by, "changes the roles of")
    today = program_today(program)
    yesterday = today - datetime.timedelta(days=1)
    with transaction.atomic():
        held = _current(program, person)
        current = {role for role, enrollment in held.items() if _is_current(program, enrollment)}
        if not current:
            raise PeopleError(
                f"{person.full_name} is not enrolled in {program.name} now: add them again "
                "from the people page."
            )
        added, removed = wanted - current, current - wanted
        _checked_roles(program=program, roles=added, by=by, verb="give")
        _checked_roles(program=program, roles=removed, by=by, verb="take away")
        if Role.DIRECTOR in removed:
            _require_a_director_remains(program, person, yesterday)
        for role in sorted(added):
            enrollment = held.get(role) or Enrollment(program=program, person=person, role=role)
            enrollment.joined_on, enrollment.left_on = today, None
            enrollment.save()
        for role in sorted(removed):
            enrollment = held[role]
            enrollment.left_on = yesterday
            enrollment.save(update_fields=["left_on"])
    changes = []
    if added:
        changes.append(f"now {_role_words(added)}")
    if removed:
        changes.append(f"no longer {_role_words(removed)}")
    return changes


@dataclass(frozen=True)
class EnrollmentEnded:
    roles: tuple[str, ...]
    last_day: datetime.date


def enrollment_end(
    *, program: Program, person: Person, by: Actor, last_day: datetime.date | None = None
) -> EnrollmentEnded:
    """End every current role of `person` in `program`, `last_day` being the last day
    they hold it (default: yesterday, so it ends at once). The rows stay, as history."""
    _require_not_self(person, by, "ends the enrollment of")
    today = program_today(program)
    asked_day = last_day
    last_day = last_day or today - datetime.timedelta(days=1)
    with transaction.atomic():
        held = _current(program, person)
        current = [e for e in held.values() if _is_current(program, e)]
        if not current:
            raise PeopleError(f"{person.full_name}'s enrollment in {program.name} already ended.")
        roles = {enrollment.role for enrollment in current}
        _checked_roles(program=program, roles=roles, by=by, verb="take away")
        joined = [e.joined_on for e in current if e.joined_on]
        if asked_day is not None and joined and asked_day < max(joined):
            raise PeopleError(
                f"{person.full_name} joined on {max(joined):%d %B %Y}; their last day cannot "
                "be before that. Choose “Now” to end it at once."
            )
        if Role.DIRECTOR in roles:
            _require_a_director_remains(program, person, last_day)
        for enrollment in current:
            enrollment.left_on = last_day
            enrollment.save(update_fields=["left_on"])
    return EnrollmentEnded(roles=tuple(sorted(roles)), last_day=last_day)
