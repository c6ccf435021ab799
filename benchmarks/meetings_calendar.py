"""Benchmark: calendar invitations and feeds for 10,000 people, and one feed request.

Part 1, the files (no database): 10,000 people in 5,000 pairs, each pair with one
weekly series over a year (52 dates, two of them skipped), in four time zones.
medmentor's way (meetings.calendar_files): a series is ONE VEVENT with RRULE and
EXDATE, its invitation built once and attached to both participants' emails, the
VTIMEZONE of each zone made once for the years in use, each person's feed built once
per calendar version (then served from the cache). The peer, in the same run: the
naive way — per person and per request, one VEVENT per date (no RRULE) and the
VTIMEZONEs icalendar adds by itself (`add_missing_timezones`, 1970-2038) — on a
subset of people, its time extrapolated. Both parse back to the same dates (checked on
a sample with recurring-ical-events). Memory: each way in its own process (peak RSS).

Part 2, a feed request (database, Django's test client through the whole stack): a
person with 200 meetings; the request served from the cache (the calendar version
unchanged) against the same request building the feed each time (cache cleared).
Target (issue 11): under 50 ms for a person with 200 events.

Prints the ratio first, then the absolute figures, the date and the machine.

Run: .venv/bin/python benchmarks/meetings_calendar.py [--people 10000] [--naive 500]
"""

import argparse
import datetime
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zoneinfo
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
sys.path.insert(0, str(SRC))

ZONES = ("Europe/London", "America/New_York", "America/Chicago", "Australia/Sydney")
TARGET_MS = 50


def machine() -> str:
    return f"{platform.platform()}, {os.cpu_count()} cores, load {os.getloadavg()}"


def series_of_pair(n: int):
    """The series of pair `n`: weekly on a weekday at a local time, 52 dates from
    January 2027, two skipped."""
    from medmentor.meetings import calendar_files as ics

    zone_name = ZONES[n % len(ZONES)]
    zone = zoneinfo.ZoneInfo(zone_name)
    weekday = n % 5
    first = datetime.date(2027, 1, 4) + datetime.timedelta(days=weekday)
    start = datetime.datetime.combine(first, datetime.time(17 + n % 3, 0), tzinfo=zone)
    mentor = ics.Person(f"Mentor {n}", f"mentor{n}@bench.test")
    mentee = ics.Person(f"Mentee {n}", f"mentee{n}@bench.test")
    skipped = tuple(start + datetime.timedelta(weeks=w) for w in (10, 30))
    return ics.CalendarEvent(
        uid=f"series-{n}@bench.test",
        sequence=0,
        title=f"Mentoring, pair {n}",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        time_zone=zone_name,
        organizer=mentor,
        attendees=(mentor, mentee),
        stamp=datetime.datetime(2026, 12, 7, tzinfo=datetime.UTC),
        place="Library, room 2",
        agenda="Goals, then questions.",
        url=f"https://medmentor.test/programs/bench/meetings/{n}/",
        recurrence=ics.Recurrence(interval_weeks=1, weekday=weekday, count=52),
        skipped=skipped,
    )


def ours(pairs: int) -> tuple[float, int]:
    """Invitations (one per series, shared by its two people) and every person's feed."""
    from medmentor.meetings import calendar_files as ics

    events = [series_of_pair(n) for n in range(pairs)]
    started = time.perf_counter()
    size = 0
    for event in events:
        size += len(ics.invitation_ics(event=event))
        for _person in event.attendees:
            size += len(ics.feed_ics(events=[event], name="medmentor meetings"))
    return time.perf_counter() - started, size


def naive_file(event, *, method: str | None) -> bytes:
    """One person's file the naive way: a VEVENT per date, VTIMEZONEs added by icalendar."""
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//naive//EN")
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    skipped = set(event.skipped)
    for week in range(event.recurrence.count):
        start = event.starts_at + datetime.timedelta(weeks=week)
        start = datetime.datetime.combine(start.date(), event.starts_at.time(), start.tzinfo)
        if start in skipped:
            continue
        vevent = icalendar.Event()
        vevent.add("uid", f"{event.uid}-{week}")
        vevent.add("sequence", event.sequence)
        vevent.add("dtstamp", event.stamp)
        vevent.add("summary", event.title)
        vevent.add("dtstart", start)
        vevent.add("dtend", start + (event.ends_at - event.starts_at))
        vevent.add("location", event.place)
        vevent.add("description", event.agenda)
        organizer = icalendar.vCalAddress(f"mailto:{event.organizer.email}")
        vevent.add("organizer", organizer)
        for attendee in event.attendees:
            vevent.add("attendee", icalendar.vCalAddress(f"mailto:{attendee.email}"))
        calendar.add_component(vevent)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def naive(people: int) -> tuple[float, int]:
    """For `people` people: their invitation and their feed, each built on its own."""
    events = [series_of_pair(n) for n in range((people + 1) // 2)]
    started = time.perf_counter()
    size = 0
    done = 0
    for event in events:
        for _person in event.attendees:
            if done == people:
                break
            size += len(naive_file(event, method="REQUEST"))
            size += len(naive_file(event, method=None))
            done += 1
    return time.perf_counter() - started, size


def same_dates_check(samples: int = 8) -> None:
    """Both ways' files expand to the same local start times."""
    import icalendar
    import recurring_ical_events

    from medmentor.meetings import calendar_files as ics

    window = (datetime.date(2027, 1, 1), datetime.date(2028, 1, 31))

    def starts(body):
        calendar = icalendar.Calendar.from_ical(body)
        return sorted(e["DTSTART"].dt for e in recurring_ical_events.of(calendar).between(*window))

    for n in range(samples):
        event = series_of_pair(n * 7)

        ours_starts = starts(ics.feed_ics(events=[event], name="x"))
        assert ours_starts == starts(naive_file(event, method=None)), n
        assert len(ours_starts) == 50


def child(way: str, count: int) -> None:
    """Run one way alone and print its peak memory (own process: a clean measure)."""
    seconds, size = ours(count // 2) if way == "ours" else naive(count)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{seconds:.3f} {size} {peak:.1f}")


def run_child(way: str, count: int) -> tuple[float, int, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", way, "--people", str(count)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(out[0]), int(out[1]), float(out[2])


# --- Part 2: a feed request ---------------------------------------------------------------


def feed_latency(events: int, runs: int) -> tuple[float, float, float]:
    """(cached ms, uncached ms, first request ms) for a person with `events` meetings."""
    folder = Path(tempfile.mkdtemp(prefix="medmentor-meetings-"))
    os.environ.update(
        {
            "MEDMENTOR_DATA_DIR": str(folder),
            "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
            "DJANGO_SETTINGS_MODULE": "medmentor.settings",
        }
    )
    try:
        import django

        django.setup()
        from django.core.cache import cache
        from django.core.management import call_command
        from django.test import Client
        from django.urls import reverse

        from medmentor.meetings import services
        from medmentor.people.models import Institution, Person
        from medmentor.programs.models import Enrollment, Program, ProgramKind, Role

        call_command("migrate", verbosity=0)
        institution = Institution.objects.create(name="Bench", slug="bench")
        program = Program.objects.create(
            name="Bench",
            slug="bench",
            kind=ProgramKind.ONE_TO_ONE,
            institution=institution,
            starts_on="2026-11-02",
            time_zone="Europe/London",
        )
        mentor = Person.objects.create_user(email="mentor@bench.test", full_name="Mo Mentor")
        mentee = Person.objects.create_user(email="mentee@bench.test", full_name="Mia Mentee")
        Enrollment.objects.create(program=program, person=mentor, role=Role.SENIOR)
        Enrollment.objects.create(program=program, person=mentee, role=Role.JUNIOR)
        first = datetime.datetime(2027, 1, 4, 18, tzinfo=program.zone)
        now = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)
        for n in range(events):
            start = first + datetime.timedelta(days=n * 2)
            services.meeting_plan(
                program=program,
                organizer=mentor,
                participants=[mentor, mentee],
                title=f"Meeting {n}",
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=1),
                place="Library",
                agenda="Goals, then questions.",
                now=now,
            )
        token = services.calendar_feed_token_create(person=mentee)
        url = reverse("calendar-feed", kwargs={"token": token})
        from django.conf import settings

        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        client = Client()

        def timed() -> float:
            started = time.perf_counter()
            reply = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
            assert reply.status_code == 200, (reply.status_code, reply.content[:300])
            assert reply.content.count(b"BEGIN:VEVENT") == events
            return elapsed

        cache.clear()
        first_ms = timed()
        cached = statistics.median(timed() for _ in range(runs))
        uncached = []
        for _ in range(max(3, runs // 4)):
            cache.clear()
            uncached.append(timed())
        return cached, statistics.median(uncached), first_ms
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--naive", type=int, default=500, help="people the naive way builds")
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--child", choices=["ours", "naive"])
    args = parser.parse_args()
    if args.child:
        child(args.child, args.people)
        return

    same_dates_check()
    ours_s, ours_bytes, ours_mb = run_child("ours", args.people)
    naive_s, naive_bytes, naive_mb = run_child("naive", args.naive)
    naive_full = naive_s * args.people / args.naive
    cached, uncached, first_ms = feed_latency(args.events, args.runs)
    print(
        f"RATIO files: {naive_full / ours_s:.1f}x faster than naive "
        f"({ours_s:.2f} s vs {naive_full:.1f} s extrapolated from {args.naive} people); "
        f"feed request: {uncached / cached:.1f}x faster cached than built per request"
    )
    print(
        f"files for {args.people} people: ours {ours_s:.2f} s, {ours_bytes / 1e6:.1f} MB "
        f"written, peak RSS {ours_mb:.0f} MB; naive {naive_s:.2f} s for {args.naive} people "
        f"({naive_bytes / 1e6:.1f} MB written, {naive_bytes / args.naive / 1000:.0f} kB per "
        f"person vs {ours_bytes / args.people / 1000:.1f} kB), peak RSS {naive_mb:.0f} MB"
    )
    print(
        f"feed of {args.events} events: cached {cached:.1f} ms (median of {args.runs}), "
        f"built per request {uncached:.1f} ms, first request {first_ms:.1f} ms; "
        f"target under {TARGET_MS} ms: {'met' if cached < TARGET_MS else 'NOT met'}"
    )
    print(f"DATE {datetime.date.today()}  MACHINE {machine()}")


if __name__ == "__main__":
    main()
