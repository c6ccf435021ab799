"""Complete preferences from a dense score matrix, without N^2 Python objects.

When every mentee may be paired with every mentor and both sides rank by
the same compatibility score, the preferences are the rows and columns of
one ``(n_mentees, n_mentors)`` matrix. Writing them out as lists costs N^2
Python objects (5.4 GB for 20,000 x 20,000); here they stay in the matrix.

Deferred acceptance only ever reads a prefix of each mentee's list, so we
build the sparse market from each row's top scores only, run
:func:`~medmentor.matching.stable.stable_matching`, and lengthen the lists
of the mentees who ran out (doubling), until no unmatched mentee has
unread mentors. The result is exactly the stable matching of the full
preferences (see :func:`stable_matching_dense`).
"""

from __future__ import annotations

import numpy as np

from .model import Assignment, Market, MatchingInputError
from .stable import stable_matching

__all__ = ["stable_matching_dense"]


def _row_thresholds(scores: np.ndarray, rows: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """The ``depth[r]``-th largest score of each row (1-based), by partition."""
    m = scores.shape[1]
    out = np.empty(rows.size, dtype=np.float64)
    for d in np.unique(depth):
        sel = np.flatnonzero(depth == d)
        kth = m - min(int(d), m)
        for start in range(0, sel.size, max(1, 4_000_000 // m)):
            part = sel[start : start + max(1, 4_000_000 // m)]
            block = np.partition(scores[rows[part]], kth, axis=1)
            out[part] = block[:, kth]
    return out


def stable_matching_dense(
    scores: np.ndarray,
    capacity: np.ndarray | None = None,
    *,
    seed: int = 0,
    first_depth: int = 16,
) -> Assignment:
    """Mentee-optimal stable matching when both sides rank by one score matrix.

    Parameters
    ----------
    scores : ndarray, shape (n_mentees, n_mentors)
        Compatibility; higher is better for both sides. Must be finite.
    capacity : ndarray of int, shape (n_mentors,), optional
        Default 1 each (one-to-one).
    seed : int
        Breaks ties as :func:`~medmentor.matching.stable.tie_break_orders`.
    first_depth : int
        How many top mentors of each row to read first.

    Returns
    -------
    Assignment
        ``objective="stable"``, identical to :func:`stable_matching` on the
        full market of all pairs with these scores and the same seed.

    Examples
    --------
    >>> s = np.array([[3.0, 1.0], [2.0, 0.5]])
    >>> stable_matching_dense(s).mentor_of.tolist()
    [0, 1]

    Notes
    -----
    Correctness: deferred acceptance reads each mentee's list in order, and
    a mentor compares proposals by the true scores, so running it on
    prefixes of the lists makes exactly the same proposals as on the full
    lists, as long as no mentee reaches the end of a prefix while lists
    remain: those mentees get a list twice as long and the run is repeated.
    Prefixes always hold whole groups of equal scores, so ties are broken
    by the same lottery as the full run.

    Complexity: O(n m) per lengthening for the row partitions (on the rows
    that need it) plus the sparse runs on O(n * depth) pairs; memory
    O(n * depth) beside the matrix, never O(n m) Python objects.

    References
    ----------
    .. [1] D. Gale, L. S. Shapley, "College admissions and the stability of
       marriage", Amer. Math. Monthly 69 (1962) 9-15.
    """
    scores = np.asarray(scores)
    if scores.ndim != 2:
        raise MatchingInputError("The score matrix must have two dimensions.")
    n, m = scores.shape
    cap = np.ones(m, dtype=np.int32) if capacity is None else np.asarray(capacity, np.int32)
    if cap.shape != (m,):
        raise MatchingInputError("capacity must give one number per mentor (column).")
    if n == 0 or m == 0:
        return Assignment(np.full(n, -1, dtype=np.int32), "stable", seed)
    depth = np.full(n, min(first_depth, m), dtype=np.int64)
    rows = np.arange(n)
    threshold = _row_thresholds(scores, rows, depth)
    if not np.all(np.isfinite(threshold)):
        raise MatchingInputError("Every score must be a finite number.")
    parts_i: list[np.ndarray] = []
    parts_j: list[np.ndarray] = []
    fresh = rows
    low = np.full(n, np.inf)
    while True:
        # new pairs of the rows that were (re)read: scores in [threshold, old threshold)
        step = max(1, 4_000_000 // m)
        for start in range(0, fresh.size, step):
            sel = fresh[start : start + step]
            block = scores[sel]
            mask = block >= threshold[sel, None]
            mask &= block < low[sel, None]
            ii, jj = np.nonzero(mask)
            parts_i.append(sel[ii])
            parts_j.append(jj)
        low[fresh] = threshold[fresh]
        ii = np.concatenate(parts_i)
        jj = np.concatenate(parts_j)
        parts_i, parts_j = [ii], [jj]
        score = scores[ii, jj].astype(np.float64)
        market = Market.from_edges(
            n_mentees=n, n_mentors=m, capacity=cap, mentee=ii, mentor=jj, score=score
        )
        assignment = stable_matching(market, seed=seed)
        listed = np.diff(market.indptr)
        short = np.flatnonzero((assignment.mentor_of < 0) & (listed < m))
        if short.size == 0:
            return assignment
        depth[short] = np.minimum(listed[short] * 2, m)
        threshold[short] = _row_thresholds(scores, short, depth[short])
        fresh = short
