"""The roster preview's column step, with rosters as registrars send them: a US GME
office's export and a UK deanery's list, headers and dates as they write them.

When a header is not one medmentor reads, the director maps it to a column (or ignores
it) and previews again; the mapping is kept per program, so the next file with the same
headers imports without asking. The file stays all-or-nothing throughout.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from medmentor.people.models import Person
from medmentor.programs.access import SYSTEM
from medmentor.programs.models import (
    Enrollment,
    ImportColumnMapping,
    Program,
    Role,
    SlashDateOrder,
)
from medmentor.programs.services import import_column_mapping_save, roster_import
from tests.programs.files import csv_bytes, xlsx_bytes

# A US GME office's roster: last name first, the "preferred" email, PGY written loosely,
# a program start date written month first, the NRMP/NPI numbers, and the role the
# director typed into an extra column of their own naming.
US_GME_HEADER = [
    "Last Name",
    "First Name",
    "Preferred Email",
    "PGY",
    "NPI",
    "Program Start Date",
    "Mentorship Role",
]
US_GME_ROWS = [
    [
        "Okafor",
        "Chidi",
        "chidi.okafor@lakeside.test",
        "PGY 1",
        "1234567890",
        "07/01/2026",
        "junior",
    ],
    ["Nguyen", "Thu", "thu.nguyen@lakeside.test", "PGY3", "2345678901", "06/24/2026", "senior"],
]
# A UK deanery's list: surname first, "Forename(s)", the grade (FY1, FY2), the rotation
# start written day first (1 August), the training scheme.
UK_DEANERY_HEADER = [
    "Surname",
    "Forename(s)",
    "Email Address",
    "Grade",
    "Rotation Start",
    "Scheme",
    "Role Here",
]
UK_DEANERY_ROWS = [
    ["O'Brien-Smith", "Siobhán", "s.obrien-smith@nhs.test", "FY1", "06/08/2026", "North", "junior"],
    ["Patel", "Arjun", "arjun.patel@nhs.test", "FY2", "06/08/2026", "North", "senior"],
]


def messages_of(result):
    return [str(error) for error in result.errors]


def map_columns(program, choices, *, slash_dates=SlashDateOrder.MONTH_FIRST, by=SYSTEM):
    return import_column_mapping_save(
        program=program,
        kind="roster",
        choices=choices,
        headings={},
        slash_dates=slash_dates,
        by=by,
    )


def test_an_unknown_role_column_is_refused_at_the_header_and_named_as_not_recognised(program):
    content = csv_bytes([US_GME_HEADER, *US_GME_ROWS])

    result = roster_import(
        program=program, file_name="gme.csv", content=content, apply=True, by=SYSTEM
    )

    assert not result.applied
    assert Person.objects.filter(email__endswith="lakeside.test").count() == 0
    messages = messages_of(result)
    assert len(messages) == 1
    assert messages[0].startswith("Row 1, column role: missing required column “role”.")
    assert "say which one holds it in the import page's column step" in messages[0]
    assert [header.text for header in result.unrecognised] == ["NPI", "Mentorship Role"]
    # Every other registrar heading was read as the column it is.
    assert {header.text: header.name for header in result.headers} == {
        "Last Name": "last_name",
        "First Name": "first_name",
        "Preferred Email": "email",
        "PGY": "training_level",
        "NPI": "npi",
        "Program Start Date": "joined_on",
        "Mentorship Role": "mentorship_role",
    }


@pytest.mark.parametrize("make", [csv_bytes, xlsx_bytes])
def test_a_us_gme_roster_imports_once_its_role_column_is_mapped(program, make):
    map_columns(program, {"mentorship_role": "role", "npi": ""})
    content = make([US_GME_HEADER, *US_GME_ROWS])

    result = roster_import(
        program=program,
        file_name=f"gme.{make.__name__[:-6]}",
        content=content,
        apply=True,
        by=SYSTEM,
    )

    assert result.applied, messages_of(result)
    assert result.notes == []  # NPI is ignored as asked, not "left as it is"
    chidi = Person.objects.get(email="chidi.okafor@lakeside.test")
    assert (chidi.full_name, chidi.training_level) == ("Chidi Okafor", "PGY-1")
    enrollment = Enrollment.objects.get(person=chidi, program=program)
    assert (enrollment.role, enrollment.joined_on) == (Role.JUNIOR, datetime.date(2026, 7, 1))


def test_the_mapping_is_remembered_for_the_next_file_with_the_same_headers(program):
    map_columns(program, {"mentorship_role": "role", "npi": ""})
    roster_import(
        program=program,
        file_name="gme.csv",
        content=csv_bytes([US_GME_HEADER, *US_GME_ROWS]),
        apply=True,
        by=SYSTEM,
    )
    next_year = [
        [
            "Silva",
            "Rafael",
            "rafael.silva@lakeside.test",
            "PGY-1",
            "3456789012",
            "07/01/2027",
            "junior",
        ]
    ]

    result = roster_import(
        program=program,
        file_name="gme-2027.csv",
        content=csv_bytes([US_GME_HEADER, *next_year]),
        apply=True,
        by=SYSTEM,
    )

    assert result.applied, messages_of(result)
    assert Person.objects.filter(email="rafael.silva@lakeside.test").exists()


def test_the_mapping_belongs_to_its_program_alone(program):
    map_columns(program, {"mentorship_role": "role"})
    other = Program.objects.create(
        name="Radiology one-to-one",
        slug="radiology-mentoring",
        kind=program.kind,
        institution=program.institution,
        service=program.service,
        starts_on=program.starts_on,
        time_zone=program.time_zone,
    )

    result = roster_import(
        program=other,
        file_name="gme.csv",
        content=csv_bytes([US_GME_HEADER, *US_GME_ROWS]),
        apply=False,
        by=SYSTEM,
    )

    assert [error.column for error in result.errors] == ["role"]


def test_a_uk_deanery_roster_reads_its_day_first_dates_once_the_program_says_so(program):
    content = csv_bytes([UK_DEANERY_HEADER, *UK_DEANERY_ROWS])
    month_first = roster_import(
        program=program, file_name="deanery.csv", content=content, apply=False, by=SYSTEM
    )
    assert [header.text for header in month_first.unrecognised] == ["Scheme", "Role Here"]

    map_columns(
        program,
        {"role_here": "role", "scheme": ""},
        slash_dates=SlashDateOrder.DAY_FIRST,
    )
    result = roster_import(
        program=program, file_name="deanery.csv", content=content, apply=True, by=SYSTEM
    )

    assert result.applied, messages_of(result)
    siobhan = Person.objects.get(email="s.obrien-smith@nhs.test")
    assert (siobhan.full_name, siobhan.training_level) == ("Siobhán O'Brien-Smith", "PGY-1")
    enrollment = Enrollment.objects.get(person=siobhan, program=program)
    assert enrollment.joined_on == datetime.date(2026, 8, 6)  # 6 August, not 8 June


def test_a_day_first_date_in_a_month_first_program_is_refused_pointing_to_the_column_step(program):
    rows = [[*UK_DEANERY_ROWS[0][:4], "25/08/2026", "North", "junior"]]
    map_columns(program, {"role_here": "role", "scheme": ""})

    result = roster_import(
        program=program,
        file_name="deanery.csv",
        content=csv_bytes([UK_DEANERY_HEADER, *rows]),
        apply=False,
        by=SYSTEM,
    )

    assert messages_of(result) == [
        "Row 2, column joined_on: bad date: “25/08/2026” is not a date: this program's dates "
        "with slashes are read month/day/year (US), so write 08/25/2026 or 2026-08-25 (or, "
        "if the whole file writes day/month/year, say so in the column step)"
    ]


def test_two_headers_mapped_to_one_column_are_refused_naming_both_and_nothing_is_saved(program):
    with pytest.raises(ValidationError) as refused:
        import_column_mapping_save(
            program=program,
            kind="roster",
            choices={"mentorship_role": "role", "npi": "role"},
            headings={"mentorship_role": "Mentorship Role", "npi": "NPI"},
            slash_dates=SlashDateOrder.MONTH_FIRST,
            by=SYSTEM,
        )

    assert refused.value.messages == [
        "Columns “Mentorship Role” and “NPI” are both mapped to role; map one of them to "
        "another column or to ignore."
    ]
    assert not ImportColumnMapping.objects.exists()


def test_a_column_the_import_does_not_read_is_refused_by_name(program):
    with pytest.raises(ValidationError) as refused:
        import_column_mapping_save(
            program=program,
            kind="roster",
            choices={"npi": "password"},
            headings={"npi": "NPI"},
            slash_dates=SlashDateOrder.MONTH_FIRST,
            by=SYSTEM,
        )

    assert refused.value.messages[0].startswith(
        "Column “NPI”: “password” is not a column this import reads; choose one of email,"
    )
    assert not ImportColumnMapping.objects.exists()


def test_a_mapping_that_makes_a_column_twice_refuses_the_file_naming_both_headers(program):
    # "Preferred Email" is read as email; mapping "Work Address" to email as well.
    map_columns(program, {"work_address": "email"})
    content = csv_bytes(
        [
            ["Preferred Email", "Work Address", "Name", "Level", "Role"],
            ["a@lakeside.test", "b@lakeside.test", "Ana", "R1", "junior"],
        ]
    )

    result = roster_import(
        program=program, file_name="r.csv", content=content, apply=True, by=SYSTEM
    )

    assert messages_of(result) == [
        "Row 1, column email: The column “email” is given by both “Preferred Email” and "
        "“Work Address” in the header row (columns A and B). Keep one of them, or map the "
        "other to “ignore” in the column step."
    ]
    assert not Person.objects.filter(email__endswith="lakeside.test").exists()


def test_ignoring_a_recognised_column_is_remembered(program):
    map_columns(program, {"specialty": ""})
    content = csv_bytes(
        [
            ["email", "full_name", "level", "role", "specialty"],
            ["a@lakeside.test", "Ana Lee", "R1", "junior", "Radiology"],
        ]
    )

    result = roster_import(
        program=program, file_name="r.csv", content=content, apply=True, by=SYSTEM
    )

    assert result.applied
    assert Person.objects.get(email="a@lakeside.test").specialty == ""


def test_mapping_a_header_to_what_medmentor_reads_anyway_stores_nothing(program):
    mapping = map_columns(program, {"preferred_email": "email", "npi": ""})

    assert mapping.columns == {"npi": ""}


@pytest.mark.parametrize("role", ["junior", "senior", "faculty", "researcher"])
def test_only_directors_and_coordinators_map_columns(request, program, role):
    person = request.getfixturevalue(role)

    with pytest.raises(PermissionDenied):
        map_columns(program, {"npi": ""}, by=person)
    assert not ImportColumnMapping.objects.exists()


def test_a_coordinator_maps_columns(program, coordinator):
    mapping = map_columns(program, {"npi": ""}, by=coordinator)

    assert mapping.updated_by == coordinator


# The GME office's own export, as it comes: no program role at all.
US_GME_EXPORT = csv_bytes([US_GME_HEADER[:-1], *(row[:-1] for row in US_GME_ROWS)])


def test_a_roster_without_a_role_column_takes_the_programs_role_for_every_row(program):
    map_columns(program, {"npi": ""})
    import_column_mapping_save(
        program=program,
        kind="roster",
        choices={},
        headings={},
        slash_dates=SlashDateOrder.MONTH_FIRST,
        fill={"role": Role.JUNIOR},
        by=SYSTEM,
    )

    result = roster_import(
        program=program, file_name="gme.csv", content=US_GME_EXPORT, apply=True, by=SYSTEM
    )

    assert result.applied, messages_of(result)
    assert set(
        Enrollment.objects.filter(person__email__in=[row[2] for row in US_GME_ROWS]).values_list(
            "role", flat=True
        )
    ) == {Role.JUNIOR}


def test_a_file_with_its_own_role_column_keeps_its_roles_despite_the_fill(program):
    map_columns(program, {"mentorship_role": "role", "npi": ""})
    import_column_mapping_save(
        program=program,
        kind="roster",
        choices={},
        headings={},
        slash_dates=SlashDateOrder.MONTH_FIRST,
        fill={"role": Role.JUNIOR},
        by=SYSTEM,
    )

    result = roster_import(
        program=program,
        file_name="gme.csv",
        content=csv_bytes([US_GME_HEADER, *US_GME_ROWS]),
        apply=True,
        by=SYSTEM,
    )

    assert result.applied, messages_of(result)
    thu = Enrollment.objects.get(person__email="thu.nguyen@lakeside.test", program=program)
    assert thu.role == Role.SENIOR


def test_a_filled_role_is_checked_like_a_written_one(program, coordinator):
    # A coordinator may not make anyone a director, by a column or by the fill.
    import_column_mapping_save(
        program=program,
        kind="roster",
        choices={"npi": ""},
        headings={},
        slash_dates=SlashDateOrder.MONTH_FIRST,
        fill={"role": Role.DIRECTOR},
        by=SYSTEM,
    )

    result = roster_import(
        program=program, file_name="gme.csv", content=US_GME_EXPORT, apply=True, by=coordinator
    )

    assert not result.applied
    assert {error.column for error in result.errors} == {"role"}
    assert not Person.objects.filter(email="chidi.okafor@lakeside.test").exists()


def test_only_the_role_may_be_filled_and_only_with_a_role(program):
    with pytest.raises(ValidationError) as refused:
        import_column_mapping_save(
            program=program,
            kind="roster",
            choices={},
            headings={},
            slash_dates=SlashDateOrder.MONTH_FIRST,
            fill={"role": "boss", "email": "x@y.test"},
            by=SYSTEM,
        )

    assert refused.value.messages == [
        "“boss” is not a role; choose one of director, coordinator, faculty, senior, junior, "
        "researcher, or none.",
        "“email” cannot be given one value for every row.",
    ]
    assert not ImportColumnMapping.objects.exists()


def test_under_a_pgy_header_a_bare_year_is_that_postgraduate_year(program):
    # GME offices often write the year alone under "PGY"; under any other heading a
    # bare number is asked about (it could be a medical-school year).
    map_columns(program, {"mentorship_role": "role", "npi": ""})

    def imported(header, rows):
        return roster_import(
            program=program,
            file_name="gme.csv",
            content=csv_bytes([header, *rows]),
            apply=True,
            by=SYSTEM,
        )

    rows = [list(row) for row in US_GME_ROWS]
    rows[0][3], rows[1][3] = "1", " 3 "
    result = imported(US_GME_HEADER, rows)
    assert result.applied, messages_of(result)
    levels = dict(Person.objects.values_list("email", "training_level"))
    assert levels["chidi.okafor@lakeside.test"] == "PGY-1"
    assert levels["thu.nguyen@lakeside.test"] == "PGY-3"

    # A year past PGY-7 under the same header is named, and nothing is written.
    rows[0][3], rows[0][2] = "9", "ada.eze@lakeside.test"
    refused = imported(US_GME_HEADER, rows[:1])
    assert not refused.applied
    assert "unknown training level “9”" in messages_of(refused)[0]
    assert not Person.objects.filter(email="ada.eze@lakeside.test").exists()

    # Under "Training level" the same "1" is asked about.
    header = [*US_GME_HEADER]
    header[3] = "Training level"
    rows[0][3], rows[0][2] = "1", "bo.lin@lakeside.test"
    asked = imported(header, rows[:1])
    assert not asked.applied
    assert "unknown training level “1”" in messages_of(asked)[0]
