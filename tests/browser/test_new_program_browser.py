"""A director creates a new program of each kind built so far, in a real browser on a
phone: the kind first, then only that kind's fields with defaults; they land on the
new program's overview as its director. Axe-clean, no wider than the screen."""

import pytest
from django.urls import reverse

from medmentor.programs import access, kinds
from medmentor.programs.models import Program, ProgramKind, Role
from tests.browser.conftest import PHONE, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_passwords")]

# Only these kinds ask for a clinical service (kinds.register_creation).
ASKS_FOR_A_SERVICE = {ProgramKind.CASE_REVIEW}


def _fits(page) -> None:
    width, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= viewport, f"{page.url} is {width} px wide on a {viewport} px screen"


@pytest.mark.parametrize("kind", [creation.kind for creation in kinds.creatable_kinds()])
def test_a_director_creates_a_program_of_each_kind_on_a_phone(
    signed_in, live_server, program, director, kind
):
    label = ProgramKind(kind).label
    page = signed_in(director, viewport=PHONE)
    page.goto(live_server.url + reverse("home"))
    page.get_by_role("link", name="New program").click()
    assert page.get_by_role("heading", level=1).inner_text() == "New program"
    _fits(page)
    assert_accessible(page)

    page.get_by_role("link", name=label).click()
    assert label in page.inner_text("main")
    # Only the kind's own fields; sensible defaults already filled in.
    assert (page.get_by_label("Clinical service").count() == 1) == (kind in ASKS_FOR_A_SERVICE)
    first_monday = page.get_by_label("First Monday").input_value()
    assert first_monday  # the coming Monday
    assert page.get_by_label("Time zone").input_value() == program.time_zone
    _fits(page)
    assert_accessible(page)

    # A mistake first: no name. The page says which field, and nothing is created.
    page.get_by_role("button", name="Create the program").click()
    assert "Program name: Give the program a name." in page.inner_text("main")
    assert Program.objects.count() == 1
    assert_accessible(page)

    page.get_by_label("Program name").fill(f"New {label}")
    if kind in ASKS_FOR_A_SERVICE:
        page.get_by_label("Clinical service").fill("Radiology")
    page.get_by_role("button", name="Create the program").click()

    created = Program.objects.get(name=f"New {label}")
    assert created.kind == kind and created.starts_on.isoformat() == first_monday
    assert page.url.endswith(reverse("program-detail", args=[created.slug]))
    assert "is created and you direct it" in page.inner_text(".messages")
    assert access.program_access(director, created).roles == {Role.DIRECTOR}
    if kind in ASKS_FOR_A_SERVICE:
        assert created.service.name == "Radiology"
    _fits(page)
