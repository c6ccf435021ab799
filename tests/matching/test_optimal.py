"""Optimal matching: the brute-force optimum, lexicographic goals, an LP second opinion."""

import numpy as np
import pytest
from hypothesis import given

from medmentor.matching import (
    Assignment,
    Market,
    MatchingInputError,
    integer_weights,
    is_feasible,
    optimal_matching,
    optimality_certificate,
    stable_matching,
    total_score,
)

from .strategies import PROPERTY, all_matchings, markets


def _best(market, prefer):
    best = None
    for mentor_of in all_matchings(market):
        a = Assignment(mentor_of)
        key = (round(total_score(market, a), 9), a.n_matched)
        key = key if prefer == "score" else key[::-1]
        best = key if best is None or key > best else best
    return best


@PROPERTY
@given(markets(max_mentees=6, max_mentors=3))
def test_optimal_matching_equals_the_brute_force_optimum_score_first(market):
    assignment = optimal_matching(market, prefer="score")
    assert is_feasible(market, assignment)
    got = (round(total_score(market, assignment), 9), assignment.n_matched)
    assert got == _best(market, "score")


@PROPERTY
@given(markets(max_mentees=6, max_mentors=3))
def test_optimal_matching_equals_the_brute_force_optimum_most_matched_first(market):
    assignment = optimal_matching(market, prefer="matched")
    assert is_feasible(market, assignment)
    got = (assignment.n_matched, round(total_score(market, assignment), 9))
    assert got == _best(market, "matched")


@PROPERTY
@given(markets(max_mentees=10, max_mentors=5))
def test_linear_programming_certificate_agrees_the_optimum_is_optimal(market):
    for prefer in ("score", "matched"):
        assignment = optimal_matching(market, prefer=prefer)
        assert optimality_certificate(market, assignment, prefer=prefer).optimal


def test_most_people_matched_breaks_ties_between_equal_scores():
    # {0-A} and {0-B, 1-A} both score 2: the tie-breaker takes the second
    market = Market.from_edges(
        n_mentees=2,
        n_mentors=2,
        capacity=[1, 1],
        mentee=[0, 0, 1],
        mentor=[0, 1, 0],
        score=[2.0, 1.0, 1.0],
    )
    assert optimal_matching(market).mentor_of.tolist() == [1, 0]


def test_score_first_can_leave_someone_unmatched_and_matched_first_does_not():
    market = Market.from_edges(
        n_mentees=2,
        n_mentors=2,
        capacity=[1, 1],
        mentee=[0, 0, 1],
        mentor=[0, 1, 0],
        score=[10.0, 1.0, 1.0],
    )
    assert optimal_matching(market, prefer="score").mentor_of.tolist() == [0, -1]
    assert optimal_matching(market, prefer="matched").mentor_of.tolist() == [1, 0]


def test_a_suboptimal_matching_fails_the_certificate():
    market = Market.from_edges(
        n_mentees=2, n_mentors=1, capacity=[1], mentee=[0, 1], mentor=[0, 0], score=[1.0, 3.0]
    )
    assert not optimality_certificate(market, Assignment(np.array([0, -1]))).optimal


def test_fractional_scores_are_compared_after_rounding_to_the_resolution():
    market = Market.from_edges(
        n_mentees=2,
        n_mentors=1,
        capacity=[1],
        mentee=[0, 1],
        mentor=[0, 0],
        score=[0.1234567, 0.1234561],
    )
    assert optimal_matching(market).mentor_of.tolist() == [0, -1]
    weights, quantum = integer_weights(market)
    assert quantum == 1e-6 and weights[0] > weights[1]


def test_optimum_scores_at_least_the_stable_matching():
    rng = np.random.default_rng(4)
    ii, jj = np.nonzero(rng.random((60, 20)) < 0.3)
    market = Market.from_edges(
        n_mentees=60,
        n_mentors=20,
        capacity=rng.integers(1, 4, 20),
        mentee=ii,
        mentor=jj,
        score=rng.integers(0, 10, ii.size).astype(float),
    )
    assert total_score(market, optimal_matching(market)) >= total_score(
        market, stable_matching(market)
    )


def test_unknown_priority_is_a_clear_error():
    market = Market.from_preference_lists([[0]], None, [1])
    with pytest.raises(MatchingInputError, match="prefer must be"):
        optimal_matching(market, prefer="fairness")


def test_certificate_holds_for_large_nearly_equal_scores():
    # the solver picks the best of three; the check once called it "not optimal"
    # because its second LP was refused and the best score stood in for the count
    market = Market.from_edges(
        n_mentees=3,
        n_mentors=1,
        capacity=[1],
        mentee=[0, 1, 2],
        mentor=[0, 0, 0],
        score=[1e6, 1e6 + 0.001, 1e6 + 0.002],
    )
    assignment = optimal_matching(market)
    assert assignment.mentor_of.tolist() == [-1, -1, 0]
    for prefer in ("score", "matched"):
        certificate = optimality_certificate(market, assignment, prefer=prefer)
        assert certificate.optimal
        assert certificate.best_matched == 1
    worse = Assignment(np.array([0, -1, -1]))
    assert not optimality_certificate(market, worse).optimal


@pytest.mark.parametrize("seed", range(25))
def test_certificate_agrees_with_the_optimum_when_scores_are_large_and_close(seed):
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(2, 12)), int(rng.integers(1, 5))
    mask = rng.random((n, m)) < 0.6
    mentee, mentor = np.nonzero(mask)
    score = 1e6 + rng.integers(0, 5, mentee.size) * 1e-3
    market = Market.from_edges(
        n_mentees=n,
        n_mentors=m,
        capacity=rng.integers(1, 3, m).tolist(),
        mentee=mentee.tolist(),
        mentor=mentor.tolist(),
        score=score.tolist(),
    )
    for prefer in ("score", "matched"):
        assignment = optimal_matching(market, prefer=prefer)
        certificate = optimality_certificate(market, assignment, prefer=prefer)
        assert certificate.optimal, (prefer, certificate)
        assert certificate.best_matched == assignment.n_matched


def _single_solve_with_lexicographic_weights(market):
    """The exact method used before: one min-cost flow on w = K * s + 1 (integer_weights)."""
    from ortools.graph.python import min_cost_flow

    weights, _ = integer_weights(market, prefer="score")
    useful = np.flatnonzero(weights > 0)
    n, m = market.n_mentees, market.n_mentors
    source, sink = n + m, n + m + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    for i in range(n):
        flow.add_arc_with_capacity_and_unit_cost(source, i, 1, 0)
    for e in useful.tolist():
        mentee, mentor = int(market.mentee[e]), int(market.mentor[e])
        flow.add_arc_with_capacity_and_unit_cost(mentee, n + mentor, 1, -int(weights[e]))
    for j in range(m):
        flow.add_arc_with_capacity_and_unit_cost(n + j, sink, int(market.capacity[j]), 0)
    flow.add_arc_with_capacity_and_unit_cost(source, sink, n, 0)
    flow.set_node_supply(source, n)
    flow.set_node_supply(sink, -n)
    assert flow.solve() == flow.OPTIMAL
    mentor_of = np.full(n, -1)
    for arc, e in enumerate(useful.tolist(), start=n):
        if flow.flow(arc):
            mentor_of[market.mentee[e]] = market.mentor[e]
    return Assignment(mentor_of)


@pytest.mark.parametrize("seed", range(200))
def test_score_first_equals_the_single_solve_on_lexicographic_weights(seed):
    # few distinct scores, zeros and negatives: many best-score matchings of
    # different sizes, where the count decides
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(1, 14)), int(rng.integers(1, 6))
    mask = rng.random((n, m)) < rng.choice([0.3, 0.6, 1.0])
    mentee, mentor = np.nonzero(mask)
    if rng.random() < 0.5:
        score = rng.integers(-2, 4, mentee.size).astype(float)
    else:
        score = rng.choice([0.0, 0.25, 0.5, 1.5, -0.5], mentee.size)
    market = Market.from_edges(
        n_mentees=n,
        n_mentors=m,
        capacity=rng.integers(0, 4, m).tolist(),
        mentee=mentee.tolist(),
        mentor=mentor.tolist(),
        score=score.tolist(),
    )
    ours = optimal_matching(market, prefer="score")
    reference = _single_solve_with_lexicographic_weights(market)
    assert is_feasible(market, ours)
    assert (total_score(market, ours), ours.n_matched) == (
        total_score(market, reference),
        reference.n_matched,
    )
