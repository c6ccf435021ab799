"""Bad input is refused in words that name the field and value; nothing is written."""

import datetime

import pytest
from django.utils import timezone

from medmentor.meetings import services
from medmentor.meetings.models import Meeting, MeetingSeries
from medmentor.messaging.models import OutboxMessage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]


def _nothing_written():
    assert Meeting.objects.count() == 0
    assert MeetingSeries.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


def _plan(program, organizer, participants, start, end, **extra):
    return services.meeting_plan(
        program=program,
        organizer=organizer,
        participants=participants,
        title="Mentoring meeting",
        starts_at=start,
        ends_at=end,
        **extra,
    )


def test_a_meeting_in_the_past_is_refused(program, senior, junior):
    start = timezone.now() - datetime.timedelta(hours=1)
    with pytest.raises(services.MeetingError, match="is in the past"):
        _plan(program, senior, [senior, junior], start, start + datetime.timedelta(hours=1))
    _nothing_written()


def test_an_end_before_its_start_is_refused_naming_both_times(program, senior, junior):
    start = timezone.now() + datetime.timedelta(days=2)
    with pytest.raises(services.MeetingError, match=r"The end, .* is not after the start"):
        _plan(program, senior, [senior, junior], start, start - datetime.timedelta(minutes=30))
    _nothing_written()


def test_a_series_with_no_occurrences_is_refused(program, senior, junior):
    # 4 to 6 January 2027 holds no Thursday.
    with pytest.raises(services.MeetingError, match="no meetings: no Thursday from 04 January"):
        services.series_plan(
            program=program,
            organizer=senior,
            participants=[senior, junior],
            title="Never",
            weekday=3,
            local_time=datetime.time(18),
            starts_on=datetime.date(2027, 1, 4),
            ends_on=datetime.date(2027, 1, 6),
        )
    _nothing_written()


def test_a_series_whose_only_date_is_skipped_is_refused(program, senior, junior):
    with pytest.raises(services.MeetingError, match="that is not skipped"):
        services.series_plan(
            program=program,
            organizer=senior,
            participants=[senior, junior],
            title="Never",
            weekday=3,
            local_time=datetime.time(18),
            starts_on=datetime.date(2027, 1, 4),
            count=1,
            skipped=[datetime.date(2027, 1, 7)],
        )
    _nothing_written()


def test_skipping_a_date_that_is_not_in_the_series_is_refused(program, senior, junior):
    with pytest.raises(services.MeetingError, match="Friday 08 January 2027 is not a date"):
        services.series_plan(
            program=program,
            organizer=senior,
            participants=[senior, junior],
            title="Thursdays",
            weekday=3,
            local_time=datetime.time(18),
            starts_on=datetime.date(2027, 1, 4),
            count=3,
            skipped=[datetime.date(2027, 1, 8)],
        )
    _nothing_written()


def test_a_series_starting_in_the_past_is_refused(program, senior, junior):
    with pytest.raises(services.MeetingError, match="The first meeting, .* is in the past"):
        services.series_plan(
            program=program,
            organizer=senior,
            participants=[senior, junior],
            title="Thursdays",
            weekday=3,
            local_time=datetime.time(18),
            starts_on=datetime.date(2020, 1, 1),
            count=3,
        )
    _nothing_written()


def test_inviting_someone_outside_the_program_is_refused(program, senior, outsider):
    start = timezone.now() + datetime.timedelta(days=2)
    with pytest.raises(services.MeetingError, match="Olly Outsider is not in"):
        _plan(program, senior, [senior, outsider], start, start + datetime.timedelta(hours=1))
    _nothing_written()


def test_a_learner_cannot_plan_a_meeting_they_are_not_in(program, senior, junior, other_junior):
    start = timezone.now() + datetime.timedelta(days=2)
    with pytest.raises(services.MeetingError, match="add yourself"):
        _plan(program, senior, [junior, other_junior], start, start + datetime.timedelta(hours=1))
    _nothing_written()


def test_a_bad_video_link_is_refused_naming_it(program, senior, junior):
    start = timezone.now() + datetime.timedelta(days=2)
    with pytest.raises(services.MeetingError, match="“zoom me” is not a web address"):
        _plan(
            program,
            senior,
            [senior, junior],
            start,
            start + datetime.timedelta(hours=1),
            video_url="zoom me",
        )
    _nothing_written()


def test_only_the_organizer_changes_or_cancels_a_meeting(one_off, junior):
    outbox_before = OutboxMessage.objects.count()
    with pytest.raises(services.MeetingError, match="Only the person who planned"):
        services.meeting_cancel(meeting=one_off, by=junior)
    with pytest.raises(services.MeetingError, match="Only the person who planned"):
        services.meeting_update(
            meeting=one_off,
            by=junior,
            title="Mine now",
            starts_at=one_off.starts_at,
            ends_at=one_off.ends_at,
        )
    one_off.refresh_from_db()
    assert (one_off.title, one_off.sequence, one_off.cancelled_at) == ("Mentoring meeting", 0, None)
    assert OutboxMessage.objects.count() == outbox_before


def test_a_meeting_cannot_be_logged_before_it_starts(one_off, junior):
    with pytest.raises(services.MeetingError, match="can be logged once it started"):
        services.meeting_log(meeting=one_off, by=junior, minutes=30, topics="x")
    one_off.refresh_from_db()
    assert one_off.happened is None
