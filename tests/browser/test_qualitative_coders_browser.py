"""On a phone: the lead researcher assigns a second coder to a focus group on the Coders
page, the agreement page warns that the second coder has not finished, the second coder
marks their coding finished, and the warning is gone; every page passes axe-core
(WCAG 2.1 AA)."""

import pytest
from django.urls import reverse

from medmentor.qualitative import services
from medmentor.qualitative.models import CoderAssignment
from tests.browser.conftest import PHONE, assert_accessible
from tests.qualitative.conftest import (  # noqa: F401 - fixtures
    focus_group,
    roster,
    second_coder,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_passwords")]


def test_researcher_assigns_a_second_coder_who_finishes_and_the_warning_goes(
    signed_in,
    live_server,
    program,
    researcher,
    second_coder,  # noqa: F811 - the fixture imported above
    focus_group,  # noqa: F811 - the fixture imported above
):
    code = services.code_create(program=program, by=researcher, name="Safe space")
    turn = focus_group.turns.get(index=1)
    services.highlight_create(
        document=focus_group, coder=researcher, start=turn.start, end=turn.end, codes=[code]
    )
    services.coder_finish(document=focus_group, coder=researcher, by=researcher)

    lead = signed_in(researcher, viewport=PHONE)
    lead.goto(reverse("qualitative-coders", args=[program.slug]))
    assert_accessible(lead)
    lead.get_by_role("button", name="Assign Casey Coder to Focus group 1").click()
    lead.get_by_text("Casey Coder is assigned to “Focus group 1”.").wait_for()
    assert CoderAssignment.objects.filter(document=focus_group, coder=second_coder).exists()
    cell = lead.locator(f"#document-{focus_group.pk} td[data-coder='{second_coder.pk}']")
    assert "not started" in cell.inner_text()
    assert_accessible(lead)

    lead.get_by_role("link", name="Agreement").click()
    warning = lead.locator("#unfinished-coders")
    assert "Casey Coder has not finished" in warning.inner_text()
    assert_accessible(lead)

    coder = signed_in(second_coder, viewport=PHONE)
    coder.goto(reverse("qualitative-document", args=[program.slug, focus_group.pk]))
    coder.get_by_role("button", name="Mark my coding finished").click()
    coder.get_by_role("button", name="Reopen my coding").wait_for()
    assert_accessible(coder)
    assert CoderAssignment.objects.get(coder=second_coder).finished_at is not None

    lead.reload()
    assert lead.locator("#unfinished-coders").count() == 0
    lead.goto(reverse("qualitative-coders", args=[program.slug]))
    assert "finished on" in cell.inner_text()
    assert_accessible(lead)
