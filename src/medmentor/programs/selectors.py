"""Reads about programs that pages and the API show; privacy rules are applied here."""

from dataclasses import dataclass

from django.urls import reverse

from medmentor.people.models import Person
from medmentor.programs.models import STAFF_ROLES, Enrollment, Program, Role


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
