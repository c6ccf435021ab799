"""Pairing pre and post responses by their self-generated codes (plain data, no Django).

A code is a list of per-element hashes. Respondents misremember or mistype an element
now and then (published studies pair only 40-96 % of codes exactly), so two codes whose
elements differ in at most `tolerance` places may still be one person:

1. exact: identical codes, each seen once in each wave, pair first;
2. tolerant: among the rest, a pre code pairs with the single post code within
   `tolerance` differing elements when that post code, too, has only it in reach;
3. ambiguous: a code with two or more codes in reach in the other wave (or an exact
   code shared by several respondents) is not paired, and counted;
4. unmatched: everything else.
"""

from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations


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
) -> dict[int, list[int]]:
    """For each code, the other wave's codes differing in at most `tolerance` elements —
    all of them when there are at most one, else any two (enough to call it ambiguous).

    Two codes of k elements that differ in at most t places agree on at least k - t of
    them, so they share a key made of some k - t positions and their values, and any two
    codes sharing such a key are within t of each other. So the other wave is indexed by
    every such key and each code looks only at its own keys, stopping at two: no code is
    compared with every other (10^10 comparisons for 100,000 codes a wave), and crowded
    keys, common with short codes, cost no more than empty ones."""
    index: dict[tuple, list[int]] = {}
    for j in rest_others:
        code = others[j]
        for positions in combinations(range(len(code)), max(len(code) - tolerance, 0)):
            index.setdefault((len(code), positions, *(code[p] for p in positions)), []).append(j)
    reach: dict[int, list[int]] = {}
    for i in rest:
        code = codes[i]
        found: set[int] = set()
        for positions in combinations(range(len(code)), max(len(code) - tolerance, 0)):
            members = index.get((len(code), positions, *(code[p] for p in positions)), ())
            found.update(members[:2])
            if len(found) >= 2:
                break
        reach[i] = sorted(found)[:2]
    return reach


def codes_pair(pre: list[list[str]], post: list[list[str]], *, tolerance: int = 1) -> CodeMatch:
    """Pair pre and post codes; see the module text for the rules.

    >>> m = codes_pair([["a", "b", "c", "d"], ["e", "f", "g", "h"]],
    ...                [["e", "f", "g", "x"], ["a", "b", "c", "d"]])
    >>> m.pairs, m.exact, m.tolerant
    ([(0, 1), (1, 0)], 1, 1)
    """
    if not 0 <= tolerance <= 2:
        raise ValueError("tolerance must be 0, 1 or 2 differing elements.")
    pre_codes = [tuple(code) for code in pre]
    post_codes = [tuple(code) for code in post]
    pre_count, post_count = Counter(pre_codes), Counter(post_codes)
    pairs: list[tuple[int, int]] = []
    ambiguous = 0
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
    # Exact duplicates within a wave cannot be told apart: ambiguous.
    duplicated = {i for i, code in enumerate(pre_codes) if code and pre_count[code] > 1}
    ambiguous += len(duplicated)
    used_pre |= duplicated
    tolerant = 0
    if tolerance:
        rest_pre = [i for i in range(len(pre_codes)) if i not in used_pre and pre_codes[i]]
        rest_post = [j for j in range(len(post_codes)) if j not in used_post and post_codes[j]]
        reach_pre = _within_reach(pre_codes, rest_pre, post_codes, rest_post, tolerance)
        reach_post = _within_reach(post_codes, rest_post, pre_codes, rest_pre, tolerance)
        for i, reached in reach_pre.items():
            if len(reached) == 1 and len(reach_post[reached[0]]) == 1:
                pairs.append((i, reached[0]))
                used_pre.add(i)
                used_post.add(reached[0])
                tolerant += 1
            elif len(reached) > 1 or any(len(reach_post[j]) > 1 for j in reached):
                ambiguous += 1
                used_pre.add(i)
    unmatched_pre = len(pre_codes) - len(used_pre)
    unmatched_post = len(post_codes) - len(used_post)
    return CodeMatch(
        pairs=sorted(pairs),
        exact=exact,
        tolerant=tolerant,
        ambiguous=ambiguous,
        unmatched_pre=unmatched_pre,
        unmatched_post=unmatched_post,
        tolerance=tolerance,
    )
