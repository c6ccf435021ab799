"""Every write of meetings: plain keyword-only functions, one transaction each.

Each change that calendar programs must hear of queues, in the same transaction, one
email per participant with the .ics attached (emails.calendar_emails): an invitation
(METHOD:REQUEST), an update (same UID, SEQUENCE + 1) or a cancellation (METHOD:CANCEL).
Skipping one date of a series is an update of the series with one more EXDATE. Every
change also raises the calendar version of each person concerned, the key of their
cached feed (selectors.calendar_feed_body).

Refusals raise MeetingError with a message that names what was refused and why;
nothing is written then.
"""

import dataclasses
import datetime
import secrets
import uuid
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from medmentor.meetings import calendar_files as ics
from medmentor.meetings.emails import calendar_emails
from medmentor.meetings.events import meeting_event, series_event
from medmentor.meetings.models import (
    CalendarFeedToken,
    CalendarVersion,
    Meeting,
    MeetingAnswer,
    MeetingLog,
    MeetingParticipant,
    MeetingSeries,
    SkippedDate,
    local_datetime,
)
from medmentor.messaging.services import outbox_enqueue_many
from medmentor.people.models import Person
from medmentor.programs import access
from medmentor.programs.models import Program

# A series ends within this long of its start, so its occurrences are a bounded list.
SERIES_LONGEST = datetime.timedelta(days=2 * 366)
SERIES_MOST = 105


class MeetingError(ValueError):
    """A refused meeting change; the message says what and why, in plain words."""


# Program kinds whose meetings are not logged and ask nobody "did you meet?" (a
# peer-support conference keeps nothing written about what was said, and counts its
# attendance itself); a kind adds itself from its AppConfig.ready().
UNLOGGED_KINDS: set[str] = set()


# --- Checks ----------------------------------------------------------------------------


def _require_may_plan(*, program: Program, organizer: Person, participants: list[Person]) -> None:
    standing = access.program_access(organizer, program)
    if not standing.plans_meetings:
        raise MeetingError(
            f"{organizer.full_name} cannot plan meetings in {program.name}: only its "
            "mentors, mentees, director and coordinators can."
        )
    if not participants:
        raise MeetingError("A meeting needs at least one participant.")
    if not standing.manages and organizer not in participants:
        raise MeetingError(
            "You can plan meetings you take part in: add yourself to the participants."
        )
    for person in participants:
        if not access.program_access(person, program).is_enrolled:
            raise MeetingError(
                f"{person.full_name} is not in {program.name}, so cannot be invited to "
                "its meetings."
            )


def _require_organizer(*, item: Meeting | MeetingSeries, by: Person, what: str) -> None:
    if item.organizer_id != by.pk:
        raise MeetingError(
            f"Only the person who planned “{item.title}” ({item.organizer.full_name}) can "
            f"{what} it."
        )


def _check_text(*, title: str, place: str, video_url: str) -> None:
    if not title.strip():
        raise MeetingError("A meeting needs a title (e.g. “Mentoring meeting”).")
    if len(title) > 200:
        raise MeetingError(f"The title is {len(title)} characters long; at most 200 fit.")
    if len(place) > 200:
        raise MeetingError(f"The place is {len(place)} characters long; at most 200 fit.")
    if "\n" in title or "\r" in title:
        raise MeetingError("The title must be one line.")
    if video_url:
        try:
            URLValidator(schemes=["https", "http"])(video_url)
        except ValidationError:
            raise MeetingError(
                f"The video link “{video_url}” is not a web address (https://…)."
            ) from None


def _check_times(*, starts_at: datetime.datetime, ends_at: datetime.datetime, now) -> None:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise MeetingError("A meeting's start and end need a time zone.")
    if starts_at <= now:
        raise MeetingError(
            f"The start, {starts_at:%Y-%m-%d %H:%M %Z}, is in the past: a meeting is "
            "planned for later than now."
        )
    if ends_at <= starts_at:
        raise MeetingError(
            f"The end, {ends_at:%Y-%m-%d %H:%M %Z}, is not after the start, "
            f"{starts_at:%Y-%m-%d %H:%M %Z}."
        )
    if ends_at - starts_at > datetime.timedelta(hours=24):
        raise MeetingError("A meeting lasts at most 24 hours.")


def _new_uid() -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "medmentor.localhost"
    return f"{uuid.uuid4()}@{domain}"


def calendar_versions_bump(*, person_ids) -> None:
    """Raise the calendar version of each person (their cached feed is then stale).

    By a random step, not by one: a version number is then never reused, even after a
    database is restored from a backup (or a test's transaction rolled back) while
    the cache kept the feeds built under the old numbers."""
    ids = set(person_ids)
    if not ids:
        return
    existing = set(
        CalendarVersion.objects.filter(person_id__in=ids).values_list("person_id", flat=True)
    )
    CalendarVersion.objects.bulk_create(
        [CalendarVersion(person_id=pid, version=0) for pid in ids - existing],
        ignore_conflicts=True,
    )
    step = 1 + secrets.randbelow(2**40)
    CalendarVersion.objects.filter(person_id__in=ids).update(version=F("version") + step)


# --- One-off meetings ------------------------------------------------------------------


def meeting_plan(
    *,
    program: Program,
    organizer: Person,
    participants: list[Person],
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str = "",
    video_url: str = "",
    agenda: str = "",
    now: datetime.datetime | None = None,
) -> Meeting:
    """Plan a one-off meeting and queue each participant's invitation (METHOD:REQUEST)."""
    now = now or timezone.now()
    participants = list(dict.fromkeys(participants))
    _check_text(title=title, place=place, video_url=video_url)
    _check_times(starts_at=starts_at, ends_at=ends_at, now=now)
    _require_may_plan(program=program, organizer=organizer, participants=participants)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            program=program,
            organizer=organizer,
            title=title.strip(),
            starts_at=starts_at,
            ends_at=ends_at,
            time_zone=program.time_zone,
            place=place.strip(),
            video_url=video_url.strip(),
            agenda=agenda.strip(),
            uid=_new_uid(),
            created_at=now,
            updated_at=now,
        )
        MeetingParticipant.objects.bulk_create(
            [MeetingParticipant(meeting=meeting, person=p) for p in participants]
        )
        _announce_meeting(meeting=meeting, participants=participants)
    return meeting


def _announce_meeting(*, meeting: Meeting, participants: list[Person], cancelled=False) -> None:
    event = meeting_event(meeting, participants=participants)
    outbox_enqueue_many(
        emails=calendar_emails(
            event=event, people=participants, program_id=meeting.program_id, cancelled=cancelled
        )
    )
    calendar_versions_bump(person_ids=[p.pk for p in participants])


def meeting_update(
    *,
    meeting: Meeting,
    by: Person,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str = "",
    video_url: str = "",
    agenda: str = "",
    now: datetime.datetime | None = None,
) -> Meeting:
    """Change a one-off meeting (its organizer only) and queue the update: the same
    UID, SEQUENCE one higher."""
    now = now or timezone.now()
    _require_organizer(item=meeting, by=by, what="change")
    if meeting.series_id is not None:
        raise MeetingError(
            f"“{meeting.title}” on {meeting.occurrence_on:%d %B %Y} is one date of a series: "
            "change the series, or skip this date."
        )
    if meeting.is_cancelled:
        raise MeetingError(f"“{meeting.title}” is cancelled; plan a new meeting instead.")
    if meeting.ends_at <= now:
        raise MeetingError(f"“{meeting.title}” is over; a past meeting is not changed.")
    _check_text(title=title, place=place, video_url=video_url)
    _check_times(starts_at=starts_at, ends_at=ends_at, now=now)
    with transaction.atomic():
        meeting.title = title.strip()
        meeting.starts_at, meeting.ends_at = starts_at, ends_at
        meeting.place, meeting.video_url, meeting.agenda = (
            place.strip(),
            video_url.strip(),
            agenda.strip(),
        )
        meeting.sequence += 1
        meeting.updated_at = now
        meeting.save()
        _announce_meeting(meeting=meeting, participants=list(meeting.participants.all()))
    return meeting


def meeting_cancel(*, meeting: Meeting, by: Person, now: datetime.datetime | None = None) -> None:
    """Cancel a one-off meeting (METHOD:CANCEL), or skip one date of a series (the
    series' update with one more EXDATE). Its organizer only; not once it started."""
    now = now or timezone.now()
    if meeting.series is not None:
        # A meeting of a series always has its date in the series.
        assert meeting.occurrence_on is not None, f"meeting {meeting.pk} has no series date"
        series_date_skip(series=meeting.series, by=by, on=meeting.occurrence_on, now=now)
        return
    _require_organizer(item=meeting, by=by, what="cancel")
    if meeting.is_cancelled:
        raise MeetingError(f"“{meeting.title}” is already cancelled.")
    if meeting.starts_at <= now:
        raise MeetingError(f"“{meeting.title}” has started or is over; it cannot be cancelled.")
    with transaction.atomic():
        meeting.cancelled_at = now
        meeting.sequence += 1
        meeting.updated_at = now
        meeting.save(update_fields=["cancelled_at", "sequence", "updated_at"])
        _announce_meeting(
            meeting=meeting, participants=list(meeting.participants.all()), cancelled=True
        )


def meeting_participants_add(
    *,
    meeting: Meeting,
    people: list[Person],
    by: access.Actor,
    now: datetime.datetime | None = None,
) -> int:
    """Add `people` to a one-off meeting still ahead and send each new one the
    invitation. `by`: its organizer, a director or coordinator, or access.SYSTEM (a
    kind's own rule, e.g. a conference inviting a resident who joined the program after
    its session was planned). Those already invited get no update: a newcomer changes
    nothing for them, and a conference of 60 residents would mail them all at each
    newcomer. Returns how many were new."""
    now = now or timezone.now()
    if by is not access.SYSTEM and by.pk != meeting.organizer_id:
        access.require_manager(
            by, meeting.program, f"Only the organizer of “{meeting.title}” adds people to it."
        )
    if meeting.series_id is not None:
        raise MeetingError(
            f"“{meeting.title}” is one date of a series: add people to the series instead."
        )
    if meeting.is_cancelled:
        raise MeetingError(f"“{meeting.title}” is cancelled.")
    if meeting.starts_at <= now:
        raise MeetingError(f"“{meeting.title}” has started; nobody is invited to it now.")
    for person in people:
        if not access.program_access(person, meeting.program).is_enrolled:
            raise MeetingError(
                f"{person.full_name} is not in {meeting.program.name}, so cannot be invited "
                "to its meetings."
            )
    with transaction.atomic():
        known = set(meeting.participants.values_list("pk", flat=True))
        new = [p for p in dict.fromkeys(people) if p.pk not in known]
        if not new:
            return 0
        MeetingParticipant.objects.bulk_create(
            [MeetingParticipant(meeting=meeting, person=p) for p in new]
        )
        # The event as it now is (every participant listed), sent to the new ones only.
        event = meeting_event(meeting, participants=list(meeting.participants.all()))
        outbox_enqueue_many(
            emails=calendar_emails(event=event, people=new, program_id=meeting.program_id)
        )
        calendar_versions_bump(person_ids=[p.pk for p in new])
    return len(new)


# --- Series ------------------------------------------------------------------------------


def _series_dates(series: MeetingSeries) -> list[datetime.date]:
    return ics.occurrence_dates(
        starts_on=series.starts_on,
        weekday=series.weekday,
        interval_weeks=series.interval_weeks,
        ends_on=series.ends_on,
        count=None if series.ends_on else series.count,
    )


def series_plan(
    *,
    program: Program,
    organizer: Person,
    participants: list[Person],
    title: str,
    weekday: int,
    local_time: datetime.time,
    starts_on: datetime.date,
    interval_weeks: int = 1,
    duration_minutes: int = 60,
    ends_on: datetime.date | None = None,
    count: int | None = None,
    skipped: list[datetime.date] | tuple = (),
    place: str = "",
    video_url: str = "",
    agenda: str = "",
    now: datetime.datetime | None = None,
) -> MeetingSeries:
    """Plan a series ("every other Thursday 18:00" = weekday 3, 18:00, every 2 weeks)
    in the program's time zone, from `starts_on` until `ends_on` or for `count`
    meetings, without the `skipped` dates. Its occurrences are stored as meetings; the
    participants get ONE invitation (RRULE, EXDATE)."""
    now = now or timezone.now()
    participants = list(dict.fromkeys(participants))
    _check_text(title=title, place=place, video_url=video_url)
    if not 1 <= interval_weeks <= 8:
        raise MeetingError(f"“Every {interval_weeks} weeks” is refused: 1 to 8 weeks.")
    if weekday not in range(7):
        raise MeetingError(f"The weekday {weekday} is not one of Monday (0) to Sunday (6).")
    if not 5 <= duration_minutes <= 24 * 60:
        raise MeetingError(f"A length of {duration_minutes} minutes is refused: 5 to 1,440.")
    if (ends_on is None) == (count is None):
        raise MeetingError("A series needs either an end date or a number of meetings (not both).")
    if ends_on is not None and ends_on < starts_on:
        raise MeetingError(
            f"The end date, {ends_on:%d %B %Y}, is before the start date, {starts_on:%d %B %Y}."
        )
    if ends_on is not None and ends_on - starts_on > SERIES_LONGEST:
        raise MeetingError(f"The end date, {ends_on:%d %B %Y}, is more than two years ahead.")
    if count is not None and not 1 <= count <= SERIES_MOST:
        raise MeetingError(f"{count} meetings is refused: 1 to {SERIES_MOST}.")
    _require_may_plan(program=program, organizer=organizer, participants=participants)
    series = MeetingSeries(
        program=program,
        organizer=organizer,
        title=title.strip(),
        place=place.strip(),
        video_url=video_url.strip(),
        agenda=agenda.strip(),
        interval_weeks=interval_weeks,
        weekday=weekday,
        local_time=local_time,
        duration_minutes=duration_minutes,
        time_zone=program.time_zone,
        starts_on=starts_on,
        ends_on=ends_on,
        count=None if ends_on else count,
        uid=_new_uid(),
        created_at=now,
        updated_at=now,
    )
    dates = _series_dates(series)
    if dates and local_datetime(dates[0], local_time, series.zone) <= now:
        first = local_datetime(dates[0], local_time, series.zone)
        raise MeetingError(
            f"The first meeting, {first:%A %d %B %Y %H:%M}, is in the past: start the series "
            "on a later date."
        )
    skipped = sorted(set(skipped))
    stray = [day for day in skipped if day not in dates]
    if stray:
        raise MeetingError(
            f"{stray[0]:%A %d %B %Y} is not a date of this series, so it cannot be skipped."
        )
    meeting_dates = [day for day in dates if day not in skipped]
    if not meeting_dates:
        raise MeetingError(
            f"This series has no meetings: no {ics_weekday_name(weekday)} from "
            f"{starts_on:%d %B %Y}"
            + (f" to {ends_on:%d %B %Y}" if ends_on else "")
            + (" that is not skipped." if skipped else ".")
        )
    with transaction.atomic():
        series.save()
        series.participants.set(participants)
        SkippedDate.objects.bulk_create([SkippedDate(series=series, on=day) for day in skipped])
        _occurrences_create(series=series, dates=meeting_dates, participants=participants, now=now)
        _announce_series(series=series, participants=participants)
    return series


def ics_weekday_name(weekday: int) -> str:
    return ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[weekday]


def _occurrences_create(*, series, dates, participants, now) -> None:
    zone = series.zone
    meetings = []
    for day in dates:
        start = local_datetime(day, series.local_time, zone)
        meetings.append(
            Meeting(
                program_id=series.program_id,
                series=series,
                occurrence_on=day,
                organizer_id=series.organizer_id,
                title=series.title,
                starts_at=start,
                ends_at=start + datetime.timedelta(minutes=series.duration_minutes),
                time_zone=series.time_zone,
                place=series.place,
                video_url=series.video_url,
                agenda=series.agenda,
                uid=f"{series.uid}/{day:%Y%m%d}",
                created_at=now,
                updated_at=now,
            )
        )
    Meeting.objects.bulk_create(meetings)
    created = Meeting.objects.filter(series=series, occurrence_on__in=dates)
    MeetingParticipant.objects.bulk_create(
        [MeetingParticipant(meeting=m, person=p) for m in created for p in participants]
    )


def _announce_series(*, series: MeetingSeries, participants: list[Person], cancelled=False):
    event = series_event(series, participants=participants)
    outbox_enqueue_many(
        emails=calendar_emails(
            event=event, people=participants, program_id=series.program_id, cancelled=cancelled
        )
    )
    calendar_versions_bump(person_ids=[p.pk for p in participants])


def series_update(
    *,
    series: MeetingSeries,
    by: Person,
    title: str,
    local_time: datetime.time,
    duration_minutes: int,
    place: str = "",
    video_url: str = "",
    agenda: str = "",
    now: datetime.datetime | None = None,
) -> MeetingSeries:
    """Change a series' title, time, length, place, link or agenda (its organizer
    only): its meetings still to come follow; the participants get the update (same
    UID, SEQUENCE + 1)."""
    now = now or timezone.now()
    _require_organizer(item=series, by=by, what="change")
    if series.cancelled_at is not None:
        raise MeetingError(f"The series “{series.title}” is cancelled; plan a new one instead.")
    _check_text(title=title, place=place, video_url=video_url)
    if not 5 <= duration_minutes <= 24 * 60:
        raise MeetingError(f"A length of {duration_minutes} minutes is refused: 5 to 1,440.")
    with transaction.atomic():
        series.title, series.place = title.strip(), place.strip()
        series.video_url, series.agenda = video_url.strip(), agenda.strip()
        series.local_time, series.duration_minutes = local_time, duration_minutes
        series.sequence += 1
        series.updated_at = now
        series.save()
        coming = list(series.meetings.filter(starts_at__gt=now, cancelled_at__isnull=True))
        for meeting in coming:
            # The series' own meetings: each has its date in the series.
            assert meeting.occurrence_on is not None, f"meeting {meeting.pk} has no series date"
            start = local_datetime(meeting.occurrence_on, local_time, series.zone)
            meeting.starts_at = start
            meeting.ends_at = start + datetime.timedelta(minutes=duration_minutes)
            meeting.title, meeting.place = series.title, series.place
            meeting.video_url, meeting.agenda = series.video_url, series.agenda
            meeting.updated_at = now
        Meeting.objects.bulk_update(
            coming,
            ["starts_at", "ends_at", "title", "place", "video_url", "agenda", "updated_at"],
        )
        _announce_series(series=series, participants=list(series.participants.all()))
    return series


def series_participants_add(
    *,
    series: MeetingSeries,
    people: list[Person],
    by: access.Actor,
    now: datetime.datetime | None = None,
) -> int:
    """Add `people` to a series and to its meetings still to come, and send the series'
    update (SEQUENCE + 1) to all its participants, the new ones' invitation among them.
    `by`: the series' organizer, a director or coordinator, or access.SYSTEM (a kind's
    own rule adding someone, e.g. a peer-group member who accepted the agreement).
    Returns how many were new."""
    now = now or timezone.now()
    if by is not access.SYSTEM and by.pk != series.organizer_id:
        access.require_manager(
            by, series.program, f"Only the organizer of “{series.title}” adds people to it."
        )
    if series.cancelled_at is not None:
        raise MeetingError(f"The series “{series.title}” is cancelled.")
    for person in people:
        if not access.program_access(person, series.program).is_enrolled:
            raise MeetingError(
                f"{person.full_name} is not in {series.program.name}, so cannot be invited to "
                "its meetings."
            )
    with transaction.atomic():
        known = set(series.participants.values_list("pk", flat=True))
        new = [p for p in dict.fromkeys(people) if p.pk not in known]
        if not new:
            return 0
        series.participants.add(*new)
        coming = list(series.meetings.filter(starts_at__gt=now, cancelled_at__isnull=True))
        MeetingParticipant.objects.bulk_create(
            [MeetingParticipant(meeting=m, person=p) for m in coming for p in new],
            ignore_conflicts=True,
        )
        series.sequence += 1
        series.updated_at = now
        series.save(update_fields=["sequence", "updated_at"])
        _announce_series(series=series, participants=list(series.participants.all()))
    return len(new)


def series_participants_remove(
    *,
    series: MeetingSeries,
    people: list[Person],
    by: access.Actor,
    now: datetime.datetime | None = None,
) -> int:
    """Take `people` out of a series and of its meetings still to come (those that took
    place stay on record with their answers). Each of them gets the series' CANCEL
    (METHOD:CANCEL, naming them as the attendee), so their calendar drops it; the
    others get the update (SEQUENCE + 1) without them. `by`: the series' organizer, a
    director or coordinator, or access.SYSTEM (a kind's own rule, e.g. a peer-group
    member who left). Returns how many were taken out."""
    now = now or timezone.now()
    if by is not access.SYSTEM and by.pk != series.organizer_id:
        access.require_manager(
            by, series.program, f"Only the organizer of “{series.title}” takes people out of it."
        )
    with transaction.atomic():
        wanted = {p.pk for p in people}
        gone = list(series.participants.filter(pk__in=wanted))
        if not gone:
            return 0
        series.participants.remove(*gone)
        MeetingParticipant.objects.filter(
            meeting__series=series, meeting__starts_at__gt=now, person__in=gone
        ).delete()
        if series.cancelled_at is not None:
            # They had the series' cancellation already: their calendar holds nothing.
            calendar_versions_bump(person_ids=[p.pk for p in gone])
            return len(gone)
        series.sequence += 1
        series.updated_at = now
        series.save(update_fields=["sequence", "updated_at"])
        # The cancellation names only them (for the others the series goes on), and
        # says CANCELLED: for them it is, and calendars drop such an event reliably.
        event = dataclasses.replace(series_event(series, participants=gone), cancelled=True)
        outbox_enqueue_many(
            emails=calendar_emails(
                event=event, people=gone, program_id=series.program_id, cancelled=True
            )
        )
        calendar_versions_bump(person_ids=[p.pk for p in gone])
        _announce_series(series=series, participants=list(series.participants.all()))
    return len(gone)


def series_organizer_change(
    *,
    series: MeetingSeries,
    organizer: Person,
    by: access.Actor,
    now: datetime.datetime | None = None,
) -> MeetingSeries:
    """Hand a series, and its meetings still to come, to another organizer (one of its
    participants, e.g. a peer group's new facilitator), who may then change and cancel
    them; everyone gets the update (SEQUENCE + 1, the new ORGANIZER). `by`: a director
    or coordinator, or access.SYSTEM (a kind's own rule)."""
    now = now or timezone.now()
    access.require_manager(
        by, series.program, f"Only the program's staff hand “{series.title}” to someone else."
    )
    if series.cancelled_at is not None:
        raise MeetingError(f"The series “{series.title}” is cancelled.")
    if not series.participants.filter(pk=organizer.pk).exists():
        raise MeetingError(
            f"{organizer.full_name} is not invited to “{series.title}”, so cannot organize it."
        )
    if organizer.pk == series.organizer_id:
        return series
    with transaction.atomic():
        series.organizer = organizer
        series.sequence += 1
        series.updated_at = now
        series.save(update_fields=["organizer", "sequence", "updated_at"])
        series.meetings.filter(starts_at__gt=now).update(organizer=organizer, updated_at=now)
        _announce_series(series=series, participants=list(series.participants.all()))
    return series


def series_date_skip(
    *, series: MeetingSeries, by: Person, on: datetime.date, now: datetime.datetime | None = None
) -> None:
    """Cancel one date of a series: an EXDATE, sent as the series' update."""
    now = now or timezone.now()
    _require_organizer(item=series, by=by, what="change")
    if series.cancelled_at is not None:
        raise MeetingError(f"The series “{series.title}” is already cancelled.")
    meeting = series.meetings.filter(occurrence_on=on).first()
    if meeting is None or on not in _series_dates(series):
        raise MeetingError(f"{on:%A %d %B %Y} is not a date of “{series.title}”.")
    if meeting.is_cancelled:
        raise MeetingError(f"“{series.title}” on {on:%A %d %B %Y} is already cancelled.")
    if meeting.starts_at <= now:
        raise MeetingError(
            f"“{series.title}” on {on:%A %d %B %Y} has started or is over; it cannot be cancelled."
        )
    with transaction.atomic():
        SkippedDate.objects.create(series=series, on=on)
        meeting.cancelled_at = now
        meeting.updated_at = now
        meeting.save(update_fields=["cancelled_at", "updated_at"])
        series.sequence += 1
        series.updated_at = now
        series.save(update_fields=["sequence", "updated_at"])
        _announce_series(series=series, participants=list(series.participants.all()))


def series_cancel(
    *, series: MeetingSeries, by: Person, now: datetime.datetime | None = None
) -> None:
    """Cancel a whole series (METHOD:CANCEL): its meetings still to come are cancelled;
    those that took place stay on record."""
    now = now or timezone.now()
    _require_organizer(item=series, by=by, what="cancel")
    if series.cancelled_at is not None:
        raise MeetingError(f"The series “{series.title}” is already cancelled.")
    with transaction.atomic():
        series.cancelled_at = now
        series.sequence += 1
        series.updated_at = now
        series.save(update_fields=["cancelled_at", "sequence", "updated_at"])
        series.meetings.filter(starts_at__gt=now, cancelled_at__isnull=True).update(
            cancelled_at=now, updated_at=now
        )
        _announce_series(
            series=series, participants=list(series.participants.all()), cancelled=True
        )


# --- Whether it happened, and the log ---------------------------------------------------


def _happened_refresh(meeting: Meeting, now) -> None:
    answers = set(meeting.attendance.exclude(answer="").values_list("answer", flat=True))
    happened = True if MeetingAnswer.MET in answers else (False if answers else None)
    Meeting.objects.filter(pk=meeting.pk).update(happened=happened, happened_recorded_at=now)
    meeting.happened, meeting.happened_recorded_at = happened, now


def _require_loggable(*, meeting: Meeting, person: Person, now) -> MeetingParticipant:
    if meeting.program.kind in UNLOGGED_KINDS:
        raise MeetingError(
            f"“{meeting.title}” is a session of {meeting.program.name}, which keeps nothing "
            "written about what was said: it is not logged."
        )
    attendance = meeting.attendance.filter(person=person).first()
    if attendance is None:
        raise MeetingError(
            f"{person.full_name} is not in “{meeting.title}”: only its participants log it."
        )
    if meeting.is_cancelled:
        raise MeetingError(f"“{meeting.title}” was cancelled; there is nothing to log.")
    if meeting.starts_at > now:
        local = meeting.starts_at.astimezone(meeting.zone)
        raise MeetingError(
            f"“{meeting.title}” is on {local:%A %d %B %Y %H:%M}; it can be logged once it started."
        )
    return attendance


def meeting_answer_record(
    *, meeting: Meeting, person: Person, answer: str, now: datetime.datetime | None = None
) -> None:
    """`person` (a participant) says whether the meeting took place."""
    now = now or timezone.now()
    if answer not in MeetingAnswer.values:
        raise MeetingError(f"“{answer}” is not an answer: “met” or “not_met”.")
    with transaction.atomic():
        attendance = _require_loggable(meeting=meeting, person=person, now=now)
        attendance.answer, attendance.answered_at = answer, now
        attendance.save(update_fields=["answer", "answered_at"])
        _happened_refresh(meeting, now)


def meeting_log(
    *,
    meeting: Meeting,
    by: Person,
    minutes: int,
    topics: str = "",
    now: datetime.datetime | None = None,
) -> MeetingLog:
    """Log a meeting that took place: its length and topics (private to its
    participants); it counts as "we met" for `by`."""
    now = now or timezone.now()
    if not 1 <= minutes <= 24 * 60:
        raise MeetingError(f"A length of {minutes} minutes is refused: 1 to 1,440.")
    with transaction.atomic():
        attendance = _require_loggable(meeting=meeting, person=by, now=now)
        log, _ = MeetingLog.objects.update_or_create(
            meeting=meeting,
            defaults={
                "minutes": minutes,
                "topics": topics.strip(),
                "logged_by": by,
                "logged_at": now,
            },
        )
        attendance.answer, attendance.answered_at = MeetingAnswer.MET, now
        attendance.save(update_fields=["answer", "answered_at"])
        _happened_refresh(meeting, now)
    return log


# --- The private calendar feed ----------------------------------------------------------


def calendar_feed_token_create(*, person: Person, now: datetime.datetime | None = None) -> str:
    """A new secret feed token for `person` (returned once, stored only as its SHA-256);
    any earlier token of theirs stops working."""
    now = now or timezone.now()
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeedToken.objects.filter(person=person, revoked_at__isnull=True).update(
            revoked_at=now
        )
        CalendarFeedToken.objects.create(
            person=person, digest=CalendarFeedToken.digest_of(raw), created_at=now
        )
    return raw


def calendar_feed_token_revoke(*, person: Person, now: datetime.datetime | None = None) -> int:
    """Stop `person`'s feed address from working. Returns how many were live (0 or 1)."""
    now = now or timezone.now()
    with transaction.atomic():
        return CalendarFeedToken.objects.filter(person=person, revoked_at__isnull=True).update(
            revoked_at=now
        )
