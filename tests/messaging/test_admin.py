"""The outbox in the admin: staff read messages as sent (sign-in tokens hidden) and retry."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from medmentor.messaging.models import OutboxMessage, OutboxStatus
from medmentor.messaging.services import RenderedEmail, outbox_enqueue
from tests.conftest import sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]


@pytest.fixture
def staff(operations):
    return operations  # the admin is for operations; program directors are never staff


@pytest.fixture
def message(db):
    outbox_enqueue(
        email=RenderedEmail(
            key="weekly:1:2026-11-02:7",
            to_email="junior@lakeside.test",
            subject="This week",
            text_body="Open http://127.0.0.1:8000/sign-in/link/SECRETTOKEN/?next=%2F",
            html_body='<a href="http://127.0.0.1:8000/sign-in/link/SECRETTOKEN/">open</a>',
            topic="program:1",
        )
    )
    return OutboxMessage.objects.get()


def test_staff_read_a_message_with_its_sign_in_token_hidden(client, staff, message):
    sign_in(client, staff)

    response = client.get(reverse("admin:messaging_outboxmessage_change", args=[message.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "/sign-in/link/personal-link-hidden/" in page
    assert "SECRETTOKEN" not in page


def test_staff_retry_failed_messages_from_the_list(client, staff, message):
    OutboxMessage.objects.update(status=OutboxStatus.GAVE_UP, attempts=6)
    sign_in(client, staff)

    response = client.post(
        reverse("admin:messaging_outboxmessage_changelist"),
        {"action": "retry_now", ACTION_CHECKBOX_NAME: [message.pk]},
        follow=True,
    )

    assert "1 message(s) will be sent again" in response.content.decode()
    assert OutboxMessage.objects.get().status == OutboxStatus.QUEUED


def test_people_who_are_not_staff_cannot_open_the_outbox_admin(client, director, message):
    sign_in(client, director)

    response = client.get(reverse("admin:messaging_outboxmessage_changelist"))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
