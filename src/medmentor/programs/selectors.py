"""Reads about programs that pages and the API show; privacy rules are applied here."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse

from medmentor.people.models import Person
from medmentor.programs.models import (
    STAFF_ROLES,
    Enrollment,
    Pair,
    Program,
    ProgramWeek,
    Role,
)


@dataclass(frozen=True)
class ProgramLink:
    program: Program
    roles: tuple[str, ...]
    url: str


def roles_in_program(*, person: Person, program: Program) -> set[str]:
    if not person.is_authenticated:
        return set()
    return set(
        Enrollment.objects.filter(program=program, person=person).values_list("role", flat=True)
    )


def programs_for_person(*, person: Person) -> list[ProgramLink]:
    """The programs `person` is enrolled in, each with the page their main role opens."""
    by_program: dict[int, list[str]] = {}
    programs: dict[int, Program] = {}
    for enrollment in Enrollment.objects.filter(person=person).select_related("program"):
        by_program.setdefault(enrollment.program_id, []).append(enrollment.role)
        programs[enrollment.program_id] = enrollment.program
    links = []
    for program_id, roles in by_program.items():
        program = programs[program_id]
        if set(roles) & {Role.SENIOR, Role.JUNIOR}:
            url = reverse("workspace", kwargs={"slug": program.slug})
        elif set(roles) & {*STAFF_ROLES, Role.FACULTY, Role.RESEARCHER}:
            url = reverse("program-detail", kwargs={"slug": program.slug})
        else:
            continue
        links.append(ProgramLink(program=program, roles=tuple(sorted(roles)), url=url))
    return sorted(links, key=lambda link: link.program.name)


# --- Reads for the REST API (medmentor.api) ------------------------------------------
# Each takes the viewer and applies the privacy rule itself: a program the viewer is
# not enrolled in does not exist for them (DoesNotExist, shown as 404); a list their
# role may not see raises PermissionDenied (403).


def programs_of_person(*, person: Person) -> QuerySet[Program]:
    """The programs `person` is enrolled in, each with `viewer_enrollments`."""
    return (
        Program.objects.filter(enrollments__person=person)
        .distinct()
        .select_related("institution", "service")
        .prefetch_related(
            Prefetch(
                "enrollments",
                queryset=Enrollment.objects.filter(person=person),
                to_attr="viewer_enrollments",
            )
        )
        .order_by("name", "pk")
    )


def program_of_person(*, person: Person, slug: str) -> Program:
    """The program called `slug` if `person` is enrolled in it; else Program.DoesNotExist."""
    program = programs_of_person(person=person).filter(slug=slug).first()
    if program is None:
        raise Program.DoesNotExist(f"You have no program called “{slug}”.")
    return program


def program_people(*, program: Program, viewer: Person) -> QuerySet[Person]:
    """Everyone enrolled in `program`, each with `program_enrollments`; for directors and
    coordinators only. Faculty and researchers see program-level aggregates, never the
    roster; learners see their own pairs, not everyone's."""
    if not roles_in_program(person=viewer, program=program) & set(STAFF_ROLES):
        raise PermissionDenied(
            "Only the program's directors and coordinators may see who is enrolled."
        )
    return (
        Person.objects.filter(enrollments__program=program)
        .distinct()
        .prefetch_related(
            Prefetch(
                "enrollments",
                queryset=Enrollment.objects.filter(program=program).order_by("role"),
                to_attr="program_enrollments",
            )
        )
        .order_by("full_name", "pk")
    )


def program_week_containing(*, program: Program, day: datetime.date) -> ProgramWeek:
    """The program week (Monday to Sunday) holding `day`; else ProgramWeek.DoesNotExist."""
    monday = day - datetime.timedelta(days=day.weekday())
    week = ProgramWeek.objects.filter(program=program, starts_on=monday).first()
    if week is None:
        raise ProgramWeek.DoesNotExist(
            f"{program.name} has no week starting on {monday.isoformat()}."
        )
    return week


def pairs_visible_to(*, week: ProgramWeek, viewer: Person) -> QuerySet[Pair]:
    """The week's pairs that `viewer` may see: all of them for directors and
    coordinators, only their own for seniors and juniors; PermissionDenied for faculty
    and researchers, who see program-level aggregates only."""
    roles = roles_in_program(person=viewer, program=week.program)
    pairs = (
        Pair.objects.filter(week=week, is_removed=False)
        .select_related("week", "junior", "senior")
        .order_by("junior__full_name", "senior__full_name", "pk")
    )
    if roles & set(STAFF_ROLES):
        return pairs
    if roles & {Role.SENIOR, Role.JUNIOR}:
        return pairs.filter(Q(junior=viewer) | Q(senior=viewer))
    raise PermissionDenied(
        "Faculty and researchers see program-level aggregates only, not who is paired."
    )


def pair_in_week(*, week: ProgramWeek, pair_id: int, viewer: Person) -> Pair:
    """One current pair of `week` for the staff who may change it."""
    if not roles_in_program(person=viewer, program=week.program) & set(STAFF_ROLES):
        raise PermissionDenied("Only the program's directors and coordinators may change pairs.")
    pair = pairs_visible_to(week=week, viewer=viewer).filter(pk=pair_id).first()
    if pair is None:
        raise Pair.DoesNotExist(f"The week of {week.starts_on.isoformat()} has no pair {pair_id}.")
    return pair
