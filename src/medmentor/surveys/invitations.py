"""Survey invitations and reminders by email, through the outbox.

`survey_emails_enqueue_due` is a worker hook (settings.MEDMENTOR_WORKER_HOOKS): for
every open wave it queues the invitation to people not yet emailed, and a reminder to
those not done once `reminder_every_days` have passed since their last email, at most
`max_reminders` times. Each email has a key per invitation and send number, so any
number of runs queue each email once. Only Invitation rows are read: answers are
never consulted (privacy rule 2).
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from medmentor.messaging.services import RenderedEmail, outbox_enqueue_many
from medmentor.surveys.models import Invitation
from medmentor.surveys.services import invitation_token


def invitation_email(*, invitation: Invitation) -> RenderedEmail:
    wave = invitation.wave
    instrument = wave.instrument
    number = invitation.emails_sent + 1
    context = {
        "person": invitation.person.full_name,
        "program": instrument.program.name,
        "title": instrument.title,
        "wave": wave.get_kind_display(),
        "closes_at": wave.closes_at,
        "anonymity": instrument.anonymity_in_plain_words,
        "is_reminder": number > 1,
        "url": settings.SITE_URL
        + reverse("survey-answer", kwargs={"token": invitation_token(invitation=invitation)}),
    }
    prefix = "Reminder: " if number > 1 else ""
    return RenderedEmail(
        key=f"survey:{invitation.pk}:{number}",
        to_email=invitation.person.email,
        person_id=invitation.person_id,
        # The title is refused with a line break when saved; one saved before that rule
        # is folded onto one line here rather than fail at sending (BadHeaderError).
        subject=" ".join(
            f"{prefix}{instrument.title} ({wave.get_kind_display().lower()} survey)".split()
        ),
        text_body=render_to_string("surveys/invitation_email.txt", context),
        topic=f"program:{instrument.program_id}",
    )


def survey_emails_enqueue_due(*, now: datetime.datetime) -> int:
    due = (
        Invitation.objects.filter(is_done=False, wave__opens_at__lte=now, wave__closes_at__gt=now)
        .select_related("wave", "wave__instrument", "wave__instrument__program", "person")
        .order_by("pk")
    )
    chosen = []
    for invitation in due:
        instrument = invitation.wave.instrument
        reminder_due = invitation.last_email_at is None or (
            now - invitation.last_email_at
            >= datetime.timedelta(days=instrument.reminder_every_days)
        )
        if invitation.emails_sent == 0 or (
            invitation.emails_sent <= instrument.max_reminders and reminder_due
        ):
            chosen.append(invitation)
    if not chosen:
        return 0
    with transaction.atomic():
        new = outbox_enqueue_many(emails=[invitation_email(invitation=i) for i in chosen])
        for invitation in chosen:
            invitation.emails_sent += 1
            invitation.last_email_at = now
        Invitation.objects.bulk_update(chosen, ["emails_sent", "last_email_at"])
    return new
