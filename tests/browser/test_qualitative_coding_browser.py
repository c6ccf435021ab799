"""A researcher reviews the de-identification and codes a transcript in a real browser on
a phone: a text selection and the keyboard (Tab to a sentence, Enter to the codes) both
become exact character positions; every page passes axe-core (WCAG 2.1 AA)."""

import pytest
from django.urls import reverse

from medmentor.qualitative import services
from medmentor.qualitative.models import Highlight
from tests.browser.conftest import PHONE, assert_accessible
from tests.qualitative.conftest import ZOOM_VTT, roster, second_coder  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_passwords")]

SELECT_WORDS = """([words]) => {
  // Select `words` inside the coding text as a person would with a mouse or a finger.
  const root = document.getElementById("document-text");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const at = node.textContent.indexOf(words);
    if (at >= 0) {
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + words.length);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      return true;
    }
  }
  return false;
}"""


def test_researcher_reviews_then_codes_by_selection_and_by_keyboard(
    signed_in,
    live_server,
    program,
    roster,  # noqa: F811 - the fixture imported above
    researcher,
    second_coder,  # noqa: F811 - the fixture imported above
):
    document = services.document_import(
        program=program, by=researcher, file_name="fg.vtt", content=ZOOM_VTT.encode(), title="FG 1"
    )
    code = services.code_create(program=program, by=researcher, name="Safe space")
    page = signed_in(researcher, viewport=PHONE)
    for name in ("qualitative", "qualitative-import"):
        page.goto(reverse(name, args=[program.slug]))
        assert_accessible(page)
    page.goto(reverse("qualitative-review", args=[program.slug, document.pk]))
    assert "Jo Junior" in page.locator("#replacements").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Finish the review").click()
    page.locator("#document-text").wait_for()
    document.refresh_from_db()
    assert document.status == "codable"
    assert_accessible(page)

    # A selection (mouse or touch) fills in its character positions.
    words = "It felt safe, nobody reported back."
    assert page.evaluate(SELECT_WORDS, [words])
    start = document.text.index(words)
    page.wait_for_function(f"document.getElementById('start').value === '{start}'")
    assert page.locator("#end").input_value() == str(start + len(words))
    page.get_by_label("Safe space").check()
    page.get_by_role("button", name="Apply codes").click()
    page.locator("#own-highlights").wait_for()
    highlight = Highlight.objects.get()
    assert document.text[highlight.start : highlight.end] == words

    # The keyboard: Tab from one sentence to the next, Enter jumps to the codes.
    first = page.locator(".unit").nth(0)
    first.focus()
    page.keyboard.press("Tab")
    second = page.locator(".unit").nth(1)
    expected = (second.get_attribute("data-start"), second.get_attribute("data-end"))
    assert (page.locator("#start").input_value(), page.locator("#end").input_value()) == expected
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.name") == "codes"
    page.keyboard.press("Space")
    page.get_by_role("button", name="Apply codes").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('#own-highlights li').length === 2")
    spans = sorted(Highlight.objects.values_list("start", "end"))
    assert (int(expected[0]), int(expected[1])) in spans
    assert all(code in h.codes.all() for h in Highlight.objects.all())

    # The comparison and agreement pages, once opened, are accessible too.
    services.highlight_create(
        document=document,
        coder=second_coder,
        start=highlight.start,
        end=highlight.end,
        codes=[code],
    )
    page.goto(reverse("qualitative-compare", args=[program.slug, document.pk]))
    page.get_by_role("button", name="Open the comparison").click()
    page.locator("#comparison").wait_for()
    assert_accessible(page)
    for name in (
        "qualitative-agreement",
        "qualitative-codebook",
        "qualitative-competencies",
        "qualitative-report",
    ):
        page.goto(reverse(name, args=[program.slug]))
        assert_accessible(page)
