"""Who may do what in a program: the one place that answers "who is this person here".

`program_access(person, program)` reads the person's enrollments in the program with one
query and returns a `ProgramAccess` with named predicates (`manages`,
`sees_aggregates`, `is_learner`, `is_researcher`, ...). Every page, API call, service
and console command asks it, and the `require_*` helpers refuse with
`PermissionDenied` and a reason in words.

What each role then *sees* (only their own pairs, aggregates over at least 5 people,
no one's answers) is decided in the selectors, not here (docs/privacy.md).

Background jobs and console commands act as `SYSTEM`, a named actor that manages every
program (operations already hold the database), never as `by=None`: a service that
takes `by` always checks it, and the system actor's acts are logged as its own.
"""

import datetime
import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from medmentor.people.models import Institution, Person
from medmentor.programs.models import LEARNER_ROLES, STAFF_ROLES, Enrollment, Program, Role

logger = logging.getLogger(__name__)

# Those who see program-level aggregate figures (the dashboard's counts, the survey
# list's response rates): the staff who run it, faculty and researchers. Never the
# learners, whose own figures they see on their own pages.
AGGREGATE_ROLES = frozenset({*STAFF_ROLES, Role.FACULTY, Role.RESEARCHER})


@dataclass(frozen=True)
class SystemActor:
    """The operations console and the background worker, acting on their own.

    Not a person: it holds no enrollment and writes no person's name anywhere (a row's
    `created_by` stays empty), and each check it passes is logged under its name.
    """

    name: str

    is_authenticated = True
    pk = None

    def __str__(self) -> str:
        return self.name


SYSTEM = SystemActor(name="medmentor (system: console or background job)")

# Who acts in a service: a person, or the system actor.
Actor = Person | SystemActor


@dataclass(frozen=True)
class ProgramAccess:
    """A person's standing in one program, read once."""

    program: Program
    roles: frozenset[str]
    is_system: bool = False

    @property
    def manages(self) -> bool:
        """Directs or coordinates the program (or is the system actor)."""
        return self.is_system or bool(self.roles & set(STAFF_ROLES))

    @property
    def directs(self) -> bool:
        """Directs the program (or is the system actor): what only a director decides."""
        return self.is_system or Role.DIRECTOR in self.roles

    @property
    def sees_aggregates(self) -> bool:
        """May see program-level aggregate figures: directors, coordinators, faculty,
        researchers (and the system actor)."""
        return self.is_system or bool(self.roles & AGGREGATE_ROLES)

    @property
    def sees_reports(self) -> bool:
        """May open the survey reports and exports (answers pooled, never named):
        directors, coordinators and researchers (and the system actor); not faculty,
        who see the survey list's counts only."""
        return self.manages or self.is_researcher

    @property
    def plans_meetings(self) -> bool:
        """May plan meetings (meetings app): the program's learners and those who run it."""
        return self.manages or self.is_learner

    @property
    def creates_programs(self) -> bool:
        """Directs this program, and so may create programs at its institution (see
        program_creation_institutions); the system actor creates them from the console."""
        return Role.DIRECTOR in self.roles

    @property
    def joins_peer_groups(self) -> bool:
        """May belong to a small peer group of the program (groups app): its learners;
        whether they are in a given group is the group's fact (groups.selectors)."""
        return self.is_learner

    @property
    def staff_roles(self) -> frozenset[str]:
        """The roles held that run the program (director, coordinator)."""
        return self.roles & frozenset(STAFF_ROLES)

    @property
    def is_director(self) -> bool:
        return Role.DIRECTOR in self.roles

    @property
    def is_coordinator(self) -> bool:
        return Role.COORDINATOR in self.roles

    @property
    def is_learner(self) -> bool:
        return bool(self.roles & set(LEARNER_ROLES))

    @property
    def is_junior(self) -> bool:
        return Role.JUNIOR in self.roles

    @property
    def is_senior(self) -> bool:
        return Role.SENIOR in self.roles

    @property
    def is_faculty(self) -> bool:
        return Role.FACULTY in self.roles

    @property
    def is_researcher(self) -> bool:
        return Role.RESEARCHER in self.roles

    @property
    def is_enrolled(self) -> bool:
        return bool(self.roles)

    def require(self, predicate: str, reason: str = "") -> "ProgramAccess":
        """Self when `predicate` (a name above) holds; else PermissionDenied with
        `reason` (or the predicate's own words)."""
        if not getattr(self, predicate):
            raise PermissionDenied(reason or REASONS[predicate])
        if self.is_system:
            logger.info("%s passed “%s” in program %s", SYSTEM, predicate, self.program.slug)
        return self


# The default words of each refusal; callers may name what exactly was refused.
REASONS = {
    "manages": "This page is for the program's directors and coordinators.",
    "directs": "Only the program's director may do this.",
    "sees_aggregates": (
        "Program figures are for the program's directors, coordinators, faculty and researchers."
    ),
    "sees_reports": "Survey reports are for the program's directors, coordinators and researchers.",
    "is_director": "Only the program's directors may do this.",
    "is_coordinator": "This is for the program's coordinators.",
    "is_learner": "This is for the program's juniors and seniors.",
    "is_junior": "This is for the program's juniors.",
    "is_senior": "This is for the program's seniors.",
    "is_faculty": "This is for the program's faculty.",
    "is_researcher": "Only the program's researchers may do this.",
    "is_enrolled": "Only people enrolled in the program may see this.",
    "joins_peer_groups": "Peer groups are for the program's juniors and seniors.",
    "plans_meetings": "Only the program's mentors, mentees and staff plan meetings.",
    "creates_programs": (
        "New programs are created by the directors of a program at the same institution. "
        "Ask one of them, or operations (medmentor create-program)."
    ),
}

# Set on a program instance by `remember` (e.g. the home page, which reads everyone's
# roles in all their programs at once): (person pk, ProgramAccess).
_KNOWN = "_medmentor_access"


def enrollment_is_current(*, left_on: datetime.date | None, program: Program) -> bool:
    """Whether an enrollment that ends on `left_on` (its last day, in the program's time
    zone; None: it has not ended) still holds today. An ended enrollment stays in the
    table, as the program's history, and gives no standing."""
    return left_on is None or left_on >= datetime.datetime.now(tz=program.zone).date()


def roles_in_program(*, person: Actor, program: Program) -> set[str]:
    """`person`'s current roles in `program` (one query; none for the anonymous or the
    system). A role whose enrollment ended (left_on before today) is not held."""
    if isinstance(person, SystemActor) or not person.is_authenticated:
        return set()
    today = datetime.datetime.now(tz=program.zone).date()
    return set(
        Enrollment.objects.filter(program=program, person=person)
        .exclude(left_on__lt=today)
        .values_list("role", flat=True)
    )


def program_access(person: Actor, program: Program) -> ProgramAccess:
    """`person`'s standing in `program`: one query, none for the system actor, the
    anonymous, or a program whose roles `remember` already left for this person."""
    if isinstance(person, SystemActor):
        return ProgramAccess(program=program, roles=frozenset(), is_system=True)
    if person is None:
        # `by=None` once meant "the console" and skipped every check; it means nothing now.
        raise TypeError("Say who acts: a person, or access.SYSTEM for a console or a job.")
    known = getattr(program, _KNOWN, None)
    if known is not None and person.is_authenticated and known[0] == person.pk:
        return known[1]
    return ProgramAccess(
        program=program, roles=frozenset(roles_in_program(person=person, program=program))
    )


def for_roles(program: Program, roles) -> ProgramAccess:
    """The standing that `roles`, already read, give in `program` (no query)."""
    return ProgramAccess(program=program, roles=frozenset(roles))


def remember(*, person: Person, program: Program, roles) -> ProgramAccess:
    """Leave `person`'s roles, already read, on this program instance, so that
    `program_access` asks no query for them again (the home page's providers)."""
    access = for_roles(program, roles)
    setattr(program, _KNOWN, (person.pk, access))
    return access


def require(person: Actor, program: Program, predicate: str, reason: str = "") -> ProgramAccess:
    """`person`'s standing in `program` when `predicate` holds; else PermissionDenied."""
    return program_access(person, program).require(predicate, reason)


def require_manager(person: Actor, program: Program, reason: str = "") -> ProgramAccess:
    """For the program's directors and coordinators (and the system actor)."""
    return require(person, program, "manages", reason)


def require_aggregates(person: Actor, program: Program, reason: str = "") -> ProgramAccess:
    """For those who see program-level figures."""
    return require(person, program, "sees_aggregates", reason)


def require_researcher(person: Actor, program: Program, reason: str = "") -> ProgramAccess:
    """For the program's researchers."""
    return require(person, program, "is_researcher", reason)


def require_enrolled(person: Actor, program: Program, reason: str = "") -> ProgramAccess:
    """For anyone enrolled in the program."""
    return require(person, program, "is_enrolled", reason)


# --- Creating programs -------------------------------------------------------------------
# Not a standing in one program: whom a new program may be created by. The rule: the
# directors of a program (a current enrollment) may create programs at that program's
# institution, and become the new program's director. Operations create programs at any
# institution, and new institutions, from the console only (`medmentor create-program`,
# as the system actor): the operations account is never a program's director.


def program_creation_institutions(person: Actor) -> QuerySet[Institution]:
    """The institutions at which `person` may create a program (every one for the
    system actor; none for the anonymous)."""
    if isinstance(person, SystemActor):
        return Institution.objects.order_by("name")
    if person is None:
        raise TypeError("Say who acts: a person, or access.SYSTEM for a console or a job.")
    if not person.is_authenticated:
        return Institution.objects.none()
    directed = [
        (enrollment.program, enrollment.left_on)
        for enrollment in Enrollment.objects.filter(
            person=person, role=Role.DIRECTOR
        ).select_related("program")
    ]
    ids = {
        program.institution_id
        for program, left_on in directed
        if enrollment_is_current(left_on=left_on, program=program)
        and for_roles(program, [Role.DIRECTOR]).creates_programs
    }
    return Institution.objects.filter(pk__in=ids).order_by("name")


def may_create_programs(person: Actor) -> bool:
    """Whether `person` may create a program at some institution."""
    return program_creation_institutions(person).exists()


def require_program_creator(
    person: Actor, institution: Institution | None = None, reason: str = ""
) -> None:
    """Refuse (PermissionDenied) unless `person` may create a program, at `institution`
    when given."""
    allowed = program_creation_institutions(person)
    if institution is not None:
        allowed = allowed.filter(pk=institution.pk)
    if not allowed.exists():
        raise PermissionDenied(reason or REASONS["creates_programs"])


def recorded_by(actor: Actor) -> Person | None:
    """Who a row records as having acted: the person, or nobody for the system actor."""
    return None if isinstance(actor, SystemActor) else actor
