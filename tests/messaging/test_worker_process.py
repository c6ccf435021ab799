"""`medmentor worker` as real processes against a real SMTP server and the test database.

These run on SQLite (a file database: see django_db_modify_db_settings in
tests/conftest.py) and on PostgreSQL in CI. The worker processes open the test
database through DATABASE_URL, so the rows are committed (transaction=True).
"""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

import medmentor
from medmentor.messaging.models import OutboxMessage, OutboxStatus
from medmentor.messaging.services import (
    RenderedEmail,
    message_id_for_key,
    outbox_enqueue_many,
    outbox_lease,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def database_url() -> str:
    database = connection.settings_dict
    if database["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{database['NAME']}"
    user = quote(database["USER"] or "", safe="")
    password = quote(database["PASSWORD"] or "", safe="")
    host = quote(database["HOST"] or "localhost", safe="")
    return f"postgres://{user}:{password}@{host}:{database['PORT'] or 5432}/{database['NAME']}"


class Worker:
    """One `medmentor worker` process; its log goes to a file shown when a test fails."""

    def __init__(
        self, tmp_path: Path, smtp_server, name: str, *options: str, env: dict | None = None
    ) -> None:
        self.log = tmp_path / f"{name}.log"
        extra = env or {}
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "DATABASE_CONN_MAX_AGE": "0",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_server.port),
            "MEDMENTOR_DATA_DIR": str(tmp_path),
            "SECRET_KEY": settings.SECRET_KEY,
            # The same medmentor as this test's, wherever it was imported from (a
            # relative PYTHONPATH would not hold in the worker's folder).
            "PYTHONPATH": os.pathsep.join(
                [str(Path(medmentor.__file__).parents[1]), os.environ.get("PYTHONPATH", "")]
            ),
            **extra,
        }
        # No hook: these workers only send what the test queued.
        worker = ["worker", "--no-hooks", "--name", name, *options]
        command = [sys.executable, "-m", "medmentor", *worker]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command, env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT
            )

    def wait(self, timeout: float = 180) -> int:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"worker did not finish; its log:\n{self.output()}") from None

    def wait_for_log(self, text: str, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"worker never logged {text!r}; its log:\n{self.output()}")
            time.sleep(0.1)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def enqueue(count: int, **fields) -> list[str]:
    keys = [f"weekly:1:2026-11-02:{n}" for n in range(count)]
    outbox_enqueue_many(
        emails=[
            RenderedEmail(
                key=key,
                to_email=f"person{n}@lakeside.test",
                subject=f"This week on Nuclear Medicine ({n})",
                text_body=f"Hello person {n}.",
                html_body=f"<p>Hello person {n}.</p>",
                topic="program:1",
                **fields,
            )
            for n, key in enumerate(keys)
        ]
    )
    return keys


def assert_each_received_once(smtp_server, keys: list[str]) -> None:
    received = Counter(message["Message-ID"] for message in smtp_server.messages)
    doubled = {message_id: n for message_id, n in received.items() if n > 1}
    missing = {message_id_for_key(key) for key in keys} - set(received)
    assert not doubled, f"sent more than once: {doubled}"
    assert not missing, f"never sent: {len(missing)} message(s)"
    assert len(received) == len(keys)


def test_a_worker_killed_mid_run_and_started_again_sends_every_email_exactly_once(
    smtp_server, tmp_path
):
    keys = enqueue(300)
    first: dict[str, Worker] = {}

    def kill_before_accepting_the_121st(count: int, server) -> bool:
        # kill -9 while the worker waits for the server's answer to message 121: it has
        # marked 1-120 sent, holds a claim on the rest of its batch, and 121 is refused.
        if count == 120 and first["worker"].process.poll() is None:
            first["worker"].process.send_signal(signal.SIGKILL)
            first["worker"].process.wait()
            return False
        return True

    smtp_server.sink.before_accept = kill_before_accepting_the_121st
    first["worker"] = Worker(tmp_path, smtp_server, "first", "--once", "--batch-size", "50")
    assert first["worker"].wait() == -signal.SIGKILL
    assert smtp_server.sink.count == 120
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 120
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENDING).count() == 30

    smtp_server.sink.before_accept = None
    # Stand in for waiting out the lease, after which a claim counts as abandoned.
    OutboxMessage.objects.filter(status=OutboxStatus.SENDING).update(
        claimed_at=timezone.now() - outbox_lease() - timezone.timedelta(seconds=1)
    )
    again = Worker(tmp_path, smtp_server, "again", "--once", "--batch-size", "50")
    assert again.wait() == 0, again.output()

    assert_each_received_once(smtp_server, keys)
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}


def test_two_workers_running_at_once_send_every_email_exactly_once(smtp_server, tmp_path):
    # Queued for later, so both workers are up and polling when the mail comes due.
    keys = enqueue(300, send_after=timezone.now() + timezone.timedelta(days=1))
    smtp_server.sink.delay = 0.005
    workers = [
        Worker(tmp_path, smtp_server, name, "--batch-size", "10", "--interval", "0.2")
        for name in ("left", "right")
    ]
    for worker in workers:
        worker.wait_for_log("started")
    OutboxMessage.objects.update(send_after=timezone.now())

    assert smtp_server.sink.wait_for(300, timeout=180)
    for worker in workers:
        worker.process.send_signal(signal.SIGTERM)
    for worker in workers:
        assert worker.wait() == 0, worker.output()

    assert_each_received_once(smtp_server, keys)
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}
    senders = Counter(
        claim.split(":")[0] for claim in OutboxMessage.objects.values_list("claimed_by", flat=True)
    )
    assert set(senders) == {"left", "right"}, senders


def test_sigterm_finishes_the_current_message_and_hands_the_rest_back(smtp_server, tmp_path):
    enqueue(60)
    smtp_server.sink.delay = 0.05
    worker = Worker(tmp_path, smtp_server, "stopped", "--once", "--batch-size", "50")
    assert smtp_server.sink.wait_for(5, timeout=120), worker.output()

    worker.process.send_signal(signal.SIGTERM)

    assert worker.wait() == 0, worker.output()
    sent = OutboxMessage.objects.filter(status=OutboxStatus.SENT).count()
    assert sent == smtp_server.sink.count
    assert 5 <= sent < 60
    assert OutboxMessage.objects.filter(status=OutboxStatus.QUEUED).count() == 60 - sent
    assert not OutboxMessage.objects.filter(status=OutboxStatus.SENDING).exists()
