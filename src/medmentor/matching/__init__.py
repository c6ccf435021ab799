"""medmentor's matching engine: pairs and groups, stable or optimal, explained.

Pure Python + numpy/scipy/OR-Tools, no Django import: the adapter in
``medmentor.programs`` turns models into :class:`Mentee` / :class:`Mentor`
records (or a :class:`Market` directly) and the :class:`Assignment` /
:class:`~medmentor.matching.groups.Grouping` results back into pairs and
groups.

Typical use::

    built = build_market(mentees, mentors, HardRules(min_level_gap=2), Weights.default())
    draft = stable_matching(built.market, seed=7)       # or optimal_matching(...)
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
from .scoring import Contribution, PairScores, attribute_match, pair_contributions, score_pairs
from .stable import stable_matching, tie_break_orders

__all__ = [
    "STAGES",
    "Assignment",
    "Contribution",
    "Criterion",
    "Diagnostics",
    "GroupExplanation",
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
    "UnmatchedExplanation",
    "Weights",
    "assess",
    "attribute_match",
    "blocking_pairs",
    "build_market",
    "edges_of",
    "explain_group",
    "explain_matching",
    "explain_pair",
    "explain_unmatched",
    "feasibility_problems",
    "integer_weights",
    "is_feasible",
    "is_stable",
    "optimal_matching",
    "optimality_certificate",
    "pair_contributions",
    "preference_tiers",
    "score_pairs",
    "stable_matching",
    "tie_break_orders",
    "total_score",
]
