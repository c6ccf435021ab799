"""Reads of the outbox that pages show: a program's mail, by topic, as it was queued.

One thing is never shown: the token of a personal link (sign-in, survey answer).
Whoever could read one could sign in as that learner, or answer in their name. The
outbox holds none to begin with: emails hold placeholders and the worker mints the
links at delivery (messaging/personal_links.py). The pages still hide anything that
looks like a personal link's token (`sign_in_tokens_hide`), a second lock in case a
row was written some other way.
"""

import re
from dataclasses import dataclass
from functools import cache

from django.db.models import Count, QuerySet
from django.urls import NoReverseMatch, reverse

from medmentor.messaging.models import OutboxMessage, OutboxStatus
from medmentor.messaging.services import message_id_for_key

SIGN_IN_LINK_PLACEHOLDER = "personal-link-hidden"


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


# The URL names of the pages whose address holds a personal token.
_TOKEN_URL_NAMES = (
    "sign-in-link",
    "survey-answer",
    "meeting-we-met",
    "calendar-feed",
    "conference-answer-link",
)


@cache
def _token_link_pattern() -> re.Pattern[str]:
    marker = "TOKEN"
    prefixes = []
    for name in _TOKEN_URL_NAMES:
        try:
            prefixes.append(reverse(name, kwargs={"token": marker}).split(marker)[0])
        except NoReverseMatch:
            continue
    return re.compile("(" + "|".join(re.escape(p) for p in prefixes) + r")[^/\s\"'<>?&]+")


def sign_in_tokens_hide(text: str) -> str:
    """`text` with the token of every sign-in or survey answering link replaced by a
    placeholder word (defence in depth: the outbox should hold none)."""
    return _token_link_pattern().sub(r"\1" + SIGN_IN_LINK_PLACEHOLDER, text)


@dataclass(frozen=True)
class SentMessage:
    """An outbox message as its recipient got it, sign-in tokens hidden."""

    message: OutboxMessage
    message_id: str
    text_body: str
    html_body: str

    @property
    def can_retry(self) -> bool:
        return self.message.status in (OutboxStatus.FAILED, OutboxStatus.GAVE_UP)


def outbox_message(*, topic: str, message_id: int) -> SentMessage:
    """One message of `topic` as sent; OutboxMessage.DoesNotExist otherwise (a message
    of another topic is as unknown as a missing one)."""
    message = OutboxMessage.objects.select_related("person").get(topic=topic, pk=message_id)
    return SentMessage(
        message=message,
        message_id=message_id_for_key(message.key),
        text_body=sign_in_tokens_hide(message.text_body),
        html_body=sign_in_tokens_hide(message.html_body),
    )


def outbox_keys_with_prefix(*, prefix: str) -> set[str]:
    """The keys already in the outbox that start with `prefix` (queued in any state),
    so a caller renders only the messages it has not queued before."""
    return set(OutboxMessage.objects.filter(key__startswith=prefix).values_list("key", flat=True))
