"""A one-to-one program on a phone (issue 11 items 2 and 7): a mentee and a mentor open
their pair's page, set a goal and plan a meeting; the director opens the pairs'
overview. Axe-clean, and no page wider than the phone."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from medmentor.meetings.models import Meeting
from medmentor.mentoring.models import Goal
from medmentor.mentoring.services import mentoring_profile_update
from tests.browser.conftest import PHONE, assert_accessible
from tests.mentoring.pairs import pair_meeting, published_cohort

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_passwords")]


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _pairs_url(live_server, cohort) -> str:
    return live_server.url + reverse("mentoring-pairs", kwargs={"slug": cohort.program.slug})


def test_a_mentee_opens_their_pair_sets_a_goal_and_plans_a_meeting_on_a_phone(
    signed_in, live_server, institution, director
):
    cohort = published_cohort(institution, director=director)
    mentoring_profile_update(
        person=cohort.mara,
        bio="Fourth-year student from Cloquet; ask me about the anatomy lab.",
        contact_preference="Text me after 17:00",
    )
    page = signed_in(cohort.ana, viewport=PHONE)

    page.goto(live_server.url + reverse("home"))
    page.get_by_role("link", name="Near-peer mentoring").click()
    page.get_by_role("heading", name="Your mentor: Mara Mentor").wait_for()
    assert "ask me about the anatomy lab" in page.content()
    assert page.get_by_text("Plan your first meeting with Mara Mentor.").is_visible()
    assert_accessible(page)
    assert fits_the_phone(page)

    page.get_by_label("New goal").fill("A study plan for the anatomy block")
    page.get_by_role("button", name="Set goal").click()
    page.get_by_text("Goal set. Your pair sees it too.").wait_for()
    assert Goal.objects.get().title == "A study plan for the anatomy block"
    page.get_by_label("Progress (%)").fill("40")
    page.get_by_role("button", name="Save progress").click()
    page.get_by_text("Progress saved.").wait_for()
    assert Goal.objects.get().progress == 40
    assert_accessible(page)
    assert fits_the_phone(page)

    page.get_by_role("link", name="Plan a meeting").first.click()
    page.get_by_role("heading", name="Plan a meeting").wait_for()
    assert page.get_by_label("Mara Mentor").is_checked()  # prefilled with the pair
    assert page.get_by_label("Ana Mentee").is_checked()
    day = timezone.localdate() + datetime.timedelta(days=8)
    page.get_by_label("Date:", exact=True).fill(day.isoformat())
    page.locator("#id_start_time").fill("17:30")
    page.get_by_role("button", name="Plan and invite").click()
    page.get_by_text("Planned.").wait_for()
    meeting = Meeting.objects.get()
    assert {p.full_name for p in meeting.participants.all()} == {"Ana Mentee", "Mara Mentor"}

    page.goto(_pairs_url(live_server, cohort))
    assert page.get_by_role("heading", name="Coming up").is_visible()
    assert "Plan your first meeting" not in page.content()
    assert_accessible(page)
    assert fits_the_phone(page)


def test_a_mentor_with_two_mentees_sees_each_pair_and_sets_a_goal_on_a_phone(
    signed_in, live_server, institution, director
):
    cohort = published_cohort(institution, director=director)
    pair_meeting(cohort.program, cohort.mara, cohort.cy, days=-3, title="Coffee")
    page = signed_in(cohort.mara, viewport=PHONE)

    page.goto(_pairs_url(live_server, cohort))

    assert page.get_by_role("heading", name="Your mentee: Ana Mentee").is_visible()
    assert page.get_by_role("heading", name="Your mentee: Cy Mentee").is_visible()
    assert page.get_by_text("Say whether you met on").is_visible()
    assert_accessible(page)
    assert fits_the_phone(page)

    cy = page.get_by_role("region", name="Your mentee: Cy Mentee")
    cy.get_by_label("New goal").fill("Meet the learning specialist")
    cy.get_by_role("button", name="Set goal").click()
    page.get_by_text("Goal set. Your pair sees it too.").wait_for()
    assert Goal.objects.get().mentorship == cohort.cy_pair
    assert fits_the_phone(page)


def test_the_director_opens_the_pairs_overview_on_a_phone(
    signed_in, live_server, institution, director
):
    cohort = published_cohort(institution, director=director)
    pair_meeting(cohort.program, cohort.nate, cohort.ben, days=-3)
    page = signed_in(director, viewport=PHONE)

    page.goto(_pairs_url(live_server, cohort))

    assert page.get_by_role("link", name="Pairs").get_attribute("aria-current") == "page"
    assert page.get_by_role("heading", name="The program's pairs").is_visible()
    assert page.get_by_role("heading", name="Pairs with no meeting logged").is_visible()
    table = page.get_by_role("table", name="Current pairs and the meetings each logged")
    assert "Ana Mentee" in table.inner_text()
    assert_accessible(page)
    assert fits_the_phone(page)
