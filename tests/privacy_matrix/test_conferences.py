"""The peer-support conference's privacy matrix (tests/privacy_matrix/README.md).

1. Status: every role gets the expected answer from every conference page and action.
2. No leaks: who came to a session is a count on every page, never a list; who
   declined to tell a story is the facilitator's, the staff's and their own; one
   feedback answer changes nobody's page while fewer than five answered, and above
   that only the pooled figures of the report.

The roles: `facilitator` (a senior resident who runs the sessions), `storyteller` (a
junior resident asked to tell a story at the session ahead), `resident` and
`other_resident` (residents with no part), faculty, researcher, director,
coordinator, an outsider (another program's junior) and anonymous visitors.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from medmentor.conferences import services
from medmentor.conferences.models import Attendance, PartKind, PartStatus, SessionPart
from medmentor.programs import access
from medmentor.surveys.models import Response
from medmentor.surveys.services import response_record
from tests.conferences.conftest import make_conference_program
from tests.conftest import (
    PROGRAM_PEOPLE,
    make_institution,
    make_outsider,
    make_program_person,
)
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

pytestmark = pytest.mark.usefixtures("fast_passwords")

ROLE_PEOPLE = {
    "director": "director",
    "coordinator": "coordinator",
    "faculty": "faculty",
    "researcher": "researcher",
    "facilitator": "senior",
    "storyteller": "junior",
    "resident": "other_junior",
    "other_resident": "other_senior",
    "outsider": "outsider",
    "anonymous": None,
}
ROLES = list(ROLE_PEOPLE)
# The role each page is made for, first match wins (the phone-width browser test).
MAIN_ROLES = ("storyteller", "facilitator", "director", "faculty", "researcher")

STAFF = ("director", "coordinator")
RESIDENTS = ("facilitator", "storyteller", "resident", "other_resident")
ENROLLED = (*STAFF, "faculty", "researcher", *RESIDENTS)
RUNNERS = (*STAFF, "facilitator")
AGGREGATES = (*STAFF, "faculty", "researcher")


def _ahead(world):
    return world.ahead.pk


def _past(world):
    return world.past.pk


def _part(world):
    return world.part.pk


PAGES = [
    Endpoint(
        "conference-home", page("conference-home"), expect(ROLES, dict.fromkeys(ENROLLED, 200))
    ),
    Endpoint(
        "conference-plan",
        page("conference-plan"),
        expect(ROLES, dict.fromkeys((*STAFF, *RESIDENTS), 200)),
    ),
    Endpoint(
        "conference-report",
        page("conference-report"),
        expect(ROLES, dict.fromkeys(AGGREGATES, 200)),
    ),
    Endpoint("conference-help", page("conference-help"), expect(ROLES, {"director": 200})),
    Endpoint(
        "conference-session",
        page("conference-session", session_id=_ahead),
        expect(ROLES, dict.fromkeys(RUNNERS, 200)),
    ),
    Endpoint(
        "conference-session-past",
        page("conference-session", session_id=_past),
        expect(ROLES, dict.fromkeys(RUNNERS, 200)),
    ),
]
API: list[Endpoint] = []
API_OPERATIONS: list[tuple[str, str]] = []
NOT_DATA_API: set[tuple[str, str]] = set()
# Every conference page is a row above or below.
NOT_DATA_PAGES: set[str] = set()

RUNNER_ACTION = expect(ROLES, dict.fromkeys(RUNNERS, 302))
ACTIONS = [
    Endpoint(
        "conference-run-sheet",
        page("conference-run-sheet", session_id=_ahead),
        RUNNER_ACTION,
        method="post",
        data=lambda world: {
            "kind_1": "welcome",
            "minutes_1": "5",
            "kind_2": "open",
            "minutes_2": "50",
        },
    ),
    Endpoint(
        "conference-ask",
        page("conference-ask", session_id=_ahead),
        RUNNER_ACTION,
        method="post",
        data=lambda world: {"kind": "storyteller", "person": world.other_junior.pk},
    ),
    Endpoint(
        "conference-tick",
        page("conference-tick", session_id=_past),
        RUNNER_ACTION,
        method="post",
        data=lambda world: {"present": [world.other_junior.pk]},
    ),
    Endpoint(
        "conference-cancel",
        page("conference-cancel", session_id=_ahead),
        RUNNER_ACTION,
        method="post",
    ),
    Endpoint(
        "conference-feedback",
        page("conference-feedback", session_id=_past),
        RUNNER_ACTION,
        method="post",
    ),
    Endpoint(
        "conference-check-in",
        page("conference-check-in", session_id=_ahead),
        expect(ROLES, dict.fromkeys(ENROLLED, 302)),
        method="post",
    ),
    # Only the person asked finds their ask; for anyone else in the program it is a 404.
    Endpoint(
        "conference-answer",
        page("conference-answer", part_id=_part),
        {
            **expect(ROLES, dict.fromkeys(ENROLLED, 404), outsider=403),
            "storyteller": 302,
        },
        method="post",
        data=lambda world: {"answer": "decline"},
    ),
]


def _noon(program, days: int) -> datetime.datetime:
    return timezone.now().astimezone(program.zone).replace(
        hour=12, minute=0, second=0, microsecond=0
    ) + datetime.timedelta(days=days)


# Four anonymous answers to the past session's feedback: one short of the minimum group.
FEEDBACK = [(5, 4, 5), (4, 4, 4), (3, 4, 5), (4, 5, 4)]


def make_matrix_rows() -> SimpleNamespace:
    """The matrix's people (by fixture name, plus "program") and its world: a session
    ahead (the junior asked to tell a story, the faculty member asked to support) and
    a past one (two came, four answered the feedback), both run by the senior."""
    institution = make_institution()
    program = make_conference_program(institution)
    people = {name: make_program_person(name, program, institution) for name in PROGRAM_PEOPLE}
    people["outsider"] = make_outsider(institution)
    people["program"] = program
    facilitator = people["senior"]
    start = _noon(program, -7)
    past = services.session_plan(
        program=program,
        by=access.SYSTEM,
        facilitator=facilitator,
        title="Peer support, last week",
        starts_at=start,
        minutes=60,
        video_url="https://zoom.example.test/j/1",
        now=start - datetime.timedelta(days=7),
    )
    during = start + datetime.timedelta(minutes=5)
    for name in ("other_senior", "faculty"):
        services.check_in(session=past, by=people[name], now=during)
    wave = services.feedback_open(
        session=past, by=access.SYSTEM, now=start + datetime.timedelta(hours=2)
    )
    for values in FEEDBACK:
        _answer(wave, values)
    ahead = services.session_plan(
        program=program,
        by=people["director"],
        facilitator=facilitator,
        title="Peer support, next week",
        starts_at=_noon(program, 7),
        minutes=60,
        video_url="https://zoom.example.test/j/2",
    )
    part = services.part_ask(
        session=ahead, by=facilitator, person=people["junior"], kind=PartKind.STORYTELLER
    )
    services.part_ask(
        session=ahead, by=facilitator, person=people["faculty"], kind=PartKind.FACULTY
    )
    services.help_resources_save(
        program=program,
        by=people["director"],
        resources=[services.ResourceFields(title="Employee assistance", detail="555-0140")],
    )
    world = SimpleNamespace(
        program=program,
        past=past,
        ahead=ahead,
        part=part,
        wave=wave,
        junior=people["junior"],
        other_junior=people["other_junior"],
        other_senior=people["other_senior"],
    )
    return SimpleNamespace(people=people, world=world)


def _answer(wave, values):
    worth, connected, normal = values
    response_record(
        wave=wave,
        answers={"fb_worth": str(worth), "fb_connected": str(connected), "fb_normal": str(normal)},
    )


# The module's fixtures: `_rows` made once, the people by role, `world`.
globals().update(module_fixtures(make_matrix_rows, ["program", *ROLE_PEOPLE.values()]))


# --- 1. status ---------------------------------------------------------------------------


@pytest.mark.parametrize(("endpoint", "role"), matrix(PAGES + ACTIONS, ROLES))
def test_each_role_gets_the_expected_answer(client, world, request, endpoint, role):
    sign_in_as(client, request, ROLE_PEOPLE, role)
    assert_expected_answer(endpoint.call(client, world), endpoint.expected[role])


def test_the_anonymous_are_sent_to_sign_in_everywhere():
    assert all(endpoint.expected["anonymous"] == SIGN_IN for endpoint in PAGES + ACTIONS)


# --- 2. no leaks -------------------------------------------------------------------------


def _came(name):
    def flip(world):
        Attendance.objects.filter(session=world.past).exclude(person=world.other_senior).delete()
        services.check_in(
            session=world.past,
            by=getattr(world, name),
            now=world.past.meeting.starts_at + datetime.timedelta(minutes=5),
        )

    return flip


def _storyteller(status):
    def flip(world):
        SessionPart.objects.filter(pk=world.part.pk).update(status=status)

    return flip


def _feedback(values_list):
    def flip(world):
        Response.objects.filter(wave=world.wave).delete()
        for values in values_list:
            _answer(world.wave, values)

    return flip


FACTS = [
    # Who came: the same count either way, a different person. Nobody's page changes
    # (the two residents' own pages do not show past sessions either).
    pytest.param(
        ("storyteller", "resident"), (), _came("junior"), _came("other_junior"), id="who-came"
    ),
    # Declined or not answered yet: the facilitator's, the staff's and the storyteller's.
    pytest.param(
        ("storyteller", *RUNNERS),
        (("facilitator", "conference-session"), ("storyteller", "conference-home")),
        _storyteller(PartStatus.DECLINED),
        _storyteller(PartStatus.ASKED),
        id="who-declined-storytelling",
    ),
    # One answer among four (below the minimum group of five): nobody's page changes.
    pytest.param(
        (),
        (),
        _feedback([*FEEDBACK[:3], (1, 1, 1)]),
        _feedback([*FEEDBACK[:3], (5, 5, 5)]),
        id="one-feedback-answer-below-five",
    ),
    # One answer among five: only the pooled figures of the report move.
    pytest.param(
        AGGREGATES,
        tuple((role, "conference-report") for role in AGGREGATES),
        _feedback([*FEEDBACK, (1, 1, 1)]),
        _feedback([*FEEDBACK, (5, 5, 5)]),
        id="one-feedback-answer-among-five",
    ),
]


@pytest.mark.parametrize(("owners", "shown_to", "one_way", "other_way"), FACTS)
def test_private_facts_never_reach_anyone_but_their_owners(
    client, world, request, owners, shown_to, one_way, other_way
):
    one_way(world)
    before = snapshot(client, request, ROLE_PEOPLE, world, PAGES, ROLES)
    other_way(world)
    after = snapshot(client, request, ROLE_PEOPLE, world, PAGES, ROLES)
    assert leaks(before, after, owners) == []
    # The owners who should see it do (role, page), so the comparison can tell at all.
    for role, name in shown_to:
        assert before[(role, name)] != after[(role, name)], (role, name)
