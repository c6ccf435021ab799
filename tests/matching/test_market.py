"""The sparse market: building from lists and records, hard constraints, bad input."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from medmentor.matching import (
    Criterion,
    HardRules,
    Market,
    MatchingInputError,
    Mentee,
    Mentor,
    Weights,
    build_market,
    optimal_matching,
    pair_contributions,
    score_pairs,
    stable_matching,
)
from medmentor.matching.model import stable_order
from medmentor.matching.scoring import encode_cohort

from .strategies import PROPERTY, popular_lists

SITES = ["north", "south", None]
INTERESTS = ["research", "teaching", "global health", "policy"]


@st.composite
def cohorts(draw):
    n = draw(st.integers(0, 9))
    m = draw(st.integers(1, 6))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)

    def attrs():
        return {
            "site": SITES[rng.integers(3)],
            "service": ["icu", "ward"][rng.integers(2)],
            "interests": set(rng.choice(INTERESTS, rng.integers(0, 3), replace=False).tolist()),
            "gender": ["f", "m", "x"][rng.integers(3)],
        }

    def slots():
        return None if rng.random() < 0.3 else set(rng.choice(list("MTWRF"), 2).tolist())

    mentees = [
        Mentee(
            f"r{i}",
            level=int(rng.integers(1, 4)),
            attributes=attrs(),
            concordance={"gender"} if rng.random() < 0.5 else set(),
            availability=slots(),
            preferences=(
                [f"s{j}" for j in rng.permutation(m)[: rng.integers(1, m + 1)].tolist()]
                if rng.random() < 0.4
                else None
            ),
        )
        for i in range(n)
    ]
    mentors = [
        Mentor(
            f"s{j}",
            level=int(rng.integers(1, 6)),
            capacity=int(rng.integers(0, 3)),
            attributes=attrs(),
            availability=slots(),
        )
        for j in range(m)
    ]
    forbidden = {(f"r{i}", f"s{j}") for i in range(n) for j in range(m) if rng.random() < 0.15}
    rules = HardRules(
        min_level_gap=int(rng.integers(0, 3)) if rng.random() < 0.7 else None,
        reverse=bool(rng.random() < 0.2),
        forbidden=forbidden,
        same=("service",) if rng.random() < 0.5 else (),
        shared_availability=bool(rng.random() < 0.5),
    )
    return mentees, mentors, rules


def _passes(mentee, mentor, rules):
    if mentor.capacity == 0:
        return False
    if rules.min_level_gap is not None:
        gap = mentor.level - mentee.level
        if (-gap if rules.reverse else gap) < rules.min_level_gap:
            return False
    for name in rules.same:
        if mentee.attributes.get(name) != mentor.attributes.get(name):
            return False
    if (
        rules.shared_availability
        and mentee.availability is not None
        and mentor.availability is not None
        and not (mentee.availability & mentor.availability)
    ):
        return False
    if (mentee.id, mentor.id) in rules.forbidden:
        return False
    if mentee.preferences is not None:
        return any(mentor.id in tier for tier in mentee.preferences)
    return True


@PROPERTY
@given(cohorts())
def test_market_holds_exactly_the_pairs_that_pass_every_hard_constraint(cohort):
    mentees, mentors, rules = cohort
    built = build_market(mentees, mentors, rules)
    market = built.market
    got = {(int(i), int(j)) for i, j in zip(market.mentee, market.mentor, strict=True)}
    want = {
        (i, j) for i, a in enumerate(mentees) for j, b in enumerate(mentors) if _passes(a, b, rules)
    }
    assert got == want
    # diagnostics end with the same count of candidates
    assert built.diagnostics.mentee_counts[:, -1].tolist() == np.diff(market.indptr).tolist()


@PROPERTY
@given(cohorts())
def test_no_mode_ever_makes_a_forbidden_pair_or_breaks_a_rule(cohort):
    mentees, mentors, rules = cohort
    market = build_market(mentees, mentors, rules).market
    for assignment in (
        stable_matching(market),
        optimal_matching(market),
        optimal_matching(market, prefer="matched"),
    ):
        for i, j in assignment.pairs():
            assert (mentees[i].id, mentors[j].id) not in rules.forbidden
            assert _passes(mentees[i], mentors[j], rules)
        assert np.all(assignment.load(len(mentors)) <= [b.capacity for b in mentors])


@PROPERTY
@given(cohorts())
def test_vectorised_scores_equal_the_pair_by_pair_explanation(cohort):
    mentees, mentors, _ = cohort
    weights = Weights.default()
    cohort_codes = encode_cohort(mentees, mentors, [c.attribute for c in weights.criteria])
    ii, jj = np.meshgrid(np.arange(len(mentees)), np.arange(len(mentors)), indexing="ij")
    scores = score_pairs(cohort_codes, weights, ii.ravel(), jj.ravel())
    for k, (i, j) in enumerate(zip(ii.ravel(), jj.ravel(), strict=True)):
        parts = pair_contributions(mentees[i], mentors[j], weights)
        assert scores.contributions[k].tolist() == pytest.approx([p.points for p in parts])


def test_concordance_counts_only_for_a_mentee_who_asked_for_it():
    weights = Weights((Criterion("gender", 2.0, concordance=True),))
    mentor = Mentor("s", attributes={"gender": "f"})
    asked = Mentee("a", attributes={"gender": "f"}, concordance={"gender"})
    silent = Mentee("b", attributes={"gender": "f"})
    assert [c.points for c in pair_contributions(asked, mentor, weights)] == [2.0]
    assert [c.points for c in pair_contributions(silent, mentor, weights)] == [0.0]


def test_interests_score_the_share_of_the_mentees_interests_the_mentor_has():
    weights = Weights((Criterion("interests", 2.0),))
    mentee = Mentee("a", attributes={"interests": {"research", "teaching"}})
    mentor = Mentor("s", attributes={"interests": {"research", "policy"}})
    assert pair_contributions(mentee, mentor, weights)[0].points == 1.0


def test_lists_rank_pairs_and_unlisted_people_rank_by_score():
    mentees = [
        Mentee("a", attributes={"site": "n"}, preferences=[("x", "y")]),
        Mentee("b", attributes={"site": "n"}),
    ]
    mentors = [Mentor("x", attributes={"site": "n"}), Mentor("y", attributes={"site": "s"})]
    market = build_market(mentees, mentors, None, Weights((Criterion("site", 1.0),))).market
    rows = {
        (market.mentee_ids[i], market.mentor_ids[j]): int(r)
        for i, j, r in zip(market.mentee, market.mentor, market.mentee_rank, strict=True)
    }
    assert rows == {("a", "x"): 0, ("a", "y"): 0, ("b", "x"): 0, ("b", "y"): 1}


def test_ties_in_lists_share_a_rank():
    market = Market.from_preference_lists([[0, (1, 2)]], [[0], [0], [0]], [1, 1, 1])
    assert market.mentee_rank.tolist() == [0, 1, 1]


def test_negative_capacity_names_the_mentor():
    with pytest.raises(MatchingInputError, match="Mentor 'dr-x': capacity"):
        Mentor("dr-x", capacity=-1)
    with pytest.raises(MatchingInputError, match="Mentor 1: capacity must be at least 0"):
        Market.from_preference_lists([[0]], None, [1, -2])


def test_preference_naming_an_unknown_person_names_both():
    with pytest.raises(
        MatchingInputError, match="Mentee 'a': preference names unknown mentor 'zz'"
    ):
        build_market([Mentee("a", preferences=["zz"])], [Mentor("x")])
    with pytest.raises(MatchingInputError, match="Mentee 0: preference names unknown mentor 7"):
        Market.from_preference_lists([[7]], None, [1])


def test_forbidden_pair_naming_an_unknown_person_is_a_clear_error():
    with pytest.raises(MatchingInputError, match="unknown mentor 'q'"):
        build_market([Mentee("a")], [Mentor("x")], HardRules(forbidden={("a", "q")}))


def test_duplicate_ids_and_twice_listed_people_are_named():
    with pytest.raises(MatchingInputError, match="Mentee 'a' appears twice"):
        build_market([Mentee("a"), Mentee("a")], [Mentor("x")])
    with pytest.raises(MatchingInputError, match="lists mentor 0 twice"):
        Market.from_preference_lists([[0, 0]], None, [1])


def test_pair_naming_an_unknown_index_is_a_clear_error():
    with pytest.raises(MatchingInputError, match="unknown mentor number 3"):
        Market.from_edges(n_mentees=1, n_mentors=1, capacity=[1], mentee=[0], mentor=[3])


@pytest.mark.parametrize("widths", [(13,), (13, 15), (6, 13, 15), (16, 16, 17), (40,), (40, 30)])
@pytest.mark.parametrize("seed", range(5))
def test_stable_order_sorts_like_lexsort_for_narrow_and_wide_keys(seed, widths):
    # narrow keys take radix passes, wider ones the packed sort or lexsort
    rng = np.random.default_rng(seed)
    size = int(rng.integers(0, 3000))
    keys = [rng.integers(0, 2**w, size) for w in widths]
    keys[0][: size // 2] = keys[0][0] if size else 0  # many equal leading keys
    expected = np.lexsort(tuple(reversed(keys)))
    assert np.array_equal(stable_order(*keys), expected)
    if max(widths) < 31:  # the market's own int32 arrays sort the same
        assert np.array_equal(stable_order(*(k.astype(np.int32) for k in keys)), expected)


@pytest.mark.parametrize("one_sided", [0.0, 0.2])
@pytest.mark.parametrize("seed", range(4))
def test_edges_by_mentor_from_the_lists_equal_a_fresh_sort(seed, one_sided):
    market = Market.from_preference_lists(*popular_lists(200, 40, 10, seed, one_sided=one_sided))
    kept = market.edges_by_mentor()
    assert np.array_equal(kept, stable_order(market.mentor, market.mentor_rank))
    assert not kept.flags.writeable


def test_edges_by_mentor_without_mentor_lists_are_all_tied_in_edge_order():
    mentee_prefs, _, capacity = popular_lists(200, 40, 10, seed=5)
    market = Market.from_preference_lists(mentee_prefs, None, capacity)
    assert np.array_equal(market.edges_by_mentor(), np.argsort(market.mentor, kind="stable"))
