"""Hypothesis strategies and small helpers shared by the matching tests."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from medmentor.matching import Market

# deterministic in CI, moderate so the default run stays fast
PROPERTY = settings(
    max_examples=80,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@st.composite
def markets(draw, max_mentees=8, max_mentors=5, ties=True, max_capacity=3):
    """Random markets: incomplete lists, ties (optional), capacities 0..max."""
    n = draw(st.integers(0, max_mentees))
    m = draw(st.integers(1, max_mentors))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    density = draw(st.sampled_from([0.3, 0.6, 1.0]))
    mask = rng.random((n, m)) < density
    ii, jj = np.nonzero(mask)
    top = 3 if ties else 10**6
    if ties:
        mentee_rank = rng.integers(0, top, ii.size)
        mentor_rank = rng.integers(0, top, ii.size)
    else:
        mentee_rank = np.concatenate([rng.permutation(k) for k in mask.sum(axis=1)] + [[]]).astype(
            int
        )
        mentor_rank = np.zeros(ii.size, dtype=int)
        for j in range(m):
            sel = np.flatnonzero(jj == j)
            mentor_rank[sel] = rng.permutation(sel.size)
    score = rng.integers(-1, 6, ii.size).astype(float)
    capacity = rng.integers(0, max_capacity + 1, m)
    return Market.from_edges(
        n_mentees=n,
        n_mentors=m,
        capacity=capacity,
        mentee=ii,
        mentor=jj,
        mentee_rank=mentee_rank,
        mentor_rank=mentor_rank,
        score=score,
    )


def all_matchings(market: Market):
    """Every feasible matching of a tiny market (as mentor_of tuples)."""
    options = [[-1, *market.neighbours(i).tolist()] for i in range(market.n_mentees)]
    for combo in itertools.product(*options):
        load = np.bincount([c for c in combo if c >= 0], minlength=market.n_mentors)
        if np.all(load <= market.capacity):
            yield np.array(combo, dtype=np.int32)


def random_lists(n, m, k, seed, cap=(1, 5)):
    """Strict top-k lists for mentees; mentors rank exactly who ranked them."""
    rng = np.random.default_rng(seed)
    k = min(k, m)
    mentee_prefs = [rng.choice(m, size=k, replace=False).tolist() for _ in range(n)]
    who = [[] for _ in range(m)]
    for i, row in enumerate(mentee_prefs):
        for j in row:
            who[j].append(i)
    mentor_prefs = [rng.permutation(row).tolist() for row in who]
    capacity = rng.integers(cap[0], cap[1] + 1, m).tolist()
    return mentee_prefs, mentor_prefs, capacity


def popular_lists(n, m, k, seed, *, cap=(1, 5), one_sided=0.0, ties=False):
    """Structured lists like the stable benchmark's: popular mentors, shared quality.

    Mentees rank a top-k of mentors drawn by popularity (log-normal + Gumbel);
    mentors rank who ranked them by a shared mentee quality plus noise.
    ``one_sided``: share of mentor-list entries dropped, and as many mentees
    added who never listed that mentor (pairs only one side accepts).
    ``ties``: mentors' lists in tiers of 1-3 equally ranked mentees.
    """
    rng = np.random.default_rng(seed)
    k = min(k, m)
    popularity = rng.normal(0.0, 1.0, m)
    keys = popularity + rng.gumbel(size=(n, m))
    mentee_prefs = np.argsort(-keys, axis=1)[:, :k].tolist()
    quality = rng.normal(0.0, 1.0, n)
    who = [[] for _ in range(m)]
    for i, row in enumerate(mentee_prefs):
        for j in row:
            who[j].append(i)
    mentor_prefs = []
    for row in who:
        row = [i for i in row if rng.random() >= one_sided]
        extra = rng.choice(n, size=int(round(one_sided * len(row))) + 1, replace=False)
        row += [int(i) for i in extra if i not in row] if one_sided else []
        row.sort(key=lambda i: -(quality[i] + rng.normal()))
        if ties:
            tiers, at = [], 0
            while at < len(row):
                size = int(rng.integers(1, 4))
                tiers.append(tuple(row[at : at + size]))
                at += size
            row = tiers
        mentor_prefs.append(row)
    capacity = rng.integers(cap[0], cap[1] + 1, m).tolist()
    return mentee_prefs, mentor_prefs, capacity
