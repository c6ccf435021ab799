"""Group formation at national scale: medmentor vs sort-and-chunk vs k-means-and-split.

Run: .venv/bin/python benchmarks/matching_groups.py [--people 71000] [--kmeans-people 8000]
     [--only society|region|interests] [--repeat 3] [--skip-kmeans]
     MEDMENTOR_BENCH_SRC=/other/src measures another version of the code the same way.

Instances (groups of 4-8, every instance also run with hard constraints):
* society: a physician peer society; SIMILAR on (stage 8 values, interest 12),
  DIVERSE on (institution 60, Zipf-like; specialty 25): 96 combinations.
* region: `matching_common.peer_network_instance` (regions by popularity, each
  with its own specialty mix, interest sets drawn by the specialty's taste plus
  noise); SIMILAR on (region, specialty, stage), DIVERSE on (institution):
  ~16,000 combinations at 71,000 people.
* interests: the same people; SIMILAR on (specialty, interests), DIVERSE on
  (region): ~51,000 combinations, most of them one or two people.

Quality, measured apart on the two kinds of attribute:
* similarity = mean over groups of the share of member pairs with the same value,
  averaged over the SIMILAR attributes only (1.0 = every group pure);
* diversity = the same share of pairs with DIFFERENT values, on each DIVERSE
  attribute only; and the groups with fewer than 3 distinct values of it.
Baselines get the same attribute columns and the same integer coding: sort on
all attributes (similar first) and cut every 8; k-means on the one-hot (sets:
multi-hot) similar attributes, k = ceil(N / 8), run until no label changes
(scipy.cluster.vq.kmeans2, one iteration at a time from the last centroids;
scikit-learn is not installed), each cluster cut into groups of 8. k-means is
run on the first --kmeans-people of the instance (its distance step is
N x k x dimensions: ~20 s an iteration at 71,000 x 8,875 x 128), and medmentor
and sort-and-chunk are measured on that same subset beside it.
Memory: peak RSS of a separate process per measurement (see child_peak_rss_mb).
"""

from __future__ import annotations

import argparse
import pickle
import sys
import tempfile
import warnings

import numpy as np
from matching_common import child_peak_rss_mb, load_average, peer_network_instance, timed
from scipy.cluster.vq import kmeans2

from medmentor.matching import (
    GroupSpec,
    MatchingInputError,
    check_grouping,
    form_groups,
    group_similarity,
)
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
    return list(range(n)), cols


SETTINGS = {
    "society": (("stage", "interest"), ("institution", "specialty")),
    "region": (("region", "specialty", "stage"), ("institution",)),
    "interests": (("specialty", "interests"), ("region",)),
}


def instance(name: str, n: int):
    ids, cols = society(n) if name == "society" else peer_network_instance(n)
    similar, diverse = SETTINGS[name]
    rng = np.random.default_rng(1)
    people = rng.permutation(n).tolist()
    hard = GroupSpec(
        similar=similar,
        diverse=diverse,
        together=tuple(frozenset(people[2 * k : 2 * k + 2]) for k in range(50)),
        apart=tuple((people[100 + 2 * k], people[101 + 2 * k]) for k in range(50)),
        locked={people[200 + k]: f"existing-{k // 3}" for k in range(120)},
    )
    return ids, cols, GroupSpec(similar=similar, diverse=diverse), hard


def sort_and_chunk(ids, cols, spec) -> Grouping:
    """Baseline 1: sort on every attribute (similar first), cut into consecutive groups of 8."""
    keys = [_codes(cols[a]) for a in reversed(spec.similar + spec.diverse)]
    order = np.lexsort(keys)
    group_of = np.empty(len(ids), dtype=np.int32)
    group_of[order] = np.arange(len(ids)) // spec.max_size
    count = int(group_of.max()) + 1
    return Grouping(group_of, count, [None] * count, ids)


def one_hot(values) -> np.ndarray:
    if values and isinstance(values[0], frozenset | set):
        names = sorted({v for s in values for v in s})
        column = {v: k for k, v in enumerate(names)}
        out = np.zeros((len(values), len(names)))
        for row, s in enumerate(values):
            out[row, [column[v] for v in s]] = 1.0
        return out
    codes = _codes(values)
    return np.eye(int(codes.max()) + 1)[codes]


def kmeans_and_split(ids, cols, spec, max_iterations: int = 300) -> tuple[Grouping, int]:
    """Baseline 2: k-means to convergence on the one-hot similar attributes, clusters cut by 8."""
    x = np.hstack([one_hot(cols[a]) for a in spec.similar])
    k = -(-len(ids) // spec.max_size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "One of the clusters is empty": expected at this k
        centroids, label = kmeans2(x, k, iter=1, minit="points", seed=np.random.default_rng(0))
        iterations = 1
        while iterations < max_iterations:
            centroids, new = kmeans2(x, centroids, iter=1, minit="matrix")
            iterations += 1
            if np.array_equal(new, label):
                break
            label = new
    order = np.argsort(label, kind="stable")
    sorted_label = label[order]
    start = np.searchsorted(sorted_label, sorted_label)  # first index of each cluster
    chunk = (np.arange(len(ids)) - start) // spec.max_size
    _, group_sorted = np.unique(sorted_label * (len(ids) + 1) + chunk, return_inverse=True)
    group_of = np.empty(len(ids), dtype=np.int32)
    group_of[order] = group_sorted
    count = int(group_of.max()) + 1
    return Grouping(group_of, count, [None] * count, ids), iterations


def describe(name, grouping, cols, spec, seconds):
    sizes = grouping.sizes()
    row = {
        "name": name,
        "seconds": seconds,
        "groups": grouping.n_groups,
        "outside": int(np.count_nonzero((sizes < spec.min_size) | (sizes > spec.max_size))),
        "similarity": group_similarity(grouping, [_codes(cols[a]) for a in spec.similar]),
    }
    wanted = np.minimum(spec.min_distinct, sizes)
    for a in spec.diverse:
        codes = _codes(cols[a])
        row[f"diversity {a}"] = 1 - group_similarity(grouping, [codes])
        row[f"<3 {a}"] = int(np.count_nonzero(_distinct(grouping, codes) < wanted))
    return row


def print_rows(rows, spec) -> None:
    extra = [f"diversity {a}" for a in spec.diverse] + [f"<3 {a}" for a in spec.diverse]
    head = f"  {'method':<40} {'seconds':>8} {'groups':>7} {'outside 4-8':>11} {'similarity':>10}"
    print(head + "".join(f" {e:>22}" for e in extra))
    for r in rows:
        line = (
            f"  {r['name']:<40} {r['seconds']:8.2f} {r['groups']:7d} {r['outside']:11d} "
            f"{r['similarity']:10.4f}"
        )
        for e in extra:
            line += f" {r[e]:22.4f}" if e.startswith("diversity") else f" {r[e]:22d}"
        print(line)


def child(what: str, path: str) -> None:
    """One measurement in its own process, for its peak RSS: the instance is read
    from the parent's pickle (the same input objects for every child, and no
    generator's scratch arrays in the peak)."""
    with open(path, "rb") as handle:
        ids, cols, spec = pickle.load(handle)  # noqa: S301 (our own file, just written)
    if what == "ours":
        form_groups(ids, cols, spec, seed=7)
    elif what == "sort":
        sort_and_chunk(ids, cols, spec)


def run(name: str, args) -> None:
    ids, cols, spec, hard = instance(name, args.people)
    combos = len(set(zip(*[_codes(cols[a]).tolist() for a in spec.similar], strict=True)))
    ours_t, ours = timed(lambda: form_groups(ids, cols, spec, seed=7), repeat=args.repeat)
    try:
        hard_t, with_hard = timed(lambda: form_groups(ids, cols, hard, seed=7), repeat=args.repeat)
        check_t, report = timed(lambda: check_grouping(with_hard, cols, hard))
    except MatchingInputError as error:  # the code before the fix refused some instances
        hard_t, with_hard, check_t, report, refused = float("nan"), None, 0.0, None, str(error)
    sort_t, chunked = timed(lambda: sort_and_chunk(ids, cols, spec))
    with tempfile.NamedTemporaryFile(suffix=".pickle") as handle:
        pickle.dump((ids, cols, spec), handle)
        handle.flush()
        rss = {
            what: child_peak_rss_mb(sys.argv[0], "--child", what, "--input", handle.name)
            for what in ("instance", "ours", "sort")
        }
    big = [
        describe(f"medmentor form_groups (best of {args.repeat})", ours, cols, spec, ours_t),
        describe("sort on attributes, chunk by 8", chunked, cols, spec, sort_t),
    ]
    if with_hard is not None:
        big.append(describe("medmentor + together/apart/locked", with_hard, cols, hard, hard_t))
    small_rows = []
    km_iterations = 0
    if not args.skip_kmeans:
        k = min(args.kmeans_people, len(ids))
        sub_ids, sub_cols = ids[:k], {a: v[:k] for a, v in cols.items()}
        sub_t, sub_ours = timed(lambda: form_groups(sub_ids, sub_cols, spec, seed=7))
        subsort_t, sub_sort = timed(lambda: sort_and_chunk(sub_ids, sub_cols, spec))
        km_t, (km, km_iterations) = timed(lambda: kmeans_and_split(sub_ids, sub_cols, spec))
        small_rows = [
            describe("medmentor form_groups", sub_ours, sub_cols, spec, sub_t),
            describe("sort on attributes, chunk by 8", sub_sort, sub_cols, spec, subsort_t),
            describe(f"k-means ({km_iterations} it., converged) + split", km, sub_cols, spec, km_t),
        ]

    mine, srt = big[0], big[1]
    print(
        f"## {name}: {len(ids):,} people, similar {spec.similar} ({combos:,} combinations), "
        f"diverse {spec.diverse}; load average {load_average()}"
    )
    print("RATIOS (baselines measured in this run, same instance)")
    print(
        f"  similarity medmentor / sort-and-chunk = {mine['similarity'] / srt['similarity']:.4f}"
        + "".join(
            f"; diversity of {a} medmentor / sort-and-chunk = "
            f"{mine[f'diversity {a}'] / max(srt[f'diversity {a}'], 1e-9):.2f}"
            for a in spec.diverse
        )
    )
    if small_rows:
        s_ours, _, s_km = small_rows
        print(
            f"  at {len(sub_ids):,} people: similarity medmentor / k-means = "
            f"{s_ours['similarity'] / s_km['similarity']:.4f}"
            + "".join(
                f"; diversity of {a} medmentor / k-means = "
                f"{s_ours[f'diversity {a}'] / max(s_km[f'diversity {a}'], 1e-9):.2f}"
                for a in spec.diverse
            )
            + f"; time k-means / medmentor = {s_km['seconds'] / s_ours['seconds']:.0f}x"
        )
    print(f"  time medmentor / sort-and-chunk = {ours_t / sort_t:.1f}x")
    print(
        f"  peak RSS (separate processes): medmentor / sort-and-chunk = "
        f"{rss['ours'] / rss['sort']:.2f}; above the instance alone: medmentor "
        f"{rss['ours'] - rss['instance']:.0f} MB, "
        f"sort-and-chunk {rss['sort'] - rss['instance']:.0f} MB"
    )
    if report is None:
        print(f"  with 50 together, 50 apart, 40 locked groups of 3: REFUSED: {refused}")
    else:
        print(
            f"  with 50 together, 50 apart, 40 locked groups of 3: valid {report.valid} "
            f"({len(report.problems)} problems); check took {check_t:.2f} s; groups under 3 "
            f"distinct values although their combination offers 3: "
            f"{check_grouping(ours, cols, spec).groups_short_of_diversity} (without), "
            f"{report.groups_short_of_diversity} (with the constraints)"
        )
    print("ABSOLUTE")
    print(
        f"  peak RSS: instance alone {rss['instance']:.0f} MB, + medmentor {rss['ours']:.0f} MB, "
        f"+ sort-and-chunk {rss['sort']:.0f} MB"
    )
    print_rows(big, spec)
    if small_rows:
        print(f"  -- the first {len(sub_ids):,} people, with k-means run to convergence")
        print_rows(small_rows, spec)
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=71_000)
    parser.add_argument("--kmeans-people", type=int, default=8_000)
    parser.add_argument("--only", choices=sorted(SETTINGS))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-kmeans", action="store_true")
    parser.add_argument("--child", choices=["instance", "ours", "sort"])
    parser.add_argument("--input", help="(children) the pickled instance")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.input)
        return
    for name in [args.only] if args.only else list(SETTINGS):
        run(name, args)


if __name__ == "__main__":
    main()
