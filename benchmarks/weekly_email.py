"""Benchmark: the weekly email to 10,000 people on one service-week.

medmentor's way: `weekly_emails_enqueue` renders every person's email from one shared
plan (template compiled once, the week read once) and queues it, then the worker's
`outbox_deliver_due` sends the outbox on Django's own classes: one
`EmailMultiAlternatives` per row, over one SMTP connection (Django's SMTP backend,
opened once) per pass, each row marked sent with an ORM UPDATE right after the
server's reply. The peer, measured in the same run: the naive way — for each person,
render their email (`weekly_email_render`) and send it with Django's `send_mail`, a
new SMTP connection each time — on a subset, its throughput extrapolated.

Target (issue 10): at least 500 messages/s rendered and delivered, end to end.

Both talk to the same local aiosmtpd server (`medmentor smtp-sink --discard`) running
in its own process, so the server's work does not share this process's interpreter.
The database is a fresh SQLite file in a temporary folder (or --database-url).

A second row, labelled as such: the same week queued again by one worker process
(the queueing commits a chunk of emails at a time) while the other worker processes
send what is committed already, then all of them deliver the rest (claims are
exclusive), as a deployment with two workers would. The single-process row is the
headline.

Before timing, the URLconf is loaded (see main): a running worker has it long before
the week comes due.

Prints the ratio first, then messages per second of each way, whether the 500
messages/s target is met, then the date and the machine (its load included).

Run: .venv/bin/python benchmarks/weekly_email.py [--people 10000] [--naive 1000] [--workers 2]
"""

import argparse
import multiprocessing
import os
import platform
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 500  # messages per second, rendered and delivered (issue 10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def configure(folder: Path, database_url: str | None, port: int) -> dict:
    env = {
        "MEDMENTOR_DATA_DIR": str(folder),
        "DATABASE_URL": database_url or f"sqlite:///{folder / 'bench.sqlite3'}",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "LOG_LEVEL": "ERROR",
        "DJANGO_SETTINGS_MODULE": "medmentor.settings",
    }
    os.environ.update(env)
    return env


def start_sink(port: int, env: dict) -> subprocess.Popen:
    sink = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "medmentor",
            "smtp-sink",
            "--port",
            str(port),
            "--discard",
            "--quiet",
        ],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        text=True,
    )
    first_line = sink.stdout.readline()
    if "listening" not in first_line:
        raise SystemExit(f"The SMTP sink did not start: {first_line!r}")
    return sink


def stop_sink(sink: subprocess.Popen) -> int:
    """Stop the sink; returns how many messages it accepted (its last line says)."""
    sink.terminate()
    output, _ = sink.communicate(timeout=30)
    words = output.strip().rsplit("after ", 1)[-1].split()
    return int(words[0]) if words and words[0].isdigit() else -1


def build_program(people: int):
    """One case-review program, one planned week, `people` on service that week: half
    juniors, half seniors, each junior paired with one senior."""
    import datetime

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from medmentor.curriculum.models import Case, Curriculum, CurriculumWeek, Reading, WeekPlan
    from medmentor.people.models import Institution, Person, Service
    from medmentor.programs.models import (
        Enrollment,
        Pair,
        Program,
        ProgramKind,
        ProgramWeek,
        Role,
        ServiceBlock,
    )

    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    institution = Institution.objects.create(name="Benchmark Hospital", slug="bench")
    service = Service.objects.create(institution=institution, name="Nuclear Medicine")
    program = Program.objects.create(
        name="Nuclear Medicine must-see case",
        slug="bench",
        kind=ProgramKind.CASE_REVIEW,
        institution=institution,
        service=service,
        starts_on=monday,
        description="Every service day a senior reviews a must-see case with their junior.",
    )
    curriculum = Curriculum.objects.create(program=program, title="NM cases")
    week_one = CurriculumWeek.objects.create(
        curriculum=curriculum, number=1, topic="Thyroid scintigraphy", summary="Uptake, nodules."
    )
    for order in range(3):
        Reading.objects.create(
            week=week_one,
            order=order,
            citation=f"Author A, Author B. Thyroid imaging, part {order + 1}. J Nucl Med. 2020.",
            url=f"https://example.org/thyroid-{order + 1}",
        )
    for day in range(5):
        Case.objects.create(
            week=week_one, day=day, title=f"Thyroid case {day + 1}", history="Invented."
        )
    week = ProgramWeek.objects.create(program=program, starts_on=monday)
    WeekPlan.objects.create(program_week=week, curriculum_week=week_one)

    unusable = make_password(None)
    rows = [
        Person(
            email=f"person{n:05d}@bench.test",
            full_name=f"Person {n:05d}",
            training_level="R1" if n % 2 == 0 else "R3",
            institution=institution,
            password=unusable,
        )
        for n in range(people)
    ]
    Person.objects.bulk_create(rows, batch_size=2000)
    everyone = list(Person.objects.filter(institution=institution).order_by("email"))
    juniors, seniors = everyone[0::2], everyone[1::2]
    Enrollment.objects.bulk_create(
        [Enrollment(program=program, person=p, role=Role.JUNIOR) for p in juniors]
        + [Enrollment(program=program, person=p, role=Role.SENIOR) for p in seniors],
        batch_size=2000,
    )
    ServiceBlock.objects.bulk_create(
        [
            ServiceBlock(
                program=program,
                person=p,
                service=service,
                starts_on=monday,
                ends_on=monday + datetime.timedelta(days=4),
            )
            for p in everyone
        ],
        batch_size=2000,
    )
    Pair.objects.bulk_create(
        [Pair(week=week, junior=j, senior=s) for j, s in zip(juniors, seniors, strict=False)],
        batch_size=2000,
    )
    return program, week, everyone


def _worker_in_child(
    number: int, program_id: int, week_id: int, batch_size: int, start, queued, results
) -> None:
    """One worker process. Worker 0 runs the weekly email hook's queueing, then
    delivers; the others deliver from the start, as soon as a chunk is committed,
    polling while worker 0 is still queueing, until nothing is left."""
    from medmentor.curriculum.weekly_email import weekly_emails_enqueue
    from medmentor.messaging.services import outbox_deliver_due
    from medmentor.programs.models import Program, ProgramWeek

    name = f"bench-{number}"
    start.wait()
    started = time.perf_counter()
    count = queue_seconds = 0
    if number == 0:
        program = Program.objects.select_related("service", "institution").get(pk=program_id)
        count = weekly_emails_enqueue(program=program, week=ProgramWeek.objects.get(pk=week_id))
        queue_seconds = time.perf_counter() - started
        queued.set()
    sent = 0
    while True:
        done = queued.is_set()  # read before the pass: nothing may be queued after it
        stats = outbox_deliver_due(worker_name=name, batch_size=batch_size)
        sent += stats.sent
        if stats.claimed == 0:
            if done:
                break
            time.sleep(0.01)  # the worker's poll, shortened from its 10 s default
    results.put((number, count, queue_seconds, sent))


def queue_and_deliver_with_workers(
    workers: int, program, week, batch_size: int
) -> tuple[float, int, float, list[int]]:
    """Queue the week and deliver it with `workers` forked worker processes at once
    (see _worker_in_child). Returns the wall time from the start signal until the last
    one finished, how many were queued, how long queueing took in worker 0, and how
    many each worker sent."""
    from django.db import connections

    connections.close_all()  # each process opens its own database connection
    context = multiprocessing.get_context("fork")
    start, queued, results = context.Event(), context.Event(), context.Queue()
    processes = [
        context.Process(
            target=_worker_in_child,
            args=(n, program.id, week.id, batch_size, start, queued, results),
        )
        for n in range(workers)
    ]
    for process in processes:
        process.start()
    time.sleep(1)  # let every child reach the start line
    started = time.perf_counter()
    start.set()
    finished = sorted(results.get(timeout=600) for _ in processes)
    seconds = time.perf_counter() - started
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise SystemExit(f"A worker process failed (exit code {process.exitcode}).")
    return seconds, finished[0][1], finished[0][2], [sent for *_, sent in finished]


def machine_note(database: str, load_at_start: tuple[float, ...]) -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{os.cpu_count()} cores ({cpu}), load average {load} at the end "
        f"({load_at_start[0]:.1f} at the start); Python "
        f"{platform.python_version()}; database {database}; SMTP server aiosmtpd in its own process"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--naive", type=int, default=1_000, help="Messages sent the naive way.")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument(
        "--workers", type=int, default=2, help="Worker processes of the second row (0: none)."
    )
    parser.add_argument(
        "--database-url", default=None, help="An empty database (default: a fresh SQLite file)."
    )
    args = parser.parse_args()
    load_at_start = os.getloadavg()

    folder = Path(tempfile.mkdtemp(prefix="medmentor-bench-"))
    port = free_port()
    env = configure(folder, args.database_url, port)
    sink = start_sink(port, env)
    try:
        import django

        django.setup()
        from django.core.mail import send_mail
        from django.core.management import call_command
        from django.db import connection
        from django.urls import reverse

        from medmentor.curriculum.weekly_email import weekly_email_render, weekly_emails_enqueue
        from medmentor.messaging.models import OutboxMessage, OutboxStatus
        from medmentor.messaging.services import outbox_deliver_due, outbox_email_message

        call_command("migrate", verbosity=0)
        program, week, everyone = build_program(args.people)
        # A running worker has its URLconf loaded long before the week comes due; in
        # a fresh process the first reverse() imports every app's views and the API
        # (~2 s here). Loaded before either way is timed (until 2026-11-28 it fell
        # inside medmentor's time alone).
        reverse("workspace", kwargs={"slug": program.slug})

        # medmentor's way: render and queue everyone's email, then deliver the outbox.
        started = time.perf_counter()
        queued = weekly_emails_enqueue(program=program, week=week)
        render_seconds = time.perf_counter() - started
        started = time.perf_counter()
        stats = outbox_deliver_due(worker_name="bench", batch_size=args.batch_size)
        deliver_seconds = time.perf_counter() - started
        sent = OutboxMessage.objects.filter(status=OutboxStatus.SENT).count()
        if not queued == sent == stats.sent == args.people:
            errors = OutboxMessage.objects.exclude(last_error="").values_list("last_error")
            raise SystemExit(f"Not all sent: {queued=} {sent=} {stats}; {errors[:3]}")

        # The second row: the same week queued again by one worker while the others
        # deliver what is committed, then all of them deliver.
        if args.workers:
            OutboxMessage.objects.all().delete()
            parallel_seconds, requeued, render_again_seconds, parallel_sent = (
                queue_and_deliver_with_workers(args.workers, program, week, args.batch_size)
            )
            sent = OutboxMessage.objects.filter(status=OutboxStatus.SENT).count()
            if not requeued == sent == sum(parallel_sent) == args.people:
                raise SystemExit(f"Workers sent {parallel_sent}: {requeued=} {sent=}")

        # The naive way, on a subset: render one person's email (a handful of queries
        # for that person alone), send_mail it over a new connection.
        subset = everyone[: args.naive]
        started = time.perf_counter()
        for person in subset:
            email = weekly_email_render(program=program, week=week, person=person)
            send_mail(
                email.subject,
                email.text_body,
                None,
                [email.to_email],
                html_message=email.html_body,
            )
        naive_seconds = time.perf_counter() - started

        # The same messages, already rendered, sent the naive way: sending alone.
        rendered = list(OutboxMessage.objects.order_by("id")[: args.naive])
        started = time.perf_counter()
        for message in rendered:
            send_mail(
                message.subject,
                message.text_body,
                None,
                [message.to_email],
                html_message=message.html_body,
            )
        naive_send_seconds = time.perf_counter() - started

        # The ceiling: those messages as bytes, built beforehand, over one connection,
        # with no database at all: what smtplib and the SMTP server allow.
        built = [
            outbox_email_message(message=message).message().as_bytes(linesep="\r\n")
            for message in rendered
        ]
        smtp = smtplib.SMTP("127.0.0.1", port, local_hostname="bench.localhost")
        started = time.perf_counter()
        for message, data in zip(rendered, built, strict=True):
            smtp.sendmail("medmentor@localhost", [message.to_email], data)
        ceiling_seconds = time.perf_counter() - started
        smtp.quit()
        database = connection.vendor
    finally:
        accepted = stop_sink(sink)
        shutil.rmtree(folder, ignore_errors=True)

    expected = args.people * (2 if args.workers else 1) + 3 * args.naive
    if accepted != expected:
        raise SystemExit(f"The SMTP server accepted {accepted} messages, not {expected}.")

    ours = args.people / (render_seconds + deliver_seconds)
    naive = args.naive / naive_seconds
    deliver_rate = args.people / deliver_seconds
    naive_send_rate = args.naive / naive_send_seconds
    ceiling = args.naive / ceiling_seconds
    print(
        f"ratio: {ours / naive:.1f}x the naive way's throughput, end to end (render and send); "
        f"sending alone {deliver_rate / naive_send_rate:.1f}x"
    )
    print(
        f"medmentor: {ours:,.0f} msgs/s end to end for {args.people:,} people: render and queue "
        f"{args.people / render_seconds:,.0f} msgs/s ({render_seconds:.1f} s), deliver "
        f"{deliver_rate:,.0f} msgs/s ({deliver_seconds:.1f} s)"
    )
    print(
        f"naive:     {naive:,.0f} msgs/s end to end on {args.naive:,} people "
        f"(about {args.people / naive:,.0f} s for {args.people:,}); send_mail alone "
        f"{naive_send_rate:,.0f} msgs/s"
    )
    if args.workers:
        together = args.people / parallel_seconds
        print(
            f"{args.workers} workers: {together / naive:.1f}x the naive way, "
            f"{together:,.0f} msgs/s end to end ({parallel_seconds:.1f} s): worker 0 rendered "
            f"and queued at {args.people / render_again_seconds:,.0f} msgs/s "
            f"({render_again_seconds:.1f} s) while the others sent what was committed; sent "
            f"{' + '.join(map(str, parallel_sent))}"
        )
    print(
        f"ceiling:   {ceiling:,.0f} msgs/s: the same messages pre-built, one connection, "
        "no database (what smtplib and the aiosmtpd server allow here)"
    )
    verdict = "met" if ours >= TARGET else "NOT met"
    print(f"target:    {TARGET} msgs/s end to end, one process: {verdict} ({ours:,.0f} msgs/s)")
    when = time.strftime("%Y-%m-%d %H:%M %Z")
    print(f"machine:   {when}; {machine_note(database, load_at_start)}")


if __name__ == "__main__":
    main()
