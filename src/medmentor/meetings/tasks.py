"""Background work of meetings.

`meetings_emails_enqueue_due(now=...)` is a worker hook (`meeting-emails` in
site/management/commands/worker.py): it queues

- a reminder to each participant of a meeting starting within the next 24 hours;
- after a meeting ended (within the last 7 days), the "did you meet?" email with its
  one-click links to each participant who has not answered yet.

Each email's outbox key names the meeting and person (and, for a reminder, the start),
so any number of runs queue each email once; keys already queued are looked up before
anything is rendered.
"""

import datetime

from django.utils import timezone

from medmentor.meetings.emails import (
    after_meeting_email,
    after_meeting_key,
    reminder_email,
    reminder_window,
)
from medmentor.meetings.models import MeetingParticipant
from medmentor.meetings.services import UNLOGGED_KINDS
from medmentor.messaging.services import outbox_enqueue_many, outbox_keys_existing

AFTER_MEETING_WINDOW = datetime.timedelta(days=7)


def _attendance(meetings_filter) -> list[MeetingParticipant]:
    return list(
        MeetingParticipant.objects.filter(**meetings_filter)
        .filter(meeting__cancelled_at__isnull=True, person__is_active=True)
        .select_related("meeting", "meeting__program", "person")
        .order_by("meeting__starts_at", "meeting_id", "person_id")
    )


def meetings_emails_enqueue_due(*, now: datetime.datetime | None = None) -> int:
    """Queue the reminders and after-meeting emails now due; returns how many were new."""
    now = now or timezone.now()
    reminders = _attendance(
        {"meeting__starts_at__gt": now, "meeting__starts_at__lte": now + reminder_window()}
    )
    after = [
        row
        for row in _attendance(
            {"meeting__ends_at__lte": now, "meeting__ends_at__gt": now - AFTER_MEETING_WINDOW}
        )
        if not row.answer and row.meeting.program.kind not in UNLOGGED_KINDS
    ]
    wanted = {}
    for row in reminders:
        key = (
            f"meeting-reminder:{row.meeting_id}:{row.person_id}:{row.meeting.starts_at:%Y%m%dT%H%M}"
        )
        wanted[key] = ("reminder", row)
    for row in after:
        wanted[after_meeting_key(meeting_id=row.meeting_id, person_id=row.person_id)] = (
            "after",
            row,
        )
    existing = outbox_keys_existing(keys=list(wanted))
    emails = []
    for key, (kind, row) in wanted.items():
        if key in existing:
            continue
        make = reminder_email if kind == "reminder" else after_meeting_email
        emails.append(make(meeting=row.meeting, person=row.person))
    if not emails:
        return 0
    return outbox_enqueue_many(emails=emails)
