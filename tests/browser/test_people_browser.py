"""The director's people page in a real browser, on a phone: search, add a person,
change a role, end an enrollment, send a sign-in link; the page fits 390 px and is
axe-clean throughout."""

import pytest
from django.urls import reverse

from medmentor.messaging.models import OutboxMessage
from medmentor.people.models import Person
from medmentor.programs import access
from medmentor.programs.models import Enrollment, Role
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_passwords")]


def _fits(page) -> None:
    width, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= viewport, f"{page.url} is {width} px wide on a {viewport} px screen"


@pytest.fixture
def people(director, coordinator, faculty, senior, junior, other_junior, other_senior):
    return {"junior": junior, "other_junior": other_junior, "senior": senior}


def test_a_director_runs_the_people_page_on_a_phone(
    signed_in, live_server, program, director, people
):
    page = signed_in(director, viewport=PHONE)
    page.goto(live_server.url + reverse("program-detail", args=[program.slug]))
    # The menu's "People" opens the people page; the roster import is one click away.
    page.get_by_role("navigation", name="Program").get_by_role("link", name="People").click()
    assert page.get_by_role("heading", level=1).inner_text() == "People"
    assert page.get_by_role("link", name="Import a roster").is_visible()
    _fits(page)
    assert_accessible(page)

    # Search: a word of a name.
    junior = people["junior"]
    page.get_by_label("Name or email").fill(junior.full_name.split()[0])
    page.get_by_role("button", name="Show").click()
    assert page.locator("#people-count").inner_text() == "1 person found."
    # On a phone each row is a card whose name (the key column) is visible.
    name = page.locator("#people tbody th a")
    assert name.inner_text() == junior.full_name and name.is_visible()
    box = name.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"]
    _fits(page)
    assert_accessible(page)

    # Filter by role.
    page.get_by_role("link", name="Clear").click()
    page.get_by_label("Role").select_option("senior")
    page.get_by_role("button", name="Show").click()
    assert page.locator("#people-count").inner_text() == "2 people found."

    # Add one person: a mistake first (no role), explained by field, then right.
    page.get_by_role("link", name="Add a person").click()
    page.get_by_label("Email address").fill("ana@lakeside.test")
    page.get_by_label("Full name").fill("Ana Alvarez")
    page.get_by_label("Training level").select_option("R1")
    page.get_by_role("button", name="Add to").click()
    assert "Roles in this program: Choose at least one role" in page.inner_text("main")
    assert not Person.objects.filter(email="ana@lakeside.test").exists()
    _fits(page)
    assert_accessible(page)
    page.get_by_label("Junior (mentee)").check()
    page.get_by_role("button", name="Add to").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Ana Alvarez"
    assert "Ana Alvarez is now in" in page.inner_text(".messages")
    ana = Person.objects.get(email="ana@lakeside.test")
    _fits(page)
    assert_accessible(page)

    # Change her role: junior → senior.
    page.get_by_label("Junior (mentee)").uncheck()
    page.get_by_label("Senior (mentor)").check()
    page.get_by_role("button", name="Save roles").click()
    assert "Ana Alvarez is now senior (mentor), no longer junior (mentee)." in page.inner_text(
        ".messages"
    )
    assert access.program_access(ana, program).roles == {Role.SENIOR}

    # Send her a sign-in link: queued, and no link is shown to the director.
    page.get_by_role("button", name="Send a sign-in link").click()
    assert "A new sign-in link is on its way to ana@lakeside.test" in page.inner_text(".messages")
    assert "/sign-in/link/" not in page.content()
    assert OutboxMessage.objects.filter(person=ana).count() == 1

    # End her enrollment: she leaves the list, her rows stay.
    page.get_by_role("button", name="End Ana Alvarez's enrollment").click()
    assert page.get_by_role("heading", level=1).inner_text() == "People"
    assert "Their history in the program is kept." in page.inner_text(".messages")
    assert "Ana Alvarez" not in page.inner_text("#people")
    assert Enrollment.objects.filter(program=program, person=ana).count() == 2
    assert not access.program_access(ana, program).is_enrolled
    page.get_by_label("Enrollment").select_option("ended")
    page.get_by_role("button", name="Show").click()
    assert "Ana Alvarez" in page.inner_text("#people")
    _fits(page)
    assert_accessible(page)


def test_the_people_table_on_a_laptop_keeps_its_columns(
    signed_in, live_server, program, director, people
):
    page = signed_in(director, viewport=DESKTOP)
    page.goto(live_server.url + reverse("program-people", args=[program.slug]))
    headers = page.locator("#people thead th").all_inner_texts()
    assert headers == ["Name", "Roles", "Training level", "Email", "Since"]
    assert page.locator("#people thead").is_visible()
    assert_accessible(page)
