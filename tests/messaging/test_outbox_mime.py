"""The worker writes each message's MIME bytes itself (messaging.services.
outbox_message_bytes) instead of building it with Django's EmailMultiAlternatives.
These tests send the same rows both ways to a real SMTP server (aiosmtpd on loopback)
and compare what it received, parsed by the standard library's email package."""

import email
import email.policy
import string

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medmentor.messaging.models import OutboxMessage, OutboxStatus
from medmentor.messaging.services import (
    message_id_for_key,
    outbox_deliver,
    outbox_email_message,
    outbox_message_bytes,
)

pytestmark = pytest.mark.django_db

LONG_LINE = "Zoë " + "x" * 1200 + " end"  # > 998 characters, no space to break at
ROWS = {
    "plain": {
        "subject": "Week 3",
        "text_body": "Hello Sam,\n\nYour week.\n",
        "html_body": "<p>Hello Sam,</p>\n<p>Your week.</p>",
    },
    "non-ascii and long lines": {
        "subject": "Thyroid scintigraphy: Zoë Ångström's week on médecine nucléaire "
        "— 23 novembre ✓ (Ærø) and more words to make it fold over several lines",
        "text_body": f"Hello Zoë Ångström,\n\n{LONG_LINE}\n- Dr. Łukasz Żółć (R3)\n",
        "html_body": f"<p>Hello Zoë Ångström,</p>\n<p>{LONG_LINE}</p>",
    },
    "long ascii subject": {
        "subject": " ".join(["Nuclear medicine must-see case"] * 9)[:300],
        "text_body": "Tabs\tand trailing spaces   \n.\n.leading dot\nFrom here\n",
        "html_body": "<p>" + "a" * 1500 + "</p>",
    },
    "text only": {"subject": "Your medmentor sign-in link", "text_body": "Just text.\n"},
    "looks encoded": {
        "subject": "=?utf-8?q?not_really?= encoded",
        "text_body": "Windows\r\nline ends\rand old Mac ones, no newline at the end",
        "html_body": "<p>--=_ a boundary-like line</p>\n--=_\n",
    },
    "international domain": {
        "subject": "Week 4",
        "text_body": "Hello.\n",
        "html_body": "<p>Hello.</p>",
        "to_email": "resident@hôpital.test",
    },
}


def make_row(name: str, fields: dict) -> OutboxMessage:
    return OutboxMessage.objects.create(
        key=f"mime:{name}",
        to_email=fields.get("to_email", f"{name.replace(' ', '-')}@lakeside.test"),
        subject=fields["subject"],
        text_body=fields["text_body"],
        html_body=fields.get("html_body", ""),
        topic="program:1",
        created_at=timezone.now(),
        send_after=timezone.now(),
    )


def one_line_end(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def content(message: email.message.EmailMessage, subtype: str) -> str:
    """A part's decoded text; the parser keeps the CRLF line ends of the wire."""
    return one_line_end(message.get_body((subtype,)).get_content())


def summary(message: email.message.EmailMessage) -> dict:
    html = message.get_body(("html",))
    return {
        "subject": message["Subject"],
        "from": message["From"],
        "to": message["To"],
        "message_id": message["Message-ID"],
        "content_type": message.get_content_type(),
        "text": message.get_body(("plain",)).get_content(),
        "html": html.get_content() if html is not None else None,
    }


@pytest.mark.parametrize("name", ROWS)
def test_the_worker_sends_what_django_would_build_for_the_same_row(smtp_server, name):
    row = make_row(name, ROWS[name])

    assert outbox_deliver(worker_name="test", batch_size=10).sent == 1
    outbox_email_message(message=row).send()

    ours, djangos = smtp_server.messages
    ours_summary, djangos_summary = summary(ours), summary(djangos)
    # Ours parses back exactly as written. Django's compat32 folding of a non-ASCII
    # subject parses back with a leading space, and a subject that looks like an
    # encoded-word is sent as is, so it is decoded on the way in.
    assert ours_summary.pop("subject") == ROWS[name]["subject"]
    if name != "looks encoded":
        assert djangos_summary.pop("subject").strip() == ROWS[name]["subject"]
    else:
        assert djangos_summary.pop("subject") == "not really encoded"
    assert ours_summary == djangos_summary
    assert content(ours, "plain") == one_line_end(ROWS[name]["text_body"])
    if "html_body" in ROWS[name]:
        assert content(ours, "html") == one_line_end(ROWS[name]["html_body"])
    assert ours["Message-ID"] == message_id_for_key(row.key)
    assert ours["Date"].datetime is not None
    assert not ours.defects and not any(part.defects for part in ours.walk())
    raw = smtp_server.sink.raw_messages[0]
    assert raw.isascii(), "7-bit clean: no 8BITMIME or SMTPUTF8 needed"
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    assert OutboxMessage.objects.get(pk=row.pk).status == OutboxStatus.SENT


def test_an_address_that_cannot_be_sent_to_gives_up_without_reaching_the_server(smtp_server):
    row = make_row("broken", {"subject": "Week 1", "text_body": "Hi.\n"})
    OutboxMessage.objects.filter(pk=row.pk).update(to_email="not an address@@lakeside.test")

    stats = outbox_deliver(worker_name="test", batch_size=10)

    assert (stats.sent, stats.gave_up) == (0, 1)
    assert smtp_server.sink.count == 0


text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"), max_size=400
) | st.text(alphabet=string.printable, max_size=2000)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    subject=st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"),
        max_size=300,
    ).filter(str.strip),
    text_body=text,
    html_body=text,
)
def test_any_subject_and_bodies_come_back_as_written(subject, text_body, html_body):
    row = OutboxMessage(
        key="mime:any",
        to_email="person@lakeside.test",
        subject=subject,
        text_body=text_body,
        html_body=html_body,
    )

    raw = outbox_message_bytes(message=row)

    assert raw.isascii()
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == subject
    assert content(parsed, "plain") == one_line_end(text_body)
    if html_body:
        assert content(parsed, "html") == one_line_end(html_body)
