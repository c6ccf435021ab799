"""The researcher's exchange page: downloads that validate, an upload that imports all or
nothing with its problems shown, and no one but the program's researchers let in."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from medmentor.qualitative import refi_qda
from medmentor.qualitative.models import Code, Document, Highlight
from tests.conftest import sign_in
from tests.qualitative.test_refi_qda import tool_project
from tests.qualitative.test_refi_qda_exchange import coded_program, second_coder

pytestmark = pytest.mark.usefixtures("fast_passwords")

__all__ = ["coded_program", "second_coder"]  # fixtures shared with the service tests

PAGES = ("qualitative-exchange", "qualitative-qdpx-export", "qualitative-qdc-export")


def url(name, program):
    return reverse(name, kwargs={"slug": program.slug})


def upload(content: bytes, name: str = "project.qdpx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_the_researcher_downloads_a_project_that_validates(client, coded_program, researcher):
    sign_in(client, researcher)
    page = client.get(url("qualitative-exchange", coded_program))
    assert page.status_code == 200
    assert url("qualitative-qdpx-export", coded_program).encode() in page.content

    response = client.get(url("qualitative-qdpx-export", coded_program))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert 'filename="nm-must-see.qdpx"' in response["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        qde = etree.fromstring(archive.read("project.qde"))
    assert etree.XMLSchema(etree.parse(str(refi_qda.PROJECT_SCHEMA))).validate(qde)
    codebook = client.get(url("qualitative-qdc-export", coded_program))
    assert codebook.status_code == 200
    assert b"urn:QDA-XML:codebook:1.0" in codebook.content


def test_a_download_does_not_unblind_a_coder(client, coded_program, researcher, second_coder):
    def selections(person) -> set[tuple[str, str]]:
        sign_in(client, person)
        response = client.get(url("qualitative-qdpx-export", coded_program))
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            qde = etree.fromstring(archive.read("project.qde"))
        ns = {"q": refi_qda.PROJECT_NS}
        return {
            (selection.getparent().get("name"), selection.get("name"))
            for selection in qde.xpath("//q:PlainTextSelection", namespaces=ns)
        }

    # Nobody has opened a comparison: each coder's download holds their own coding only.
    assert selections(researcher) == {("Focus group 1 — Zoë", "nobody reported back")}
    assert selections(second_coder) == {
        ("Focus group 1 — Zoë", "— nobody reported back"),
        ("Interview A", "Fewer nights"),
    }
    focus = Document.objects.get(title="Focus group 1 — Zoë")
    focus.comparison_opened_at = timezone.now()
    focus.save()
    assert selections(researcher) == {
        ("Focus group 1 — Zoë", "nobody reported back"),
        ("Focus group 1 — Zoë", "— nobody reported back"),
        ("Focus group 1 — Zoë", "Teaching made me read more myself."),
    }


def test_a_codebook_download_without_codes_says_so(client, program, researcher):
    sign_in(client, researcher)
    response = client.get(url("qualitative-qdc-export", program), follow=True)
    assert "no codes yet" in response.content.decode()


def test_check_only_shows_what_would_be_written_and_writes_nothing(client, program, researcher):
    sign_in(client, researcher)
    response = client.post(
        url("qualitative-exchange", program), {"file": upload(tool_project()), "check": "1"}
    )
    assert response.status_code == 200
    assert "passed every check" in response.content.decode()
    assert "1 document, 2 codes" in response.content.decode()
    assert not Document.objects.filter(program=program).exists()


def test_an_upload_imports_and_tells_what_it_wrote(client, program, researcher):
    sign_in(client, researcher)
    response = client.post(
        url("qualitative-exchange", program), {"file": upload(tool_project())}, follow=True
    )
    assert response.status_code == 200
    assert "Imported project.qdpx: 1 document, 2 codes" in response.content.decode()
    highlight = Highlight.objects.get(document__program=program)
    assert highlight.document.text[highlight.start : highlight.end] == "José Núñez"


def test_a_bad_upload_shows_its_problems_and_changes_nothing(client, coded_program, researcher):
    sign_in(client, researcher)
    before = Code.objects.filter(program=coded_program).count()
    broken = tool_project(start=50, end=999)
    response = client.post(
        url("qualitative-exchange", coded_program), {"file": upload(broken), "replace": "on"}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Nothing was imported" in text and "the text has 66 characters" in text
    assert Code.objects.filter(program=coded_program).count() == before

    wrong = client.post(
        url("qualitative-exchange", coded_program), {"file": upload(b"x", "notes.docx")}
    )
    assert wrong.status_code == 400
    assert "“notes.docx” is not a .qdpx project or a .qdc codebook." in wrong.content.decode()


@pytest.mark.parametrize("role", ["director", "coordinator", "faculty", "junior", "outsider"])
def test_only_the_programs_researchers_may_exchange(client, request, program, role):
    sign_in(client, request.getfixturevalue(role))
    for name in PAGES:
        assert client.get(url(name, program)).status_code == 403, name
    refused = client.post(url("qualitative-exchange", program), {"file": upload(tool_project())})
    assert refused.status_code == 403
    assert not Document.objects.filter(program=program).exists()


def test_anonymous_visitors_go_to_sign_in(client, program):
    for name in PAGES:
        response = client.get(url(name, program))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("sign-in"))
