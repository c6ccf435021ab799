"""Optimal one-to-one from a dense score matrix: same total as scipy's dense solver, proven."""

import numpy as np
import pytest
import scipy.optimize
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from medmentor.matching import (
    Assignment,
    MatchingInputError,
    dense_optimality_certificate,
    optimal_matching_dense,
)


def best_total(scores):
    rows, cols = scipy.optimize.linear_sum_assignment(scores, maximize=True)
    return float(scores[rows, cols].astype(np.float64).sum())


def assert_one_to_one_of_smaller_side(scores, mentor_of):
    n, m = scores.shape
    matched = mentor_of[mentor_of >= 0]
    assert matched.size == min(n, m)
    assert np.unique(matched).size == matched.size
    assert np.all(matched < m)


shapes = st.tuples(st.integers(1, 25), st.integers(1, 25))


@settings(max_examples=60, derandomize=True, deadline=None)
@given(
    scores=shapes.flatmap(
        lambda shape: arrays(
            np.float64, shape, elements=st.floats(-100, 100, allow_nan=False, width=32)
        )
    ),
    first_k=st.integers(1, 6),
)
def test_total_score_equals_linear_sum_assignment_on_random_float_matrices(scores, first_k):
    best = optimal_matching_dense(scores, first_k=first_k)
    assert_one_to_one_of_smaller_side(scores, best.assignment.mentor_of)
    assert best.certificate.optimal
    assert best.certificate.score == pytest.approx(best_total(scores), abs=1e-6)


@settings(max_examples=60, derandomize=True, deadline=None)
@given(
    scores=shapes.flatmap(lambda shape: arrays(np.int64, shape, elements=st.integers(0, 3))),
    first_k=st.integers(1, 4),
)
def test_ties_in_small_integer_scores_give_exactly_the_best_total(scores, first_k):
    best = optimal_matching_dense(scores, first_k=first_k)
    assert_one_to_one_of_smaller_side(scores, best.assignment.mentor_of)
    assert best.certificate.optimal
    assert best.certificate.gap == 0.0
    assert best.certificate.score == best_total(scores)


@pytest.mark.parametrize("shape", [(300, 300), (200, 350), (350, 200)])
def test_medium_float32_matrices_match_scipy_and_are_left_untouched(shape):
    scores = np.random.default_rng(3).random(shape, dtype=np.float32)
    before = scores.copy()
    best = optimal_matching_dense(scores)
    assert np.array_equal(scores, before)
    assert_one_to_one_of_smaller_side(scores, best.assignment.mentor_of)
    assert best.certificate.optimal
    assert best.certificate.score == pytest.approx(best_total(scores), abs=1e-6)


def test_popular_mentors_that_top_every_list_are_handled_by_further_rounds():
    # every mentee's top columns are the same few popular mentors: a top-k
    # graph alone has no full matching, and its optimum is not the dense one
    rng = np.random.default_rng(5)
    n = 400
    scores = rng.normal(0, 3, n)[None, :] + rng.normal(0, 3, n)[:, None] * rng.random((n, n))
    best = optimal_matching_dense(scores, first_k=6)
    assert best.rounds > 1
    assert best.certificate.optimal
    assert best.certificate.score == pytest.approx(best_total(scores), abs=1e-6)


def test_large_integer_scores_stay_exact():
    scores = np.random.default_rng(9).integers(0, 1_000_000, (250, 250))
    best = optimal_matching_dense(scores, first_k=3)
    assert best.certificate.score == best_total(scores)
    assert best.certificate.gap == 0.0


def test_the_certificate_rejects_an_assignment_that_is_not_optimal():
    scores = np.random.default_rng(11).random((60, 60))
    best = optimal_matching_dense(scores)
    worse = best.assignment.mentor_of.copy()
    worse[[0, 1]] = worse[[1, 0]]
    assert scores[[0, 1], worse[[0, 1]]].sum() < scores[[0, 1], worse[[1, 0]]].sum()
    verdict = dense_optimality_certificate(
        scores, Assignment(worse), best.row_dual, best.column_dual
    )
    assert not verdict.optimal
    assert verdict.feasible
    assert verdict.gap == pytest.approx(best.certificate.score - verdict.score)


def test_the_certificate_rejects_duals_that_do_not_bound_the_matrix():
    scores = np.random.default_rng(12).random((40, 40))
    best = optimal_matching_dense(scores)
    lowered = best.column_dual.copy()
    lowered[7] -= 0.5  # some entry of column 7 now exceeds u_i + v_j
    verdict = dense_optimality_certificate(scores, best.assignment, best.row_dual, lowered)
    assert not verdict.optimal
    assert verdict.worst_violation > 0.4


def test_the_certificate_rejects_a_mentor_given_twice():
    scores = np.random.default_rng(13).random((10, 10))
    best = optimal_matching_dense(scores)
    twice = best.assignment.mentor_of.copy()
    twice[0] = twice[1]
    verdict = dense_optimality_certificate(
        scores, Assignment(twice), best.row_dual, best.column_dual
    )
    assert not verdict.feasible
    assert not verdict.optimal


def test_more_mentees_than_mentors_leaves_the_surplus_unmatched():
    scores = np.random.default_rng(14).random((30, 12))
    best = optimal_matching_dense(scores)
    assert best.assignment.n_matched == 12
    verdict = dense_optimality_certificate(scores, best.assignment, best.row_dual, best.column_dual)
    assert verdict.optimal
    assert verdict.score == pytest.approx(best_total(scores))


def test_a_score_that_is_not_a_number_is_refused_naming_the_pair():
    scores = np.ones((4, 6))
    scores[2, 5] = np.nan
    with pytest.raises(MatchingInputError, match="mentee 2 with mentor 5"):
        optimal_matching_dense(scores)
    with pytest.raises(MatchingInputError, match="mentee 5 with mentor 2"):
        optimal_matching_dense(scores.T.copy())


def test_a_matrix_without_two_dimensions_is_refused():
    with pytest.raises(MatchingInputError, match="two dimensions"):
        optimal_matching_dense(np.ones(3))


def test_an_empty_side_gives_an_empty_matching():
    best = optimal_matching_dense(np.ones((3, 0)))
    assert best.assignment.mentor_of.tolist() == [-1, -1, -1]
