"""`medmentor worker`: the long-running sender of the outbox.

Each pass first runs the hooks below (the weekly emails and survey invitations that
have come due are enqueued there), then sends batches until nothing is due. The hooks
are imported here, on the top floor, so messaging never imports the apps that write
its mail; `--hook` runs only the named ones, `--no-hooks` none (only what is queued).
Start as many workers as you like, on as many machines: each claims its own rows.
SIGTERM or SIGINT lets the current message finish, hands the rest of the claimed
batch back, and exits.
"""

import logging
import os
import signal
import socket
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django.utils import timezone

from medmentor.conferences.tasks import conference_work_due
from medmentor.curriculum.weekly_email import weekly_emails_enqueue_due
from medmentor.groups.tasks import groups_emails_enqueue_due
from medmentor.meetings.tasks import meetings_emails_enqueue_due
from medmentor.mentoring.services import mentoring_health_enqueue_due
from medmentor.messaging.services import outbox_deliver_due
from medmentor.people.services import sign_in_records_prune
from medmentor.surveys.invitations import survey_emails_enqueue_due

logger = logging.getLogger("medmentor.worker")

# What runs before each delivery pass, in this order, each called with now= and
# returning how many emails it queued (or None).
WORKER_HOOKS = {
    "weekly-emails": weekly_emails_enqueue_due,
    "conference": conference_work_due,
    "survey-emails": survey_emails_enqueue_due,
    "meeting-emails": meetings_emails_enqueue_due,
    "mentoring-health": mentoring_health_enqueue_due,
    "group-emails": groups_emails_enqueue_due,
    "sign-in-records": sign_in_records_prune,
}


class Command(BaseCommand):
    help = "Send the outbox: run the worker hooks, then send every due email; repeat."
    # Django's system checks load the URLconf, which imports every view and the API
    # (scipy, matplotlib, pandas: ~3 s of CPU here); a worker restarted after a crash
    # should be sending again within a second. `medmentor check` and the web
    # processes run them.
    requires_system_checks = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one pass, then exit.")
        parser.add_argument(
            "--batch-size", type=int, default=100, help="Rows claimed at a time (default 100)."
        )
        parser.add_argument(
            "--interval", type=float, default=10.0, help="Seconds between passes (default 10)."
        )
        parser.add_argument(
            "--name", default="", help="This worker's name in claims (default host:pid)."
        )
        hooks = parser.add_mutually_exclusive_group()
        hooks.add_argument(
            "--hook",
            action="append",
            choices=list(WORKER_HOOKS),
            dest="hooks",
            help="Run only this hook before each pass (repeat for more; default: all of "
            f"{', '.join(WORKER_HOOKS)}).",
        )
        hooks.add_argument(
            "--no-hooks",
            action="store_const",
            const=[],
            dest="hooks",
            help="Run no hook: only send what is already queued.",
        )

    def handle(self, *args, **options) -> None:
        self.stopping = False
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        name = options["name"] or f"{socket.gethostname()}:{os.getpid()}"
        hooks = list(WORKER_HOOKS) if options["hooks"] is None else options["hooks"]
        logger.info("Worker %s started.", name)
        while not self.stopping:
            self._pass(name=name, batch_size=options["batch_size"], hooks=hooks)
            if options["once"]:
                break
            deadline = time.monotonic() + options["interval"]
            while not self.stopping and time.monotonic() < deadline:
                time.sleep(min(0.2, options["interval"]))
        logger.info("Worker %s stopped.", name)

    def _on_signal(self, signum, frame) -> None:
        logger.info("%s: finishing the current message, then stopping.", signal.strsignal(signum))
        self.stopping = True

    def _pass(self, *, name: str, batch_size: int, hooks: list[str]) -> None:
        started = time.monotonic()
        # A long-running process must not keep a connection the database dropped.
        # (Not inside a transaction: a caller's, e.g. a test's, stays as it is, as
        # Django's test client does for requests.)
        if not connection.in_atomic_block:
            close_old_connections()
        enqueued = 0
        for hook in hooks:
            try:
                enqueued += WORKER_HOOKS[hook](now=timezone.now()) or 0
            except Exception:
                # A failing hook must not stop the mail that is already waiting.
                logger.exception("Worker hook %s failed.", hook)
        total = outbox_deliver_due(
            worker_name=name, batch_size=batch_size, should_stop=lambda: self.stopping
        )
        level = logging.INFO if enqueued or total.claimed else logging.DEBUG
        logger.log(
            level,
            "Worker %s pass: enqueued %d, sent %d, failed %d, gave up %d, handed back %d "
            "in %.1f s.",
            name,
            enqueued,
            total.sent,
            total.failed,
            total.gave_up,
            total.released,
            time.monotonic() - started,
        )
