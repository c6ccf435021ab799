"""Pairing pre and post answers by self-generated codes that may differ in an element."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medmentor.surveys.models import CODE_ELEMENTS
from medmentor.surveys.pairing import codes_pair
from medmentor.surveys.services import code_hashes, code_normalize


def test_identical_codes_pair_exactly():
    match = codes_pair([["a", "b", "c", "d"]], [["a", "b", "c", "d"]])
    assert (match.pairs, match.exact, match.tolerant, match.unmatched_pre) == ([(0, 0)], 1, 0, 0)


def test_one_differing_element_pairs_tolerantly_and_is_counted_apart():
    match = codes_pair([["a", "b", "c", "d"]], [["a", "b", "x", "d"]], tolerance=1)
    assert (match.pairs, match.exact, match.tolerant) == ([(0, 0)], 0, 1)


def test_two_differing_elements_need_tolerance_two():
    pre, post = [["a", "b", "c", "d"]], [["a", "y", "x", "d"]]
    assert codes_pair(pre, post, tolerance=1).unmatched_pre == 1
    assert codes_pair(pre, post, tolerance=2).tolerant == 1


def test_a_code_within_reach_of_two_others_is_ambiguous_not_guessed():
    match = codes_pair([["a", "b", "c", "d"]], [["a", "b", "c", "x"], ["a", "b", "c", "y"]])
    assert (match.pairs, match.ambiguous, match.unmatched_post) == ([], 1, 2)


def test_the_same_exact_code_twice_in_a_wave_is_ambiguous():
    match = codes_pair([["a"] * 4, ["a"] * 4], [["a"] * 4])
    assert (match.pairs, match.ambiguous) == ([], 2)


def test_match_rate_counts_exact_and_tolerant_pairs_over_pre_codes():
    match = codes_pair(
        [["a", "b", "c", "d"], ["e", "f", "g", "h"], ["q", "q", "q", "q"]],
        [["a", "b", "c", "d"], ["e", "f", "g", "z"]],
    )
    assert match.match_rate == pytest.approx(2 / 3)


def test_code_elements_are_compared_after_normalising_case_spaces_and_zeros(survey):
    first = code_hashes(instrument=survey, elements=["M", "07", "1", "k "])
    second = code_hashes(instrument=survey, elements=["m", "7", "1", "K"])
    assert first == second
    assert code_normalize(" Élise ") == "elise"
    assert len(first) == len(CODE_ELEMENTS) and all(len(h) == 16 for h in first)


def test_hashes_of_one_answer_differ_between_elements_and_instruments(survey, program):
    from tests.surveys.conftest import make_survey

    other = make_survey(program)
    same = ["1", "1", "1", "1"]
    hashes = code_hashes(instrument=survey, elements=same)
    assert len(set(hashes)) == 4
    assert set(hashes).isdisjoint(code_hashes(instrument=other, elements=same))


def test_the_index_of_codes_finds_the_codes_in_reach_that_comparing_all_pairs_finds():
    import random

    from medmentor.surveys.pairing import _distance

    rng = random.Random(4)
    # Three letters: most codes have several others in reach, some one, some none.
    pre = [tuple(rng.choice("abc") for _ in range(4)) for _ in range(60)]
    post = [tuple(rng.choice("abc") for _ in range(4)) for _ in range(60)]
    for tolerance in (1, 2):
        found_pre, found_post = _codes_in_reach(pre, post, tolerance)
        for i in range(60):
            brute = [j for j in range(60) if _distance(pre[i], post[j]) <= tolerance]
            _assert_reach_as_brute_force(found_pre[i], brute)
        for j in range(60):
            brute = [i for i in range(60) if _distance(pre[i], post[j]) <= tolerance]
            _assert_reach_as_brute_force(found_post[j], brute)


def _codes_in_reach(pre, post, tolerance):
    """`_in_reach` for lists of codes: per code, the other wave's codes found."""
    from medmentor.surveys.pairing import _in_reach, _numbered

    pre_rows, post_rows, _ = _numbered(pre, post)
    found_pre, found_post = _in_reach(pre_rows, post_rows, tolerance)
    return (
        [[j for j in row if j >= 0] for row in found_pre.tolist()],
        [[i for i in row if i >= 0] for row in found_post.tolist()],
    )


def _assert_reach_as_brute_force(found, brute):
    if len(brute) <= 1:
        assert found == brute
    else:  # two of them are enough to call the code ambiguous
        assert len(found) == 2 and set(found) <= set(brute)


@settings(max_examples=150, deadline=None)
@given(
    pre=st.lists(st.lists(st.sampled_from("abcd"), min_size=1, max_size=5), max_size=25),
    post=st.lists(st.lists(st.sampled_from("abcd"), min_size=1, max_size=5), max_size=25),
    tolerance=st.integers(min_value=1, max_value=2),
)
def test_codes_of_any_length_find_the_same_codes_in_reach_as_comparing_all_pairs(
    pre, post, tolerance
):
    from medmentor.surveys.pairing import _distance

    pre, post = [tuple(code) for code in pre], [tuple(code) for code in post]
    found_pre, found_post = _codes_in_reach(pre, post, tolerance)

    def near(code, other):
        return len(other) == len(code) and _distance(code, other) <= tolerance

    for i, code in enumerate(pre):
        brute = [j for j, other in enumerate(post) if near(code, other)]
        _assert_reach_as_brute_force(found_pre[i], brute)
    for j, code in enumerate(post):
        brute = [i for i, other in enumerate(pre) if near(other, code)]
        _assert_reach_as_brute_force(found_post[j], brute)


def test_keys_of_rows_with_too_many_elements_for_one_number_are_equal_only_for_equal_rows():
    import numpy as np

    from medmentor.surveys.pairing import _keys

    mine = np.array([[1, 2, 3], [4, 5, 6], [1, 2, 3]])
    theirs = np.array([[4, 5, 6], [1, 2, 4], [1, 2, 3]])
    # Columns this large cannot make one 64-bit number of three elements: rows are numbered.
    my_keys, their_keys = _keys(mine, theirs, [2**40] * 3)
    assert my_keys[0] == my_keys[2] == their_keys[2]
    assert my_keys[1] == their_keys[0]
    assert len({*my_keys.tolist(), *their_keys.tolist()}) == 3


def test_keys_numbered_per_column_fit_one_number_when_one_column_has_many_values():
    import numpy as np

    from medmentor.surveys.pairing import _keys, _per_column

    # 30,000 distinct first elements among few others, as post-only codes make them.
    mine = np.array([[n * 7, 1, 2] for n in range(30_000)])
    theirs = np.array([[0, 1, 2], [7, 1, 3]])
    dense_mine, dense_theirs, sizes = _per_column(mine, theirs)
    assert sizes == [30_000, 1, 2]
    my_keys, their_keys = _keys(dense_mine, dense_theirs, sizes)
    assert my_keys[0] == their_keys[0] and my_keys[1] != their_keys[1]
    assert len(set(my_keys.tolist())) == 30_000


X, Y = ("a", "b", "c", "d"), ("a", "b", "c", "z")  # Y one element from X


def test_a_code_matched_exactly_twice_is_ambiguous_and_never_paired_tolerantly_with_a_third():
    # Issue 13: pre X, X, Y and post X paired (Y, X), a false pair.
    match = codes_pair([X, X, Y], [X])
    assert match.pairs == []
    assert (match.exact, match.tolerant, match.ambiguous) == (0, 0, 2)
    assert (match.unmatched_pre, match.unmatched_post) == (1, 1)


def test_an_exact_match_always_wins_over_a_tolerant_one():
    match = codes_pair([Y, X], [X])
    assert match.pairs == [(1, 0)] and (match.exact, match.tolerant) == (1, 0)
    # The same exact code twice in the post wave: ambiguous, and Y does not take it.
    match = codes_pair([X, Y], [X, X])
    assert match.pairs == [] and match.ambiguous == 1 and match.unmatched_pre == 1


def _simulated_waves(rng, n, mistyped=0.1, one_wave=0.4):
    """Realistic self-generated codes: skewed initials (Zipf-like), day of birth,
    older siblings (most have 0-2); 40% answer one wave only; 10% of those answering
    both mistype one element."""
    import numpy as np

    letters = list("abcdefghijklmnopqrstuvwxyz")
    weights = 1 / np.arange(1, 27) ** 0.9
    weights /= weights.sum()
    siblings = [0.38, 0.34, 0.16, 0.07, 0.05]

    def element(position):
        if position in (0, 3):
            return str(rng.choice(letters, p=weights))
        if position == 1:
            return str(rng.integers(1, 32))
        return str(rng.choice(5, p=siblings))

    pre, post, pre_person, post_person = [], [], [], []
    for person in range(n):
        code = tuple(element(p) for p in range(4))
        roll = rng.random()
        answers_pre = roll >= one_wave / 2
        answers_post = roll < one_wave / 2 or roll >= one_wave
        if answers_pre:
            pre.append(code)
            pre_person.append(person)
        if answers_post:
            typed = list(code)
            if answers_pre and rng.random() < mistyped:
                position = int(rng.integers(4))
                typed[position] = element(position)
            post.append(tuple(typed))
            post_person.append(person)
    return pre, post, pre_person, post_person


def test_simulated_false_tolerant_pairs_are_close_to_the_reports_estimate():
    import numpy as np

    rng = np.random.default_rng(13)
    observed = estimated = 0.0
    for _ in range(30):
        pre, post, pre_person, post_person = _simulated_waves(rng, 300)
        match = codes_pair(pre, post, tolerance=1)
        observed += sum(
            pre_person[i] != post_person[j] and pre[i] != post[j] for i, j in match.pairs
        )
        estimated += match.chance.expected_false_tolerant
        # An exact pair is never a different code.
        assert match.exact == sum(pre[i] == post[j] for i, j in match.pairs)
    assert observed > 0
    assert 0.6 < estimated / observed < 1.6, (estimated, observed)


def test_the_report_warns_when_tolerant_pairs_may_be_false_for_this_code_design():
    import numpy as np

    rng = np.random.default_rng(5)
    pre, post, _, _ = _simulated_waves(rng, 300)
    match = codes_pair(pre, post, tolerance=1)
    assert match.chance.expected_false_tolerant > 0
    assert "may join two different people by chance" in match.chance.summary
    assert any("tolerant pairs" in warning for warning in match.details)


def test_the_report_warns_when_the_code_space_is_too_small_for_the_respondents():
    import numpy as np

    rng = np.random.default_rng(6)
    pre, post, _, _ = _simulated_waves(rng, 3000)
    match = codes_pair(pre, post, tolerance=1)
    assert any("code space is too small for" in warning for warning in match.details)
    # A design fit for the size: eight evenly spread elements.
    wide = [tuple(str(v) for v in rng.integers(0, 26, size=8)) for _ in range(3000)]
    match = codes_pair(wide, wide[:2000], tolerance=1)
    assert not any("code space is too small" in warning for warning in match.details)
    assert match.chance.effective_code_space > 10**10


def test_empty_codes_are_never_paired_and_are_left_unmatched():
    match = codes_pair([[], X, []], [[], X])
    assert match.pairs == [(1, 1)]
    assert (match.exact, match.tolerant, match.ambiguous) == (1, 0, 0)
    assert (match.unmatched_pre, match.unmatched_post) == (2, 1)


def test_empty_waves_pair_nothing():
    match = codes_pair([], [X])
    assert match.pairs == [] and (match.unmatched_pre, match.unmatched_post) == (0, 1)
    assert match.chance.expected_false_tolerant == 0


def test_codes_of_different_lengths_never_pair_tolerantly():
    match = codes_pair([["a", "b", "c"]], [["a", "b", "c", "d"]], tolerance=2)
    assert match.pairs == [] and (match.unmatched_pre, match.unmatched_post) == (1, 1)


def test_codes_shared_within_each_wave_never_pair_even_one_element_apart():
    match = codes_pair([X, X], [Y, Y])
    assert match.pairs == [] and (match.ambiguous, match.unmatched_post) == (2, 2)


def _pairing_by_the_rules(pre, post, tolerance):
    """The module's rules, comparing every pre code with every post code."""
    from collections import Counter

    from medmentor.surveys.pairing import _distance

    pre, post = [tuple(code) for code in pre], [tuple(code) for code in post]
    in_pre, in_post = Counter(pre), Counter(post)
    pairs, ambiguous = [], 0
    for i, code in enumerate(pre):
        if code and in_pre[code] == 1 and in_post[code] == 1:
            pairs.append((i, post.index(code)))
        elif code and (in_pre[code] > 1 or code in in_post):
            ambiguous += 1
    exact = len(pairs)
    # Only codes without an exact match in the other wave pair tolerantly.
    pool_pre = [i for i, code in enumerate(pre) if code and code not in in_post]
    pool_post = [j for j, code in enumerate(post) if code and code not in in_pre]

    def near(first, second):
        return len(first) == len(second) and _distance(first, second) <= tolerance

    for i in pool_pre if tolerance else []:
        if in_pre[pre[i]] > 1:
            continue  # shared in its wave: already counted ambiguous
        reached = [j for j in pool_post if near(pre[i], post[j])]
        if (
            len(reached) == 1
            and in_post[post[reached[0]]] == 1
            and [k for k in pool_pre if near(pre[k], post[reached[0]])] == [i]
        ):
            pairs.append((i, reached[0]))
        elif reached:
            ambiguous += 1
    tolerant = len(pairs) - exact
    unmatched_pre = len(pre) - len(pairs) - ambiguous
    return sorted(pairs), exact, tolerant, ambiguous, unmatched_pre, len(post) - len(pairs)


@settings(max_examples=300, deadline=None)
@given(
    pre=st.lists(st.lists(st.sampled_from("ab"), max_size=3), max_size=14),
    post=st.lists(st.lists(st.sampled_from("ab"), max_size=3), max_size=14),
    tolerance=st.integers(min_value=0, max_value=2),
)
def test_the_pairing_follows_its_rules_as_comparing_all_pairs_of_codes_does(pre, post, tolerance):
    # Two letters, up to three of them: codes shared within and across waves, empty
    # codes and codes of unequal length are all common.
    match = codes_pair(pre, post, tolerance=tolerance)
    found = (
        match.pairs,
        match.exact,
        match.tolerant,
        match.ambiguous,
        match.unmatched_pre,
        match.unmatched_post,
    )
    assert found == _pairing_by_the_rules(pre, post, tolerance)
