"""The director imports a curriculum package in a real browser, on a phone, by keyboard."""

import pytest
from django.urls import reverse

from medmentor.curriculum.models import Curriculum
from tests.browser.conftest import PHONE, assert_accessible
from tests.curriculum.test_package import document, package_zip

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _data_in_tmp(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"


def choose_package(page, content: bytes) -> None:
    page.get_by_label("Curriculum package (.zip)").set_input_files(
        files=[{"name": "nm.zip", "mimeType": "application/zip", "buffer": content}]
    )


def test_director_sees_a_bad_packages_reasons_then_imports_a_good_one(
    signed_in, live_server, program, director
):
    page = signed_in(director, viewport=PHONE)
    page.goto(live_server.url + reverse("curriculum-overview", args=[program.slug]))
    assert page.get_by_role("heading", level=1).inner_text() == "Curriculum"
    assert_accessible(page)

    page.get_by_role("link", name="Import package").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Import a curriculum package"
    assert_accessible(page)
    bad = document()
    del bad["weeks"][1]["cases"][0]["questions"][1]["answer"]
    choose_package(page, package_zip(bad))
    page.get_by_role("button", name="Check and preview").click()
    problems = page.locator("#package-problems")
    problems.wait_for()
    assert "weeks[1].cases[0].questions[1]: 'answer' is missing" in problems.inner_text()
    assert_accessible(page)
    assert Curriculum.objects.count() == 0

    choose_package(page, package_zip())
    # Keyboard only from here, as a keyboard user would.
    page.get_by_role("button", name="Check and preview").focus()
    page.keyboard.press("Enter")
    summary = page.locator("#package-summary")
    summary.wait_for()
    assert "2 weeks" in summary.inner_text()
    assert_accessible(page)
    assert Curriculum.objects.count() == 0

    page.get_by_role("button", name="Confirm and import").focus()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Week 1: Thyroid").wait_for()
    assert "Imported “Nuclear medicine for R1s”" in page.locator(".messages").inner_text()
    assert_accessible(page)
    assert Curriculum.objects.get(program=program).weeks.count() == 2
