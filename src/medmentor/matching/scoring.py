"""Soft criteria: how compatible a mentee and a mentor are, criterion by criterion.

Every criterion's contribution is kept, so a director sees why a pair scored
what it did. Two implementations that must agree (a property test checks):

* :func:`pair_contributions`, plain Python over two records, used for
  explanations;
* :func:`score_pairs`, vectorised over many pairs at once on integer-coded
  attributes (:class:`EncodedCohort`), used to build the market.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .model import AttributeValue, Criterion, Mentee, Mentor, Weights

__all__ = [
    "Contribution",
    "EncodedAttribute",
    "EncodedCohort",
    "PairScores",
    "attribute_match",
    "encode_cohort",
    "pair_contributions",
    "score_pairs",
]


def _as_set(value: AttributeValue) -> frozenset[str]:
    if value is None or value == "":
        return frozenset()
    if isinstance(value, frozenset):
        return value
    return frozenset((str(value),))


def attribute_match(mentee_value: AttributeValue, mentor_value: AttributeValue) -> float:
    """How well two attribute values agree, in [0, 1].

    Single values: 1 when equal, else 0. Sets: the share of the mentee's
    values the mentor also has, ``|A & B| / |A|``. Missing values never match.

    Examples
    --------
    >>> attribute_match("surgery", "surgery")
    1.0
    >>> attribute_match(frozenset({"research", "teaching"}), frozenset({"research"}))
    0.5
    >>> attribute_match(None, None)
    0.0

    Notes
    -----
    Complexity O(|A| + |B|).
    """
    a, b = _as_set(mentee_value), _as_set(mentor_value)
    if not a or not b:
        return 0.0
    return len(a & b) / len(a)


@dataclass(frozen=True, slots=True)
class Contribution:
    """One criterion's part of a pair's score.

    Attributes
    ----------
    criterion : Criterion
    match : float
        Agreement in [0, 1] (see :func:`attribute_match`).
    points : float
        ``criterion.weight * match``, what it adds to the score.
    shared : tuple of str
        The values both have ("surgery"), for the explanation.
    asked : bool
        For concordance criteria: whether the mentee asked for it.
    """

    criterion: Criterion
    match: float
    points: float
    shared: tuple[str, ...]
    asked: bool = True


def pair_contributions(mentee: Mentee, mentor: Mentor, weights: Weights) -> list[Contribution]:
    """Each criterion's contribution to one pair's score.

    Parameters
    ----------
    mentee : Mentee
    mentor : Mentor
    weights : Weights

    Returns
    -------
    list of Contribution
        One per criterion, in the order of ``weights.criteria``. A
        concordance criterion the mentee did not ask for contributes 0.

    Examples
    --------
    >>> w = Weights((Criterion("specialty", 3.0), Criterion("gender", 2.0, concordance=True)))
    >>> a = Mentee("a", attributes={"specialty": "surgery", "gender": "f"})
    >>> b = Mentor("b", attributes={"specialty": "surgery", "gender": "f"})
    >>> [c.points for c in pair_contributions(a, b, w)]  # gender not asked for
    [3.0, 0.0]

    Notes
    -----
    Complexity O(sum of attribute set sizes).
    """
    out = []
    for criterion in weights.criteria:
        mine = mentee.attributes.get(criterion.attribute)
        theirs = mentor.attributes.get(criterion.attribute)
        asked = (not criterion.concordance) or criterion.attribute in mentee.concordance
        match = attribute_match(mine, theirs) if asked else 0.0
        shared = tuple(sorted(_as_set(mine) & _as_set(theirs)))
        out.append(Contribution(criterion, match, criterion.weight * match, shared, asked))
    return out


# ------------------------------------------------------------------ vectorised


@dataclass(frozen=True, slots=True)
class EncodedAttribute:
    """One attribute of every person as integers.

    ``mentee_bits`` / ``mentor_bits`` hold each person's values as a bit set
    (shape (people, words), uint64), so set overlap is an AND and a popcount;
    ``mentee_size`` is the number of values each mentee has.
    """

    name: str
    vocabulary: tuple[str, ...]
    mentee_bits: np.ndarray
    mentor_bits: np.ndarray
    mentee_size: np.ndarray
    mentor_size: np.ndarray


def _bits(
    values: Sequence[frozenset[str]], index: dict[str, int], words: int
) -> tuple[np.ndarray, np.ndarray]:
    bits = np.zeros((len(values), words), dtype=np.uint64)
    size = np.zeros(len(values), dtype=np.int32)
    rows: list[int] = []
    cols: list[int] = []
    for person, vals in enumerate(values):
        size[person] = len(vals)
        for v in vals:
            rows.append(person)
            cols.append(index[v])
    if rows:
        r = np.asarray(rows)
        c = np.asarray(cols)
        np.bitwise_or.at(
            bits, (r, c // 64), np.left_shift(np.uint64(1), (c % 64).astype(np.uint64))
        )
    return bits, size


def encode_attribute(
    name: str, mentees: Sequence[Mentee], mentors: Sequence[Mentor]
) -> EncodedAttribute:
    """Integer bit sets of one attribute for every mentee and mentor.

    Complexity O(total values + people * vocabulary / 64).
    """
    mine = [_as_set(p.attributes.get(name)) for p in mentees]
    theirs = [_as_set(p.attributes.get(name)) for p in mentors]
    vocabulary = tuple(sorted(set().union(*mine, *theirs)))
    index = {v: k for k, v in enumerate(vocabulary)}
    words = max(1, (len(vocabulary) + 63) // 64)
    mentee_bits, mentee_size = _bits(mine, index, words)
    mentor_bits, mentor_size = _bits(theirs, index, words)
    return EncodedAttribute(name, vocabulary, mentee_bits, mentor_bits, mentee_size, mentor_size)


@dataclass(frozen=True, slots=True)
class EncodedCohort:
    """Every attribute the rules and weights use, encoded once."""

    attributes: dict[str, EncodedAttribute]
    asked: dict[str, np.ndarray]  # attribute -> bool per mentee (concordance asked)

    def overlap(self, name: str, mentee_idx: np.ndarray, mentor_idx: np.ndarray) -> np.ndarray:
        """Number of shared values of ``name`` for each pair."""
        enc = self.attributes[name]
        both = enc.mentee_bits[mentee_idx] & enc.mentor_bits[mentor_idx]
        return np.bitwise_count(both).sum(axis=1, dtype=np.int32)

    def match(self, name: str, mentee_idx: np.ndarray, mentor_idx: np.ndarray) -> np.ndarray:
        """:func:`attribute_match` for each pair, vectorised."""
        enc = self.attributes[name]
        shared = self.overlap(name, mentee_idx, mentor_idx)
        size = enc.mentee_size[mentee_idx]
        return np.where(size > 0, shared / np.maximum(size, 1), 0.0)


def encode_cohort(
    mentees: Sequence[Mentee], mentors: Sequence[Mentor], names: Sequence[str]
) -> EncodedCohort:
    """Encode the named attributes (and who asked for concordance on them).

    Examples
    --------
    >>> c = encode_cohort([Mentee("a", attributes={"site": "N"})],
    ...                   [Mentor("b", attributes={"site": "N"})], ["site"])
    >>> c.match("site", np.array([0]), np.array([0])).tolist()
    [1.0]

    Notes
    -----
    Complexity O(total values + people * vocabulary / 64) per attribute.
    """
    attributes = {name: encode_attribute(name, mentees, mentors) for name in dict.fromkeys(names)}
    asked = {
        name: np.fromiter((name in p.concordance for p in mentees), dtype=bool, count=len(mentees))
        for name in attributes
    }
    return EncodedCohort(attributes, asked)


@dataclass(frozen=True, slots=True)
class PairScores:
    """Scores of many pairs with each criterion's part.

    Attributes
    ----------
    total : ndarray of float64, shape (k,)
    contributions : ndarray of float64, shape (k, criteria)
    criteria : tuple of Criterion
    """

    total: np.ndarray
    contributions: np.ndarray
    criteria: tuple[Criterion, ...]


def score_pairs(
    cohort: EncodedCohort, weights: Weights, mentee_idx: np.ndarray, mentor_idx: np.ndarray
) -> PairScores:
    """Score many (mentee, mentor) pairs at once.

    Parameters
    ----------
    cohort : EncodedCohort
        From :func:`encode_cohort` with every criterion's attribute.
    weights : Weights
    mentee_idx, mentor_idx : arrays of int, shape (k,)

    Returns
    -------
    PairScores
        Same numbers as :func:`pair_contributions` pair by pair.

    Examples
    --------
    >>> w = Weights((Criterion("site", 1.0),))
    >>> c = encode_cohort([Mentee("a", attributes={"site": "N"})],
    ...                   [Mentor("b", attributes={"site": "N"}), Mentor("c")], ["site"])
    >>> score_pairs(c, w, np.array([0, 0]), np.array([0, 1])).total.tolist()
    [1.0, 0.0]

    Notes
    -----
    Complexity O(k * criteria * words); memory O(k * criteria).
    """
    k = np.asarray(mentee_idx).size
    contributions = np.zeros((k, len(weights.criteria)))
    for c, criterion in enumerate(weights.criteria):
        match = cohort.match(criterion.attribute, mentee_idx, mentor_idx)
        if criterion.concordance:
            match = np.where(cohort.asked[criterion.attribute][mentee_idx], match, 0.0)
        contributions[:, c] = criterion.weight * match
    return PairScores(contributions.sum(axis=1), contributions, weights.criteria)
