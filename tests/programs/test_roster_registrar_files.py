"""Rosters as registrars write them: first and last names, "Start Date", other common
header spellings; every problem of a file in one pass, header and rows together."""

import datetime
import itertools
import re

import pytest

from medmentor.people.models import Person
from medmentor.programs.access import SYSTEM
from medmentor.programs.importing import date_from_cell
from medmentor.programs.models import Enrollment, Role
from medmentor.programs.services import roster_import
from tests.programs.files import csv_bytes, xlsx_bytes


def messages_of(result):
    return [str(error) for error in result.errors]


@pytest.mark.parametrize("make", [csv_bytes, xlsx_bytes])
def test_a_registrar_roster_with_first_and_last_names_and_start_dates_imports(program, make):
    content = make(
        [
            ["First Name", "Last Name", "Email Address", "PGY Level", "Program Role", "Start Date"],
            ["Ana", "Alvarez", "ana@lakeside.test", "PGY-1", "junior", "07/01/2026"],
            ["Ben", "de la Cruz", "ben@lakeside.test", "PGY-3", "senior", "2026-07-01"],
        ]
    )

    result = roster_import(
        program=program,
        file_name=f"roster.{make.__name__[:-6]}",
        content=content,
        apply=True,
        by=SYSTEM,
    )

    assert result.ok and result.applied, messages_of(result)
    assert result.notes == []  # first and last name are used, not "left as they are"
    ana = Person.objects.get(email="ana@lakeside.test")
    ben = Person.objects.get(email="ben@lakeside.test")
    assert (ana.full_name, ana.training_level, ben.full_name) == (
        "Ana Alvarez",
        "PGY-1",
        "Ben de la Cruz",
    )
    joined = Enrollment.objects.get(person=ben, program=program, role=Role.SENIOR).joined_on
    assert joined == datetime.date(2026, 7, 1)


@pytest.mark.parametrize(
    "header",
    [
        ["first_name", "last_name", "email", "level", "role", "start_date", "end_date"],
        ["Given Name", "Surname", "E-mail", "Training Level", "Roles", "Start", "End"],
        [
            "Forename",
            "Family Name",
            "Work Email",
            "Training Year",
            "Position",
            "Started",
            "End Date",
        ],
    ],
)
def test_common_header_spellings_name_the_same_columns(program, header):
    content = csv_bytes(
        [header, ["Cy", "Chen", "cy@lakeside.test", "Fellow", "senior", "2026-07-01", "2027-06-30"]]
    )

    result = roster_import(
        program=program, file_name="r.csv", content=content, apply=True, by=SYSTEM
    )

    assert result.applied, messages_of(result)
    enrollment = Enrollment.objects.get(person__full_name="Cy Chen", program=program)
    assert (enrollment.joined_on, enrollment.left_on) == (
        datetime.date(2026, 7, 1),
        datetime.date(2027, 6, 30),
    )


def test_a_missing_column_and_the_rows_problems_are_reported_in_one_pass(program):
    content = csv_bytes(
        [
            ["Emial", "First Name", "Last Name", "Level", "Start Date"],
            ["ana@lakeside.test", "Ana", "Alvarez", "R9", "31/02/2026"],
            ["ben@lakeside.test", "Ben", "Brown", "R3", "2026-07-01"],
        ]
    )

    result = roster_import(
        program=program, file_name="r.csv", content=content, apply=True, by=SYSTEM
    )

    assert (
        not result.applied and Person.objects.filter(email__endswith="lakeside.test").count() == 0
    )
    messages = messages_of(result)
    assert messages[0].startswith(
        "Row 1, column email: missing required column “email”. Is “emial” meant to be “email”?"
    )
    assert messages[1].startswith("Row 1, column role: missing required column “role”.")
    # The rows were still read: their own problems are there, their "missing email" is not.
    assert messages[2].startswith("Row 2, column training_level: unknown training level “R9”")
    assert messages[3].startswith("Row 2, column joined_on: bad date: “31/02/2026” is not a date")
    assert len(messages) == 4
    assert [row.action for row in result.rows] == ["error", "unchecked"]


def test_a_last_name_without_a_first_name_column_is_a_missing_full_name(program):
    content = csv_bytes(
        [["email", "last_name", "level", "role"], ["a@x.test", "Lee", "R1", "junior"]]
    )

    result = roster_import(
        program=program, file_name="r.csv", content=content, apply=False, by=SYSTEM
    )

    assert messages_of(result)[0].startswith(
        "Row 1, column full_name: missing required column “full_name” (or the columns "
        "“first_name” and “last_name”)."
    )


def _written_dates(advice: str) -> list[str]:
    return re.findall(r"\b\d{1,2}/\d{1,2}/\d{4}\b|\b\d{4}-\d{2}-\d{2}\b", advice)


def test_date_advice_never_suggests_an_impossible_date():
    # Every day/month pair with slashes, each way round, in a leap year and not.
    for year, first, second in itertools.product((2026, 2028), range(0, 33), range(0, 33)):
        text = f"{first:02d}/{second:02d}/{year}"
        try:
            date_from_cell(text)
        except ValueError as refused:
            for suggested in _written_dates(str(refused)):
                if suggested == text or suggested in ("2026-11-06", "11/06/2026"):
                    continue  # the cell itself, and the format examples
                date_from_cell(suggested)  # raises if the advice names no real date


def test_an_impossible_day_first_date_is_explained_both_ways_without_a_suggestion():
    with pytest.raises(ValueError) as refused:
        date_from_cell("31/02/2026")
    assert str(refused.value).startswith(
        "“31/02/2026” is not a date either way: read month/day/year (US), as this program "
        "reads slashes, there is no month 31, and read day/month/year February 2026 has 28 "
        "days, not 31"
    )
    assert "02/31/2026" not in str(refused.value)
    assert "2026-02-31" not in str(refused.value)


def test_date_advice_never_suggests_an_impossible_date_when_slashes_are_day_first():
    for year, first, second in itertools.product((2026, 2027, 2028), range(0, 33), range(0, 33)):
        text = f"{first:02d}/{second:02d}/{year}"
        try:
            date_from_cell(text, day_first=True)
        except ValueError as refused:
            for suggested in _written_dates(str(refused)):
                if suggested == text or suggested in ("2026-11-06", "06/11/2026"):
                    continue
                # Advice is written in the order the program reads (day first here).
                day_first = "/" in suggested
                date_from_cell(suggested, day_first=day_first)


@pytest.mark.parametrize(
    ("text", "day_first", "start"),
    [
        ("31/02/2026", True, "“31/02/2026” is not a date in the calendar: February 2026 has 28"),
        ("29/02/2027", True, "“29/02/2027” is not a date in the calendar: February 2027 has 28"),
        ("02/29/2027", False, "“02/29/2027” is not a date in the calendar: February 2027 has 28"),
        ("2026-13-01", False, "“2026-13-01” is not a date in the calendar: there is no month 13"),
        ("2026-02-29", False, "“2026-02-29” is not a date in the calendar: February 2026 has 28"),
        ("2026-04-31", True, "“2026-04-31” is not a date in the calendar: April 2026 has 30"),
        ("00/01/2026", False, "“00/01/2026” is not a date in the calendar: there is no month 0"),
        ("31/31/2026", True, "“31/31/2026” is not a date either way"),
    ],
)
def test_impossible_dates_are_refused_with_the_reason_and_no_guess(text, day_first, start):
    with pytest.raises(ValueError) as refused:
        date_from_cell(text, day_first=day_first)

    assert str(refused.value).startswith(start)
    assert [date for date in _written_dates(str(refused.value)) if date != text] in (
        [],
        ["2026-11-06", "06/11/2026" if day_first else "11/06/2026"],
    )


def test_a_leap_day_is_a_date_in_a_leap_year_either_order():
    assert date_from_cell("29/02/2028", day_first=True) == datetime.date(2028, 2, 29)
    assert date_from_cell("02/29/2028") == datetime.date(2028, 2, 29)


def test_the_same_cell_reads_by_the_programs_order_and_never_swaps_silently():
    # 03/04/2026 is a date both ways: the program's order decides it.
    assert date_from_cell("03/04/2026") == datetime.date(2026, 3, 4)
    assert date_from_cell("03/04/2026", day_first=True) == datetime.date(2026, 4, 3)
    # 13/04/2026 only fits day first: refused in a month-first program, with the
    # month-first spelling of 13 April as advice — a real date.
    with pytest.raises(ValueError) as refused:
        date_from_cell("13/04/2026")
    assert "write 04/13/2026 or 2026-04-13" in str(refused.value)
    with pytest.raises(ValueError) as refused:
        date_from_cell("04/13/2026", day_first=True)
    assert "write 13/04/2026 or 2026-04-13" in str(refused.value)
