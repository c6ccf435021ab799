"""Group formation at national scale: medmentor vs sort-and-chunk vs k-means-and-split.

Run: .venv/bin/python benchmarks/matching_groups.py [--people 71000] [--kmeans-iter 1]

Instance: members of a physician peer society with a career stage (8 values)
and an interest (12 values) to be SIMILAR within a group, an institution (60,
Zipf-like) and a specialty (25) to be DIVERSE; groups of 4-8; 50 must-together
pairs, 50 must-apart pairs, 40 locked groups of 3 (people keeping their group).

Similarity = mean over groups of the share of member pairs with the same value,
averaged over the similar attributes (1.0 = every group pure).
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
from matching_common import load_average, peak_mb, timed
from scipy.cluster.vq import kmeans2

from medmentor.matching import GroupSpec, check_grouping, form_groups, group_similarity
from medmentor.matching.groups import Grouping, _codes, _distinct


def society(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    zipf = 1 / np.arange(1, 61) ** 0.8
    cols = {
        "stage": rng.choice(
            ["MS3", "MS4", "PGY1", "PGY2", "PGY3", "PGY4", "fellow", "attending"],
            n,
            p=[0.08, 0.08, 0.14, 0.14, 0.14, 0.12, 0.1, 0.2],
        ).tolist(),
        "interest": rng.choice([f"interest-{k}" for k in range(12)], n).tolist(),
        "institution": rng.choice(
            [f"inst-{k}" for k in range(60)], n, p=zipf / zipf.sum()
        ).tolist(),
        "specialty": rng.choice([f"spec-{k}" for k in range(25)], n).tolist(),
    }
    ids = list(range(n))
    people = rng.permutation(n).tolist()
    together = tuple(frozenset(people[2 * k : 2 * k + 2]) for k in range(50))
    apart = tuple((people[100 + 2 * k], people[101 + 2 * k]) for k in range(50))
    locked = {people[200 + k]: f"existing-{k // 3}" for k in range(120)}
    spec = GroupSpec(
        min_size=4,
        max_size=8,
        similar=("stage", "interest"),
        diverse=("institution", "specialty"),
        min_distinct=3,
        together=together,
        apart=apart,
        locked=locked,
    )
    return ids, cols, spec


def sort_and_chunk(ids, cols, spec) -> Grouping:
    """Baseline 1: sort on every attribute, cut into consecutive groups of max_size."""
    keys = [_codes(cols[a]) for a in reversed(spec.similar + spec.diverse)]
    order = np.lexsort(keys)
    group_of = np.empty(len(ids), dtype=np.int32)
    group_of[order] = np.arange(len(ids)) // spec.max_size
    count = int(group_of.max()) + 1
    return Grouping(group_of, count, [None] * count, ids)


def kmeans_and_split(ids, cols, spec, iterations: int) -> Grouping:
    """Baseline 2: k-means on the one-hot similar attributes, each cluster cut into max_size."""
    blocks = []
    for a in spec.similar:
        codes = _codes(cols[a])
        blocks.append(np.eye(int(codes.max()) + 1)[codes])
    x = np.hstack(blocks)
    k = -(-len(ids) // spec.max_size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "One of the clusters is empty": expected at this k
        _, label = kmeans2(x, k, iter=iterations, minit="points", seed=np.random.default_rng(0))
    order = np.argsort(label, kind="stable")
    sorted_label = label[order]
    start = np.searchsorted(sorted_label, sorted_label)  # first index of each cluster
    chunk = (np.arange(len(ids)) - start) // spec.max_size
    _, group_sorted = np.unique(sorted_label * (len(ids) + 1) + chunk, return_inverse=True)
    group_of = np.empty(len(ids), dtype=np.int32)
    group_of[order] = group_sorted
    count = int(group_of.max()) + 1
    return Grouping(group_of, count, [None] * count, ids)


def describe(name, grouping, cols, spec, seconds, mb=None):
    sizes = grouping.sizes()
    sim = group_similarity(grouping, [_codes(cols[a]) for a in spec.similar])
    inst = _distinct(grouping, _codes(cols["institution"]))
    spec_d = _distinct(grouping, _codes(cols["specialty"]))
    wanted = np.minimum(spec.min_distinct, sizes)
    return {
        "name": name,
        "seconds": seconds,
        "mb": mb,
        "groups": grouping.n_groups,
        "outside": int(np.count_nonzero((sizes < spec.min_size) | (sizes > spec.max_size))),
        "similarity": sim,
        "short_institution": int(np.count_nonzero(inst < wanted)),
        "short_specialty": int(np.count_nonzero(spec_d < wanted)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=71_000)
    parser.add_argument("--kmeans-iter", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    ids, cols, spec = society(args.people)
    # the baselines know no hard constraints: compare on the instance without them,
    # then run medmentor again with them (together, apart, locked) for validity
    free_spec = GroupSpec(
        min_size=spec.min_size,
        max_size=spec.max_size,
        similar=spec.similar,
        diverse=spec.diverse,
        min_distinct=spec.min_distinct,
    )

    ours_t, ours = timed(lambda: form_groups(ids, cols, free_spec, seed=args.seed), repeat=3)
    ours_mb = peak_mb(lambda: form_groups(ids, cols, free_spec, seed=args.seed))
    hard_t, hard = timed(lambda: form_groups(ids, cols, spec, seed=args.seed), repeat=3)
    check_t, report = timed(lambda: check_grouping(hard, cols, spec))
    sort_t, baseline_sort = timed(lambda: sort_and_chunk(ids, cols, spec))
    km_t, baseline_km = timed(lambda: kmeans_and_split(ids, cols, spec, args.kmeans_iter))
    rows = [
        describe("medmentor form_groups (best of 3)", ours, cols, spec, ours_t, ours_mb),
        describe("sort on attributes, chunk by 8", baseline_sort, cols, spec, sort_t),
        describe(f"k-means ({args.kmeans_iter} iter) then split", baseline_km, cols, spec, km_t),
        describe("medmentor + together/apart/locked", hard, cols, spec, hard_t),
    ]
    mine, srt, km, _ = rows
    print(f"# load average {load_average()} on this machine while measuring")
    print("RATIOS (baselines measured in this run, same instance)")
    print(
        f"  similarity medmentor / sort-and-chunk = {mine['similarity'] / srt['similarity']:.4f}; "
        f"medmentor / k-means = {mine['similarity'] / km['similarity']:.4f}"
    )
    print(
        f"  time k-means / medmentor = {km_t / ours_t:.1f}x; "
        f"medmentor / sort = {ours_t / sort_t:.1f}x"
    )
    print(
        f"  with 50 together, 50 apart, 40 locked groups: valid {report.valid} "
        f"({len(report.problems)} problems), groups short of diversity where the bin allows: "
        f"{report.groups_short_of_diversity}; check took {check_t:.2f} s"
    )
    print("ABSOLUTE")
    head = (
        f"  {'method':<36} {'seconds':>8} {'peak MB':>8} {'groups':>7} {'outside 4-8':>11} "
        f"{'similarity':>10} {'<3 inst':>8} {'<3 spec':>8}"
    )
    print(head)
    for r in rows:
        mb = "" if r["mb"] is None else f"{r['mb']:.0f}"
        print(
            f"  {r['name']:<36} {r['seconds']:8.2f} {mb:>8} {r['groups']:7d} {r['outside']:11d} "
            f"{r['similarity']:10.4f} {r['short_institution']:8d} {r['short_specialty']:8d}"
        )


if __name__ == "__main__":
    main()
