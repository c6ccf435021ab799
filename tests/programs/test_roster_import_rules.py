"""Roster import: what the importing person may change (docs/data-formats.md, "Who may
change what"): people other programs hold, own roles, role order, the last director."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from medmentor.people.models import Person
from medmentor.programs.access import SYSTEM
from medmentor.programs.models import Enrollment, Program, ProgramKind, Role
from medmentor.programs.services import roster_import, roster_roles_grantable
from tests.conftest import make_person
from tests.programs.files import csv_bytes, roster

pytestmark = pytest.mark.usefixtures("fast_passwords")


def run(program, by, *rows, apply=True, header=None):
    content = roster(*rows) if header is None else csv_bytes([header, *rows])
    return roster_import(program=program, file_name="r.csv", content=content, apply=apply, by=by)


def messages_of(result):
    return [str(error) for error in result.errors]


def roles(person, program):
    return set(
        Enrollment.objects.filter(person=person, program=program).values_list("role", flat=True)
    )


@pytest.fixture
def second_program(institution):
    return Program.objects.create(
        name="Second program",
        slug="second",
        kind=ProgramKind.ONE_TO_ONE,
        institution=institution,
        starts_on=datetime.date(2026, 11, 2),
    )


@pytest.fixture
def shared_junior(program, second_program, institution):
    """A junior in both programs."""
    person = make_person("shared@lakeside.test", "Shay Shared", "R1", institution)
    Enrollment.objects.create(program=program, person=person, role=Role.JUNIOR)
    Enrollment.objects.create(program=second_program, person=person, role=Role.JUNIOR)
    return person


# --- Role order -----------------------------------------------------------------------


def test_a_director_may_grant_every_role_and_a_coordinator_the_roles_below_their_own(
    program, director, coordinator
):
    assert roster_roles_grantable(program=program, by=director) == set(Role.values)
    assert roster_roles_grantable(program=program, by=coordinator) == {
        Role.FACULTY,
        Role.SENIOR,
        Role.JUNIOR,
        Role.RESEARCHER,
    }
    assert roster_roles_grantable(program=program, by=SYSTEM) == set(Role.values)


@pytest.mark.parametrize("who", ["faculty", "researcher", "senior", "junior", "outsider"])
def test_people_who_do_not_run_the_program_cannot_import_its_roster(program, request, who):
    person = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied, match="Only the directors and coordinators"):
        run(program, person, ["a@lakeside.test", "Ann", "R1", "junior"])
    assert not Person.objects.filter(email="a@lakeside.test").exists()


def test_a_coordinator_adds_learners_faculty_and_researchers(program, coordinator):
    result = run(
        program,
        coordinator,
        ["a@lakeside.test", "Ann", "R1", "junior"],
        ["b@lakeside.test", "Bo", "R4", "senior"],
        ["c@lakeside.test", "Cy", "faculty", "faculty; researcher"],
    )
    assert result.applied, messages_of(result)


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.COORDINATOR])
def test_a_coordinator_cannot_grant_director_or_coordinator(program, coordinator, role):
    result = run(program, coordinator, ["a@lakeside.test", "Ann", "faculty", role])
    assert not result.applied
    assert messages_of(result) == [
        f"Row 2, column role: as a coordinator you cannot give the role {role} "
        "(a@lakeside.test); only a director of the program grants director and coordinator"
    ]
    assert not Person.objects.filter(email="a@lakeside.test").exists()


def test_a_coordinator_cannot_take_director_away_even_with_a_second_director(
    program, coordinator, director, institution
):
    second = make_person("second.director@lakeside.test", "Sid Second", "faculty", institution)
    Enrollment.objects.create(program=program, person=second, role=Role.DIRECTOR)
    result = run(program, coordinator, [second.email, second.full_name, "faculty", "faculty"])
    assert messages_of(result) == [
        "Row 2, column role: as a coordinator you cannot take away the role director "
        f"({second.email}); only a director of the program grants director and coordinator"
    ]
    assert roles(second, program) == {Role.DIRECTOR}


def test_a_coordinator_cannot_rename_a_director_of_the_program(program, coordinator, director):
    result = run(program, coordinator, [director.email, "Someone Else", "faculty", "director"])
    assert messages_of(result) == [
        f"Row 2, column full_name: {director.email} is a director of this program; only a "
        "director can change their full name"
    ]
    director.refresh_from_db()
    assert director.full_name == "Dana Director"


def test_a_director_grants_coordinator_and_director(program, director):
    result = run(
        program,
        director,
        ["co@lakeside.test", "Cole", "other", "coordinator"],
        ["dir2@lakeside.test", "Dee", "faculty", "director"],
    )
    assert result.applied, messages_of(result)
    assert Enrollment.objects.filter(program=program, role=Role.DIRECTOR).count() == 2


# --- Own roles ------------------------------------------------------------------------


@pytest.mark.parametrize("new_roles", ["director; coordinator", "senior", "coordinator; junior"])
def test_nobody_changes_their_own_roles_by_import(program, coordinator, director, new_roles):
    for by in (coordinator, director):
        own = sorted(roles(by, program))
        result = run(program, by, [by.email, by.full_name, by.training_level, new_roles])
        if set(new_roles.split("; ")) == set(own):
            continue
        assert messages_of(result) == [
            f"Row 2, column role: {by.email} is you: nobody changes their own roles by import "
            f"(you have {'; '.join(own)}); another director of the program can"
        ]
        assert sorted(roles(by, program)) == own


def test_listing_oneself_unchanged_is_fine_and_one_may_fix_ones_own_name(program, director):
    result = run(program, director, [director.email, "Dana Director-Lee", "faculty", "director"])
    assert result.applied, messages_of(result)
    director.refresh_from_db()
    assert director.full_name == "Dana Director-Lee"


# --- People other programs hold -----------------------------------------------------


def test_someone_another_program_holds_is_not_renamed_or_relevelled(
    program, director, shared_junior
):
    result = run(program, director, [shared_junior.email, "Shay Renamed", "R3", "junior"])
    assert not result.applied
    assert messages_of(result) == [
        f"Row 2, column full_name: {shared_junior.email} is also enrolled in another program, "
        "so this program's roster cannot change their full name and training level (medmentor "
        "has “Shay Shared”, the file says “Shay Renamed”); write them as medmentor has them — "
        "the roster then only sets their roles in this program"
    ]
    assert [row.action for row in result.rows] == ["error"]
    shared_junior.refresh_from_db()
    assert (shared_junior.full_name, shared_junior.training_level) == ("Shay Shared", "R1")


def test_someone_another_program_holds_may_take_a_role_here_and_keeps_their_roles_there(
    program, second_program, director, shared_junior
):
    result = run(program, director, [shared_junior.email, "Shay Shared", "R1", "senior"])
    assert result.applied, messages_of(result)
    assert roles(shared_junior, program) == {Role.SENIOR}
    assert roles(shared_junior, second_program) == {Role.JUNIOR}


def test_specialty_and_institution_of_someone_another_program_holds_stay(
    program, director, shared_junior
):
    result = run(
        program,
        director,
        [shared_junior.email, "Shay Shared", "R1", "junior", "Cardiology"],
        header=["email", "full_name", "training_level", "role", "specialty"],
    )
    assert "cannot change their specialty" in messages_of(result)[0]


def test_an_operations_account_is_not_renamed_by_a_roster(program, director, operations):
    result = run(program, director, [operations.email, "Not Ops", "other", "junior"])
    assert "is an operations account" in messages_of(result)[0]
    operations.refresh_from_db()
    assert operations.full_name == "Opal Operations"


def test_the_console_keeps_the_other_program_rule_too(program, shared_junior):
    result = run(program, SYSTEM, [shared_junior.email, "Shay Renamed", "R1", "junior"])
    assert "also enrolled in another program" in messages_of(result)[0]


# --- The last director ---------------------------------------------------------------


def test_the_last_director_cannot_be_demoted_even_from_the_console(program, director):
    result = run(program, SYSTEM, [director.email, director.full_name, "faculty", "junior"])
    assert messages_of(result) == [
        "Row 2, column role: this would leave the program without a director; keep "
        "“director” in this person's roles or add another director"
    ]
    assert roles(director, program) == {Role.DIRECTOR}


def test_a_director_may_hand_over_to_a_new_director_in_the_same_file(program, director):
    result = run(
        program,
        SYSTEM,
        [director.email, director.full_name, "faculty", "faculty"],
        ["new.dir@lakeside.test", "Nell New", "faculty", "director"],
    )
    assert result.applied, messages_of(result)
    assert roles(director, program) == {Role.FACULTY}


# --- Preview and all-or-nothing ------------------------------------------------------


def test_preview_shows_each_refusal_on_its_row_and_nothing_is_written(
    program, coordinator, director, shared_junior
):
    before = list(Enrollment.objects.order_by("pk").values_list("person", "program", "role"))
    result = run(
        program,
        coordinator,
        ["fine@lakeside.test", "Fine Person", "R1", "junior"],
        [shared_junior.email, "Other Name", "R1", "junior"],
        [coordinator.email, coordinator.full_name, "other", "director"],
        ["pal@lakeside.test", "Pal", "other", "coordinator"],
        apply=True,
    )
    assert [(row.row, row.action) for row in result.rows] == [
        (2, "create"),
        (3, "error"),
        (4, "error"),
        (5, "error"),
    ]
    assert [error.row for error in result.errors] == [3, 4, 5]
    assert not result.applied
    assert not Person.objects.filter(email="fine@lakeside.test").exists()
    assert list(Enrollment.objects.order_by("pk").values_list("person", "program", "role")) == (
        before
    )
