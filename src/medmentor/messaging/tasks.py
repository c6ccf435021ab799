"""Background work through the Django Tasks API.

`medmentor worker` is the path every email takes; this task sends what is due now for
callers that want it done in a task runner (`medmentor db_worker`) rather than wait
for the worker's next pass. Both go through outbox_deliver, so they may run at once.
"""

import os
import socket

from django_tasks import task

from medmentor.messaging.services import outbox_deliver_due


@task()
def deliver_outbox_task(batch_size: int = 100) -> dict[str, int]:
    """Send every email that is due now; returns the counts (sent, failed, gave_up)."""
    name = f"task:{socket.gethostname()}:{os.getpid()}"
    stats = outbox_deliver_due(worker_name=name, batch_size=batch_size)
    return {"sent": stats.sent, "failed": stats.failed, "gave_up": stats.gave_up}
