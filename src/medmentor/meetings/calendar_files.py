"""RFC 5545 calendar files, written with `icalendar`: invitations (METHOD:REQUEST,
METHOD:CANCEL) and a person's feed.

Plain data in, bytes out (no database), so the benchmark and the tests build files
from `CalendarEvent`s directly. A one-off is one VEVENT; a series is ONE VEVENT with
an RRULE and an EXDATE per skipped date, its start in the series' own time zone
(TZID) with that zone's VTIMEZONE in the file, so "18:00" stays 18:00 across a
daylight-saving change in every calendar program.

An update keeps the UID and carries a higher SEQUENCE; a cancellation is METHOD:CANCEL
with STATUS:CANCELLED and the same UID (RFC 5546, 3.2.2 and 3.2.5).
"""

import datetime
import functools
import zoneinfo
from dataclasses import dataclass, field

from icalendar import Calendar, Event, Timezone, vCalAddress, vRecur, vText

PRODID = "-//medmentor//meetings//EN"
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class Recurrence:
    """Every `interval_weeks` weeks on `weekday` (0 = Monday), until the end of
    `until` (a local date) or for `count` occurrences."""

    interval_weeks: int
    weekday: int
    until: datetime.date | None = None
    count: int | None = None


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    sequence: int
    title: str
    starts_at: datetime.datetime  # aware, in `time_zone` (the first occurrence of a series)
    ends_at: datetime.datetime
    time_zone: str
    organizer: Person
    attendees: tuple[Person, ...]
    stamp: datetime.datetime  # when this version was made (DTSTAMP, LAST-MODIFIED)
    place: str = ""
    video_url: str = ""
    agenda: str = ""
    url: str = ""  # the meeting's page on the site
    recurrence: Recurrence | None = None
    skipped: tuple[datetime.datetime, ...] = field(default=())  # local starts (EXDATE)
    cancelled: bool = False


@functools.lru_cache(maxsize=256)
def _vtimezone(name: str, first_year: int, last_year: int) -> Timezone:
    """The VTIMEZONE of `name` covering the years given (its rules from zoneinfo).
    Cached: the same zone and years give the same component, which is only read."""
    return Timezone.from_tzinfo(
        zoneinfo.ZoneInfo(name),
        first_date=datetime.date(first_year, 1, 1),
        last_date=datetime.date(last_year, 12, 31),
    )


def _address(person: Person) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["CN"] = vText(person.name)
    return address


def _event(item: CalendarEvent, *, method: str | None) -> Event:
    zone = zoneinfo.ZoneInfo(item.time_zone)
    event = Event()
    event.add("uid", item.uid)
    event.add("sequence", item.sequence)
    event.add("dtstamp", item.stamp.astimezone(datetime.UTC))
    event.add("last-modified", item.stamp.astimezone(datetime.UTC))
    event.add("summary", item.title)
    event.add("dtstart", item.starts_at.astimezone(zone))
    event.add("dtend", item.ends_at.astimezone(zone))
    location = " · ".join(part for part in (item.place, item.video_url) if part)
    if location:
        event.add("location", location)
    description = "\n\n".join(part for part in (item.agenda, item.video_url, item.url) if part)
    if description:
        event.add("description", description)
    if item.url:
        event.add("url", item.url)
    event.add("organizer", _address(item.organizer))
    for attendee in item.attendees:
        address = _address(attendee)
        address.params["ROLE"] = vText("REQ-PARTICIPANT")
        address.params["PARTSTAT"] = vText("NEEDS-ACTION")
        if method == "REQUEST":
            address.params["RSVP"] = vText("TRUE")
        event.add("attendee", address, encode=0)
    if item.recurrence is not None:
        rule = vRecur(
            FREQ="WEEKLY",
            INTERVAL=item.recurrence.interval_weeks,
            BYDAY=WEEKDAYS[item.recurrence.weekday],
            WKST="MO",
        )
        if item.recurrence.until is not None:
            # With a TZID start, UNTIL is given in UTC (RFC 5545, 3.3.10): the end of
            # the last local day.
            last = datetime.datetime.combine(
                item.recurrence.until, datetime.time(23, 59, 59), tzinfo=zone
            )
            rule["UNTIL"] = last.astimezone(datetime.UTC)
        else:
            rule["COUNT"] = item.recurrence.count
        event.add("rrule", rule)
        if item.skipped:
            event.add("exdate", [start.astimezone(zone) for start in sorted(item.skipped)])
    if item.cancelled:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    return event


def _calendar(items: list[CalendarEvent], *, method: str | None, name: str = "") -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    years: dict[str, tuple[int, int]] = {}
    for item in items:
        first, last = item.starts_at.year, item.ends_at.year
        if item.recurrence is not None:
            end = item.recurrence.until or (
                item.starts_at.date()
                + datetime.timedelta(weeks=item.recurrence.interval_weeks * item.recurrence.count)
            )
            last = max(last, end.year)
        low, high = years.get(item.time_zone, (first, last))
        years[item.time_zone] = (min(low, first), max(high, last))
    for zone_name, (first, last) in sorted(years.items()):
        if zone_name != "UTC":
            calendar.add_component(_vtimezone(zone_name, first - 1, last + 1))
    for item in items:
        calendar.add_component(_event(item, method=method))
    return calendar.to_ical()


def invitation_ics(*, event: CalendarEvent) -> bytes:
    """The invitation, or its update (same UID, higher SEQUENCE): METHOD:REQUEST."""
    return _calendar([event], method="REQUEST")


def cancellation_ics(*, event: CalendarEvent) -> bytes:
    """The cancellation of a meeting or of a whole series: METHOD:CANCEL."""
    return _calendar([event], method="CANCEL")


def feed_ics(*, events: list[CalendarEvent], name: str) -> bytes:
    """A person's feed: every meeting and series of theirs, no METHOD (a published
    calendar, RFC 5545), cancelled ones left out."""
    return _calendar([e for e in events if not e.cancelled], method=None, name=name)


def occurrence_dates(
    *,
    starts_on: datetime.date,
    weekday: int,
    interval_weeks: int,
    ends_on: datetime.date | None = None,
    count: int | None = None,
) -> list[datetime.date]:
    """The local dates of a weekly recurrence before skipped dates are taken out: the
    first `weekday` on or after `starts_on`, then every `interval_weeks` weeks, up to
    `ends_on` (inclusive) or `count` dates — the dates the RRULE of `_event` names."""
    if ends_on is None and count is None:
        raise ValueError("A recurrence needs an end date or a number of meetings.")
    first = starts_on + datetime.timedelta(days=(weekday - starts_on.weekday()) % 7)
    step = datetime.timedelta(weeks=interval_weeks)
    dates = []
    day = first
    while (ends_on is None or day <= ends_on) and (count is None or len(dates) < count):
        dates.append(day)
        day += step
    return dates
