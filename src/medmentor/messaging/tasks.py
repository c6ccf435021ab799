"""Background work through the Django Tasks API.

`medmentor worker` is the path every email takes; this task sends what is due now for
callers that want it done in a task runner (`medmentor db_worker`) rather than wait
for the worker's next pass. Both go through outbox_deliver, so they may run at once.
"""

import contextlib
import os
import socket

from django.core.mail import get_connection
from django_tasks import task

from medmentor.messaging.services import DeliveryStats, outbox_deliver


@task()
def deliver_outbox_task(batch_size: int = 100) -> dict[str, int]:
    """Send every email that is due now; returns the counts (sent, failed, gave_up)."""
    name = f"task:{socket.gethostname()}:{os.getpid()}"
    total = DeliveryStats()
    connection = get_connection(fail_silently=False)
    try:
        while True:
            stats = outbox_deliver(worker_name=name, batch_size=batch_size, connection=connection)
            total += stats
            if stats.claimed == stats.released or (
                stats.sent == 0 and stats.failed + stats.gave_up
            ):
                break
    finally:
        with contextlib.suppress(OSError):
            connection.close()
    return {"sent": total.sent, "failed": total.failed, "gave_up": total.gave_up}
