"""Benchmark: the survey report from the database, against a naive per-row Python loop.

The survey: a coded 40-item instrument (5-point Likert, five scales of eight items, two
reverse-scored items per scale, 2% of answers missing) answered by N respondents in each
of two waves (default 100,000: 200,000 responses, about 7.8 million answers); 70% of
post-wave codes equal a pre-wave code, 10% differ in one element.

The code design is fit for the number of respondents: the program's four elements
(26 x 31 x 5 x 26, about 105,000 codes) would leave most of 100,000 respondents sharing
their code with someone (73% ambiguous) and the report warns so; the benchmark adds
four more (birth month, father's first initial, last digit of the birth year, the day
of the month the mother was born: about 10^10 codes, so an estimated 0.5 pairs of the
100,000 respondents share a code and about 6 of the 10,000 tolerant pairs are false).

Measured in the same run, on the same SQLite database:

* medmentor: `surveys.selectors.survey_report_compute` without charts (the cache left
  out) — reads both waves into matrices, pairs the codes (exact and tolerant), scores
  the scales, Cronbach's alpha, the paired comparison per scale, the counts per Likert
  item; then the report page with its 40 diverging bar charts and 5 scale charts
  (matplotlib SVG), requested by a signed-in director through Django's test client
  (view, statistics, charts, template): first computed and kept in the cache (timed
  --repeat times with the cache emptied before each, the median printed with every
  run), then again from unchanged data, served from the cache after reading the data
  version (`report_data_version`, also timed alone);
* naive: a per-row loop over the same answer rows (a dict per response, Python sums per
  scale, counts per item, exact code pairing only), without charts or statistics;
* memory: the report with its charts computed in a child process on the same database,
  its peak resident memory beside the child's before the report.

The ratio comes first, the absolute times beside it, each as wall time and as the
process's CPU time, with the load average at the start and the end: the machines are
shared and noisy, and under load the wall time is mostly waiting for a core.

Run: .venv/bin/python benchmarks/surveys_report.py [--respondents 100000] [--database-url URL]
     [--keep FOLDER] [--repeat 5]  (SQLite: build the database in FOLDER once and reuse it)
"""

from __future__ import annotations

import argparse
import contextlib
import hmac
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

INSERT = "INSERT INTO surveys_answer (response_id, item_id, value) VALUES (%s, %s, %s)"
PACK = "UPDATE surveys_response SET number_answers = %s WHERE id = %s"
# Added to the program's four code elements so that the code space fits 100,000
# respondents (see the module text).
EXTRA_ELEMENTS = ("birth_month", "father_initial", "birth_year_digit", "mother_birth_day")


def configure(folder: Path, database_url: str = "") -> None:
    os.environ.update(
        {
            "MEDMENTOR_DATA_DIR": str(folder),
            "DATABASE_URL": database_url or f"sqlite:///{folder / 'bench.sqlite3'}",
            "LOG_LEVEL": "ERROR",
            "DJANGO_SETTINGS_MODULE": "medmentor.settings",
        }
    )


def build(n: int, seed: int = 2):
    import datetime

    from django.db import connection, transaction
    from django.utils import timezone

    from medmentor.people.models import Institution
    from medmentor.programs.access import SYSTEM
    from medmentor.programs.models import Program
    from medmentor.surveys.library import AGREE_5, instrument_create
    from medmentor.surveys.models import Response, number_answers_pack
    from medmentor.surveys.services import CODE_HASH_DIGITS, code_hashes

    rng = random.Random(seed)
    institution = Institution.objects.create(name="Bench", slug="bench")
    program = Program.objects.create(
        name="Bench",
        slug="bench",
        kind="case_review",
        institution=institution,
        starts_on=datetime.date(2026, 1, 5),
    )
    spec = {
        "title": "Bench",
        "consent_text": "Voluntary.",
        "items": [
            {"key": f"q{k}", "text": f"Item {k}", "kind": "likert", "points": 5, "anchors": AGREE_5}
            for k in range(40)
        ],
        "scales": [
            {
                "name": f"Scale {s}",
                "items": [f"q{s * 8 + k}" for k in range(8)],
                "reverse": [f"q{s * 8 + 1}", f"q{s * 8 + 5}"],
                "item_min": 1,
                "item_max": 5,
                "max_missing": 1,
            }
            for s in range(5)
        ],
    }
    now = timezone.now()
    instrument = instrument_create(
        program=program,
        spec=spec,
        pre_opens_at=now - datetime.timedelta(days=60),
        post_opens_at=now - datetime.timedelta(days=1),
        by=SYSTEM,
    )
    waves = {w.kind: w for w in instrument.waves.all()}
    item_ids = list(instrument.items.values_list("pk", flat=True))
    codes = [
        [
            f"{rng.randrange(26)}",
            f"{rng.randrange(31)}",
            f"{rng.randrange(5)}",
            f"{rng.randrange(26)}",
            f"{rng.randrange(12)}",
            f"{rng.randrange(26)}",
            f"{rng.randrange(10)}",
            f"{rng.randrange(31)}",
        ]
        for _ in range(n)
    ]
    post_codes = []
    for i in range(n):
        roll = rng.random()
        if roll < 0.7:
            post_codes.append(codes[i])
        elif roll < 0.8:
            changed = list(codes[i])
            changed[rng.randrange(len(changed))] = "x"
            post_codes.append(changed)
        else:
            post_codes.append([f"p{i}", "0", "0", "0", "0", "0", "0", "0"])
    started = time.perf_counter()
    hashed = {}

    def hashes(code):
        key = tuple(code)
        if key not in hashed:
            # The program's four elements as the answer form hashes them, then the four
            # added ones with the same salted hash under their own names.
            extra = [
                hmac.new(
                    f"{instrument.code_salt}:{name}".encode(), value.encode(), "sha256"
                ).hexdigest()[:CODE_HASH_DIGITS]
                for name, value in zip(EXTRA_ELEMENTS, code[4:], strict=True)
            ]
            hashed[key] = code_hashes(instrument=instrument, elements=code[:4]) + extra
        return hashed[key]

    with transaction.atomic():
        for kind, wave_codes in (("pre", codes), ("post", post_codes)):
            Response.objects.bulk_create(
                (
                    Response(
                        wave=waves[kind],
                        anonymity="coded",
                        code_hashes=hashes(code),
                        submitted_at=now,
                    )
                    for code in wave_codes
                ),
                batch_size=5000,
            )
        response_ids = list(Response.objects.order_by("pk").values_list("pk", flat=True))
        items = {item.pk: item for item in instrument.items.all()}
        with connection.cursor() as cursor:
            batch, packed = [], []
            for response_id in response_ids:
                level = rng.randint(1, 5)
                answers = {}
                for item_id in item_ids:
                    if rng.random() < 0.02:
                        continue
                    value = min(5, max(1, level + rng.choice((-1, 0, 0, 1))))
                    answers[item_id] = str(value)
                    batch.append((response_id, item_id, str(value)))
                # The copy that response_submit writes with every submission.
                packed.append((number_answers_pack(answers, items), response_id))
                if len(batch) > 200_000:
                    cursor.executemany(INSERT, batch)
                    cursor.executemany(PACK, packed)
                    batch, packed = [], []
            if batch:
                cursor.executemany(INSERT, batch)
                cursor.executemany(PACK, packed)
    return instrument, time.perf_counter() - started


def database() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    return f"{connection.display_name} {connection.pg_version // 10000}"


def director_client(program):
    """A signed-in director's browser session, to time the report page as served."""
    from django.test import Client

    from medmentor.people.models import Person
    from medmentor.programs.models import Enrollment, Role

    director = Person.objects.filter(email="director@bench.test").first()
    if director is None:
        director = Person.objects.create_user(email="director@bench.test", full_name="Director")
        Enrollment.objects.create(program=program, person=director, role=Role.DIRECTOR)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(director)
    return client


def naive(instrument) -> dict:
    """A dict per response from per-row reads, Python sums and counts, exact pairing."""
    from medmentor.surveys.models import Answer

    scales = [
        (scale, [(si.item_id, si.reverse) for si in scale.scale_items.all()])
        for scale in instrument.scales.all()
    ]
    result = {}
    by_wave = {}
    for wave in instrument.waves.all():
        rows: dict[int, dict[int, int]] = {}
        codes = {}
        for response in wave.responses.filter(submitted_at__isnull=False).iterator():
            rows[response.pk] = {}
            codes[response.pk] = tuple(response.code_hashes)
        for response_id, item_id, value in (
            Answer.objects.filter(response__wave=wave)
            .values_list("response_id", "item_id", "value")
            .iterator(chunk_size=10000)
        ):
            rows[response_id][item_id] = int(value)
        counts: dict[int, list[int]] = {}
        for answers in rows.values():
            for item_id, value in answers.items():
                counts.setdefault(item_id, [0] * 5)[value - 1] += 1
        scores = {}
        for scale, members in scales:
            per_response = {}
            for response_id, answers in rows.items():
                values = [
                    (6 - answers[i]) if reverse else answers[i]
                    for i, reverse in members
                    if i in answers
                ]
                if len(values) >= len(members) - 1:
                    per_response[response_id] = sum(values) / len(values) * len(members)
            scores[scale.pk] = per_response
        by_wave[wave.kind] = (codes, scores, counts)
        result[wave.kind] = counts
    pre_codes = {code: pk for pk, code in by_wave["pre"][0].items()}
    pairs = [(pre_codes[c], pk) for pk, c in by_wave["post"][0].items() if c in pre_codes]
    result["pairs"] = len(pairs)
    return result


class Timer:
    """Wall and CPU time of a block."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu

    def __str__(self) -> str:
        return f"{self.wall:.2f} s (CPU {self.cpu:.2f} s)"


def peak_memory_mb() -> float:
    """This process's peak resident memory. Linux's VmHWM belongs to the process's own
    memory map; ru_maxrss would carry the parent's peak over the fork."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def memory_child() -> None:
    """In the child process: the report with its charts, the peak memory before and after."""
    import django

    django.setup()
    from medmentor.surveys.models import Instrument
    from medmentor.surveys.selectors import survey_report_compute

    instrument = Instrument.objects.get(title="Bench")
    before = peak_memory_mb()
    survey_report_compute(instrument=instrument, with_charts=True)
    print(f"{before:.0f} {peak_memory_mb():.0f}")


def memory(folder: Path, database_url: str) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.run(
        [sys.executable, __file__, "--memory-child", "--keep", str(folder)]
        + (["--database-url", database_url] if database_url else []),
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    before, after = child.stdout.split()[-2:]
    return f"peak {after} MB in its own process ({before} MB before the report)"


def load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=100_000)
    parser.add_argument(
        "--database-url",
        default="",
        help="an empty database to fill, e.g. postgres://…/medmentor_bench (default SQLite)",
    )
    parser.add_argument("--keep", default="", help="folder of a SQLite database to reuse")
    parser.add_argument(
        "--repeat", type=int, default=5, help="times the first (computed) page is timed"
    )
    parser.add_argument("--memory-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        if args.keep:
            folder = Path(args.keep)
            folder.mkdir(parents=True, exist_ok=True)
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        configure(folder, args.database_url)
        if args.memory_child:
            memory_child()
            return
        load_start = load()
        import django

        django.setup()
        from django.core.cache import cache
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from django.urls import reverse

        from medmentor.surveys.models import Instrument
        from medmentor.surveys.selectors import report_data_version, survey_report_compute

        instrument = Instrument.objects.filter(title="Bench").first()
        load_time = None
        if instrument is None:
            instrument, load_time = build(args.respondents)
        n = instrument.waves.get(kind="pre").responses.count()
        with Timer() as ours:
            report = survey_report_compute(instrument=instrument, with_charts=False)
        client = director_client(instrument.program)
        url = reverse(
            "survey-report",
            kwargs={"slug": instrument.program.slug, "instrument_id": instrument.pk},
        )
        # The first load computes the report; it is timed --repeat times, the cache
        # emptied before each (the machines are shared: one run says little).
        firsts = []
        for _ in range(args.repeat):
            cache.clear()
            with Timer() as whole:
                page = client.get(url)
            # 40 Likert charts and one chart per scale.
            assert page.status_code == 200 and page.content.count(b'<svg role="img"') == 45
            firsts.append(whole)
        firsts.sort(key=lambda timer: timer.wall)
        whole = firsts[len(firsts) // 2]
        with Timer() as cached:
            again = client.get(url)
        assert again.status_code == 200 and again.content.count(b'<svg role="img"') == 45
        with Timer() as version:
            report_data_version(instrument=instrument)
        with Timer() as theirs:
            peer = naive(instrument)
        peak = memory(folder, args.database_url)
        row = report.scales[0].comparison
        assert report.items[0].counts_by_wave[0][1] == peer["pre"][report.items[0].item.pk]
        print(
            f"survey statistics from the database, {n:,} respondents x 2 waves "
            f"x 40 items: {theirs.wall / ours.wall:.1f}x the naive loop ({ours} vs {theirs})"
        )
        print(
            f"  the report page with its 45 charts, as a director gets it: first {whole} "
            f"(median of {len(firsts)}: {', '.join(f'{t.wall:.2f}' for t in firsts)} s; "
            f"target under 5 s: {'met' if whole.wall < 5 else 'not met'}); again from "
            f"unchanged data, from the cache: {cached} (data version alone {version})"
        )
        print(f"  the report with charts computed: {peak}")
        print(
            f"  pairs: {row.n_pairs:,} (exact {report.match.exact:,}, tolerant "
            f"{report.match.tolerant:,}, ambiguous {report.match.ambiguous:,}); naive exact "
            f"pairs {peer['pairs']:,}; "
            + (f"data loaded in {load_time:.1f} s; " if load_time else "database reused; ")
            + f"{database()}; load average {load_start} at the start, {load()} at the end"
        )
        print(f"  {report.match.chance.summary} {' '.join(report.match.details)}")


if __name__ == "__main__":
    main()
