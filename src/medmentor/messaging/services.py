"""Every write to the outbox. Callers hand over rendered messages; messaging knows only people."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from medmentor.messaging.models import OutboxMessage
from medmentor.people.models import Person


@dataclass(frozen=True)
class RenderedEmail:
    """One email ready to queue: who gets it, and its subject, text and HTML parts."""

    key: str
    to_email: str
    subject: str
    text_body: str
    html_body: str = ""
    person_id: int | None = None
    topic: str = ""
    send_after: datetime.datetime | None = None


def outbox_enqueue_many(*, emails: list[RenderedEmail], batch_size: int = 1000) -> int:
    """Queue emails; a key already in the outbox is left as it is. Returns how many were new."""
    now = timezone.now()
    keys = [email.key for email in emails]
    with transaction.atomic():
        existing = set()
        for start in range(0, len(keys), batch_size):
            existing.update(
                OutboxMessage.objects.filter(key__in=keys[start : start + batch_size]).values_list(
                    "key", flat=True
                )
            )
        rows = [
            OutboxMessage(
                key=email.key,
                person_id=email.person_id,
                to_email=email.to_email,
                subject=email.subject,
                text_body=email.text_body,
                html_body=email.html_body,
                topic=email.topic,
                created_at=now,
                send_after=email.send_after or now,
            )
            for email in emails
            if email.key not in existing
        ]
        # ignore_conflicts covers a second scheduler that raced us to the same key.
        OutboxMessage.objects.bulk_create(rows, batch_size=batch_size, ignore_conflicts=True)
    return len(rows)


def outbox_enqueue(*, email: RenderedEmail) -> bool:
    return outbox_enqueue_many(emails=[email]) == 1


def sign_in_link_send(*, person: Person, url: str) -> None:
    context = {"person": person, "url": url}
    outbox_enqueue(
        email=RenderedEmail(
            key=f"sign-in:{person.pk}:{url.rsplit('/', 2)[-2][-40:]}",
            to_email=person.email,
            person_id=person.pk,
            subject="Your medmentor sign-in link",
            text_body=render_to_string("messaging/sign_in_link.txt", context),
            html_body=render_to_string("messaging/sign_in_link.html", context),
            topic="sign-in",
        )
    )
