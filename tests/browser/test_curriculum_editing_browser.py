"""The director edits a case on a phone: a refusal in the package's words beside its
field, then the case saved with a question added; axe-clean and no wider than 390 px."""

import pytest
from django.urls import reverse

from medmentor.curriculum.models import Case
from tests.browser.conftest import PHONE, assert_accessible

pytestmark = pytest.mark.browser


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width


def test_director_edits_a_case_on_a_phone(signed_in, live_server, program, director, case_week):
    case = case_week.unplanned_case
    questions = case.questions.count()
    page = signed_in(director, viewport=PHONE)
    page.goto(live_server.url + reverse("curriculum-overview", args=[program.slug]))
    page.get_by_role("link", name=case.title).click()
    assert page.get_by_role("heading", level=1).inner_text() == case.title
    assert_accessible(page)
    _fits(page)

    page.get_by_label("Title", exact=True).fill("")
    page.get_by_role("button", name="Save the case").click()
    page.get_by_text("Title is missing").wait_for()
    assert "Nothing was saved" in page.get_by_role("alert").first.inner_text()
    assert_accessible(page)
    _fits(page)

    page.get_by_label("Title", exact=True).fill("Thyroid nodule, revisited")
    new = questions + 1
    page.get_by_label(f"Question {new}", exact=True).fill("Cold or hot?")
    page.get_by_label(f"Answer {new}", exact=True).fill("Cold: needs a biopsy.")
    page.get_by_role("button", name="Save the case").click()
    page.get_by_text("Saved the case").wait_for()
    assert_accessible(page)
    _fits(page)
    case = Case.objects.get(pk=case.pk)
    assert case.title == "Thyroid nodule, revisited"
    assert case.questions.count() == new
    assert case.questions.order_by("order").last().answer == "Cold: needs a biopsy."
