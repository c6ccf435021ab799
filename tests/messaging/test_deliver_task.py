"""deliver_outbox_task: the Django Tasks API path, run by django-tasks-db's db_worker."""

import pytest
from django.core.management import call_command

from medmentor.messaging.models import OutboxMessage, OutboxStatus
from medmentor.messaging.services import RenderedEmail, outbox_enqueue_many
from medmentor.messaging.tasks import deliver_outbox_task

# db_worker closes the database connection between tasks, as a long-running worker
# should, so the rows must be committed rather than held in a test transaction.
pytestmark = pytest.mark.django_db(transaction=True)


def test_the_task_queued_in_the_database_sends_what_is_due(smtp_server):
    outbox_enqueue_many(
        emails=[
            RenderedEmail(key=f"t:{n}", to_email=f"p{n}@lakeside.test", subject="s", text_body="t")
            for n in range(3)
        ]
    )

    result = deliver_outbox_task.enqueue()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    result.refresh()
    assert result.return_value == {"sent": 3, "failed": 0, "gave_up": 0}
    assert smtp_server.sink.count == 3
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}
