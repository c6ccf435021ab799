"""The qualitative pages end to end with the test client: import, review, code, compare,
adjudicate, agreement, competency map, reports and CSV; bad input and access denied."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from medmentor.programs.models import Enrollment, Role
from medmentor.qualitative import services
from medmentor.qualitative.models import Document, Highlight
from tests.conftest import make_person, sign_in
from tests.qualitative.conftest import ZOOM_VTT

pytestmark = pytest.mark.usefixtures("fast_passwords")


def _url(name, program, **kwargs):
    return reverse(name, kwargs={"slug": program.slug, **kwargs})


def test_a_researcher_imports_reviews_codes_compares_and_reports(
    client, program, roster, researcher, second_coder
):
    sign_in(client, researcher)
    response = client.post(
        _url("qualitative-import", program),
        {
            "file": SimpleUploadedFile("fg.vtt", ZOOM_VTT.encode()),
            "title": "Focus group 1",
            "kind": "focus_group",
            "attributes": "wave=1, role=R1",
        },
    )
    document = Document.objects.get()
    assert response["Location"] == _url("qualitative-review", program, document_id=document.pk)
    review = client.get(response["Location"])
    assert b"Jo Junior" in review.content  # the review shows the original words
    assert b"Resident 1" in review.content
    # Before the review is finished nobody codes: the coding page sends back.
    assert client.get(_url("qualitative-document", program, document_id=document.pk))[
        "Location"
    ].endswith("/review/")
    decisions = {f"decision-{row.pk}": "accepted" for row in document.replacements.all()}
    response = client.post(response["Location"], decisions)
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == "codable"

    code = services.code_create(program=program, by=researcher, name="safe space")
    page = client.get(_url("qualitative-document", program, document_id=document.pk))
    assert page.status_code == 200
    assert b'class="unit" tabindex="0"' in page.content
    assert b"Jo Junior" not in page.content
    turn = document.turns.get(index=1)
    client.post(
        _url("qualitative-highlight-add", program, document_id=document.pk),
        {"start": turn.start, "end": turn.end, "codes": [code.pk]},
    )
    services.highlight_create(
        document=document, coder=second_coder, start=turn.start, end=turn.end, codes=[code]
    )
    page = client.get(_url("qualitative-document", program, document_id=document.pk))
    assert page.content.count(b'<mark class="hl"') >= 1
    assert b"Casey Coder" not in page.content  # blind

    assert (
        client.get(_url("qualitative-compare", program, document_id=document.pk)).status_code == 200
    )
    client.post(_url("qualitative-compare", program, document_id=document.pk))
    compare = client.get(_url("qualitative-compare", program, document_id=document.pk))
    assert b"Casey Coder" in compare.content and b"Cohen's kappa" in compare.content
    client.post(
        _url("qualitative-adjudicate", program, document_id=document.pk),
        {"agree": [f"{turn.start}-{turn.end}-{code.pk}"]},
    )
    assert Highlight.objects.filter(is_agreed=True).count() == 1

    agreement = client.get(_url("qualitative-agreement", program))
    assert b"Speaker turns" in agreement.content and b"100%" in agreement.content

    theme = services.theme_save(program=program, by=researcher, name="Belonging", codes=[code])
    services.competencies_set(
        program=program, by=researcher, theme=theme, competencies=["professionalism"]
    )
    matrix = client.get(_url("qualitative-competencies", program))
    assert b"Professionalism" in matrix.content and b"1</strong> segment" in matrix.content
    report = client.get(_url("qualitative-report", program) + "?attribute=role")
    assert b"R1" in report.content
    csv = client.get(_url("qualitative-report-csv", program) + "?table=frequencies")
    assert csv.content.decode().splitlines() == ["document,safe space", "Focus group 1,1"]
    assert client.get(_url("qualitative-report-csv", program) + "?table=nope").status_code == 400


def test_a_broken_upload_says_why_and_writes_nothing(client, program, researcher):
    sign_in(client, researcher)
    response = client.post(
        _url("qualitative-import", program),
        {"file": SimpleUploadedFile("fg.docx", b"not a docx"), "kind": "interview"},
    )
    assert response.status_code == 200
    assert "fg.docx is not a Word document" in response.content.decode()
    response = client.post(
        _url("qualitative-import", program),
        {"file": SimpleUploadedFile("fg.vtt", b"hello"), "attributes": "wave"},
    )
    assert "needs the form name=value" in response.content.decode()
    assert not Document.objects.exists()


def test_an_out_of_range_selection_on_the_page_says_why(client, program, researcher, focus_group):
    code = services.code_create(program=program, by=researcher, name="x")
    sign_in(client, researcher)
    url = _url("qualitative-highlight-add", program, document_id=focus_group.pk)
    response = client.post(url, {"start": 5, "end": 10**6, "codes": [code.pk]}, follow=True)
    assert "outside the document&#x27;s text" in response.content.decode()
    response = client.post(url, {"start": "", "end": "", "codes": [code.pk]}, follow=True)
    assert "Select some text first" in response.content.decode()
    assert not Highlight.objects.exists()


def test_the_director_sees_counts_but_no_words(client, program, director, researcher, focus_group):
    sign_in(client, director)
    overview = client.get(_url("qualitative", program))
    assert overview.status_code == 200
    assert b"1 document" in overview.content
    assert focus_group.title.encode() not in overview.content
    assert (
        client.get(_url("qualitative-document", program, document_id=focus_group.pk)).status_code
        == 403
    )
    client.post(_url("qualitative-settings", program), {"keep_originals": "yes"})
    assert program.qualitative_settings.keep_originals


@pytest.mark.parametrize("who", ["faculty", "senior", "junior", "outsider"])
def test_access_is_denied_to_everyone_but_researchers_and_staff(
    client, request, program, who, focus_group
):
    sign_in(client, request.getfixturevalue(who))
    assert client.get(_url("qualitative", program)).status_code == 403
    assert (
        client.get(_url("qualitative-document", program, document_id=focus_group.pk)).status_code
        == 403
    )


def test_another_programs_document_is_not_found(client, program, researcher, outsider, focus_group):
    from medmentor.programs.models import Enrollment, Role

    other = outsider.enrollments.get().program
    Enrollment.objects.create(program=other, person=researcher, role=Role.RESEARCHER)
    sign_in(client, researcher)
    assert (
        client.get(_url("qualitative-document", other, document_id=focus_group.pk)).status_code
        == 404
    )


def test_the_review_decides_once_for_words_that_occur_many_times(
    client, program, roster, researcher
):
    content = b"P1: Jo Junior helped. jo junior again.\nP2: And Jo Junior once more."
    document = services.document_import(
        program=program, by=researcher, file_name="a.txt", content=content
    )
    assert document.replacements.count() == 3
    sign_in(client, researcher)
    url = _url("qualitative-review", program, document_id=document.pk)
    page = client.get(url).content.decode()
    assert page.count('id="replacement-') == 1 and "3 times" in page
    first = document.replacements.order_by("start").first()
    client.post(url, {f"decision-{first.pk}": "corrected", f"correction-{first.pk}": "R-A"})
    document.refresh_from_db()
    assert document.text == "P1: R-A helped. R-A again.\nP2: And R-A once more."


def test_the_report_downloads_as_a_pdf(client, program, researcher, focus_group):
    code = services.code_create(program=program, by=researcher, name="safe space")
    services.theme_save(program=program, by=researcher, name="Belonging", codes=[code])
    turn = focus_group.turns.get(index=1)
    services.highlight_create(
        document=focus_group, coder=researcher, start=turn.start, end=turn.end, codes=[code]
    )
    sign_in(client, researcher)
    first = client.get(_url("qualitative-report-pdf", program))
    assert first["Content-Type"] == "application/pdf"
    assert first.content.startswith(b"%PDF-")
    assert client.get(_url("qualitative-report-pdf", program)).content == first.content


def test_a_researcher_edits_a_documents_attributes(client, program, researcher, focus_group):
    sign_in(client, researcher)
    url = _url("qualitative-document-update", program, document_id=focus_group.pk)
    client.post(url, {"title": "FG 1", "kind": "interview", "attributes": "wave=2, site=South"})
    focus_group.refresh_from_db()
    assert (focus_group.title, focus_group.kind) == ("FG 1", "interview")
    assert focus_group.attributes == {"wave": "2", "site": "South"}
    response = client.post(
        url, {"title": "FG 1", "kind": "interview", "attributes": "oops"}, follow=True
    )
    assert "needs the form name=value" in response.content.decode()
    focus_group.refresh_from_db()
    assert focus_group.attributes == {"wave": "2", "site": "South"}


def test_a_document_is_deleted_only_when_its_title_is_typed(
    client, program, researcher, focus_group
):
    code = services.code_create(program=program, by=researcher, name="x")
    services.highlight_create(document=focus_group, coder=researcher, start=0, end=5, codes=[code])
    sign_in(client, researcher)
    url = _url("qualitative-document-delete", program, document_id=focus_group.pk)
    response = client.post(url, {"confirm": "something else"}, follow=True)
    assert "to confirm deleting it" in response.content.decode()
    assert Document.objects.exists()
    client.post(url, {"confirm": focus_group.title})
    assert not Document.objects.exists() and not Highlight.objects.exists()


def test_a_name_that_is_also_a_common_word_waits_for_the_researchers_decision(
    client, program, roster, researcher, institution
):
    grace = make_person("grace@lakeside.test", "Grace Bell", "R2", institution)
    Enrollment.objects.create(program=program, person=grace, role=Role.JUNIOR)
    content = b"P1: We rang the bell before rounds.\nP2: Grace Bell led them."
    document = services.document_import(
        program=program, by=researcher, file_name="a.txt", content=content
    )
    sign_in(client, researcher)
    url = _url("qualitative-review", program, document_id=document.pk)
    page = client.get(url).content.decode()
    bell = document.replacements.order_by("start").first()
    assert f'id="check-{bell.index}"' in page and "check: also a common word" in page
    assert f'name="decision-{bell.pk}" value="accepted" checked' not in page
    # Finishing without deciding it is refused in words; keeping it as written works.
    refused = client.post(url, {}).content.decode()
    assert "accept it, correct it or keep the words as written" in refused
    decisions = {f"decision-{row.pk}": "accepted" for row in document.replacements.all()}
    client.post(url, {**decisions, f"decision-{bell.pk}": "rejected"})
    document.refresh_from_db()
    assert document.text.startswith("P1: We rang the bell before rounds.")
    assert "Grace Bell" not in document.text
