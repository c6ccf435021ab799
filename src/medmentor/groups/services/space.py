"""The group's private space (privacy rule 5): its log of topics and achievements and
its thread between meetings, written by its members only, and the thread's digest.

The digest email says how many messages are new and links to the thread; it never
carries their words, so the outbox (which the admin reads) holds nothing of them.
"""

import datetime

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from medmentor.groups.models import GroupDigest, GroupLogEntry, GroupMessage, LogKind, PeerGroup
from medmentor.groups.services.cycle import _require_member, private_topic
from medmentor.groups.services.membership import GroupError
from medmentor.messaging.personal_links import sign_in_placeholder
from medmentor.messaging.services import RenderedEmail, outbox_enqueue_many, outbox_keys_existing
from medmentor.people.models import Person

DIGEST_EVERY = datetime.timedelta(days=1)


def log_entry_add(
    *, group: PeerGroup, by: Person, kind: str, text: str, now: datetime.datetime | None = None
) -> GroupLogEntry:
    """A member writes a topic discussed or an achievement celebrated in the log."""
    now = now or timezone.now()
    _require_member(group=group, by=by, what="write in its log")
    if kind not in LogKind.values:
        raise GroupError(f"“{kind[:30]}” is not a kind of log entry: a topic or an achievement.")
    text = text.strip()
    if not text:
        raise GroupError("Write the topic or achievement to log.")
    if len(text) > 2000:
        raise GroupError(f"The entry is {len(text):,} characters long; at most 2,000 fit.")
    return GroupLogEntry.objects.create(
        group=group, kind=kind, text=text, author=by, created_at=now
    )


def thread_post(
    *, group: PeerGroup, by: Person, body: str, now: datetime.datetime | None = None
) -> GroupMessage:
    """A member writes to the group's thread."""
    now = now or timezone.now()
    _require_member(group=group, by=by, what="write in its thread")
    body = body.strip()
    if not body:
        raise GroupError("Write a message to send.")
    if len(body) > 4000:
        raise GroupError(f"The message is {len(body):,} characters long; at most 4,000 fit.")
    return GroupMessage.objects.create(group=group, author=by, body=body, created_at=now)


def thread_digests_enqueue_due(*, now: datetime.datetime | None = None) -> int:
    """Queue each group's digest (at most one a day) to its members when its thread has
    new messages; returns how many emails were new."""
    from medmentor.groups.selectors import accepted_members

    now = now or timezone.now()
    emails: list[RenderedEmail] = []
    group_ids = set(GroupMessage.objects.values_list("group_id", flat=True).distinct())
    for group in PeerGroup.objects.filter(pk__in=group_ids).select_related("program"):
        digest = GroupDigest.objects.filter(group=group).first()
        since = digest.sent_until if digest else None
        if since is not None and now - since < DIGEST_EVERY:
            continue
        new = GroupMessage.objects.filter(group=group, created_at__lte=now)
        if since is not None:
            new = new.filter(created_at__gt=since)
        count = new.count()
        if not count:
            continue
        with transaction.atomic():
            GroupDigest.objects.update_or_create(group=group, defaults={"sent_until": now})
            for membership in accepted_members(group=group):
                person = membership.person
                emails.append(
                    RenderedEmail(
                        key=f"group-digest:{group.pk}:{now:%Y%m%dT%H%M}:{person.pk}",
                        to_email=person.email,
                        person_id=person.pk,
                        subject=f"New in {group.name}'s thread",
                        text_body=render_to_string(
                            "groups/digest_email.txt",
                            {
                                "group": group,
                                "person": person,
                                "count": count,
                                "url": sign_in_placeholder(
                                    next_path=f"/programs/{group.program.slug}/groups/{group.pk}/"
                                ),
                            },
                        ),
                        topic=private_topic(group),
                    )
                )
    if not emails:
        return 0
    existing = outbox_keys_existing(keys=[e.key for e in emails])
    return outbox_enqueue_many(emails=[e for e in emails if e.key not in existing])
