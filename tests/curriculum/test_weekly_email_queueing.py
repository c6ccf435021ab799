"""Queueing a week's emails a chunk at a time: whatever stops a run between chunks, the
next run completes the week with each email queued, and sent, exactly once."""

import datetime
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connections, transaction

import medmentor
from medmentor.curriculum.weekly_email import (
    WEEKLY_EMAIL_CHUNK,
    EmailParts,
    email_template_default,
    email_template_save,
    weekly_email_key,
    weekly_emails_enqueue,
    weekly_emails_enqueue_due,
)
from medmentor.messaging.models import OutboxMessage
from medmentor.messaging.services import message_id_for_key
from medmentor.people.models import Person, SignInLink
from medmentor.programs.models import Enrollment, Program, Role, ServiceBlock
from tests.messaging.test_worker_process import database_url


def put_on_service(program, service, week, people) -> None:
    ServiceBlock.objects.bulk_create(
        [
            ServiceBlock(
                program=program,
                person=person,
                service=service,
                starts_on=week.starts_on,
                ends_on=week.starts_on + datetime.timedelta(days=4),
            )
            for person in people
        ]
    )


@pytest.fixture
def due_now(program):
    """The weekly email is due from Monday 00:00 in the program's time zone: at once."""
    program.weekly_email_weekday = 0
    program.weekly_email_time = datetime.time(0, 0)
    program.save()
    return program


def failing_for(email: str) -> EmailParts:
    """The default template, failing while rendering for the person with `email` only."""
    default = email_template_default()
    fails = f'{{% if person.email == "{email}" %}}{{% for x in link_valid_days %}}{{% endfor %}}'
    return EmailParts(
        subject=default.subject,
        text_body=default.text_body + fails + "{% endif %}",
        html_body=default.html_body,
    )


def each_key_once(program, week, people) -> None:
    keys = Counter(OutboxMessage.objects.values_list("key", flat=True))
    assert keys == Counter(weekly_email_key(program=program, week=week, person=p) for p in people)


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_passwords")
def test_a_run_stopped_between_chunks_leaves_whole_chunks_the_next_run_completes_once(
    case_week, due_now, service, junior, senior, other_junior, other_senior, smtp_server, caplog
):
    program, week = due_now, case_week.week
    learners = sorted([junior, senior, other_junior, other_senior], key=lambda p: p.id)
    put_on_service(program, service, week, learners)
    # Rendering fails at the third person: the run stops in its third chunk of one.
    email_template_save(program=program, parts=failing_for(learners[2].email))

    with pytest.raises(ValueError, match="Plain-text part: it failed while rendering"):
        weekly_emails_enqueue(program=program, week=week, chunk_size=1)

    each_key_once(program, week, learners[:2])
    # No sign-in link is made while queueing: the worker mints each at delivery.
    assert not SignInLink.objects.exists()

    # The director mends the template; the worker's next pass queues the rest and
    # sends the week: each person's email once, the two from before unchanged.
    before = dict(OutboxMessage.objects.values_list("key", "text_body"))
    email_template_save(program=program, parts=email_template_default())
    call_command("worker", "--once", "--hook", "weekly-emails")

    each_key_once(program, week, learners)
    assert SignInLink.objects.count() == 4
    assert before.items() <= dict(OutboxMessage.objects.values_list("key", "text_body")).items()
    received = Counter(message["To"].addresses[0].addr_spec for message in smtp_server.messages)
    assert received == Counter(person.email for person in learners)
    assert weekly_emails_enqueue_due(now=datetime.datetime.now(datetime.UTC)) == 0


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_passwords")
def test_week_values_a_template_tries_to_change_stay_the_same_in_every_email(
    case_week, due_now, service, junior, senior, other_junior, other_senior
):
    program, week = due_now, case_week.week
    learners = [junior, senior, other_junior, other_senior]
    put_on_service(program, service, week, learners)
    # The engine calls any method a template names; none of these may empty the
    # values the next email reads.
    meddling = (
        "{{ week.readings.clear }}{{ week.cases.pop }}{{ program.clear }}"
        "{{ partners.0.clear }}{{ person.clear }}{{ partners.clear }}"
    )
    email_template_save(
        program=program,
        parts=EmailParts(
            subject="{{ week.topic }}",
            text_body=meddling + "{{ program.name }}|{{ week.readings|length }}|"
            "{{ week.cases|length }}|{% for p in partners %}{{ p.name }}{% endfor %}",
            html_body="",
        ),
    )

    weekly_emails_enqueue(program=program, week=week, chunk_size=1)

    bodies = dict(OutboxMessage.objects.values_list("person_id", "text_body"))
    readings = case_week.curriculum_week.readings.count()
    assert readings and len(case_week.cases) == 5
    expected = {
        junior.id: senior.full_name,
        senior.id: junior.full_name,
        other_junior.id: other_senior.full_name,
        other_senior.id: other_junior.full_name,
    }
    for person_id, partner in expected.items():
        assert bodies[person_id].strip() == f"{program.name}|{readings}|5|{partner}"


# --- Killed while queueing, then two workers at once (real processes) --------------------


class QueueingWorker:
    """A `medmentor worker --once` process that runs the weekly email hook."""

    def __init__(self, tmp_path: Path, smtp_server, name: str) -> None:
        self.log = tmp_path / f"{name}.log"
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
        }
        # Only the weekly email hook queues: what this test counts.
        worker = ["worker", "--once", "--hook", "weekly-emails", "--name", name]
        command = [sys.executable, "-m", "medmentor", *worker]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command, env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT
            )

    def wait(self, timeout: float = 300) -> int:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"worker did not finish; its log:\n{self.output()}") from None

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_queueing_leaves_whole_chunks_and_two_workers_finish_the_week_once(
    case_week, due_now, service, institution, smtp_server, tmp_path
):
    program, week = due_now, case_week.week
    count = 4 * WEEKLY_EMAIL_CHUNK
    unusable = make_password(None)
    Person.objects.bulk_create(
        [
            Person(
                email=f"learner{n:04d}@lakeside.test",
                full_name=f"Learner {n:04d}",
                training_level="R1" if n % 2 else "R3",
                institution=institution,
                password=unusable,
            )
            for n in range(count)
        ]
    )
    learners = list(Person.objects.filter(email__startswith="learner"))
    Enrollment.objects.bulk_create(
        [
            Enrollment(program=program, person=p, role=Role.JUNIOR if n % 2 else Role.SENIOR)
            for n, p in enumerate(learners)
        ]
    )
    put_on_service(program, service, week, learners)
    first = QueueingWorker(tmp_path, smtp_server, "first")
    queued = 0
    deadline = time.monotonic() + 300
    while queued < WEEKLY_EMAIL_CHUNK and first.process.poll() is None:
        assert time.monotonic() < deadline, first.output()
        time.sleep(0.005)
        queued = OutboxMessage.objects.count()
    first.process.send_signal(signal.SIGKILL)
    assert first.wait() == -signal.SIGKILL, first.output()

    # kill -9 in the middle of the week: only whole chunks are there, none of them sent,
    # and no sign-in link made yet (the worker mints each at delivery).
    queued = OutboxMessage.objects.count()
    assert 0 < queued < count, f"killed after queueing {queued} of {count}"
    assert queued % WEEKLY_EMAIL_CHUNK == 0
    assert SignInLink.objects.count() == 0
    assert smtp_server.sink.count == 0

    workers = [QueueingWorker(tmp_path, smtp_server, name) for name in ("left", "right")]
    for worker in workers:
        assert worker.wait() == 0, worker.output()

    each_key_once(program, week, learners)
    # Nobody's email was delivered twice (each delivery mints one sign-in link).
    assert SignInLink.objects.count() == count
    received = Counter(message["Message-ID"] for message in smtp_server.messages)
    assert received == Counter(
        message_id_for_key(weekly_email_key(program=program, week=week, person=p)) for p in learners
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("fast_passwords")
def test_on_postgresql_a_week_another_worker_is_queueing_is_left_to_it(
    case_week, due_now, service, junior, senior, other_junior, other_senior
):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite's lock is the whole database's; the skip is PostgreSQL's")
    program, week = due_now, case_week.week
    learners = [junior, senior, other_junior, other_senior]
    put_on_service(program, service, week, learners)
    holding, release = threading.Event(), threading.Event()

    def queue_in_another_worker() -> None:
        # Stands in for a worker in the middle of a chunk: it holds the program row.
        try:
            with transaction.atomic():
                Program.objects.select_for_update().get(pk=program.pk)
                holding.set()
                release.wait(timeout=20)
        finally:
            connections.close_all()

    other = threading.Thread(target=queue_in_another_worker)
    other.start()
    try:
        assert holding.wait(timeout=60)
        # Had it waited for the lock, it would have queued all four once it got it.
        assert weekly_emails_enqueue(program=program, week=week) == 0
        assert not OutboxMessage.objects.exists()
    finally:
        release.set()
        other.join()

    assert weekly_emails_enqueue(program=program, week=week) == 4
    each_key_once(program, week, learners)
