"""Survey invitations and reminders by email, through the outbox.

`survey_emails_enqueue_due` is a worker hook (site/management/commands/worker.py): for
every open wave it queues the invitation to people not yet emailed, and a reminder
once `reminder_every_days` have passed since their last email, at most
`max_reminders` times. Each email has a key per invitation and send number, so any
number of runs queue each email once. Only Invitation rows are read: answers are
never consulted (privacy rule 2).

Who gets a reminder follows the survey's anonymity mode, because staff read the
outbox: in identified mode only those not done (staff may know who answered); in
coded and anonymous modes everyone invited, worded "if you have already answered or
declined, thank you", so the outbox (who got a reminder) never tells who answered.

The emails hold a placeholder for the answering link (messaging/personal_links.py,
kind "survey", the invitation's id); the worker mints the link at delivery through
`invitation_link_mint`, for the invitation's own person only, so the outbox never
holds a token that staff could open, poll or answer with.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from medmentor.messaging.personal_links import personal_link_placeholder
from medmentor.messaging.services import RenderedEmail, outbox_enqueue_many
from medmentor.people.models import Person
from medmentor.surveys.models import Anonymity, Invitation
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
        # Reminders of a coded or anonymous survey go to everyone invited (see above).
        "reminds_everyone": instrument.anonymity != Anonymity.IDENTIFIED,
        "url": personal_link_placeholder(kind="survey", ref=invitation.pk),
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


def invitation_link_mint(*, person: Person, ref: str) -> str | None:
    """The answering link of invitation `ref`, when it is `person`'s; None otherwise
    (the minter of the "survey" personal links, registered in SurveysConfig.ready)."""
    if not ref.isdigit():
        return None
    invitation = Invitation.objects.filter(pk=int(ref), person=person).first()
    if invitation is None:
        return None
    token = invitation_token(invitation=invitation)
    return settings.SITE_URL + reverse("survey-answer", kwargs={"token": token})


def survey_emails_enqueue_due(*, now: datetime.datetime) -> int:
    # Identified mode: those not done. Coded and anonymous: everyone invited, so the
    # emails queued never depend on who answered (see the module text).
    not_done_or_not_identified = Q(is_done=False) | ~Q(
        wave__instrument__anonymity=Anonymity.IDENTIFIED
    )
    due = (
        Invitation.objects.filter(
            not_done_or_not_identified, wave__opens_at__lte=now, wave__closes_at__gt=now
        )
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
