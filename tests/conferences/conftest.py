"""Conference tests: the shared people of tests/conftest.py, enrolled in a
peer-support conference program (this package's `program`). Residents are the
learners (senior, junior, other_junior, other_senior); `faculty` is supportive
faculty; `senior` facilitates the session below."""

import datetime

import pytest
from django.utils import timezone

from medmentor.conferences import services
from medmentor.programs.models import Program, ProgramKind

pytestmark = pytest.mark.usefixtures("fast_passwords")


def make_conference_program(institution) -> Program:
    return Program.objects.create(
        name="Resident peer support",
        slug="peer-support",
        kind=ProgramKind.CONFERENCE,
        institution=institution,
        starts_on=datetime.date(2026, 11, 2),
        time_zone="America/Denver",
        description="Resident-led peer-support conferences in the afternoon-report slot.",
    )


@pytest.fixture
def program(institution):
    return make_conference_program(institution)


def next_week_noon(program) -> datetime.datetime:
    return timezone.now().astimezone(program.zone).replace(
        hour=12, minute=0, second=0, microsecond=0
    ) + datetime.timedelta(days=7)


@pytest.fixture
def people(director, faculty, senior, junior, other_junior, other_senior):
    """Everyone of the program (made before the session, so all are invited)."""
    return {
        "director": director,
        "faculty": faculty,
        "senior": senior,
        "junior": junior,
        "other_junior": other_junior,
        "other_senior": other_senior,
    }


@pytest.fixture
def session(program, people):
    """A virtual session next week at noon, an hour long, facilitated by the senior."""
    return services.session_plan(
        program=program,
        by=people["director"],
        facilitator=people["senior"],
        title="Afternoon report: peer support",
        starts_at=next_week_noon(program),
        minutes=60,
        video_url="https://zoom.example.test/j/123",
    )


def during(session, minutes: int = 10) -> datetime.datetime:
    """A moment `minutes` into the session."""
    return session.meeting.starts_at + datetime.timedelta(minutes=minutes)


def after(session, hours: int = 2) -> datetime.datetime:
    return session.meeting.ends_at + datetime.timedelta(hours=hours)
