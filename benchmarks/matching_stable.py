"""Stable matching with capacities: medmentor vs the `matching` library vs plain Python.

Run: .venv/bin/python benchmarks/matching_stable.py [--large 20000x8000] [--small 5000x2000]
     [--skip-library]

Whole run for medmentor = from the input objects (Python lists of ranked
indices, capacities) to the checked result: Market.from_preference_lists ->
stable_matching -> assess (feasibility, score, blocking pairs).
Times: best CPU time and best wall time of the repeats (the machine is shared:
compare CPU). Memory: peak RSS of a separate process per contestant reading the same pickled
lists, beside a process that only reads them (matching_common.child_peak_rss_mb).
"""

from __future__ import annotations

import argparse
import pickle
import sys
import tempfile

import numpy as np
from matching_common import (
    child_peak_rss_mb,
    cpu_timed,
    load_average,
    matching_library_resident_optimal,
    plain_python_deferred_acceptance,
    residency_instance,
)

from medmentor.matching import Market, assess, blocking_pairs, stable_matching


def whole_run(mentee_prefs, mentor_prefs, capacity):
    market = Market.from_preference_lists(mentee_prefs, mentor_prefs, capacity)
    assignment = stable_matching(market)
    report = assess(market, assignment)
    return market, assignment, report


CONTESTANTS = {
    "lists": lambda lists: None,
    "ours": lambda lists: whole_run(*lists),
    "naive": lambda lists: plain_python_deferred_acceptance(*lists),
}


def peak_rss(lists) -> dict[str, float]:
    """Peak RSS in MB of a separate process per contestant, from the same pickled lists."""
    with tempfile.NamedTemporaryFile(suffix=".pickle") as handle:
        pickle.dump(lists, handle)
        handle.flush()
        return {
            what: child_peak_rss_mb(sys.argv[0], "--child", what, "--input", handle.name)
            for what in CONTESTANTS
        }


def size(text: str) -> tuple[int, int]:
    a, b = text.lower().split("x")
    return int(a), int(b)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--large", type=size, default=(20_000, 8_000))
    parser.add_argument("--small", type=size, default=(5_000, 2_000))
    parser.add_argument("--top", type=int, default=50)
    parser.add_argument("--skip-library", action="store_true")
    parser.add_argument("--child", choices=sorted(CONTESTANTS))
    parser.add_argument("--input")
    args = parser.parse_args()
    if args.child:
        with open(args.input, "rb") as handle:
            CONTESTANTS[args.child](pickle.load(handle))  # noqa: S301 (our own file)
        return
    rows = []
    ratios = []

    # ---- large: medmentor vs plain Python
    load_before = load_average()
    n, m = args.large
    lists = residency_instance(n, m, args.top, seed=1)
    first_cpu, first, _ = cpu_timed(lambda: whole_run(*lists))
    ours_cpu, ours, (market, assignment, report) = cpu_timed(lambda: whole_run(*lists), repeat=5)
    rss = peak_rss(lists)
    check_cpu, check, _ = cpu_timed(lambda: blocking_pairs(market, assignment), repeat=5)
    naive_cpu, naive, naive_result = cpu_timed(
        lambda: plain_python_deferred_acceptance(*lists), repeat=3
    )
    same = np.array_equal(assignment.mentor_of, np.asarray(naive_result))
    ratios.append(
        f"stable {n}x{m}: plain Python / medmentor = {naive_cpu / ours_cpu:.1f}x CPU, "
        f"{naive / ours:.1f}x wall (same: {same})"
    )
    ratios.append(
        f"stable {n}x{m}: peak RSS in separate processes, plain Python / medmentor = "
        f"{rss['naive'] / rss['ours']:.2f} (above reading the lists alone: "
        f"{rss['naive'] - rss['lists']:.0f} MB / {rss['ours'] - rss['lists']:.0f} MB)"
    )
    inst = f"{n}x{m} top-{args.top}"
    rows += [
        (inst, "reading the pickled lists only", None, None, rss["lists"]),
        (inst, "medmentor whole run (best of 5)", ours_cpu, ours, rss["ours"]),
        (inst, "medmentor whole run (first)", first_cpu, first, None),
        (inst, "medmentor blocking-pair check", check_cpu, check, None),
        (inst, "plain Python DA (best of 3)", naive_cpu, naive, rss["naive"]),
    ]
    print(
        f"# large result: matched {report.matched}, unmatched {report.unmatched}, "
        f"blocking pairs {report.blocking_pairs}, feasible {report.feasible}"
    )

    # ---- small: medmentor vs the matching library and plain Python
    n, m = args.small
    lists = residency_instance(n, m, args.top, seed=2)
    ours_s_cpu, ours_s, (_, small_assignment, _) = cpu_timed(lambda: whole_run(*lists), repeat=5)
    naive_s_cpu, naive_s, _ = cpu_timed(lambda: plain_python_deferred_acceptance(*lists), repeat=3)
    ratios.append(
        f"stable {n}x{m}: plain Python / medmentor = {naive_s_cpu / ours_s_cpu:.1f}x CPU, "
        f"{naive_s / ours_s:.1f}x wall"
    )
    inst = f"{n}x{m} top-{args.top}"
    rows += [
        (inst, "medmentor whole run (best of 5)", ours_s_cpu, ours_s, None),
        (inst, "plain Python DA (best of 3)", naive_s_cpu, naive_s, None),
    ]
    if not args.skip_library:
        library_cpu, library, theirs = cpu_timed(lambda: matching_library_resident_optimal(*lists))
        same = np.array_equal(small_assignment.mentor_of, np.asarray(theirs))
        ratios.insert(
            0,
            f"stable {n}x{m}: matching 1.4.3 HospitalResident / medmentor = "
            f"{library_cpu / ours_s_cpu:.0f}x CPU (identical matching: {same})",
        )
        rows.append((inst, "matching 1.4.3 HospitalResident", library_cpu, library, None))

    print(f"# load average {load_before} at the start, {load_average()} at the end")
    print("RATIOS (peers measured in this run)")
    for line in ratios:
        print("  " + line)
    print("ABSOLUTE")
    print(f"  {'instance':<22} {'what':<36} {'CPU s':>7} {'wall s':>7} {'peak RSS MB':>11}")
    for inst, what, cpu, wall, mb in rows:
        cpu_text = "" if cpu is None else f"{cpu:7.3f}"
        wall_text = "" if wall is None else f"{wall:7.3f}"
        mb_text = "" if mb is None else f"{mb:11.0f}"
        print(f"  {inst:<22} {what:<36} {cpu_text:>7} {wall_text:>7} {mb_text:>11}")


if __name__ == "__main__":
    main()
