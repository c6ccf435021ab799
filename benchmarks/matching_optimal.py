"""Optimal matching with capacities: medmentor vs OR-Tools alone vs scipy, and the
stable-vs-optimal trade-off a director sees for the same cohort.

Run: .venv/bin/python benchmarks/matching_optimal.py [--size 20000x8000] [--top 50]

Score of a pair: the Borda count of both ranks (Market.from_preference_lists
default), so the optimum is the matching with the smallest total rank.
Every contestant gets the same input objects (the Python lists) and the same
conversion (Market.from_preference_lists, which also computes the Borda
scores the peers need), timed for all alike:
* medmentor whole run = lists -> Market -> optimal_matching (score first, most
  people matched as tie-breaker) -> assess;
* OR-Tools SimpleMinCostFlow used directly on the market's arrays (same
  network, plain scores, no tie-breaker): lists -> Market -> solve;
* scipy.sparse.csgraph.min_weight_full_bipartite_matching (LAPJVsp) on the
  mentees x mentor-places biadjacency (each mentor repeated capacity times).
The solvers alone (from the same Market, conversion excluded for all) are
compared too. Times: best wall of 3 and its process CPU time (the machine is
shared: CPU time moves less with the load). Memory: peak RSS of a separate
process per contestant reading the same pickled lists (see child_peak_rss_mb),
beside a process that only reads them.
"""

from __future__ import annotations

import argparse
import contextlib
import pickle
import sys
import tempfile
import time

import numpy as np
import scipy.sparse
from matching_common import child_peak_rss_mb, load_average, residency_instance
from ortools.graph.python import min_cost_flow
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from medmentor.matching import (
    Market,
    assess,
    optimal_matching,
    stable_matching,
)


def whole_run(lists, prefer="score"):
    market = Market.from_preference_lists(*lists)
    assignment = optimal_matching(market, prefer=prefer)
    return market, assignment, assess(market, assignment)


def ortools_direct(market: Market) -> float:
    n, m = market.n_mentees, market.n_mentors
    source, sink = n + m, n + m + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate((np.full(n, source), market.mentee, np.arange(n, n + m), [source])).astype(
            np.int32
        ),
        np.concatenate((np.arange(n), market.mentor + n, np.full(m, sink), [sink])).astype(
            np.int32
        ),
        np.concatenate((np.ones(n), np.ones(market.n_edges), market.capacity, [n])).astype(
            np.int64
        ),
        np.concatenate((np.zeros(n), -market.score, np.zeros(m + 1))).astype(np.int64),
    )
    flow.set_nodes_supplies(np.array([source, sink], dtype=np.int32), np.array([n, -n]))
    if flow.solve() != flow.OPTIMAL:
        raise RuntimeError("OR-Tools did not solve")
    return -float(flow.optimal_cost())


def scipy_full_matching(market: Market) -> float:
    # one column per mentor place
    cap = market.capacity.astype(np.int64)
    first_slot = np.concatenate(([0], np.cumsum(cap)[:-1]))
    reps = cap[market.mentor]
    rows = np.repeat(market.mentee, reps)
    slot = np.repeat(first_slot[market.mentor], reps) + (
        np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps)
    )
    data = np.repeat(market.score, reps)
    graph = scipy.sparse.csr_matrix((data, (rows, slot)), shape=(market.n_mentees, int(cap.sum())))
    row, col = min_weight_full_bipartite_matching(graph, maximize=True)
    return float(np.asarray(graph[row, col]).sum())


def size(text: str) -> tuple[int, int]:
    a, b = text.lower().split("x")
    return int(a), int(b)


def cpu_timed(fn):
    """(best wall, CPU of that run, result) over 3 runs."""
    best = (float("inf"), 0.0, None)
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if wall < best[0]:
            best = (wall, cpu, result)
    return best


CONTESTANTS = {
    "ours": lambda lists: whole_run(lists),
    "ortools": lambda lists: ortools_direct(Market.from_preference_lists(*lists)),
    "scipy": lambda lists: scipy_full_matching(Market.from_preference_lists(*lists)),
    "lists": lambda lists: None,
}


def child(what: str, path: str) -> None:
    with open(path, "rb") as handle:
        lists = pickle.load(handle)  # noqa: S301 (our own file, just written)
    with contextlib.suppress(ValueError):  # scipy: no full matching of the mentees
        CONTESTANTS[what](lists)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=size, default=(20_000, 8_000))
    parser.add_argument("--top", type=int, default=50)
    parser.add_argument("--child", choices=sorted(CONTESTANTS))
    parser.add_argument("--input")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.input)
        return
    n, m = args.size
    lists = residency_instance(n, m, args.top, seed=1)
    market = Market.from_preference_lists(*lists)
    load_start = load_average()

    with tempfile.NamedTemporaryFile(suffix=".pickle") as handle:
        pickle.dump(lists, handle)
        handle.flush()
        rss = {
            what: child_peak_rss_mb(sys.argv[0], "--child", what, "--input", handle.name)
            for what in CONTESTANTS
        }
    ours, ours_cpu, (_, optimum, report) = cpu_timed(lambda: whole_run(lists))
    ours_m, ours_m_cpu, (_, _, report_m) = cpu_timed(lambda: whole_run(lists, "matched"))
    direct, direct_cpu, direct_score = cpu_timed(lambda: CONTESTANTS["ortools"](lists))
    solver, solver_cpu, _ = cpu_timed(lambda: optimal_matching(market))
    direct_solver, direct_solver_cpu, _ = cpu_timed(lambda: ortools_direct(market))
    try:
        sp, sp_cpu, sp_score = cpu_timed(lambda: CONTESTANTS["scipy"](lists))
    except ValueError as error:  # no full matching of the mentees exists
        sp, sp_cpu, sp_score = float("nan"), float("nan"), float("nan")
        print(f"# scipy: {error}")
    stable = stable_matching(market)
    stable_report = assess(market, stable)

    print(f"# load average {load_start} at the start, {load_average()} at the end")
    print("RATIOS (peers measured in this run, same lists, same conversion)")
    print(
        f"  optimal {n}x{m}: medmentor whole run / OR-Tools min-cost flow, lists to result = "
        f"{ours / direct:.2f} wall, {ours_cpu / direct_cpu:.2f} CPU "
        f"(same total score: {report.total_score == direct_score})"
    )
    print(
        f"  solvers alone on the same Market: optimal_matching / OR-Tools direct = "
        f"{solver / direct_solver:.2f} wall, {solver_cpu / direct_solver_cpu:.2f} CPU"
    )
    print(
        f"  optimal {n}x{m}: scipy min_weight_full_bipartite_matching / medmentor = "
        f"{sp / ours:.2f}x (same total score: {report.total_score == sp_score})"
    )
    print(
        f"  peak RSS, separate processes: medmentor / OR-Tools = "
        f"{rss['ours'] / rss['ortools']:.2f}, scipy / medmentor = {rss['scipy'] / rss['ours']:.2f}"
    )
    print("ABSOLUTE")
    print(f"  {'what':<58} {'wall s':>7} {'CPU s':>7} {'peak RSS MB':>12}")
    for what, seconds, cpu, mb in [
        ("reading the pickled lists only (process baseline)", None, None, rss["lists"]),
        ("medmentor whole run, score first (best of 3)", ours, ours_cpu, rss["ours"]),
        ("medmentor whole run, most matched first (best of 3)", ours_m, ours_m_cpu, None),
        (
            "OR-Tools SimpleMinCostFlow, lists to result (best of 3)",
            direct,
            direct_cpu,
            rss["ortools"],
        ),
        ("scipy min_weight_full_bipartite_matching, lists to result", sp, sp_cpu, rss["scipy"]),
        ("optimal_matching alone on the Market (best of 3)", solver, solver_cpu, None),
        ("OR-Tools alone on the Market (best of 3)", direct_solver, direct_solver_cpu, None),
    ]:
        wall = "" if seconds is None else f"{seconds:.3f}"
        used = "" if cpu is None else f"{cpu:.3f}"
        memory = "" if mb is None else f"{mb:.0f}"
        print(f"  {what:<58} {wall:>7} {used:>7} {memory:>12}")
    print("TRADE-OFF shown to the director (same cohort)")
    print(f"  {'objective':<28} {'total score':>12} {'matched':>8} {'blocking pairs':>15}")
    for name, r in [
        ("stable (mentee-optimal)", stable_report),
        ("optimal, score first", report),
        ("optimal, most matched first", report_m),
    ]:
        print(f"  {name:<28} {r.total_score:12.0f} {r.matched:8d} {r.blocking_pairs:15d}")
    gain = report.total_score / stable_report.total_score - 1
    print(
        f"  optimum scores {gain:.1%} above stable, with "
        f"{report.blocking_pairs / max(report.matched, 1):.2f} blocking pairs per matched mentee"
    )


if __name__ == "__main__":
    main()
