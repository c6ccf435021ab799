"""Stable matching: feasible, no blocking pair, mentee-optimal, same as the peers."""

import sys
import warnings

import numpy as np
import pytest
from hypothesis import given

from medmentor.matching import (
    Assignment,
    Market,
    assess,
    blocking_pairs,
    is_feasible,
    is_stable,
    stable_matching,
)

from .strategies import PROPERTY, all_matchings, markets, popular_lists, random_lists


@PROPERTY
@given(markets())
def test_stable_matching_is_feasible_and_has_no_blocking_pair_even_with_ties(market):
    assignment = stable_matching(market, seed=3)
    assert is_feasible(market, assignment)
    assert blocking_pairs(market, assignment).size == 0
    assert np.all(assignment.load(market.n_mentors) <= market.capacity)


@PROPERTY
@given(markets(max_mentees=6, max_mentors=3, ties=False))
def test_every_mentee_gets_their_best_stable_partner(market):
    ours = stable_matching(market)
    stable = [a for a in all_matchings(market) if is_stable(market, Assignment(a))]
    assert any(np.array_equal(a, ours.mentor_of) for a in stable)
    rank = {}
    for e in range(market.n_edges):
        rank[(int(market.mentee[e]), int(market.mentor[e]))] = int(market.mentee_rank[e])
    for a in stable:
        for i in range(market.n_mentees):
            mine = rank.get((i, int(ours.mentor_of[i])), 10**9)
            theirs = rank.get((i, int(a[i])), 10**9)
            assert mine <= theirs


def _sequential_deferred_acceptance(market):
    """Textbook one-proposal-at-a-time deferred acceptance (strict preferences)."""
    nxt = market.indptr[:-1].copy()
    held = {j: [] for j in range(market.n_mentors)}
    free = list(range(market.n_mentees))
    mentor_of = np.full(market.n_mentees, -1, dtype=np.int32)
    while free:
        i = free.pop()
        if nxt[i] >= market.indptr[i + 1]:
            continue
        e = int(nxt[i])
        nxt[i] += 1
        j = int(market.mentor[e])
        held[j].append((int(market.mentor_rank[e]), i))
        held[j].sort()
        if len(held[j]) > market.capacity[j]:
            _, out = held[j].pop()
            free.append(out)
    for j, rows in held.items():
        for _, i in rows:
            mentor_of[i] = j
    return mentor_of


@PROPERTY
@given(markets(max_mentees=12, max_mentors=6, ties=False))
def test_parallel_rounds_give_the_same_matching_as_one_proposal_at_a_time(market):
    assert np.array_equal(
        stable_matching(market).mentor_of, _sequential_deferred_acceptance(market)
    )


def _matching_library_resident_optimal(mentee_prefs, mentor_prefs, capacity):
    from matching.games import HospitalResident

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 100_000))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        game = HospitalResident.create_from_dictionaries(
            dict(enumerate(mentee_prefs)),
            dict(enumerate(mentor_prefs)),
            dict(enumerate(capacity)),
            clean=True,
        )
        solved = game.solve(optimal="resident")
    mentor_of = np.full(len(mentee_prefs), -1, dtype=np.int32)
    for hospital, residents in solved.items():
        for resident in residents:
            mentor_of[resident.name] = hospital.name
    return mentor_of


@pytest.mark.parametrize("seed", range(6))
def test_same_matching_as_the_matching_library_hospital_resident(seed):
    mentee_prefs, mentor_prefs, capacity = random_lists(120, 40, 8, seed, cap=(1, 4))
    market = Market.from_preference_lists(mentee_prefs, mentor_prefs, capacity)
    theirs = _matching_library_resident_optimal(mentee_prefs, mentor_prefs, capacity)
    assert np.array_equal(stable_matching(market).mentor_of, theirs)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(3))
def test_same_matching_as_the_matching_library_at_a_thousand_mentees(seed):
    mentee_prefs, mentor_prefs, capacity = random_lists(1000, 400, 20, seed)
    market = Market.from_preference_lists(mentee_prefs, mentor_prefs, capacity)
    theirs = _matching_library_resident_optimal(mentee_prefs, mentor_prefs, capacity)
    assert np.array_equal(stable_matching(market).mentor_of, theirs)


def test_same_seed_same_matching_and_seeds_only_break_ties():
    # four mentees tie for one mentor with one place: the seed picks
    market = Market.from_preference_lists([[0]] * 4, None, [1])
    picks = {
        int(np.flatnonzero(stable_matching(market, seed=s).mentor_of == 0)[0]) for s in range(20)
    }
    assert len(picks) > 1
    again = stable_matching(market, seed=5).mentor_of
    assert np.array_equal(stable_matching(market, seed=5).mentor_of, again)


def test_mentor_with_no_places_and_mentee_with_empty_list_stay_unmatched():
    market = Market.from_preference_lists([[0, 1], [], [1]], [[0], [0, 2]], [0, 1])
    assignment = stable_matching(market)
    assert assignment.mentor_of.tolist() == [1, -1, -1]
    assert assess(market, assignment).blocking_pairs == 0


def test_pairs_listed_by_only_one_side_are_never_made():
    # mentee 0 lists mentor 0, who did not list them back
    market = Market.from_preference_lists([[0], [0]], [[1]], [2])
    assert stable_matching(market).mentor_of.tolist() == [-1, 0]


def test_blocking_pair_check_finds_the_pair_that_would_rather_be_together():
    market = Market.from_preference_lists([[0, 1], [1, 0]], [[1, 0], [0, 1]], [1, 1])
    swapped = Assignment(np.array([1, 0]))  # each mentor's first choice; both mentees' second
    assert is_stable(market, swapped)  # mentor-optimal is stable too
    worst = Assignment(np.array([-1, 0]))  # mentee 0 and mentor 1 both free and acceptable
    assert blocking_pairs(market, worst).tolist() == [1, 2]  # (0, 1) and (1, 1)


def _textbook_deferred_acceptance(mentee_prefs, mentor_prefs, capacity):
    """One proposal at a time on the strict lists themselves, no Market involved."""
    rank = [{i: r for r, i in enumerate(row)} for row in mentor_prefs]
    held = [[] for _ in capacity]
    nxt = [0] * len(mentee_prefs)
    free = list(range(len(mentee_prefs)))
    while free:
        i = free.pop()
        while nxt[i] < len(mentee_prefs[i]):
            j = mentee_prefs[i][nxt[i]]
            nxt[i] += 1
            if i not in rank[j] or capacity[j] == 0:
                continue
            held[j].append(i)
            held[j].sort(key=rank[j].get)
            if len(held[j]) <= capacity[j]:
                break
            out = held[j].pop()
            if out != i:
                free.append(out)
                break
    mentor_of = np.full(len(mentee_prefs), -1, dtype=np.int32)
    for j, rows in enumerate(held):
        mentor_of[rows] = j
    return mentor_of


@pytest.mark.parametrize("one_sided", [0.0, 0.2])
@pytest.mark.parametrize("seed", range(8))
def test_lists_path_gives_the_textbook_matching_on_structured_instances(seed, one_sided):
    # popular mentors and a shared mentee quality (the benchmark's shape); with
    # one_sided some pairs are listed by one side only (the join's other branch)
    lists = popular_lists(300, 60, 12, seed, one_sided=one_sided)
    market = Market.from_preference_lists(*lists)
    assert np.array_equal(stable_matching(market).mentor_of, _textbook_deferred_acceptance(*lists))


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("one_sided", [0.0, 0.2])
@pytest.mark.parametrize("seed", range(4))
def test_order_kept_from_the_lists_gives_the_same_matching_as_sorting_again(seed, one_sided, ties):
    lists = popular_lists(300, 60, 12, seed, one_sided=one_sided, ties=ties)
    from_lists = Market.from_preference_lists(*lists)
    # the same pairs and ranks through from_edges, which keeps no order: sorted on demand
    resorted = Market.from_edges(
        n_mentees=from_lists.n_mentees,
        n_mentors=from_lists.n_mentors,
        capacity=from_lists.capacity,
        mentee=from_lists.mentee,
        mentor=from_lists.mentor,
        mentee_rank=from_lists.mentee_rank,
        mentor_rank=from_lists.mentor_rank,
    )
    assert np.array_equal(from_lists.mentor, resorted.mentor)
    for tie_seed in range(3):
        assert np.array_equal(
            stable_matching(from_lists, seed=tie_seed).mentor_of,
            stable_matching(resorted, seed=tie_seed).mentor_of,
        )
