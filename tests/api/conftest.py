"""What the API tests share: a program week with two pairs, and ways to call as anyone."""

import datetime

import pytest

from medmentor.people.services import api_token_create
from medmentor.programs.models import Pair, PairOrigin, ProgramWeek

WEEK_START = datetime.date(2026, 11, 2)


@pytest.fixture
def week(program):
    return ProgramWeek.objects.create(program=program, starts_on=WEEK_START)


@pytest.fixture
def pairs(week, junior, senior, other_junior, other_senior):
    """Jo Junior with Sam Senior, Jamie Junior with Sasha Senior."""
    return [
        Pair.objects.create(week=week, junior=junior, senior=senior),
        Pair.objects.create(
            week=week, junior=other_junior, senior=other_senior, origin=PairOrigin.SCHEDULE
        ),
    ]


@pytest.fixture
def people(director, coordinator, faculty, researcher, senior, other_senior, junior, other_junior):
    """Everyone in the program, by the role name the tests use."""
    return {
        "director": director,
        "coordinator": coordinator,
        "faculty": faculty,
        "researcher": researcher,
        "senior": senior,
        "junior": junior,
    }


def bearer(person, name: str = "script") -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token_create(person=person, name=name)}"}


@pytest.fixture
def call(client):
    """call(who, method, url, **kwargs): `who` is a person (signed in by session),
    ("token", person) for a Bearer token, or None for an anonymous caller."""

    def _call(who, method: str, url: str, **kwargs):
        headers = dict(kwargs.pop("headers", {}) or {})
        client.logout()
        if isinstance(who, tuple):
            headers.update(bearer(who[1]))
        elif who is not None:
            client.force_login(who)
        if "json" in kwargs:
            kwargs["data"] = kwargs.pop("json")
            kwargs["content_type"] = "application/json"
        return getattr(client, method.lower())(url, headers=headers, **kwargs)

    return _call
