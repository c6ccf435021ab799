"""Explanations name the criteria of each pair and the rule that blocked each unmatched person."""

import numpy as np

from medmentor.matching import (
    Criterion,
    HardRules,
    Market,
    Mentee,
    Mentor,
    Weights,
    build_market,
    explain_matching,
    explain_pair,
    explain_unmatched,
    optimal_matching,
    stable_matching,
)

NO_CRITERIA = Weights(())


def _reasons(mentees, mentors, rules, weights=NO_CRITERIA):
    built = build_market(mentees, mentors, rules, weights)
    draft = stable_matching(built.market)
    explained = explain_matching(built, draft, mentees, mentors, weights, rules)
    return {u.person_id: u.reason for u in explained.unmatched}, explained


def test_unmatched_mentee_without_a_senior_enough_mentor_is_told_so():
    reasons, _ = _reasons(
        [Mentee("r3", level=3)], [Mentor("s", level=4)], HardRules(min_level_gap=2)
    )
    assert reasons["r3"] == "no mentor at least 2 training levels above"


def test_reverse_mentoring_wording_points_the_other_way():
    reasons, _ = _reasons(
        [Mentee("consultant", level=2)],
        [Mentor("r1", level=1)],
        HardRules(min_level_gap=3, reverse=True),
    )
    assert reasons["consultant"] == "no mentor at least 3 training levels below"


def test_every_candidate_with_a_conflict_is_named_as_the_reason():
    reasons, _ = _reasons(
        [Mentee("a", level=1)],
        [Mentor("s1", level=3), Mentor("s2", level=3)],
        HardRules(min_level_gap=1, forbidden={("a", "s1"), ("a", "s2")}),
    )
    assert reasons["a"] == "every candidate is excluded by a declared conflict or supervision"


def test_full_mentors_are_the_reason_when_candidates_exist():
    reasons, explained = _reasons(
        [Mentee("a"), Mentee("b")], [Mentor("s", capacity=1)], HardRules()
    )
    unmatched = [u for u in explained.unmatched if u.side == "mentee"]
    assert len(unmatched) == 1
    assert unmatched[0].reason.startswith("every compatible mentor is full (1 candidate)")


def test_service_week_and_availability_rules_are_named():
    reasons, _ = _reasons(
        [Mentee("a", attributes={"service": "icu"})],
        [Mentor("s", attributes={"service": "ward"})],
        HardRules(same=("service",)),
    )
    assert reasons["a"] == "no mentor shares the required service"
    reasons, _ = _reasons(
        [Mentee("a", availability={"mon"})],
        [Mentor("s", availability={"tue"})],
        HardRules(shared_availability=True),
    )
    assert reasons["a"] == "no mentor shares an available time"


def test_mentor_left_without_mentees_gets_a_reason_too():
    reasons, _ = _reasons(
        [Mentee("a", level=5)], [Mentor("s", level=1)], HardRules(min_level_gap=1)
    )
    assert reasons["s"] == "no mentee at least 1 training level below"


def test_pair_explanation_lists_each_criterion_with_its_points_largest_first():
    weights = Weights(
        (Criterion("site", 1.0), Criterion("specialty", 3.0), Criterion("language", 2.0))
    )
    explained = explain_pair(
        Mentee("a", attributes={"site": "N", "specialty": "cardiology", "language": {"es", "en"}}),
        Mentor("s", attributes={"site": "N", "specialty": "cardiology", "language": {"es"}}),
        weights,
        mentee_rank=0,
    )
    assert explained.reasons == [
        "shared specialty: cardiology (+3)",
        "shared site: N (+1)",  # equal points keep the director's order
        "shared language: es (+1)",
    ]
    assert explained.score == 5.0
    assert "a's choice no. 1" in explained.summary


def test_concordance_asked_for_but_not_met_is_said():
    weights = Weights(
        (Criterion("urim", 2.0, label="both URiM (asked by mentee)", concordance=True),)
    )
    explained = explain_pair(
        Mentee("a", attributes={"urim": True}, concordance={"urim"}),
        Mentor("s", attributes={"urim": False}),
        weights,
    )
    assert explained.unmet == ["both URiM (asked by mentee): not met"]


def test_optimal_drafts_say_places_went_to_others_for_the_total():
    market = Market.from_edges(
        n_mentees=2, n_mentors=1, capacity=[1], mentee=[0, 1], mentor=[0, 0], score=[1.0, 2.0]
    )
    [why] = explain_unmatched(market, optimal_matching(market))
    assert why.code == "full" and "highest total compatibility" in why.reason


def test_explanation_is_plain_data_for_the_api():
    _, explained = _reasons([Mentee("a"), Mentee("b", level=9)], [Mentor("s")], HardRules())
    data = explained.as_dict()
    assert data["report"]["matched"] == 1
    assert {"mentee", "mentor", "score", "reasons", "summary"} <= set(data["pairs"][0])
    assert np.isscalar(data["report"]["total_score"])
