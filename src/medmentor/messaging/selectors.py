"""Reads of the outbox that pages show: a program's mail, by topic, as it was sent."""

from django.db.models import Count, QuerySet

from medmentor.messaging.models import OutboxMessage, OutboxStatus


def outbox_summary(*, topic: str) -> dict[str, int]:
    """How many messages of `topic` are in each status; every status is present."""
    counts = dict.fromkeys(OutboxStatus.values, 0)
    rows = (
        OutboxMessage.objects.filter(topic=topic)
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    counts.update(rows)
    return counts


def outbox_messages(*, topic: str, status: str | None = None) -> QuerySet[OutboxMessage]:
    """The messages of `topic`, newest first, optionally only those in `status`.

    The bodies are deferred: a list page shows subjects and states, not whole emails.
    """
    messages = (
        OutboxMessage.objects.filter(topic=topic)
        .defer("text_body", "html_body")
        .order_by("-created_at", "-id")
    )
    if status:
        messages = messages.filter(status=status)
    return messages


def outbox_message(*, topic: str, message_id: int) -> OutboxMessage:
    """One message of `topic`, with its bodies; OutboxMessage.DoesNotExist otherwise
    (a message of another topic is as unknown as a missing one)."""
    return OutboxMessage.objects.get(topic=topic, pk=message_id)


def outbox_keys_with_prefix(*, prefix: str) -> set[str]:
    """The keys already in the outbox that start with `prefix` (queued in any state),
    so a caller renders only the messages it has not queued before."""
    return set(OutboxMessage.objects.filter(key__startswith=prefix).values_list("key", flat=True))
