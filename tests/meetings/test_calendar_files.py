"""The .ics files, parsed back with icalendar and expanded with recurring-ical-events
(a reader we did not write): series across daylight-saving changes, skipped dates,
updates (same UID, higher SEQUENCE) and cancellations."""

import datetime
import zoneinfo

import pytest
import recurring_ical_events

from medmentor.meetings import services
from medmentor.meetings.models import Meeting
from medmentor.meetings.selectors import calendar_feed_build
from tests.meetings.conftest import at, attached_calendars

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

LONDON = zoneinfo.ZoneInfo("Europe/London")


def _every_other_thursday(program, senior, junior, **extra):
    return services.series_plan(
        program=program,
        organizer=senior,
        participants=[senior, junior],
        title="Every other Thursday",
        weekday=3,
        local_time=datetime.time(18, 0),
        starts_on=datetime.date(2027, 1, 5),  # a Tuesday: the first meeting is 7 January
        interval_weeks=2,
        ends_on=datetime.date(2027, 5, 31),
        **extra,
    )


def test_a_series_is_one_event_that_stays_at_18_00_london_time_across_the_clock_change(
    london, senior, junior
):
    series = _every_other_thursday(london, senior, junior)

    (calendar,) = attached_calendars(person=junior)
    events = calendar.walk("VEVENT")
    assert len(events) == 1 and "RRULE" in events[0]
    assert calendar["METHOD"] == "REQUEST"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    expanded = recurring_ical_events.of(calendar).between(
        datetime.date(2027, 1, 1), datetime.date(2027, 7, 1)
    )
    starts = [event["DTSTART"].dt for event in expanded]
    assert all(start.astimezone(LONDON).time() == datetime.time(18, 0) for start in starts)
    # The same 18:00 is 18:00 UTC in winter and 17:00 UTC in summer (BST from 28 March).
    utc_hours = {start.date(): start.astimezone(datetime.UTC).hour for start in starts}
    assert utc_hours[datetime.date(2027, 3, 18)] == 18
    assert utc_hours[datetime.date(2027, 4, 1)] == 17
    # The reader's dates are the meetings we stored, and all are Thursdays two weeks apart.
    stored = list(series.meetings.order_by("starts_at").values_list("starts_at", flat=True))
    assert [s.astimezone(datetime.UTC) for s in starts] == stored
    assert starts[0].date() == datetime.date(2027, 1, 7)
    assert {(b.date() - a.date()).days for a, b in zip(starts, starts[1:], strict=False)} == {14}
    assert len(starts) == 11


def test_new_york_across_the_november_change_keeps_the_local_time(program, senior, junior):
    series = services.series_plan(
        program=program,  # America/New_York; EST from 7 November 2027
        organizer=senior,
        participants=[senior, junior],
        title="Weekly check-in",
        weekday=0,
        local_time=datetime.time(7, 30),
        starts_on=datetime.date(2027, 10, 18),
        count=6,
    )
    (calendar,) = attached_calendars(person=junior)
    starts = [
        e["DTSTART"].dt
        for e in recurring_ical_events.of(calendar).between(
            datetime.date(2027, 10, 1), datetime.date(2028, 1, 1)
        )
    ]
    assert [s.date() for s in starts] == [
        datetime.date(2027, 10, 18) + datetime.timedelta(weeks=n) for n in range(6)
    ]
    assert {s.astimezone(program.zone).time() for s in starts} == {datetime.time(7, 30)}
    assert [s.astimezone(datetime.UTC).hour for s in starts] == [11, 11, 11, 12, 12, 12]
    assert series.meetings.count() == 6


def test_a_skipped_date_is_an_exdate_and_the_reader_leaves_it_out(london, senior, junior):
    series = _every_other_thursday(london, senior, junior, skipped=[datetime.date(2027, 2, 4)])
    occurrence = series.meetings.get(occurrence_on=datetime.date(2027, 3, 4))

    services.meeting_cancel(meeting=occurrence, by=senior)

    first, update = attached_calendars(person=junior)
    assert first.walk("VEVENT")[0]["UID"] == update.walk("VEVENT")[0]["UID"]
    assert update.walk("VEVENT")[0]["SEQUENCE"] == 1
    days = {
        e["DTSTART"].dt.date()
        for e in recurring_ical_events.of(update).between(
            datetime.date(2027, 1, 1), datetime.date(2027, 7, 1)
        )
    }
    assert datetime.date(2027, 2, 4) not in days
    assert datetime.date(2027, 3, 4) not in days
    assert datetime.date(2027, 2, 18) in days and len(days) == 9
    # The stored meetings agree: the skipped date has none, the cancelled one is marked.
    assert not series.meetings.filter(occurrence_on=datetime.date(2027, 2, 4)).exists()
    occurrence.refresh_from_db()
    assert occurrence.cancelled_at is not None


def test_an_update_keeps_the_uid_and_raises_the_sequence(one_off, senior, junior):
    later = one_off.starts_at + datetime.timedelta(hours=1)
    services.meeting_update(
        meeting=one_off,
        by=senior,
        title="Mentoring meeting (moved)",
        starts_at=later,
        ends_at=later + datetime.timedelta(minutes=45),
        place="Cafeteria",
    )

    first, update = attached_calendars(person=junior)
    a, b = first.walk("VEVENT")[0], update.walk("VEVENT")[0]
    assert a["UID"] == b["UID"] == one_off.uid
    assert (a["SEQUENCE"], b["SEQUENCE"]) == (0, 1)
    assert update["METHOD"] == "REQUEST"
    assert b["DTSTART"].dt == later
    assert str(b["LOCATION"]) == "Cafeteria"
    assert str(b["SUMMARY"]) == "Mentoring meeting (moved)"


def test_a_cancellation_is_method_cancel_with_the_same_uid(one_off, senior, junior):
    services.meeting_cancel(meeting=one_off, by=senior)

    cancel = attached_calendars(person=junior)[-1]
    event = cancel.walk("VEVENT")[0]
    assert cancel["METHOD"] == "CANCEL"
    assert event["UID"] == one_off.uid and event["SEQUENCE"] == 1
    assert event["STATUS"] == "CANCELLED"


def test_cancelling_a_series_cancels_its_one_event_and_its_dates_to_come(london, senior, junior):
    series = _every_other_thursday(london, senior, junior)

    services.series_cancel(series=series, by=senior)

    cancel = attached_calendars(person=senior)[-1]
    assert cancel["METHOD"] == "CANCEL"
    (event,) = cancel.walk("VEVENT")
    assert event["UID"] == series.uid and "RRULE" in event
    assert not Meeting.objects.filter(series=series, cancelled_at__isnull=True).exists()


def test_the_feed_holds_each_series_once_and_each_one_off_and_no_cancelled_one(
    london, senior, junior, one_off
):
    import icalendar

    series = _every_other_thursday(london, senior, junior)
    start = at("Europe/London", 2027, 2, 1, 9, 0)
    gone = services.meeting_plan(
        program=london,
        organizer=junior,
        participants=[junior, senior],
        title="Cancelled one",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
    )
    services.meeting_cancel(meeting=gone, by=junior)

    feed = icalendar.Calendar.from_ical(calendar_feed_build(person=junior))

    uids = sorted(str(e["UID"]) for e in feed.walk("VEVENT"))
    assert uids == sorted([series.uid, one_off.uid])
    assert "METHOD" not in feed
    expanded = recurring_ical_events.of(feed).between(
        datetime.date(2027, 1, 1), datetime.date(2027, 7, 1)
    )
    assert len(expanded) == 11


def test_changing_a_series_time_moves_its_dates_to_come_and_raises_the_sequence(
    london, senior, junior
):
    series = _every_other_thursday(london, senior, junior)

    services.series_update(
        series=series,
        by=senior,
        title="Every other Thursday, later",
        local_time=datetime.time(19, 30),
        duration_minutes=45,
    )

    first, update = attached_calendars(person=junior)
    event = update.walk("VEVENT")[0]
    assert (event["UID"], event["SEQUENCE"]) == (first.walk("VEVENT")[0]["UID"], 1)
    expanded = recurring_ical_events.of(update).between(
        datetime.date(2027, 1, 1), datetime.date(2027, 7, 1)
    )
    assert {e["DTSTART"].dt.astimezone(LONDON).time() for e in expanded} == {datetime.time(19, 30)}
    stored = series.meetings.order_by("starts_at")
    assert [m.starts_at for m in stored] == [e["DTSTART"].dt for e in expanded]
    assert {m.ends_at - m.starts_at for m in stored} == {datetime.timedelta(minutes=45)}


def test_a_local_time_that_does_not_exist_moves_forward_by_the_gap():
    from medmentor.meetings.models import local_datetime

    # 01:30 on 28 March 2027 does not exist in London (clocks go from 01:00 to 02:00).
    moved = local_datetime(datetime.date(2027, 3, 28), datetime.time(1, 30), LONDON)
    assert (moved.hour, moved.minute, moved.utcoffset()) == (2, 30, datetime.timedelta(hours=1))
