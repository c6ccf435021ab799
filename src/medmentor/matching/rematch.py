"""Re-matching mid-program: keep every existing pair unless the director unlocks it.

People join and leave; the director re-runs matching. Existing pairs whose
two people are still there stay exactly as they are (locked) unless the
director unlocked the pair or one of its people; only the rest — newcomers,
people whose partner left, unlocked pairs — are matched again, into the
places left.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from .model import Assignment, Market, PersonId
from .optimal import optimal_matching
from .stable import stable_matching

__all__ = ["RematchResult", "rematch", "residual_market"]


@dataclass(frozen=True)
class RematchResult:
    """The new draft and what happened to the old pairs.

    Attributes
    ----------
    assignment : Assignment
        Covers everyone in the market: kept pairs plus new ones.
    kept : list of (mentee_id, mentor_id)
        Existing pairs kept as they were.
    released : list of (mentee_id, mentor_id, reason)
        Existing pairs not kept, with why ("unlocked by the director",
        "mentor left the program"...).
    warnings : list of str
        Kept pairs that no longer pass a hard constraint or exceed a
        reduced capacity: kept because locked, flagged for the director.
    """

    assignment: Assignment
    kept: list[tuple[PersonId, PersonId]] = field(default_factory=list)
    released: list[tuple[PersonId, PersonId, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def residual_market(market: Market, locked_mentor_of: np.ndarray) -> Market:
    """The market left once locked pairs are taken out.

    Locked mentees lose all their edges; each mentor's capacity drops by the
    number of locked mentees they keep (never below 0).

    Parameters
    ----------
    market : Market
    locked_mentor_of : ndarray of int, shape (n_mentees,)
        Mentor of each locked mentee, -1 for the others.

    Returns
    -------
    Market
        Same people and indices.

    Examples
    --------
    >>> m = Market.from_preference_lists([[0], [0]], None, [2])
    >>> r = residual_market(m, np.array([0, -1]))
    >>> (r.capacity.tolist(), r.n_edges)
    ([1], 1)

    Notes
    -----
    Complexity O(E + n_mentees + n_mentors).
    """
    locked = locked_mentor_of >= 0
    keep = ~locked[market.mentee]
    counts = np.bincount(market.mentee[keep], minlength=market.n_mentees)
    indptr = np.zeros(market.n_mentees + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    used = np.bincount(locked_mentor_of[locked], minlength=market.n_mentors)
    capacity = np.maximum(market.capacity - used, 0).astype(np.int32)
    return Market(
        n_mentees=market.n_mentees,
        n_mentors=market.n_mentors,
        capacity=capacity,
        indptr=indptr,
        mentor=market.mentor[keep],
        mentee_rank=market.mentee_rank[keep],
        mentor_rank=market.mentor_rank[keep],
        score=market.score[keep],
        mentee_ids=market.mentee_ids,
        mentor_ids=market.mentor_ids,
    )


def rematch(
    market: Market,
    existing: Iterable[tuple[PersonId, PersonId]],
    *,
    unlocked: Iterable[PersonId | tuple[PersonId, PersonId]] = (),
    objective: Literal["stable", "optimal"] = "stable",
    seed: int = 0,
    prefer: Literal["score", "matched"] = "score",
) -> RematchResult:
    """Match again, keeping every existing pair that is not unlocked.

    Parameters
    ----------
    market : Market
        Today's people (newcomers in, leavers out) and acceptable pairs.
    existing : iterable of (mentee_id, mentor_id)
        The pairs in force, by the market's ids.
    unlocked : iterable
        Pairs ``(mentee_id, mentor_id)`` or single person ids (mentee or
        mentor) the director released for re-matching.
    objective : {"stable", "optimal"}
    seed : int
        Tie-breaking seed of the stable objective.
    prefer : {"score", "matched"}
        Goal order of the optimal objective.

    Returns
    -------
    RematchResult

    Examples
    --------
    >>> m = Market.from_preference_lists([[0, 1], [0, 1], [0]], [[2, 1, 0], [0, 1]], [1, 1],
    ...                                  mentee_ids=["a", "b", "c"], mentor_ids=["X", "Y"])
    >>> r = rematch(m, [("a", "X")])          # c joins; a keeps X though X prefers c
    >>> r.assignment.mentor_of.tolist(), r.kept
    ([0, 1, -1], [('a', 'X')])
    >>> rematch(m, [("a", "X")], unlocked=["a"]).assignment.mentor_of.tolist()
    [1, -1, 0]

    Notes
    -----
    The new part is stable (or optimal) within the residual market of
    :func:`residual_market`; blocking pairs that involve locked people are
    the price of keeping them and show in :func:`~medmentor.matching.assess`.
    Complexity: that of the solver, plus O(E).
    """
    mentee_index = {pid: k for k, pid in enumerate(market.mentee_ids)}
    mentor_index = {pid: k for k, pid in enumerate(market.mentor_ids)}
    released_people = set()
    released_pairs = set()
    for item in unlocked:
        if isinstance(item, tuple):
            released_pairs.add(item)
        else:
            released_people.add(item)
    locked_mentor_of = np.full(market.n_mentees, -1, dtype=np.int64)
    kept: list[tuple[PersonId, PersonId]] = []
    released: list[tuple[PersonId, PersonId, str]] = []
    warnings: list[str] = []
    for a, b in existing:
        if a not in mentee_index:
            released.append((a, b, "mentee left the program"))
        elif b not in mentor_index:
            released.append((a, b, "mentor left the program"))
        elif (a, b) in released_pairs or a in released_people or b in released_people:
            released.append((a, b, "unlocked by the director"))
        elif locked_mentor_of[mentee_index[a]] >= 0:
            released.append((a, b, "mentee had two pairs; the first one is kept"))
        else:
            locked_mentor_of[mentee_index[a]] = mentor_index[b]
            kept.append((a, b))
    locked = np.flatnonzero(locked_mentor_of >= 0)
    if locked.size:
        edge = market.edge_index(locked, locked_mentor_of[locked])
        for i in locked[edge < 0].tolist():
            warnings.append(
                f"Kept pair ({market.mentee_ids[i]!r}, "
                f"{market.mentor_ids[int(locked_mentor_of[i])]!r}) no longer passes the hard "
                "constraints or preference lists; unlock it to re-match."
            )
    load = np.bincount(locked_mentor_of[locked], minlength=market.n_mentors)
    for j in np.flatnonzero(load > market.capacity).tolist():
        warnings.append(
            f"Mentor {market.mentor_ids[j]!r} keeps {int(load[j])} mentees, above the capacity "
            f"of {int(market.capacity[j])}; unlock one of them."
        )
    residual = residual_market(market, locked_mentor_of)
    if objective == "stable":
        new = stable_matching(residual, seed=seed)
    elif objective == "optimal":
        new = optimal_matching(residual, prefer=prefer)
    else:
        raise ValueError(f"objective must be 'stable' or 'optimal', got {objective!r}.")
    mentor_of = new.mentor_of.copy()
    mentor_of[locked] = locked_mentor_of[locked]
    return RematchResult(Assignment(mentor_of, new.objective, new.seed), kept, released, warnings)
