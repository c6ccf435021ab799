"""The director imports a roster in a real browser: a bad file first, then a good one."""

import datetime

import pytest
from django.urls import reverse

from medmentor.people.models import Person
from medmentor.programs.models import Enrollment, ServiceBlock
from medmentor.programs.services import pairs_derive, program_weeks_ensure
from tests.browser.conftest import PHONE, assert_accessible
from tests.conftest import coming_monday
from tests.programs.files import ROSTER_HEADER, csv_bytes, xlsx_bytes

pytestmark = pytest.mark.browser

BAD_ROSTER = xlsx_bytes(
    [
        ROSTER_HEADER,
        ["ana@lakeside.test", "Ana Alvarez", "R1", "junior"],
        ["ben@lakeside.test", "Ben Brown", "R9", "senior"],
        ["", "No Email", "R1", "junior"],
        ["ana@lakeside.test", "Ana Again", "R1", "junior"],
    ]
)
GOOD_ROSTER = csv_bytes(
    [
        ROSTER_HEADER,
        ["ana@lakeside.test", "Ana Alvarez", "R1", "junior"],
        ["ben@lakeside.test", "Ben Brown", "R3", "senior"],
    ]
)


def choose_file(page, name, content, mime):
    page.get_by_label("Spreadsheet file (.xlsx or .csv)").set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": content}]
    )


def test_director_sees_row_numbered_errors_then_imports_a_good_roster(
    signed_in, live_server, program, director
):
    page = signed_in(director, viewport=PHONE)
    url = live_server.url + reverse("roster-import", args=[program.slug])
    page.goto(url)
    assert page.get_by_role("heading", level=1).inner_text() == "Import the roster"
    assert_accessible(page)
    people_before = Person.objects.count()

    choose_file(
        page,
        "roster.xlsx",
        BAD_ROSTER,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    page.get_by_role("button", name="Preview").click()
    problems = page.locator("#import-problems")
    problems.wait_for()
    text = problems.inner_text()
    assert "Nothing will be imported: the file has 3 problems" in text
    assert "Row 3, column training_level: unknown training level “R9”" in text
    assert "Row 4, column email: missing email" in text
    assert "Row 5, column email: duplicate person: ana@lakeside.test is also on row 2" in text
    assert page.locator("#row-3 td.error").inner_text().startswith("R9")
    assert page.get_by_role("button", name="Confirm and import").count() == 0
    assert_accessible(page)
    assert Person.objects.count() == people_before

    choose_file(page, "roster.csv", GOOD_ROSTER, "text/csv")
    # Keyboard only from here: focus the button and press Enter, as a keyboard user would.
    page.get_by_role("button", name="Preview").focus()
    page.keyboard.press("Enter")
    page.locator("#import-summary").wait_for()
    assert "2 to create" in page.locator("#import-summary").inner_text()
    assert page.locator("#row-2").inner_text().split()[:2] == ["2", "create"]
    assert_accessible(page)
    assert not Person.objects.filter(email="ana@lakeside.test").exists()

    page.get_by_role("button", name="Confirm and import").focus()
    page.keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="Imported").wait_for()
    assert "Imported “roster.csv”: 2 created, 0 updated, 0 unchanged." in page.content()
    assert set(Enrollment.objects.filter(program=program).values_list("person__email", "role")) >= {
        ("ana@lakeside.test", "junior"),
        ("ben@lakeside.test", "senior"),
    }


def test_weeks_and_pairs_page_flags_a_lone_junior_and_passes_axe(
    signed_in, live_server, program, director, junior, other_junior, senior
):
    # Weeks still to come: finished weeks are frozen (no pairs derived into them).
    monday = coming_monday(program)
    for person in (junior, other_junior, senior):
        ServiceBlock.objects.create(
            program=program,
            person=person,
            service=program.service,
            starts_on=monday,
            ends_on=monday + datetime.timedelta(days=4 if person != junior else 11),
        )
    until = monday + datetime.timedelta(days=11)
    for week in program_weeks_ensure(program=program, until=until):
        if week.starts_on >= monday:
            pairs_derive(program=program, week=week)

    page = signed_in(director, viewport=PHONE)
    page.goto(live_server.url + reverse("program-weeks", args=[program.slug]))
    assert page.get_by_text("Jo Junior has no senior on service this week.").count() == 1
    assert page.get_by_text("Jamie Junior with Sam Senior").count() == 1
    page.locator("summary").first.focus()
    page.keyboard.press("Enter")  # opens "Add a pair" by keyboard
    assert_accessible(page)
