"""The outbox: every email medmentor sends, as rendered, with its delivery state."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class OutboxStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed, will retry"
    GAVE_UP = "gave_up", "Failed, gave up"


class OutboxMessage(models.Model):
    """One email to one person.

    `key` is unique (e.g. ``weekly:<program>:<week>:<person>``): enqueueing the same
    message twice keeps one row, so a restarted scheduler never doubles an email. A
    worker claims rows with a conditional UPDATE, so two workers never send one row.
    """

    key = models.CharField(max_length=200, unique=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outbox_messages",
    )
    to_email = models.EmailField()
    subject = models.CharField(max_length=300)
    text_body = models.TextField()
    html_body = models.TextField(blank=True)
    # The caller's label (e.g. "program:7") so each program's director sees its own mail.
    topic = models.CharField(max_length=100, db_index=True, blank=True)
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.QUEUED
    )
    created_at = models.DateTimeField(default=timezone.now)
    send_after = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "send_after"], name="outbox_due"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_email} ({self.get_status_display()})"

    @property
    def tries(self) -> int:
        """Delivery attempts made: `attempts` counts only the failed ones, so a message
        sent at the first try has attempts 0 and tries 1 (never "Sent" after 0 tries)."""
        return self.attempts + (1 if self.status == OutboxStatus.SENT else 0)


class OutboxAttachment(models.Model):
    """A file sent with an outbox message, e.g. a calendar invitation (.ics).

    Callers hand over the rendered bytes and their content type, as they hand over
    rendered bodies; the worker attaches them as they are. The content type may carry
    parameters (``text/calendar; method=REQUEST``), which mail programs read.
    """

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=200)
    content = models.BinaryField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "filename"], name="unique_outbox_attachment_name"
            )
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.content_type})"
