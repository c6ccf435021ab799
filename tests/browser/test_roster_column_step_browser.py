"""The column step on a phone: a UK deanery's list with a header medmentor does not
read and day-first dates, mapped in the preview, then imported."""

import datetime

import pytest
from django.urls import reverse

from medmentor.people.models import Person
from medmentor.programs.models import Enrollment, ImportColumnMapping
from tests.browser.conftest import PHONE, assert_accessible
from tests.programs.files import csv_bytes
from tests.programs.test_roster_column_mapping import UK_DEANERY_HEADER, UK_DEANERY_ROWS

pytestmark = pytest.mark.browser

DEANERY = csv_bytes([UK_DEANERY_HEADER, *UK_DEANERY_ROWS])


def page_width_fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_director_maps_a_deanery_lists_columns_on_a_phone_and_imports_it(
    signed_in, live_server, program, director
):
    page = signed_in(director, viewport=PHONE)
    page.goto(live_server.url + reverse("roster-import", args=[program.slug]))
    page.get_by_label("Spreadsheet file (.xlsx or .csv)").set_input_files(
        files=[{"name": "deanery.csv", "mimeType": "text/csv", "buffer": DEANERY}]
    )
    page.get_by_role("button", name="Preview").click()
    step = page.locator("#column-step")
    step.wait_for()
    assert step.get_attribute("open") is not None
    assert "missing required column “role”" in page.locator("#import-problems").inner_text()
    assert page_width_fits(page)
    assert_accessible(page)

    page.get_by_label("Column G: “Role Here” not recognised").select_option("role")
    page.get_by_label("Column F: “Scheme” not recognised").select_option("ignore")
    page.get_by_label("Day first: 01/07/2026 is 1 July (UK, Europe)").check()
    page.get_by_role("button", name="Save the columns and preview again").click()
    page.locator("#import-summary").wait_for()
    assert "2 to create" in page.locator("#import-summary").inner_text()
    assert "2026-08-06" in page.locator("#row-2").inner_text()
    assert page_width_fits(page)
    assert_accessible(page)
    assert not Person.objects.filter(email="arjun.patel@nhs.test").exists()

    page.get_by_role("button", name="Confirm and import").click()
    page.wait_for_url("**/roster/import/")
    arjun = Enrollment.objects.get(person__email="arjun.patel@nhs.test", program=program)
    assert arjun.joined_on == datetime.date(2026, 8, 6)
    assert ImportColumnMapping.objects.get(program=program).slash_dates == "day-first"
