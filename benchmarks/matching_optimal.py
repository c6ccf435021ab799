"""Optimal matching with capacities: medmentor vs OR-Tools alone vs scipy, and the
stable-vs-optimal trade-off a director sees for the same cohort.

Run: .venv/bin/python benchmarks/matching_optimal.py [--size 20000x8000] [--top 50]

Score of a pair: the Borda count of both ranks (Market.from_preference_lists
default), so the optimum is the matching with the smallest total rank.
Whole run for medmentor = lists -> Market -> optimal_matching (score first,
most people matched as tie-breaker) -> assess.
Peers get the market's edge arrays ready-made (their conversion is not timed):
* OR-Tools SimpleMinCostFlow used directly (same network, plain scores, no
  tie-breaker);
* scipy.sparse.csgraph.min_weight_full_bipartite_matching (LAPJVsp) on the
  mentees x mentor-places biadjacency (each mentor repeated capacity times).
"""

from __future__ import annotations

import argparse

import numpy as np
import scipy.sparse
from matching_common import load_average, peak_mb, peak_rss_mb, residency_instance, timed
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=size, default=(20_000, 8_000))
    parser.add_argument("--top", type=int, default=50)
    args = parser.parse_args()
    n, m = args.size
    lists = residency_instance(n, m, args.top, seed=1)
    market = Market.from_preference_lists(*lists)

    # memory first, before any run leaves freed heap behind
    ours_rss = peak_rss_mb(lambda: whole_run(lists))
    direct_rss = peak_rss_mb(lambda: ortools_direct(market))
    ours_mb = peak_mb(lambda: whole_run(lists))
    ours, (_, optimum, report) = timed(lambda: whole_run(lists), repeat=3)
    ours_m, (_, _, report_m) = timed(lambda: whole_run(lists, "matched"), repeat=3)
    direct, direct_score = timed(lambda: ortools_direct(market), repeat=3)
    try:
        sp, sp_score = timed(lambda: scipy_full_matching(market))
        sp_rss = peak_rss_mb(lambda: scipy_full_matching(market))
    except ValueError as error:  # no full matching of the mentees exists
        sp, sp_score, sp_rss = float("nan"), float("nan"), None
        print(f"# scipy: {error}")
    stable = stable_matching(market)
    stable_report = assess(market, stable)

    print(f"# load average {load_average()} on this machine while measuring")
    print("RATIOS (peers measured in this run)")
    print(
        f"  optimal {n}x{m}: medmentor whole run / OR-Tools min-cost flow alone = "
        f"{ours / direct:.2f} (same total score: {report.total_score == direct_score})"
    )
    print(
        f"  optimal {n}x{m}: scipy min_weight_full_bipartite_matching / medmentor = "
        f"{sp / ours:.2f}x (same total score: {report.total_score == sp_score})"
    )
    print("ABSOLUTE")
    print(f"  {'what':<58} {'seconds':>8} {'peak MB':>16}")
    for what, seconds, mb, rss in [
        ("medmentor whole run, score first (best of 3)", ours, ours_mb, ours_rss),
        ("medmentor whole run, most matched first (best of 3)", ours_m, None, None),
        ("OR-Tools SimpleMinCostFlow alone (best of 3)", direct, None, direct_rss),
        ("scipy min_weight_full_bipartite_matching", sp, None, sp_rss),
    ]:
        memory = "" if mb is None else f"py {mb:.0f}"
        memory += "" if rss is None else f" rss {rss:.0f}"
        print(f"  {what:<58} {seconds:8.3f} {memory:>16}")
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
