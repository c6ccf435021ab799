"""Pagination (limit/offset, at most 200) and bad input: a clear 422 or 404, never a 500."""

import pytest

from medmentor.people.models import Person
from medmentor.programs.models import Enrollment, Role

pytestmark = pytest.mark.django_db

PEOPLE = "/api/programs/nm-must-see/people"
PAIRS = "/api/programs/nm-must-see/weeks/{day}/pairs"


@pytest.fixture
def crowd(program, director):
    """A program of 250 juniors and its director."""
    people = Person.objects.bulk_create(
        Person(email=f"junior{n:03}@lakeside.test", full_name=f"Junior {n:03}", training_level="R1")
        for n in range(250)
    )
    Enrollment.objects.bulk_create(
        Enrollment(program=program, person=person, role=Role.JUNIOR) for person in people
    )
    return director


def test_default_page_holds_fifty_and_the_total_count(call, crowd):
    body = call(crowd, "GET", PEOPLE).json()
    assert body["count"] == 251
    assert len(body["items"]) == 50


def test_limit_and_offset_walk_the_list_in_order(call, crowd):
    first = call(crowd, "GET", PEOPLE, data={"limit": 2, "offset": 0}).json()["items"]
    second = call(crowd, "GET", PEOPLE, data={"limit": 2, "offset": 2}).json()["items"]
    assert [p["full_name"] for p in first + second] == [
        "Dana Director",
        "Junior 000",
        "Junior 001",
        "Junior 002",
    ]


def test_a_page_may_hold_up_to_two_hundred(call, crowd):
    body = call(crowd, "GET", PEOPLE, data={"limit": 200}).json()
    assert len(body["items"]) == 200


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"limit": 201}, "limit"),
        ({"limit": 0}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": 10**30}, "offset"),
        ({"offset": "1e400"}, "offset"),
    ],
)
def test_bad_pagination_is_a_422_naming_the_parameter(call, crowd, params, named):
    response = call(crowd, "GET", PEOPLE, data=params)
    assert response.status_code == 422
    assert named in response.json()["detail"]
    assert response.json()["errors"]


def test_an_offset_past_the_end_gives_an_empty_page(call, crowd):
    body = call(crowd, "GET", PEOPLE, data={"offset": 1_000_000}).json()
    assert body == {"items": [], "count": 251}


@pytest.mark.parametrize("day", ["2026-13-45", "yesterday", "2026-02-30", "0000-01-01", "-1"])
def test_a_bad_date_in_the_path_is_a_422_naming_it(call, director, day):
    response = call(director, "GET", PAIRS.format(day=day))
    assert response.status_code == 422
    assert "day" in response.json()["detail"]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_dates_at_the_calendars_ends_are_404_not_errors(call, director, day):
    assert call(director, "GET", PAIRS.format(day=day)).status_code == 404


@pytest.mark.parametrize("slug", ["x" * 81, "%00", "nm-must-see%20", "ünïcode"])
def test_odd_program_slugs_are_refused_cleanly(call, director, slug):
    response = call(director, "GET", f"/api/programs/{slug}")
    assert response.status_code in {404, 422}
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("path", ["/api/no-such-thing", "/api/programs/x/nothing/here/"])
def test_an_unknown_api_path_is_a_json_404_pointing_to_the_docs(client, path):
    answer = client.get(path)
    assert answer.status_code == 404
    assert answer["Content-Type"].startswith("application/json")
    assert "/api/docs" in answer.json()["detail"]


def test_the_api_root_answers_json_naming_the_docs(client):
    answer = client.get("/api/")
    assert answer.status_code == 200
    assert answer.json()["docs"] == "/api/docs"
    assert client.get(answer.json()["openapi"]).status_code == 200
