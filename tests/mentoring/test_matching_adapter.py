"""The adapter: models -> medmentor.matching -> a MatchingRun with explained pairs."""

import pytest

from medmentor.mentoring.models import MatchingConflict, MatchingProfile, MatchingRunStatus
from medmentor.mentoring.services import (
    MatchingError,
    matching_pair_lock,
    matching_pair_swap,
    matching_run_create,
)
from medmentor.programs.models import Role
from tests.mentoring.matching_cohort import one_to_one_program

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.fixture
def cohort(institution, director):
    return one_to_one_program(institution, staff=[(director, Role.DIRECTOR)])


def pairs_of(run):
    return {(p.mentee.full_name, p.mentor.full_name) for p in run.pairs.select_related()}


def test_a_run_turns_profiles_into_explained_pairs_and_reasons(cohort, director):
    run = matching_run_create(
        program=cohort.program, objective="stable", weights=None, rules=None, by=director
    )

    assert run.status == MatchingRunStatus.DRAFT
    assert pairs_of(run) == {
        ("Ana Mentee", "Mara Mentor"),
        ("Ben Mentee", "Nate Mentor"),
        ("Cy Mentee", "Mara Mentor"),
    }
    ana = run.pairs.get(mentee=cohort.ana)
    reasons = " ".join(ana.explanation["reasons"])
    assert "same gender (asked by mentee): woman" in reasons
    assert "both urim (asked by mentee)" in reasons
    assert "shared language: Spanish" in reasons
    assert ana.score == ana.explanation["score"] > 0
    assert (run.mentees, run.mentors, run.matched, run.unmatched) == (3, 3, 3, 0)
    olu = run.unmatched_people.get(person=cohort.olu)
    assert olu.side == "mentor"
    assert "at least 2 training levels below" in olu.reason
    assert set(run.tradeoff) == {"stable", "optimal"}
    assert run.tradeoff["stable"]["blocking_pairs"] == 0


def test_no_pair_breaks_the_seniority_gap_or_a_declared_conflict(cohort, director):
    MatchingConflict.objects.create(
        program=cohort.program, mentor=cohort.mara, mentee=cohort.ana, reason="evaluates"
    )
    for objective in ("stable", "optimal"):
        run = matching_run_create(
            program=cohort.program,
            objective=objective,
            rules={"min_level_gap": 2},
            by=director,
        )
        pairs = pairs_of(run)
        assert ("Ana Mentee", "Mara Mentor") not in pairs
        assert all(mentor != "Olu Mentor" for _, mentor in pairs)


def test_same_site_rule_leaves_a_mentee_unmatched_with_the_reason(cohort, director):
    MatchingProfile.objects.filter(enrollment__person=cohort.mara).update(capacity=1)

    run = matching_run_create(
        program=cohort.program, objective="optimal", rules={"same_site": True}, by=director
    )

    assert pairs_of(run) == {("Ana Mentee", "Mara Mentor"), ("Ben Mentee", "Nate Mentor")}
    cy = run.unmatched_people.get(person=cohort.cy)
    assert cy.reason == "no mentor shares the required site"


def test_a_locked_pair_survives_the_next_run(cohort, director):
    first = matching_run_create(program=cohort.program, objective="stable", by=director)
    cy_pair = first.pairs.get(mentee=cohort.cy)
    assert cy_pair.mentor == cohort.mara
    matching_pair_lock(pair=cy_pair, locked=True, by=director)
    # Ben now wants Mara above all; without the lock he could take Cy's place
    MatchingProfile.objects.filter(enrollment__person=cohort.mara).update(capacity=1)

    second = matching_run_create(program=cohort.program, objective="optimal", by=director)

    kept = second.pairs.get(mentee=cohort.cy)
    assert (kept.mentor, kept.locked, kept.kept) == (cohort.mara, True, True)
    assert not second.pairs.filter(mentee=cohort.ana, mentor=cohort.mara).exists()


def test_a_swap_that_breaks_a_hard_rule_is_refused_with_the_rule(cohort, director):
    run = matching_run_create(program=cohort.program, objective="stable", by=director)
    MatchingConflict.objects.create(
        program=cohort.program, mentor=cohort.nate, mentee=cohort.ana, reason="supervises"
    )
    ana, ben = run.pairs.get(mentee=cohort.ana), run.pairs.get(mentee=cohort.ben)

    with pytest.raises(MatchingError) as refused:
        matching_pair_swap(run=run, first=ana, second=ben, by=director)

    assert str(refused.value) == (
        "Swap refused: Ana Mentee cannot be paired with Nate Mentor (declared conflict: "
        "the mentor supervises the mentee)."
    )
    assert pairs_of(run) == {
        ("Ana Mentee", "Mara Mentor"),
        ("Ben Mentee", "Nate Mentor"),
        ("Cy Mentee", "Mara Mentor"),
    }


def test_an_allowed_swap_moves_the_mentees_and_rescores(cohort, director):
    run = matching_run_create(program=cohort.program, objective="stable", by=director)
    ana, ben = run.pairs.get(mentee=cohort.ana), run.pairs.get(mentee=cohort.ben)
    before = run.total_score

    matching_pair_swap(run=run, first=ana, second=ben, by=director)

    run.refresh_from_db()
    assert pairs_of(run) == {
        ("Ana Mentee", "Nate Mentor"),
        ("Ben Mentee", "Mara Mentor"),
        ("Cy Mentee", "Mara Mentor"),
    }
    assert run.total_score < before
    assert run.pairs.get(mentee=cohort.ana).explanation["mentor"] == "Nate Mentor"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"capacity": -1},
            "Mara Mentor (mentor): the capacity must be 0 or more mentees, got -1.",
        ),
        (
            {"preferences": ["ana@near-peer.test", "zed@nowhere.test"]},
            "Mara Mentor (mentor): the preference “zed@nowhere.test” names nobody who is a "
            "mentee in this program.",
        ),
    ],
)
def test_bad_profiles_are_refused_naming_the_person_and_nothing_is_written(
    cohort, director, change, message
):
    MatchingProfile.objects.filter(enrollment__person=cohort.mara).update(**change)

    with pytest.raises(MatchingError) as refused:
        matching_run_create(program=cohort.program, objective="stable", by=director)

    assert str(refused.value) == message
    assert not cohort.program.matching_runs.exists()


def test_no_feasible_answer_names_the_rule(cohort, director):
    with pytest.raises(MatchingError) as refused:
        matching_run_create(
            program=cohort.program, objective="stable", rules={"min_level_gap": 5}, by=director
        )

    assert "No feasible answer" in str(refused.value)
    assert "seniority" in str(refused.value)
    assert "at least 5 training levels above" in str(refused.value)


@pytest.mark.parametrize(
    ("weights", "rules", "message"),
    [
        ({"charm": 2}, None, "“charm” is not a matching criterion"),
        ({"site": 11}, None, "The weight of site must be from 0 to 10, got “11”."),
        ({"site": "lots"}, None, "The weight of site must be a number, got “lots”."),
        (None, {"min_level_gap": -1}, "from 0 to 20 training levels, got -1."),
        (None, {"same_site": "yes"}, "The rule same_site must be true or false."),
    ],
)
def test_bad_settings_are_refused_in_words(cohort, director, weights, rules, message):
    with pytest.raises(MatchingError, match=message):
        matching_run_create(
            program=cohort.program, objective="stable", weights=weights, rules=rules, by=director
        )


def test_only_one_to_one_programs_are_matched(program, director):
    with pytest.raises(MatchingError, match="matching is for one-to-one programs"):
        matching_run_create(program=program, objective="stable", by=director)


def test_only_the_programs_staff_may_run_or_change_matching(cohort, director, junior):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        matching_run_create(program=cohort.program, objective="stable", by=cohort.ana)
    run = matching_run_create(program=cohort.program, objective="stable", by=director)
    with pytest.raises(PermissionDenied):
        matching_pair_lock(pair=run.pairs.first(), locked=True, by=cohort.mara)
