"""On a phone, a director copies the library survey, rewords an item, adds a Likert item
and a scale; every editor page fits the screen and is axe-clean."""

import pytest
from django.urls import reverse

from medmentor.surveys.models import Instrument
from tests.browser.conftest import PHONE, assert_accessible
from tests.surveys.conftest import make_survey

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_passwords")]

LABELS = ["Never", "Rarely", "Sometimes", "Often", "Always"]


def _fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_director_copies_the_library_survey_and_edits_it_on_a_phone(
    signed_in, live_server, program, director
):
    page = signed_in(director, viewport=PHONE)
    page.goto(reverse("survey-list", kwargs={"slug": program.slug}))
    page.get_by_role("button", name="Copy “Reverse mentoring: before and after”").click()
    # The copy opens in the editor.
    page.get_by_role("heading", name="Edit “Reverse mentoring: before and after”").wait_for()
    survey = Instrument.objects.get()
    assert "Your answers are stored without your name or any code." in page.content()
    assert _fits_the_phone(page)
    assert_accessible(page)

    # Reword the first item.
    page.get_by_role("link", name="Edit conf_1").click()
    question = page.get_by_label("Question")
    question.fill("How confident are you giving feedback on a senior's teaching?")
    assert not page.get_by_label("Point 1 (lowest)").is_visible()  # a number item
    assert _fits_the_phone(page)
    assert_accessible(page)
    page.get_by_role("button", name="Save the item").click()
    page.get_by_text("Saved the item “conf_1”.").wait_for()
    assert survey.items.get(key="conf_1").text.endswith("on a senior's teaching?")

    # Add a five-point Likert item with a label per point.
    page.get_by_role("link", name="Add an item").click()
    page.get_by_label("Question").fill("I ask juniors for feedback.")
    page.get_by_label("Kind of answer").select_option("likert")
    page.get_by_label("5 points").check()
    assert not page.get_by_label("Point 6").is_visible()
    assert not page.get_by_label("Highest number").is_visible()
    page.get_by_label("Variable name").fill("ask_feedback")
    page.get_by_label("Page", exact=True).fill("2")
    for number, label in enumerate(LABELS, start=1):
        page.locator(f"#id_anchor_{number}").fill(label)
    assert _fits_the_phone(page)
    assert_accessible(page)
    page.get_by_role("button", name="Add the item").click()
    page.get_by_text("Added the item “ask_feedback”.").wait_for()
    item = survey.items.get(key="ask_feedback")
    assert (item.kind, item.points, item.anchors, item.page) == ("likert", 5, LABELS, 2)

    # A scale of the two Likert items of page two, scored 0–4.
    page.get_by_role("link", name="Add a scale").click()
    page.get_by_label("Name").fill("Feedback culture")
    page.get_by_label("Lowest item score").fill("0")
    page.get_by_label("Highest item score").fill("4")
    page.get_by_label("Offset").fill("-1")
    page.get_by_label("In the scale: role_understanding").check()
    page.get_by_label("In the scale: ask_feedback").check()
    assert _fits_the_phone(page)
    assert_accessible(page)
    page.get_by_role("button", name="Add the scale").click()
    added = "Added the scale “Feedback culture”: 2 items scored 0–4: scores 0–8."
    page.get_by_text(added).wait_for()
    assert survey.scales.get(name="Feedback culture").scale_items.count() == 2
    assert _fits_the_phone(page)
    assert_accessible(page)


def test_refusals_are_marked_on_their_fields_and_axe_clean(
    signed_in, live_server, program, director
):
    survey = make_survey(program)
    page = signed_in(director, viewport=PHONE)
    page.goto(
        reverse("survey-editor-item-add", kwargs={"slug": program.slug, "instrument_id": survey.pk})
    )
    page.get_by_label("Question").fill("Which?")
    page.get_by_label("Kind of answer").select_option("single")
    page.get_by_label("Variable name").fill("conf_1")
    page.get_by_label("Choices").fill("1, Yes\nno code")
    page.get_by_role("button", name="Add the item").click()
    page.get_by_role("alert").wait_for()
    assert "Line 2 (“no code”) needs a code, a comma and a label" in page.content()
    assert page.get_by_label("Choices").get_attribute("aria-invalid") == "true"
    assert _fits_the_phone(page)
    assert_accessible(page)

    wave = survey.waves.get(kind="post")
    page.goto(reverse("survey-editor", kwargs={"slug": program.slug, "instrument_id": survey.pk}))
    form = page.locator(f"form:has(#wave-{wave.pk})")
    form.get_by_label("First day").fill("2026-12-05")
    form.get_by_label("Last day").fill("2026-12-03")
    form.get_by_role("button", name="Save days of the post wave").click()
    page.get_by_text("A wave must close after it opens").wait_for()
    assert_accessible(page)
