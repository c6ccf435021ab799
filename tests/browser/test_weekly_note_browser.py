"""The director writes this week's note in the simple email editor, on a phone: the
note appears in the email as it will go out; axe-clean and no wider than 390 px."""

import datetime

import pytest
from django.urls import reverse

from medmentor.curriculum.models import WeeklyNote
from medmentor.programs.models import ServiceBlock
from tests.browser.conftest import PHONE, assert_accessible

pytestmark = pytest.mark.browser


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width


def test_director_writes_the_weeks_note_on_a_phone(
    signed_in, live_server, program, service, director, junior, senior, case_week
):
    for person in (junior, senior):
        ServiceBlock.objects.create(
            program=program,
            person=person,
            service=service,
            starts_on=case_week.week.starts_on,
            ends_on=case_week.week.starts_on + datetime.timedelta(days=4),
        )
    page = signed_in(director, viewport=PHONE)
    page.goto(live_server.url + reverse("program-detail", args=[program.slug]))
    page.goto(live_server.url + reverse("email-note", args=[program.slug]))
    assert page.get_by_role("heading", level=1).inner_text() == "Weekly email"
    assert_accessible(page)
    _fits(page)

    page.get_by_label("Your note for this week").fill("Welcome! Thyroid week: read chapter 3.")
    page.get_by_label("Reminders (optional)").fill("Journal club on Thursday")
    page.get_by_role("button", name="Save the note").click()
    page.get_by_text("Saved the note").wait_for()
    preview = page.locator("#preview")
    assert "Welcome! Thyroid week: read chapter 3." in preview.inner_text()
    assert "- Journal club on Thursday" in preview.inner_text()
    assert_accessible(page)
    _fits(page)
    assert WeeklyNote.objects.get(program_week=case_week.week).reminders == (
        "Journal club on Thursday"
    )

    page.get_by_role("link", name="Template (advanced)").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Weekly email template"
