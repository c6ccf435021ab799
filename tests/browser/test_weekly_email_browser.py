"""The director's weekly email editor and outbox in a real browser (headless Chromium),
on a phone-sized window, under axe-core's WCAG 2.1 AA rules."""

import datetime

import pytest
from django.urls import reverse

from medmentor.messaging.models import OutboxMessage
from medmentor.programs.models import ServiceBlock
from tests.browser.conftest import PHONE, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_passwords")]


@pytest.fixture
def on_service(case_week, program, service, junior, senior, other_junior, other_senior):
    for person in (junior, senior, other_junior, other_senior):
        ServiceBlock.objects.create(
            program=program,
            person=person,
            service=service,
            starts_on=case_week.week.starts_on,
            ends_on=case_week.week.starts_on + datetime.timedelta(days=4),
        )
    return case_week


def _fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_director_edits_with_a_live_preview_and_sends_a_test_by_keyboard(
    signed_in,  # noqa: F811
    live_server,
    program,
    director,
    on_service,
):
    page = signed_in(director, viewport=PHONE)
    page.goto(live_server.url + reverse("email-template", args=[program.slug]))

    assert page.get_by_role("heading", level=1).inner_text() == "Weekly email template"
    assert "As Jamie Junior would get it" in page.locator("#preview").inner_text()
    assert _fits_the_phone(page)
    assert_accessible(page)

    # Typing in the subject updates the preview without leaving the page.
    subject = page.get_by_label("Subject")
    subject.fill("{{ week.topic }} with {{ person.first_name }}")
    page.locator("#preview").get_by_text("Thyroid scintigraphy with Jamie").wait_for()

    # A broken draft shows its problem in the preview, not an error page.
    subject.fill("{% if %}")
    page.locator("#preview").get_by_text("Subject, line 1").wait_for()
    subject.fill("Test of {{ week.topic }}")
    page.locator("#preview").get_by_text("Test of Thyroid scintigraphy").wait_for()

    # Keyboard only: from the subject, Tab through the form to "Send me a test".
    subject.focus()
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Send me a test":
            break
    page.keyboard.press("Enter")
    page.get_by_text("A test of this draft is on its way to director@lakeside.test").wait_for()
    test = OutboxMessage.objects.get()
    assert test.subject == "[Test] Test of Thyroid scintigraphy"
    assert_accessible(page)


def test_outbox_and_message_pages_work_on_a_phone_and_pass_axe(
    signed_in,  # noqa: F811
    live_server,
    program,
    director,
    on_service,
):
    from medmentor.curriculum.weekly_email import weekly_emails_enqueue

    weekly_emails_enqueue(program=program, week=on_service.week)
    OutboxMessage.objects.filter(to_email="senior@lakeside.test").update(
        status="gave_up", attempts=6, last_error="ConnectionRefusedError: [Errno 111]"
    )
    page = signed_in(director, viewport=PHONE)
    page.goto(live_server.url + reverse("outbox", args=[program.slug]))

    assert page.get_by_role("heading", level=1).inner_text() == "Outbox"
    assert page.locator("tbody tr").count() == 4
    assert _fits_the_phone(page)
    assert_accessible(page)

    page.get_by_label("Show").select_option("gave_up")
    page.get_by_role("button", name="Show").click()
    assert page.locator("tbody tr").count() == 1
    page.locator("tbody tr a").click()
    page.get_by_role("heading", name="Delivery").wait_for()
    # The outbox holds the placeholder of the sign-in link, never a token.
    shown = page.locator(".email-text").first.inner_text()
    assert "/personal-link/sign-in/" in shown and "/sign-in/link/" not in shown
    assert _fits_the_phone(page)
    assert_accessible(page)

    page.get_by_role("button", name="Retry now").click()
    page.get_by_text("It will be sent again").wait_for()
    assert OutboxMessage.objects.get(to_email="senior@lakeside.test").status == "queued"
