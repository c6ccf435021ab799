"""A researcher exchanges a REFI-QDA project in a real browser, on a phone: a file that
breaks the schema is refused with its line, a good one is checked then imported, and the
project downloads; every state of the page passes axe-core's WCAG 2.1 AA rules."""

import io
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

from medmentor.qualitative.models import Highlight
from tests.browser.conftest import PHONE, assert_accessible
from tests.qualitative.test_refi_qda import qde, qdpx, tool_project

pytestmark = pytest.mark.browser

SCHEMA_BREAKING = qdpx(
    {
        "project.qde": qde(
            '<CodeBook><Codes><Code guid="d7aa29da-519b-4946-9b90-253b6db8fd0a" '
            'name="x" isCodable="maybe"/></Codes></CodeBook>'
        )
    }
)


def choose(page, name: str, content: bytes) -> None:
    page.get_by_label("REFI-QDA project (.qdpx) or codebook (.qdc)").set_input_files(
        files=[{"name": name, "mimeType": "application/octet-stream", "buffer": content}]
    )


def test_researcher_is_refused_a_broken_file_then_checks_imports_and_downloads(
    signed_in, live_server, program, researcher
):
    page = signed_in(researcher, viewport=PHONE)
    page.goto(live_server.url + reverse("qualitative-exchange", args=[program.slug]))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Exchange with NVivo")
    assert_accessible(page)

    choose(page, "from-nvivo.qdpx", SCHEMA_BREAKING)
    page.get_by_role("button", name="Import").click()
    problems = page.locator("#exchange-problems")
    problems.wait_for()
    assert "does not follow the REFI-QDA schema" in problems.inner_text()
    assert "line 6: Element 'Code', attribute 'isCodable'" in problems.inner_text()
    assert_accessible(page)
    assert not Highlight.objects.exists()

    choose(page, "from-atlas.qdpx", tool_project())
    page.get_by_role("button", name="Check only").click()
    check = page.locator("#exchange-check")
    check.wait_for()
    assert "1 document, 2 codes" in check.inner_text()
    assert_accessible(page)
    assert not Highlight.objects.exists()

    choose(page, "from-atlas.qdpx", tool_project())
    page.get_by_role("button", name="Import").click()
    page.get_by_text("Imported from-atlas.qdpx").wait_for()
    assert_accessible(page)
    highlight = Highlight.objects.get()
    assert highlight.document.text[highlight.start : highlight.end] == "José Núñez"

    with page.expect_download() as download:
        page.get_by_role("link", name="Project (.qdpx)").click()
    with zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes())) as archive:
        assert "project.qde" in archive.namelist()
