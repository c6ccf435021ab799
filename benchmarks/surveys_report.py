"""Benchmark: the survey report from the database, against a naive per-row Python loop.

The survey: a coded 40-item instrument (5-point Likert, five scales of eight items, two
reverse-scored items per scale, 2% of answers missing) answered by N respondents in each
of two waves (default 100,000: 200,000 responses, about 7.8 million answers); 70% of
post-wave codes equal a pre-wave code, 10% differ in one element.

Measured in the same run, on the same SQLite database:

* medmentor: `surveys.selectors.survey_report` without charts — reads both waves into
  matrices, pairs the codes (exact and tolerant), scores the scales, Cronbach's alpha,
  the paired comparison per scale, the counts per Likert item; then the report page
  with its 40 diverging bar charts and 5 scale charts (matplotlib SVG), requested by a
  signed-in director through Django's test client (view, statistics, charts, template);
* naive: a per-row loop over the same answer rows (a dict per response, Python sums per
  scale, counts per item, exact code pairing only), without charts or statistics.

The ratio comes first, the absolute times beside it: the machines are shared and noisy.

Run: .venv/bin/python benchmarks/surveys_report.py [--respondents 100000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import tempfile
import time
from pathlib import Path

INSERT = "INSERT INTO surveys_answer (response_id, item_id, value) VALUES (%s, %s, %s)"
PACK = "UPDATE surveys_response SET number_answers = %s WHERE id = %s"


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
    from medmentor.programs.models import Program
    from medmentor.surveys.library import AGREE_5, instrument_create
    from medmentor.surveys.models import Response, number_answers_pack
    from medmentor.surveys.services import code_hashes

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
    )
    waves = {w.kind: w for w in instrument.waves.all()}
    item_ids = list(instrument.items.values_list("pk", flat=True))
    codes = [
        [
            f"{rng.randrange(26)}",
            f"{rng.randrange(31)}",
            f"{rng.randrange(5)}",
            f"{rng.randrange(26)}",
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
            changed[rng.randrange(4)] = "x"
            post_codes.append(changed)
        else:
            post_codes.append([f"p{i}", "0", "0", "0"])
    started = time.perf_counter()
    hashed = {}

    def hashes(code):
        key = tuple(code)
        if key not in hashed:
            hashed[key] = code_hashes(instrument=instrument, elements=code)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=100_000)
    parser.add_argument(
        "--database-url",
        default="",
        help="an empty database to fill, e.g. postgres://…/medmentor_bench (default SQLite)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        configure(Path(folder), args.database_url)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from django.urls import reverse

        from medmentor.surveys.selectors import survey_report

        instrument, load_time = build(args.respondents)
        started = time.perf_counter()
        report = survey_report(instrument=instrument, with_charts=False)
        ours = time.perf_counter() - started
        client = director_client(instrument.program)
        url = reverse(
            "survey-report",
            kwargs={"slug": instrument.program.slug, "instrument_id": instrument.pk},
        )
        started = time.perf_counter()
        page = client.get(url)
        whole = time.perf_counter() - started
        # 40 Likert charts and one chart per scale.
        assert page.status_code == 200 and page.content.count(b'<svg role="img"') == 45
        started = time.perf_counter()
        peer = naive(instrument)
        theirs = time.perf_counter() - started
        row = report.scales[0].comparison
        assert report.items[0].counts_by_wave[0][1] == peer["pre"][report.items[0].item.pk]
        print(
            f"survey statistics from the database, {args.respondents:,} respondents x 2 waves "
            f"x 40 items: {theirs / ours:.1f}x the naive loop ({ours:.2f} s vs {theirs:.2f} s)"
        )
        print(
            f"  the report page with its 45 charts, as a director gets it: {whole:.2f} s "
            f"(target under 5 s: {'met' if whole < 5 else 'not met'})"
        )
        print(
            f"  pairs: {row.n_pairs:,} (exact {report.match.exact:,}, tolerant "
            f"{report.match.tolerant:,}, ambiguous {report.match.ambiguous:,}); naive exact "
            f"pairs {peer['pairs']:,}; data loaded in {load_time:.1f} s; {database()}"
        )


if __name__ == "__main__":
    main()
