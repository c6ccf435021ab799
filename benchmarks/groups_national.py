"""Benchmark: a national network's peer groups, import → form → publish, against the
formation alone (issue 14, "Scale").

A program of N members (71,000 by default: the seed's physicians' group) is split into
subgroups by place and groups of at most eight, diverse on specialty:

- medmentor's way, end to end: the profiles files (CSV, 20,000 rows each at most) through
  `groups.services.group_profiles_import` (every row checked, then all of it in one
  transaction), `formation_run_create` (matching.form_groups plus each group's
  explanation, stored as a draft), and `formation_publish` (the groups and memberships
  in one transaction, one email per member queued in the outbox).
- the peer in the same run: `matching.form_groups` alone on the same columns, as plain
  lists (no database, no file): the floor the whole pipeline is measured against.

Each runs in its own process (fresh SQLite file in a temporary folder, migrated before
the clock starts), which reports its time and peak memory (ru_maxrss), so one's memory
does not count in the other's. The roster (people and enrollments) is written in bulk
before the clock starts: it is the roster import's benchmark, not this one; so are the
URLconf's modules loaded (a web process or worker has them long before).

Prints the ratio first (whole pipeline / formation alone), then each step's time, the
peak memory of each process, the count of groups and emails, the date and the machine.

Run: PYTHONPATH=src .venv/bin/python benchmarks/groups_national.py [--people 71000]
"""

import argparse
import datetime
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PLACES = [f"Region {k:02d}" for k in range(60)]
SPECIALTIES = [f"Specialty {k:02d}" for k in range(40)]
INTERESTS = [f"Interest {k:02d}" for k in range(30)]


def columns(people: int, seed: int = 7) -> dict[str, list[str]]:
    """Places by popularity (a few big cities), specialties and interests with structure."""
    rng = random.Random(seed)
    place_weights = [1 / (k + 1) for k in range(len(PLACES))]
    return {
        "place": rng.choices(PLACES, weights=place_weights, k=people),
        "specialty": rng.choices(SPECIALTIES, weights=[1 / (k + 3) for k in range(40)], k=people),
        "interest": rng.choices(INTERESTS, k=people),
    }


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_formation_alone(people: int) -> dict:
    from medmentor.matching.groups import GroupSpec, form_groups

    cols = columns(people)
    ids = list(range(people))
    started = time.perf_counter()
    grouping = form_groups(
        ids,
        cols,
        GroupSpec(min_size=4, max_size=8, similar=("place",), diverse=("specialty",)),
    )
    return {
        "seconds": time.perf_counter() - started,
        "groups": grouping.n_groups,
        "peak_mb": peak_mb(),
    }


def run_pipeline(people: int, folder: Path) -> dict:
    os.environ.update(
        {
            "MEDMENTOR_DATA_DIR": str(folder),
            "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
            "LOG_LEVEL": "ERROR",
            "DJANGO_SETTINGS_MODULE": "medmentor.settings",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # A running server has loaded every module and template long before; so does this.
    from django.template.loader import get_template

    import medmentor.urls  # noqa: F401

    get_template("groups/formed_email.txt")
    from medmentor.groups import services
    from medmentor.messaging.models import OutboxMessage
    from medmentor.people.models import Institution, Person
    from medmentor.programs.access import SYSTEM
    from medmentor.programs.importing import MAX_ROWS
    from medmentor.programs.models import Enrollment, Program, ProgramKind, Role

    institution = Institution.objects.create(name="National network", slug="national")
    program = Program.objects.create(
        name="Physicians' peer groups",
        slug="national",
        kind=ProgramKind.PEER_GROUP,
        institution=institution,
        starts_on=datetime.date.today(),
    )
    Person.objects.bulk_create(
        [
            Person(email=f"member{k}@network.test", full_name=f"Member {k}", password="!")
            for k in range(people)
        ],
        batch_size=5000,
    )
    members = list(Person.objects.order_by("pk"))
    Enrollment.objects.bulk_create(
        [Enrollment(program=program, person=p, role=Role.JUNIOR) for p in members],
        batch_size=5000,
    )
    cols = columns(people)
    header = "email,place,specialty,interest"
    lines = [
        f"{p.email},{cols['place'][k]},{cols['specialty'][k]},{cols['interest'][k]}"
        for k, p in enumerate(members)
    ]
    # The import engine reads at most 20,000 rows a file (programs.importing.MAX_ROWS):
    # a national network's profiles come in several files, as they would be uploaded.
    files = [
        ("\n".join([header, *lines[start : start + MAX_ROWS]]) + "\n").encode()
        for start in range(0, len(lines), MAX_ROWS)
    ]

    times = {}
    started = time.perf_counter()
    for number, content in enumerate(files, 1):
        result = services.group_profiles_import(
            program=program,
            file_name=f"profiles-{number}.csv",
            content=content,
            apply=True,
            by=SYSTEM,
        )
        assert result.applied, result.errors[:3]
    times["import"] = time.perf_counter() - started
    step = time.perf_counter()
    run = services.formation_run_create(
        program=program, by=SYSTEM, similar=[], diverse=["specialty"], subgroup_by="place"
    )
    times["form"] = time.perf_counter() - step
    step = time.perf_counter()
    placed = services.formation_publish(run=run, by=SYSTEM)
    times["publish"] = time.perf_counter() - step
    times["total"] = time.perf_counter() - started
    return {
        "seconds": times,
        "groups": len(run.groups),
        "placed": placed,
        "emails": OutboxMessage.objects.filter(key__startswith="group-formed:").count(),
        "largest": max(len(g["members"]) for g in run.groups),
        "peak_mb": peak_mb(),
    }


def child(kind: str, people: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                kind,
                "--people",
                str(people),
                "--folder",
                folder,
            ],
            capture_output=True,
            text=True,
            env=os.environ,
        )
    if done.returncode:
        raise SystemExit(f"The {kind} process failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=71_000)
    parser.add_argument("--child", choices=["pipeline", "formation"])
    parser.add_argument("--folder")
    options = parser.parse_args()
    if options.child == "formation":
        print(json.dumps(run_formation_alone(options.people)))
        return
    if options.child == "pipeline":
        print(json.dumps(run_pipeline(options.people, Path(options.folder))))
        return
    alone = child("formation", options.people)
    whole = child("pipeline", options.people)
    t = whole["seconds"]
    print(
        f"ratio: import → form → publish takes {t['total'] / alone['seconds']:.0f}x the "
        f"formation alone ({t['total']:.1f} s vs {alone['seconds']:.2f} s)"
    )
    print(
        f"people {options.people:,}: import {t['import']:.1f} s, form {t['form']:.1f} s, "
        f"publish {t['publish']:.1f} s; {whole['groups']:,} groups (largest "
        f"{whole['largest']}), {whole['placed']:,} placed, {whole['emails']:,} emails queued"
    )
    print(
        f"peak memory: pipeline process {whole['peak_mb']:.0f} MB, formation-alone process "
        f"{alone['peak_mb']:.0f} MB ({alone['groups']:,} groups)"
    )
    print(
        f"{datetime.datetime.now():%Y-%m-%d %H:%M}, {platform.platform()}, load {os.getloadavg()}"
    )


if __name__ == "__main__":
    main()
