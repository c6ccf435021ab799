"""programs/access.py: who is this person in this program, asked in one place."""

import ast
import logging
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

import medmentor
from medmentor.mentoring.services import (
    matching_conflict_add,
    matching_profiles_import,
    matching_run_create,
)
from medmentor.programs import access
from medmentor.programs.access import SYSTEM, program_access
from medmentor.programs.models import Enrollment, Role
from medmentor.programs.services import roster_import, schedule_import
from tests.mentoring.matching_cohort import one_to_one_program
from tests.programs.files import roster

PREDICATES = (
    "manages",
    "directs",
    "sees_aggregates",
    "sees_reports",
    "is_director",
    "is_coordinator",
    "is_learner",
    "is_junior",
    "is_senior",
    "is_faculty",
    "is_researcher",
    "is_enrolled",
    "plans_meetings",
    "creates_programs",
)

# Each role of the shared test program, and the predicates that hold for it (all the
# others must not). `outsider` is a junior of another program: nothing holds here.
EXPECTED = {
    "director": {
        "manages",
        "directs",
        "sees_aggregates",
        "sees_reports",
        "is_director",
        "plans_meetings",
        "creates_programs",
    },
    "coordinator": {
        "manages",
        "sees_aggregates",
        "sees_reports",
        "is_coordinator",
        "plans_meetings",
    },
    "faculty": {"sees_aggregates", "is_faculty"},
    "researcher": {"sees_aggregates", "sees_reports", "is_researcher"},
    "senior": {"is_learner", "is_senior", "plans_meetings"},
    "junior": {"is_learner", "is_junior", "plans_meetings"},
    "outsider": set(),
    "operations": set(),
}


def _holding(standing) -> set[str]:
    return {name for name in PREDICATES if getattr(standing, name)}


@pytest.mark.parametrize("name", EXPECTED)
def test_each_role_holds_exactly_its_predicates(request, program, name):
    person = request.getfixturevalue(name)
    standing = program_access(person, program)
    expected = EXPECTED[name] | (
        {"is_enrolled"} if name not in ("outsider", "operations") else set()
    )
    assert _holding(standing) == expected
    assert not standing.is_system


def test_roles_are_the_persons_roles_in_this_program_only(program, director, outsider):
    Enrollment.objects.create(program=program, person=director, role=Role.RESEARCHER)
    assert program_access(director, program).roles == {Role.DIRECTOR, Role.RESEARCHER}
    assert program_access(outsider, program).roles == set()


def test_a_person_with_two_roles_holds_the_predicates_of_both(program, faculty):
    Enrollment.objects.create(program=program, person=faculty, role=Role.SENIOR)
    standing = program_access(faculty, program)
    assert _holding(standing) == {
        "sees_aggregates",
        "is_faculty",
        "is_learner",
        "is_senior",
        "is_enrolled",
        "plans_meetings",
    }


def test_a_persons_standing_is_read_with_one_query(program, director, django_assert_num_queries):
    with django_assert_num_queries(1):
        standing = program_access(director, program)
        assert standing.manages and standing.sees_aggregates and standing.is_enrolled


def test_the_anonymous_visitor_holds_nothing_and_costs_no_query(program, django_assert_num_queries):
    with django_assert_num_queries(0):
        standing = program_access(AnonymousUser(), program)
    assert _holding(standing) == set()


def test_remembered_roles_are_not_read_again(program, junior, director, django_assert_num_queries):
    access.remember(person=junior, program=program, roles=[Role.JUNIOR])
    with django_assert_num_queries(0):
        assert program_access(junior, program).is_junior
    # Only for that person: anyone else is read as usual.
    with django_assert_num_queries(1):
        assert program_access(director, program).manages


# --- The system actor ------------------------------------------------------------------


def test_the_system_actor_manages_every_program_without_being_enrolled(
    program, django_assert_num_queries
):
    with django_assert_num_queries(0):
        standing = program_access(SYSTEM, program)
    assert standing.is_system
    assert _holding(standing) == {
        "manages",
        "directs",
        "sees_aggregates",
        "sees_reports",
        "plans_meetings",
    }
    assert standing.roles == set()


def test_the_system_actors_checks_are_logged_under_its_own_name(program, caplog):
    with caplog.at_level(logging.INFO, logger="medmentor.programs.access"):
        access.require_manager(SYSTEM, program)
    assert [record.getMessage() for record in caplog.records] == [
        f"{SYSTEM} passed “manages” in program {program.slug}"
    ]


def test_a_person_passing_a_check_is_not_logged_as_the_system(program, director, caplog):
    with caplog.at_level(logging.INFO, logger="medmentor.programs.access"):
        access.require_manager(director, program)
    assert caplog.records == []


def test_nobody_is_not_an_actor(program):
    with pytest.raises(TypeError, match="access.SYSTEM"):
        program_access(None, program)


def test_a_service_refuses_by_none_instead_of_skipping_its_check(program):
    with pytest.raises(TypeError, match="Say who acts"):
        roster_import(
            program=program,
            file_name="roster.csv",
            content=roster(["a@lakeside.test", "Ann", "R1", "junior"]),
            apply=True,
            by=None,
        )
    assert not Enrollment.objects.filter(person__email="a@lakeside.test").exists()


@pytest.mark.usefixtures("fast_passwords")
def test_what_the_system_actor_makes_records_no_person_as_its_maker(institution, director):
    cohort = one_to_one_program(institution, staff=[(director, Role.DIRECTOR)])
    run = matching_run_create(program=cohort.program, objective="stable", by=SYSTEM)
    mentor = run.pairs.first().mentor
    conflict = matching_conflict_add(
        program=cohort.program,
        mentor=mentor,
        mentee=run.pairs.first().mentee,
        reason="declared",
        by=SYSTEM,
    )
    run.refresh_from_db()
    conflict.refresh_from_db()
    assert (run.created_by, conflict.created_by) == (None, None)
    by_director = matching_run_create(program=cohort.program, objective="stable", by=director)
    assert by_director.created_by == director


# --- Refusals in words -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("helper", "name", "words"),
    [
        (access.require_manager, "faculty", "This page is for the program's directors and"),
        (access.require_aggregates, "junior", "Program figures are for the program's directors"),
        (access.require_researcher, "director", "Only the program's researchers may do this."),
        (access.require_enrolled, "outsider", "Only people enrolled in the program may see"),
    ],
)
def test_each_refusal_says_who_the_thing_is_for(request, program, helper, name, words):
    with pytest.raises(PermissionDenied, match=words):
        helper(request.getfixturevalue(name), program)


def test_only_directors_are_refused_nothing_when_creating_programs(program, director, faculty):
    access.require_program_creator(director, program.institution)
    with pytest.raises(PermissionDenied, match="created by the directors of a program"):
        access.require_program_creator(faculty)
    assert list(access.program_creation_institutions(access.SYSTEM)) == [program.institution]


def test_a_refusal_may_name_what_exactly_was_refused(program, junior):
    with pytest.raises(PermissionDenied, match="^Only the program's staff may export this.$"):
        access.require_manager(junior, program, "Only the program's staff may export this.")


def test_a_check_that_holds_returns_the_standing(program, researcher):
    standing = access.require(researcher, program, "sees_reports")
    assert standing.is_researcher and not standing.manages


# --- One way to ask -----------------------------------------------------------------------

ALLOWED = {Path("programs/access.py"), Path("programs/models.py")}


def test_no_module_decides_roles_on_its_own():
    """STAFF_ROLES and roles_in_program belong to programs/access.py (and the role list
    to models.py): everyone else asks program_access, so the answer is given once."""
    root = Path(medmentor.__file__).parent
    offenders = []
    for path in sorted(root.rglob("*.py")):
        if path.relative_to(root) in ALLOWED or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            name = (
                node.id
                if isinstance(node, ast.Name)
                else node.attr
                if isinstance(node, ast.Attribute)
                else node.name
                if isinstance(node, ast.alias)
                else None
            )
            if name in ("STAFF_ROLES", "roles_in_program"):
                offenders.append(f"{path.relative_to(root)}:{node.lineno}: {name}")
    assert offenders == []


# --- Services check who acts, whoever calls them --------------------------------------


@pytest.mark.parametrize("importer", [schedule_import, roster_import])
def test_an_import_by_faculty_is_refused_by_the_service_itself(program, faculty, importer):
    content = roster(["a@lakeside.test", "Ann", "R1", "junior"])
    with pytest.raises(PermissionDenied, match="directors and coordinators of Nuclear"):
        importer(program=program, file_name="f.csv", content=content, apply=False, by=faculty)


@pytest.mark.usefixtures("fast_passwords")
def test_a_profiles_import_by_a_mentor_is_refused_by_the_service_itself(institution, director):
    cohort = one_to_one_program(institution, staff=[(director, Role.DIRECTOR)])
    with pytest.raises(PermissionDenied, match="may import matching profiles"):
        matching_profiles_import(
            program=cohort.program,
            file_name="p.csv",
            content=b"email\n",
            apply=False,
            by=cohort.nate,
        )
