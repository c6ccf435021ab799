"""Peer-support conferences (seed 001): sessions, their run sheets, who has a part in
each, attendance and the program's list of where to get help.

A session is one meeting of the `meetings` app (a one-off, or one date of a series):
the meeting holds the time, place or video link, and the calendar invitations of every
resident and faculty member of the program (attendance is optional). This app adds
what a conference needs on top: the resident facilitator, the run sheet, the
storytellers and supportive faculty asked ahead, and attendance.

Privacy: who attended is counted, never listed (selectors.py); who declined to tell
a story is the facilitator's, the director's and their own. The feedback after each
session is an anonymous survey wave (medmentor.surveys): no table here points at a
response, and the wave's invitations go to everyone invited to the session, not to
those who came, so nothing joins an answer or a check-in to a person.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone


class ConferenceSession(models.Model):
    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="conference_sessions"
    )
    meeting = models.OneToOneField(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="conference_session"
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The anonymous feedback survey's one wave, made once the session is over.
    feedback_wave = models.OneToOneField(
        "surveys.Wave",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conference_session",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting__starts_at", "id"]

    def __str__(self) -> str:
        return str(self.meeting)

    @property
    def minutes(self) -> int:
        """The session's length, from its meeting."""
        return int((self.meeting.ends_at - self.meeting.starts_at).total_seconds() // 60)


class ConferenceDefaults(models.Model):
    """What a new session of the program starts with on the planning page (asked when
    the program is created): its length, and its room or video link."""

    program = models.OneToOneField(
        "programs.Program", on_delete=models.CASCADE, related_name="conference_defaults"
    )
    minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(15), MaxValueValidator(240)]
    )
    place = models.CharField(max_length=200, blank=True)
    video_url = models.URLField(blank=True)


class SegmentKind(models.TextChoices):
    WELCOME = "welcome", "Welcome"
    STORIES = "stories", "Stories"
    FACULTY = "faculty", "Faculty reflections"
    OPEN = "open", "Open sharing"
    CLOSING = "closing", "Closing moment"
    OTHER = "other", "Other"


class Segment(models.Model):
    """One part of a session's run sheet, in order, with its length and who leads it
    (in words: the chaplain who closes may not be in the program)."""

    session = models.ForeignKey(
        ConferenceSession, on_delete=models.CASCADE, related_name="segments"
    )
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=SegmentKind.choices)
    title = models.CharField(max_length=200, blank=True)
    minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    led_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "position"], name="unique_segment_position")
        ]

    @property
    def label(self) -> str:
        return self.title or self.get_kind_display()


class PartKind(models.TextChoices):
    STORYTELLER = "storyteller", "Storyteller"
    FACULTY = "faculty", "Supportive faculty"


class PartStatus(models.TextChoices):
    ASKED = "asked", "Asked, no answer yet"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class SessionPart(models.Model):
    """Someone asked ahead to take a part in a session: a resident to tell a story, a
    faculty member to share how they cope. Asked once per session and part."""

    session = models.ForeignKey(ConferenceSession, on_delete=models.CASCADE, related_name="parts")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conference_parts"
    )
    kind = models.CharField(max_length=20, choices=PartKind.choices)
    status = models.CharField(max_length=20, choices=PartStatus.choices, default=PartStatus.ASKED)
    asked_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "person__full_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person", "kind"], name="unique_session_part"
            )
        ]


class CheckInWay(models.TextChoices):
    SELF = "self", "Checked in themselves"
    TICK = "tick", "Ticked by the facilitator"


class Attendance(models.Model):
    """Someone was there. Counted on every page, never listed (selectors.py)."""

    private_to_owner = True

    session = models.ForeignKey(
        ConferenceSession, on_delete=models.CASCADE, related_name="attendance"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conference_attendance"
    )
    way = models.CharField(max_length=10, choices=CheckInWay.choices)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="unique_attendance")
        ]


class HelpResource(models.Model):
    """Where to get help (the program's list, edited by its director): the employee
    assistance program, a chaplain, a crisis line."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="help_resources"
    )
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    detail = models.CharField(max_length=500, blank=True)
    url = models.URLField(blank=True)

    class Meta:
        ordering = ["position", "id"]


class PartAnswerLink(models.Model):
    """One minted "yes, I'll take part" / "no, thank you" link of an ask email: its
    nonce, the part it answers, and when it was used (once at most). Minted at delivery
    for the person asked alone (answer_links.py); the signed token in the URL carries
    the nonce, so neither the outbox nor this row holds a working link."""

    private_to_owner = True

    part = models.ForeignKey(SessionPart, on_delete=models.CASCADE, related_name="answer_links")
    accept = models.BooleanField()
    nonce = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)
