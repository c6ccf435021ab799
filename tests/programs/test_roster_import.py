"""Roster import: preview, every bad-row reason with its row and column, all-or-nothing."""

import datetime

import pytest

from medmentor.people.models import Institution, Person
from medmentor.programs.access import SYSTEM
from medmentor.programs.models import Enrollment, Role
from medmentor.programs.services import roster_import
from tests.programs.files import ROSTER_HEADER, csv_bytes, roster, xlsx_bytes

GOOD_ROWS = [
    ["ana.r1@lakeside.test", "Ana Alvarez", "R1", "junior"],
    ["ben.r3@lakeside.test", "Ben Brown", "R3", "senior"],
    ["cy.fellow@lakeside.test", "Cy Chen", "Fellow", "senior"],
]


def counts():
    return Person.objects.count(), Enrollment.objects.count()


def messages_of(result):
    return [str(error) for error in result.errors]


def test_preview_lists_new_people_as_create_and_writes_nothing(program):
    before = counts()
    result = roster_import(
        program=program, file_name="roster.csv", content=roster(*GOOD_ROWS), apply=False, by=SYSTEM
    )
    assert result.ok and not result.applied
    assert [(row.row, row.action) for row in result.rows] == [
        (2, "create"),
        (3, "create"),
        (4, "create"),
    ]
    assert result.rows[2].values["training_level"] == "fellow"
    assert counts() == before


def test_apply_creates_people_with_their_program_roles(program):
    result = roster_import(
        program=program, file_name="roster.csv", content=roster(*GOOD_ROWS), apply=True, by=SYSTEM
    )
    assert result.applied
    ana = Person.objects.get(email="ana.r1@lakeside.test")
    assert (ana.full_name, ana.training_level, ana.institution) == (
        "Ana Alvarez",
        "R1",
        program.institution,
    )
    assert not ana.has_usable_password()  # they sign in with the emailed link
    roles = set(Enrollment.objects.filter(program=program).values_list("person__email", "role"))
    assert roles == {
        ("ana.r1@lakeside.test", Role.JUNIOR),
        ("ben.r3@lakeside.test", Role.SENIOR),
        ("cy.fellow@lakeside.test", Role.SENIOR),
    }


def test_importing_the_same_file_twice_changes_nothing_the_second_time(program):
    content = xlsx_bytes([ROSTER_HEADER, *GOOD_ROWS])
    roster_import(program=program, file_name="roster.xlsx", content=content, apply=True, by=SYSTEM)
    before = counts()
    again = roster_import(
        program=program, file_name="roster.xlsx", content=content, apply=True, by=SYSTEM
    )
    assert again.applied
    assert [row.action for row in again.rows] == ["unchanged"] * 3
    assert counts() == before


def test_update_shows_what_changes(program, junior):
    content = roster(["JUNIOR@lakeside.test", "Jo Junior-Smith", "PGY-2", "senior"])
    result = roster_import(
        program=program, file_name="roster.csv", content=content, apply=False, by=SYSTEM
    )
    row = result.rows[0]
    assert row.action == "update"
    assert [str(change) for change in row.changes] == [
        "full_name: Jo Junior → Jo Junior-Smith",
        "training_level: R1 → PGY-2",
        "role: junior → senior",
    ]
    roster_import(program=program, file_name="roster.csv", content=content, apply=True, by=SYSTEM)
    junior.refresh_from_db()
    assert junior.full_name == "Jo Junior-Smith"
    assert set(Enrollment.objects.filter(person=junior).values_list("role", flat=True)) == {
        Role.SENIOR
    }


def test_person_from_another_program_is_added_to_this_one(program, outsider):
    content = roster([outsider.email, outsider.full_name, "R1", "junior"])
    result = roster_import(
        program=program, file_name="roster.csv", content=content, apply=True, by=SYSTEM
    )
    assert result.rows[0].action == "update"
    assert str(result.rows[0].changes[0]) == "role: (blank) → junior"
    assert Enrollment.objects.filter(program=program, person=outsider, role=Role.JUNIOR).exists()
    assert Enrollment.objects.filter(person=outsider).count() == 2  # the other program stays


def test_several_roles_in_one_cell(program, director):
    content = roster(
        ["fran@lakeside.test", "Fran Faculty", "faculty", "faculty; researcher"],
        [director.email, director.full_name, "faculty", "Director, Faculty"],
    )
    result = roster_import(
        program=program, file_name="roster.csv", content=content, apply=True, by=SYSTEM
    )
    assert result.applied, messages_of(result)
    assert set(
        Enrollment.objects.filter(person__email="fran@lakeside.test").values_list("role", flat=True)
    ) == {Role.FACULTY, Role.RESEARCHER}
    assert result.rows[1].values["role"] == "director; faculty"


def test_optional_columns_institution_specialty_and_dates(program):
    Institution.objects.create(name="Riverside Clinic", slug="riverside")
    content = csv_bytes(
        [
            [*ROSTER_HEADER, "institution", "specialty", "joined_on", "left_on", "notes"],
            [
                "vi@river.test",
                "Vi Visitor",
                "R2",
                "junior",
                "riverside",
                "Radiology",
                "11/02/2026",
                "2026-12-31",
                "x",
            ],
        ]
    )
    result = roster_import(
        program=program, file_name="roster.csv", content=content, apply=True, by=SYSTEM
    )
    assert result.applied, messages_of(result)
    assert "notes" in result.notes[0]
    person = Person.objects.get(email="vi@river.test")
    assert (person.institution.name, person.specialty) == ("Riverside Clinic", "Radiology")
    enrollment = Enrollment.objects.get(person=person)
    assert (enrollment.joined_on, enrollment.left_on) == (
        datetime.date(2026, 11, 2),
        datetime.date(2026, 12, 31),
    )


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["", "No Email", "R1", "junior"], "Row 3, column email: missing email"),
        (
            ["not-an-email", "Bad Email", "R1", "junior"],
            "Row 3, column email: “not-an-email” is not an email address",
        ),
        (["x@lakeside.test", "", "R1", "junior"], "Row 3, column full_name: missing full name"),
        (
            ["x" * 250 + "@lakeside.test", "Long", "R1", "junior"],
            "Row 3, column email: longer than 254 characters",
        ),
        (
            ["x@lakeside.test", "Xi", "R9", "junior"],
            "Row 3, column training_level: unknown training level “R9”; use one of MS1, MS2",
        ),
        (
            ["x@lakeside.test", "Xi", "", "junior"],
            "Row 3, column training_level: missing training level",
        ),
        (
            ["x@lakeside.test", "Xi", "R1", "student"],
            "Row 3, column role: unknown role “student”; use director, coordinator, faculty, "
            "senior, junior, researcher",
        ),
        (["x@lakeside.test", "Xi", "R1", ""], "Row 3, column role: missing role"),
        (
            ["ana.r1@lakeside.test", "Ana Again", "R1", "junior"],
            "Row 3, column email: duplicate person: ana.r1@lakeside.test is also on row 2",
        ),
    ],
)
def test_each_bad_row_is_reported_with_row_column_and_reason_and_nothing_is_written(
    program, row, message
):
    before = counts()
    content = roster(GOOD_ROWS[0], row, GOOD_ROWS[1])
    result = roster_import(
        program=program, file_name="roster.csv", content=content, apply=True, by=SYSTEM
    )
    assert not result.applied
    assert any(text.startswith(message) for text in messages_of(result)), messages_of(result)
    assert counts() == before
    assert [row.action for row in result.rows] == ["create", "error", "create"]


def test_bad_dates_are_reported_with_their_column(program):
    content = csv_bytes(
        [
            [*ROSTER_HEADER, "joined_on", "left_on"],
            ["a@lakeside.test", "Ann", "R1", "junior", "2026-13-01", ""],
            ["b@lakeside.test", "Bo", "R1", "junior", "2026-11-09", "2026-11-02"],
        ]
    )
    result = roster_import(
        program=program, file_name="roster.csv", content=content, apply=True, by=SYSTEM
    )
    assert messages_of(result) == [
        "Row 2, column joined_on: bad date: “2026-13-01” is not a date in the calendar: "
        "there is no month 13",
        "Row 3, column left_on: leaves (2026-11-02) before joining (2026-11-09)",
    ]
    assert Person.objects.filter(email__endswith="@lakeside.test").count() == 0


def test_unknown_institution_is_an_error_not_a_new_institution(program):
    content = csv_bytes(
        [[*ROSTER_HEADER, "institution"], ["a@x.test", "Ann", "R1", "junior", "Atlantis"]]
    )
    result = roster_import(
        program=program, file_name="roster.csv", content=content, apply=True, by=SYSTEM
    )
    assert "unknown institution “Atlantis”" in messages_of(result)[0]
    assert not Institution.objects.filter(name="Atlantis").exists()


def test_missing_required_column_is_named(program):
    content = csv_bytes([["email", "full_name", "role"], ["a@x.test", "Ann", "junior"]])
    result = roster_import(
        program=program, file_name="roster.csv", content=content, apply=True, by=SYSTEM
    )
    assert len(result.errors) == 1
    assert messages_of(result)[0].startswith(
        "Row 1, column training_level: missing required column “training_level”"
    )


def test_header_spellings_people_use_are_understood(program):
    content = csv_bytes(
        [["E-mail", "Name", "Level", "Roles"], ["a@x.test", "Ann", "pgy 1", "Mentee"]]
    )
    result = roster_import(
        program=program, file_name="roster.csv", content=content, apply=True, by=SYSTEM
    )
    assert result.applied, messages_of(result)
    assert Person.objects.get(email="a@x.test").training_level == "PGY-1"


@pytest.mark.parametrize(
    ("file_name", "content", "words"),
    [
        ("roster.csv", b"", "is empty"),
        ("roster.docx", b"PK\x03\x04", "is not a .csv or .xlsx file"),
        ("roster.xlsx", b"PK\x03\x04garbage", "could not be read as an Excel workbook"),
    ],
)
def test_unreadable_file_is_one_clear_error(program, file_name, content, words):
    result = roster_import(
        program=program, file_name=file_name, content=content, apply=True, by=SYSTEM
    )
    assert not result.applied and result.rows == []
    assert words in messages_of(result)[0]


def test_roster_that_would_drop_the_last_director_is_refused(program, director):
    content = roster([director.email, director.full_name, "faculty", "faculty"])
    result = roster_import(
        program=program, file_name="roster.csv", content=content, apply=True, by=SYSTEM
    )
    assert not result.applied
    assert "without a director" in messages_of(result)[0]
    assert Enrollment.objects.filter(person=director, role=Role.DIRECTOR).exists()


def test_handing_the_program_to_a_new_director_is_allowed(program, director):
    content = roster(
        [director.email, director.full_name, "faculty", "faculty"],
        ["new.director@lakeside.test", "Nia New", "faculty", "director"],
    )
    result = roster_import(
        program=program, file_name="roster.csv", content=content, apply=True, by=SYSTEM
    )
    assert result.applied, messages_of(result)


def test_people_missing_from_the_file_keep_their_roles(program, junior, senior):
    roster_import(
        program=program, file_name="r.csv", content=roster(GOOD_ROWS[0]), apply=True, by=SYSTEM
    )
    assert Enrollment.objects.filter(program=program, person__in=[junior, senior]).count() == 2
