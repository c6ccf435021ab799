"""The junior's blind-then-reveal flow on a phone, and the pair's pages under axe-core."""

import pytest
from django.urls import reverse

from medmentor.curriculum.models import AnswerReveal, CaseLearningStyle, CaseReview
from tests.browser.conftest import PHONE, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_passwords")]


def _todays_case(case_week):
    # Weekdays have their own case; at the weekend the workspace shows Friday's.
    return case_week.cases[min(case_week.today.weekday(), 4)]


def _fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _settled(page) -> None:
    """Wait until htmx has swapped in and wired up the new part, as a person would
    wait for the page to change before going on."""
    # A function, not an expression: Playwright evaluates an expression with eval(),
    # which the site's Content Security Policy refuses.
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, "
        ".htmx-added')"
    )


def _focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_junior_goes_in_blind_reveals_one_answer_by_keyboard_and_marks_reviewed(
    signed_in, live_server, program, case_week, junior
):
    case = _todays_case(case_week)
    first, second = case.questions.all()
    page = signed_in(junior, viewport=PHONE)
    page.goto(live_server.url + reverse("workspace", args=[program.slug]))

    assert page.get_by_role("heading", level=1).inner_text() == "This week"
    assert "Sam Senior" in page.locator("#pair-heading + ul").inner_text()
    today = page.locator(f"#case-{case.pk}")
    assert today.get_by_role("heading", level=3).inner_text() == case.title
    assert _fits_the_phone(page)
    assert_accessible(page)

    # Go in blind: the answers stay hidden, each behind its own button.
    today.get_by_role("button", name="Go in blind").click()
    status = page.locator(f"#style-status-{case.pk}")
    status.get_by_text("You are going in blind").wait_for()
    _settled(page)
    assert today.get_by_role("button", name="Go in blind").get_attribute("aria-pressed") == "true"
    assert page.get_by_text(first.answer).count() == 0
    assert page.get_by_text(second.answer).count() == 0
    reveal_first = page.locator(f"#reveal-{first.pk}")
    assert reveal_first.get_attribute("aria-expanded") == "false"
    assert reveal_first.get_attribute("aria-controls") == f"answer-{first.pk}"

    # Keyboard only: focus stayed on the pressed "Go in blind" button through the htmx
    # swap; Tab reaches the first answer's button, Enter reveals that one only.
    assert _focused_id(page) == f"style-blind-{case.pk}"
    page.keyboard.press("Tab")
    assert _focused_id(page) == f"reveal-{first.pk}"
    page.keyboard.press("Enter")
    page.locator(f"#answer-{first.pk}").get_by_text(first.answer).wait_for()
    _settled(page)
    assert reveal_first.get_attribute("aria-expanded") == "true"
    assert _focused_id(page) == f"reveal-{first.pk}"  # focus stays where the user was
    assert page.get_by_text(second.answer).count() == 0
    assert page.locator(f"#reveal-{second.pk}").get_attribute("aria-expanded") == "false"
    assert_accessible(page)

    # Mark the case reviewed together.
    reviewed = page.locator(f"#review-{case_week.pair.pk}-{case.pk}-reviewed")
    reviewed.click()
    page.locator(f"#review-{case_week.pair.pk}-{case.pk} .badge").get_by_text(
        "Reviewed together"
    ).wait_for()
    _settled(page)
    assert reviewed.get_attribute("aria-pressed") == "true"

    assert CaseLearningStyle.objects.get(junior=junior, case=case).style == "blind"
    assert list(AnswerReveal.objects.filter(junior=junior).values_list("question", flat=True)) == [
        first.pk
    ]
    assert CaseReview.objects.get(pair=case_week.pair, case=case).status == "reviewed"

    # The case page remembers it all, and passes axe on the phone too.
    page.goto(live_server.url + reverse("case", args=[program.slug, case.pk]))
    assert page.get_by_role("heading", level=1).inner_text() == case.title
    assert page.get_by_text(first.answer).count() == 1
    assert page.get_by_text(second.answer).count() == 0
    assert _fits_the_phone(page)
    assert_accessible(page)


def test_the_senior_sees_every_answer_and_the_pages_pass_axe(
    signed_in, live_server, program, case_week, senior
):
    case = _todays_case(case_week)
    page = signed_in(senior, viewport=PHONE)
    page.goto(live_server.url + reverse("workspace", args=[program.slug]))
    assert "Jo Junior" in page.locator("#pair-heading + ul").inner_text()
    for question in case.questions.all():
        assert page.get_by_text(question.answer).count() == 1
    assert page.get_by_role("button", name="Go in blind").count() == 0
    assert _fits_the_phone(page)
    assert_accessible(page)

    # Skipping is one tap, and shown neutrally.
    page.locator(f"#review-{case_week.pair.pk}-{case.pk}-skipped").click()
    label = page.locator(f"#review-{case_week.pair.pk}-{case.pk} .badge")
    label.get_by_text("Skipped").wait_for()
    _settled(page)
    assert label.get_attribute("class") == "badge"
    assert_accessible(page)

    page.goto(live_server.url + reverse("case", args=[program.slug, case_week.cases[0].pk]))
    assert page.get_by_role("heading", level=1).inner_text() == case_week.cases[0].title
    assert _fits_the_phone(page)
    assert_accessible(page)


@pytest.mark.parametrize("person_name", ["director", "faculty"])
def test_the_program_page_passes_axe_on_a_phone(
    signed_in, live_server, program, case_week, request, person_name
):
    page = signed_in(request.getfixturevalue(person_name), viewport=PHONE)
    page.goto(live_server.url + reverse("program-detail", args=[program.slug]))
    assert page.get_by_role("heading", level=1).inner_text() == program.name
    assert page.get_by_text("shown when the week is over").count() == 1
    assert_accessible(page)
