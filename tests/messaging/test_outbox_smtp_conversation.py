"""The worker's own SMTP conversation (MAIL, RCPT, DATA written by us, the next
message built while the server reads the last) against a real aiosmtpd server."""

from collections import Counter

import pytest

from medmentor.messaging.models import OutboxMessage, OutboxStatus
from medmentor.messaging.services import (
    RenderedEmail,
    message_id_for_key,
    outbox_deliver,
    outbox_enqueue_many,
)

pytestmark = pytest.mark.django_db


def enqueue(*emails: dict) -> list[str]:
    outbox_enqueue_many(
        emails=[
            RenderedEmail(
                key=f"conversation:{n}",
                to_email=email.get("to_email", f"person{n}@lakeside.test"),
                subject=email.get("subject", f"Message {n}"),
                text_body=email.get("text_body", f"Text {n}.\n"),
                html_body=email.get("html_body", f"<p>HTML {n}.</p>"),
                topic="program:1",
            )
            for n, email in enumerate(emails)
        ]
    )
    return [f"conversation:{n}" for n in range(len(emails))]


def test_lines_that_open_with_a_dot_arrive_as_written(smtp_server):
    text = ".starts with a dot\n..two dots\n.\nmiddle . dot\n.last line without a newline"
    html = ".<p>a dot first</p>\n.\n<p>end</p>."
    enqueue({"text_body": text, "html_body": html}, {"text_body": ".", "html_body": ""})

    stats = outbox_deliver(worker_name="test", batch_size=10)

    assert stats.sent == 2
    received = {message["Message-ID"]: message for message in smtp_server.messages}
    first = received[message_id_for_key("conversation:0")]
    assert first.get_body(("plain",)).get_content() == text.replace("\n", "\r\n")
    assert first.get_body(("html",)).get_content() == html.replace("\n", "\r\n")
    second = received[message_id_for_key("conversation:1")]
    # The line end before the closing "." belongs to the content, as with smtplib.
    assert second.get_content() == ".\r\n"


def test_recipients_with_a_name_or_a_non_ascii_domain_get_their_mail(smtp_server):
    enqueue(
        {"to_email": "Jo Junior <jo@lakeside.test>"},
        {"to_email": "sam@bücher.test"},
        {"to_email": "plain@lakeside.test"},
    )

    stats = outbox_deliver(worker_name="test", batch_size=10)

    assert stats.sent == 3
    assert Counter(message["To"] for message in smtp_server.messages) == Counter(
        ["Jo Junior <jo@lakeside.test>", "sam@xn--bcher-kva.test", "plain@lakeside.test"]
    )


def test_a_row_that_cannot_be_built_between_good_rows_gives_up_alone(smtp_server):
    # Built while the server reads the message before it: its failure must be its own.
    keys = enqueue({}, {"to_email": "not an address@@lakeside.test"}, {}, {})

    stats = outbox_deliver(worker_name="test", batch_size=10)

    assert (stats.sent, stats.gave_up, stats.failed) == (3, 1, 0)
    statuses = dict(OutboxMessage.objects.values_list("key", "status"))
    assert statuses == {
        keys[0]: OutboxStatus.SENT,
        keys[1]: OutboxStatus.GAVE_UP,
        keys[2]: OutboxStatus.SENT,
        keys[3]: OutboxStatus.SENT,
    }
    received = Counter(message["Message-ID"] for message in smtp_server.messages)
    assert received == Counter(message_id_for_key(key) for key in (keys[0], keys[2], keys[3]))


def test_a_recipient_refused_at_rcpt_gives_up_and_the_next_row_still_goes(smtp_server):
    smtp_server.sink.refused_recipients = {"person1@lakeside.test"}
    keys = enqueue({}, {}, {})

    stats = outbox_deliver(worker_name="test", batch_size=10)

    assert (stats.sent, stats.gave_up) == (2, 1)
    refused = OutboxMessage.objects.get(key=keys[1])
    assert refused.status == OutboxStatus.GAVE_UP
    assert "550" in refused.last_error
    assert {message["To"] for message in smtp_server.messages} == {
        "person0@lakeside.test",
        "person2@lakeside.test",
    }
