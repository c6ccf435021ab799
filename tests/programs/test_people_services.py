"""The people page's writes (programs.services.people): adding one person, changing
roles, ending an enrollment — the roster's rules, nothing deleted, nothing half-written."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from medmentor.people.models import Person
from medmentor.programs import access
from medmentor.programs.models import Enrollment, Role
from medmentor.programs.selectors import program_today
from medmentor.programs.services import (
    PeopleError,
    enrollment_end,
    enrollment_roles_set,
    program_person_add,
)

pytestmark = pytest.mark.usefixtures("fast_passwords")


def _roles(program, person) -> set[str]:
    return access.program_access(person, program).roles


def test_a_director_adds_a_new_person_in_a_role(program, director):
    person = program_person_add(
        program=program,
        by=director,
        email="Ana@Lakeside.test",
        full_name="Ana Alvarez",
        training_level="R1",
        roles=[Role.JUNIOR],
    )

    assert (person.email, person.full_name, person.training_level) == (
        "ana@lakeside.test",
        "Ana Alvarez",
        "R1",
    )
    assert person.institution == program.institution
    enrollment = Enrollment.objects.get(program=program, person=person)
    assert (enrollment.role, enrollment.joined_on) == (Role.JUNIOR, program_today(program=program))


def test_someone_medmentor_knows_keeps_their_name_and_level(program, director, outsider):
    program_person_add(
        program=program,
        by=director,
        email=outsider.email,
        full_name="Another Name",
        training_level="R5",
        roles=[Role.SENIOR],
    )

    outsider.refresh_from_db()
    assert outsider.full_name != "Another Name" and outsider.training_level != "R5"
    assert _roles(program, outsider) == {Role.SENIOR}


def test_a_new_person_needs_a_name_and_nothing_is_written_without_one(program, director):
    with pytest.raises(PeopleError, match="give their full name"):
        program_person_add(program=program, by=director, email="new@x.test", roles=["junior"])

    assert not Person.objects.filter(email="new@x.test").exists()


def test_a_coordinator_cannot_add_a_director(program, coordinator):
    with pytest.raises(PeopleError, match="only a director of the program grants"):
        program_person_add(
            program=program,
            by=coordinator,
            email="new@x.test",
            full_name="New",
            roles=[Role.DIRECTOR],
        )
    assert not Person.objects.filter(email="new@x.test").exists()


def test_faculty_cannot_add_anyone(program, faculty):
    with pytest.raises(PermissionDenied):
        program_person_add(
            program=program, by=faculty, email="new@x.test", full_name="New", roles=["junior"]
        )


def test_adding_someone_already_in_that_role_is_refused(program, director, junior):
    with pytest.raises(PeopleError, match="already a junior"):
        program_person_add(program=program, by=director, email=junior.email, roles=["junior"])


def test_changing_roles_ends_the_old_role_and_keeps_its_row(program, director, junior):
    changes = enrollment_roles_set(program=program, person=junior, roles=[Role.SENIOR], by=director)

    assert changes == ["now senior (mentor)", "no longer junior (mentee)"]
    assert _roles(program, junior) == {Role.SENIOR}
    old = Enrollment.objects.get(program=program, person=junior, role=Role.JUNIOR)
    assert old.left_on == program_today(program=program) - datetime.timedelta(days=1)


def test_a_role_taken_away_and_given_back_is_the_same_row_again(program, director, junior):
    first = Enrollment.objects.get(program=program, person=junior).pk
    enrollment_roles_set(program=program, person=junior, roles=[Role.SENIOR], by=director)
    enrollment_roles_set(program=program, person=junior, roles=[Role.JUNIOR], by=director)

    again = Enrollment.objects.get(program=program, person=junior, role=Role.JUNIOR)
    assert again.pk == first and again.left_on is None
    assert _roles(program, junior) == {Role.JUNIOR}


def test_nobody_changes_their_own_roles(program, director):
    with pytest.raises(PeopleError, match="Nobody changes the roles of themselves"):
        enrollment_roles_set(
            program=program, person=director, roles=[Role.DIRECTOR, Role.FACULTY], by=director
        )


def test_a_coordinator_cannot_take_away_a_directors_role(program, director, coordinator):
    with pytest.raises(PeopleError, match="cannot take away the role director"):
        enrollment_roles_set(program=program, person=director, roles=["faculty"], by=coordinator)
    assert _roles(program, director) == {Role.DIRECTOR}


def test_the_last_director_keeps_the_role(program, director, institution):
    from tests.conftest import make_person

    other = make_person("second@lakeside.test", "Second Director", "faculty", institution)
    Enrollment.objects.create(program=program, person=other, role=Role.DIRECTOR)
    enrollment_end(program=program, person=director, by=other)

    with pytest.raises(PeopleError, match="only director"):
        enrollment_roles_set(program=program, person=other, roles=["faculty"], by=access.SYSTEM)
    assert _roles(program, other) == {Role.DIRECTOR}


def test_ending_an_enrollment_now_takes_away_every_role_at_once_and_keeps_the_rows(
    program, director, faculty
):
    Enrollment.objects.create(program=program, person=faculty, role=Role.RESEARCHER)

    ended = enrollment_end(program=program, person=faculty, by=director)

    assert ended.roles == (Role.FACULTY, Role.RESEARCHER)
    assert _roles(program, faculty) == set()
    assert Enrollment.objects.filter(program=program, person=faculty).count() == 2


def test_an_enrollment_ending_later_holds_until_its_last_day(program, director, junior):
    last_day = program_today(program=program) + datetime.timedelta(days=30)

    enrollment_end(program=program, person=junior, by=director, last_day=last_day)

    assert _roles(program, junior) == {Role.JUNIOR}
    assert Enrollment.objects.get(program=program, person=junior).left_on == last_day


def test_an_ended_enrollment_cannot_end_again(program, director, junior):
    enrollment_end(program=program, person=junior, by=director)

    with pytest.raises(PeopleError, match="already ended"):
        enrollment_end(program=program, person=junior, by=director)


def test_an_ended_person_added_again_takes_up_their_role(program, director, junior):
    enrollment_end(program=program, person=junior, by=director)

    program_person_add(program=program, by=director, email=junior.email, roles=["junior"])

    assert _roles(program, junior) == {Role.JUNIOR}
    assert Enrollment.objects.filter(program=program, person=junior).count() == 1


def test_an_ended_enrollment_gives_no_standing_and_no_home_page_card(program, director, junior):
    from medmentor.programs.selectors import programs_for_person, programs_of_person

    enrollment_end(program=program, person=junior, by=director)

    assert not access.program_access(junior, program).is_enrolled
    assert programs_for_person(person=junior) == []
    assert list(programs_of_person(person=junior)) == []  # the API's list too
    assert list(programs_of_person(person=director)) == [program]
