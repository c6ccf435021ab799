"""The director matches a one-to-one program on a phone: run, review, lock, swap, publish."""

import pytest
from django.urls import reverse

from medmentor.mentoring.models import MatchingRun, Mentorship
from medmentor.messaging.models import OutboxMessage
from medmentor.programs.models import Role
from tests.browser.conftest import PHONE, assert_accessible
from tests.mentoring.matching_cohort import SLUG, one_to_one_program

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_passwords")]


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_director_runs_reviews_and_publishes_on_a_phone(
    signed_in, live_server, institution, director
):
    cohort = one_to_one_program(institution, staff=[(director, Role.DIRECTOR)])
    page = signed_in(director, viewport=PHONE)
    page.goto(live_server.url + reverse("matching", kwargs={"slug": SLUG}))
    assert page.get_by_role("heading", level=1).inner_text() == "Matching"
    assert page.get_by_role("link", name="Matching").get_attribute("aria-current") == "page"
    assert_accessible(page)
    assert fits_the_phone(page)

    page.get_by_label("Same site required").check()
    page.get_by_label("Same site required").uncheck()
    page.get_by_label("Shared interests").fill("4")
    page.get_by_role("button", name="Run matching").click()

    page.locator("#tradeoff").wait_for()
    run = MatchingRun.objects.get()
    assert run.weights["interests"] == 4
    assert "Matched 3 of 3 mentees" in page.locator(".messages").inner_text()
    tradeoff = page.locator("#tradeoff").inner_text()
    assert "Stable" in tradeoff and "Optimal" in tradeoff
    assert "blocking pair" in page.locator("#tradeoff-words").inner_text()
    ana = page.get_by_role("article", name="Ana Mentee with Mara Mentor")
    ana.get_by_text("Why this pair").click()  # each pair's reasons are folded
    assert "same gender (asked by mentee): woman (+2)" in ana.inner_text()
    assert "No mentee at least 2 training levels below" in page.locator("#unmatched").inner_text()
    assert_accessible(page)
    assert fits_the_phone(page)

    page.get_by_role("button", name="Lock Cy Mentee with Mara Mentor").click()
    page.get_by_role("button", name="Unlock Cy Mentee with Mara Mentor").wait_for()
    assert run.pairs.get(mentee=cohort.cy).locked

    page.get_by_label("Swap the mentee of").select_option(label="Mara Mentor – Ana Mentee")
    page.get_by_label("with the mentee of").select_option(label="Nate Mentor – Ben Mentee")
    page.get_by_role("button", name="Swap", exact=True).click()
    page.get_by_role("article", name="Ana Mentee with Nate Mentor").wait_for()
    assert "Swapped" in page.locator(".messages").inner_text()

    # The trade-off table now has the draft as it is after the swap, beside the answers
    # as solved; publishing asks first, on its own page, with the counts and a warning.
    run.refresh_from_db()
    draft_row = page.locator("#tradeoff tr", has_text="This draft, after your swaps")
    assert draft_row.locator("td").all_inner_texts() == [
        "3",
        "0",
        f"{run.total_score:.1f}",
        str(run.blocking_pairs),
    ]
    assert run.blocking_pairs > 0
    page.get_by_role("link", name="Review and publish…").click()
    page.get_by_role("heading", name=f"Publish matching run #{run.pk}?").wait_for()
    summary = page.locator("#publish-summary").inner_text()
    assert "3 pairs become the program's mentorships" in summary
    assert "1 person without a partner" in summary
    assert f"{run.blocking_pairs} blocking pair" in summary
    assert "This draft has" in page.get_by_role("alert").inner_text()
    assert not Mentorship.objects.exists()
    assert_accessible(page)
    assert fits_the_phone(page)
    page.get_by_role("button", name="Publish 3 pairs and email everyone").click()
    page.get_by_text("Published: 3 mentorships in force").wait_for()
    assert page.get_by_role("heading", name="Status: published").is_visible()
    assert_accessible(page)
    assert Mentorship.objects.filter(program=cohort.program).count() == 3
    assert OutboxMessage.objects.filter(key__startswith=f"matching:{run.pk}:").count() == 5


def test_a_learner_gets_403_in_the_browser(signed_in, live_server, institution, director):
    cohort = one_to_one_program(institution, staff=[(director, Role.DIRECTOR)])
    page = signed_in(cohort.ana, viewport=PHONE)

    response = page.goto(live_server.url + reverse("matching", kwargs={"slug": SLUG}))

    assert response.status == 403
