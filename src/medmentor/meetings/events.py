"""Meetings and series as calendar events (calendar_files.CalendarEvent): the one
place where rows become what the .ics files say."""

import datetime

from django.conf import settings
from django.urls import reverse

from medmentor.meetings import calendar_files as ics
from medmentor.meetings.models import Meeting, MeetingSeries, local_datetime


def _person(person) -> ics.Person:
    return ics.Person(name=person.full_name, email=person.email)


def meeting_page_url(meeting: Meeting) -> str:
    return settings.SITE_URL + reverse(
        "meeting-detail", kwargs={"slug": meeting.program.slug, "meeting_id": meeting.pk}
    )


def meeting_event(meeting: Meeting, *, participants=None) -> ics.CalendarEvent:
    """A one-off meeting as one event. `participants` may be given (already fetched)."""
    people = participants if participants is not None else list(meeting.participants.all())
    return ics.CalendarEvent(
        uid=meeting.uid,
        sequence=meeting.sequence,
        title=meeting.title,
        starts_at=meeting.starts_at.astimezone(meeting.zone),
        ends_at=meeting.ends_at.astimezone(meeting.zone),
        time_zone=meeting.time_zone,
        organizer=_person(meeting.organizer),
        attendees=tuple(_person(p) for p in people),
        stamp=meeting.updated_at,
        place=meeting.place,
        video_url=meeting.video_url,
        agenda=meeting.agenda,
        url=meeting_page_url(meeting),
        cancelled=meeting.is_cancelled,
    )


def series_event(series: MeetingSeries, *, participants=None, skipped=None) -> ics.CalendarEvent:
    """A series as ONE event: its first occurrence, an RRULE and an EXDATE per skipped
    date. `participants` and `skipped` (dates) may be given (already fetched)."""
    zone = series.zone
    first_day = ics.occurrence_dates(
        starts_on=series.starts_on,
        weekday=series.weekday,
        interval_weeks=series.interval_weeks,
        count=1,
    )[0]
    starts_at = local_datetime(first_day, series.local_time, zone)
    people = participants if participants is not None else list(series.participants.all())
    days = skipped if skipped is not None else [s.on for s in series.skipped.all()]
    return ics.CalendarEvent(
        uid=series.uid,
        sequence=series.sequence,
        title=series.title,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=series.duration_minutes),
        time_zone=series.time_zone,
        organizer=_person(series.organizer),
        attendees=tuple(_person(p) for p in people),
        stamp=series.updated_at,
        place=series.place,
        video_url=series.video_url,
        agenda=series.agenda,
        url=settings.SITE_URL + reverse("meetings", kwargs={"slug": series.program.slug}),
        recurrence=ics.Recurrence(
            interval_weeks=series.interval_weeks,
            weekday=series.weekday,
            until=series.ends_on,
            count=None if series.ends_on else series.count,
        ),
        skipped=tuple(local_datetime(day, series.local_time, zone) for day in sorted(days)),
        cancelled=series.cancelled_at is not None,
    )
