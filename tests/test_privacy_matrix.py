"""Privacy rule 1 (docs/privacy.md), checked role × page for the case-review program.

Two kinds of checks:

1. Status: every role gets the expected answer from every page, action and API
   endpoint that shows the program's data (200, 302 after an action, 403, 404, or the
   sign-in page for anonymous visitors).
2. No leaks: for each private fact (the junior's learning style and revealed answers;
   the pair's reviewed/skipped marks), every page is fetched by every role that does
   not own the fact twice — once with the fact one way, once the other way — and the
   two responses must be identical. The owners' pages must differ, which shows the
   check can see a difference at all. "Every page" is every page of this world: the
   rows here and those of the matrices made on the same world (the one-to-one program
   of the same people, meetings, surveys, qualitative analysis, the people pages;
   tests/privacy_matrix/case_review_world.py).

The tests at the end fail when a program page or API operation is added without a
row here or in a matrix of tests/privacy_matrix/ (README.md there).
"""

import pytest
from django.urls import get_resolver

from medmentor.curriculum import services
from medmentor.curriculum.models import AnswerReveal, CaseLearningStyle, CaseReview
from tests.privacy_matrix.case_review_world import (
    DASHBOARD,
    LEARNER_PAGE,
    LEARNERS,
    MAIN_ROLES,
    ROLE_PEOPLE,
    ROLES,
    STAFF,
    STAFF_PAGE,
    PrivateFact,
    api,
    api_operations,
    assert_the_fact_reaches_only_its_owners,
    expect_of,
    make_matrix_rows,
    world_fixtures,
)
from tests.privacy_matrix.support import (
    Endpoint,
    assert_expected_answer,
    matrix,
    matrix_modules,
    page,
    sign_in_as,
)

pytestmark = pytest.mark.usefixtures("fast_passwords")

__all__ = ["MAIN_ROLES", "make_matrix_rows"]  # with the rows below: a matrix (README.md)


def _case(world):
    return world.case.pk


def _question(world):
    return world.case.questions.first().pk


PAGES = [
    # The pair's workspace and the case page (this part).
    Endpoint("workspace", page("workspace"), LEARNER_PAGE),
    Endpoint("case", page("case", case_id=_case), LEARNER_PAGE),
    # The director's program page: aggregates for faculty and researchers too.
    Endpoint("program-detail", page("program-detail"), DASHBOARD),
    # The director's and coordinator's pages of the other parts.
    Endpoint("roster-import", page("roster-import"), STAFF_PAGE),
    Endpoint("schedule-import", page("schedule-import"), STAFF_PAGE),
    Endpoint("program-weeks", page("program-weeks"), STAFF_PAGE),
    Endpoint("curriculum-overview", page("curriculum-overview"), STAFF_PAGE),
    Endpoint("curriculum-export", page("curriculum-export"), STAFF_PAGE),
    Endpoint("curriculum-import", page("curriculum-import"), STAFF_PAGE),
    # The curriculum editor: content only, never a learner's progress.
    Endpoint("curriculum-edit", page("curriculum-edit"), STAFF_PAGE),
    Endpoint("curriculum-week-add", page("curriculum-week-add"), STAFF_PAGE),
    Endpoint(
        "curriculum-week", page("curriculum-week", week_id=lambda w: w.case.week_id), STAFF_PAGE
    ),
    Endpoint(
        "curriculum-case-add",
        page("curriculum-case-add", week_id=lambda w: w.case.week_id),
        STAFF_PAGE,
    ),
    Endpoint("curriculum-case", page("curriculum-case", case_id=_case), STAFF_PAGE),
    # The program's holidays and closures, and the weeks they touch.
    Endpoint("program-calendar", page("program-calendar"), STAFF_PAGE),
    # The weekly email: the simple editor (the week's note), the template editor, its
    # preview rendered for the junior, and the outbox.
    Endpoint(
        "email-note",
        lambda world: page("email-note")(world) + f"?week={world.week.pk}",
        STAFF_PAGE,
    ),
    Endpoint(
        "email-template",
        lambda world: (
            page("email-template")(world) + f"?week={world.week.pk}&person={world.junior.pk}"
        ),
        STAFF_PAGE,
    ),
    Endpoint(
        "email-preview",
        page("email-preview"),
        STAFF_PAGE,
        method="post",
        data=lambda world: {
            "week": world.week.pk,
            "person": world.junior.pk,
            "subject": "This week",
            "text_body": "Hello",
            "html_body": "<p>Hello</p>",
        },
    ),
    Endpoint("outbox", page("outbox"), STAFF_PAGE),
    Endpoint("outbox-message", page("outbox-message", message_id=lambda w: w.email.pk), STAFF_PAGE),
]
API = [
    Endpoint("api me", api("me"), expect_of(dict.fromkeys(ROLES, 200), anonymous=401)),
    Endpoint(
        "api programs",
        api("programs"),
        expect_of(dict.fromkeys(ROLES, 200), anonymous=401),
    ),
    Endpoint(
        "api program",
        api("programs/{slug}"),
        expect_of(dict.fromkeys(ROLES, 200), anonymous=401, outsider=404),
    ),
    Endpoint(
        "api weeks",
        api("programs/{slug}/weeks"),
        expect_of(dict.fromkeys(ROLES, 200), anonymous=401, outsider=404),
    ),
    Endpoint(
        "api week pairs",
        api("programs/{slug}/weeks/{day}/pairs"),
        expect_of(dict.fromkeys((*STAFF, *LEARNERS), 200), anonymous=401, outsider=404),
    ),
    Endpoint(
        "api participation",
        api("programs/{slug}/participation"),
        expect_of(
            dict.fromkeys((*STAFF, "faculty", "researcher"), 200), anonymous=401, outsider=404
        ),
    ),
    Endpoint(
        "api week cases",
        api("programs/{slug}/weeks/{day}/cases"),
        expect_of(dict.fromkeys((*STAFF, *LEARNERS), 200), anonymous=401, outsider=404),
    ),
]
API_OPERATIONS = api_operations(API)
ACTIONS = [
    # The junior's own choices: any junior paired this week (junior, peer) for their own.
    Endpoint(
        "choose style",
        page("case-style", case_id=_case),
        expect_of({"junior": 302, "peer": 302}),
        method="post",
        data=lambda world: {"style": "blind"},
    ),
    Endpoint(
        "reveal answer",
        page("answer-reveal", question_id=_question),
        expect_of({"junior": 302, "peer": 302}),
        method="post",
    ),
    # The pair's mark: only the junior and the senior of that pair.
    Endpoint(
        "mark reviewed",
        page("case-review", case_id=_case),
        expect_of({"junior": 302, "senior": 302}),
        method="post",
        data=lambda world: {"pair": world.pair.pk, "status": "reviewed"},
    ),
    # The roster preview's column step (a POST on the import page): staff only; with no
    # preview waiting it saves nothing and sends them back to upload.
    Endpoint(
        "roster column step",
        page("roster-import"),
        expect_of(dict.fromkeys(STAFF, 302)),
        method="post",
        data=lambda world: {"action": "map", "slash_dates": "day-first"},
    ),
]
# Program pages that show no data: writes whose forms live on pages above (the three
# actions above are named for what they do, so their routes are named here too).
NOT_DATA_PAGES = {
    "case-style",
    "answer-reveal",
    "case-review",
    "pair-add",
    "pair-remove",
    "email-test",
    "outbox-retry",
    # curriculum editor writes: their forms are on the editor's pages above
    "curriculum-week-move",
    "curriculum-week-copy",
    "curriculum-week-remove",
    "curriculum-case-remove",
    "curriculum-image-add",
    "curriculum-image",
}
# API writes (the director's pair changes): no data shown, checked by the API's tests.
# The roster import: checked by tests/api/test_roster.py and the scenarios in
# tests/privacy_scenarios/test_roster_and_admin.py.
NOT_DATA_API = {
    ("post", "/api/programs/{slug}/weeks/{day}/pairs"),
    ("delete", "/api/programs/{slug}/weeks/{day}/pairs/{pair_id}"),
    ("post", "/api/programs/{slug}/roster"),
}


# The shared world's fixtures: `_rows` made once for the module, the people, `world`.
globals().update(world_fixtures())


# --- 1. status --------------------------------------------------------------------------


@pytest.mark.parametrize(("endpoint", "role"), matrix(PAGES + API + ACTIONS, ROLES))
def test_each_role_gets_the_expected_answer(client, world, request, endpoint, role):
    sign_in_as(client, request, ROLE_PEOPLE, role)
    assert_expected_answer(endpoint.call(client, world), endpoint.expected[role])


# --- 2. no leaks -------------------------------------------------------------------------


def _style_one_way(world):
    for case in world.cases:
        services.case_learning_style_choose(junior=world.junior, case=case, style="blind")
        services.answer_reveal(junior=world.junior, question=case.questions.first())


def _style_other_way(world):
    AnswerReveal.objects.filter(junior=world.junior).delete()
    for case in world.cases:
        services.case_learning_style_choose(junior=world.junior, case=case, style="read_first")
    assert not AnswerReveal.objects.exists()
    assert set(CaseLearningStyle.objects.values_list("style", flat=True)) == {"read_first"}


def _marks(status):
    def apply(world):
        for pair in world.junior_pairs:
            for case in world.cases:
                # Each as of its week (a past week's marks are frozen now; this is the
                # state it was left in).
                services.case_review_mark(
                    pair=pair,
                    case=case,
                    status=status,
                    by=world.junior,
                    today=pair.week.starts_on,
                )
        assert set(CaseReview.objects.values_list("status", flat=True)) == {status}

    return apply


FACTS = [
    PrivateFact("learning style and reveals", ("junior",), _style_one_way, _style_other_way),
    PrivateFact("reviewed or skipped", ("junior", "senior"), _marks("reviewed"), _marks("skipped")),
]


@pytest.mark.parametrize("fact", FACTS, ids=lambda fact: fact.name)
@pytest.mark.parametrize("kind", ["pages", "api"])
def test_private_facts_never_reach_anyone_but_their_owners(client, world, request, fact, kind):
    assert_the_fact_reaches_only_its_owners(client, request, world, fact, kind)


# --- 3. coverage --------------------------------------------------------------------------


def _route_names(patterns, prefix=""):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from _route_names(pattern.url_patterns, prefix + str(pattern.pattern))
        elif pattern.name:
            yield prefix + str(pattern.pattern), pattern.name


def test_every_program_page_is_in_the_matrix():
    covered = {endpoint.name for endpoint in PAGES} | NOT_DATA_PAGES
    for module in matrix_modules():
        covered |= {endpoint.name for endpoint in (*module.PAGES, *module.ACTIONS)}
        covered |= set(module.NOT_DATA_PAGES)
    program_routes = {
        name
        for route, name in _route_names(get_resolver().url_patterns)
        if route.startswith("programs/<slug:slug>/")
    }
    assert program_routes - covered == set()


def test_every_api_endpoint_is_in_the_matrix():
    from medmentor.api.api import api

    operations = {
        (method, path)
        for path, methods in api.get_openapi_schema()["paths"].items()
        for method in methods
    }
    covered = set(API_OPERATIONS) | NOT_DATA_API
    for module in matrix_modules():
        # A kind's module names its operations as they appear in the schema.
        covered |= set(module.API_OPERATIONS) | set(module.NOT_DATA_API)
    assert operations - covered == set()
