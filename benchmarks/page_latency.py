"""Benchmark: the busy pages under a 20-way burst, against a trivial signed-in page.

Issue 10 item 9: the junior's this-week page, the director's program page and the home
page, each at most 1.5x a trivial signed-in page at p95, with 20 concurrent clients on
gunicorn and PostgreSQL.

What runs, all on this machine:
- the database: a fresh SQLite file in a temporary folder, or --database-url (an empty
  PostgreSQL database; the run migrates it and fills it);
- the data: `medmentor load-demo` (the seed's Nuclear Medicine case-review program, the
  near-peer program, a survey, focus groups), then the case-review program grown to a
  real size through the director's own doors (roster and schedule imports, the weeks'
  pairs derived from the schedule, marks in the weeks already over): 40 learners
  (16 juniors on 4-week rotations, 24 seniors on 2-week ones) over 16 weeks; this week,
  as in the demo's weeks, 4 juniors and 3 seniors are on service (12 pairs);
- the server: gunicorn with 4 sync workers (as docs/deploy.md runs it), DEBUG off,
  SITE_URL set, persistent database connections (the settings' default);
- the clients: 20 threads, each with its own session made by the real sign-in POST
  (demo password, CSRF token from the sign-in page): 20 sessions of juniors on service
  this week (for their this-week page and for the trivial page) and 20 of the director
  and the coordinator (for the program page and the home page).

The trivial signed-in page is `/benchmark/trivial/`, added by the benchmark's own
settings module (page_latency_site.py: the deployed settings and URLs plus that page):
signed in, the base template around one heading, nothing else read. It costs what every
signed-in page costs before its own content (HTTP, middleware, session and person, the
base template). medmentor has no such page of its own; `/api/me` (the session, the
person, a few fields as JSON, no template) is measured too, as a second reference.

Each round fires, for each page in turn, a burst of 20 concurrent requests (one per
client, started together at a barrier) and waits for all of them; the order of the
pages rotates from round to round, so the machine's noise falls on every page alike.
A warm-up (not counted) comes first. Every response must be 200 and the expected page
(a marker of its content), or the run fails.

Prints the ratio first (each page's p95 against the trivial page's p95), then p50 and
p95 of each page, then the database, the server and the machine's load.

Run: .venv/bin/python benchmarks/page_latency.py [--database-url URL] [--rounds 30]
"""

import argparse
import concurrent.futures
import csv
import datetime
import html
import http.client
import io
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

GUNICORN = Path(sys.executable).with_name("gunicorn")
HERE = Path(__file__).resolve().parent

# The first week of each junior and senior added to the demo's 4 and 10: 16 juniors and
# 24 seniors, 40 learners, over 16 weeks.
JUNIOR_STARTS = (1, 4, 4, 5, 6, 7, 8, 8, 9, 10, 11, 12)
SENIOR_STARTS = (0, 1, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 14)
PROGRAM_WEEKS = 16
DOMAIN = "demo.medmentor.test"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def configure(folder: Path, database_url: str | None, port: int) -> dict:
    """The server's and this process's settings (the same environment for both)."""
    env = {
        "MEDMENTOR_DATA_DIR": str(folder),
        "DATABASE_URL": database_url or f"sqlite:///{folder / 'bench.sqlite3'}",
        "DEBUG": "0",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "LOG_LEVEL": "ERROR",
        "DJANGO_SETTINGS_MODULE": "medmentor.settings",
    }
    os.environ.update(env)
    return env


# --- Data -----------------------------------------------------------------------------


def database_is_empty() -> bool:
    from django.db import connection

    return "people_person" not in connection.introspection.table_names()


def load_data(today: datetime.date) -> None:
    """The demo, then its case-review program grown to 40 learners over 16 weeks."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo", today=today, stdout=io.StringIO())
    grow_demo_program(today=today)


def grow_demo_program(*, today: datetime.date) -> None:
    """More juniors and seniors through the director's doors: a roster import, a
    schedule import, the weeks and their pairs derived from the schedule, the weeks'
    plans, and marks (reviewed or skipped) in the weeks already over."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from medmentor.curriculum import demo
    from medmentor.curriculum.models import Case, CaseReview, ReviewStatus, WeekPlan
    from medmentor.curriculum.services import case_review_mark, week_plans_assign
    from medmentor.people.models import Person
    from medmentor.programs import services as program_services
    from medmentor.programs.models import Enrollment, Pair, Program, Role

    program = Program.objects.get(slug=demo.PROGRAM_SLUG)
    start = program.starts_on
    roster = io.StringIO()
    schedule = io.StringIO()
    roster_rows = csv.writer(roster, lineterminator="\n")
    schedule_rows = csv.writer(schedule, lineterminator="\n")
    roster_rows.writerow(["email", "full_name", "training_level", "role", "specialty"])
    schedule_rows.writerow(["email", "service", "start_date", "end_date"])
    # Each newcomer's first week (0 is the program's first; today is in week 3, as in
    # the demo): juniors on 4-week rotations, seniors on 2-week turns, so that this week,
    # like the demo's weeks, has 4 juniors and 3 seniors on service (12 pairs).
    for number, first in enumerate(JUNIOR_STARTS, start=5):
        email = f"junior{number}@{DOMAIN}"
        roster_rows.writerow([email, f"Junior Resident {number}", "R1", "junior", "Radiology"])
        begins = start + datetime.timedelta(weeks=first)
        ends = begins + datetime.timedelta(weeks=4, days=-3)
        schedule_rows.writerow([email, demo.SERVICE, begins.isoformat(), ends.isoformat()])
    for number, first in enumerate(SENIOR_STARTS, start=11):
        email = f"senior{number}@{DOMAIN}"
        level = ("R3", "R4", "R5", "fellow")[number % 4]
        roster_rows.writerow([email, f"Senior Resident {number}", level, "senior", "Radiology"])
        begins = start + datetime.timedelta(weeks=first)
        ends = begins + datetime.timedelta(weeks=2, days=-3)
        schedule_rows.writerow([email, demo.SERVICE, begins.isoformat(), ends.isoformat()])

    director = (
        Enrollment.objects.filter(program=program, role=Role.DIRECTOR).first().person  # type: ignore[union-attr]
    )
    with transaction.atomic():
        for name, content, run in (
            ("roster.csv", roster, program_services.roster_import),
            ("schedule.csv", schedule, program_services.schedule_import),
        ):
            result = run(
                program=program,
                file_name=name,
                content=content.getvalue().encode(),
                apply=True,
                by=director,
            )
            if result.errors or not result.applied:
                raise SystemExit(f"The benchmark's {name} was refused: {result.errors[:3]}")
        Person.objects.filter(email__endswith=f"@{DOMAIN}", password__startswith="!").update(
            password=make_password(demo.PASSWORD)
        )
        last_day = start + datetime.timedelta(weeks=PROGRAM_WEEKS, days=-3)
        weeks = program_services.program_weeks_ensure(program=program, until=last_day)
        # The weeks already over are written as of their own time (finished weeks are
        # frozen for everyone else), as the demo loader writes its past weeks.
        for week in weeks:
            program_services.pairs_derive(
                program=program, week=week, today=min(today, week.starts_on)
            )
        week_plans_assign(program=program, today=start)
        # Marks in the weeks over, for the pairs that have none (the demo's own pairs
        # were marked by load-demo), as the demo marks them.
        chance = random.Random(2026)
        cases = {
            plan.program_week_id: list(
                Case.objects.filter(week=plan.curriculum_week).order_by("day", "pk")
            )
            for plan in WeekPlan.objects.filter(program_week__program=program)
        }
        marked = set(CaseReview.objects.values_list("pair_id", flat=True))
        over = Pair.objects.filter(
            week__program=program,
            week__starts_on__lte=today - datetime.timedelta(days=7),
            is_removed=False,
        ).select_related("junior", "week")
        for pair in over:
            if pair.pk in marked:
                continue
            for case in cases.get(pair.week_id, []):
                roll = chance.random()
                if roll < 0.15:
                    continue
                status = ReviewStatus.SKIPPED if roll < 0.3 else ReviewStatus.REVIEWED
                case_review_mark(
                    pair=pair, case=case, status=status, by=pair.junior, today=pair.week.starts_on
                )


@dataclass
class Cast:
    """Who signs in: juniors on service this week, and the program's staff."""

    slug: str
    program_name: str
    juniors: list[tuple[str, str]]  # email, full name
    staff: list[tuple[str, str]]
    learners: int
    weeks: int
    pairs_this_week: int
    pairs: int


def cast(today: datetime.date) -> Cast:
    from medmentor.curriculum import demo
    from medmentor.programs.models import Enrollment, Pair, Program, ProgramWeek, Role

    program = Program.objects.get(slug=demo.PROGRAM_SLUG)
    monday = today - datetime.timedelta(days=today.weekday())
    this_week = ProgramWeek.objects.get(program=program, starts_on=monday)
    live = Pair.objects.filter(week=this_week, is_removed=False)
    juniors = sorted(
        {(pair.junior.email, pair.junior.full_name) for pair in live.select_related("junior")}
    )
    staff = [
        (person.email, person.full_name)
        for person in (
            Enrollment.objects.get(program=program, role=role).person
            for role in (Role.DIRECTOR, Role.COORDINATOR)
        )
    ]
    return Cast(
        slug=program.slug,
        program_name=program.name,
        juniors=juniors,
        staff=staff,
        learners=Enrollment.objects.filter(
            program=program, role__in=[Role.JUNIOR, Role.SENIOR]
        ).count(),
        weeks=ProgramWeek.objects.filter(program=program).count(),
        pairs_this_week=live.count(),
        pairs=Pair.objects.filter(week__program=program, is_removed=False).count(),
    )


# --- HTTP ----------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    body: bytes
    headers: list[tuple[str, str]]
    seconds: float


def request(
    port: int, method: str, path: str, cookies: dict, body: bytes = b"", headers=None
) -> Reply:
    """One request on a new connection (gunicorn's sync workers close each one), timed
    from connecting to the last byte of the body."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        sent = dict(headers or {})
        if cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
        connection.request(method, path, body=body or None, headers=sent)
        response = connection.getresponse()
        data = response.read()
        return Reply(response.status, data, response.getheaders(), time.perf_counter() - started)
    finally:
        connection.close()


def _set_cookies(reply: Reply, cookies: dict) -> None:
    for name, value in reply.headers:
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            cookies[key.strip()] = rest.split(";", 1)[0]


def sign_in(port: int, email: str, password: str) -> dict:
    """A session through the real sign-in form: GET it for the CSRF token, POST it."""
    cookies: dict = {}
    page = request(port, "GET", "/sign-in/", cookies)
    _set_cookies(page, cookies)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    if page.status != 200 or token is None:
        raise SystemExit(f"The sign-in page did not load ({page.status}).")
    form = urlencode(
        {
            "csrfmiddlewaretoken": token.group(1).decode(),
            "email": email,
            "password": password,
            "next": "/",
        }
    ).encode()
    reply = request(
        port,
        "POST",
        "/sign-in/",
        cookies,
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    _set_cookies(reply, cookies)
    if reply.status != 302 or "sessionid" not in cookies:
        raise SystemExit(f"Signing in as {email} failed ({reply.status}).")
    return cookies


@dataclass
class Client:
    email: str
    name: str
    cookies: dict


@dataclass
class Page:
    label: str
    path: str
    group: str  # "juniors" or "staff": whose sessions request it
    check: object  # (client, body) -> problem text or ""
    seconds: list[float] = field(default_factory=list)


def _contains(*markers: str):
    def check(client: Client, body: bytes) -> str:
        text = body.decode("utf-8", "replace")
        for marker in (*markers, html.escape(client.name)):
            if marker not in text:
                return f"{marker!r} is not on the page"
        return ""

    return check


def _me(client: Client, body: bytes) -> str:
    try:
        me = json.loads(body)
    except ValueError:
        return "not JSON"
    return "" if me.get("email") == client.email else f"the API says {me.get('email')!r}"


def request_plan(slug: str, program_name: str) -> list[Page]:
    """The pages, in their first round's order, each with what proves it is the page.
    The first is the trivial page every ratio is against."""
    from page_latency_site import TRIVIAL_MARKER, TRIVIAL_PATH

    return [
        Page("trivial signed-in page", TRIVIAL_PATH, "juniors", _contains(TRIVIAL_MARKER)),
        Page("/api/me (JSON, no template)", "/api/me", "juniors", _me),
        Page(
            "junior's this-week page",
            f"/programs/{slug}/this-week/",
            "juniors",
            _contains("<h1>This week</h1>", 'id="pair-heading"', 'id="week-heading"'),
        ),
        Page(
            "director's program page",
            f"/programs/{slug}/",
            "staff",
            _contains(html.escape(program_name), 'id="participation-heading"', "Sent:"),
        ),
        Page(
            "home page (director, coordinator)",
            "/",
            "staff",
            _contains("<h1>Your programs</h1>", html.escape(program_name)),
        ),
    ]


def burst(port: int, page: Page, clients: list[Client], pool) -> list[float]:
    """All clients request the page at once; returns their latencies (s)."""
    gate = threading.Barrier(len(clients))

    def one(client: Client) -> float:
        gate.wait()
        reply = request(port, "GET", page.path, client.cookies)
        if reply.status != 200:
            raise RuntimeError(f"{page.path} for {client.email}: status {reply.status}")
        problem = page.check(client, reply.body)
        if problem:
            raise RuntimeError(f"{page.path} for {client.email}: {problem}")
        return reply.seconds

    return list(pool.map(one, clients))


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile: the value below which `share` of them fall."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


# --- Server ---------------------------------------------------------------------------


def start_server(port: int, workers: int, env: dict, folder: Path) -> subprocess.Popen:
    log = open(folder / "gunicorn.log", "w")  # noqa: SIM115 - closed with the server
    server = subprocess.Popen(
        [
            str(GUNICORN),
            "medmentor.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            # The deployed settings plus the trivial page (page_latency_site).
            "--pythonpath",
            str(HERE),
        ],
        env={**os.environ, **env, "DJANGO_SETTINGS_MODULE": "page_latency_site"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped: {(folder / 'gunicorn.log').read_text()[-2000:]}")
        try:
            if request(port, "GET", "/sign-in/", {}).status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within 60 s.")


def stop_server(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# --- Run ------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (20)")
    parser.add_argument("--rounds", type=int, default=30, help="measured rounds (30)")
    parser.add_argument("--warm-up", type=int, default=3, help="rounds not counted (3)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (4)")
    args = parser.parse_args()
    if not GUNICORN.exists():
        raise SystemExit(f"gunicorn is not installed next to {sys.executable} (the dev extra).")

    folder = Path(tempfile.mkdtemp(prefix="medmentor-latency-"))
    port = free_port()
    env = configure(folder, args.database_url, port)
    import django

    django.setup()
    from django.db import connection

    from medmentor.curriculum import demo

    if not database_is_empty():
        shutil.rmtree(folder, ignore_errors=True)
        raise SystemExit(
            "The database already holds medmentor's tables: give the benchmark an empty "
            "one (drop it and create it again; see benchmarks/README.md)."
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    else:
        import sqlite3

        database = f"SQLite {sqlite3.sqlite_version}"
    today = demo.demo_today()
    print(f"Loading the data into {database} ...", flush=True)
    started = time.perf_counter()
    load_data(today)
    people = cast(today)
    connection.close()
    print(
        f"  {people.learners} learners, {people.weeks} weeks, {people.pairs} pairs "
        f"({people.pairs_this_week} this week, {len(people.juniors)} juniors on service) "
        f"in {time.perf_counter() - started:.0f} s",
        flush=True,
    )

    server = start_server(port, args.workers, env, folder)
    try:
        groups = {
            "juniors": [
                Client(email, name, sign_in(port, email, demo.PASSWORD))
                for email, name in (
                    people.juniors[n % len(people.juniors)] for n in range(args.clients)
                )
            ],
            "staff": [
                Client(email, name, sign_in(port, email, demo.PASSWORD))
                for email, name in (
                    people.staff[n % len(people.staff)] for n in range(args.clients)
                )
            ],
        }
        pages = request_plan(people.slug, people.program_name)
        load_before = load_average()
        rounds_started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.clients) as pool:
            for number in range(args.warm_up + args.rounds):
                shift = number % len(pages)
                for page in pages[shift:] + pages[:shift]:
                    seconds = burst(port, page, groups[page.group], pool)
                    if number >= args.warm_up:
                        page.seconds += seconds
        rounds_seconds = time.perf_counter() - rounds_started
        load_after = load_average()
    finally:
        stop_server(server)

    trivial, api = pages[0], pages[1]
    base = percentile(trivial.seconds, 0.95)
    api_base = percentile(api.seconds, 0.95)
    print()
    print(
        f"RATIOS at p95 against the trivial signed-in page (target: each at most 1.5x); "
        f"in brackets against /api/me — {database}, {args.clients} concurrent clients, "
        f"{args.rounds} rounds ({len(trivial.seconds)} requests a page):"
    )
    width = max(len(page.label) for page in pages)
    for page in pages[1:]:
        p95 = percentile(page.seconds, 0.95)
        verdict = "" if page is api else ("  met" if p95 / base <= 1.5 else "  NOT met")
        print(f"  {page.label:<{width}}  {p95 / base:5.2f}x  ({p95 / api_base:5.2f}x){verdict}")
    print()
    print("ABSOLUTE (ms, from connecting to the last byte of the body):")
    print(f"  {'page':<{width}}  {'p50':>7}  {'p95':>7}  {'max':>7}")
    for page in pages:
        p50 = percentile(page.seconds, 0.5) * 1000
        p95 = percentile(page.seconds, 0.95) * 1000
        print(f"  {page.label:<{width}}  {p50:7.1f}  {p95:7.1f}  {max(page.seconds) * 1000:7.1f}")
    print()
    print(
        f"{database}; gunicorn {args.workers} sync workers, DEBUG off; the program: "
        f"{people.learners} learners, {people.weeks} weeks, {people.pairs_this_week} pairs "
        f"this week; sessions of {len(people.juniors)} juniors and {len(people.staff)} staff "
        f"({args.clients} of each, signed in through the sign-in form)"
    )
    print(
        f"machine: {os.cpu_count()} cores, {platform.machine()}, load average "
        f"{load_before} before the rounds, {load_after} after; "
        f"Python {platform.python_version()}; rounds took {rounds_seconds:.0f} s"
    )
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
