"""POST and DELETE pairs: the director's override, for directors and coordinators only."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from medmentor.programs.models import Pair, PairOrigin, ProgramWeek

pytestmark = pytest.mark.django_db

# Next week (in the program's time zone): its pairs may still change. Finished weeks
# are frozen (tests/privacy_scenarios/test_finished_weeks.py).
_TODAY = datetime.datetime.now(ZoneInfo("America/New_York")).date()
NEXT_MONDAY = _TODAY - datetime.timedelta(days=_TODAY.weekday()) + datetime.timedelta(weeks=1)
PAIRS = f"/api/programs/nm-must-see/weeks/{NEXT_MONDAY}/pairs"


@pytest.fixture
def week(program):
    return ProgramWeek.objects.create(program=program, starts_on=NEXT_MONDAY)


def _current(week) -> set[tuple[str, str]]:
    return {
        (pair.junior.full_name, pair.senior.full_name)
        for pair in Pair.objects.filter(week=week, is_removed=False)
    }


@pytest.mark.parametrize("role", ["director", "coordinator"])
def test_staff_pair_a_junior_with_another_senior(call, people, pairs, other_senior, week, role):
    response = call(
        people[role],
        "POST",
        PAIRS,
        json={"junior_id": people["junior"].pk, "senior_id": other_senior.pk},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["junior"]["full_name"] == "Jo Junior"
    assert body["senior"]["full_name"] == "Sasha Senior"
    assert body["origin"] == PairOrigin.DIRECTOR
    assert ("Jo Junior", "Sasha Senior") in _current(week)


def test_token_user_pairs_without_csrf(call, people, pairs, other_senior, week):
    response = call(
        ("token", people["director"]),
        "POST",
        PAIRS,
        json={"junior_id": people["junior"].pk, "senior_id": other_senior.pk},
    )
    assert response.status_code == 201


def test_browser_session_pairs_with_the_csrf_token(people, pairs, other_senior, week):
    browser = Client(enforce_csrf_checks=True)
    browser.get(reverse("sign-in"))  # the sign-in form sets the csrftoken cookie
    browser.force_login(people["director"])
    response = browser.post(
        PAIRS,
        data={"junior_id": people["junior"].pk, "senior_id": other_senior.pk},
        content_type="application/json",
        headers={"X-CSRFToken": browser.cookies["csrftoken"].value},
    )
    assert response.status_code == 201


@pytest.mark.parametrize("role", ["faculty", "researcher", "senior", "junior"])
def test_other_roles_may_not_pair_people(call, people, pairs, other_senior, week, role):
    response = call(
        people[role],
        "POST",
        PAIRS,
        json={"junior_id": people["junior"].pk, "senior_id": other_senior.pk},
    )
    assert response.status_code == 403
    assert ("Jo Junior", "Sasha Senior") not in _current(week)


def test_outsider_and_anonymous_may_not_pair_people(call, people, pairs, outsider, week):
    body = {"junior_id": people["junior"].pk, "senior_id": people["senior"].pk}
    assert call(outsider, "POST", PAIRS, json=body).status_code == 404
    assert call(None, "POST", PAIRS, json=body).status_code == 401


def test_pairing_two_juniors_is_refused_with_a_reason(call, people, pairs, other_junior, week):
    response = call(
        people["director"],
        "POST",
        PAIRS,
        json={"junior_id": people["junior"].pk, "senior_id": other_junior.pk},
    )
    assert response.status_code == 422
    assert "Jamie Junior is not a senior" in response.json()["detail"]
    assert _current(week) == {("Jo Junior", "Sam Senior"), ("Jamie Junior", "Sasha Senior")}


def test_pairing_someone_from_another_program_is_refused(call, people, pairs, outsider, week):
    response = call(
        people["director"], "POST", PAIRS, json={"junior_id": outsider.pk, "senior_id": 1}
    )
    assert response.status_code == 422
    assert f"id {outsider.pk}" in response.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"junior_id": "one", "senior_id": 2},
        {"junior_id": 0, "senior_id": 2},
        {"junior_id": 2**70, "senior_id": 2},
        [1, 2],
    ],
)
def test_bad_pair_bodies_are_a_422(call, people, pairs, body):
    response = call(people["director"], "POST", PAIRS, json=body)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Bad input")


def test_a_body_that_is_not_json_is_refused(call, people, pairs):
    response = call(
        people["director"], "POST", PAIRS, data="{not json", content_type="application/json"
    )
    assert response.status_code in {400, 422}
    assert response.json()["detail"]


@pytest.mark.parametrize("role", ["director", "coordinator"])
def test_staff_end_a_pair(call, people, pairs, week, role):
    response = call(people[role], "DELETE", f"{PAIRS}/{pairs[1].pk}")
    assert response.status_code == 204
    assert _current(week) == {("Jo Junior", "Sam Senior")}
    assert Pair.objects.get(pk=pairs[1].pk).is_removed


@pytest.mark.parametrize("role", ["faculty", "researcher", "senior", "junior"])
def test_other_roles_may_not_end_a_pair(call, people, pairs, week, role):
    response = call(people[role], "DELETE", f"{PAIRS}/{pairs[0].pk}")
    assert response.status_code == 403
    assert len(_current(week)) == 2


def test_outsider_and_anonymous_may_not_end_a_pair(call, pairs, outsider, week):
    assert call(outsider, "DELETE", f"{PAIRS}/{pairs[0].pk}").status_code == 404
    assert call(None, "DELETE", f"{PAIRS}/{pairs[0].pk}").status_code == 401
    assert len(_current(week)) == 2


def test_ending_a_pair_of_another_week_is_404(call, people, pairs, program):
    following = NEXT_MONDAY + datetime.timedelta(weeks=1)
    ProgramWeek.objects.create(program=program, starts_on=following)
    other_week = PAIRS.replace(str(NEXT_MONDAY), str(following))
    response = call(people["director"], "DELETE", f"{other_week}/{pairs[0].pk}")
    assert response.status_code == 404
    assert len(_current(pairs[0].week)) == 2


@pytest.mark.parametrize("pair_id", ["0", "abc", str(2**70)])
def test_a_bad_pair_id_is_a_422(call, people, pairs, pair_id):
    assert call(people["director"], "DELETE", f"{PAIRS}/{pair_id}").status_code == 422


def test_ending_an_ended_pair_is_404(call, people, pairs):
    call(people["director"], "DELETE", f"{PAIRS}/{pairs[0].pk}")
    assert call(people["director"], "DELETE", f"{PAIRS}/{pairs[0].pk}").status_code == 404


def test_a_null_body_names_the_missing_fields(call, people, pairs):
    response = call(people["director"], "POST", PAIRS, data="null", content_type="application/json")
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "junior_id (body): Field required" in detail
    assert "got" not in detail
