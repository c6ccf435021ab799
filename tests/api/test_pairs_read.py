"""GET /api/programs/{slug}/weeks/{day}/pairs: staff see every pair, learners their own."""

import pytest

from medmentor.programs.models import Pair

pytestmark = pytest.mark.django_db

URL = "/api/programs/nm-must-see/weeks/2026-11-02/pairs"


def _names(response) -> set[tuple[str, str]]:
    return {(p["junior"]["full_name"], p["senior"]["full_name"]) for p in response.json()["items"]}


BOTH = {("Jo Junior", "Sam Senior"), ("Jamie Junior", "Sasha Senior")}


@pytest.mark.parametrize("role", ["director", "coordinator"])
def test_staff_see_every_pair_of_the_week(call, people, pairs, role):
    response = call(people[role], "GET", URL)
    assert response.status_code == 200
    assert _names(response) == BOTH
    assert response.json()["items"][0]["week_starts_on"] == "2026-11-02"


@pytest.mark.parametrize("role", ["senior", "junior"])
def test_a_learner_sees_only_their_own_pair(call, people, pairs, role):
    response = call(people[role], "GET", URL)
    assert response.status_code == 200
    assert _names(response) == {("Jo Junior", "Sam Senior")}
    assert "Jamie" not in response.content.decode()


def test_the_other_junior_sees_only_theirs(call, people, pairs, other_junior):
    response = call(other_junior, "GET", URL)
    assert _names(response) == {("Jamie Junior", "Sasha Senior")}


@pytest.mark.parametrize("role", ["faculty", "researcher"])
def test_faculty_and_researchers_are_refused_the_pairs(call, people, pairs, role):
    response = call(people[role], "GET", URL)
    assert response.status_code == 403
    assert "aggregates" in response.json()["detail"]
    assert "Junior" not in response.content.decode()


def test_outsider_gets_404_for_the_pairs(call, pairs, outsider):
    assert call(outsider, "GET", URL).status_code == 404


def test_anonymous_gets_401_for_the_pairs(call, pairs):
    assert call(None, "GET", URL).status_code == 401


def test_token_user_sees_the_pairs(call, people, pairs):
    response = call(("token", people["director"]), "GET", URL)
    assert _names(response) == BOTH


def test_any_day_of_the_week_finds_the_week(call, people, pairs):
    response = call(people["director"], "GET", URL.replace("2026-11-02", "2026-11-08"))
    assert _names(response) == BOTH


def test_a_pair_the_director_removed_is_not_listed(call, people, pairs):
    Pair.objects.filter(pk=pairs[1].pk).update(is_removed=True)
    response = call(people["director"], "GET", URL)
    assert _names(response) == {("Jo Junior", "Sam Senior")}
    assert response.json()["count"] == 1


def test_a_day_outside_the_program_weeks_is_404(call, people, pairs):
    response = call(people["director"], "GET", URL.replace("2026-11-02", "2030-01-01"))
    assert response.status_code == 404
    assert "2029-12-31" in response.json()["detail"]
