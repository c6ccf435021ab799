"""Group formation: sizes, together, apart, locks, similar and diverse, deterministic."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from medmentor.matching import (
    GroupSpec,
    MatchingInputError,
    check_grouping,
    explain_grouping,
    form_groups,
    group_similarity,
)
from medmentor.matching.groups import Grouping

from .strategies import PROPERTY


def _people(n, seed):
    rng = np.random.default_rng(seed)
    return list(range(n)), {
        "stage": rng.choice(["PGY1", "PGY2", "PGY3"], n).tolist(),
        "institution": rng.choice(list("ABCDEFG"), n).tolist(),
        "specialty": rng.choice(["im", "surg", "peds", "psych"], n).tolist(),
    }


@st.composite
def group_problems(draw):
    n = draw(st.integers(4, 60))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    low = draw(st.integers(2, 5))
    high = draw(st.integers(max(low, 3), 9))
    ids, cols = _people(n, seed)
    shuffled = rng.permutation(n).tolist()
    together = (frozenset(shuffled[:2]),) if draw(st.booleans()) else ()
    apart = ((shuffled[2], shuffled[3]),) if n >= 8 * 1 and draw(st.booleans()) else ()
    locked = {shuffled[4]: "old-1", shuffled[5]: "old-1"} if n >= 12 and draw(st.booleans()) else {}
    spec = GroupSpec(
        min_size=low,
        max_size=high,
        similar=("stage",),
        diverse=("institution",),
        together=together,
        apart=apart,
        locked=locked,
    )
    return ids, cols, spec, seed


@PROPERTY
@given(group_problems())
def test_every_grouping_meets_sizes_together_apart_and_locks(problem):
    ids, cols, spec, seed = problem
    if len(ids) < spec.min_size * 1:
        return
    try:
        grouping = form_groups(ids, cols, spec, seed=seed)
    except MatchingInputError:
        # only when no answer exists for these sizes
        n = len(ids)
        assert not any(g * spec.min_size <= n <= g * spec.max_size for g in range(1, n + 1)) or (
            spec.locked
        )
        return
    report = check_grouping(grouping, cols, spec)
    assert report.valid, report.problems
    assert sorted(grouping.group_of.tolist()) == sorted(grouping.group_of.tolist())
    assert grouping.group_of.size == len(ids)


def test_same_seed_same_groups_and_another_seed_may_differ():
    ids, cols = _people(200, 1)
    spec = GroupSpec(similar=("stage",), diverse=("institution",))
    a = form_groups(ids, cols, spec, seed=9).group_of
    assert np.array_equal(a, form_groups(ids, cols, spec, seed=9).group_of)
    assert not np.array_equal(a, form_groups(ids, cols, spec, seed=10).group_of)


def _sort_and_chunk(ids, cols, similar, size=8):
    order = np.lexsort([np.unique(cols[a], return_inverse=True)[1] for a in reversed(similar)])
    group_of = np.empty(len(ids), dtype=np.int32)
    group_of[order] = np.arange(len(ids)) // size
    count = int(group_of.max()) + 1
    return Grouping(group_of, count, [None] * count, ids)


def test_as_similar_as_sorting_and_chunking_and_diverse_where_that_is_not():
    ids, cols = _people(2000, 5)
    spec = GroupSpec(similar=("stage",), diverse=("institution",))
    ours = form_groups(ids, cols, spec, seed=1)
    report = check_grouping(ours, cols, spec)
    stage = np.unique(cols["stage"], return_inverse=True)[1]
    baseline = _sort_and_chunk(ids, cols, ["stage", "institution"])
    assert report.similarity >= group_similarity(baseline, [stage])
    assert report.min_distinct["institution"] >= 3
    assert check_grouping(baseline, cols, spec).min_distinct["institution"] < 3


def test_too_few_people_or_too_large_together_set_is_a_clear_error():
    ids, cols = _people(3, 0)
    with pytest.raises(MatchingInputError, match="3 people cannot form a group of at least 4"):
        form_groups(ids, cols, GroupSpec())
    ids, cols = _people(40, 0)
    with pytest.raises(MatchingInputError, match="must be in one group, above the maximum of 8"):
        form_groups(ids, cols, GroupSpec(together=(frozenset(range(9)),)))


def test_together_and_apart_on_the_same_people_is_named():
    ids, cols = _people(20, 0)
    with pytest.raises(MatchingInputError, match="3 and 4 must be apart but are also required"):
        form_groups(ids, cols, GroupSpec(together=(frozenset({3, 4}),), apart=((3, 4),)))


def test_unknown_person_or_attribute_is_named():
    ids, cols = _people(20, 0)
    with pytest.raises(MatchingInputError, match="unknown person 99"):
        form_groups(ids, cols, GroupSpec(apart=((1, 99),)))
    with pytest.raises(MatchingInputError, match="Attribute 'city' is missing"):
        form_groups(ids, cols, GroupSpec(similar=("city",)))


def test_locked_members_keep_their_group_label_and_the_group_is_filled():
    ids, cols = _people(60, 2)
    spec = GroupSpec(locked={0: "thursday", 1: "thursday"}, similar=("stage",))
    grouping = form_groups(ids, cols, spec, seed=0)
    g = grouping.group_of[0]
    assert grouping.group_of[1] == g and grouping.labels[g] == "thursday"
    assert 4 <= grouping.sizes()[g] <= 8


def test_group_explanations_say_what_members_share_and_how_varied_they_are():
    ids = list("abcd")
    cols = {"stage": ["PGY2"] * 4, "institution": list("ABCA")}
    spec = GroupSpec(similar=("stage",), diverse=("institution",))
    [words] = explain_grouping(form_groups(ids, cols, spec), cols, spec)
    assert words.summary == "Group 0 (4 people): all stage PGY2; 3 different institution (A, B, C)."
