"""Meetings and series of meetings, shared by every program kind.

A Meeting belongs to a program and has participants (people); it is either a one-off
or one occurrence of a MeetingSeries ("every other Thursday 18:00"). A series is one
calendar event with a recurrence rule (RFC 5545 RRULE) and skipped dates (EXDATE);
its occurrences are also stored as Meeting rows, so each can be logged and reminded
of like a one-off.

Times: a one-off stores its start and end as instants (UTC); a series stores its
weekday and local time in its time zone (the program's), so "18:00" stays 18:00 on
both sides of a daylight-saving change.

Privacy: whether a meeting happened is known to the program's staff; its length and
topics (MeetingLog) are the participants' alone (meetings/selectors.py).
"""

import datetime
import hashlib
import zoneinfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from medmentor.programs.models import Weekday, validate_time_zone


class MeetingSeries(models.Model):
    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="meeting_series"
    )
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="organized_series"
    )
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="meeting_series")
    title = models.CharField(max_length=200)
    place = models.CharField(max_length=200, blank=True)
    video_url = models.URLField(blank=True)
    agenda = models.TextField(blank=True)
    # The recurrence: every `interval_weeks` weeks on `weekday` at `local_time` in
    # `time_zone`, from the first such day on or after `starts_on`, until `ends_on`
    # (inclusive) or for `count` occurrences (skipped dates count, as in RFC 5545).
    interval_weeks = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    weekday = models.IntegerField(choices=Weekday.choices)
    local_time = models.TimeField()
    duration_minutes = models.PositiveIntegerField(
        default=60, validators=[MinValueValidator(5), MaxValueValidator(24 * 60)]
    )
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    count = models.PositiveIntegerField(null=True, blank=True)
    # The calendar identity: UID never changes; SEQUENCE rises with every change sent.
    uid = models.CharField(max_length=100, unique=True)
    sequence = models.PositiveIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=False) | models.Q(count__isnull=False),
                name="series_has_an_end",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class SkippedDate(models.Model):
    """A date on which a series does not meet (EXDATE)."""

    series = models.ForeignKey(MeetingSeries, on_delete=models.CASCADE, related_name="skipped")
    on = models.DateField()

    class Meta:
        ordering = ["on"]
        constraints = [models.UniqueConstraint(fields=["series", "on"], name="unique_skipped_date")]


class Meeting(models.Model):
    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="meetings"
    )
    series = models.ForeignKey(
        MeetingSeries, null=True, blank=True, on_delete=models.CASCADE, related_name="meetings"
    )
    # For an occurrence of a series: its local date (the date EXDATE names).
    occurrence_on = models.DateField(null=True, blank=True)
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="organized_meetings"
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="MeetingParticipant", related_name="meetings"
    )
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    place = models.CharField(max_length=200, blank=True)
    video_url = models.URLField(blank=True)
    agenda = models.TextField(blank=True)
    # A one-off's calendar identity (an occurrence travels in its series' event).
    uid = models.CharField(max_length=100, unique=True)
    sequence = models.PositiveIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Whether it took place, as its participants said (None: nobody said yet). Staff
    # may see this, and only this, of a meeting they are not in.
    happened = models.BooleanField(null=True, blank=True)
    happened_recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["series", "occurrence_on"], name="unique_series_occurrence"
            ),
        ]
        indexes = [models.Index(fields=["program", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d %H:%M} UTC)"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class MeetingAnswer(models.TextChoices):
    MET = "met", "We met"
    NOT_MET = "not_met", "We didn't meet"


class MeetingParticipant(models.Model):
    """A person in a meeting, and what they answered to "did you meet?"."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_attendance"
    )
    answer = models.CharField(max_length=10, choices=MeetingAnswer.choices, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="unique_meeting_person")
        ]
        indexes = [models.Index(fields=["person", "meeting"])]


class MeetingLog(models.Model):
    """What the participants wrote about a meeting: its length and topics. Private to
    the meeting's participants (selectors.meeting_for_viewer)."""

    private_to_owner = True

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="log")
    minutes = models.PositiveIntegerField(validators=[MaxValueValidator(24 * 60)])
    topics = models.TextField(blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    logged_at = models.DateTimeField(default=timezone.now)


class WeMetLink(models.Model):
    """One minted "we met" / "we didn't meet" link: its nonce, whose it is, and when it
    was used (once at most). The signed token in the URL carries the nonce."""

    private_to_owner = True

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="we_met_links")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="we_met_links"
    )
    answer = models.CharField(max_length=10, choices=MeetingAnswer.choices)
    nonce = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)


class CalendarFeedToken(models.Model):
    """A person's private calendar feed address. Only the SHA-256 of its secret is
    stored; at most one is live per person (regenerating revokes the old one)."""

    private_to_owner = True

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed_tokens"
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def digest_of(raw_token: str) -> str:
        return hashlib.sha256(raw_token.encode()).hexdigest()


class CalendarVersion(models.Model):
    """A number per person that rises whenever any of their meetings or series changes:
    the key of their cached feed, so a feed request reads one row before the cache."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_version"
    )
    version = models.PositiveBigIntegerField(default=1)


def local_datetime(day: datetime.date, time: datetime.time, zone: zoneinfo.ZoneInfo):
    """`day` at `time` in `zone`, as an aware datetime that exists (a time in the gap of
    a spring-forward change moves forward by the gap, as calendar programs do)."""
    naive = datetime.datetime.combine(day, time)
    aware = naive.replace(tzinfo=zone)
    return aware.astimezone(datetime.UTC).astimezone(zone)
