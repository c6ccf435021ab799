"""The surveys' privacy matrix (medmentor.surveys; tests/privacy_matrix/README.md), on
the case-review program's survey (case_review_world.py): response counts for the
dashboard roles; answers and exports for staff and researchers; never who answered
(privacy rule 2, tests/surveys); the editor and the invite for directors and
coordinators only.

1. Status: every role gets the expected answer from every survey page, API row and
   action.
2. No leaks: the facts of this world (tests/test_privacy_matrix.py and
   test_mentoring.py) are flipped against these pages and API rows too.
"""

import pytest

from tests.privacy_matrix.case_review_world import (
    DASHBOARD,
    MAIN_ROLES,
    ROLE_PEOPLE,
    ROLES,
    STAFF,
    STAFF_PAGE,
    STAFF_WRITE,
    api,
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


def _survey(world):
    return world.survey.pk


SURVEY_REPORT = expect_of(dict.fromkeys((*STAFF, "researcher"), 200))

PAGES = [
    Endpoint("survey-list", page("survey-list"), DASHBOARD),
    Endpoint("survey-report", page("survey-report", instrument_id=_survey), SURVEY_REPORT),
    Endpoint("survey-report-pdf", page("survey-report-pdf", instrument_id=_survey), SURVEY_REPORT),
    Endpoint(
        "survey-export",
        page("survey-export", instrument_id=_survey, kind="long"),
        SURVEY_REPORT,
    ),
    Endpoint("survey-redcap-import", page("survey-redcap-import"), STAFF_PAGE),
    # The invite page: how many people hold each role, never who.
    Endpoint(
        "survey-invite",
        page("survey-invite", instrument_id=_survey, wave_id=lambda w: w.survey_wave.pk),
        STAFF_PAGE,
    ),
]
SURVEY_OVERVIEW_API = expect_of(
    dict.fromkeys((*STAFF, "faculty", "researcher"), 200), anonymous=401, outsider=404
)
API = [
    Endpoint("api surveys", api("programs/{slug}/surveys"), SURVEY_OVERVIEW_API),
    Endpoint(
        "api survey",
        lambda world: f"/api/programs/{world.program.slug}/surveys/{world.survey.pk}",
        SURVEY_OVERVIEW_API,
    ),
    Endpoint(
        "api survey statistics",
        lambda world: f"/api/programs/{world.program.slug}/surveys/{world.survey.pk}/statistics",
        expect_of(dict.fromkeys((*STAFF, "researcher"), 200), anonymous=401, outsider=404),
    ),
]
API_OPERATIONS = api_operations(API)
NOT_DATA_API: set[tuple[str, str]] = set()
ACTIONS = [
    Endpoint(
        "survey invite",
        page("survey-invite", instrument_id=_survey, wave_id=lambda w: w.survey_wave.pk),
        STAFF_WRITE,
        method="post",
        data=lambda world: {"roles": ["junior", "senior"]},
    ),
    Endpoint(
        "survey library copy",
        page("survey-library-copy", key="reverse-mentoring"),
        STAFF_WRITE,
        method="post",
    ),
]


# --- The survey editor: directors and coordinators only (faculty and researchers read
# the surveys but do not change them).
def _editor(name: str, **kwargs):
    return page(f"survey-editor{name}", instrument_id=_survey, **kwargs)


def _survey_item(key: str):
    return lambda world: world.survey.items.get(key=key).pk


def _survey_scale(world):
    return world.survey.scales.first().pk


PAGES += [
    Endpoint("survey-editor", _editor(""), STAFF_PAGE),
    Endpoint("survey-editor-item-add", _editor("-item-add"), STAFF_PAGE),
    Endpoint("survey-editor-item", _editor("-item", item_id=_survey_item("conf_1")), STAFF_PAGE),
    Endpoint(
        "survey-editor-item-delete",
        _editor("-item-delete", item_id=_survey_item("thoughts")),
        STAFF_PAGE,
    ),
    Endpoint("survey-editor-scale-add", _editor("-scale-add"), STAFF_PAGE),
    Endpoint("survey-editor-scale", _editor("-scale", scale_id=_survey_scale), STAFF_PAGE),
    Endpoint(
        "survey-editor-scale-delete", _editor("-scale-delete", scale_id=_survey_scale), STAFF_PAGE
    ),
]
ACTIONS += [
    Endpoint(
        "survey editor settings",
        _editor(""),
        STAFF_WRITE,
        method="post",
        data=lambda world: {
            "title": "Renamed",
            "consent_text": "Consent.",
            "anonymity": "coded",
            "max_reminders": 1,
            "reminder_every_days": 7,
        },
    ),
    Endpoint("survey editor copy", _editor("-copy"), STAFF_WRITE, method="post"),
    Endpoint(
        "survey editor wave add",
        _editor("-wave-add"),
        STAFF_WRITE,
        method="post",
        data=lambda world: {
            "add-wave-kind": "follow_up",
            "add-wave-opens_on": "2027-06-01",
            "add-wave-closes_on": "2027-06-14",
        },
    ),
    Endpoint(
        "survey editor wave days",
        _editor("-wave", wave_id=lambda w: w.survey_wave.pk),
        STAFF_WRITE,
        method="post",
        data=lambda world: {
            f"wave-{world.survey_wave.pk}-opens_on": "2026-12-01",
            f"wave-{world.survey_wave.pk}-closes_on": "2026-12-21",
        },
    ),
    Endpoint(
        "survey editor item",
        _editor("-item", item_id=_survey_item("thoughts")),
        STAFF_WRITE,
        method="post",
        data=lambda world: {"text": "Thoughts?", "kind": "text", "key": "thoughts", "page": 3},
    ),
    Endpoint(
        "survey editor item move",
        _editor("-item-move", item_id=_survey_item("thoughts")),
        STAFF_WRITE,
        method="post",
        data=lambda world: {"direction": "up"},
    ),
    Endpoint(
        "survey editor item delete",
        _editor("-item-delete", item_id=_survey_item("thoughts")),
        STAFF_WRITE,
        method="post",
    ),
    Endpoint(
        "survey editor scale delete",
        _editor("-scale-delete", scale_id=_survey_scale),
        STAFF_WRITE,
        method="post",
    ),
]
# Writes whose forms live on the pages above (the invite page is in PAGES), in ACTIONS.
NOT_DATA_PAGES = {
    "survey-library-copy",
    "survey-editor-copy",
    "survey-editor-wave-add",
    "survey-editor-wave",
    "survey-editor-item-move",
}


# The shared world's fixtures: `_rows` made once for the module, the people, `world`.
globals().update(world_fixtures())


@pytest.mark.parametrize(("endpoint", "role"), matrix(PAGES + API + ACTIONS, ROLES))
def test_each_role_gets_the_expected_answer(client, world, request, endpoint, role):
    sign_in_as(client, request, ROLE_PEOPLE, role)
    assert_expected_answer(endpoint.call(client, world), endpoint.expected[role])
