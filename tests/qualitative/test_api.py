"""The qualitative API: the pages' permissions, blind coding, and clear 4xx for bad
highlights (out of range, another program's document or code, under review)."""

import pytest

from medmentor.programs.models import Enrollment, Role
from medmentor.qualitative import services
from medmentor.qualitative.models import Highlight
from tests.conftest import sign_in
from tests.qualitative.conftest import ZOOM_VTT

pytestmark = pytest.mark.usefixtures("fast_passwords")


def _base(program):
    return f"/api/programs/{program.slug}/qualitative"


@pytest.fixture
def code(program, researcher):
    return services.code_create(program=program, by=researcher, name="safe space")


def test_a_researcher_reads_documents_turns_and_codes(
    client, program, researcher, focus_group, code
):
    sign_in(client, researcher)
    listing = client.get(f"{_base(program)}/documents").json()
    assert listing["count"] == 1 and listing["items"][0]["status"] == "codable"
    detail = client.get(f"{_base(program)}/documents/{focus_group.pk}").json()
    assert detail["attributes"] == {"wave": "1", "role": "R1"}
    turn = detail["turns"][1]
    assert turn["speaker"] == "Resident 1" and turn["starts_at_ms"] == 6000
    assert detail["text"][turn["start"] : turn["end"]].startswith("I liked going in blind.")
    codes = client.get(f"{_base(program)}/codes").json()["items"]
    assert [c["name"] for c in codes] == ["safe space"]


def test_highlights_are_created_blind_and_agreement_reads_them(
    client, program, researcher, second_coder, focus_group, code
):
    sign_in(client, researcher)
    turn = focus_group.turns.get(index=1)
    url = f"{_base(program)}/documents/{focus_group.pk}/highlights"
    created = client.post(
        url,
        {"start": turn.start, "end": turn.end, "code_ids": [code.pk]},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert created.json()["text"].startswith("I liked going in blind.")
    services.highlight_create(
        document=focus_group, coder=second_coder, start=turn.start, end=turn.end, codes=[code]
    )
    assert client.get(url).json()["count"] == 1  # blind: only mine
    agreement = client.get(f"{_base(program)}/agreement").json()
    assert agreement["rows"] == [] and agreement["documents_blind"] == [focus_group.pk]
    services.comparison_open(document=focus_group, by=researcher)
    assert client.get(url).json()["count"] == 2
    agreement = client.get(f"{_base(program)}/agreement").json()
    assert agreement["unit"] == "turn"
    assert agreement["rows"][0]["percent_agreement"] == 1.0
    # Every turn counts: both coded turn 2 and nothing else, so kappa is 1, and its
    # interval (zero standard error) is not computable: null, not NaN nor "1 to 1".
    assert agreement["rows"][0]["kappa"] == 1.0
    assert agreement["rows"][0]["kappa_ci_low"] is None
    assert agreement["n_uncoded"] > 0 and agreement["n_uncoded_left_out"] == 0
    coded_only = client.get(f"{_base(program)}/agreement?leave_out_uncoded=true").json()
    assert coded_only["n_uncoded_left_out"] == agreement["n_uncoded"]
    assert coded_only["rows"][0]["kappa"] is None  # one category left: undefined, not NaN


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"start": 10, "end": 10**6}, "outside the document's text"),
        ({"start": -1, "end": 5}, "start (body)"),
        ({"start": 9, "end": 3}, "outside the document's text"),
        (
            {"start": 0, "end": 5, "code_ids": [999999]},
            "Code 999999 is not in this program's codebook",
        ),
        ({"start": 0, "end": 5, "code_ids": []}, "code_ids (body)"),
    ],
)
def test_bad_highlights_get_a_clear_422_and_nothing_is_written(
    client, program, researcher, focus_group, code, body, message
):
    sign_in(client, researcher)
    body = {"code_ids": [code.pk], **body}
    response = client.post(
        f"{_base(program)}/documents/{focus_group.pk}/highlights",
        body,
        content_type="application/json",
    )
    assert response.status_code == 422
    assert message in response.json()["detail"]
    assert not Highlight.objects.exists()


def test_a_document_the_coder_may_not_see_is_403_or_404(
    client, program, researcher, director, outsider, focus_group, code
):
    url = f"{_base(program)}/documents/{focus_group.pk}/highlights"
    body = {"start": 0, "end": 5, "code_ids": [code.pk]}
    sign_in(client, director)
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 403
    assert "researchers" in response.json()["detail"]
    # A researcher of another program asks for this document through their own program.
    other = outsider.enrollments.get().program
    Enrollment.objects.create(program=other, person=researcher, role=Role.RESEARCHER)
    sign_in(client, researcher)
    response = client.post(
        f"{_base(other)}/documents/{focus_group.pk}/highlights",
        body,
        content_type="application/json",
    )
    assert response.status_code == 404
    assert f"No document {focus_group.pk} in this program" in response.json()["detail"]
    sign_in(client, outsider)
    assert client.post(url, body, content_type="application/json").status_code == 404
    assert not Highlight.objects.exists()


def test_a_document_under_review_cannot_be_coded_through_the_api(
    client, program, roster, researcher, code
):
    document = services.document_import(
        program=program, by=researcher, file_name="a.vtt", content=ZOOM_VTT.encode()
    )
    sign_in(client, researcher)
    response = client.post(
        f"{_base(program)}/documents/{document.pk}/highlights",
        {"start": 0, "end": 5, "code_ids": [code.pk]},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "de-identification review" in response.json()["detail"]


def test_only_your_own_highlight_can_be_removed(
    client, program, researcher, second_coder, focus_group, code
):
    theirs = services.highlight_create(
        document=focus_group, coder=second_coder, start=0, end=5, codes=[code]
    )
    mine = services.highlight_create(
        document=focus_group, coder=researcher, start=0, end=5, codes=[code]
    )
    sign_in(client, researcher)
    base = f"{_base(program)}/documents/{focus_group.pk}/highlights"
    assert client.delete(f"{base}/{theirs.pk}").status_code == 404  # blind: not even visible
    services.comparison_open(document=focus_group, by=researcher)
    assert client.delete(f"{base}/{theirs.pk}").status_code == 403
    assert client.delete(f"{base}/{mine.pk}").status_code == 204
    assert list(Highlight.objects.all()) == [theirs]
