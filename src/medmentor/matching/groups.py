"""Group formation: partition people into groups of min..max size (default 4-8).

Groups are similar on chosen attributes (career stage, interests) and
diverse on others (institution, specialty), with must-together and
must-apart constraints and locked members, deterministic for a seed.

Why our own code: CP-SAT proves optimality for a few dozen people but not
for a national society's 71,000; k-means with splitting leaves groups under
the minimum and ignores diversity; sorting and chunking puts one
institution in a group. The construction here is exact on the hard parts
(sizes, together, apart, locks) and greedy on the soft ones, then repaired
by swaps that never change a group's similar attributes:

1. *Bins*: people are sorted on the similar attributes; each exact
   combination is a bin. A bin that cannot be cut into groups of legal
   size (fewer than ``min_size`` people, or sizes that do not divide) is
   merged with the neighbouring bin sharing the longest prefix of
   similar values, so nearly every group is pure on the similar attributes.
   One left-to-right pass with a stack, O(bins): with many combinations
   (71,000 people over 51,000 combinations of specialty and interests) most
   bins hold one or two people and are merged.
2. *Dealing*: inside a pure bin, people sorted by the diverse attributes
   are dealt round-robin to the bin's groups (as cards to players), so
   every group draws from every stretch of diverse values. Must-together
   units are placed first, whole, in the groups with most room.
3. *Repair*: swaps between groups of the same bin, between people with the
   same similar values, fix must-apart conflicts and raise the number of
   distinct diverse values of each group to ``min_distinct`` where its bin
   has that many.

Complexity O(N log N) for the sort, O(N + bins) for the merge and the
dealing (vectorised over the bins without must-together units), plus the
repairs, which touch only the groups that need them. 71,000 people in
well under a second with 96 combinations and about a second with 51,000
(benchmarks/README.md).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .explain import GroupExplanation, explain_group
from .model import MatchingInputError

__all__ = [
    "GroupSpec",
    "Grouping",
    "GroupingReport",
    "check_grouping",
    "explain_grouping",
    "form_groups",
    "group_similarity",
]


@dataclass(frozen=True)
class GroupSpec:
    """What the director asks of the groups.

    Parameters
    ----------
    min_size, max_size : int
        Every group has between these many members (default 4 and 8).
    similar : tuple of str
        Attributes members of a group should share, most important first.
    diverse : tuple of str
        Attributes that should vary within a group, most important first.
    min_distinct : int
        Distinct values of each diverse attribute wanted per group, where
        the people available allow it (default 3).
    together : tuple of sets of ids
        Each set must end up in one group.
    apart : tuple of (id, id)
        Pairs that must not share a group.
    locked : mapping of id to label
        People who keep their group: everyone with the same label stays in
        one group, which keeps that label.

    Examples
    --------
    >>> GroupSpec(similar=("stage",), diverse=("institution",)).max_size
    8
    """

    min_size: int = 4
    max_size: int = 8
    similar: tuple[str, ...] = ()
    diverse: tuple[str, ...] = ()
    min_distinct: int = 3
    together: tuple[frozenset[Hashable], ...] = ()
    apart: tuple[tuple[Hashable, Hashable], ...] = ()
    locked: Mapping[Hashable, Hashable] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.min_size < 1 or self.max_size < self.min_size:
            raise MatchingInputError(
                f"Group sizes must satisfy 1 <= minimum <= maximum; got {self.min_size} to "
                f"{self.max_size}."
            )
        object.__setattr__(self, "together", tuple(frozenset(s) for s in self.together))
        object.__setattr__(self, "apart", tuple(tuple(p) for p in self.apart))
        object.__setattr__(self, "similar", tuple(self.similar))
        object.__setattr__(self, "diverse", tuple(self.diverse))


@dataclass(frozen=True, eq=False)
class Grouping:
    """A partition of people into groups.

    Attributes
    ----------
    group_of : ndarray of int32, shape (N,)
        Group number of each person, 0..n_groups-1.
    n_groups : int
    labels : list
        Per group number: the locked label it keeps, or None for new groups.
    ids : sequence
        Person ids by index.
    seed : int
    """

    group_of: np.ndarray
    n_groups: int
    labels: list[Hashable | None]
    ids: Sequence[Hashable]
    seed: int = 0

    def members(self) -> list[list[Hashable]]:
        """Ids of each group's members, by group number."""
        return [[self.ids[k] for k in part] for part in self.members_by_index()]

    def members_by_index(self) -> list[list[int]]:
        """Indexes (into ``ids``) of each group's members, ascending, by group number."""
        order = np.argsort(self.group_of, kind="stable").tolist()
        stops = np.cumsum(np.bincount(self.group_of, minlength=self.n_groups)).tolist()
        return [order[a:b] for a, b in zip([0, *stops[:-1]], stops, strict=True)]

    def sizes(self) -> np.ndarray:
        """Size of each group."""
        return np.bincount(self.group_of, minlength=self.n_groups)


def _codes(values: Sequence[object]) -> np.ndarray:
    """Integer code per value, in the order of the values' text (sets and lists
    count as the set of their values' text, whatever their order)."""
    try:
        plain = np.asarray(values) if len(values) else np.zeros(0, dtype=np.int64)
    except ValueError:  # sequences of different lengths
        plain = np.zeros((0, 0))
    if plain.ndim == 1 and plain.dtype.kind in "biufU":
        return np.unique(plain.astype(str), return_inverse=True)[1].astype(np.int64)
    lookup: dict[object, int] = {}
    first_seen = np.fromiter(
        (
            lookup.setdefault(
                frozenset(map(str, v)) if isinstance(v, set | frozenset | list | tuple) else v,
                len(lookup),
            )
            for v in values
        ),
        dtype=np.int64,
        count=len(values),
    )
    # codes follow the text of the distinct values (a set: its sorted members),
    # so bins come out in a stable, readable order; only distinct values are sorted
    text = [str(tuple(sorted(k))) if isinstance(k, frozenset) else str(k) for k in lookup]
    rank = np.empty(len(text), dtype=np.int64)
    rank[np.argsort(np.array(text, dtype=str), kind="stable")] = np.arange(len(text))
    return rank[first_seen]


def _splittable(size: int, low: int, high: int) -> bool:
    groups = -(-size // high)
    return size == 0 or groups * low <= size


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, a: int) -> int:
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def form_groups(
    ids: Sequence[Hashable],
    attributes: Mapping[str, Sequence[object]],
    spec: GroupSpec | None = None,
    *,
    seed: int = 0,
) -> Grouping:
    """Partition people into groups that meet ``spec``.

    Parameters
    ----------
    ids : sequence of hashable
        One id per person, unique.
    attributes : mapping of str to sequence
        Column per attribute, one value per person (in ``ids`` order). Must
        hold every attribute of ``spec.similar`` and ``spec.diverse``.
    spec : GroupSpec, optional
    seed : int
        Breaks ties in the order of people; same seed, same groups.

    Returns
    -------
    Grouping

    Raises
    ------
    MatchingInputError
        Too few people for one group; a must-together set larger than the
        maximum or holding a must-apart pair or two locked labels; a locked
        group above the maximum; an unknown id or attribute.

    Examples
    --------
    >>> ids = list(range(10))
    >>> cols = {"stage": [1] * 5 + [2] * 5, "site": list("ABCDEABCDE")}
    >>> g = form_groups(ids, cols, GroupSpec(min_size=4, max_size=6, similar=("stage",),
    ...                                      diverse=("site",)), seed=1)
    >>> g.sizes().tolist()
    [5, 5]
    >>> sorted(sorted(m) for m in g.members())
    [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]

    Notes
    -----
    See the module docstring for the three steps. Complexity O(N log N)
    plus the repairs. References: Krass & Ovchinnikov, "Constrained group
    balancing", Optimization Letters 4 (2010) (why exact methods stop at
    small N); the round-robin dealing is stratified assignment as used
    for balanced study groups.
    """
    spec = spec or GroupSpec()
    n = len(ids)
    index = {pid: k for k, pid in enumerate(ids)}
    if len(index) != n:
        dup = next(pid for pid, c in Counter(ids).items() if c > 1)
        raise MatchingInputError(f"Person {dup!r} appears twice.")
    for name in spec.similar + spec.diverse:
        if name not in attributes:
            raise MatchingInputError(f"Attribute {name!r} is missing from the people data.")
        if len(attributes[name]) != n:
            raise MatchingInputError(f"Attribute {name!r} must give one value per person.")
    if n == 0:
        return Grouping(np.zeros(0, dtype=np.int32), 0, [], ids, seed)
    if n < spec.min_size:
        raise MatchingInputError(f"{n} people cannot form a group of at least {spec.min_size}.")
    rng = np.random.default_rng(seed)
    similar = (
        np.stack([_codes(attributes[a]) for a in spec.similar], axis=1)
        if spec.similar
        else np.zeros((n, 0), dtype=np.int64)
    )
    diverse = (
        np.stack([_codes(attributes[a]) for a in spec.diverse], axis=1)
        if spec.diverse
        else np.zeros((n, 0), dtype=np.int64)
    )

    # --- must-together units and locks
    def known(pid: Hashable, what: str) -> int:
        if pid not in index:
            raise MatchingInputError(f"{what} names unknown person {pid!r}.")
        return index[pid]

    uf = _UnionFind(n)
    for group in spec.together:
        members = [known(p, "A must-together set") for p in group]
        for other in members[1:]:
            uf.union(members[0], other)
    lock_label: dict[int, Hashable] = {}
    for pid, label in spec.locked.items():
        lock_label[known(pid, "A locked member")] = label
    by_label: dict[Hashable, list[int]] = {}
    for k, label in lock_label.items():
        by_label.setdefault(label, []).append(k)
    for members in by_label.values():
        for other in members[1:]:
            uf.union(members[0], other)
    root = np.fromiter((uf.find(k) for k in range(n)), dtype=np.int64, count=n)
    unit_size = np.bincount(root, minlength=n)
    # members of the unit rooted at r: by_root[root_start[r]:root_start[r + 1]], ascending
    by_root = np.argsort(root, kind="stable")
    root_start = np.concatenate(([0], np.cumsum(unit_size)))
    apart = [(known(a, "A must-apart pair"), known(b, "A must-apart pair")) for a, b in spec.apart]
    for a, b in apart:
        if root[a] == root[b]:
            raise MatchingInputError(
                f"{ids[a]!r} and {ids[b]!r} must be apart but are also required together "
                "(or locked in one group)."
            )
    unit_labels: dict[int, Hashable] = {}
    for k, label in lock_label.items():
        r = int(root[k])
        if r in unit_labels and unit_labels[r] != label:
            raise MatchingInputError(
                f"{ids[k]!r} must be with people locked in group {unit_labels[r]!r} but is "
                f"locked in group {label!r}."
            )
        unit_labels[r] = label
    too_big = np.flatnonzero(unit_size > spec.max_size)
    if too_big.size:
        r = int(too_big[0])
        who = [ids[k] for k in by_root[root_start[r] : root_start[r] + 4].tolist()]
        raise MatchingInputError(
            f"{int(unit_size[r])} people ({', '.join(map(repr, who))}, ...) must be in one group, "
            f"above the maximum of {spec.max_size}."
        )

    group_of = np.full(n, -1, dtype=np.int64)
    labels: list[Hashable | None] = []
    # locked groups first, as they are
    for label, members in by_label.items():
        g = len(labels)
        labels.append(label)
        r = int(root[members[0]])
        group_of[by_root[root_start[r] : root_start[r + 1]]] = g

    # --- bins on the similar attributes (units go by their root's values)
    free = np.flatnonzero(group_of < 0)
    tiebreak = rng.permutation(n)
    keys = [tiebreak[free]]
    for c in range(diverse.shape[1] - 1, -1, -1):
        keys.append(diverse[free, c])
    for c in range(similar.shape[1] - 1, -1, -1):
        keys.append(similar[root[free], c])
    order = free[np.lexsort(keys)]
    sim_rows = similar[root[order]]
    if order.size:
        change = np.ones(order.size, dtype=bool)
        change[1:] = np.any(sim_rows[1:] != sim_rows[:-1], axis=1) if similar.shape[1] else False
        starts = np.flatnonzero(change).tolist() + [order.size]
    else:
        starts = [0]
    bins = [order[a:b] for a, b in zip(starts[:-1], starts[1:], strict=True)]
    bins = _merge_small_bins(bins, similar, root, spec)

    # --- locked groups below the minimum take people from their own bin
    locked_sizes = np.bincount(group_of[group_of >= 0], minlength=len(labels))
    if np.any(locked_sizes < spec.min_size):
        # each bin's first member's similar values, its size and its single people
        # (not in a must-together unit): a locked group draws from the bin with
        # enough singles that shares the most values with it, the largest on a tie
        first_rows = similar[[b[0] for b in bins]] if bins else similar[:0]
        bin_sizes = np.fromiter((b.size for b in bins), dtype=np.int64, count=len(bins))
        bin_singles = np.bincount(
            np.repeat(np.arange(len(bins)), bin_sizes),
            weights=unit_size[root[np.concatenate(bins)]] == 1 if bins else None,
            minlength=len(bins),
        ).astype(np.int64)
        lowest_member = np.full(len(labels), n, dtype=np.int64)
        placed = np.flatnonzero(group_of >= 0)
        np.minimum.at(lowest_member, group_of[placed], placed)
    for g, label in enumerate(list(labels)):
        need = spec.min_size - int(locked_sizes[g])
        if need <= 0:
            continue
        if not bins:  # everyone is locked: no one to add
            raise MatchingInputError(
                f"Locked group {label!r} has {int(locked_sizes[g])} members and no free people "
                f"to reach the minimum of {spec.min_size}."
            )
        # (with many attribute combinations the closest bin may be a must-together
        # unit and one or two people: then the next closest with room to give)
        shared = np.where(
            bin_singles >= need, np.sum(first_rows == similar[lowest_member[g]], axis=1), -1
        )
        best = int(np.argmax(shared * (n + 1) + bin_sizes))  # first of the best
        singles = [k for k in bins[best].tolist() if unit_size[root[k]] == 1]
        # evenly spaced through the diverse-sorted bin: varied newcomers
        spots = np.unique(np.linspace(0, max(len(singles) - 1, 0), need).round().astype(int))
        taken = [singles[x] for x in spots.tolist()] if len(singles) >= need else singles
        if len(taken) < need:
            raise MatchingInputError(
                f"Locked group {label!r} has {int(locked_sizes[g])} members and not enough "
                f"free people to reach the minimum of {spec.min_size}."
            )
        group_of[taken] = g
        # the rest keep their diverse-sorted order
        bins[best] = bins[best][~np.isin(bins[best], taken)]
        bin_sizes[best] = bins[best].size
        bin_singles[best] -= len(taken)
        if bins[best].size:
            first_rows[best] = similar[bins[best][0]]
    bins = _merge_small_bins([b for b in bins if b.size], similar, root, spec)

    # --- deal each bin into its groups
    for bin_members in bins:
        if not _splittable(bin_members.size, spec.min_size, spec.max_size):
            raise MatchingInputError(
                f"{bin_members.size} people cannot be split into groups of {spec.min_size} to "
                f"{spec.max_size}" + (" beside the locked groups." if labels else ".")
            )
    first_group = len(labels)
    counts, pure, with_units = _deal_singles(
        bins, root, unit_size, similar, group_of, first_group, spec.max_size
    )
    labels.extend([None] * int(counts.sum()))
    first_of_bin = first_group + np.cumsum(counts) - counts
    for b in np.flatnonzero(with_units).tolist():
        _deal(
            bins[b],
            root,
            unit_size,
            by_root,
            root_start,
            group_of,
            int(first_of_bin[b]),
            int(counts[b]),
            bool(pure[b]),
        )

    grouping = Grouping(group_of.astype(np.int32), len(labels), labels, ids, seed)
    locked_people = np.zeros(n, dtype=bool)
    locked_people[list(lock_label)] = True
    _repair(grouping, root, similar, diverse, apart, spec, rng, locked_people)
    for a, b in apart:
        if grouping.group_of[a] == grouping.group_of[b]:
            raise MatchingInputError(
                f"{ids[a]!r} and {ids[b]!r} must be apart, but no swap can separate them "
                "without breaking a lock or a must-together set."
            )
    return grouping


def _merge_small_bins(
    bins: list[np.ndarray], similar: np.ndarray, root: np.ndarray, spec: GroupSpec
) -> list[np.ndarray]:
    """Merge bins that cannot be cut into legal groups with the most similar neighbour.

    Scanning left to right, a bin that cannot be split merges with the
    neighbour whose first member shares the longest prefix of similar values
    (the smaller one on a tie, the right one on a second tie), and the merged
    bin is looked at again. Every bin left of the scan is splittable, so they
    form a stack whose top alone can take part in a merge; bins are runs of
    one flat array (a merge joins neighbours), so a merge is O(1) and the pass
    O(bins + N). The result is that of rescanning from the first bin after
    every merge, which this replaced: that was quadratic in the number of
    attribute combinations (12 s for 29,000; tests/matching/test_groups_scale.py
    compares the two).
    """
    bins = [b for b in bins if b.size]
    if len(bins) <= 1:
        return bins
    flat = np.concatenate(bins)
    sizes = np.fromiter((b.size for b in bins), dtype=np.int64, count=len(bins))
    stops = np.cumsum(sizes)
    starts = (stops - sizes).tolist()
    stops_list = stops.tolist()
    # a bin's key: the similar values of its first member (its unit's root)
    keys: list[list[int]] = similar[root[flat[starts]]].tolist()
    low, high = spec.min_size, spec.max_size

    def prefix(a: list[int], b: list[int]) -> int:
        shared = 0
        for x, y in zip(a, b, strict=True):
            if x != y:
                break
            shared += 1
        return shared

    done: list[tuple[int, int, list[int]]] = []  # splittable, left of the scan
    start, stop, key = starts[0], stops_list[0], keys[0]
    following, count = 1, len(bins)
    while True:
        remaining = len(done) + 1 + count - following
        if remaining > 1 and not _splittable(stop - start, low, high):
            options = []
            if done:
                options.append((prefix(key, done[-1][2]), done[-1][0] - done[-1][1], 0))
            if following < count:
                nxt = following
                options.append((prefix(key, keys[nxt]), starts[nxt] - stops_list[nxt], 1))
            if max(options)[2] == 0:
                start, _, key = done.pop()
            else:
                stop = stops_list[following]
                following += 1
            continue
        done.append((start, stop, key))
        if following == count:
            break
        start, stop, key = starts[following], stops_list[following], keys[following]
        following += 1
    return [flat[a:b] for a, b, _ in done]


def _deal_singles(
    bins: list[np.ndarray],
    root: np.ndarray,
    unit_size: np.ndarray,
    similar: np.ndarray,
    group_of: np.ndarray,
    first_group: int,
    max_size: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Deal every bin without must-together units at once (vectorised :func:`_deal`).

    A bin of ``s`` people gets ``c = ceil(s / max_size)`` groups, numbered
    from ``first_group`` on in bin order, of sizes differing by at most one.
    A pure bin (one combination of similar values) deals its ``p``-th person
    to its group ``p mod c`` (round-robin); a mixed bin keeps people of one
    combination side by side: the first ``s mod c`` groups take ``s // c + 1``
    consecutive people, the others ``s // c``. Bins holding a unit of several
    people are left to :func:`_deal`.

    Returns each bin's group count, whether it is pure, and whether it holds a unit.
    """
    count = len(bins)
    if count == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.astype(bool), empty.astype(bool)
    flat = np.concatenate(bins)
    sizes = np.fromiter((b.size for b in bins), dtype=np.int64, count=count)
    groups = -(-sizes // max_size)
    bin_of = np.repeat(np.arange(count), sizes)
    start = np.cumsum(sizes) - sizes
    keys = similar[root[flat]]
    differs = np.any(keys != keys[start[bin_of]], axis=1) if similar.shape[1] else None
    pure = (
        np.bincount(bin_of, weights=differs, minlength=count) == 0
        if differs is not None
        else np.ones(count, dtype=bool)
    )
    with_units = np.bincount(bin_of, weights=unit_size[root[flat]] > 1, minlength=count) > 0
    first = first_group + np.cumsum(groups) - groups
    position = np.arange(flat.size) - start[bin_of]
    c = groups[bin_of]
    base = sizes[bin_of] // c
    extra = sizes[bin_of] % c
    long_part = extra * (base + 1)
    contiguous = np.where(
        position < long_part,
        position // (base + 1),
        extra + (position - long_part) // np.maximum(base, 1),
    )
    local = np.where(pure[bin_of], position % c, contiguous)
    singles = ~with_units[bin_of]
    group_of[flat[singles]] = first[bin_of[singles]] + local[singles]
    return groups, pure, with_units


def _deal(
    members: np.ndarray,
    root: np.ndarray,
    unit_size: np.ndarray,
    by_root: np.ndarray,
    root_start: np.ndarray,
    group_of: np.ndarray,
    first: int,
    count: int,
    pure: bool,
) -> None:
    """Deal ``members`` (sorted) into groups first..first+count-1 of near-equal size.

    Must-together units go first, whole, to the group with most room; the
    single people fill the seats left (round-robin in a pure bin).
    """
    size = members.size
    quota = np.full(count, size // count, dtype=np.int64)
    quota[: size % count] += 1
    room = quota.copy()
    singles = members[unit_size[root[members]] == 1]
    multi = members[unit_size[root[members]] > 1]
    seen: set[int] = set()
    for k in multi.tolist():
        r = int(root[k])
        if r in seen:
            continue
        seen.add(r)
        unit = by_root[root_start[r] : root_start[r + 1]]
        g = int(np.argmax(room))
        group_of[unit] = first + g
        room[g] -= unit.size
    room = np.maximum(room, 0)
    slots = np.repeat(np.arange(count), room)
    if pure:
        # round-robin: the k-th seat of every group before any (k+1)-th, so each
        # group draws from every stretch of the diverse-sorted order
        seat = np.arange(slots.size) - np.repeat(np.cumsum(room) - room, room)
        slots = slots[np.lexsort((slots, seat))]
    # mixed bins stay contiguous: people of one similar value side by side
    group_of[singles] = first + slots[: singles.size]


def group_similarity(grouping: Grouping, columns: Sequence[np.ndarray]) -> float:
    """Mean within-group similarity on some attributes, in [0, 1].

    For each group and attribute, the share of the group's member pairs
    that have the same value; averaged over attributes, then over groups.

    Parameters
    ----------
    grouping : Grouping
    columns : sequence of integer arrays, shape (N,)
        Integer codes of attribute values, one per person.

    Returns
    -------
    float

    Examples
    --------
    >>> g = Grouping(np.array([0, 0, 1, 1]), 2, [None, None], range(4))
    >>> group_similarity(g, [np.array([1, 1, 1, 2])])
    0.5

    Notes
    -----
    Complexity O(N log N).
    """
    if grouping.n_groups == 0 or not columns:
        return 1.0
    sizes = grouping.sizes().astype(np.float64)
    pairs = sizes * (sizes - 1) / 2
    total = np.zeros(grouping.n_groups)
    for col in columns:
        key = grouping.group_of.astype(np.int64) * (int(col.max()) + 1) + col
        uniq, counts = np.unique(key, return_counts=True)
        same = counts * (counts - 1) / 2
        np.add.at(total, (uniq // (int(col.max()) + 1)).astype(np.int64), same)
    share = np.where(pairs > 0, total / np.maximum(pairs, 1) / len(columns), 1.0)
    return float(share.mean())


def _distinct(grouping: Grouping, col: np.ndarray) -> np.ndarray:
    key = grouping.group_of.astype(np.int64) * (int(col.max()) + 1) + col
    uniq = np.unique(key)
    return np.bincount(uniq // (int(col.max()) + 1), minlength=grouping.n_groups)


def _repair(
    grouping: Grouping,
    root: np.ndarray,
    similar: np.ndarray,
    diverse: np.ndarray,
    apart: list[tuple[int, int]],
    spec: GroupSpec,
    rng: np.random.Generator,
    locked_people: np.ndarray,
) -> None:
    """Swaps between same-similar-values people to fix apart conflicts and diversity."""
    group_of = grouping.group_of
    n = group_of.size
    movable = (np.bincount(root, minlength=n)[root] == 1) & ~locked_people
    sim_key = (
        np.unique(similar, axis=0, return_inverse=True)[1].reshape(-1)
        if similar.shape[1]
        else np.zeros(n, dtype=np.int64)
    )
    members: dict[int, list[int]] = dict(enumerate(grouping.members_by_index()))
    enemies: dict[int, set[int]] = {}
    for a, b in apart:
        enemies.setdefault(a, set()).add(b)
        enemies.setdefault(b, set()).add(a)
    # candidates to swap with: movable people of the same similar values
    # (one shuffle of everyone, then grouped: a shuffle per combination cost
    # 0.3 s at 50,000 combinations)
    shuffled = rng.permutation(np.flatnonzero(movable))
    shuffled = shuffled[np.argsort(sim_key[shuffled], kind="stable")]
    kinds, kind_start = np.unique(sim_key[shuffled], return_index=True)
    flat = shuffled.tolist()
    bounds = [*kind_start.tolist(), len(flat)]
    pool: dict[int, list[int]] = {
        kind: flat[a:b] for kind, a, b in zip(kinds.tolist(), bounds[:-1], bounds[1:], strict=True)
    }

    def conflicts(k: int, g: int, ignore: int = -1) -> bool:
        return any(group_of[e] == g and e != ignore for e in enemies.get(k, ()))

    def swap(a: int, b: int) -> None:
        ga, gb = int(group_of[a]), int(group_of[b])
        members[ga].remove(a)
        members[gb].remove(b)
        members[ga].append(b)
        members[gb].append(a)
        group_of[a], group_of[b] = gb, ga

    # 1. must-apart: move one of the two out, to a group without enemies
    for a, b in apart:
        if group_of[a] != group_of[b]:
            continue
        mover = a if movable[a] else b
        if not movable[mover]:
            continue
        g = int(group_of[mover])
        same_kind = pool.get(int(sim_key[mover]), [])
        # people with the same similar values first; anyone movable if none fits
        for q in itertools.chain(same_kind, (q for lst in pool.values() for q in lst)):
            h = int(group_of[q])
            if h == g or conflicts(mover, h, ignore=q) or conflicts(q, g, ignore=mover):
                continue
            swap(mover, q)
            break

    # 2. diversity, attribute by attribute
    for c in range(diverse.shape[1]):
        col = diverse[:, c]
        distinct = _distinct(grouping, col)
        sizes = grouping.sizes()
        # what each group's similar-values bin offers
        pairs = np.unique(sim_key * (int(col.max()) + 1) + col)
        offered = np.bincount(pairs // (int(col.max()) + 1), minlength=int(sim_key.max()) + 1)
        group_key = np.zeros(grouping.n_groups, dtype=np.int64)
        group_key[group_of] = sim_key
        want = np.minimum(np.minimum(spec.min_distinct, sizes), offered[group_key])
        short = np.flatnonzero(distinct < want)
        for g in rng.permutation(short).tolist():
            need = int(want[g])
            values = Counter(col[members[g]].tolist())
            tries = 0
            while len(values) < need and tries < 200:
                tries += 1
                dup = [k for k in members[g] if values[col[k]] > 1 and movable[k]]
                if not dup:
                    break
                p = dup[0]
                done = False
                for q in pool.get(int(sim_key[p]), []):
                    h = int(group_of[q])
                    if h == g or col[q] in values:
                        continue
                    theirs = Counter(col[members[h]].tolist())
                    # the other group must not fall below its own want
                    after = len(theirs) - (theirs[col[q]] == 1) + (col[p] not in theirs)
                    if after < min(int(want[h]), len(theirs)):
                        continue
                    if conflicts(p, h, ignore=q) or conflicts(q, g, ignore=p):
                        continue
                    values[col[p]] -= 1
                    values[col[q]] += 1
                    swap(p, q)
                    done = True
                    break
                if not done:
                    break


@dataclass(frozen=True)
class GroupingReport:
    """The checks of a grouping.

    Attributes
    ----------
    valid : bool
        Sizes, together, apart and locks all hold.
    problems : list of str
    similarity : float
        :func:`group_similarity` on the similar attributes.
    min_distinct : dict of str to int
        Smallest number of distinct values of each diverse attribute in a group.
    groups_short_of_diversity : dict of str to int
        Groups with fewer than ``spec.min_distinct`` distinct values although
        their similar-values bin offers that many.
    """

    valid: bool
    problems: list[str]
    similarity: float
    min_distinct: dict[str, int]
    groups_short_of_diversity: dict[str, int]


def check_grouping(
    grouping: Grouping, attributes: Mapping[str, Sequence[object]], spec: GroupSpec
) -> GroupingReport:
    """Check a grouping against its spec: the checker beside :func:`form_groups`.

    Examples
    --------
    >>> g = Grouping(np.array([0, 0, 0, 0]), 1, [None], list("abcd"))
    >>> r = check_grouping(g, {}, GroupSpec(apart=(("a", "b"),)))
    >>> r.valid, r.problems
    (False, ["'a' and 'b' must be apart but share group 0."])

    Notes
    -----
    Complexity O(N log N + constraints).
    """
    problems: list[str] = []
    ids = list(grouping.ids)
    index = {pid: k for k, pid in enumerate(ids)}
    group_of = grouping.group_of
    if group_of.size and (group_of.min() < 0 or group_of.max() >= grouping.n_groups):
        problems.append("Someone has no group.")
    sizes = grouping.sizes()
    for g in np.flatnonzero((sizes < spec.min_size) | (sizes > spec.max_size)).tolist():
        problems.append(
            f"Group {g} has {int(sizes[g])} members, outside {spec.min_size}-{spec.max_size}."
        )
    for together in spec.together:
        gs = {int(group_of[index[p]]) for p in together}
        if len(gs) > 1:
            problems.append(f"{sorted(map(repr, together))} must be together but are split.")
    for a, b in spec.apart:
        if group_of[index[a]] == group_of[index[b]]:
            problems.append(f"{a!r} and {b!r} must be apart but share group {group_of[index[a]]}.")
    by_label: dict[Hashable, set[int]] = {}
    for pid, label in spec.locked.items():
        by_label.setdefault(label, set()).add(int(group_of[index[pid]]))
    for label, gs in by_label.items():
        if len(gs) > 1 or grouping.labels[next(iter(gs))] != label:
            problems.append(f"Locked group {label!r} was not kept together under its label.")
    similar_cols = [_codes(attributes[a]) for a in spec.similar]
    sim_key = (
        np.unique(np.stack(similar_cols, axis=1), axis=0, return_inverse=True)[1].reshape(-1)
        if similar_cols
        else np.zeros(len(ids), dtype=np.int64)
    )
    min_distinct: dict[str, int] = {}
    short: dict[str, int] = {}
    for name in spec.diverse:
        col = _codes(attributes[name])
        distinct = _distinct(grouping, col)
        min_distinct[name] = int(distinct.min()) if distinct.size else 0
        # distinct values each combination of similar values offers, in one pass
        # (one mask per combination was quadratic: 6.8 s at 51,000 combinations)
        width = int(col.max()) + 1 if col.size else 1
        pairs = np.unique(sim_key * width + col)
        offered = np.bincount(pairs // width, minlength=int(sim_key.max()) + 1 if col.size else 1)
        group_key = np.zeros(grouping.n_groups, dtype=np.int64)
        group_key[group_of] = sim_key
        want = np.minimum(np.minimum(spec.min_distinct, sizes), offered[group_key])
        short[name] = int(np.count_nonzero(distinct < want))
    return GroupingReport(
        not problems,
        problems,
        group_similarity(grouping, similar_cols),
        min_distinct,
        short,
    )


def explain_grouping(
    grouping: Grouping, attributes: Mapping[str, Sequence[object]], spec: GroupSpec
) -> list[GroupExplanation]:
    """Words for every group (see :func:`~medmentor.matching.explain.explain_group`).

    Examples
    --------
    >>> g = Grouping(np.array([0, 0]), 1, [None], ["a", "b"])
    >>> explain_grouping(g, {"stage": [2, 2]}, GroupSpec(similar=("stage",)))[0].summary
    'Group 0 (2 people): all stage 2.'

    Notes
    -----
    Complexity O(N * attributes).
    """
    names = list(spec.similar) + list(spec.diverse)
    out = []
    index = {pid: k for k, pid in enumerate(grouping.ids)}
    for g, ids in enumerate(grouping.members()):
        rows = [{a: attributes[a][index[p]] for a in names} for p in ids]
        out.append(explain_group(g, rows, spec.similar, spec.diverse))
    return out
