"""A respondent answers a coded survey on a phone from the invitation link, keyboard and
axe-clean; the director's report page is axe-clean too."""

import datetime

import pytest
from django.urls import reverse

from medmentor.surveys.demo import survey_demo_load
from medmentor.surveys.models import Answer, Invitation, Response
from medmentor.surveys.services import invitation_token, invitations_create
from tests.browser.conftest import PHONE, assert_accessible
from tests.surveys.conftest import make_survey

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_passwords")]


def _fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_respondent_consents_answers_by_keyboard_and_the_draft_saves_on_change(
    browser, live_server, program, junior
):
    survey = make_survey(program)
    wave = survey.waves.get(kind="pre")
    invitations_create(wave=wave, people=[junior])
    token = invitation_token(invitation=Invitation.objects.get())
    context = browser.new_context(viewport=PHONE, base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(reverse("survey-answer", kwargs={"token": token}))
        assert "stored without your name" in page.content()
        assert _fits_the_phone(page)
        assert_accessible(page)

        page.get_by_label("Yes, I agree to take part").focus()
        page.keyboard.press("Space")
        page.get_by_role("button", name="Continue").click()
        page.get_by_role("group", name="Your private code").wait_for()
        assert_accessible(page)

        # A change saves the draft through htmx, with a polite status message.
        status = page.locator("#save-status")
        page.get_by_label("The first letter of your mother's first name").fill("M")
        page.keyboard.press("Tab")  # leaving the field is a change: the first save
        status.get_by_text("Saved.").wait_for()
        page.evaluate("document.querySelector('#save-status').textContent = ''")
        page.get_by_label(
            "How confident are you giving feedback to a senior colleague about "
            "their teaching? (0 not at all – 5 completely)"
        ).fill("3")
        page.keyboard.press("Tab")
        status.get_by_text("Saved.").wait_for()
        assert Answer.objects.get(item__key="conf_1").value == "3"

        # Next page with required answers missing: each is marked on its item.
        page.get_by_role("button", name="Next page").click()
        page.get_by_role("alert").wait_for()
        assert "Please answer this question; it is required." in page.content()
        assert _fits_the_phone(page)
        assert_accessible(page)
        assert Response.objects.get().submitted_at is None

        # Page two: Likert items as radio groups, chosen with the arrow keys.
        for n in range(1, 8):
            page.locator(f"#item-conf_{n}").fill("2")
        page.locator("#code-birth_day").fill("7")
        page.locator("#code-older_siblings").fill("1")
        page.locator("#code-street_initial").fill("K")
        page.get_by_role("button", name="Next page").click()
        group = page.get_by_role(
            "group", name="I understand my role as a reverse mentor. (required)"
        )
        group.wait_for()
        assert_accessible(page)
        page.evaluate("document.querySelector('#save-status').textContent = ''")
        group.get_by_label("Strongly disagree").focus()
        page.keyboard.press("ArrowRight")
        assert group.get_by_label("Disagree", exact=True).is_checked()
        # Choosing is a change too: let its save finish before the test ends.
        status.get_by_text("Saved.").wait_for()
    finally:
        context.close()


def test_report_page_is_accessible_on_a_phone(
    signed_in, live_server, program, director, junior, senior, other_junior, other_senior
):
    survey = survey_demo_load(program=program, today=datetime.date(2026, 11, 27))
    page = signed_in(director, viewport=PHONE)
    page.goto(reverse("survey-report", kwargs={"slug": program.slug, "instrument_id": survey.pk}))
    assert page.get_by_role("heading", level=1).inner_text().endswith("report")
    # The two Likert items and the scale's scores per wave.
    assert page.locator("svg[role=img]").count() == 3
    assert_accessible(page)
    page.goto(reverse("survey-list", kwargs={"slug": program.slug}))
    assert_accessible(page)
