"""Explanations in words a program director understands.

For every pair: the criteria that made it and what each added to the score.
For every person left without a match: the constraint that blocked them,
"no mentor at least 2 training levels above", "every compatible mentor is
full", "every candidate is excluded by a declared conflict or supervision"...
For every group: what its members share and how varied it is.

The output is plain dataclasses with an ``as_dict`` for the API.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .checks import MatchingReport, assess, edges_of
from .constraints import STAGES, Diagnostics, MarketBuild
from .model import Assignment, HardRules, Market, Mentee, Mentor, PersonId, Weights
from .scoring import Contribution, pair_contributions

__all__ = [
    "GroupExplanation",
    "MatchingExplanation",
    "PairExplanation",
    "UnmatchedExplanation",
    "explain_group",
    "explain_matching",
    "explain_pair",
    "explain_unmatched",
    "stage_words",
]


def _num(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True, slots=True)
class PairExplanation:
    """Why a mentee and a mentor were paired.

    Attributes
    ----------
    mentee_id, mentor_id : hashable
    score : float
    reasons : list of str
        One line per criterion that counted, largest first (equal points
        in the order of the weights), e.g.
        ``"shared specialty: surgery (+3)"``.
    unmet : list of str
        Concordance the mentee asked for that this mentor cannot give.
    contributions : dict of str to float
        Criterion label -> points, every criterion (0 included).
    summary : str
        One sentence.
    """

    mentee_id: PersonId
    mentor_id: PersonId
    score: float
    reasons: list[str]
    unmet: list[str]
    contributions: dict[str, float]
    summary: str

    def as_dict(self) -> dict[str, object]:
        """Plain dict for the API."""
        return {
            "mentee": self.mentee_id,
            "mentor": self.mentor_id,
            "score": self.score,
            "reasons": list(self.reasons),
            "unmet": list(self.unmet),
            "contributions": dict(self.contributions),
            "summary": self.summary,
        }


def _reason(c: Contribution) -> str:
    what = ", ".join(c.shared) if c.shared else ""
    points = f"+{_num(c.points)}" if c.points >= 0 else _num(c.points)
    return f"{c.criterion.label}: {what} ({points})" if what else f"{c.criterion.label} ({points})"


def explain_pair(
    mentee: Mentee,
    mentor: Mentor,
    weights: Weights,
    *,
    mentee_rank: int | None = None,
    mentor_rank: int | None = None,
) -> PairExplanation:
    """The criteria that made one pair and what each contributed.

    Parameters
    ----------
    mentee : Mentee
    mentor : Mentor
    weights : Weights
    mentee_rank, mentor_rank : int, optional
        0-based ranks from submitted lists, mentioned when given.

    Returns
    -------
    PairExplanation

    Examples
    --------
    >>> w = Weights((Criterion("specialty", 3.0), Criterion("gender", 2.0, concordance=True)))
    >>> a = Mentee("ana", attributes={"specialty": "surgery", "gender": "f"},
    ...            concordance={"gender"})
    >>> b = Mentor("bo", attributes={"specialty": "surgery", "gender": "m"})
    >>> e = explain_pair(a, b, w)
    >>> e.reasons, e.unmet
    (['shared specialty: surgery (+3)'], ['same gender (asked by mentee): not met'])
    >>> e.summary
    'ana and bo: score 3, shared specialty: surgery (+3).'

    Notes
    -----
    Complexity O(sum of attribute sizes).
    """
    parts = pair_contributions(mentee, mentor, weights)
    score = float(sum(c.points for c in parts))
    counted = sorted((c for c in parts if c.points != 0), key=lambda c: -abs(c.points))
    reasons = [_reason(c) for c in counted]
    unmet = [
        f"{c.criterion.label}: not met"
        for c in parts
        if c.criterion.concordance and c.asked and c.match < 1.0
    ]
    extra = []
    if mentee_rank is not None:
        extra.append(f"{mentee.id}'s choice no. {mentee_rank + 1}")
    if mentor_rank is not None:
        extra.append(f"{mentor.id}'s choice no. {mentor_rank + 1}")
    because = "; ".join(reasons + extra) if (reasons or extra) else "no criterion in common"
    summary = f"{mentee.id} and {mentor.id}: score {_num(score)}, {because}."
    return PairExplanation(
        mentee.id,
        mentor.id,
        score,
        reasons,
        unmet,
        {c.criterion.label: c.points for c in parts},
        summary,
    )


@dataclass(frozen=True, slots=True)
class UnmatchedExplanation:
    """Why someone has no match.

    Attributes
    ----------
    person_id : hashable
    side : {"mentee", "mentor"}
    code : str
        A stage name of :data:`~medmentor.matching.constraints.STAGES`, or
        ``"full"`` (candidates exist but their places went to others),
        ``"room"`` (a candidate still has a place: the draft can add them),
        ``"no_pairs"`` (no acceptable pair, without finer diagnostics).
    reason : str
        The words shown to the director.
    candidates : int
        Acceptable partners after every hard constraint.
    """

    person_id: PersonId
    side: str
    code: str
    reason: str
    candidates: int

    def as_dict(self) -> dict[str, object]:
        """Plain dict for the API."""
        return {
            "person": self.person_id,
            "side": self.side,
            "code": self.code,
            "reason": self.reason,
            "candidates": self.candidates,
        }


def stage_words(stage: str, rules: HardRules | None, side: str = "mentee") -> str:
    """The sentence for a hard constraint that left someone with no candidate.

    Examples
    --------
    >>> stage_words("seniority", HardRules(min_level_gap=2))
    'no mentor at least 2 training levels above'
    >>> stage_words("seniority", HardRules(min_level_gap=1), side="mentor")
    'no mentee at least 1 training level below'

    Notes
    -----
    Complexity O(1).
    """
    rules = rules or HardRules()
    other = "mentor" if side == "mentee" else "mentee"
    if stage == "seniority":
        k = rules.min_level_gap or 0
        levels = "training level" if abs(k) == 1 else "training levels"
        above_for_mentee = not rules.reverse
        above = above_for_mentee if side == "mentee" else not above_for_mentee
        return f"no {other} at least {k} {levels} {'above' if above else 'below'}"
    if stage == "same":
        same = " and ".join(s.replace("_", " ") for s in rules.same) or "attributes"
        return f"no {other} shares the required {same}"
    if stage == "places":
        return (
            "no mentor has a place left in this round"
            if side == "mentee"
            else "has no place in this round (capacity 0)"
        )
    if stage == "mentee_list":
        return (
            "none of the mentors on their own list is compatible"
            if side == "mentee"
            else "no compatible mentee listed them"
        )
    if stage == "mentor_list":
        return (
            "no compatible mentor listed them"
            if side == "mentee"
            else "none of the mentees on their own list is compatible"
        )
    words = dict(STAGES)[stage]
    return words.replace("mentor", other) if side == "mentor" else words


def explain_unmatched(
    market: Market,
    assignment: Assignment,
    *,
    diagnostics: Diagnostics | None = None,
    rules: HardRules | None = None,
) -> list[UnmatchedExplanation]:
    """For every person left without a match, the constraint that blocked them.

    Parameters
    ----------
    market : Market
    assignment : Assignment
        Should be feasible.
    diagnostics : Diagnostics, optional
        From :func:`~medmentor.matching.constraints.build_market`; names
        the hard constraint for people with no candidate at all.
    rules : HardRules, optional
        For the wording (the seniority gap...).

    Returns
    -------
    list of UnmatchedExplanation
        Unmatched mentees first, then mentors with no mentee.

    Examples
    --------
    >>> m = Market.from_preference_lists([[0], [0], []], None, [1])
    >>> [e.reason for e in explain_unmatched(m, Assignment(np.array([0, -1, -1])))]
    ['every compatible mentor is full (1 candidate)', 'no acceptable mentor at all']

    Notes
    -----
    For someone with candidates, "full" means each candidate's places all
    went to others: in a stable matching to people that mentor ranks
    higher, in an optimal one because the total is higher that way.
    Complexity O(E + n_mentees + n_mentors).
    """
    out: list[UnmatchedExplanation] = []
    edge = edges_of(market, assignment)
    load = assignment.load(market.n_mentors)
    room = load < market.capacity
    degree = np.diff(market.indptr)
    mentor_degree = np.bincount(market.mentor, minlength=market.n_mentors)
    mentee_has_room = np.zeros(market.n_mentees, dtype=bool)
    np.logical_or.at(mentee_has_room, market.mentee, room[market.mentor])
    why_full = {
        "stable": "they rank the mentees they took higher",
        "optimal": "the highest total compatibility needs those places for others",
    }.get(assignment.objective, "")
    for i in np.flatnonzero(edge < 0).tolist():
        who = market.mentee_ids[i]
        if degree[i] == 0:
            code, reason = "no_pairs", "no acceptable mentor at all"
            if diagnostics is not None:
                stage = diagnostics.blocking_stage(diagnostics.mentee_counts[i])
                if stage is not None:
                    code = diagnostics.stages[stage]
                    reason = stage_words(code, rules, "mentee")
            out.append(UnmatchedExplanation(who, "mentee", code, reason, 0))
        elif mentee_has_room[i]:
            out.append(
                UnmatchedExplanation(
                    who,
                    "mentee",
                    "room",
                    "a compatible mentor still has a place, but the pair adds nothing to "
                    "the score; add it by hand if wanted",
                    int(degree[i]),
                )
            )
        else:
            plural = "candidate" if degree[i] == 1 else "candidates"
            tail = f"; {why_full}" if why_full else ""
            out.append(
                UnmatchedExplanation(
                    who,
                    "mentee",
                    "full",
                    f"every compatible mentor is full ({int(degree[i])} {plural}){tail}",
                    int(degree[i]),
                )
            )
    for j in np.flatnonzero((load == 0) & (market.capacity > 0)).tolist():
        who = market.mentor_ids[j]
        if mentor_degree[j] == 0:
            code, reason = "no_pairs", "no acceptable mentee at all"
            if diagnostics is not None:
                stage = diagnostics.blocking_stage(diagnostics.mentor_counts[j])
                if stage is not None:
                    code = diagnostics.stages[stage]
                    reason = stage_words(code, rules, "mentor")
            out.append(UnmatchedExplanation(who, "mentor", code, reason, 0))
        else:
            out.append(
                UnmatchedExplanation(
                    who,
                    "mentor",
                    "full",
                    f"each of their {int(mentor_degree[j])} compatible mentees is matched to "
                    "someone else"
                    + (" they rank higher" if assignment.objective == "stable" else ""),
                    int(mentor_degree[j]),
                )
            )
    return out


@dataclass(frozen=True)
class MatchingExplanation:
    """Everything the review page shows for one draft.

    Attributes
    ----------
    report : MatchingReport
        Feasibility, counts, total score, blocking pairs.
    pairs : list of PairExplanation
    unmatched : list of UnmatchedExplanation
    """

    report: MatchingReport
    pairs: list[PairExplanation] = field(default_factory=list)
    unmatched: list[UnmatchedExplanation] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """Plain dict for the API."""
        return {
            "report": self.report.as_dict(),
            "pairs": [p.as_dict() for p in self.pairs],
            "unmatched": [u.as_dict() for u in self.unmatched],
        }


def explain_matching(
    build: MarketBuild,
    assignment: Assignment,
    mentees: Sequence[Mentee],
    mentors: Sequence[Mentor],
    weights: Weights | None = None,
    rules: HardRules | None = None,
) -> MatchingExplanation:
    """Report, pair explanations and unmatched reasons for one draft.

    Parameters
    ----------
    build : MarketBuild
        From :func:`~medmentor.matching.constraints.build_market` on the
        same ``mentees``, ``mentors``, ``rules`` and ``weights``.
    assignment : Assignment
    mentees, mentors : sequences of records
    weights : Weights, optional
        Default :meth:`Weights.default`.
    rules : HardRules, optional

    Returns
    -------
    MatchingExplanation

    Examples
    --------
    >>> from medmentor.matching import build_market, stable_matching
    >>> a = [Mentee("r1", level=1, attributes={"site": "N"}), Mentee("r2", level=3)]
    >>> b = [Mentor("s1", level=3, attributes={"site": "N"})]
    >>> rules = HardRules(min_level_gap=2)
    >>> w = Weights((Criterion("site", 1.0),))
    >>> built = build_market(a, b, rules, w)
    >>> x = explain_matching(built, stable_matching(built.market), a, b, w, rules)
    >>> x.pairs[0].summary
    'r1 and s1: score 1, shared site: N (+1).'
    >>> x.unmatched[0].reason
    'no mentor at least 2 training levels above'

    Notes
    -----
    Complexity O(E + pairs * criteria).
    """
    weights = weights if weights is not None else Weights.default()
    market = build.market
    edge = edges_of(market, assignment)
    lists_a = {k for k, p in enumerate(mentees) if p.preferences is not None}
    lists_b = {k for k, p in enumerate(mentors) if p.preferences is not None}
    pairs = []
    for i in np.flatnonzero(edge >= 0).tolist():
        e = int(edge[i])
        j = int(market.mentor[e])
        pairs.append(
            explain_pair(
                mentees[i],
                mentors[j],
                weights,
                mentee_rank=int(market.mentee_rank[e]) if i in lists_a else None,
                mentor_rank=int(market.mentor_rank[e]) if j in lists_b else None,
            )
        )
    unmatched = explain_unmatched(market, assignment, diagnostics=build.diagnostics, rules=rules)
    return MatchingExplanation(assess(market, assignment), pairs, unmatched)


# ---------------------------------------------------------------------- groups


@dataclass(frozen=True, slots=True)
class GroupExplanation:
    """What a group's members share and how varied it is.

    Attributes
    ----------
    group : int
    size : int
    similar : dict of str to str
        Attribute -> "all PGY2" / "mostly cardiology (5 of 6)".
    diverse : dict of str to str
        Attribute -> "4 different: A, B, C, D".
    summary : str
    """

    group: int
    size: int
    similar: dict[str, str]
    diverse: dict[str, str]
    summary: str

    def as_dict(self) -> dict[str, object]:
        """Plain dict for the API."""
        return {
            "group": self.group,
            "size": self.size,
            "similar": dict(self.similar),
            "diverse": dict(self.diverse),
            "summary": self.summary,
        }


def explain_group(
    group: int,
    members: Sequence[Mapping[str, object]],
    similar: Sequence[str],
    diverse: Sequence[str],
) -> GroupExplanation:
    """Words for one group: the shared values and the variety.

    Parameters
    ----------
    group : int
        Group number.
    members : sequence of mappings
        Each member's attributes.
    similar, diverse : sequences of str
        Attribute names the director wanted similar / diverse.

    Returns
    -------
    GroupExplanation

    Examples
    --------
    >>> g = explain_group(1, [{"stage": "PGY2", "site": "A"}, {"stage": "PGY2", "site": "B"}],
    ...                   ["stage"], ["site"])
    >>> g.summary
    'Group 1 (2 people): all stage PGY2; 2 different site (A, B).'

    Notes
    -----
    Complexity O(members * attributes).
    """
    size = len(members)
    sim: dict[str, str] = {}
    for name in similar:
        counts = Counter(str(m.get(name, "")) for m in members)
        value, count = counts.most_common(1)[0] if counts else ("", 0)
        word = name.replace("_", " ")
        sim[name] = (
            f"all {word} {value}" if count == size else f"mostly {word} {value} ({count} of {size})"
        )
    div: dict[str, str] = {}
    for name in diverse:
        values = sorted({str(m.get(name, "")) for m in members})
        word = name.replace("_", " ")
        div[name] = f"{len(values)} different {word} ({', '.join(values)})"
    parts = list(sim.values()) + list(div.values())
    summary = f"Group {group} ({size} people): " + "; ".join(parts) + "."
    return GroupExplanation(group, size, sim, div, summary)
