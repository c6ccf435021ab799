"""Shared by the matching benchmarks: instances, timers, memory, the plain-Python peer."""

from __future__ import annotations

import gc
import heapq
import os
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

# MEDMENTOR_BENCH_SRC=/path/to/other/src measures another version of the code
# (e.g. the commit before a change) with the same benchmark and instances
sys.path.insert(
    0, os.environ.get("MEDMENTOR_BENCH_SRC", str(Path(__file__).resolve().parents[1] / "src"))
)


def residency_instance(
    n: int, m: int, k: int = 50, *, seed: int = 0, capacity: tuple[int, int] = (1, 5)
) -> tuple[list[list[int]], list[list[int]], list[int]]:
    """Mentees rank a top-k of mentors; each mentor ranks exactly who ranked them.

    Mentees prefer popular mentors (a log-normal popularity plus Gumbel noise,
    so the top-k is a popularity-weighted sample in order); mentors rank by a
    shared mentee quality plus their own noise. Capacities uniform in
    ``capacity``. Returned as plain Python lists: the input objects.
    """
    rng = np.random.default_rng(seed)
    k = min(k, m)
    popularity = rng.normal(0.0, 1.0, m)
    mentee_prefs = np.empty((n, k), dtype=np.int64)
    block = max(1, 4_000_000 // m)
    for start in range(0, n, block):
        stop = min(n, start + block)
        keys = popularity + rng.gumbel(size=(stop - start, m))
        top = np.argpartition(-keys, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(keys, top, axis=1), axis=1)
        mentee_prefs[start:stop] = np.take_along_axis(top, order, axis=1)
    quality = rng.normal(0.0, 1.0, n)
    mentee = np.repeat(np.arange(n), k)
    mentor = mentee_prefs.ravel()
    mentor_key = quality[mentee] + rng.normal(0.0, 1.0, mentee.size)
    order = np.lexsort((-mentor_key, mentor))
    cuts = np.cumsum(np.bincount(mentor, minlength=m))[:-1]
    mentor_prefs = [part.tolist() for part in np.split(mentee[order], cuts)]
    cap = rng.integers(capacity[0], capacity[1] + 1, m).tolist()
    return mentee_prefs.tolist(), mentor_prefs, cap


def plain_python_deferred_acceptance(
    mentee_prefs: list[list[int]], mentor_prefs: list[list[int]], capacity: list[int]
) -> list[int]:
    """The naive peer: textbook mentee-proposing deferred acceptance in plain Python.

    Rank dictionaries per mentor, a heap of held mentees per mentor, one
    proposal at a time. Returns each mentee's mentor (-1 unmatched).
    """
    rank = [{i: r for r, i in enumerate(row)} for row in mentor_prefs]
    held: list[list[tuple[int, int]]] = [[] for _ in capacity]
    nxt = [0] * len(mentee_prefs)
    free = list(range(len(mentee_prefs)))
    while free:
        i = free.pop()
        row = mentee_prefs[i]
        while nxt[i] < len(row):
            j = row[nxt[i]]
            nxt[i] += 1
            r = rank[j].get(i)
            if r is None or capacity[j] == 0:
                continue
            heap = held[j]
            if len(heap) < capacity[j]:
                heapq.heappush(heap, (-r, i))
                break
            if -heap[0][0] > r:
                _, out = heapq.heapreplace(heap, (-r, i))
                free.append(out)
                break
    mentor_of = [-1] * len(mentee_prefs)
    for j, heap in enumerate(held):
        for _, i in heap:
            mentor_of[i] = j
    return mentor_of


def matching_library_resident_optimal(
    mentee_prefs: list[list[int]], mentor_prefs: list[list[int]], capacity: list[int]
) -> list[int]:
    """The library peer: ``matching`` 1.4.3 HospitalResident, resident-optimal."""
    from matching.games import HospitalResident

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1_000_000))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        game = HospitalResident.create_from_dictionaries(
            dict(enumerate(mentee_prefs)),
            dict(enumerate(mentor_prefs)),
            dict(enumerate(capacity)),
        )
        solved = game.solve(optimal="resident")
    mentor_of = [-1] * len(mentee_prefs)
    for hospital, residents in solved.items():
        for resident in residents:
            mentor_of[resident.name] = hospital.name
    return mentor_of


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Best wall time of ``repeat`` runs (garbage collected before each)."""
    best = float("inf")
    result = None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def cpu_timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, float, Any]:
    """(best CPU time, best wall time, result) of ``repeat`` runs, each best on its own.

    On a shared, loaded machine the wall time also counts waiting for a core;
    the process's CPU time does not, so CPU figures compare across runs.
    """
    best_cpu = best_wall = float("inf")
    result = None
    for _ in range(repeat):
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    return best_cpu, best_wall, result


def load_average() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


# Started by a small launcher process, not by the benchmark itself: Linux carries
# the resident size a process had before exec() into its peak (ru_maxrss), so a
# child forked straight from a benchmark holding a 270 MB instance reported 270 MB
# whatever it ran. The launcher's own ~10 MB is below any child's real peak.
_LAUNCHER = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def child_peak_rss_mb(script: str, *arguments: str) -> float:
    """Peak resident memory of a fresh process running ``script arguments``, in MB.

    Each measurement is its own process (interpreter, imports, input and run
    included), read from the kernel's accounting of that process alone
    (``os.wait4``'s rusage, the per-child form of ``getrusage(RUSAGE_CHILDREN)``,
    taken by a small launcher: see ``_LAUNCHER``). Readings taken inside one long
    process see freed heap and libraries loaded by earlier runs. Compare a run
    with the same script's "input only" child to see what the run itself adds.
    """
    env = dict(os.environ)
    env.setdefault("MEDMENTOR_BENCH_SRC", sys.path[0])
    with tempfile.NamedTemporaryFile("r", suffix=".maxrss") as result:
        subprocess.run(
            [sys.executable, "-c", _LAUNCHER, result.name, sys.executable, script, *arguments],
            env=env,
            check=True,
        )
        return int(Path(result.name).read_text()) / 1e3  # kilobytes on Linux


def peer_network_instance(n: int, seed: int = 0) -> tuple[list[int], dict[str, list[object]]]:
    """Members of a national physicians' network, with structure and many combinations.

    Regions by popularity (Zipf-like); each region its own specialty mix (a
    shared popularity plus regional noise); 1-3 interests drawn by the
    specialty's taste plus personal noise; a career stage; an institution
    inside the region; a gender. At 71,000 people: about 16,000 combinations of
    (region, specialty, stage) and 51,000 of (specialty, interests).
    """
    rng = np.random.default_rng(seed)
    regions, specialties, interests, stages = 60, 60, 60, 8
    region_weight = 1 / np.arange(1, regions + 1) ** 0.9
    region = rng.choice(regions, n, p=region_weight / region_weight.sum())
    mix = -0.5 * np.log(np.arange(1, specialties + 1)) + rng.normal(0, 1.0, (regions, specialties))
    share = np.exp(mix)
    cumulative = np.cumsum(share / share.sum(1, keepdims=True), axis=1)
    specialty = np.minimum((rng.random(n)[:, None] > cumulative[region]).sum(1), specialties - 1)
    taste = -0.3 * np.log(np.arange(1, interests + 1)) + rng.normal(
        0, 1.0, (specialties, interests)
    )
    how_many = rng.choice([1, 2, 3], n, p=[0.1, 0.4, 0.5])
    top = np.argsort(-(taste[specialty] + rng.gumbel(size=(n, interests))), axis=1)[:, :3]
    stage = rng.choice(stages, n, p=[0.08, 0.08, 0.14, 0.14, 0.14, 0.12, 0.1, 0.2])
    institution = region * 6 + rng.integers(0, 6, n)
    return list(range(n)), {
        "region": [f"region-{x}" for x in region],
        "specialty": [f"spec-{x}" for x in specialty],
        "interests": [frozenset(f"int-{x}" for x in top[k, : how_many[k]]) for k in range(n)],
        "stage": [f"stage-{x}" for x in stage],
        "institution": [f"inst-{x}" for x in institution],
        "gender": rng.choice(["f", "m", "x"], n, p=[0.5, 0.47, 0.03]).tolist(),
    }
