"""What arrives: outbox rows sent by the worker (Django's EmailMultiAlternatives over
one SMTP connection) to a real SMTP server (aiosmtpd on loopback), parsed back by the
standard library's email package and compared with what the row says."""

from collections import Counter

import pytest

from medmentor.messaging.models import OutboxMessage, OutboxStatus
from medmentor.messaging.services import (
    RenderedEmail,
    message_id_for_key,
    outbox_deliver,
    outbox_enqueue_many,
)
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


def enqueue(*emails: dict) -> list[str]:
    outbox_enqueue_many(
        emails=[
            RenderedEmail(
                key=f"content:{n}",
                to_email=email.get("to_email", f"person{n}@lakeside.test"),
                subject=email.get("subject", f"Message {n}"),
                text_body=email.get("text_body", f"Text {n}.\n"),
                html_body=email.get("html_body", f"<p>HTML {n}.</p>"),
                person_id=email.get("person_id"),
                topic="program:1",
            )
            for n, email in enumerate(emails)
        ]
    )
    return [f"content:{n}" for n in range(len(emails))]


def received_by_key(smtp_server, keys: list[str]) -> dict:
    by_id = {message["Message-ID"]: message for message in smtp_server.messages}
    return {key: by_id[message_id_for_key(key)] for key in keys}


def text_of(message, subtype: str = "plain") -> str:
    """A part's decoded text, with the wire's CRLF line ends read as newlines."""
    return message.get_body((subtype,)).get_content().replace("\r\n", "\n")


def test_lines_that_open_with_a_dot_arrive_as_written(smtp_server):
    text = ".starts with a dot\n..two dots\n.\nmiddle . dot\n.last line without a newline"
    html = ".<p>a dot first</p>\n.\n<p>end</p>."
    keys = enqueue({"text_body": text, "html_body": html}, {"text_body": ".", "html_body": ""})

    stats = outbox_deliver(worker_name="test", batch_size=10)

    assert stats.sent == 2
    first, second = received_by_key(smtp_server, keys).values()
    assert text_of(first) == text
    assert text_of(first, "html") == html
    assert second.get_content_type() == "text/plain"
    assert second.get_content().replace("\r\n", "\n").rstrip("\n") == "."


def test_non_ascii_names_subjects_and_bodies_arrive_as_written(smtp_server, institution):
    zoe = make_person("zoe@lakeside.test", "Zoë Ångström", "R1", institution)
    quoted = make_person("sam@lakeside.test", 'Sam "the Scan" O\'Neil, MD', "R3", institution)
    subject = (
        "Thyroid scintigraphy: Zoë Ångström's week on médecine nucléaire — 23 novembre ✓ "
        "(Ærø) and more words to make it fold over several lines"
    )
    long_line = "Zoë " + "x" * 1200 + " end"
    keys = enqueue(
        {
            "to_email": zoe.email,
            "person_id": zoe.pk,
            "subject": subject,
            "text_body": f"Hello Zoë,\n\n{long_line}\n- Dr. Łukasz Żółć (R3)\n",
            "html_body": f"<p>Hello Zoë,</p>\n<p>{long_line}</p>",
        },
        {"to_email": quoted.email, "person_id": quoted.pk},
        {"to_email": "Jo Junior <jo@lakeside.test>"},
        {"to_email": "resident@bücher.test"},
        {"to_email": "plain@lakeside.test"},
    )

    stats = outbox_deliver(worker_name="test", batch_size=10)

    assert stats.sent == 5
    received = received_by_key(smtp_server, keys)
    first = received[keys[0]]
    assert first["Subject"].strip() == subject
    assert first["To"].addresses[0].display_name == "Zoë Ångström"
    assert first["To"].addresses[0].addr_spec == "zoe@lakeside.test"
    assert text_of(first) == f"Hello Zoë,\n\n{long_line}\n- Dr. Łukasz Żółć (R3)\n"
    assert long_line in text_of(first, "html")
    assert not first.defects and not any(part.defects for part in first.walk())
    assert received[keys[1]]["To"].addresses[0].display_name == 'Sam "the Scan" O\'Neil, MD'
    assert [str(received[key]["To"]) for key in keys[2:]] == [
        "Jo Junior <jo@lakeside.test>",
        "resident@xn--bcher-kva.test",
        "plain@lakeside.test",
    ]
    for key, message in received.items():
        assert message["Message-ID"] == message_id_for_key(key)
        assert message["Date"].datetime is not None


def test_a_row_that_cannot_be_built_between_good_rows_gives_up_alone(smtp_server):
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
    assert OutboxMessage.objects.get(key=keys[1]).last_error
    received = Counter(message["Message-ID"] for message in smtp_server.messages)
    assert received == Counter(message_id_for_key(key) for key in (keys[0], keys[2], keys[3]))


def test_a_subject_with_a_line_break_gives_up_and_is_never_sent(smtp_server):
    keys = enqueue({"subject": "Week 1\nBcc: everyone@lakeside.test"}, {})

    stats = outbox_deliver(worker_name="test", batch_size=10)

    assert (stats.sent, stats.gave_up) == (1, 1)
    refused = OutboxMessage.objects.get(key=keys[0])
    assert refused.status == OutboxStatus.GAVE_UP
    assert "newlines" in refused.last_error
    assert [message["Message-ID"] for message in smtp_server.messages] == [
        message_id_for_key(keys[1])
    ]


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
