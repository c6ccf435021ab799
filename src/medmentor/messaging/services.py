"""Every write to the outbox. Callers hand over rendered messages; messaging knows only people.

Delivery follows healthchecks' sendalerts: a worker claims rows with a conditional
UPDATE, so several workers (on several machines) never send one row twice. Each
claimed batch goes out over one SMTP connection (Django's SMTP backend, opened once),
one EmailMultiAlternatives at a time, and each row is marked sent with its own
committed UPDATE right after the server's reply, before the next message goes out.

So a worker killed at any moment leaves at most one row that the server accepted
but that is not marked sent: the one it was delivering. That row goes out once more
after the claim's lease runs out, with the same Message-ID (derived from the outbox
key), so a receiving system can recognise the copy. tests/messaging/
test_delivery_crash.py kills workers at random points, and right after the server's
reply, and counts the copies per kill.
"""

import contextlib
import datetime
import hashlib
import logging
import secrets
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from email import encoders
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.text import MIMEText
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SmtpEmailBackend
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.template.loader import render_to_string
from django.utils import timezone

from medmentor.messaging.models import OutboxAttachment, OutboxMessage, OutboxStatus
from medmentor.messaging.personal_links import (
    Expanded,
    PersonalLinkError,
    personal_links_expand,
    personal_links_expand_many,
    sign_in_placeholder,
)
from medmentor.people.models import Person

logger = logging.getLogger(__name__)

# Back-off after the n-th failed attempt: 1, 2, 4, 8 ... minutes, at most this.
OUTBOX_RETRY_BASE = datetime.timedelta(minutes=1)
OUTBOX_RETRY_CAP = datetime.timedelta(hours=2)


def outbox_lease() -> datetime.timedelta:
    """How long a claim is a worker's own: a row claimed by a worker that has not
    finished with it after this long is taken to belong to a dead worker and is
    claimed again (settings.OUTBOX_LEASE_SECONDS, ten minutes by default). It must
    outlast a batch: a worker stops sending from a claim once half of the lease has
    passed (see outbox_deliver)."""
    return datetime.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


@dataclass(frozen=True)
class Attachment:
    """A rendered file to send with an email: its name, content type (parameters
    allowed, e.g. ``text/calendar; method=REQUEST``) and bytes."""

    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class RenderedEmail:
    """One email ready to queue: who gets it, its subject, text and HTML parts, and
    any attachments."""

    key: str
    to_email: str
    subject: str
    text_body: str
    html_body: str = ""
    person_id: int | None = None
    topic: str = ""
    send_after: datetime.datetime | None = None
    attachments: tuple[Attachment, ...] = ()


def outbox_keys_existing(*, keys: list[str], batch_size: int = 1000) -> set[str]:
    """Those of `keys` already in the outbox (in any state)."""
    existing: set[str] = set()
    for start in range(0, len(keys), batch_size):
        existing.update(
            OutboxMessage.objects.filter(key__in=keys[start : start + batch_size]).values_list(
                "key", flat=True
            )
        )
    return existing


def outbox_enqueue_many(*, emails: list[RenderedEmail], batch_size: int = 1000) -> int:
    """Queue emails; a key already in the outbox is left as it is. Returns how many were new."""
    now = timezone.now()
    with transaction.atomic():
        existing = outbox_keys_existing(keys=[email.key for email in emails], batch_size=batch_size)
        rows = [
            OutboxMessage(
                key=email.key,
                person_id=email.person_id,
                to_email=email.to_email,
                subject=email.subject,
                text_body=email.text_body,
                html_body=email.html_body,
                topic=email.topic,
                status=OutboxStatus.QUEUED,
                created_at=now,
                send_after=email.send_after or now,
            )
            for email in emails
            if email.key not in existing
        ]
        # Ignoring a taken key (INSERT OR IGNORE on SQLite, ON CONFLICT DO NOTHING on
        # PostgreSQL) covers a second scheduler that raced us to it.
        OutboxMessage.objects.bulk_create(rows, batch_size=batch_size, ignore_conflicts=True)
        _attachments_create(emails=[e for e in emails if e.attachments and e.key not in existing])
    return len(rows)


def _attachments_create(*, emails: list[RenderedEmail]) -> None:
    """Store the attachments of newly queued `emails`. The rows' ids are read back by
    key (an INSERT that ignores conflicts does not return them); a (message, filename)
    already stored — by a scheduler that raced us to the row — is left as it is."""
    if not emails:
        return
    ids = dict(
        OutboxMessage.objects.filter(key__in=[e.key for e in emails]).values_list("key", "id")
    )
    OutboxAttachment.objects.bulk_create(
        [
            OutboxAttachment(
                message_id=ids[email.key],
                filename=attachment.filename,
                content_type=attachment.content_type,
                content=attachment.content,
            )
            for email in emails
            for attachment in email.attachments
        ],
        ignore_conflicts=True,
    )


def outbox_enqueue(*, email: RenderedEmail) -> bool:
    return outbox_enqueue_many(emails=[email]) == 1


def sign_in_link_send(*, person: Person, next_path: str = "") -> None:
    """Queue an email with a one-time sign-in link for `person`. The outbox holds a
    placeholder; the worker mints the link at delivery (messaging/personal_links.py)."""
    context = {"person": person, "url": sign_in_placeholder(next_path=next_path)}
    outbox_enqueue(
        email=RenderedEmail(
            key=f"sign-in:{person.pk}:{secrets.token_hex(8)}",
            to_email=person.email,
            person_id=person.pk,
            subject="Your medmentor sign-in link",
            text_body=render_to_string("messaging/sign_in_link.txt", context),
            html_body=render_to_string("messaging/sign_in_link.html", context),
            topic="sign-in",
        )
    )


# --- Delivery -------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryStats:
    """What one delivery run did with the rows it claimed."""

    sent: int = 0
    failed: int = 0
    gave_up: int = 0
    # Claimed but handed back unsent (shutdown, or the claim grew too old).
    released: int = 0

    @property
    def claimed(self) -> int:
        return self.sent + self.failed + self.gave_up + self.released

    def __add__(self, other: "DeliveryStats") -> "DeliveryStats":
        return DeliveryStats(
            sent=self.sent + other.sent,
            failed=self.failed + other.failed,
            gave_up=self.gave_up + other.gave_up,
            released=self.released + other.released,
        )


def message_id_for_key(key: str) -> str:
    """The Message-ID of the outbox row with `key`: the same on every attempt, so a
    receiving system can recognise a copy sent twice."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    return f"<{digest}@{_message_id_domain()}>"


def _message_id_domain() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "medmentor.localhost"


def _to_address(message: OutboxMessage) -> str:
    """The To address, with the person's name when the row has a person with one.

    Given to Django as `"Name" <address>`: its SMTP backend parses it, encodes a
    non-ASCII name (RFC 2047) and puts only the address in the envelope."""
    name = " ".join((getattr(message, "person_name", None) or "").split())
    if not name or "<" in message.to_email:
        return message.to_email
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}" <{message.to_email}>'


def outbox_email_message(
    *,
    message: OutboxMessage,
    connection: BaseEmailBackend | None = None,
    expanded: Expanded | None = None,
) -> EmailMultiAlternatives:
    """The email exactly as the worker sends it: the row's personal links minted for
    its recipient (personal_links_expand; `expanded` when the batch's links were
    minted already), a text part, an HTML alternative when there is one, and the
    Message-ID of its key."""
    subject, text_body, html_body = expanded or personal_links_expand(message=message)
    email = EmailMultiAlternatives(
        subject=subject,
        body=text_body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[_to_address(message)],
        headers={"Message-ID": message_id_for_key(message.key)},
        connection=connection,
    )
    if html_body:
        email.attach_alternative(html_body, "text/html")
    for attachment in message.attachments.all():
        email.attach(_mime_attachment(attachment))
    return email


def _mime_attachment(attachment: OutboxAttachment) -> MIMEBase:
    """The attachment as a MIME part with its content type as stored, parameters and
    all (Django's attach(filename, content, mimetype) would drop ``method=REQUEST``,
    which calendar programs read to offer "accept / decline")."""
    header = Message()
    header["Content-Type"] = attachment.content_type
    maintype, subtype = header.get_content_maintype(), header.get_content_subtype()
    params = dict((header.get_params() or [])[1:])
    content = bytes(attachment.content)
    part: MIMEBase
    if maintype == "text":
        part = MIMEText(content.decode(), subtype, "utf-8")
    else:
        part = MIMEBase(maintype, subtype)
        part.set_payload(content)
        encoders.encode_base64(part)
    for name, value in params.items():
        if name != "charset":
            part.set_param(name, value)
    part.add_header("Content-Disposition", "attachment", filename=attachment.filename)
    return part


def _due_rows(*, now: datetime.datetime) -> Q:
    waiting = Q(status__in=[OutboxStatus.QUEUED, OutboxStatus.FAILED], send_after__lte=now)
    abandoned = Q(status=OutboxStatus.SENDING, claimed_at__lt=now - outbox_lease())
    return waiting | abandoned


def outbox_claim(
    *, worker_name: str, batch_size: int, now: datetime.datetime | None = None
) -> list[OutboxMessage]:
    """Claim up to `batch_size` due rows for this worker and return them.

    The UPDATE repeats the "due" condition, so a row another worker claimed between
    our SELECT and our UPDATE is not taken twice; on PostgreSQL the SELECT also locks
    the chosen rows and skips rows another worker has locked, so concurrent workers
    take different rows instead of waiting on each other. Every claim carries a fresh
    token, and only rows carrying it are returned, each with `person_name` (the
    recipient's name for the To header, "" without a person).
    """
    now = now or timezone.now()
    token = f"{worker_name[:40]}:{secrets.token_hex(8)}"
    due = _due_rows(now=now)
    with transaction.atomic():
        candidates = OutboxMessage.objects.filter(due).order_by("send_after", "id")
        if db_connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("id", flat=True)[:batch_size])
        if not ids:
            return []
        OutboxMessage.objects.filter(due, id__in=ids).update(
            status=OutboxStatus.SENDING, claimed_by=token, claimed_at=now
        )
    return list(
        OutboxMessage.objects.filter(claimed_by=token, status=OutboxStatus.SENDING)
        .select_related("person")  # the recipient of each personal link minted at delivery
        .prefetch_related("attachments")
        .annotate(person_name=F("person__full_name"))
        .order_by("send_after", "id")
    )


def outbox_retry_delay(*, attempts: int) -> datetime.timedelta:
    """How long to wait after the `attempts`-th failed attempt: 1, 2, 4 ... minutes."""
    return min(OUTBOX_RETRY_BASE * 2 ** max(attempts - 1, 0), OUTBOX_RETRY_CAP)


def _is_connection_error(error: Exception) -> bool:
    """True when the SMTP connection, not this message, failed (refused, dropped, timed
    out, greeting or login refused): the connection is opened afresh for the next row."""
    connection_level = (
        smtplib.SMTPServerDisconnected,
        smtplib.SMTPConnectError,
        smtplib.SMTPHeloError,
        smtplib.SMTPAuthenticationError,
        smtplib.SMTPNotSupportedError,
    )
    if isinstance(error, connection_level):
        return True
    # smtplib's own errors subclass OSError; the others here are socket errors.
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


def _connection_lost(smtp: BaseEmailBackend, error: Exception) -> bool:
    """True when the next row needs a new connection: the connection failed, or the
    server closed it after refusing this row (smtplib closes it on a 421 reply)."""
    if _is_connection_error(error):
        return True
    return (
        isinstance(smtp, SmtpEmailBackend)
        and smtp.connection is not None
        and getattr(smtp.connection, "sock", None) is None
    )


def _is_permanent(error: Exception) -> bool:
    """True when this message can never be sent as it is, so retrying is pointless: a
    5xx refusal of the recipient or the message, or a message Django cannot build
    (e.g. an address it rejects)."""
    if _is_connection_error(error):
        return False
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return not isinstance(error, OSError)


def _describe(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refusals = "; ".join(
            f"{address}: {code} {reply.decode(errors='replace')}"
            for address, (code, reply) in error.recipients.items()
        )
        return f"Recipient refused: {refusals}"
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error
        text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
        return f"SMTP server replied {error.smtp_code}: {text}"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _record_failure(
    *, message: OutboxMessage, token: str, error: Exception, now: datetime.datetime
) -> str:
    """Write down a failed attempt; returns the row's new status (failed or gave_up)."""
    attempts = message.attempts + 1
    gives_up = attempts >= settings.OUTBOX_MAX_ATTEMPTS or _is_permanent(error)
    status = OutboxStatus.GAVE_UP if gives_up else OutboxStatus.FAILED
    OutboxMessage.objects.filter(pk=message.pk, claimed_by=token).update(
        status=status,
        attempts=attempts,
        last_error=_describe(error)[:2000],
        send_after=now if gives_up else now + outbox_retry_delay(attempts=attempts),
    )
    return status


def _mark_sent(*, message: OutboxMessage, token: str) -> None:
    """Mark the row sent, in its own committed UPDATE, only while this claim holds it."""
    OutboxMessage.objects.filter(
        pk=message.pk, claimed_by=token, status=OutboxStatus.SENDING
    ).update(status=OutboxStatus.SENT, sent_at=timezone.now(), last_error="")


def _release(*, token: str) -> int:
    """Hand back this claim's unsent rows as they were: waiting, or failed if tried before."""
    return OutboxMessage.objects.filter(claimed_by=token, status=OutboxStatus.SENDING).update(
        status=Case(
            When(attempts=0, then=Value(OutboxStatus.QUEUED)),
            default=Value(OutboxStatus.FAILED),
        ),
        claimed_by="",
        claimed_at=None,
    )


def _close_quietly(smtp: BaseEmailBackend) -> None:
    # Closing a connection that already broke can fail again; Django's backend has
    # dropped it either way, and the next open() starts afresh.
    with contextlib.suppress(smtplib.SMTPException, OSError):
        smtp.close()


class _Tally:
    def __init__(self) -> None:
        self.sent = self.failed = self.gave_up = 0

    def count_failure(self, status: str) -> None:
        if status == OutboxStatus.GAVE_UP:
            self.gave_up += 1
        else:
            self.failed += 1


def _send_one(
    *, smtp: BaseEmailBackend, message: OutboxMessage, expanded: Expanded | PersonalLinkError
) -> None:
    """Send one row, its links minted (`expanded`), over the open connection `smtp`;
    raises what Django and smtplib raise, or the row's PersonalLinkError.

    The connection is opened before send_messages (a no-op when it is open), so the
    backend sees it as the caller's and leaves it open for the next row."""
    if isinstance(expanded, PersonalLinkError):
        raise expanded
    smtp.open()
    email = outbox_email_message(message=message, connection=smtp, expanded=expanded)
    if smtp.send_messages([email]) != 1:
        raise ValueError("The message has no recipient address.")


def _send_claimed(
    *,
    rows: list[OutboxMessage],
    token: str,
    smtp: BaseEmailBackend,
    tally: _Tally,
    should_stop: Callable[[], bool] | None,
    send_until: datetime.datetime,
) -> None:
    """Send a claim's rows in order, each marked as its send ends (see outbox_deliver)."""
    # The whole claim's personal links are minted at once (one INSERT of sign-in links,
    # not one per row); each row's stay in memory, for its own email only. Links of
    # rows handed back unsent are never used and expire.
    expanded = personal_links_expand_many(messages=rows)
    reopened = False
    for index, message in enumerate(rows):
        if (should_stop is not None and should_stop()) or timezone.now() >= send_until:
            break
        try:
            _send_one(smtp=smtp, message=message, expanded=expanded[message.id])
        except Exception as error:
            now = timezone.now()
            tally.count_failure(_record_failure(message=message, token=token, error=error, now=now))
            logger.warning("Outbox %s to %s failed: %s", message.key, message.to_email, error)
            if not _connection_lost(smtp, error):
                continue
            _close_quietly(smtp)
            # Lost twice in one batch, the server is unwell: the rest wait for their
            # back-off rather than being tried now. Lost once: open it again.
            cause: Exception = error
            if not reopened:
                reopened = True
                try:
                    smtp.open()
                    continue
                except OSError as open_error:
                    cause = open_error
            # Every row left in this claim would fail the same way; each is tried
            # again after its back-off.
            for row in rows[index + 1 :]:
                tally.count_failure(_record_failure(message=row, token=token, error=cause, now=now))
            break
        # The server accepted it: record that before anything else goes out.
        _mark_sent(message=message, token=token)
        tally.sent += 1


def outbox_deliver(
    *,
    worker_name: str,
    batch_size: int = 100,
    connection: BaseEmailBackend | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> DeliveryStats:
    """Claim one batch of due rows and send it over one SMTP connection.

    Each row is marked sent, in its own commit, right after the server accepted it,
    so a worker killed mid-batch leaves at most the row it was delivering unmarked.
    A failed row records the error, its attempt count and when to try again
    (exponential back-off), or gives up after OUTBOX_MAX_ATTEMPTS (at once for a
    permanent 5xx refusal, e.g. of its recipient at RCPT, or a message Django cannot
    build); the next row still goes. When the connection breaks mid-batch it is
    opened again once for the next row; when it cannot be opened, or breaks a second
    time, each row left in the batch is marked failed — never lost, never marked
    sent — and retried after its back-off.

    Deliberately not one transaction: each row's new state is committed the moment
    its send ends, because that is what makes a killed worker harmless.

    `connection` is the caller's SMTP backend, opened here if needed and left open
    for the caller to reuse and close; without one, this opens and closes its own.
    `should_stop` is asked between messages: once it answers True, the rest of the
    claim is handed back unsent for the next pass.
    """
    started = timezone.now()
    rows = outbox_claim(worker_name=worker_name, batch_size=batch_size, now=started)
    if not rows:
        return DeliveryStats()
    token = rows[0].claimed_by
    smtp = connection or get_connection(fail_silently=False)
    tally = _Tally()
    # A claim older than half its lease could soon be taken by another worker as
    # abandoned; stop sending from it well before that and hand the rest back.
    send_until = started + outbox_lease() / 2
    try:
        _send_claimed(
            rows=rows,
            token=token,
            smtp=smtp,
            tally=tally,
            should_stop=should_stop,
            send_until=send_until,
        )
    finally:
        released = _release(token=token)
        if connection is None:
            _close_quietly(smtp)
    return DeliveryStats(
        sent=tally.sent, failed=tally.failed, gave_up=tally.gave_up, released=released
    )


def outbox_deliver_due(
    *,
    worker_name: str,
    batch_size: int = 100,
    should_stop: Callable[[], bool] | None = None,
) -> DeliveryStats:
    """Send batch after batch over one SMTP connection until nothing is due.

    Stops early when a whole batch failed (the server is likely down: the rows wait
    for their back-off instead of all being tried now) or when `should_stop` says so.
    """
    total = DeliveryStats()
    connection = get_connection(fail_silently=False)
    try:
        while should_stop is None or not should_stop():
            stats = outbox_deliver(
                worker_name=worker_name,
                batch_size=batch_size,
                connection=connection,
                should_stop=should_stop,
            )
            total += stats
            if stats.claimed == stats.released:
                break  # nothing was due, or the claim was handed back untouched
            if stats.sent == 0 and stats.failed + stats.gave_up:
                break
    finally:
        _close_quietly(connection)
    return total


def outbox_retry(*, message: OutboxMessage) -> bool:
    """Send a failed or given-up message again at the next worker pass.

    Keeps its attempt count for the record; a message that gave up gets one more
    attempt before giving up again. Returns False when the message was not failed."""
    now = timezone.now()
    updated = OutboxMessage.objects.filter(
        pk=message.pk, status__in=[OutboxStatus.FAILED, OutboxStatus.GAVE_UP]
    ).update(status=OutboxStatus.QUEUED, send_after=now, claimed_by="", claimed_at=None)
    return updated == 1
