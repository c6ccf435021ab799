"""The director imports matching profiles on a phone: a bad file first, then a good one."""

import pytest
from django.urls import reverse

from medmentor.mentoring.models import MatchingProfile
from medmentor.programs.models import Role
from tests.browser.conftest import PHONE, assert_accessible
from tests.mentoring.matching_cohort import SLUG, one_to_one_program
from tests.programs.files import csv_bytes, xlsx_bytes

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_passwords")]

BAD_PROFILES = xlsx_bytes(
    [
        ["email", "capacity", "concordance"],
        ["cy@near-peer.test", "3", ""],
        ["mara@near-peer.test", "-1", ""],
        ["ben@near-peer.test", "", "religion"],
    ]
)
GOOD_PROFILES = csv_bytes(
    [
        ["email", "site", "languages", "preferences"],
        ["cy@near-peer.test", "North", "English; Spanish", "mara@near-peer.test"],
        ["nate@near-peer.test", "North", "English", ""],
    ]
)


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def choose_file(page, name, content, mime):
    page.get_by_label("Spreadsheet file (.xlsx or .csv)").set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": content}]
    )


def test_director_sees_numbered_errors_then_imports_good_profiles_on_a_phone(
    signed_in, live_server, institution, director
):
    cohort = one_to_one_program(institution, staff=[(director, Role.DIRECTOR)])
    page = signed_in(director, viewport=PHONE)
    page.goto(live_server.url + reverse("matching", kwargs={"slug": SLUG}))
    page.get_by_role("link", name="import profiles", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Import matching profiles"
    assert page.get_by_role("link", name="Matching").get_attribute("aria-current") == "page"
    assert page.get_by_role("link", name="Download a template (.csv)").is_visible()
    assert_accessible(page)
    assert fits_the_phone(page)
    stored = MatchingProfile.objects.count()

    choose_file(
        page,
        "profiles.xlsx",
        BAD_PROFILES,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    page.get_by_role("button", name="Preview").click()
    problems = page.locator("#import-problems")
    problems.wait_for()
    text = problems.inner_text()
    assert "Nothing will be imported: the file has 3 problems" in text
    assert "Row 2, column capacity: capacity is for mentors; this person is a mentee" in text
    assert "Row 3, column capacity: capacity must be a whole number from 0 to 100" in text
    assert "Row 4, column concordance: “religion” is not an identity attribute" in text
    assert page.locator("#row-3 td.error").inner_text().startswith("-1")
    assert page.get_by_role("button", name="Confirm and import").count() == 0
    assert_accessible(page)
    assert MatchingProfile.objects.count() == stored
    assert not MatchingProfile.objects.filter(enrollment__person=cohort.cy).exists()

    choose_file(page, "profiles.csv", GOOD_PROFILES, "text/csv")
    page.get_by_role("button", name="Preview").click()
    summary = page.locator("#import-summary")
    summary.wait_for()
    assert "1 to create" in summary.inner_text() and "1 to update" in summary.inner_text()
    assert page.locator("#row-2").inner_text().split()[:2] == ["2", "create"]
    assert page.locator("#row-3").inner_text().split()[:2] == ["3", "update"]
    assert_accessible(page)
    assert not MatchingProfile.objects.filter(enrollment__person=cohort.cy).exists()

    page.get_by_role("button", name="Confirm and import").click()
    page.get_by_role("heading", level=1, name="Matching").wait_for()
    assert "Imported “profiles.csv”: 1 created, 1 updated, 0 unchanged." in page.content()
    assert_accessible(page)
    cy = MatchingProfile.objects.get(enrollment__person=cohort.cy)
    assert (cy.site, cy.languages, cy.preferences) == (
        "North",
        ["English", "Spanish"],
        ["mara@near-peer.test"],
    )
    assert MatchingProfile.objects.get(enrollment__person=cohort.nate).site == "North"
