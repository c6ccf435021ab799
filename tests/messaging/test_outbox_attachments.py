"""Attachments ride with their outbox message to a real SMTP server (aiosmtpd)."""

import pytest

from medmentor.messaging.models import OutboxAttachment
from medmentor.messaging.services import (
    Attachment,
    RenderedEmail,
    outbox_deliver,
    outbox_enqueue_many,
)

pytestmark = pytest.mark.django_db

INVITE = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"


def _email(key: str, *attachments: Attachment) -> RenderedEmail:
    return RenderedEmail(
        key=key,
        to_email="jo@lakeside.test",
        subject="Meeting",
        text_body="See the invitation.",
        attachments=attachments,
    )


def test_a_calendar_attachment_arrives_with_its_method_parameter(smtp_server):
    outbox_enqueue_many(
        emails=[
            _email(
                "invite:1",
                Attachment("invite.ics", "text/calendar; method=REQUEST", INVITE),
                Attachment("notes.bin", "application/octet-stream", b"\x00\x01\x02"),
            )
        ]
    )

    assert outbox_deliver(worker_name="test").sent == 1

    (message,) = smtp_server.messages
    parts = {part.get_filename(): part for part in message.iter_attachments()}
    invite = parts["invite.ics"]
    assert invite.get_content_type() == "text/calendar"
    assert invite.get_param("method") == "REQUEST"
    assert invite.get_content().replace("\r\n", "\n") == INVITE.decode().replace("\r\n", "\n")
    assert parts["notes.bin"].get_content() == b"\x00\x01\x02"
    assert message.get_body(("plain",)).get_content().strip() == "See the invitation."


def test_enqueueing_a_key_again_does_not_add_its_attachments_twice():
    attachment = Attachment("invite.ics", "text/calendar; method=REQUEST", INVITE)
    outbox_enqueue_many(emails=[_email("invite:1", attachment)])
    outbox_enqueue_many(emails=[_email("invite:1", attachment), _email("invite:2", attachment)])

    assert OutboxAttachment.objects.filter(message__key="invite:1").count() == 1
    assert OutboxAttachment.objects.filter(message__key="invite:2").count() == 1
