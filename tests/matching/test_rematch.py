"""Re-matching keeps every existing pair unless the director unlocks it."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from medmentor.matching import Market, assess, is_feasible, rematch

from .strategies import PROPERTY, markets


@PROPERTY
@given(markets(max_mentees=10, max_mentors=5, ties=False), st.integers(0, 2**16))
def test_rematch_keeps_locked_pairs_and_matches_the_rest_feasibly(market, seed):
    rng = np.random.default_rng(seed)
    # existing pairs: a random feasible subset of market edges
    existing, load = [], np.zeros(market.n_mentors, dtype=int)
    for i in rng.permutation(market.n_mentees).tolist():
        row = market.neighbours(i)
        if row.size and rng.random() < 0.5:
            j = int(row[rng.integers(row.size)])
            if load[j] < market.capacity[j]:
                load[j] += 1
                existing.append((market.mentee_ids[i], market.mentor_ids[j]))
    unlocked = [p for p in existing if rng.random() < 0.3]
    for objective in ("stable", "optimal"):
        result = rematch(market, existing, unlocked=unlocked, objective=objective, seed=seed)
        kept = set(existing) - set(unlocked)
        assert set(result.kept) == kept
        for a, b in kept:
            assert result.assignment.mentor_of[a] == b
        assert is_feasible(market, result.assignment)


def test_people_who_left_release_their_pairs_and_newcomers_are_matched():
    market = Market.from_preference_lists(
        [[0], [0, 1]], [[1, 0], [1]], [1, 1], mentee_ids=["old", "new"], mentor_ids=["X", "Y"]
    )
    result = rematch(market, [("old", "X"), ("gone", "Y"), ("new", "Z")])
    assert result.kept == [("old", "X")]
    assert result.released == [
        ("gone", "Y", "mentee left the program"),
        ("new", "Z", "mentor left the program"),
    ]
    assert result.assignment.mentor_of.tolist() == [0, 1]


def test_kept_pair_that_breaks_a_new_rule_is_kept_but_flagged():
    market = Market.from_preference_lists(
        [[1]], None, [1, 1], mentee_ids=["a"], mentor_ids=["X", "Y"]
    )
    result = rematch(market, [("a", "X")])
    assert result.assignment.mentor_of.tolist() == [0]
    assert "no longer passes" in result.warnings[0]
    assert not assess(market, result.assignment).feasible


def test_unlocking_a_person_releases_their_pair():
    market = Market.from_preference_lists(
        [[0, 1], [0]], [[1, 0], [0]], [1, 1], mentee_ids=["a", "b"], mentor_ids=["X", "Y"]
    )
    locked = rematch(market, [("a", "X")])
    assert locked.assignment.mentor_of.tolist() == [0, -1]
    unlocked = rematch(market, [("a", "X")], unlocked=["X"])
    assert unlocked.assignment.mentor_of.tolist() == [1, 0]
    assert unlocked.released == [("a", "X", "unlocked by the director")]
