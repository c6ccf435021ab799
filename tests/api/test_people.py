"""GET /api/programs/{slug}/people: the roster, for directors and coordinators only."""

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/programs/nm-must-see/people"


@pytest.mark.parametrize("role", ["director", "coordinator"])
def test_staff_see_everyone_with_their_roles(call, people, role):
    response = call(people[role], "GET", URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 8
    by_email = {person["email"]: person for person in body["items"]}
    assert by_email["junior@lakeside.test"]["roles"] == ["junior"]
    assert by_email["senior2@lakeside.test"]["roles"] == ["senior"]
    assert by_email["junior@lakeside.test"]["training_level"] == "R1"


@pytest.mark.parametrize("role", ["faculty", "researcher", "senior", "junior"])
def test_other_roles_are_refused_the_roster(call, people, role):
    response = call(people[role], "GET", URL)
    assert response.status_code == 403
    assert "directors and coordinators" in response.json()["detail"]
    assert "@lakeside.test" not in response.content.decode()


def test_outsider_gets_404_for_the_roster(call, people, outsider):
    assert call(outsider, "GET", URL).status_code == 404


def test_anonymous_gets_401_for_the_roster(call, people):
    assert call(None, "GET", URL).status_code == 401


def test_token_user_sees_the_roster(call, people):
    response = call(("token", people["coordinator"]), "GET", URL)
    assert response.status_code == 200
    assert response.json()["count"] == 8


def test_roster_of_another_program_stays_out(call, people, outsider):
    response = call(people["director"], "GET", URL)
    assert "outsider@elsewhere.test" not in response.content.decode()


def test_me_says_who_the_token_belongs_to(call, people):
    response = call(("token", people["junior"]), "GET", "/api/me")
    assert response.json() == {
        "id": people["junior"].pk,
        "full_name": "Jo Junior",
        "email": "junior@lakeside.test",
        "training_level": "R1",
    }
