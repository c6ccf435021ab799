"""Privacy rule 3 (docs/privacy.md), checked role × page for reverse mentoring.

1. Status: every role gets the expected answer from every reverse mentoring page and
   action.
2. No leaks: one fellow's feedback (its words and ratings) flipped must not change any
   page of anyone but that fellow — except, when at least 3 fellows gave feedback and
   it is released, the pooled feedback that the consultant and their fellow mentor
   read (the pooled page and the session's agenda). Below the threshold the fellow is
   the only owner. The consultant's "what will you change" note is the consultant's
   alone (not even their mentor's).

The owners of the feedback fact are therefore the fellow (their own form, their home)
and, released over >= 3 fellows, the consultant and the mentor; the supervising
consultant of that fellow (`other_consultant`), the director, the coordinator, the
facilitator and the other fellows are never owners.
"""

import datetime
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.utils import timezone

from medmentor.reverse import services
from medmentor.reverse.models import DomainAnswer
from tests.privacy_matrix.support import (
    SIGN_IN,
    Endpoint,
    assert_expected_answer,
    expect,
    leaks,
    matrix,
    module_fixtures,
    page,
    sign_in_as,
    snapshot,
)
from tests.reverse.world import answers, give_all, make_reverse_world, review_and_release

pytestmark = pytest.mark.usefixtures("fast_passwords")

# Role -> fixture name below. `mentor` mentors `consultant`; `fellow` mentors
# `other_consultant` and gives feedback on both; `peer_fellow` works with `consultant`
# only; `other_consultant` supervises `mentor` and `fellow`.
ROLE_PEOPLE = {
    "director": "director",
    "coordinator": "coordinator",
    "facilitator": "facilitator",
    "researcher": "researcher",
    "mentor": "mentor",
    "fellow": "fellow",
    "peer_fellow": "peer_fellow",
    "consultant": "consultant",
    "other_consultant": "other_consultant",
    "outsider": "outsider",
    "anonymous": None,
}
ROLES = list(ROLE_PEOPLE)
MAIN_ROLES = ("director", "consultant", "mentor", "fellow", "facilitator", "researcher")

STAFF = ("director", "coordinator")
FELLOWS = ("mentor", "fellow", "peer_fellow")
CONSULTANTS = ("consultant", "other_consultant")
LEARNERS = (*FELLOWS, *CONSULTANTS)


def _expect(allowed: dict, **kwargs):
    return expect(ROLES, allowed, **kwargs)


def _consultant(world):
    return world.consultant.pk


def _other_consultant(world):
    return world.other_consultant.pk


def _session(world):
    return world.session.pk


def _flagged_answer(world):
    return world.flagged_answer.pk


# A learner page of the consultant and their mentor: other learners are refused (403)
# or find nothing of theirs (404); staff are not learners (403).
PAIR_ONLY = _expect({"consultant": 200, "mentor": 200})
PAIR_ONLY_404 = _expect(
    {
        "consultant": 200,
        "mentor": 200,
        **dict.fromkeys(("fellow", "peer_fellow", "other_consultant"), 404),
    }
)

PAGES = [
    Endpoint(
        "reverse-home",
        page("reverse-home"),
        _expect(dict.fromkeys((*STAFF, "facilitator", *LEARNERS), 200)),
    ),
    Endpoint(
        "reverse-feedback",
        page("reverse-feedback", consultant_id=_consultant),
        _expect(dict.fromkeys(FELLOWS, 200)),
    ),
    Endpoint(
        "reverse-feedback (below the threshold)",
        page("reverse-feedback", consultant_id=_other_consultant),
        _expect({"mentor": 200, "fellow": 200, "peer_fellow": 404}),
    ),
    Endpoint(
        "reverse-group-feedback", page("reverse-group-feedback"), _expect({"facilitator": 200})
    ),
    Endpoint("reverse-review", page("reverse-review"), _expect({"facilitator": 200})),
    Endpoint("reverse-pooled", page("reverse-pooled", consultant_id=_consultant), PAIR_ONLY),
    Endpoint(
        "reverse-pooled (below the threshold)",
        page("reverse-pooled", consultant_id=_other_consultant),
        _expect({"other_consultant": 200, "fellow": 200}),
    ),
    Endpoint(
        "reverse-session-book",
        page("reverse-session-book", consultant_id=_consultant),
        PAIR_ONLY,
    ),
    Endpoint("reverse-session", page("reverse-session", session_id=_session), PAIR_ONLY_404),
    Endpoint(
        "reverse-report",
        page("reverse-report"),
        _expect(dict.fromkeys((*STAFF, "researcher"), 200)),
    ),
    Endpoint("reverse-setup", page("reverse-setup"), _expect(dict.fromkeys(STAFF, 200))),
]
API: list[Endpoint] = []  # reverse mentoring has no API operations yet
API_OPERATIONS: list[tuple[str, str]] = []
NOT_DATA_API: set[tuple[str, str]] = set()
# Every write is an action below; none is left out.
NOT_DATA_PAGES: set[str] = set()

ACTIONS = [
    Endpoint(
        "reverse-evaluation-setup",
        page("reverse-evaluation-setup"),
        _expect(dict.fromkeys(STAFF, 302)),
        method="post",
        data=lambda world: {"pre_opens_on": "2026-11-02", "post_opens_on": "2027-01-04"},
    ),
    Endpoint(
        "reverse-setup (add a working relationship)",
        page("reverse-setup"),
        _expect(dict.fromkeys(STAFF, 302)),
        method="post",
        data=lambda world: {
            "action": "relationship",
            "fellow": world.fellows[3].pk,
            "consultant": world.other_consultant.pk,
        },
    ),
    Endpoint(
        "reverse-consent",
        page("reverse-consent"),
        _expect(dict.fromkeys(CONSULTANTS, 302)),
        method="post",
    ),
    Endpoint(
        "reverse-feedback-withdraw",
        page("reverse-feedback-withdraw", consultant_id=_consultant),
        _expect(dict.fromkeys(FELLOWS, 302)),
        method="post",
    ),
    Endpoint(
        "reverse-review-answer",
        page("reverse-review-answer", answer_id=_flagged_answer),
        _expect({"facilitator": 302}),
        method="post",
        data=lambda world: {"shown_text": "Reviewed words."},
    ),
    Endpoint(
        "reverse-release",
        page("reverse-release", consultant_id=_consultant),
        _expect(dict.fromkeys((*STAFF, "facilitator"), 302)),
        method="post",
    ),
    Endpoint(
        "reverse-session-log",
        page("reverse-session-log", session_id=_session),
        _expect(
            {
                "consultant": 302,
                "mentor": 302,
                **dict.fromkeys(("fellow", "peer_fellow", "other_consultant"), 404),
            }
        ),
        method="post",
        data=lambda world: {"minutes": "50"},
    ),
    Endpoint(
        "reverse-session-note",
        page("reverse-session-note", session_id=_session),
        _expect({"consultant": 302, "other_consultant": 404}),
        method="post",
        data=lambda world: {"text": "Ask more."},
    ),
]


def make_matrix_rows() -> SimpleNamespace:
    """The people (by role name) and the world: feedback on `consultant` from all four
    fellows, released; on `other_consultant` from two (below the threshold); one
    flagged text waiting for review; a logged session of `consultant` and `mentor`
    with the consultant's note."""
    world = make_reverse_world()
    fellow, peer_fellow = world.fellows[1], world.fellows[2]
    give_all(world)
    review_and_release(world)
    give_all(world, fellows=world.fellows[:2], consultant=world.other_consultant)
    # fellows[3] names a colleague: held for the facilitator's review.
    services.feedback_give(
        program=world.program,
        consultant=world.consultant,
        answers=answers("Ask Ben Lowry how it went."),
        by=world.fellows[3],
    )
    world.flagged_answer = DomainAnswer.objects.get(needs_review=True, reviewed_at__isnull=True)
    starts_at = timezone.now() - datetime.timedelta(days=2)
    world.session = services.session_book(
        program=world.program,
        consultant=world.consultant,
        starts_at=starts_at,
        by=world.consultant,
        now=starts_at - datetime.timedelta(days=1),
    )
    services.session_log(session=world.session, minutes=45, by=world.mentor)
    services.change_note_save(session=world.session, text="Leave time.", by=world.consultant)
    people = {
        "director": world.director,
        "coordinator": world.coordinator,
        "facilitator": world.facilitator,
        "researcher": world.researcher,
        "mentor": world.mentor,
        "fellow": fellow,
        "peer_fellow": peer_fellow,
        "consultant": world.consultant,
        "other_consultant": world.other_consultant,
        "outsider": world.outsider,
        "program": world.program,
    }
    return SimpleNamespace(people=people, world=world)


# The module's fixtures: `_rows` made once, the people by role, `world`.
globals().update(module_fixtures(make_matrix_rows, ROLE_PEOPLE.values()))


# --- 1. status ---------------------------------------------------------------------------


@pytest.mark.parametrize(("endpoint", "role"), matrix(PAGES + ACTIONS, ROLES))
def test_each_role_gets_the_expected_answer(client, world, request, endpoint, role):
    sign_in_as(client, request, ROLE_PEOPLE, role)
    assert_expected_answer(endpoint.call(client, world), endpoint.expected[role])


def test_anonymous_visitors_are_sent_to_sign_in_everywhere():
    assert all(e.expected["anonymous"] == SIGN_IN for e in PAGES + ACTIONS)


# --- 2. no leaks -------------------------------------------------------------------------


def _feedback_of_fellow(consultant_attr: str, text: str, rating: int):
    """`fellow` (fellows[1]) gives these words and this rating on the consultant; plain
    words that need no review, so the change is live."""

    def apply(world):
        services.feedback_give(
            program=world.program,
            consultant=getattr(world, consultant_attr),
            answers=answers(text, rating=rating),
            by=world.fellows[1],
        )

    return apply


def _note_says(text: str):
    def apply(world):
        services.change_note_save(session=world.session, text=text, by=world.consultant)

    return apply


@dataclass(frozen=True)
class PrivateFact:
    name: str
    owners: tuple[str, ...]
    one_way: object
    other_way: object
    shown_on: tuple[tuple[str, str], ...]  # (owner, page) where it shows


FACTS = [
    PrivateFact(
        "one fellow's released feedback (>= 3 fellows)",
        ("fellow", "consultant", "mentor"),
        _feedback_of_fellow("consultant", "Always approachable on the ward.", 5),
        _feedback_of_fellow("consultant", "Rarely approachable after clinic.", 1),
        shown_on=(
            ("fellow", "reverse-feedback"),
            ("consultant", "reverse-pooled"),
            ("mentor", "reverse-pooled"),
            ("consultant", "reverse-session"),
        ),
    ),
    PrivateFact(
        "one fellow's feedback below the threshold",
        ("fellow",),
        _feedback_of_fellow("other_consultant", "Always approachable on the ward.", 5),
        _feedback_of_fellow("other_consultant", "Rarely approachable after clinic.", 1),
        shown_on=(("fellow", "reverse-feedback (below the threshold)"),),
    ),
    PrivateFact(
        "the consultant's what-will-you-change note",
        ("consultant",),
        _note_says("Leave ten minutes for questions."),
        _note_says("Try the electronic task list."),
        shown_on=(("consultant", "reverse-session"),),
    ),
]


@pytest.mark.parametrize("fact", FACTS, ids=lambda fact: fact.name)
def test_private_facts_never_reach_anyone_but_their_owners(client, world, request, fact):
    fact.one_way(world)
    before = snapshot(client, request, ROLE_PEOPLE, world, PAGES, ROLES)
    fact.other_way(world)
    after = snapshot(client, request, ROLE_PEOPLE, world, PAGES, ROLES)

    assert leaks(before, after, fact.owners) == []
    for owner, shown in fact.shown_on:
        assert before[(owner, shown)] != after[(owner, shown)], (owner, shown)


def test_below_the_threshold_the_consultant_sees_nothing_of_the_two_fellows(client, world, request):
    seen = snapshot(client, request, ROLE_PEOPLE, world, PAGES, ["other_consultant"])
    status, body = seen[("other_consultant", "reverse-pooled (below the threshold)")]
    assert status == 200 and "Nothing to read yet" in body
    assert "Approachable on the ward" not in body
