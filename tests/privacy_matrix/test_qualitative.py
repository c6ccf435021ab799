"""Qualitative analysis' privacy matrix (focus groups, interviews; medmentor.qualitative;
tests/privacy_matrix/README.md), on a codable document of the case-review program with
one highlight by the researcher and a code in a theme (case_review_world.py): what
people said is for the program's researchers only; the director and coordinators see
counts on the overview.

1. Status: every role gets the expected answer from every qualitative page, API row
   and action (REFI-QDA exchange included).
2. No leaks: the facts of this world (tests/test_privacy_matrix.py and
   test_mentoring.py) are flipped against these pages and API rows too.
"""

import pytest

from tests.privacy_matrix.case_review_world import (
    MAIN_ROLES,
    RESEARCHER_ONLY,
    ROLE_PEOPLE,
    ROLES,
    STAFF,
    api_operations,
    expect_of,
    make_matrix_rows,
    world_fixtures,
)
from tests.privacy_matrix.support import (
    Endpoint,
    assert_expected_answer,
    matrix,
    page,
    sign_in_as,
)

pytestmark = pytest.mark.usefixtures("fast_passwords")

__all__ = ["MAIN_ROLES", "make_matrix_rows"]  # with the rows below: a matrix (README.md)


def _qdoc(world):
    return world.qualitative.document.pk


PAGES = [
    Endpoint(
        "qualitative", page("qualitative"), expect_of(dict.fromkeys((*STAFF, "researcher"), 200))
    ),
    Endpoint("qualitative-import", page("qualitative-import"), RESEARCHER_ONLY),
    Endpoint(
        "qualitative-document",
        page("qualitative-document", document_id=_qdoc),
        RESEARCHER_ONLY,
    ),
    # The review of a codable document sends the researcher on to the coding page.
    Endpoint(
        "qualitative-review",
        page("qualitative-review", document_id=_qdoc),
        expect_of({"researcher": 302}),
    ),
    Endpoint(
        "qualitative-compare",
        page("qualitative-compare", document_id=_qdoc),
        RESEARCHER_ONLY,
    ),
    Endpoint("qualitative-codebook", page("qualitative-codebook"), RESEARCHER_ONLY),
    Endpoint(
        "qualitative-code",
        page("qualitative-code", code_id=lambda w: w.qualitative.code.pk),
        RESEARCHER_ONLY,
    ),
    Endpoint("qualitative-theme-add", page("qualitative-theme-add"), RESEARCHER_ONLY),
    Endpoint(
        "qualitative-theme",
        page("qualitative-theme", theme_id=lambda w: w.qualitative.theme.pk),
        RESEARCHER_ONLY,
    ),
    Endpoint("qualitative-agreement", page("qualitative-agreement"), RESEARCHER_ONLY),
    # Who codes what: planning the researchers' work, for the researchers only.
    Endpoint("qualitative-coders", page("qualitative-coders"), RESEARCHER_ONLY),
    Endpoint("qualitative-competencies", page("qualitative-competencies"), RESEARCHER_ONLY),
    Endpoint("qualitative-report", page("qualitative-report"), RESEARCHER_ONLY),
    Endpoint("qualitative-report-csv", page("qualitative-report-csv"), RESEARCHER_ONLY),
    Endpoint("qualitative-report-pdf", page("qualitative-report-pdf"), RESEARCHER_ONLY),
    # REFI-QDA exchange: focus-group content, the program's researchers only. The world
    # holds a code, so the codebook download answers 200.
    Endpoint("qualitative-exchange", page("qualitative-exchange"), RESEARCHER_ONLY),
    Endpoint("qualitative-qdpx-export", page("qualitative-qdpx-export"), RESEARCHER_ONLY),
    Endpoint("qualitative-qdc-export", page("qualitative-qdc-export"), RESEARCHER_ONLY),
]
RESEARCHER_WRITE = expect_of({"researcher": 302})
ACTIONS = [
    Endpoint(
        "qualitative keep originals",
        page("qualitative-settings"),
        expect_of({"director": 302}),
        method="post",
        data=lambda world: {"keep_originals": "yes"},
    ),
    Endpoint(
        "qualitative highlight",
        page("qualitative-highlight-add", document_id=_qdoc),
        RESEARCHER_WRITE,
        method="post",
        data=lambda world: {"start": 0, "end": 4, "codes": [world.qualitative.code.pk]},
    ),
    Endpoint(
        "qualitative highlight remove",
        page(
            "qualitative-highlight-remove",
            document_id=_qdoc,
            highlight_id=lambda w: w.qualitative.highlight.pk,
        ),
        RESEARCHER_WRITE,
        method="post",
    ),
    Endpoint(
        "qualitative review add",
        page("qualitative-review-add", document_id=_qdoc),
        RESEARCHER_WRITE,
        method="post",
        data=lambda world: {"words": "thing", "replacement": "x"},
    ),
    Endpoint(
        "qualitative open comparison",
        page("qualitative-compare", document_id=_qdoc),
        RESEARCHER_WRITE,
        method="post",
    ),
    Endpoint(
        "qualitative adjudicate",
        page("qualitative-adjudicate", document_id=_qdoc),
        RESEARCHER_WRITE,
        method="post",
    ),
    Endpoint(
        "qualitative document details",
        page("qualitative-document-update", document_id=_qdoc),
        RESEARCHER_WRITE,
        method="post",
        data=lambda world: {"title": "Answers", "kind": "open_answers", "attributes": "wave=1"},
    ),
    Endpoint(
        "qualitative document delete",
        page("qualitative-document-delete", document_id=_qdoc),
        RESEARCHER_WRITE,
        method="post",
        data=lambda world: {"confirm": world.qualitative.document.title},
    ),
    Endpoint(
        "qualitative coder assign",
        page("qualitative-coder-assignment"),
        RESEARCHER_WRITE,
        method="post",
        data=lambda world: {
            "document": world.qualitative.document.pk,
            "coder": world.qualitative.highlight.coder_id,
            "action": "assign",
        },
    ),
    Endpoint(
        "qualitative coding finish",
        page("qualitative-coding-finish", document_id=_qdoc),
        RESEARCHER_WRITE,
        method="post",
    ),
    Endpoint(
        "qualitative coding reopen",
        page("qualitative-coding-reopen", document_id=_qdoc),
        RESEARCHER_WRITE,
        method="post",
    ),
    Endpoint(
        "qualitative memo",
        page("qualitative-memo-add"),
        RESEARCHER_WRITE,
        method="post",
        data=lambda world: {"text": "A memo."},
    ),
]
# Writes whose forms live on the pages above, in ACTIONS above.
NOT_DATA_PAGES = {
    "qualitative-settings",
    "qualitative-highlight-add",
    "qualitative-highlight-remove",
    "qualitative-review-add",
    "qualitative-adjudicate",
    "qualitative-memo-add",
    "qualitative-document-update",
    "qualitative-document-delete",
    "qualitative-coder-assignment",
    "qualitative-coding-finish",
    "qualitative-coding-reopen",
}
QUALITATIVE_API = expect_of({"researcher": 200}, anonymous=401, outsider=404)


def _qapi(path: str):
    return lambda world: (
        f"/api/programs/{world.program.slug}/qualitative/"
        + path.format(document_id=world.qualitative.document.pk)
    )


API = [
    Endpoint(
        "api qualitative summary",
        _qapi("summary"),
        expect_of(dict.fromkeys((*STAFF, "researcher"), 200), anonymous=401, outsider=404),
    ),
    Endpoint("api qualitative documents", _qapi("documents"), QUALITATIVE_API),
    Endpoint("api qualitative document", _qapi("documents/{document_id}"), QUALITATIVE_API),
    Endpoint(
        "api qualitative highlights",
        _qapi("documents/{document_id}/highlights"),
        QUALITATIVE_API,
    ),
    Endpoint("api qualitative codes", _qapi("codes"), QUALITATIVE_API),
    Endpoint("api qualitative agreement", _qapi("agreement"), QUALITATIVE_API),
]
API_OPERATIONS = api_operations(API)
# Highlight writes: checked by tests/qualitative/test_api.py.
NOT_DATA_API = {
    ("post", "/api/programs/{slug}/qualitative/documents/{document_id}/highlights"),
    (
        "delete",
        "/api/programs/{slug}/qualitative/documents/{document_id}/highlights/{highlight_id}",
    ),
}


# The shared world's fixtures: `_rows` made once for the module, the people, `world`.
globals().update(world_fixtures())


@pytest.mark.parametrize(("endpoint", "role"), matrix(PAGES + API + ACTIONS, ROLES))
def test_each_role_gets_the_expected_answer(client, world, request, endpoint, role):
    sign_in_as(client, request, ROLE_PEOPLE, role)
    assert_expected_answer(endpoint.call(client, world), endpoint.expected[role])
