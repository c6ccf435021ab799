"""Background work of conferences.

`conference_work_due(now=...)` is a worker hook (`conference` in
site/management/commands/worker.py). It queues

- a reminder to each person asked to take a part who has not answered two days
  after the ask, while the session is still ahead (once: the outbox key names the part);
- the calendar invitation of each session still ahead to the residents and faculty who
  joined the program after it was planned (services.session_invitations_sync);
- the anonymous feedback form of each session that ended in the last week and was not
  cancelled: its survey wave is made and everyone invited to the session is invited
  to it (the surveys hook then sends those invitations and their reminder).

Running it any number of times queues each email once and makes each wave once.
"""

import datetime

from django.utils import timezone

from medmentor.conferences.models import ConferenceSession, PartStatus, SessionPart
from medmentor.conferences.services import (
    ConferenceError,
    feedback_open,
    part_email,
    session_invitations_sync,
)
from medmentor.messaging.services import outbox_enqueue_many, outbox_keys_existing
from medmentor.programs import access
from medmentor.programs.models import Program

REMIND_AFTER = datetime.timedelta(days=2)
FEEDBACK_WITHIN = datetime.timedelta(days=7)


def conference_work_due(*, now: datetime.datetime | None = None) -> int:
    """Queue the reminders and open the feedback forms now due; returns how many
    emails were queued (the feedback invitations are the surveys hook's)."""
    now = now or timezone.now()
    waiting = list(
        SessionPart.objects.filter(
            status=PartStatus.ASKED,
            asked_at__lte=now - REMIND_AFTER,
            session__meeting__starts_at__gt=now,
            session__meeting__cancelled_at__isnull=True,
            person__is_active=True,
        )
        .select_related("person", "session__meeting", "session__facilitator", "session__program")
        .order_by("pk")
    )
    existing = outbox_keys_existing(keys=[f"conference-reminder:{part.pk}" for part in waiting])
    emails = [
        part_email(part=part, what="reminder")
        for part in waiting
        if f"conference-reminder:{part.pk}" not in existing
    ]
    queued = outbox_enqueue_many(emails=emails) if emails else 0
    ahead = Program.objects.filter(
        conference_sessions__meeting__starts_at__gt=now,
        conference_sessions__meeting__cancelled_at__isnull=True,
    ).distinct()
    for program in ahead:
        session_invitations_sync(program=program, by=access.SYSTEM, now=now)
    ended = ConferenceSession.objects.filter(
        feedback_wave__isnull=True,
        meeting__cancelled_at__isnull=True,
        meeting__ends_at__lte=now,
        meeting__ends_at__gt=now - FEEDBACK_WITHIN,
    ).select_related("meeting", "program")
    for session in ended:
        try:
            feedback_open(session=session, by=access.SYSTEM, now=now)
        except ConferenceError:
            continue  # opened by someone else meanwhile
    return queued
