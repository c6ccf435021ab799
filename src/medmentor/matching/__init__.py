"""medmentor's matching engine: pairs and groups, stable or optimal, explained.

Pure Python + numpy/scipy/OR-Tools, no Django import: the adapter in
``medmentor.programs`` turns models into :class:`Mentee` / :class:`Mentor`
records (or a :class:`Market` directly) and the :class:`Assignment` /
:class:`~medmentor.matching.groups.Grouping` results back into pairs and
groups.

Typical use::

    built = build_market(mentees, mentors, HardRules(min_level_gap=2), Weights.default())
    draft = stable_matching(built.market, seed=7)       # or optimal_matching(...)
    again = rematch(built.market, existing_pairs, unlocked=[...])
    groups = form_groups(ids, columns, GroupSpec(similar=..., diverse=...), seed=7)
    report = assess(built.market, draft)                # feasible? blocking pairs? score?
    words = explain_matching(built, draft, mentees, mentors, weights, rules)
"""

from .checks import (
    MatchingReport,
    assess,
    blocking_pairs,
    edges_of,
    feasibility_problems,
    is_feasible,
    is_stable,
    total_score,
)
from .constraints import STAGES, Diagnostics, MarketBuild, build_market
from .explain import (
    GroupExplanation,
    MatchingExplanation,
    PairExplanation,
    UnmatchedExplanation,
    explain_group,
    explain_matching,
    explain_pair,
    explain_unmatched,
)
from .groups import (
    Grouping,
    GroupingReport,
    GroupSpec,
    check_grouping,
    explain_grouping,
    form_groups,
    group_similarity,
)
from .model import (
    Assignment,
    Criterion,
    HardRules,
    Market,
    MatchingInputError,
    Mentee,
    Mentor,
    Weights,
    preference_tiers,
)
from .optimal import (
    OptimalityCertificate,
    integer_weights,
    optimal_matching,
    optimality_certificate,
)
from .rematch import RematchResult, rematch, residual_market
from .scoring import Contribution, PairScores, attribute_match, pair_contributions, score_pairs
from .stable import stable_matching, tie_break_orders

__all__ = [
    "STAGES",
    "Assignment",
    "Contribution",
    "Criterion",
    "Diagnostics",
    "GroupExplanation",
    "GroupSpec",
    "Grouping",
    "GroupingReport",
    "HardRules",
    "Market",
    "MarketBuild",
    "MatchingExplanation",
    "MatchingInputError",
    "MatchingReport",
    "Mentee",
    "Mentor",
    "OptimalityCertificate",
    "PairExplanation",
    "PairScores",
    "RematchResult",
    "UnmatchedExplanation",
    "Weights",
    "assess",
    "attribute_match",
    "blocking_pairs",
    "build_market",
    "check_grouping",
    "edges_of",
    "explain_group",
    "explain_grouping",
    "explain_matching",
    "explain_pair",
    "explain_unmatched",
    "feasibility_problems",
    "form_groups",
    "group_similarity",
    "integer_weights",
    "is_feasible",
    "is_stable",
    "optimal_matching",
    "optimality_certificate",
    "pair_contributions",
    "preference_tiers",
    "rematch",
    "residual_market",
    "score_pairs",
    "stable_matching",
    "tie_break_orders",
    "total_score",
]
