"""Stable matching with capacities: medmentor vs the `matching` library vs plain Python.

Run: .venv/bin/python benchmarks/matching_stable.py [--large 20000x8000] [--small 5000x2000]
     [--skip-library]

Whole run for medmentor = from the input objects (Python lists of ranked
indices, capacities) to the checked result: Market.from_preference_lists ->
stable_matching -> assess (feasibility, score, blocking pairs).
Memory: peak RSS of a separate process per contestant reading the same pickled
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
    load_average,
    matching_library_resident_optimal,
    plain_python_deferred_acceptance,
    residency_instance,
    timed,
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
    n, m = args.large
    lists = residency_instance(n, m, args.top, seed=1)
    first, _ = timed(lambda: whole_run(*lists))
    ours, (market, assignment, report) = timed(lambda: whole_run(*lists), repeat=5)
    rss = peak_rss(lists)
    check, _ = timed(lambda: blocking_pairs(market, assignment), repeat=5)
    naive, naive_result = timed(lambda: plain_python_deferred_acceptance(*lists), repeat=3)
    same = np.array_equal(assignment.mentor_of, np.asarray(naive_result))
    ratios.append(f"stable {n}x{m}: plain Python / medmentor = {naive / ours:.1f}x (same: {same})")
    ratios.append(
        f"stable {n}x{m}: peak RSS in separate processes, plain Python / medmentor = "
        f"{rss['naive'] / rss['ours']:.2f} (above reading the lists alone: "
        f"{rss['naive'] - rss['lists']:.0f} MB / {rss['ours'] - rss['lists']:.0f} MB)"
    )
    rows += [
        (f"{n}x{m} top-{args.top}", "reading the pickled lists only", None, rss["lists"]),
        (f"{n}x{m} top-{args.top}", "medmentor whole run (best of 5)", ours, rss["ours"]),
        (f"{n}x{m} top-{args.top}", "medmentor whole run (first)", first, None),
        (f"{n}x{m} top-{args.top}", "medmentor blocking-pair check", check, None),
        (f"{n}x{m} top-{args.top}", "plain Python DA (best of 3)", naive, rss["naive"]),
    ]
    print(
        f"# large result: matched {report.matched}, unmatched {report.unmatched}, "
        f"blocking pairs {report.blocking_pairs}, feasible {report.feasible}"
    )

    # ---- small: medmentor vs the matching library and plain Python
    n, m = args.small
    lists = residency_instance(n, m, args.top, seed=2)
    ours_s, (_, small_assignment, _) = timed(lambda: whole_run(*lists), repeat=5)
    ours_s_mb = None
    naive_s, _ = timed(lambda: plain_python_deferred_acceptance(*lists), repeat=3)
    ratios.append(f"stable {n}x{m}: plain Python / medmentor = {naive_s / ours_s:.1f}x")
    rows += [
        (f"{n}x{m} top-{args.top}", "medmentor whole run (best of 5)", ours_s, ours_s_mb),
        (f"{n}x{m} top-{args.top}", "plain Python DA (best of 3)", naive_s, None),
    ]
    if not args.skip_library:
        library, theirs = timed(lambda: matching_library_resident_optimal(*lists))
        same = np.array_equal(small_assignment.mentor_of, np.asarray(theirs))
        ratios.insert(
            0,
            f"stable {n}x{m}: matching 1.4.3 HospitalResident / medmentor = "
            f"{library / ours_s:.0f}x (identical matching: {same})",
        )
        rows.append((f"{n}x{m} top-{args.top}", "matching 1.4.3 HospitalResident", library, None))

    print(f"# load average {load_average()} on this machine while measuring")
    print("RATIOS (peers measured in this run)")
    for line in ratios:
        print("  " + line)
    print("ABSOLUTE")
    print(f"  {'instance':<22} {'what':<36} {'seconds':>8} {'peak RSS MB':>11}")
    for inst, what, seconds, mb in rows:
        wall = "" if seconds is None else f"{seconds:8.3f}"
        print(f"  {inst:<22} {what:<36} {wall:>8} {'' if mb is None else f'{mb:11.0f}':>11}")


if __name__ == "__main__":
    main()
