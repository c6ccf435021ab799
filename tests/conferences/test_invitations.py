"""Residents and faculty who join a conference program after a session was planned
are invited to it: by the worker (tasks.conference_work_due) or when the next session
is planned (services.session_invitations_sync)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from medmentor.conferences import services
from medmentor.conferences.tasks import conference_work_due
from medmentor.messaging.models import OutboxMessage
from medmentor.programs import access
from medmentor.programs.models import Role
from medmentor.programs.services import person_enrol
from tests.conferences.conftest import next_week_noon


def _newcomer(program, email="newcomer@lakeside.test", role=Role.JUNIOR):
    return person_enrol(program=program, email=email, role=role, full_name="Nia Newcomer")


def _invites(person):
    return OutboxMessage.objects.filter(key__startswith="meeting-ics:", person_id=person.pk)


def test_a_resident_who_joins_after_a_session_is_planned_is_invited_by_the_worker(session):
    newcomer = _newcomer(session.program)
    assert not session.meeting.participants.filter(pk=newcomer.pk).exists()

    conference_work_due()

    assert session.meeting.participants.filter(pk=newcomer.pk).exists()
    assert _invites(newcomer).count() == 1


def test_those_already_invited_get_no_new_email_when_someone_joins(session, people):
    before = OutboxMessage.objects.filter(person_id=people["junior"].pk).count()
    _newcomer(session.program)
    conference_work_due()
    assert OutboxMessage.objects.filter(person_id=people["junior"].pk).count() == before


def test_running_the_worker_again_invites_nobody_twice(session):
    newcomer = _newcomer(session.program)
    conference_work_due()
    conference_work_due()
    assert _invites(newcomer).count() == 1


def test_faculty_who_join_later_are_invited_too(session):
    newcomer = _newcomer(session.program, email="late.faculty@lakeside.test", role=Role.FACULTY)
    conference_work_due()
    assert session.meeting.participants.filter(pk=newcomer.pk).exists()


def test_planning_the_next_session_invites_newcomers_to_the_earlier_one(session, people):
    newcomer = _newcomer(session.program)
    services.session_plan(
        program=session.program,
        by=people["director"],
        facilitator=people["senior"],
        title="The week after",
        starts_at=next_week_noon(session.program) + datetime.timedelta(days=7),
        minutes=60,
        video_url="https://zoom.example.test/j/456",
    )
    assert session.meeting.participants.filter(pk=newcomer.pk).exists()


def test_a_newcomer_joins_every_coming_date_of_a_series(program, people):
    sessions = services.session_series_plan(
        program=program,
        by=people["director"],
        facilitator=people["senior"],
        title="Monthly peer support",
        weekday=next_week_noon(program).weekday(),
        local_time=datetime.time(12, 0),
        starts_on=next_week_noon(program).date(),
        count=3,
        minutes=60,
        video_url="https://zoom.example.test/j/789",
    )
    newcomer = _newcomer(program)
    assert services.session_invitations_sync(program=program, by=access.SYSTEM) == 1
    for session in sessions:
        assert session.meeting.participants.filter(pk=newcomer.pk).exists()
    assert sessions[0].meeting.series.participants.filter(pk=newcomer.pk).exists()


def test_a_cancelled_or_past_session_invites_nobody(session, people):
    services.session_cancel(session=session, by=people["director"])
    newcomer = _newcomer(session.program)
    assert services.session_invitations_sync(program=session.program, by=access.SYSTEM) == 0
    assert not session.meeting.participants.filter(pk=newcomer.pk).exists()


def test_a_resident_may_not_sync_the_invitations(session, people):
    with pytest.raises(PermissionDenied):
        services.session_invitations_sync(program=session.program, by=people["junior"])
