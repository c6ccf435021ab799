"""Issue 9: a worker killed at any moment resends at most the one message it was delivering.

Twenty `medmentor worker` processes, one after the other, deliver one outbox to a real
SMTP server (aiosmtpd, in this process) that keeps every copy it accepts and which
worker sent it; each worker is killed with SIGKILL at a point of one of four kinds:

- "after reply": the server accepts the worker's n-th message, stops the worker
  (SIGSTOP) before it can read the reply, sends "250 accepted" and kills it: the
  worker dies in the window between the server's acceptance and its "sent" mark,
  every time. Exactly one copy must go out again.
- "before reply": killed while waiting for the reply to its n-th message, which the
  server then refuses; nothing accepted is unmarked, so no copy goes out again.
- "mid-run": killed a random 0-30 ms after its first message was accepted, wherever
  it is then (building a message, in the SMTP conversation, marking, claiming).
- "start-up": killed a random 0-50 ms after it logged that it started (claiming,
  connecting, sending its first message).

The next worker starts at once; rows the dead one had claimed come due again when its
lease (shortened to 2 s here) runs out. A last worker sends what is left. Then: every
message arrived at least once, every copy of a message carries that message's
Message-ID, and each killed worker left at most one copy to be sent again (a copy
that is not a message's last one was accepted but never marked sent).
"""

import asyncio
import email
import email.policy
import os
import random
import signal
import subprocess
import threading
import time
from collections import Counter, defaultdict

import pytest

from medmentor.messaging.models import OutboxMessage, OutboxStatus
from medmentor.messaging.services import RenderedEmail, message_id_for_key, outbox_enqueue_many
from medmentor.messaging.smtp_sink import MailSinkServer
from tests.messaging.test_worker_process import Worker

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

LEASE_SECONDS = 2
KILL_PLAN = ["after reply"] * 6 + ["before reply"] * 4 + ["mid-run"] * 6 + ["start-up"] * 4
SUBJECT = "Crash test "


class RecordingServer:
    """The aiosmtpd handler: keeps (run, key, Message-ID) of every accepted copy and
    carries out the kill planned for the current run at the planned message."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.run = -1  # the run whose worker is alive (set before it starts)
        self.pids: dict[int, int] = {}
        self.plans: dict[int, tuple[str, int]] = {}
        self.copies: list[tuple[int, str, str]] = []
        self.per_run: Counter[int] = Counter()
        self.first_accepted: dict[int, threading.Event] = defaultdict(threading.Event)
        self.port = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options) -> str:  # noqa: N802
        # The worker that sends MAIL is alive (it waits for this reply before going on),
        # so the run current now is the one whose worker holds this connection.
        if not hasattr(session, "crash_run"):
            with self.lock:
                session.crash_run = self.run
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
        run = session.crash_run
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        key = str(message["Subject"]).removeprefix(SUBJECT)
        with self.lock:
            number = self.per_run[run] + 1
            kind, nth = self.plans.get(run, ("", 0))
            pid = self.pids.get(run)
        if kind == "before reply" and number == nth:
            os.kill(pid, signal.SIGKILL)
            return "451 4.3.0 Not accepted this time"
        with self.lock:
            self.per_run[run] = number
            self.copies.append((run, key, str(message["Message-ID"])))
        self.first_accepted[run].set()
        if kind == "after reply" and number == nth:
            # Frozen before it can read the reply, killed once the reply is written:
            # the server has the message, the worker never marks it.
            os.kill(pid, signal.SIGSTOP)
            asyncio.get_running_loop().call_soon(os.kill, pid, signal.SIGKILL)
        return "250 2.0.0 Message accepted"


def enqueue(start: int, count: int) -> None:
    outbox_enqueue_many(
        emails=[
            RenderedEmail(
                key=f"crash:{n}",
                to_email=f"person{n}@lakeside.test",
                subject=f"{SUBJECT}crash:{n}",
                text_body=f"Hello person {n}.",
                html_body=f"<p>Hello person {n}.</p>",
                topic="program:1",
            )
            for n in range(start, start + count)
        ]
    )


def outbox_state(tmp_path) -> str:
    """What the outbox and the workers' logs say, for a failure's message."""
    statuses = Counter(OutboxMessage.objects.values_list("status", flat=True))
    errors = Counter(
        OutboxMessage.objects.exclude(last_error="").values_list("last_error", flat=True)
    )
    logs = "\n".join(
        f"--- {log.name}\n{log.read_text(errors='replace')[-1500:]}"
        for log in sorted(tmp_path.glob("*.log"), key=lambda path: path.stat().st_mtime)[-4:]
    )
    return f"outbox {dict(statuses)}; errors {dict(errors.most_common(3))}\n{logs}"


def test_a_killed_worker_resends_at_most_the_one_message_it_was_delivering(tmp_path):
    seed = int(os.environ.get("MEDMENTOR_CRASH_SEED", time.time_ns() % 1_000_000))
    rng = random.Random(seed)
    plan = KILL_PLAN[:]
    rng.shuffle(plan)
    handler = RecordingServer()
    controller = MailSinkServer(handler, host="127.0.0.1", port=0)
    controller.start()
    handler.port = controller.port
    env = {"OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS), "LOG_LEVEL": "INFO"}
    queued = 0
    started = time.monotonic()
    try:
        for run, kind in enumerate(plan):
            # Keep enough mail waiting that every worker has something to be killed at.
            received = {key for _, key, _ in handler.copies}
            if queued - len(received) < 80:
                enqueue(queued, 100)
                queued += 100
            with handler.lock:
                handler.run = run
                handler.plans[run] = (kind, rng.randint(1, 20))
            worker = Worker(
                tmp_path, handler, f"run{run}", "--batch-size", "20", "--interval", "0.2", env=env
            )
            with handler.lock:
                handler.pids[run] = worker.process.pid
            if kind == "mid-run":
                assert handler.first_accepted[run].wait(60), outbox_state(tmp_path)
                time.sleep(rng.uniform(0, 0.03))
                worker.process.send_signal(signal.SIGKILL)
            elif kind == "start-up":
                worker.wait_for_log("started", timeout=60)
                time.sleep(rng.uniform(0, 0.05))
                worker.process.send_signal(signal.SIGKILL)
            try:
                exit_code = worker.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                raise AssertionError(f"run {run}, {kind}: {outbox_state(tmp_path)}") from None
            assert exit_code == -signal.SIGKILL, (kind, exit_code, worker.output())
            print(f"run {run} {kind} {handler.plans[run][1]}: {handler.per_run[run]} accepted")

        # The last worker sends the rest, including what the dead ones had claimed.
        last = len(plan)
        with handler.lock:
            handler.run = last
        worker = Worker(
            tmp_path, handler, "last", "--batch-size", "20", "--interval", "0.2", env=env
        )
        deadline = time.monotonic() + 90
        while OutboxMessage.objects.exclude(status=OutboxStatus.SENT).exists():
            assert time.monotonic() < deadline and worker.process.poll() is None, outbox_state(
                tmp_path
            )
            time.sleep(0.1)
        worker.process.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) == 0, worker.output()
    finally:
        controller.stop()
    seconds = time.monotonic() - started

    keys = set(OutboxMessage.objects.values_list("key", flat=True))
    copies_by_key: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for run, key, message_id in handler.copies:
        copies_by_key[key].append((run, message_id))
    # A copy that is not its message's last was accepted and never marked sent: it is
    # on the worker that sent it, which must have been killed.
    resent_after: Counter[int] = Counter()
    for copies in copies_by_key.values():
        resent_after.update(run for run, _ in copies[:-1])
    report = [
        f"run {run:2d} {kind:<12} killed after {handler.per_run[run]:3d} accepted: "
        f"{resent_after[run]} sent again"
        for run, kind in enumerate(plan)
    ]
    duplicates = sum(resent_after.values())
    print(
        f"\nseed {seed}: {len(plan)} kills, {len(keys)} messages, {len(handler.copies)} copies "
        f"accepted, {duplicates} duplicates in {seconds:.1f} s; per kill:\n" + "\n".join(report)
    )
    where = f"(seed {seed})\n" + "\n".join(report)

    assert set(copies_by_key) == keys, f"never arrived: {sorted(keys - set(copies_by_key))}"
    for key, copies in copies_by_key.items():
        assert {message_id for _, message_id in copies} == {message_id_for_key(key)}, key
    assert all(resent_after[run] <= 1 for run in range(len(plan))), where
    assert resent_after[last] == 0, where
    for run, kind in enumerate(plan):
        if kind == "after reply":
            assert resent_after[run] == 1, f"run {run} missed the window {where}"
        if kind == "before reply":
            assert resent_after[run] == 0, where
    assert duplicates <= len(plan)
