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


def _in_reach(
    mine: np.ndarray, theirs: np.ndarray, tolerance: int
) -> tuple[np.ndarray, np.ndarray]:
    """For each code of either wave, the other wave's codes of its length differing in
    at most `tolerance` elements — all of them when there are at most one, else any two
    (enough to call it ambiguous). `mine`, `theirs`: codes as element numbers
    (`_numbered`); returns, for `mine` and for `theirs`, one row per code of two indices
    into the other array, -1 where fewer codes are in reach.

    Two codes of k elements that differ in at most t places agree on at least k - t of
    them, so they share a key made of some k - t positions and their values, and any two
    codes sharing such a key are within t of each other. So for every such choice of
    positions both waves' keys are sorted together, and each code takes two of the other
    wave's codes with its key (or the one, or none): no code is compared with every
    other (10^10 comparisons for 100,000 codes a wave), and crowded keys cost no more
    than empty ones. The keys are numbers made from the elements, handled by numpy a
    whole wave at a time (a Python loop over the codes took 1.5 s for 100,000 a wave)."""
    reached_mine = np.full((len(mine), 2), -1, dtype=np.int64)
    reached_theirs = np.full((len(theirs), 2), -1, dtype=np.int64)
    my_lengths, their_lengths = _lengths(mine), _lengths(theirs)
    for length in np.intersect1d(my_lengths, their_lengths).tolist():
        my_index = np.flatnonzero(my_lengths == length)
        their_index = np.flatnonzero(their_lengths == length)
        found_mine, found_theirs = _first_two_in_reach(
            mine[my_index, :length], theirs[their_index, :length], tolerance
        )
        reached_mine[my_index] = np.where(found_mine >= 0, their_index[found_mine], -1)
        reached_theirs[their_index] = np.where(found_theirs >= 0, my_index[found_theirs], -1)
    return reached_mine, reached_theirs


def _first_two_in_reach(
    mine: np.ndarray, theirs: np.ndarray, tolerance: int
) -> tuple[np.ndarray, np.ndarray]:
    """`_in_reach` for codes of one length (no padding), at least one of each side."""
    length = mine.shape[1]
    mine_elements, their_elements, sizes = _per_column(mine, theirs)
    n_theirs, total = len(theirs), len(theirs) + len(mine)
    everyone = np.arange(total)
    candidates: list[np.ndarray] = []
    for positions in combinations(range(length), max(length - tolerance, 0)):
        my_keys, their_keys = _keys(
            mine_elements[:, positions],
            their_elements[:, positions],
            [sizes[k] for k in positions],
        )
        # A run of equal keys is a group; the lowest bit puts its codes of `theirs`
        # before those of `mine` (keys are below 2^62, so doubled they still fit).
        keys = np.concatenate([their_keys, my_keys]) * 2
        keys[n_theirs:] += 1
        order = np.argsort(keys)
        sorted_keys = keys[order] >> 1
        starts_group = np.ones(total, dtype=bool)
        starts_group[1:] = sorted_keys[1:] != sorted_keys[:-1]
        group = np.cumsum(starts_group) - 1
        start = np.flatnonzero(starts_group)
        is_theirs = order < n_theirs
        theirs_in_group = np.add.reduceat(is_theirs.astype(np.int64), start)
        mine_in_group = np.diff(np.append(start, total)) - theirs_in_group
        # Per code in sorted order: how many of the other wave share its key, and where
        # the first of them stands in the sorted order.
        others = np.where(is_theirs, mine_in_group[group], theirs_in_group[group])
        first = start[group] + np.where(is_theirs, theirs_in_group[group], 0)
        back = np.empty(total, dtype=np.int64)
        back[order] = everyone  # sorted position of each code
        others, first = others[back], first[back]
        for rank in (0, 1):
            found = order[np.minimum(first + rank, total - 1)]
            found = np.where(found >= n_theirs, found - n_theirs, found)
            candidates.append(np.where(others > rank, found, -1))
    # Distinct codes found per code (the same code may share several keys): the highest,
    # and the highest of the others.
    found = np.stack(candidates)
    one = found.max(axis=0)
    two = np.where(found != one, found, -1).max(axis=0)
    reached = np.column_stack([one, two])
    return reached[n_theirs:], reached[:n_theirs]


def _numbered(first: list, second: list) -> tuple[np.ndarray, np.ndarray, int]:
    """Both waves' codes as rows of element numbers (the same element value, the same
    number; -1 past the end of a shorter code), and how many numbers there are. The
    Python work is one dictionary look-up per element, run in C (`map`); the rest is
    per distinct element."""
    flat = list(chain(chain.from_iterable(first), chain.from_iterable(second)))
    # Numbers in order of first appearance.
    element_ids = {element: number for number, element in enumerate(dict.fromkeys(flat))}
    numbers = np.fromiter(map(element_ids.get, flat), dtype=np.int64, count=len(flat))
    count = len(first) + len(second)
    lengths = np.fromiter(chain(map(len, first), map(len, second)), dtype=np.int64, count=count)
    width = int(lengths.max()) if count else 0
    if len(numbers) == width * count:
        rows = numbers.reshape(count, width)
    else:
        rows = np.full((count, width), -1, dtype=np.int64)
        rows[np.arange(width) < lengths[:, None]] = numbers
    # Each wave as wide as its longest code (the chance estimate reads every column).
    first_width = int(lengths[: len(first)].max()) if len(first) else 0
    second_width = int(lengths[len(first) :].max()) if len(second) else 0
    return rows[: len(first), :first_width], rows[len(first) :, :second_width], len(element_ids)


def _widened(rows: np.ndarray, width: int) -> np.ndarray:
    """Codes as element numbers padded with -1 to `width` columns."""
    if rows.shape[1] == width:
        return rows
    return np.pad(rows, ((0, 0), (0, width - rows.shape[1])), constant_values=-1)


def _lengths(rows: np.ndarray) -> np.ndarray:
    """How many elements each code (a row of element numbers) has."""
    return (rows >= 0).sum(axis=1)


def _nonempty(rows: np.ndarray) -> np.ndarray:
    """Which codes (rows of element numbers) have any element."""
    return rows[:, 0] >= 0 if rows.shape[1] else np.zeros(len(rows), dtype=bool)


def _per_column(mine: np.ndarray, theirs: np.ndarray) -> tuple[np.ndarray, np.ndarray, list]:
    """Both waves' element numbers (-1 or more) renumbered 0..n-1 within each column,
    with each column's n: a row then fits one mixed-radix integer even when some column
    has thousands of distinct answers (one number per element of the whole code would
    not). A table as long as the largest number marks the numbers present, its running
    count numbers them: element numbers run up to the number of distinct elements, so
    this is linear where sorting each column (`np.unique`) was not."""
    # Column by column, each column contiguous; -1 (past the end of a code) becomes 0.
    columns = np.ascontiguousarray(np.vstack([mine, theirs]).T + 1)
    dense = np.empty_like(columns)
    present = np.zeros(int(columns.max()) + 1 if columns.size else 0, dtype=bool)
    sizes = []
    for column, values in enumerate(columns):
        present[:] = False
        present[values] = True
        numbers = np.cumsum(present) - 1
        dense[column] = numbers[values]
        sizes.append(int(numbers[-1]) + 1)
    return dense[:, : len(mine)].T, dense[:, len(mine) :].T, sizes


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
    # Every element numbered once, for the pairing and the chance estimate; the work
    # below is on these numbers, a wave at a time (Python sets and dictionaries of the
    # codes took most of a second at 100,000 codes a wave).
    numbered = _numbered(pre, post)
    pre_rows, post_rows, _ = numbered
    nonempty_pre, nonempty_post = _nonempty(pre_rows), _nonempty(post_rows)
    # Each distinct code one number, and how often each occurs in each wave (empty codes
    # left out: they are never paired).
    width = max(pre_rows.shape[1], post_rows.shape[1])
    pre_keys, post_keys = _keys(*_per_column(_widened(pre_rows, width), _widened(post_rows, width)))
    _, code_numbers = np.unique(np.concatenate([pre_keys, post_keys]), return_inverse=True)
    code_numbers = code_numbers.reshape(-1)
    pre_code, post_code = code_numbers[: len(pre)], code_numbers[len(pre) :]
    codes = int(code_numbers.max()) + 1 if len(code_numbers) else 0
    in_pre = np.bincount(pre_code[nonempty_pre], minlength=codes)
    in_post = np.bincount(post_code[nonempty_post], minlength=codes)
    pre_times_pre, pre_times_post = in_pre[pre_code], in_post[pre_code]
    post_times_pre, post_times_post = in_pre[post_code], in_post[post_code]
    # Exact: a code seen once in each wave.
    exact_pre = nonempty_pre & (pre_times_pre == 1) & (pre_times_post == 1)
    post_of_code = np.full(codes, -1, dtype=np.int64)
    post_of_code[post_code[nonempty_post]] = np.flatnonzero(nonempty_post)
    exact_pairs_pre = np.flatnonzero(exact_pre)
    exact_pairs_post = post_of_code[pre_code[exact_pairs_pre]]
    exact = len(exact_pairs_pre)
    # Shared by several respondents of the wave, or matched exactly but not one to one:
    # ambiguous, and never paired tolerantly (an exact match always wins).
    ambiguous_pre = nonempty_pre & ~exact_pre & ((pre_times_pre > 1) | (pre_times_post > 0))
    ambiguous = int(ambiguous_pre.sum())
    used_pre = exact_pre | ambiguous_pre
    used_post = nonempty_post & (post_times_pre > 0)
    pairs_pre, pairs_post = [exact_pairs_pre], [exact_pairs_post]
    tolerant = 0
    pool = (0, 0)
    if tolerance:
        # Codes shared within a wave stay in the pool so that a code near them sees two
        # codes in reach (ambiguous), but they never pair themselves.
        shared_pre = nonempty_pre & (pre_times_pre > 1)
        shared_post = nonempty_post & (post_times_post > 1)
        pool_pre = np.flatnonzero(nonempty_pre & (~used_pre | (shared_pre & (pre_times_post == 0))))
        pool_post = np.flatnonzero(
            nonempty_post & (~used_post | shared_post) & (post_times_pre == 0)
        )
        pool = (len(pool_pre), len(pool_post))
        if len(pool_pre) and len(pool_post):
            reach_pre, reach_post = _in_reach(pre_rows[pool_pre], post_rows[pool_post], tolerance)
            in_reach_pre = (reach_pre >= 0).sum(axis=1)
            in_reach_post = (reach_post >= 0).sum(axis=1)
            # A pre code with one post code in reach, which has only it in reach: a pair.
            reached = np.maximum(reach_pre[:, 0], 0)  # a pool position (any, when none)
            pairs = (
                ~shared_pre[pool_pre]
                & (in_reach_pre == 1)
                & ~shared_post[pool_post[reached]]
                & (in_reach_post[reached] == 1)
            )
            also_ambiguous = ~shared_pre[pool_pre] & (in_reach_pre > 0) & ~pairs
            pairs_pre.append(pool_pre[pairs])
            pairs_post.append(pool_post[reached[pairs]])
            tolerant = int(pairs.sum())
            ambiguous += int(also_ambiguous.sum())
            used_pre[pool_pre[pairs | also_ambiguous]] = True
    paired_pre, paired_post = np.concatenate(pairs_pre), np.concatenate(pairs_post)
    order = np.argsort(paired_pre)  # each pre code paired once at most
    unmatched_pre = len(pre) - int(used_pre.sum())
    is_paired_post = np.zeros(len(post), dtype=bool)
    is_paired_post[paired_post] = True
    unmatched_post = len(post) - int(is_paired_post.sum())
    match = CodeMatch(
        pairs=list(zip(paired_pre[order].tolist(), paired_post[order].tolist(), strict=True)),
        exact=exact,
        tolerant=tolerant,
        ambiguous=ambiguous,
        unmatched_pre=unmatched_pre,
        unmatched_post=unmatched_post,
        tolerance=tolerance,
    )
    chance = chance_estimate(pre, post, match=match, pool=pool, numbered=numbered)
    return CodeMatch(**{**match.__dict__, "chance": chance, "details": list(chance.warnings)})


def _agreement_per_element(rows: np.ndarray, base: int) -> list[float]:
    """Per element, sum over answers of n(n-1) / (N(N-1)): the chance that two different
    respondents of one wave gave the same answer (unbiased for the population's sum of
    squared shares). `rows`: the wave's codes as element numbers (`_numbered`)."""
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
    caller has them (`_numbered`).
    """
    if numbered is None:
        numbered = _numbered(pre, post)
    pre_rows = numbered[0][_nonempty(numbered[0])]
    post_rows = numbered[1][_nonempty(numbered[1])]
    base = numbered[2]
    basis = pre_rows if len(pre_rows) >= len(post_rows) else post_rows
    agreement = _agreement_per_element(basis, base) if len(basis) else []
    same = math.prod(agreement) if agreement else 1.0
    in_reach = _chance_of_differences(agreement, match.tolerance)
    left_pre, left_post = (
        pool if pool is not None else (len(pre_rows) - match.exact, len(post_rows) - match.exact)
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
    n = max(len(pre_rows), len(post_rows))
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
