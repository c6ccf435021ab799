"""The Coders page (who codes which document, and how far they are), marking one's own
coding finished or reopening it, and the agreement page's warning about coders who are
not finished; refusals, and coding staying blind on the way."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from medmentor.qualitative import services
from medmentor.qualitative.models import CoderAssignment, Highlight
from tests.conftest import sign_in
from tests.qualitative.conftest import ZOOM_VTT

pytestmark = pytest.mark.usefixtures("fast_passwords")

CSRF = re.compile(rb'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


def _url(name, program, **kwargs):
    return reverse(name, kwargs={"slug": program.slug, **kwargs})


@pytest.fixture
def code(program, researcher):
    return services.code_create(program=program, by=researcher, name="safe space")


def _cell(content: bytes, document, coder) -> str:
    """The text of the Coders table cell of `coder` on `document`."""
    page = content.decode()
    row = page[page.index(f'id="document-{document.pk}"') :]
    row = row[: row.index("</tr>")]
    cell = row[row.index(f'data-coder="{coder.pk}"') :]
    return cell[: cell.index("</td>")]


def _assign(client, program, document, coder, action="assign"):
    return client.post(
        _url("qualitative-coder-assignment", program),
        {"document": document.pk, "coder": coder.pk, "action": action},
        follow=True,
    )


def test_a_researcher_assigns_and_unassigns_a_coder_who_has_not_started(
    client, program, researcher, second_coder, focus_group
):
    sign_in(client, researcher)
    page = client.get(_url("qualitative-coders", program))
    assert page.status_code == 200
    assert "not assigned" in _cell(page.content, focus_group, second_coder)

    response = _assign(client, program, focus_group, second_coder)
    assert "Casey Coder is assigned to “Focus group 1”." in response.content.decode()
    assignment = CoderAssignment.objects.get(document=focus_group, coder=second_coder)
    assert assignment.assigned_by == researcher and assignment.finished_at is None
    cell = _cell(response.content, focus_group, second_coder)
    assert "coding" in cell and "not started" in cell and "Unassign" in cell

    response = _assign(client, program, focus_group, second_coder, action="unassign")
    assert "no longer assigned" in response.content.decode()
    assert not CoderAssignment.objects.filter(coder=second_coder).exists()


def test_unassigning_a_coder_who_has_started_is_refused_and_changes_nothing(
    client, program, researcher, second_coder, focus_group, code
):
    turn = focus_group.turns.get(index=1)
    services.highlight_create(
        document=focus_group, coder=second_coder, start=turn.start, end=turn.end, codes=[code]
    )
    sign_in(client, researcher)
    response = _assign(client, program, focus_group, second_coder, action="unassign")
    assert "has already started coding “Focus group 1”" in response.content.decode()
    assert "orphaned" in response.content.decode()
    assert CoderAssignment.objects.filter(document=focus_group, coder=second_coder).exists()
    assert Highlight.objects.filter(coder=second_coder).count() == 1
    cell = _cell(response.content, focus_group, second_coder)
    assert "started" in cell and "not started" not in cell and "Unassign" not in cell


def test_only_researchers_of_the_program_are_assigned_and_only_to_reviewed_documents(
    program, researcher, junior, second_coder, roster
):
    under_review = services.document_import(
        program=program, by=researcher, file_name="fg.vtt", content=ZOOM_VTT.encode()
    )
    with pytest.raises(ValidationError, match="still under de-identification review"):
        services.coder_assign(document=under_review, coder=second_coder, by=researcher)
    with pytest.raises(ValidationError, match="is not a researcher of this program"):
        services.coder_assign(document=under_review, coder=junior, by=researcher)
    assert not CoderAssignment.objects.exists()


def test_the_coders_page_lists_only_documents_ready_to_code(
    client, program, researcher, focus_group
):
    under_review = services.document_import(
        program=program,
        by=researcher,
        file_name="fg.vtt",
        content=ZOOM_VTT.encode(),
        title="Still under review",
    )
    sign_in(client, researcher)
    content = client.get(_url("qualitative-coders", program)).content.decode()
    assert f'id="document-{focus_group.pk}"' in content
    assert f'id="document-{under_review.pk}"' not in content
    assert "Still under review" not in content


def test_a_post_naming_a_non_researcher_or_an_unknown_action_says_why(
    client, program, researcher, junior, second_coder, focus_group
):
    sign_in(client, researcher)
    response = _assign(client, program, focus_group, junior)
    assert "is not one of this program" in response.content.decode()
    response = _assign(client, program, focus_group, second_coder, action="promote")
    assert "“promote” is not an action" in response.content.decode()
    response = client.post(
        _url("qualitative-coder-assignment", program), {"document": "x"}, follow=True
    )
    assert "Choose a document and a coder" in response.content.decode()
    assert not CoderAssignment.objects.filter(coder__in=[junior, second_coder]).exists()


@pytest.mark.parametrize("role", ["director", "coordinator", "faculty", "junior", "senior"])
def test_the_coders_page_and_its_actions_are_refused_to_non_researchers(
    client, request, program, researcher, second_coder, focus_group, role
):
    services.coder_assign(document=focus_group, coder=second_coder, by=researcher)
    sign_in(client, request.getfixturevalue(role))
    assert client.get(_url("qualitative-coders", program)).status_code == 403
    response = client.post(
        _url("qualitative-coder-assignment", program),
        {"document": focus_group.pk, "coder": second_coder.pk, "action": "unassign"},
    )
    assert response.status_code == 403
    finish = client.post(_url("qualitative-coding-finish", program, document_id=focus_group.pk))
    assert finish.status_code == 403
    assert CoderAssignment.objects.get(coder=second_coder).finished_at is None


def test_the_coders_page_sends_anonymous_visitors_to_sign_in(client, program, focus_group):
    response = client.get(_url("qualitative-coders", program))
    assert response.status_code == 302 and response["Location"].startswith(reverse("sign-in"))


def test_a_coder_marks_their_coding_finished_and_reopens_it(
    client, program, researcher, second_coder, focus_group
):
    services.coder_assign(document=focus_group, coder=second_coder, by=researcher)
    sign_in(client, second_coder)
    document_url = _url("qualitative-document", program, document_id=focus_group.pk)
    assert b'id="finish-coding"' in client.get(document_url).content
    response = client.post(
        _url("qualitative-coding-finish", program, document_id=focus_group.pk), follow=True
    )
    assert "is marked finished" in response.content.decode()
    assert b'id="reopen-coding"' in response.content
    assert b'id="coding"' not in response.content  # nothing to apply codes with
    assert CoderAssignment.objects.get(coder=second_coder).finished_at is not None

    sign_in(client, researcher)
    cell = _cell(client.get(_url("qualitative-coders", program)).content, focus_group, second_coder)
    assert "finished on" in cell and "coding" not in cell

    sign_in(client, second_coder)
    response = client.post(
        _url("qualitative-coding-reopen", program, document_id=focus_group.pk), follow=True
    )
    assert "is open again" in response.content.decode()
    assert CoderAssignment.objects.get(coder=second_coder).finished_at is None
    assert b'id="coding"' in response.content


def test_finishing_or_reopening_someone_elses_coding_is_refused(
    program, researcher, second_coder, focus_group
):
    services.coder_assign(document=focus_group, coder=second_coder, by=researcher)
    with pytest.raises(PermissionDenied, match="Only the coder themself"):
        services.coder_finish(document=focus_group, coder=second_coder, by=researcher)
    assert CoderAssignment.objects.get(coder=second_coder).finished_at is None
    services.coder_finish(document=focus_group, coder=second_coder, by=second_coder)
    with pytest.raises(PermissionDenied, match="Only the coder themself"):
        services.coder_reopen(document=focus_group, coder=second_coder, by=researcher)
    assert CoderAssignment.objects.get(coder=second_coder).finished_at is not None


def test_a_coder_not_assigned_cannot_mark_a_document_finished(
    client, program, researcher, focus_group
):
    sign_in(client, researcher)
    response = client.post(
        _url("qualitative-coding-finish", program, document_id=focus_group.pk), follow=True
    )
    assert "You are not assigned to code “Focus group 1”." in response.content.decode()
    assert not CoderAssignment.objects.exists()


def test_finished_coding_cannot_change_until_reopened(
    client, program, researcher, focus_group, code
):
    turn = focus_group.turns.get(index=1)
    kept = services.highlight_create(
        document=focus_group, coder=researcher, start=turn.start, end=turn.end, codes=[code]
    )
    services.coder_finish(document=focus_group, coder=researcher, by=researcher)
    with pytest.raises(ValidationError, match="reopen it to change your highlights"):
        services.highlight_create(
            document=focus_group, coder=researcher, start=0, end=4, codes=[code]
        )
    sign_in(client, researcher)
    response = client.post(
        _url(
            "qualitative-highlight-remove",
            program,
            document_id=focus_group.pk,
            highlight_id=kept.pk,
        ),
        follow=True,
    )
    assert "reopen it to change your highlights" in response.content.decode()
    api = client.post(
        f"/api/programs/{program.slug}/qualitative/documents/{focus_group.pk}/highlights",
        {"start": 0, "end": 4, "code_ids": [code.pk]},
        content_type="application/json",
    )
    assert api.status_code == 422 and "reopen it" in api.content.decode()
    assert list(Highlight.objects.all()) == [kept]

    services.coder_reopen(document=focus_group, coder=researcher, by=researcher)
    services.highlight_delete(highlight=kept, by=researcher)
    assert not Highlight.objects.exists()


def test_the_agreement_page_warns_while_an_assigned_coder_is_not_finished(
    client, program, researcher, second_coder, focus_group, code
):
    turn = focus_group.turns.get(index=1)
    for coder in (researcher, second_coder):
        services.highlight_create(
            document=focus_group, coder=coder, start=turn.start, end=turn.end, codes=[code]
        )
    services.comparison_open(document=focus_group, by=researcher)
    services.coder_finish(document=focus_group, coder=researcher, by=researcher)
    sign_in(client, researcher)
    content = client.get(_url("qualitative-agreement", program)).content.decode()
    assert 'id="unfinished-coders"' in content
    warning = content[content.index('id="unfinished-coders"') :]
    warning = warning[: warning.index("</div>")]
    assert "Focus group 1" in warning and "Casey Coder has not finished" in warning
    assert "Rae Researcher" not in warning
    assert "100%" in content  # the agreement is still computed over what exists

    services.coder_finish(document=focus_group, coder=second_coder, by=second_coder)
    content = client.get(_url("qualitative-agreement", program)).content.decode()
    assert 'id="unfinished-coders"' not in content


def test_the_coders_page_shows_nothing_of_another_coders_highlights_before_the_comparison(
    client, program, researcher, second_coder, focus_group, code
):
    services.coder_assign(document=focus_group, coder=second_coder, by=researcher)
    turns = list(focus_group.turns.all())
    services.highlight_create(
        document=focus_group,
        coder=second_coder,
        start=turns[1].start,
        end=turns[1].end,
        codes=[code],
    )
    sign_in(client, researcher)

    def pages():
        names = [("qualitative-coders", {}), ("qualitative-agreement", {})]
        names.append(("qualitative-document", {"document_id": focus_group.pk}))
        return [
            CSRF.sub(b"\\1", client.get(_url(name, program, **kwargs)).content)
            for name, kwargs in names
        ]

    with_one = pages()
    for turn in turns[2:]:
        services.highlight_create(
            document=focus_group,
            coder=second_coder,
            start=turn.start,
            end=turn.end,
            codes=[code],
        )
    with_three = pages()
    # The same pages, whatever the other coder did beyond starting.
    assert with_one == with_three
    assert b'<mark class="hl"' not in with_three[2]  # the coding page shows none of theirs
    assert b"Casey Coder" not in with_three[2]
    assert "started" in _cell(with_three[0], focus_group, second_coder)
