"""One-to-one with complete preferences from a dense score matrix: medmentor vs plain Python.

Run: .venv/bin/python benchmarks/matching_dense.py [--size 20000] [--peer-size 4000]

Both sides rank by the same compatibility matrix (higher is better). medmentor
keeps the preferences in the matrix (stable_matching_dense); the plain-Python
peer writes every mentee's full ranked list out (argsort per row, .tolist())
and runs textbook deferred acceptance, mentors comparing matrix entries. The
peer runs at --peer-size (its lists are N^2 Python objects), medmentor at both
sizes; both give the same matching at the peer size.
"""

from __future__ import annotations

import argparse

import numpy as np
from matching_common import load_average, peak_mb, peak_rss_mb, timed

from medmentor.matching.dense import stable_matching_dense


def plain_python_dense(scores: np.ndarray) -> list[int]:
    n, m = scores.shape
    prefs = [np.argsort(-row, kind="stable").tolist() for row in scores]
    held = [-1] * m
    nxt = [0] * n
    free = list(range(n))
    while free:
        i = free.pop()
        while nxt[i] < m:
            j = prefs[i][nxt[i]]
            nxt[i] += 1
            other = held[j]
            if other < 0:
                held[j] = i
                break
            if scores[i, j] > scores[other, j]:
                held[j] = i
                free.append(other)
                break
    mentor_of = [-1] * n
    for j, i in enumerate(held):
        if i >= 0:
            mentor_of[i] = j
    return mentor_of


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--peer-size", type=int, default=4_000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)

    small = rng.random((args.peer_size, args.peer_size))
    peer_rss = peak_rss_mb(lambda: plain_python_dense(small))
    ours_s, small_result = timed(lambda: stable_matching_dense(small), repeat=3)
    peer_s, peer_result = timed(lambda: plain_python_dense(small))
    same = np.array_equal(small_result.mentor_of, np.asarray(peer_result))

    big = rng.random((args.size, args.size), dtype=np.float32)
    matrix_mb = big.nbytes / 1e6
    # tracemalloc sees numpy's buffers; RSS would hide them in the heap the peer freed
    ours_rss = peak_mb(lambda: stable_matching_dense(big))
    ours, result = timed(lambda: stable_matching_dense(big))

    print(f"# load average {load_average()} on this machine while measuring")
    print("RATIOS (peer measured in this run)")
    print(
        f"  dense stable {args.peer_size}x{args.peer_size}: plain Python / medmentor = "
        f"{peer_s / ours_s:.1f}x (same matching: {same})"
    )
    extra = "n/a" if ours_rss is None else f"{ours_rss / matrix_mb:.2f}"
    print(
        f"  dense stable {args.size}x{args.size}: memory beside the matrix / matrix = {extra} "
        f"(peak incl. matrix = {'n/a' if ours_rss is None else f'{1 + ours_rss / matrix_mb:.2f}'}x)"
    )
    print("ABSOLUTE")
    print(f"  {'what':<48} {'seconds':>8} {'extra peak MB':>18}")
    rows = [
        (f"medmentor {args.peer_size}^2 float64 (best of 3)", ours_s, None),
        (f"plain Python DA {args.peer_size}^2 float64", peer_s, peer_rss),
        (f"medmentor {args.size}^2 float32 ({matrix_mb:.0f} MB matrix)", ours, ours_rss),
    ]
    for what, seconds, rss in rows:
        print(f"  {what:<48} {seconds:8.2f} {'' if rss is None else f'{rss:.0f}':>18}")
    print(f"  matched at {args.size}: {result.n_matched}")


if __name__ == "__main__":
    main()
