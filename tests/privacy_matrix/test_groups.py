"""The privacy matrix of small peer groups (privacy rule 5: the group's content is
confidential to the group). See README.md here.

Roles: the program's staff, faculty and researcher; in group A its facilitator (the
senior) and a member (the junior), both having accepted the agreement, and a person
placed in it who has not accepted yet ("pending": not a member, sees nothing of it);
the facilitator of group B ("other_group"); an outsider; the anonymous.

No leaks: the log's words, the thread's words, who came to a meeting (the count kept)
and who presents, each flipped, change no page of anyone but group A's members — not
the director's, not the pending member's, not group B's.
"""

import datetime
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from medmentor.groups import services
from medmentor.groups.models import (
    GroupAttendance,
    GroupLogEntry,
    GroupMessage,
    GroupProfile,
    PresenterTurn,
)
from medmentor.meetings.models import Meeting
from medmentor.programs.access import SYSTEM
from medmentor.programs.models import ProgramKind
from medmentor.surveys.library import PEER_GROUP, instrument_create
from tests.conftest import (
    PROGRAM_PEOPLE,
    make_institution,
    make_outsider,
    make_program,
    make_program_person,
    make_service,
)
from tests.groups.world import group_with, make_learners, plan_series_with_past
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
    "member": "junior",
    "pending": "other_junior",
    "other_group": "other_senior",
    "outsider": "outsider",
    "anonymous": None,
}
ROLES = list(ROLE_PEOPLE)
MAIN_ROLES = ("director", "member", "facilitator")
STAFF = ("director", "coordinator")
MEMBERS = ("facilitator", "member")
LEARNERS = ("facilitator", "member", "pending", "other_group")

STAFF_PAGE = expect(ROLES, dict.fromkeys(STAFF, 200))
GROUPS_PAGE = expect(ROLES, dict.fromkeys((*STAFF, *LEARNERS), 200))
MEMBER_PAGE = expect(ROLES, dict.fromkeys(MEMBERS, 200))
STAFF_ACTION = expect(ROLES, dict.fromkeys(STAFF, 302))
MEMBER_ACTION = expect(ROLES, dict.fromkeys(MEMBERS, 302))


def _a(**kwargs):
    return page("groups-detail", group_id=lambda w: w.group.pk, **kwargs)


def _group_url(name: str, **kwargs):
    return page(name, group_id=lambda w: w.group.pk, **kwargs)


PAGES = [
    Endpoint("groups", page("groups"), GROUPS_PAGE),
    Endpoint("groups-agreement", page("groups-agreement"), GROUPS_PAGE),
    Endpoint("groups-agreement-edit", page("groups-agreement-edit"), STAFF_PAGE),
    Endpoint("groups-detail", _a(), MEMBER_PAGE),
    Endpoint("groups-facilitator", _group_url("groups-facilitator"), STAFF_PAGE),
    Endpoint("groups-formation", page("groups-formation"), STAFF_PAGE),
    Endpoint(
        "groups-formation-run",
        page("groups-formation-run", run_id=lambda w: w.run.pk),
        STAFF_PAGE,
    ),
    Endpoint("groups-profiles-import", page("groups-profiles-import"), STAFF_PAGE),
    Endpoint("groups-profiles-template", page("groups-profiles-template"), STAFF_PAGE),
]
API: list[Endpoint] = []
API_OPERATIONS: list[tuple[str, str]] = []


def _meeting(which: str):
    return lambda w: getattr(w, which).pk


ACTIONS = [
    Endpoint(
        "groups-settings",
        page("groups-settings"),
        STAFF_ACTION,
        method="post",
        data=lambda w: {"group_size_limit": 8, "attendance_level_percent": 70},
    ),
    Endpoint(
        "groups-create",
        page("groups-create"),
        STAFF_ACTION,
        method="post",
        data=lambda w: {"name": "New group"},
    ),
    Endpoint(
        "groups-member-add",
        _group_url("groups-member-add"),
        STAFF_ACTION,
        method="post",
        data=lambda w: {"person": w.waiting[0].pk},
    ),
    Endpoint(
        "groups-facilitator-save",
        _group_url("groups-facilitator"),
        STAFF_ACTION,
        method="post",
        data=lambda w: {"person": w.extras[0].pk},
    ),
    Endpoint(
        "groups-leave",
        _group_url("groups-leave"),
        expect(ROLES, dict.fromkeys((*MEMBERS, "pending"), 302)),
        method="post",
    ),
    Endpoint(
        "groups-open",
        _group_url("groups-open"),
        expect(ROLES, dict.fromkeys((*STAFF, "facilitator"), 302)),
        method="post",
        data=lambda w: {"open": "no"},
    ),
    Endpoint(
        "groups-join",
        page("groups-join", group_id=lambda w: w.group_b.pk),
        expect(ROLES, dict.fromkeys(LEARNERS, 302)),
        method="post",
    ),
    Endpoint(
        "groups-agreement-accept",
        page("groups-agreement"),
        expect(ROLES, dict.fromkeys((*STAFF, *LEARNERS), 302)),
        method="post",
        data=lambda w: {"agreement": w.agreement.pk},
    ),
    Endpoint(
        "groups-agreement-save",
        page("groups-agreement-edit"),
        STAFF_ACTION,
        method="post",
        data=lambda w: {"text": "A new version."},
    ),
    Endpoint(
        "groups-formation-create",
        page("groups-formation"),
        STAFF_ACTION,
        method="post",
        data=lambda w: {"diverse": ["specialty"]},
    ),
    Endpoint(
        "groups-formation-publish",
        page("groups-formation-publish", run_id=lambda w: w.run.pk),
        STAFF_ACTION,
        method="post",
    ),
    Endpoint(
        "groups-survey-invite",
        page("groups-survey-invite"),
        STAFF_ACTION,
        method="post",
        data=lambda w: {"wave": w.wave.pk},
    ),
    Endpoint(
        "groups-series-plan",
        _group_url("groups-series-plan"),
        MEMBER_ACTION,
        method="post",
        data=lambda w: {
            "weekday": 3,
            "local_time": "18:00",
            "starts_on": "2030-01-03",
            "interval_weeks": 2,
            "count": 4,
        },
    ),
    Endpoint(
        "groups-meeting-cancel",
        _group_url("groups-meeting-cancel", meeting_id=_meeting("next_meeting")),
        MEMBER_ACTION,
        method="post",
    ),
    Endpoint(
        "groups-attendance",
        _group_url("groups-attendance", meeting_id=_meeting("last_meeting")),
        MEMBER_ACTION,
        method="post",
        data=lambda w: {"present": [w.people["senior"].pk]},
    ),
    Endpoint(
        "groups-attended",
        _group_url("groups-attended", meeting_id=_meeting("last_meeting")),
        MEMBER_ACTION,
        method="post",
    ),
    Endpoint(
        "groups-apologies",
        _group_url("groups-apologies", meeting_id=_meeting("next_meeting")),
        MEMBER_ACTION,
        method="post",
    ),
    Endpoint(
        "groups-swap-ask",
        _group_url("groups-swap-ask"),
        MEMBER_ACTION,
        method="post",
        data=lambda w: {"mine": w.turns[0].pk, "theirs": w.turns[1].pk},
    ),
    Endpoint(
        "groups-swap-answer",
        _group_url("groups-swap-answer", swap_id=lambda w: w.swap.pk),
        MEMBER_ACTION,
        method="post",
        data=lambda w: {"accept": "no"},
    ),
    Endpoint(
        "groups-log-add",
        _group_url("groups-log-add"),
        MEMBER_ACTION,
        method="post",
        data=lambda w: {"kind": "topic", "text": "Negotiating a start-up package"},
    ),
    Endpoint(
        "groups-thread-post",
        _group_url("groups-thread-post"),
        MEMBER_ACTION,
        method="post",
        data=lambda w: {"body": "See you Thursday"},
    ),
]
# Every write is a row of ACTIONS above.
NOT_DATA_PAGES: set[str] = set()
NOT_DATA_API: set[tuple[str, str]] = set()

# Pages of the shared apps that show a group's meetings to staff: checked for leaks too.
SHARED_PAGES = [
    Endpoint("meetings", page("meetings"), {}),
    Endpoint("home", lambda w: reverse("home"), {}),
]


def make_matrix_rows() -> SimpleNamespace:
    institution = make_institution()
    program = make_program(institution, make_service(institution))
    program.kind = ProgramKind.PEER_GROUP
    program.save(update_fields=["kind"])
    people = {name: make_program_person(name, program, institution) for name in PROGRAM_PEOPLE}
    people["outsider"] = make_outsider(institution)
    people["program"] = program
    extras = make_learners(program, 4, prefix="extra")
    waiting = make_learners(program, 4, prefix="waiting")
    group = group_with(program, [people["senior"], people["junior"], *extras[:2]], name="Group A")
    services.group_member_add(group=group, person=people["other_junior"], by=SYSTEM)
    group_b = group_with(
        program, [people["other_senior"], *extras[2:]], name="Group B", accept=True
    )
    plan_series_with_past(group, people["senior"], past=3, ahead=3)
    group.refresh_from_db()
    now = timezone.now()
    past = list(Meeting.objects.filter(series=group.series, starts_at__lte=now))
    for meeting in past:
        services.attendance_take(
            meeting=meeting,
            by=people["senior"],
            present=[people["senior"].pk, people["junior"].pk, extras[0].pk],
        )
    services.log_entry_add(group=group, by=people["junior"], kind="topic", text="Saying no")
    services.thread_post(group=group, by=people["junior"], body="Thank you all")
    turns = list(
        PresenterTurn.objects.filter(group=group, meeting__starts_at__gt=now)
        .select_related("meeting", "person", "group__program")
        .order_by("meeting__starts_at")
    )
    # The junior's turn and the senior's, for the swap rows (each asks the other).
    junior_turn = next(t for t in turns if t.person_id == people["junior"].pk)
    senior_turn = next(t for t in turns if t.person_id == people["senior"].pk)
    swap = services.presenter_swap_ask(mine=senior_turn, theirs=junior_turn, by=people["senior"])
    for k, person in enumerate(waiting):
        GroupProfile.objects.create(
            program=program, person=person, place="Denver", specialty=f"S{k % 2}"
        )
    run = services.formation_run_create(program=program, by=SYSTEM, similar=[], diverse=[])
    instrument = instrument_create(
        program=program,
        spec=PEER_GROUP,
        pre_opens_at=now,
        post_opens_at=now + datetime.timedelta(days=90),
        by=SYSTEM,
    )
    world = SimpleNamespace(
        program=program,
        people=people,
        group=group,
        group_b=group_b,
        extras=extras,
        waiting=waiting,
        agreement=services.agreement_current(program=program),
        last_meeting=past[-1],
        next_meeting=Meeting.objects.filter(series=group.series, starts_at__gt=now).first(),
        turns=[junior_turn, senior_turn],
        swap=swap,
        run=run,
        wave=instrument.waves.get(kind="pre"),
    )
    return SimpleNamespace(people=people, world=world)


# The module's fixtures: `_rows` made once, the people by role, `world`.
globals().update(module_fixtures(make_matrix_rows, ROLE_PEOPLE.values()))


# --- 1. status ------------------------------------------------------------------------


@pytest.mark.parametrize(("endpoint", "role"), matrix(PAGES + ACTIONS, ROLES))
def test_each_role_gets_the_expected_answer(client, world, request, endpoint, role):
    sign_in_as(client, request, ROLE_PEOPLE, role)
    assert_expected_answer(endpoint.call(client, world), endpoint.expected[role])


def test_anonymous_is_sent_to_sign_in_everywhere():
    assert all(e.expected["anonymous"] == SIGN_IN for e in PAGES + ACTIONS)


# --- 2. no leaks --------------------------------------------------------------------------


def _log_says(text):
    def apply(world):
        GroupLogEntry.objects.filter(group=world.group).update(text=text)

    return apply


def _thread_says(text):
    def apply(world):
        GroupMessage.objects.filter(group=world.group).update(body=text)

    return apply


def _came(person_key, absent_key):
    """At the last meeting: one of two members came, the other not (the count kept)."""

    def apply(world):
        who = {"junior": world.people["junior"], "extra": world.extras[0]}
        GroupAttendance.objects.filter(meeting=world.last_meeting, person=who[person_key]).update(
            present=True
        )
        GroupAttendance.objects.filter(meeting=world.last_meeting, person=who[absent_key]).update(
            present=False
        )

    return apply


def _presents(key):
    def apply(world):
        person = world.people["junior"] if key == "junior" else world.extras[1]
        PresenterTurn.objects.filter(meeting=world.next_meeting).update(person=person)

    return apply


@dataclass(frozen=True)
class PrivateFact:
    name: str
    one_way: object
    other_way: object


FACTS = [
    PrivateFact("the log's words", _log_says("Saying no"), _log_says("Leaving a job")),
    PrivateFact("the thread's words", _thread_says("Thank you"), _thread_says("Call me")),
    PrivateFact("who came", _came("junior", "extra"), _came("extra", "junior")),
    PrivateFact("who presents", _presents("junior"), _presents("extra")),
]


@pytest.mark.parametrize("fact", FACTS, ids=lambda fact: fact.name)
def test_the_group_s_private_facts_reach_its_members_only(client, world, request, fact):
    endpoints = [e for e in PAGES if e.method == "get"] + SHARED_PAGES
    fact.one_way(world)
    before = snapshot(client, request, ROLE_PEOPLE, world, endpoints, ROLES)
    fact.other_way(world)
    after = snapshot(client, request, ROLE_PEOPLE, world, endpoints, ROLES)
    assert leaks(before, after, owners=MEMBERS) == []
    for owner in MEMBERS:
        assert before[(owner, "groups-detail")] != after[(owner, "groups-detail")], owner


def test_the_pending_member_is_not_yet_a_member(client, world, request):
    sign_in_as(client, request, ROLE_PEOPLE, "pending")
    response = client.get(reverse("groups-detail", args=[world.program.slug, world.group.pk]))
    assert response.status_code == 403
    assert "Saying no" not in response.content.decode()
