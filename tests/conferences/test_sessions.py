import datetime

import pytest
from django.utils import timezone

from medmentor.conferences import services
from medmentor.conferences.models import ConferenceSession, Segment, SegmentKind
from medmentor.meetings.models import Meeting, MeetingLog
from medmentor.messaging.models import OutboxMessage
from tests.conferences.conftest import next_week_noon


def test_a_session_invites_every_resident_and_faculty_member_with_a_calendar_invite(
    session, people
):
    invited = set(session.meeting.participants.values_list("pk", flat=True))
    expected = {people[name].pk for name in people if name != "director"}
    assert invited == expected
    invites = OutboxMessage.objects.filter(key__startswith="meeting-ics:")
    assert {m.person_id for m in invites} == expected
    assert all(m.attachments.exists() for m in invites)


def test_a_new_session_starts_with_the_seed_run_sheet(session):
    kinds = list(session.segments.values_list("kind", flat=True))
    assert kinds == [
        SegmentKind.WELCOME,
        SegmentKind.STORIES,
        SegmentKind.FACULTY,
        SegmentKind.OPEN,
        SegmentKind.CLOSING,
    ]
    assert sum(session.segments.values_list("minutes", flat=True)) <= session.minutes


def test_a_session_in_a_room_needs_no_video_link(program, people):
    session = services.session_plan(
        program=program,
        by=people["director"],
        facilitator=people["senior"],
        title="Peer support in person",
        starts_at=next_week_noon(program),
        minutes=45,
        place="Room 4B",
    )
    assert session.meeting.place == "Room 4B"
    assert session.segments.count() == 0  # 60 minutes of default segments do not fit 45


def test_a_session_in_the_past_is_refused_and_nothing_is_written(program, people):
    with pytest.raises(services.ConferenceError, match="is in the past"):
        services.session_plan(
            program=program,
            by=people["director"],
            facilitator=people["senior"],
            title="Yesterday",
            starts_at=timezone.now() - datetime.timedelta(days=1),
            minutes=60,
            video_url="https://zoom.example.test/j/1",
        )
    assert not ConferenceSession.objects.exists()
    assert not Meeting.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_session_needs_a_room_or_a_link(program, people):
    with pytest.raises(services.ConferenceError, match="a room, or a video link"):
        services.session_plan(
            program=program,
            by=people["director"],
            facilitator=people["senior"],
            title="Nowhere",
            starts_at=next_week_noon(program),
            minutes=60,
        )
    assert not Meeting.objects.exists()


def test_the_facilitator_is_a_resident(program, people):
    with pytest.raises(services.ConferenceError, match="is not a resident"):
        services.session_plan(
            program=program,
            by=people["director"],
            facilitator=people["faculty"],
            title="Faculty led",
            starts_at=next_week_noon(program),
            minutes=60,
            video_url="https://zoom.example.test/j/1",
        )
    assert not ConferenceSession.objects.exists()


def test_a_resident_plans_only_the_sessions_they_facilitate(program, people):
    with pytest.raises(services.ConferenceError, match="who facilitates one"):
        services.session_plan(
            program=program,
            by=people["junior"],
            facilitator=people["senior"],
            title="For someone else",
            starts_at=next_week_noon(program),
            minutes=60,
            video_url="https://zoom.example.test/j/1",
        )
    own = services.session_plan(
        program=program,
        by=people["junior"],
        facilitator=people["junior"],
        title="Mine",
        starts_at=next_week_noon(program),
        minutes=60,
        video_url="https://zoom.example.test/j/1",
    )
    assert own.facilitator == people["junior"]


def test_a_series_makes_one_session_per_date(program, people):
    first = next_week_noon(program)
    sessions = services.session_series_plan(
        program=program,
        by=people["director"],
        facilitator=people["senior"],
        title="Monthly peer support",
        weekday=first.weekday(),
        local_time=datetime.time(12, 0),
        starts_on=first.date(),
        count=3,
        interval_weeks=4,
        minutes=60,
        video_url="https://zoom.example.test/j/9",
    )
    assert len(sessions) == 3
    assert all(s.meeting.series_id == sessions[0].meeting.series_id for s in sessions)
    assert Segment.objects.filter(session__in=sessions).count() == 15


def test_cancelling_a_session_sends_the_calendar_cancellation(session, people):
    services.session_cancel(session=session, by=people["director"])
    session.meeting.refresh_from_db()
    assert session.meeting.is_cancelled
    assert OutboxMessage.objects.filter(subject__startswith="Cancelled:").count() == 5


def test_only_its_runners_cancel_a_session(session, people):
    with pytest.raises(services.ConferenceError, match="Only the session's facilitator"):
        services.session_cancel(session=session, by=people["junior"])
    session.meeting.refresh_from_db()
    assert not session.meeting.is_cancelled


def test_a_session_asks_nobody_did_you_meet_and_is_not_logged(session, people):
    from medmentor.meetings import services as meetings
    from medmentor.meetings.tasks import meetings_emails_enqueue_due
    from tests.conferences.conftest import after, during

    meetings_emails_enqueue_due(now=after(session))
    assert not OutboxMessage.objects.filter(key__startswith="meeting-after:").exists()
    with pytest.raises(meetings.MeetingError, match="keeps nothing written"):
        meetings.meeting_log(
            meeting=session.meeting,
            by=people["junior"],
            minutes=60,
            topics="What Jo said",
            now=during(session),
        )
    assert not MeetingLog.objects.exists()
