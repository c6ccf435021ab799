"""outbox_deliver against a real SMTP server (aiosmtpd on loopback), in this process."""

import datetime
import re
import socket
import threading
from collections import Counter

import pytest
from django.utils import timezone

from medmentor.messaging.models import OutboxMessage, OutboxStatus
from medmentor.messaging.services import (
    RenderedEmail,
    message_id_for_key,
    outbox_claim,
    outbox_deliver,
    outbox_enqueue_many,
    outbox_retry,
    outbox_retry_delay,
)

pytestmark = pytest.mark.django_db


def enqueue(count: int, *, prefix: str = "test") -> list[str]:
    keys = [f"{prefix}:{n}" for n in range(count)]
    outbox_enqueue_many(
        emails=[
            RenderedEmail(
                key=key,
                to_email=f"person{n}@lakeside.test",
                subject=f"Week {n}",
                text_body=f"Plain text for {key}.",
                html_body=f"<p>HTML for <b>{key}</b>.</p>",
                topic="program:1",
            )
            for n, key in enumerate(keys)
        ]
    )
    return keys


def let_back_off_pass() -> None:
    """Stand in for waiting: make every failed row due now."""
    OutboxMessage.objects.filter(status=OutboxStatus.FAILED).update(send_after=timezone.now())


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_batch_goes_out_with_text_and_html_parts_and_a_message_id_from_its_key(smtp_server):
    keys = enqueue(3)

    stats = outbox_deliver(worker_name="test", batch_size=10)

    assert (stats.sent, stats.failed, stats.gave_up) == (3, 0, 0)
    received = {message["Message-ID"]: message for message in smtp_server.messages}
    assert set(received) == {message_id_for_key(key) for key in keys}
    message = received[message_id_for_key("test:1")]
    assert message["To"] == "person1@lakeside.test"
    assert message["Subject"] == "Week 1"
    assert message.get_body(("plain",)).get_content().strip() == "Plain text for test:1."
    assert "<b>test:1</b>" in message.get_body(("html",)).get_content()
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 0


def test_sent_rows_are_not_sent_again(smtp_server):
    enqueue(5)
    outbox_deliver(worker_name="test", batch_size=10)

    stats = outbox_deliver(worker_name="test", batch_size=10)

    assert stats.claimed == 0
    assert smtp_server.sink.count == 5


def test_a_batch_uses_one_smtp_connection(smtp_server):
    enqueue(20)
    peers = set()
    smtp_server.sink.before_accept = lambda count, server: peers.add(server.session.peer) or True

    outbox_deliver(worker_name="test", batch_size=20)

    assert smtp_server.sink.count == 20
    assert len(peers) == 1


def test_batches_are_claimed_in_turn_until_nothing_is_due(smtp_server):
    keys = enqueue(25)
    sizes = []
    while stats := outbox_deliver(worker_name="test", batch_size=10):
        if not stats.claimed:
            break
        sizes.append(stats.sent)

    assert sizes == [10, 10, 5]
    ids = Counter(message["Message-ID"] for message in smtp_server.messages)
    assert ids == Counter({message_id_for_key(key): 1 for key in keys})


def test_a_row_claimed_by_one_worker_is_not_claimed_by_another(smtp_server):
    enqueue(4)
    first = outbox_claim(worker_name="first", batch_size=3)
    second = outbox_claim(worker_name="second", batch_size=3)

    assert len(first) == 3
    assert len(second) == 1
    assert not {row.pk for row in first} & {row.pk for row in second}


def test_a_claim_abandoned_by_a_dead_worker_is_taken_again_after_the_lease(smtp_server):
    enqueue(2)
    outbox_claim(worker_name="died", batch_size=2)

    assert outbox_deliver(worker_name="test", batch_size=10).claimed == 0
    OutboxMessage.objects.update(claimed_at=timezone.now() - datetime.timedelta(minutes=11))
    stats = outbox_deliver(worker_name="test", batch_size=10)

    assert stats.sent == 2


def test_an_unreachable_server_fails_the_row_and_schedules_a_retry(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    enqueue(2)
    before = timezone.now()

    stats = outbox_deliver(worker_name="test", batch_size=10)

    assert (stats.sent, stats.failed) == (0, 2)
    for row in OutboxMessage.objects.all():
        assert row.status == OutboxStatus.FAILED
        assert row.attempts == 1
        assert row.send_after > before
        assert "ConnectionRefusedError" in row.last_error
    # Not due yet: the next pass leaves it alone.
    assert outbox_deliver(worker_name="test", batch_size=10).claimed == 0


def test_retries_wait_twice_as_long_each_time_up_to_a_cap():
    delays = [outbox_retry_delay(attempts=n) for n in (1, 2, 3, 4)]
    assert delays == [datetime.timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert outbox_retry_delay(attempts=40) == datetime.timedelta(hours=2)


def test_after_the_last_attempt_the_row_gives_up(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    settings.OUTBOX_MAX_ATTEMPTS = 3
    enqueue(1)

    statuses = []
    for _ in range(3):
        stats = outbox_deliver(worker_name="test", batch_size=10)
        statuses.append((stats.failed, stats.gave_up))
        let_back_off_pass()

    assert statuses == [(1, 0), (1, 0), (0, 1)]
    row = OutboxMessage.objects.get()
    assert (row.status, row.attempts) == (OutboxStatus.GAVE_UP, 3)
    assert outbox_deliver(worker_name="test", batch_size=10).claimed == 0


def test_a_failed_row_is_sent_once_the_server_is_back(smtp_server, settings):
    settings.EMAIL_PORT = closed_port()
    enqueue(1)
    outbox_deliver(worker_name="test", batch_size=10)
    settings.EMAIL_PORT = smtp_server.port
    let_back_off_pass()

    stats = outbox_deliver(worker_name="test", batch_size=10)

    assert stats.sent == 1
    row = OutboxMessage.objects.get()
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.SENT, 1, "")


def test_a_connection_dropped_mid_batch_loses_and_doubles_nothing(smtp_server):
    keys = enqueue(10)

    def drop_the_fifth(count, server):
        if count == 4 and not dropped:
            dropped.append(True)
            server.transport.close()
            return False
        return True

    dropped = []
    smtp_server.sink.before_accept = drop_the_fifth

    first = outbox_deliver(worker_name="test", batch_size=10)
    assert (first.sent, first.failed) == (9, 1)
    failed = OutboxMessage.objects.get(status=OutboxStatus.FAILED)
    assert failed.key == "test:4"
    assert "SMTPServerDisconnected" in failed.last_error

    let_back_off_pass()
    assert outbox_deliver(worker_name="test", batch_size=10).sent == 1

    ids = Counter(message["Message-ID"] for message in smtp_server.messages)
    assert ids == Counter({message_id_for_key(key): 1 for key in keys})


def test_a_connection_lost_twice_in_one_batch_leaves_the_rest_for_their_back_off(smtp_server):
    keys = enqueue(10)
    dropped = []

    def drop_the_third_and_the_sixth(count, server):
        if count in (2, 4) and count not in dropped:
            dropped.append(count)
            server.transport.close()
            return False
        return True

    smtp_server.sink.before_accept = drop_the_third_and_the_sixth

    first = outbox_deliver(worker_name="test", batch_size=10)

    # Rows 0-1 sent, row 2 lost, the connection opened again, rows 3-4 sent, row 5
    # lost: the rest are not tried on a server that dropped us twice.
    assert (first.sent, first.failed, first.released) == (4, 6, 0)
    failed = OutboxMessage.objects.filter(status=OutboxStatus.FAILED)
    assert {row.key for row in failed} == {f"test:{n}" for n in (2, *range(5, 10))}
    assert all(row.send_after > timezone.now() for row in failed)
    let_back_off_pass()
    assert outbox_deliver(worker_name="test", batch_size=10).sent == 6
    ids = Counter(message["Message-ID"] for message in smtp_server.messages)
    assert ids == Counter({message_id_for_key(key): 1 for key in keys})


@pytest.mark.django_db(transaction=True)
def test_each_row_is_marked_sent_before_the_next_message_goes_out(smtp_server):
    from django.db import connection

    enqueue(8)
    marked_when_accepting = []

    def count_sent() -> None:
        marked_when_accepting.append(OutboxMessage.objects.filter(status=OutboxStatus.SENT).count())
        connection.close()

    def count_marked(count, server):
        # Called when message count+1 has arrived, before the server answers: every
        # earlier one must be committed as sent by now. Read on a thread of its own
        # (the server's is an event loop), on its own database connection.
        reader = threading.Thread(target=count_sent)
        reader.start()
        reader.join()
        return True

    smtp_server.sink.before_accept = count_marked

    assert outbox_deliver(worker_name="test", batch_size=10).sent == 8
    assert marked_when_accepting == list(range(8))


def test_a_temporary_refusal_is_retried_and_a_permanent_one_gives_up_at_once(smtp_server):
    enqueue(3)
    smtp_server.sink.refused_recipients = {"person2@lakeside.test"}
    refusals = []
    # The server is busy once: the first message is refused for now (451).
    smtp_server.sink.before_accept = lambda count, server: bool(refusals) or refusals.append(1)

    stats = outbox_deliver(worker_name="test", batch_size=10)

    assert (stats.sent, stats.failed, stats.gave_up) == (1, 1, 1)
    by_key = {row.key: row for row in OutboxMessage.objects.all()}
    assert by_key["test:0"].status == OutboxStatus.FAILED
    assert "451" in by_key["test:0"].last_error
    assert by_key["test:2"].status == OutboxStatus.GAVE_UP
    assert "550" in by_key["test:2"].last_error


def test_a_stop_request_finishes_the_current_message_and_hands_back_the_rest(smtp_server):
    enqueue(6)
    asked = []

    def stop_after_two():
        asked.append(True)
        return len(asked) > 2

    stats = outbox_deliver(worker_name="test", batch_size=10, should_stop=stop_after_two)

    assert (stats.sent, stats.released) == (2, 4)
    assert OutboxMessage.objects.filter(status=OutboxStatus.QUEUED, claimed_by="").count() == 4
    assert smtp_server.sink.count == 2


def test_retry_now_makes_a_message_that_gave_up_due_again(smtp_server):
    enqueue(1)
    OutboxMessage.objects.update(status=OutboxStatus.GAVE_UP, attempts=6, last_error="boom")
    message = OutboxMessage.objects.get()

    assert outbox_retry(message=message)
    assert outbox_deliver(worker_name="test", batch_size=10).sent == 1
    assert not outbox_retry(message=OutboxMessage.objects.get())


def test_the_sent_time_is_stored_as_the_orm_stores_it_and_found_by_time_filters(smtp_server):
    from django.db import connection

    enqueue(2)
    before = timezone.now()
    outbox_deliver(worker_name="test", batch_size=10)
    after = timezone.now()
    assert OutboxMessage.objects.filter(sent_at__gte=before, sent_at__lte=after).count() == 2
    # The same stored form as a row saved by the ORM (on SQLite: text without "+00:00").
    saved_by_orm = OutboxMessage.objects.first()
    OutboxMessage.objects.filter(pk=saved_by_orm.pk).update(sent_at=saved_by_orm.sent_at)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT CAST(sent_at AS TEXT) FROM {OutboxMessage._meta.db_table} ORDER BY id"
        )
        by_orm, by_worker = (row[0] for row in cursor.fetchall())
    if connection.vendor == "sqlite":
        # Django's SQLite form: UTC without an offset (PostgreSQL keeps a timestamptz).
        shape = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?")
        assert shape.fullmatch(by_orm) and shape.fullmatch(by_worker), (by_orm, by_worker)
