"""The outbox's count of tries matches its state: never "Sent" after 0 tries."""

import pytest

from medmentor.messaging.models import OutboxMessage, OutboxStatus

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("status", "attempts", "tries"),
    [
        (OutboxStatus.QUEUED, 0, 0),
        (OutboxStatus.SENDING, 0, 0),
        (OutboxStatus.SENT, 0, 1),
        (OutboxStatus.SENT, 2, 3),
        (OutboxStatus.FAILED, 1, 1),
        (OutboxStatus.GAVE_UP, 5, 5),
    ],
)
def test_tries_count_the_failed_attempts_and_the_one_that_sent(status, attempts, tries):
    message = OutboxMessage(key="k", to_email="a@b.test", status=status, attempts=attempts)
    assert message.tries == tries


def test_a_sent_message_has_at_least_one_try():
    for attempts in range(4):
        assert OutboxMessage(status=OutboxStatus.SENT, attempts=attempts).tries >= 1
