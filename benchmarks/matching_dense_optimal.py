"""One-to-one optimal from a dense score matrix: medmentor vs scipy's dense solver.

Run: .venv/bin/python benchmarks/matching_dense_optimal.py [--size 20000] [--peer-size 5000]

medmentor's optimal_matching_dense solves a sparse problem on each row's best
columns (OR-Tools min-cost flow on integer-rounded scores) and proves the
result optimal over the whole matrix by LP duality (re-solving with the
entries that break the proof, if any). The peer is
scipy.optimize.linear_sum_assignment(maximize=True) on the same dense matrix,
run at --peer-size (its O(n^3) time and matrix copies rule out 20,000 in a
shared run: 65 s and 4.3 GB measured before); both must reach the same total.
Two instances: "uniform" (scores uniform in [0, 1), the stable benchmark's)
and "popular" (standard normal plus a per-mentor popularity, also N(0, 1):
every mentee's raw top columns are the same popular mentors).
"""

from __future__ import annotations

import argparse

import numpy as np
import scipy.optimize
from matching_common import load_average, peak_mb, peak_rss_mb, timed

from medmentor.matching.dense_optimal import optimal_matching_dense


def instance(kind: str, n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if kind == "uniform":
        return rng.random((n, n), dtype=np.float32)
    scores = rng.standard_normal((n, n), dtype=np.float32)
    scores += rng.standard_normal(n, dtype=np.float32)[None, :]
    return scores


def scipy_total(scores: np.ndarray) -> float:
    rows, cols = scipy.optimize.linear_sum_assignment(scores, maximize=True)
    return float(scores[rows, cols].astype(np.float64).sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--peer-size", type=int, default=5_000)
    parser.add_argument("--kinds", default="uniform,popular")
    args = parser.parse_args()
    ratios, rows = [], []
    for kind in args.kinds.split(","):
        small = instance(kind, args.peer_size)
        peer_s, peer_total = timed(lambda small=small: scipy_total(small))
        peer_rss = peak_rss_mb(lambda small=small: scipy_total(small))
        ours_s, ours = timed(lambda small=small: optimal_matching_dense(small), repeat=3)
        same = abs(ours.certificate.score - peer_total) <= 1e-6 * max(1.0, abs(peer_total))
        ratios.append(
            f"  {kind} {args.peer_size}x{args.peer_size}: scipy / medmentor = "
            f"{peer_s / ours_s:.1f}x (same total: {same}, {ours.certificate.score:.6f} vs "
            f"{peer_total:.6f}; proven optimal: {ours.certificate.optimal})"
        )
        rows.append((f"scipy dense {kind} {args.peer_size}^2", peer_s, peer_rss, ""))
        rows.append(
            (f"medmentor {kind} {args.peer_size}^2 (best of 3)", ours_s, None, f"{ours.rounds}")
        )
        del small

        big = instance(kind, args.size)
        matrix_mb = big.nbytes / 1e6
        seconds, result = timed(lambda big=big: optimal_matching_dense(big))
        # tracemalloc sees numpy's buffers; RSS adds scipy's native ones
        traced = peak_mb(lambda big=big: optimal_matching_dense(big))
        rss = peak_rss_mb(lambda big=big: optimal_matching_dense(big))
        cert = result.certificate
        ratios.append(
            f"  {kind} {args.size}x{args.size}: {seconds:.2f} s; peak incl. the "
            f"{matrix_mb:.0f} MB matrix = {1 + traced / matrix_mb:.2f}x (tracemalloc), "
            f"{'n/a' if rss is None else f'{1 + rss / matrix_mb:.2f}x'} (RSS); "
            f"proven optimal: {cert.optimal} (gap {cert.gap:.2e})"
        )
        rows.append(
            (f"medmentor {kind} {args.size}^2 float32", seconds, traced, f"{result.rounds}")
        )
        rows.append(("  same run, peak RSS added", seconds, rss, ""))
        del big

    print(f"# load average {load_average()} on this machine while measuring")
    print("RATIOS (peer measured in this run)")
    print("\n".join(ratios))
    print("ABSOLUTE")
    print(f"  {'what':<42} {'seconds':>8} {'extra peak MB':>14} {'rounds':>7}")
    for what, secs, mb, rounds in rows:
        print(f"  {what:<42} {secs:8.2f} {'' if mb is None else f'{mb:.0f}':>14} {rounds:>7}")


if __name__ == "__main__":
    main()
