"""Group formation with many attribute combinations: the linear bin merge, and the
hard constraints on structured instances (popular specialties, regions with their own
specialty mix, interest sets, noise), where most combinations hold one or two people."""

import numpy as np
import pytest

from medmentor.matching import GroupSpec, MatchingInputError, check_grouping, form_groups
from medmentor.matching.groups import _codes, _merge_small_bins, _splittable


def _merge_by_rescanning(bins, similar, root, spec):
    """The merge as it was before (quadratic): after each merge, rescan from the first bin."""
    bins = [b for b in bins if b.size]
    changed = True
    while changed and len(bins) > 1:
        changed = False
        for k, members in enumerate(bins):
            if _splittable(members.size, spec.min_size, spec.max_size):
                continue

            def prefix(a, b):
                x, y = similar[root[a[0]]], similar[root[b[0]]]
                return int(np.cumprod(x == y).sum())

            options = []
            if k > 0:
                options.append((prefix(members, bins[k - 1]), -bins[k - 1].size, k - 1))
            if k + 1 < len(bins):
                options.append((prefix(members, bins[k + 1]), -bins[k + 1].size, k + 1))
            _, _, other = max(options)
            low, high = sorted((k, other))
            bins[low : high + 1] = [np.concatenate((bins[low], bins[high]))]
            changed = True
            break
    return bins


def _sorted_bins(rng, n_people, n_attributes, values, min_size, max_size):
    similar = rng.integers(0, values, (n_people, n_attributes))
    # popular values: skew every column towards small codes
    similar = (similar * rng.random((n_people, n_attributes)) ** 2).astype(np.int64)
    root = np.arange(n_people)
    order = np.lexsort(similar.T[::-1])
    rows = similar[order]
    change = np.ones(n_people, dtype=bool)
    change[1:] = np.any(rows[1:] != rows[:-1], axis=1)
    starts = [*np.flatnonzero(change).tolist(), n_people]
    bins = [order[a:b] for a, b in zip(starts[:-1], starts[1:], strict=True)]
    spec = GroupSpec(min_size=min_size, max_size=max_size)
    return bins, similar, root, spec


@pytest.mark.parametrize("seed", range(40))
def test_linear_merge_gives_the_bins_of_rescanning_after_every_merge(seed):
    rng = np.random.default_rng(seed)
    min_size = int(rng.integers(1, 6))
    max_size = int(rng.integers(min_size, 10))
    bins, similar, root, spec = _sorted_bins(
        rng,
        n_people=int(rng.integers(1, 400)),
        n_attributes=int(rng.integers(1, 4)),
        values=int(rng.integers(2, 12)),
        min_size=min_size,
        max_size=max_size,
    )
    ours = _merge_small_bins(bins, similar, root, spec)
    reference = _merge_by_rescanning(bins, similar, root, spec)
    assert [b.tolist() for b in ours] == [b.tolist() for b in reference]


def test_merged_bins_can_all_be_cut_into_legal_groups():
    rng = np.random.default_rng(3)
    bins, similar, root, spec = _sorted_bins(rng, 5_000, 3, 30, 4, 8)
    assert len(bins) > 1_000  # most combinations hold fewer than 4 people
    merged = _merge_small_bins(bins, similar, root, spec)
    assert all(_splittable(b.size, 4, 8) for b in merged)
    assert sorted(np.concatenate(merged).tolist()) == list(range(5_000))


def structured_people(n, seed):
    """Regions (popular ones larger) with their own specialty mix, interest sets drawn
    by the specialty's popularity plus noise, stages, institutions inside regions."""
    rng = np.random.default_rng(seed)
    regions, specialties, interests = 30, 40, 40
    region_weight = 1 / np.arange(1, regions + 1) ** 0.9
    region = rng.choice(regions, n, p=region_weight / region_weight.sum())
    mix = -0.5 * np.log(np.arange(1, specialties + 1)) + rng.normal(0, 1, (regions, specialties))
    cumulative = np.cumsum(np.exp(mix) / np.exp(mix).sum(1, keepdims=True), axis=1)
    specialty = np.minimum((rng.random(n)[:, None] > cumulative[region]).sum(1), specialties - 1)
    taste = -0.3 * np.log(np.arange(1, interests + 1)) + rng.normal(0, 1, (specialties, interests))
    top = np.argsort(-(taste[specialty] + rng.gumbel(size=(n, interests))), axis=1)[:, :3]
    how_many = rng.choice([1, 2, 3], n, p=[0.1, 0.4, 0.5])
    return list(range(n)), {
        "region": [f"region-{x}" for x in region],
        "specialty": [f"specialty-{x}" for x in specialty],
        "interests": [{f"interest-{x}" for x in top[k, : how_many[k]]} for k in range(n)],
        "stage": rng.choice(["PGY1", "PGY2", "PGY3", "fellow"], n).tolist(),
        "institution": [
            f"inst-{r}-{x}" for r, x in zip(region, rng.integers(0, 5, n), strict=True)
        ],
    }


def _combinations(cols, names):
    return len(set(zip(*[_codes(cols[a]).tolist() for a in names], strict=True)))


@pytest.mark.parametrize("similar", [("region", "specialty", "stage"), ("specialty", "interests")])
def test_many_combinations_keep_sizes_together_apart_and_locks(similar):
    ids, cols = structured_people(4_000, seed=11)
    assert _combinations(cols, similar) > 1_000
    rng = np.random.default_rng(5)
    people = rng.permutation(4_000).tolist()
    together = tuple(frozenset(people[3 * k : 3 * k + 3]) for k in range(60))
    apart = tuple((people[200 + 2 * k], people[201 + 2 * k]) for k in range(100))
    # locked groups of 1 to 6 members: small ones are filled, none goes above 8
    locked = {}
    at = 500
    for label in range(40):
        size = 1 + label % 6
        locked.update({p: f"existing-{label}" for p in people[at : at + size]})
        at += size
    spec = GroupSpec(
        min_size=4,
        max_size=8,
        similar=similar,
        diverse=("institution",),
        together=together,
        apart=apart,
        locked=locked,
    )
    grouping = form_groups(ids, cols, spec, seed=2)
    report = check_grouping(grouping, cols, spec)
    assert report.valid, report.problems[:5]
    sizes = grouping.sizes()
    assert sizes.min() >= 4 and sizes.max() <= 8
    for label in range(40):
        g = grouping.labels.index(f"existing-{label}")
        members = [p for p, lab in locked.items() if lab == f"existing-{label}"]
        assert set(grouping.group_of[members].tolist()) == {g}


def test_many_combinations_as_similar_as_sorting_and_chunking():
    ids, cols = structured_people(4_000, seed=12)
    spec = GroupSpec(similar=("region", "specialty", "stage"), diverse=("institution",))
    report = check_grouping(form_groups(ids, cols, spec, seed=1), cols, spec)
    codes = [_codes(cols[a]) for a in spec.similar]
    order = np.lexsort(codes[::-1])
    group_of = np.empty(4_000, dtype=np.int64)
    group_of[order] = np.arange(4_000) // 8
    from medmentor.matching.groups import Grouping, group_similarity

    chunked = Grouping(group_of, int(group_of.max()) + 1, [None] * 500, ids)
    assert report.similarity >= group_similarity(chunked, codes)


def test_sets_of_equal_size_are_one_attribute_value_each():
    # every interest set has two members: once read as a two-column table
    ids = list(range(8))
    cols = {"interests": [{"a", "b"}, {"b", "a"}, ["a", "b"], {"a", "b"}] + [{"c", "d"}] * 4}
    grouping = form_groups(ids, cols, GroupSpec(similar=("interests",)), seed=0)
    assert sorted(sorted(m) for m in grouping.members()) == [[0, 1, 2, 3], [4, 5, 6, 7]]


def test_locked_group_without_free_people_to_fill_it_is_named():
    ids = list(range(4))
    cols = {"stage": ["PGY1"] * 4}
    # the only free people are a must-together pair: no single newcomer to add
    spec = GroupSpec(similar=("stage",), locked={0: "old", 1: "old"}, together=(frozenset({2, 3}),))
    with pytest.raises(MatchingInputError, match="Locked group 'old' has 2 members"):
        form_groups(ids, cols, spec)


def test_groups_short_of_diversity_are_counted_where_their_combination_offers_it():
    ids, cols = structured_people(2_000, seed=4)
    spec = GroupSpec(similar=("specialty", "interests"), diverse=("region",), min_distinct=3)
    grouping = form_groups(ids, cols, spec, seed=3)
    report = check_grouping(grouping, cols, spec)
    # the count, person by person: a group is short when it has fewer distinct
    # regions than min(3, its size, the regions its (last member's) combination offers)
    key = list(zip(*[_codes(cols[a]).tolist() for a in spec.similar], strict=True))
    offered = {}
    for k, region in zip(key, cols["region"], strict=True):
        offered.setdefault(k, set()).add(region)
    short = 0
    for members in grouping.members():
        regions = {cols["region"][p] for p in members}
        want = min(3, len(members), len(offered[key[members[-1]]]))
        short += len(regions) < want
    assert report.groups_short_of_diversity == {"region": short}


def test_locked_group_below_the_minimum_with_everyone_locked_is_named():
    ids = list(range(6))
    cols = {"stage": ["PGY1"] * 6}
    spec = GroupSpec(similar=("stage",), locked={0: "a", 1: "a", 2: "b", 3: "b", 4: "b", 5: "b"})
    with pytest.raises(MatchingInputError, match="Locked group 'a' has 2 members and no free"):
        form_groups(ids, cols, spec)
