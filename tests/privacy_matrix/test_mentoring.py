"""The one-to-one (mentoring) program's privacy matrix (tests/privacy_matrix/README.md):
matching, the pair's home (goals, profiles, the junior's photo), relationship health
(the private check) and the mentor's reflections.

The program is the case-review program's twin with the same people in the same roles
(case_review_world.py): the pair (junior, senior) is a mentorship here, the other pair
(peer, peer_senior) the other one.

1. Status: every role gets the expected answer from every page, API row and action.
2. No leaks: the pair's goal progress and the junior's bio, which side of the pair
   asked for help in the private check (and their note), and the words of the mentor's
   unshared reflection, each flipped, change no page or API answer of this world (of
   both programs) for anyone but their owners.
"""

import pytest

from medmentor.mentoring.models import Reflection
from medmentor.mentoring.services import (
    MATCHING_DEFAULT_WEIGHTS,
    goal_update,
    mentoring_profile_update,
    pair_check_answer,
)
from tests.privacy_matrix.case_review_world import (
    LEARNER_PAGE,
    LEARNERS,
    MAIN_ROLES,
    RESEARCHER_ONLY,
    ROLE_PEOPLE,
    ROLES,
    STAFF,
    STAFF_PAGE,
    PrivateFact,
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
    page,
    sign_in_as,
)

pytestmark = pytest.mark.usefixtures("fast_passwords")

__all__ = ["MAIN_ROLES", "make_matrix_rows"]  # with the rows below: a matrix (README.md)


def _matching(name: str, **kwargs):
    """A page of the one-to-one program."""
    return page(name, program="matching_program", **kwargs)


def _run(world):
    return world.matching_run.pk


PAGES = [
    Endpoint("matching", _matching("matching"), STAFF_PAGE),
    Endpoint("matching-run", _matching("matching-run", run_id=_run), STAFF_PAGE),
    # The publish confirmation: what publishing the draft does (its POST is in ACTIONS).
    Endpoint("matching-publish", _matching("matching-publish", run_id=_run), STAFF_PAGE),
    Endpoint("matching-profiles-import", _matching("matching-profiles-import"), STAFF_PAGE),
    Endpoint("matching-profiles-template", _matching("matching-profiles-template"), STAFF_PAGE),
    # Relationship health and reflections: staff see pairs and that a pair asked for
    # help; each side their own check; the mentor their reflections; the researchers a
    # count of shared ones.
    Endpoint("mentoring-health", _matching("mentoring-health"), STAFF_PAGE),
    Endpoint("mentoring-check", _matching("mentoring-check"), LEARNER_PAGE),
    Endpoint(
        "mentoring-reflections",
        _matching("mentoring-reflections"),
        expect_of({"senior": 200, "peer_senior": 200}),
    ),
    Endpoint(
        "mentoring-reflections-export", _matching("mentoring-reflections-export"), RESEARCHER_ONLY
    ),
]
API = [
    Endpoint(
        "api matching run",
        lambda world: (
            f"/api/programs/{world.matching_program.slug}/matching/runs/{world.matching_run.pk}"
        ),
        expect_of(dict.fromkeys(STAFF, 200), anonymous=401, outsider=404),
    ),
]
API_OPERATIONS = api_operations(API)
# API writes (the director's pair changes): no data shown, checked by the API's tests.
NOT_DATA_API = {
    ("post", "/api/programs/{slug}/matching/runs"),
    ("post", "/api/programs/{slug}/matching/runs/{run_id}/publish"),
}
ACTIONS = [
    # The director's matching actions: staff only.
    Endpoint(
        "matching run",
        _matching("matching"),
        expect_of(dict.fromkeys(STAFF, 302)),
        method="post",
        data=lambda world: {
            "objective": "stable",
            **{f"weight_{name}": "1" for name in MATCHING_DEFAULT_WEIGHTS},
            "min_level_gap": "2",
        },
    ),
    Endpoint(
        "matching lock",
        _matching("matching-pair-lock", run_id=_run, pair_id=lambda w: w.matching_pairs[0].pk),
        expect_of(dict.fromkeys(STAFF, 302)),
        method="post",
        data=lambda world: {"locked": "1"},
    ),
    Endpoint(
        "matching swap",
        _matching("matching-swap", run_id=_run),
        expect_of(dict.fromkeys(STAFF, 302)),
        method="post",
        data=lambda world: {
            "first": world.matching_pairs[0].pk,
            "second": world.matching_pairs[1].pk,
        },
    ),
    Endpoint(
        "matching publish",
        _matching("matching-publish", run_id=_run),
        expect_of(dict.fromkeys(STAFF, 302)),
        method="post",
        data=lambda world: {"confirm": "yes"},
    ),
    Endpoint(
        "matching conflict add",
        _matching("matching-conflict-add"),
        expect_of(dict.fromkeys(STAFF, 302)),
        method="post",
        data=lambda world: {
            "mentor": world.matching_pairs[0].mentor_id,
            "mentee": world.matching_pairs[1].mentee_id,
            "reason": "declared",
        },
    ),
    Endpoint(
        "matching conflict remove",
        _matching("matching-conflict-remove", conflict_id=lambda w: w.matching_conflict.pk),
        expect_of(dict.fromkeys(STAFF, 302)),
        method="post",
    ),
    # Relationship health: staff nudge, repair and send the check; each side answers
    # their own; the mentor shares their own reflection.
    Endpoint(
        "mentoring nudge",
        _matching("mentoring-nudge", mentorship_id=lambda w: w.mentorship.pk),
        expect_of(dict.fromkeys(STAFF, 302)),
        method="post",
    ),
    Endpoint(
        "mentoring repair",
        _matching("mentoring-repair", mentorship_id=lambda w: w.mentorship.pk),
        expect_of(dict.fromkeys(STAFF, 302)),
        method="post",
    ),
    Endpoint(
        "mentoring check send",
        _matching("mentoring-check-send"),
        expect_of(dict.fromkeys(STAFF, 302)),
        method="post",
    ),
    Endpoint(
        "mentoring check answer",
        _matching("mentoring-check"),
        expect_of({"junior": 302, **dict.fromkeys(("senior", "peer", "peer_senior"), 404)}),
        method="post",
        data=lambda world: {"check": world.junior_check.pk, "answer": "works"},
    ),
    Endpoint(
        "mentoring reflection consent",
        _matching("mentoring-reflection-consent", reflection_id=lambda w: w.reflection.pk),
        expect_of({"senior": 302, **dict.fromkeys(("junior", "peer", "peer_senior"), 404)}),
        method="post",
        data=lambda world: {"consent": "on"},
    ),
]


# The pair's home, on the pair (junior, senior): the pair sees it whole; staff see the
# pairs' overview (names and counts); another pair, faculty and researchers are told it
# does not exist (404) or, for the page itself, refused (403).
def _pair_goal(world):
    return world.pair_goal.pk


NOT_THE_PAIR = 404
PAGES += [
    Endpoint(
        "mentoring-pairs",
        _matching("mentoring-pairs"),
        expect_of(dict.fromkeys((*STAFF, *LEARNERS), 200)),
    ),
    Endpoint(
        "mentoring-profile", _matching("mentoring-profile"), expect_of(dict.fromkeys(LEARNERS, 200))
    ),
    # The junior's photo: the junior and their mentor only — not staff, not other pairs.
    Endpoint(
        "mentoring-photo",
        _matching("mentoring-photo", person_id=lambda w: w.junior.pk),
        expect_of(dict.fromkeys(("junior", "senior"), 200), denied=NOT_THE_PAIR, outsider=403),
    ),
]
ACTIONS += [
    Endpoint(
        "pair goal add",
        _matching("mentoring-goal-add", mentorship_id=lambda w: w.pair_goal.mentorship_id),
        expect_of(dict.fromkeys(("junior", "senior"), 302), denied=NOT_THE_PAIR, outsider=403),
        method="post",
        data=lambda world: {"title": "A new goal"},
    ),
    Endpoint(
        "pair goal progress",
        _matching("mentoring-goal-progress", goal_id=_pair_goal),
        expect_of(dict.fromkeys(("junior", "senior"), 302), denied=NOT_THE_PAIR, outsider=403),
        method="post",
        data=lambda world: {"status": "in_progress", "progress": "50"},
    ),
    Endpoint(
        "own mentoring profile",
        _matching("mentoring-profile"),
        expect_of(dict.fromkeys(LEARNERS, 302)),
        method="post",
        data=lambda world: {"bio": "Hello", "contact_preference": "Email"},
    ),
]
# Writes whose forms live on the pages above, in ACTIONS above.
NOT_DATA_PAGES = {
    "mentoring-goal-add",
    "mentoring-goal-progress",
    "matching-pair-lock",
    "matching-swap",
    "matching-conflict-add",
    "matching-conflict-remove",
    "mentoring-nudge",
    "mentoring-repair",
    "mentoring-check-send",
    "mentoring-reflection-consent",
}


# The shared world's fixtures: `_rows` made once for the module, the people, `world`.
globals().update(world_fixtures())


# --- 1. status --------------------------------------------------------------------------


@pytest.mark.parametrize(("endpoint", "role"), matrix(PAGES + API + ACTIONS, ROLES))
def test_each_role_gets_the_expected_answer(client, world, request, endpoint, role):
    sign_in_as(client, request, ROLE_PEOPLE, role)
    assert_expected_answer(endpoint.call(client, world), endpoint.expected[role])


# --- 2. no leaks -------------------------------------------------------------------------


def _pair_words(progress: int, bio: str):
    """The pair's own facts: a goal's progress (within one status, so even the counts
    by status stay the same) and the junior's bio and contact preference."""

    def apply(world):
        goal_update(goal=world.pair_goal, by=world.junior, status="in_progress", progress=progress)
        mentoring_profile_update(person=world.junior, bio=bio, contact_preference=bio)

    return apply


def _help_asked_by(side: str):
    """The pair asked for help in the private check, by `side`, with a note; the other
    side said it works. Staff may learn that the pair asked, never who nor what."""

    def apply(world):
        asking, fine = (
            (world.junior_check, world.senior_check)
            if side == "junior"
            else (world.senior_check, world.junior_check)
        )
        pair_check_answer(
            check=asking, by=asking.person, answer="help", note=f"Note of the {side}."
        )
        pair_check_answer(check=fine, by=fine.person, answer="works", note="")

    return apply


def _reflection_says(text: str):
    def apply(world):
        Reflection.objects.filter(pk=world.reflection.pk).update(text=text)

    return apply


FACTS = [
    PrivateFact(
        "pair's goal progress and bio",
        ("junior", "senior"),
        _pair_words(20, "From Duluth"),
        _pair_words(70, "From Bemidji"),
        shown_on=("mentoring-pairs",),
    ),
    PrivateFact(
        "which side asked for help and what they said",
        ("junior", "senior"),
        _help_asked_by("junior"),
        _help_asked_by("senior"),
        shown_on=("mentoring-check",),
    ),
    PrivateFact(
        "what a mentor's unshared reflection says",
        ("senior",),
        _reflection_says("I listened more than I talked."),
        _reflection_says("I talked more than I listened."),
        shown_on=("mentoring-reflections",),
    ),
]


@pytest.mark.parametrize("fact", FACTS, ids=lambda fact: fact.name)
@pytest.mark.parametrize("kind", ["pages", "api"])
def test_private_facts_never_reach_anyone_but_their_owners(client, world, request, fact, kind):
    assert_the_fact_reaches_only_its_owners(client, request, world, fact, kind)
