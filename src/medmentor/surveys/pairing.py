"""Pairing pre and post responses by their self-generated codes (plain data, no Django).

A code is a list of per-element hashes. Respondents misremember or mistype an element
now and then (published studies pair only 40-96 % of codes exactly), so two codes whose
elements differ in at most `tolerance` places may still be one person:

1. exact: identical codes, each seen once in each wave, pair first. An exact match
   always wins: a code that occurs in the other wave exactly never pairs tolerantly
   with anything, even when the exact match itself is ambiguous;
2. tolerant: among the codes with no exact match, a pre code pairs with the single
   post code within `tolerance` differing elements when that post code, too, has only
   it in reach (and neither is shared by several respondents of its wave);
3. ambiguous: a pre code shared by several respondents, matched exactly by several, or
   with two or more codes in reach in the other wave is not paired, and counted;
4. unmatched: everything else.

Tolerance pays for misremembered elements with chance coincidences: a respondent who
answered one wave only may find a stranger's code one element away. How often depends
on the code design (how evenly each element's answers spread) and on the number of
respondents; :func:`chance_estimate` estimates it from the codes themselves and says
when the code space is too small for the number of respondents.
"""

import math
from collections import Counter
from dataclasses import dataclass, field
from itertools import chain, combinations

import numpy as np

# Above these the report warns: the expected share of false tolerant pairs among the
# reported pairs, and the share of respondents expected to share their whole code with
# another respondent of the same wave by chance.
FALSE_TOLERANT_WARNING = 0.02
SHARED_CODE_WARNING = 0.01


@dataclass(frozen=True)
class ChanceEstimate:
    """How often codes coincide by chance, for this code design and these respondents.

    Attributes
    ----------
    element_agreement : list of float
        Per element, the chance that two different respondents give the same answer
        (sum of squared answer shares, estimated without bias from one wave).
    effective_code_space : float
        1 / the chance that two respondents share the whole code: how many equally
        likely codes the design amounts to.
    chance_in_reach : float
        Chance that two respondents' codes differ in 1..tolerance elements.
    expected_false_tolerant : float
        Expected number of tolerant pairs made by coincidence (two different people).
    expected_shared_share : float
        Expected share of a wave's respondents who share their whole code with another.
    warnings : list of str
    """

    element_agreement: list[float]
    effective_code_space: float
    chance_in_reach: float
    expected_false_tolerant: float
    expected_shared_share: float
    warnings: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """One sentence for the report."""
        if math.isinf(self.effective_code_space):
            design = "this code design (too few answers yet to tell how many codes it allows)"
        else:
            design = (
                f"this code design (about {_round_big(self.effective_code_space)} equally "
                "likely codes, estimated from the answers)"
            )
        return (
            f"For {design}, an estimated {self.expected_false_tolerant:.1f} of the tolerant "
            "pairs may join two different people by chance."
        )


@dataclass(frozen=True)
class CodeMatch:
    pairs: list[tuple[int, int]]  # (pre index, post index)
    exact: int
    tolerant: int
    ambiguous: int
    unmatched_pre: int
    unmatched_post: int
    tolerance: int
    details: list[str] = field(default_factory=list)
    chance: ChanceEstimate | None = None

    @property
    def match_rate(self) -> float:
        total = self.exact + self.tolerant + self.ambiguous + self.unmatched_pre
        return (self.exact + self.tolerant) / total if total else float("nan")


def _distance(first: tuple, second: tuple) -> int:
    return sum(a != b for a, b in zip(first, second, strict=True)) + abs(len(first) - len(second))


def _within_reach(
    codes: list[tuple],
    rest: list[int],
    others: list[tuple],
    rest_others: list[int],
    tolerance: int,
    *,
    numbered: "tuple[np.ndarray, np.ndarray, int] | None" = None,
) -> dict[int, list[int]]:
    """For each code, the other wave's codes differing in at most `tolerance` elements —
    all of them when there are at most one, else any two (enough to call it ambiguous).

    Two codes of k elements that differ in at most t places agree on at least k - t of
    them, so they share a key made of some k - t positions and their values, and any two
    codes sharing such a key are within t of each other. So for every such choice of
    positions both waves' keys are sorted and each code looks up its own key, taking the
    first two codes found: no code is compared with every other (10^10 comparisons for
    100,000 codes a wave), and crowded keys cost no more than empty ones. The keys are
    numbers made from the elements, handled by numpy a whole wave at a time: a Python
    loop over the codes took 1.5 s for 100,000 a wave. `numbered`: both waves' codes as
    element numbers (`_element_rows`) and how many numbers there are, when the caller
    has them already."""
    if numbered is None:
        element_ids: dict = {}
        numbered = (
            _element_rows(codes, element_ids),
            _element_rows(others, element_ids),
            len(element_ids),
        )
    my_rows, their_rows, _ = numbered
    reach: dict[int, list[int]] = {i: [] for i in rest}
    mine_by_length: dict[int, list[int]] = {}
    for i in rest:
        mine_by_length.setdefault(len(codes[i]), []).append(i)
    theirs_by_length: dict[int, list[int]] = {}
    for j in rest_others:
        theirs_by_length.setdefault(len(others[j]), []).append(j)
    for length, mine in mine_by_length.items():
        theirs = theirs_by_length.get(length)
        if not theirs:
            continue
        their_indices = np.array(theirs, dtype=np.int64)
        mine_elements, their_elements, sizes = _per_column(
            my_rows[np.array(mine, dtype=np.int64), :length], their_rows[their_indices, :length]
        )
        candidates = []
        for positions in combinations(range(length), max(length - tolerance, 0)):
            my_keys, their_keys = _keys(
                mine_elements[:, positions],
                their_elements[:, positions],
                [sizes[k] for k in positions],
            )
            order = np.argsort(their_keys, kind="stable")
            sorted_keys = their_keys[order]
            low = np.searchsorted(sorted_keys, my_keys, side="left")
            count = np.searchsorted(sorted_keys, my_keys, side="right") - low
            last = len(order) - 1
            for rank in (0, 1):
                found = their_indices[order[np.minimum(low + rank, last)]]
                candidates.append(np.where(count > rank, found, -1))
        # Distinct codes found per code (the same code may share several keys).
        found = np.sort(np.column_stack(candidates), axis=1)
        new = found >= 0
        new[:, 1:] &= found[:, 1:] != found[:, :-1]
        count = new.sum(axis=1)
        rows = np.arange(len(mine))
        first = np.argmax(new, axis=1)
        new[rows, first] = False
        second = np.argmax(new, axis=1)
        for i, n, one, two in zip(
            mine,
            count.tolist(),
            found[rows, first].tolist(),
            found[rows, second].tolist(),
            strict=True,
        ):
            reach[i] = [] if n == 0 else [one] if n == 1 else [one, two]
    return reach


def _element_rows(codes: list[tuple], element_ids: dict) -> np.ndarray:
    """Codes as rows of element numbers (the same element value, the same number; -1
    past the end of a shorter code), each element numbered once for all that follows.
    The Python work is per distinct element; per element of a code it runs in C."""
    flat = list(chain.from_iterable(codes))
    for element in dict.fromkeys(flat):  # new elements in order of first appearance
        element_ids.setdefault(element, len(element_ids))
    numbers = np.fromiter(map(element_ids.__getitem__, flat), dtype=np.int64, count=len(flat))
    lengths = np.fromiter(map(len, codes), dtype=np.int64, count=len(codes))
    width = int(lengths.max()) if len(codes) else 0
    if len(numbers) == width * len(codes):
        return numbers.reshape(len(codes), width)
    rows = np.full((len(codes), width), -1, dtype=np.int64)
    rows[np.arange(width) < lengths[:, None]] = numbers
    return rows


def _per_column(mine: np.ndarray, theirs: np.ndarray) -> tuple[np.ndarray, np.ndarray, list]:
    """Both waves' element numbers renumbered 0..n-1 within each column, with each
    column's n: a row then fits one mixed-radix integer even when some column has
    thousands of distinct answers (one number per element of the whole code would not)."""
    both = np.vstack([mine, theirs])
    dense = np.empty_like(both)
    sizes = []
    for column in range(both.shape[1]):
        values, dense[:, column] = np.unique(both[:, column], return_inverse=True)
        sizes.append(len(values))
    return dense[: len(mine)], dense[len(mine) :], sizes


def _keys(mine: np.ndarray, theirs: np.ndarray, sizes: list) -> tuple[np.ndarray, np.ndarray]:
    """One integer per row, equal exactly when the rows are equal; `sizes`: how many
    values each column holds (its numbers run 0..size-1)."""
    width = mine.shape[1]
    if width == 0:
        return np.zeros(len(mine), dtype=np.int64), np.zeros(len(theirs), dtype=np.int64)
    if math.prod(sizes) < 2**62:
        weights = np.array([math.prod(sizes[:k]) for k in range(width)], dtype=np.int64)
        return mine @ weights, theirs @ weights
    # Too many distinct elements to make one number of the row: number the rows instead.
    _, keys = np.unique(np.vstack([mine, theirs]), axis=0, return_inverse=True)
    keys = keys.reshape(-1)
    return keys[: len(mine)], keys[len(mine) :]


def codes_pair(pre: list[list[str]], post: list[list[str]], *, tolerance: int = 1) -> CodeMatch:
    """Pair pre and post codes; see the module text for the rules.

    >>> m = codes_pair([["a", "b", "c", "d"], ["e", "f", "g", "h"]],
    ...                [["e", "f", "g", "x"], ["a", "b", "c", "d"]])
    >>> m.pairs, m.exact, m.tolerant
    ([(0, 1), (1, 0)], 1, 1)

    An exact match always wins, and a code matched exactly twice is ambiguous:

    >>> x, y = ["a", "b", "c", "d"], ["a", "b", "c", "z"]
    >>> m = codes_pair([x, x, y], [x])
    >>> m.pairs, m.ambiguous, m.unmatched_pre
    ([], 2, 1)
    """
    if not 0 <= tolerance <= 2:
        raise ValueError("tolerance must be 0, 1 or 2 differing elements.")
    pre_codes = [tuple(code) for code in pre]
    post_codes = [tuple(code) for code in post]
    pre_count, post_count = Counter(pre_codes), Counter(post_codes)
    # Every element numbered once, for the tolerant pairing and the chance estimate.
    element_ids: dict = {}
    numbered = (
        _element_rows(pre_codes, element_ids),
        _element_rows(post_codes, element_ids),
        len(element_ids),
    )
    pairs: list[tuple[int, int]] = []
    post_index = {code: i for i, code in enumerate(post_codes) if post_count[code] == 1}
    used_pre: set[int] = set()
    used_post: set[int] = set()
    for i, code in enumerate(pre_codes):
        if not code:
            continue
        if pre_count[code] == 1 and code in post_index:
            pairs.append((i, post_index[code]))
            used_pre.add(i)
            used_post.add(post_index[code])
    exact = len(pairs)
    # Shared by several respondents of the wave, or matched exactly but not one to one:
    # ambiguous, and never paired tolerantly (an exact match always wins).
    ambiguous_pre = {
        i
        for i, code in enumerate(pre_codes)
        if code and i not in used_pre and (pre_count[code] > 1 or code in post_count)
    }
    ambiguous = len(ambiguous_pre)
    used_pre |= ambiguous_pre
    used_post |= {j for j, code in enumerate(post_codes) if code and code in pre_count}
    tolerant = 0
    pool = (0, 0)
    if tolerance:
        # Codes shared within a wave stay in the pool so that a code near them sees two
        # codes in reach (ambiguous), but they never pair themselves.
        shared_pre = {i for i, code in enumerate(pre_codes) if code and pre_count[code] > 1}
        shared_post = {j for j, code in enumerate(post_codes) if code and post_count[code] > 1}
        rest_pre = [
            i
            for i, code in enumerate(pre_codes)
            if code and (i not in used_pre or (i in shared_pre and code not in post_count))
        ]
        rest_post = [
            j
            for j, code in enumerate(post_codes)
            if code and (j not in used_post or j in shared_post) and code not in pre_count
        ]
        pool = (len(rest_pre), len(rest_post))
        reach_pre = _within_reach(
            pre_codes, rest_pre, post_codes, rest_post, tolerance, numbered=numbered
        )
        reach_post = _within_reach(
            post_codes,
            rest_post,
            pre_codes,
            rest_pre,
            tolerance,
            numbered=(numbered[1], numbered[0], numbered[2]),
        )
        for i, reached in reach_pre.items():
            if i in shared_pre:
                continue
            if (
                len(reached) == 1
                and reached[0] not in shared_post
                and len(reach_post[reached[0]]) == 1
            ):
                pairs.append((i, reached[0]))
                used_pre.add(i)
                used_post.add(reached[0])
                tolerant += 1
            elif reached:
                ambiguous += 1
                used_pre.add(i)
    unmatched_pre = len(pre_codes) - len(used_pre)
    unmatched_post = len(post_codes) - len({j for _, j in pairs})
    match = CodeMatch(
        pairs=sorted(pairs),
        exact=exact,
        tolerant=tolerant,
        ambiguous=ambiguous,
        unmatched_pre=unmatched_pre,
        unmatched_post=unmatched_post,
        tolerance=tolerance,
    )
    chance = chance_estimate(pre_codes, post_codes, match=match, pool=pool, numbered=numbered)
    return CodeMatch(**{**match.__dict__, "chance": chance, "details": list(chance.warnings)})


def _agreement_per_element(rows: np.ndarray, base: int) -> list[float]:
    """Per element, sum over answers of n(n-1) / (N(N-1)): the chance that two different
    respondents of one wave gave the same answer (unbiased for the population's sum of
    squared shares). `rows`: the wave's codes as element numbers (`_element_rows`)."""
    result = []
    for position in range(rows.shape[1]):
        values = _answer_counts(rows[:, position], base)
        total = int(values.sum())
        if total < 2:
            result.append(1.0)
            continue
        result.append(int((values * (values - 1)).sum()) / (total * (total - 1)))
    return result


def _answer_counts(column: np.ndarray, base: int) -> np.ndarray:
    """How many codes gave each element number in this position (codes too short for
    it left out)."""
    return np.bincount(column[column >= 0], minlength=base)


def chance_estimate(
    pre: list[tuple],
    post: list[tuple],
    *,
    match: CodeMatch,
    pool: tuple[int, int] | None = None,
    numbered: "tuple[np.ndarray, np.ndarray, int] | None" = None,
) -> ChanceEstimate:
    """Expected false tolerant pairs and shared codes for these codes' design.

    Each element's spread is estimated from the larger wave (each respondent once):
    s_k, the chance two respondents agree on element k. Two strangers share the whole
    code with chance prod(s_k) and differ in exactly d elements with the chance from
    the product of s_k and (1 - s_k) over the positions. A pre code that found no exact
    partner has, on average, lambda = (post codes left) x P(1..t differences) strangers
    in reach; it pairs with one of them by chance when exactly one is in reach and that
    one has no other in reach: about lambda e^-lambda e^-mu, mu the same for the post
    code. The pre codes left without a true partner are those left minus the true
    tolerant pairs; the simulation in the tests holds the estimate against the false
    pairs actually made. `numbered`: `pre` and `post` as element numbers, when the
    caller has them (`_element_rows`).
    """
    if numbered is None:
        element_ids: dict = {}
        numbered = (
            _element_rows(pre, element_ids),
            _element_rows(post, element_ids),
            len(element_ids),
        )
    pre_rows = numbered[0][np.fromiter((bool(code) for code in pre), bool, len(pre))]
    post_rows = numbered[1][np.fromiter((bool(code) for code in post), bool, len(post))]
    base = numbered[2]
    pre_codes = [code for code in pre if code]
    post_codes = [code for code in post if code]
    basis = pre_rows if len(pre_codes) >= len(post_codes) else post_rows
    agreement = _agreement_per_element(basis, base) if len(basis) else []
    same = math.prod(agreement) if agreement else 1.0
    in_reach = _chance_of_differences(agreement, match.tolerance)
    left_pre, left_post = (
        pool if pool is not None else (len(pre_codes) - match.exact, len(post_codes) - match.exact)
    )
    # Strangers in reach of a pre code: the post codes left that have no true partner
    # (one with a partner in reach would see two codes: ambiguous, not a false pair).
    lam = max(left_post - match.tolerant, 0) * in_reach
    mu = left_pre * in_reach
    expected_false = 0.0
    if match.tolerance and match.tolerant and left_pre:
        # Per code, its own density of strangers in reach: a code of common answers has
        # many neighbours (ambiguous), a code of rare ones few; the false pairs come from
        # the codes in between, so one average density would misjudge them.
        reach = _reach_per_code(pre_rows, basis, base, match.tolerance)
        lam = max(left_post - match.tolerant, 0) * reach
        mu = left_pre * reach
        q = lam * np.exp(-lam - mu)
        # The pool's pre codes without a true partner: all but the true tolerant pairs.
        without_partner = max(left_pre - match.tolerant, 0) / left_pre
        expected_false = min(float(q.mean()) * left_pre * without_partner, float(match.tolerant))
    n = max(len(pre_codes), len(post_codes))
    shared = 1 - math.exp(-(n - 1) * same) if n > 1 else 0.0
    space = 1 / same if same > 0 else float("inf")
    warnings = []
    reported = match.exact + match.tolerant
    if match.tolerant and reported and expected_false / reported > FALSE_TOLERANT_WARNING:
        warnings.append(
            f"About {expected_false:.1f} of the {match.tolerant} tolerant pairs "
            f"({100 * expected_false / reported:.0f}% of all {reported} pairs) may join two "
            "different people by chance with this code design; report the exact pairs "
            "alone beside them, or add an element to the code."
        )
    if shared > SHARED_CODE_WARNING:
        warnings.append(
            f"The code space is too small for {n} respondents: the code amounts to about "
            f"{_round_big(space)} equally likely codes, so about {100 * shared:.0f}% of "
            "respondents are expected to share their whole code with someone else and be "
            "left unpaired as ambiguous. Add elements (or answers with more even spread) "
            "to the code before the next wave."
        )
    return ChanceEstimate(
        element_agreement=agreement,
        effective_code_space=space,
        chance_in_reach=in_reach,
        expected_false_tolerant=expected_false,
        expected_shared_share=shared,
        warnings=warnings,
    )


def _reach_per_code(rows: np.ndarray, basis: np.ndarray, base: int, tolerance: int) -> np.ndarray:
    """For each code, the chance that a stranger's code differs from it in 1..tolerance
    elements, from each element's answer shares in `basis` (both as element numbers)."""
    shares = []
    for position in range(rows.shape[1]):
        values = _answer_counts(basis[:, position], base) if position < basis.shape[1] else None
        total = int(values.sum()) if values is not None else 0
        column = rows[:, position]
        counts = np.where(column >= 0, values[column] if values is not None else 0, 0)
        shares.append(counts / (total or 1))
    if not shares:
        return np.zeros(0)
    # Distribution of the number of differing elements, per code, element by element.
    distribution = [np.ones_like(shares[0])]
    for same in shares:
        following = [np.zeros_like(same) for _ in range(len(distribution) + 1)]
        for d, p in enumerate(distribution):
            following[d] += p * same
            following[d + 1] += p * (1 - same)
        distribution = following
    return sum(distribution[1 : tolerance + 1])


def _chance_of_differences(agreement: list[float], tolerance: int) -> float:
    """Chance that two strangers' codes differ in 1..tolerance elements."""
    # Distribution of the number of differing elements, built element by element.
    distribution = [1.0]
    for s in agreement:
        following = [0.0] * (len(distribution) + 1)
        for d, p in enumerate(distribution):
            following[d] += p * s
            following[d + 1] += p * (1 - s)
        distribution = following
    return float(sum(distribution[1 : tolerance + 1]))


def _round_big(value: float) -> str:
    if math.isinf(value):
        return "unlimited"
    if value >= 1000:
        return f"{value:,.0f}"
    return f"{value:.0f}"
