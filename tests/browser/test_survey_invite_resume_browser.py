"""On a phone, axe-clean: the director's invite page (roles with counts, by keyboard),
and the respondent's private link to continue on another device, which another browser
opens to the same draft."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from medmentor.surveys.models import Invitation
from medmentor.surveys.services import invitation_token, invitations_create
from tests.browser.conftest import PHONE, assert_accessible
from tests.surveys.conftest import make_survey

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_passwords")]


def _fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_invite_page_chooses_roles_by_keyboard(
    signed_in, program, director, faculty, junior, senior
):
    survey = make_survey(program)
    wave = survey.waves.get(kind="pre")
    page = signed_in(director, viewport=PHONE)
    page.goto(reverse("survey-list", kwargs={"slug": program.slug}))
    page.get_by_role("link", name="Invite to the pre wave").click()
    page.get_by_role("group", name="Whom to invite").wait_for()
    assert _fits_the_phone(page)
    assert_accessible(page)
    assert page.get_by_label("Junior (mentee): 1 person").is_checked()
    assert not page.get_by_label("Faculty: 1 person").is_checked()
    page.get_by_label("Junior (mentee): 1 person").focus()
    page.keyboard.press("Space")  # only the seniors, this time
    page.get_by_role("button", name="Invite").click()
    page.get_by_text("1 new invitation(s)").wait_for()
    assert list(wave.invitations.values_list("person__email", flat=True)) == [senior.email]


def test_a_second_browser_continues_from_the_private_link(browser, live_server, program, junior):
    survey = make_survey(program)
    invitations_create(wave=survey.waves.get(kind="pre"), people=[junior])
    path = reverse(
        "survey-answer", kwargs={"token": invitation_token(invitation=Invitation.objects.get())}
    )
    first = browser.new_context(viewport=PHONE, base_url=live_server.url)
    second = browser.new_context(viewport=PHONE, base_url=live_server.url)
    try:
        page = first.new_page()
        page.goto(path)
        page.get_by_label("Yes, I agree to take part").check()
        page.get_by_role("button", name="Continue").click()
        page.get_by_role("group", name="Your private code").wait_for()
        page.get_by_text("Continue on another device").click()
        link = page.get_by_label("Your private link to continue")
        link.wait_for()
        assert "Whoever has this link can see and change" in page.content()
        assert _fits_the_phone(page)
        assert_accessible(page)
        resume = link.input_value()
        assert "?draft=" in resume
        other = second.new_page()
        parts = urlsplit(resume)  # the site's address is settings.SITE_URL, not this server's
        other.goto(f"{parts.path}?{parts.query}")
        # The draft token leaves the address; the survey goes on, without a new consent.
        assert other.url == live_server.url + path
        other.get_by_role("group", name="Your private code").wait_for()
    finally:
        first.close()
        second.close()
