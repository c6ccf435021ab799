"""Benchmark: the statistics of a large pre/post survey, against a naive per-row loop.

The survey: a 40-item instrument (5-point Likert, five scales of eight items, two
reverse-scored items per scale, 2% of answers missing) answered by 100,000 respondents in
each of two waves (200,000 responses, 8 million answers); 70% of the post-wave respondents
are linked to their pre-wave answers.

Measured in the same run:

* medmentor.stats, descriptives only: per item and per scale (n, missing, mean, SD,
  median, quartiles, IQR, min, max, 1-5 distribution), scale scores with the missing-item
  rule, both waves;
* a naive per-row Python loop that computes the same descriptives from rows of Python
  values (as a view or export would read them), checked to give the same numbers;
* medmentor.stats, the full statistics: the descriptives plus Cronbach's alpha per scale
  and wave and, per scale, the paired comparison over the linked pairs (Wilcoxon
  signed-rank, paired t-test, rank-biserial correlation, Cohen's d_z with intervals).

The ratio comes first, the absolute times beside it: the machines are shared and noisy.
The fast path is timed as the best of three runs, the naive loop once.

Run: .venv/bin/python benchmarks/stats_survey.py [--respondents 100000]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from medmentor.stats import cronbach_alpha, describe, paired_comparison, reverse_items, scale_scores

N_ITEMS = 40
N_SCALES = 5
ITEMS_PER_SCALE = N_ITEMS // N_SCALES
REVERSED_IN_SCALE = (1, 5)  # positions within each scale that are reverse-scored
LEVELS = (1, 2, 3, 4, 5)
MAX_MISSING = 1  # a scale score needs at least 7 of its 8 items
LINKED_SHARE = 0.7
MISSING_SHARE = 0.02
TARGET_SECONDS = 5.0


def scale_columns(scale: int) -> list[int]:
    return list(range(scale * ITEMS_PER_SCALE, (scale + 1) * ITEMS_PER_SCALE))


def make_waves(n: int, seed: int = 2024) -> tuple[np.ndarray, np.ndarray, int]:
    """Two waves of Likert answers; the first ``linked`` post rows are the pre rows' people."""
    rng = np.random.default_rng(seed)
    linked = int(n * LINKED_SHARE)
    trait_pre = rng.normal(size=(n, N_SCALES))
    trait_post = rng.normal(size=(n, N_SCALES))
    trait_post[:linked] = trait_pre[:linked] + rng.normal(0.3, 0.5, size=(linked, N_SCALES))
    waves = []
    for trait in (trait_pre, trait_post):
        latent = np.repeat(trait, ITEMS_PER_SCALE, axis=1) + rng.normal(size=(n, N_ITEMS))
        items = np.clip(np.rint(3 + latent), 1, 5)
        for scale in range(N_SCALES):
            for position in REVERSED_IN_SCALE:
                column = scale * ITEMS_PER_SCALE + position
                items[:, column] = 6 - items[:, column]
        items[rng.random(items.shape) < MISSING_SHARE] = np.nan
        waves.append(items)
    return waves[0], waves[1], linked


def fast_descriptives(wave: np.ndarray):
    item_summary = describe(wave, levels=LEVELS)
    scores = np.column_stack(
        [
            scale_scores(
                wave[:, scale_columns(scale)],
                item_min=1,
                item_max=5,
                reverse=REVERSED_IN_SCALE,
                max_missing=MAX_MISSING,
            ).scores
            for scale in range(N_SCALES)
        ]
    )
    return item_summary, describe(scores), scores


def fast_full(pre: np.ndarray, post: np.ndarray, linked: int):
    results = {}
    for label, wave in (("pre", pre), ("post", post)):
        items, scales, scores = fast_descriptives(wave)
        alphas = [
            cronbach_alpha(
                reverse_items(
                    wave[:, scale_columns(s)], columns=REVERSED_IN_SCALE, item_min=1, item_max=5
                )
            )
            for s in range(N_SCALES)
        ]
        results[label] = (items, scales, scores, alphas)
    results["paired"] = [
        paired_comparison(
            results["pre"][2][:linked, s], results["post"][2][:linked, s], name=f"scale {s + 1}"
        )
        for s in range(N_SCALES)
    ]
    return results


def naive_summary(columns: list[list[float]], n_rows: int) -> list[dict]:
    """Descriptives from per-column lists of answers, in plain Python."""
    summaries = []
    for answers in columns:
        answers.sort()
        n = len(answers)
        total = 0.0
        counts = dict.fromkeys(LEVELS, 0)
        for value in answers:
            total += value
            if value in counts:
                counts[value] += 1
        mean = total / n
        squares = 0.0
        for value in answers:
            squares += (value - mean) ** 2
        summaries.append(
            {
                "n": n,
                "missing": n_rows - n,
                "mean": mean,
                "sd": math.sqrt(squares / (n - 1)),
                "q1": naive_quantile(answers, 0.25),
                "median": naive_quantile(answers, 0.5),
                "q3": naive_quantile(answers, 0.75),
                "minimum": answers[0],
                "maximum": answers[-1],
                "counts": [counts[level] for level in LEVELS],
            }
        )
    return summaries


def naive_quantile(ordered: list[float], p: float) -> float:
    position = (len(ordered) - 1) * p
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (position - below) * (ordered[above] - ordered[below])


def naive_descriptives(rows: list[list[float | None]]):
    """The same descriptives, one row and one answer at a time."""
    item_columns: list[list[float]] = [[] for _ in range(N_ITEMS)]
    scale_columns_: list[list[float]] = [[] for _ in range(N_SCALES)]
    for row in rows:
        for index, value in enumerate(row):
            if value is not None:
                item_columns[index].append(value)
        for scale in range(N_SCALES):
            answered = 0
            total = 0.0
            for position in range(ITEMS_PER_SCALE):
                value = row[scale * ITEMS_PER_SCALE + position]
                if value is None:
                    continue
                if position in REVERSED_IN_SCALE:
                    value = 6 - value
                answered += 1
                total += value
            if answered >= ITEMS_PER_SCALE - MAX_MISSING:
                scale_columns_[scale].append(total / answered * ITEMS_PER_SCALE)
    return naive_summary(item_columns, len(rows)), naive_summary(scale_columns_, len(rows))


def check_same(fast, naive) -> None:
    for key in ("n", "missing", "mean", "sd", "q1", "median", "q3", "minimum", "maximum"):
        ours = getattr(fast, key)
        theirs = np.array([summary[key] for summary in naive])
        assert np.allclose(ours, theirs, rtol=1e-9, atol=1e-9), key
    if fast.counts is not None:
        assert (fast.counts == np.array([summary["counts"] for summary in naive])).all()


def best_of(runs: int, function, *args):
    best = math.inf
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = function(*args)
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=100_000, help="per wave")
    args = parser.parse_args()

    pre, post, linked = make_waves(args.respondents)
    rows = {
        label: [[None if math.isnan(v) else v for v in row] for row in wave.tolist()]
        for label, wave in (("pre", pre), ("post", post))
    }

    fast_seconds, fast = best_of(3, lambda: [fast_descriptives(w) for w in (pre, post)])
    start = time.perf_counter()
    naive = [naive_descriptives(rows[label]) for label in ("pre", "post")]
    naive_seconds = time.perf_counter() - start
    for (items, scales, _), (naive_items, naive_scales) in zip(fast, naive, strict=True):
        check_same(items, naive_items)
        check_same(scales, naive_scales)
    full_seconds, full = best_of(3, fast_full, pre, post, linked)

    answers = 2 * args.respondents * N_ITEMS
    print(
        f"descriptives per item and scale: medmentor.stats is "
        f"{naive_seconds / fast_seconds:.0f}x faster than a naive per-row Python loop "
        f"({fast_seconds:.2f} s vs {naive_seconds:.2f} s; same numbers checked)"
    )
    print(
        f"full statistics (descriptives, scale scores, Cronbach's alpha, paired Wilcoxon, t-test "
        f"and effect sizes per scale): {naive_seconds / full_seconds:.1f}x the naive "
        f"descriptives alone ({full_seconds:.2f} s vs {naive_seconds:.2f} s); target "
        f"< {TARGET_SECONDS:.0f} s: {'met' if full_seconds < TARGET_SECONDS else 'MISSED'}"
    )
    print(
        f"data: 2 waves x {args.respondents:,} respondents x {N_ITEMS} items = {answers:,} "
        f"answers, {linked:,} linked pairs per scale"
    )
    first = full["paired"][0]
    p_value = first.wilcoxon.p_value
    print(
        f"sample row: {first.name}: pre median {first.pre.median:g}, post median "
        f"{first.post.median:g}, Wilcoxon p {'< 0.001' if p_value < 0.001 else f'= {p_value:.3f}'}"
        f", d_z = {first.cohens_dz.estimate:.2f}; {first.wilcoxon.method}"
    )


if __name__ == "__main__":
    main()
