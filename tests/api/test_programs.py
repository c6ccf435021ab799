"""GET /api/programs and /api/programs/{slug}: each caller sees their own programs only."""

import pytest

pytestmark = pytest.mark.django_db

ROLES = ["director", "coordinator", "faculty", "researcher", "senior", "junior"]


@pytest.mark.parametrize("role", ROLES)
def test_each_enrolled_role_sees_the_program_with_their_role(call, people, outsider, role):
    response = call(people[role], "GET", "/api/programs")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [p["slug"] for p in body["items"]] == ["nm-must-see"]
    assert body["items"][0]["my_roles"] == [role]


def test_outsider_sees_only_their_own_program(call, people, outsider):
    response = call(outsider, "GET", "/api/programs")
    assert [p["slug"] for p in response.json()["items"]] == ["other"]


def test_token_user_sees_their_programs(call, people):
    response = call(("token", people["director"]), "GET", "/api/programs")
    assert response.status_code == 200
    assert response.json()["items"][0]["service"] == "Nuclear Medicine"


def test_person_with_two_roles_is_listed_once_with_both(call, people, program):
    from medmentor.programs.models import Enrollment, Role

    Enrollment.objects.create(program=program, person=people["faculty"], role=Role.RESEARCHER)
    response = call(people["faculty"], "GET", "/api/programs")
    assert response.json()["count"] == 1
    assert response.json()["items"][0]["my_roles"] == ["faculty", "researcher"]


def test_anonymous_caller_cannot_list_programs(call, program):
    assert call(None, "GET", "/api/programs").status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_program_detail_for_enrolled_roles(call, people, role):
    response = call(people[role], "GET", "/api/programs/nm-must-see")
    assert response.status_code == 200
    assert response.json()["name"] == "Nuclear Medicine must-see case"


def test_program_detail_is_404_for_an_outsider(call, people, outsider):
    response = call(outsider, "GET", "/api/programs/nm-must-see")
    assert response.status_code == 404
    assert "nm-must-see" in response.json()["detail"]


def test_unknown_program_is_404_like_a_foreign_one(call, people):
    response = call(people["director"], "GET", "/api/programs/no-such-program")
    assert response.status_code == 404


def test_program_detail_needs_sign_in(call, program):
    assert call(None, "GET", "/api/programs/nm-must-see").status_code == 401
