"""The sparse solve inside optimal_matching_dense: it always returns, and its
integer rounding never costs the optimum (compared with scipy's dense
linear_sum_assignment on the same matrix)."""

import json
import subprocess
import sys

import numpy as np
import pytest
import scipy.optimize
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from medmentor.matching import MatchingInputError, optimal_matching_dense

from .strategies import PROPERTY


def scipy_best(scores):
    """Best total and the pairs of scipy's dense solver (maximising)."""
    rows, cols = scipy.optimize.linear_sum_assignment(scores, maximize=True)
    return float(scores[rows, cols].astype(np.float64).sum()), rows, cols


def pairs_of(mentor_of):
    mentees = np.flatnonzero(mentor_of >= 0)
    return mentees, mentor_of[mentees]


def assert_one_to_one_of_smaller_side(scores, mentor_of):
    n, m = scores.shape
    mentees, mentors = pairs_of(mentor_of)
    assert mentees.size == min(n, m)
    assert np.unique(mentors).size == mentors.size
    assert np.all(mentors < m)


# Found by running the previous version (scipy's min_weight_full_bipartite_matching
# on the top-k graph): its fifth sparse solve, 12,549 entries, never returned
# (stopped after 10 minutes at full CPU; the same graph alone hangs scipy 1.17.1).
HUNG_SCIPY = """
import json, numpy as np
from medmentor.matching import optimal_matching_dense
rng = np.random.default_rng(0)
n = 400
scores = rng.normal(0, 3, n)[None, :] + rng.normal(0, 3, n)[:, None] * rng.random((n, n))
best = optimal_matching_dense(scores, first_k=8)
print(json.dumps({"mentor_of": best.assignment.mentor_of.tolist(),
                  "optimal": best.certificate.optimal, "rounds": best.rounds}))
"""


@pytest.mark.slow  # a new Python process
def test_the_input_that_hung_scipys_sparse_solver_is_solved_optimally():
    # a child process, so a regression fails this test instead of hanging the suite
    done = subprocess.run(
        [sys.executable, "-c", HUNG_SCIPY], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    rng = np.random.default_rng(0)
    n = 400
    scores = rng.normal(0, 3, n)[None, :] + rng.normal(0, 3, n)[:, None] * rng.random((n, n))
    mentor_of = np.array(result["mentor_of"])
    assert_one_to_one_of_smaller_side(scores, mentor_of)
    assert result["optimal"]
    assert result["rounds"] > 1  # it went through the re-solves that used to hang
    best, _, _ = scipy_best(scores)
    assert scores[np.arange(n), mentor_of].sum() == pytest.approx(best, rel=1e-12)


shapes = st.tuples(st.integers(1, 14), st.integers(1, 14))


@PROPERTY
@given(
    scores=shapes.flatmap(
        lambda shape: arrays(
            np.float64, shape, elements=st.sampled_from([-1.5, -0.25, 0.0, 0.25, 0.5, 2.0])
        )
    ),
    first_k=st.integers(1, 5),
)
def test_tied_scores_give_exactly_scipys_best_total(scores, first_k):
    # multiples of 1/4 are exact after rounding to integers, so the total is
    # the same float, not merely close
    best = optimal_matching_dense(scores, first_k=first_k)
    assert_one_to_one_of_smaller_side(scores, best.assignment.mentor_of)
    assert best.certificate.optimal
    assert best.certificate.score == scipy_best(scores)[0]


@PROPERTY
@given(
    scores=shapes.flatmap(
        lambda shape: arrays(
            np.float64,
            shape,
            elements=st.one_of(
                st.floats(-1e6, 1e6, allow_nan=False),
                st.floats(-1e-30, 1e-30, allow_nan=False),  # far below the rounding step
            ),
        )
    ),
    first_k=st.integers(1, 5),
)
def test_scores_that_are_not_multiples_of_the_rounding_step_still_reach_scipys_best(
    scores, first_k
):
    best = optimal_matching_dense(scores, first_k=first_k)
    assert_one_to_one_of_smaller_side(scores, best.assignment.mentor_of)
    assert best.certificate.optimal
    scale = max(1.0, float(np.abs(scores).max()))
    assert best.certificate.score == pytest.approx(
        scipy_best(scores)[0], abs=1e-9 * scale * min(scores.shape)
    )


def test_differences_below_the_rounding_step_stay_within_the_certificates_tolerance():
    # 1e-14 apart on scores near 1,000: the integer problem sees a tie, the
    # certificate over the float matrix still proves the result optimal
    rng = np.random.default_rng(21)
    scores = 1000.0 + rng.integers(0, 2, (60, 60)) * 1e-11 + rng.random((60, 60)) * 1e-14
    best = optimal_matching_dense(scores, first_k=4)
    assert best.certificate.optimal
    assert best.certificate.gap <= best.certificate.bound * 1e-9
    assert best.certificate.score == pytest.approx(scipy_best(scores)[0], abs=1e-9)


@PROPERTY
@given(
    shape=shapes,
    seed=st.integers(0, 2**32 - 1),
    density=st.sampled_from([0.2, 0.5, 0.9]),
    first_k=st.integers(1, 5),
)
def test_forbidden_pairs_scored_far_below_the_rest_are_never_used(shape, seed, density, first_k):
    # the module takes finite scores only (non-finite ones are refused, below);
    # a program forbids a pair by scoring it far below any allowed total, and
    # then the optimum equals scipy's with the pair marked -inf (infeasible)
    n, m = shape
    rng = np.random.default_rng(seed)
    scores = np.round(rng.uniform(-100, 100, shape), 3)
    forbidden = rng.random(shape) < density
    diagonal = np.arange(min(n, m))
    forbidden[diagonal, diagonal] = False  # some assignment avoids every forbidden pair
    penalised = np.where(forbidden, -1e6, scores)
    marked = np.where(forbidden, -np.inf, scores)
    best = optimal_matching_dense(penalised, first_k=first_k)
    mentees, mentors = pairs_of(best.assignment.mentor_of)
    assert not forbidden[mentees, mentors].any()
    assert best.certificate.optimal
    assert best.certificate.score == pytest.approx(scipy_best(marked)[0], abs=1e-6)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("transpose", [False, True])
def test_a_non_finite_score_is_refused_naming_the_pair(bad, transpose):
    scores = np.ones((5, 7))
    scores[3, 6] = bad
    if transpose:
        with pytest.raises(MatchingInputError, match="mentee 6 with mentor 3"):
            optimal_matching_dense(scores.T.copy())
    else:
        with pytest.raises(MatchingInputError, match="mentee 3 with mentor 6"):
            optimal_matching_dense(scores)


@pytest.mark.parametrize("shape", [(1, 1), (1, 9), (9, 1), (40, 40), (25, 60), (60, 25)])
def test_all_equal_scores_give_a_full_matching_with_a_zero_gap(shape):
    scores = np.full(shape, 0.0)
    best = optimal_matching_dense(scores, first_k=2)
    assert_one_to_one_of_smaller_side(scores, best.assignment.mentor_of)
    assert best.certificate.optimal
    assert best.certificate.gap == 0.0


@pytest.mark.parametrize("magnitude", [1e-200, 1e-3, 1e12, 1e100])
def test_scores_of_any_magnitude_reach_scipys_best(magnitude):
    rng = np.random.default_rng(8)
    scores = rng.random((80, 120)) * magnitude
    best = optimal_matching_dense(scores, first_k=3)
    assert best.certificate.optimal
    assert best.certificate.score == pytest.approx(scipy_best(scores)[0], rel=1e-12)


def test_integer_scores_too_large_for_exact_rounding_still_reach_scipys_best():
    # 2^55 does not fit the solver's integer budget, so the step is coarser than 1
    rng = np.random.default_rng(17)
    scores = rng.integers(0, 2**55, (50, 50))
    best = optimal_matching_dense(scores)
    exact, _, _ = scipy_best(scores.astype(np.float64))
    assert best.certificate.optimal
    assert best.certificate.score == pytest.approx(exact, rel=1e-12)
