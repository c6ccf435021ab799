"""Pure matching engine (no Django)."""

from .checks import (
    MatchingReport,
    assess,
    blocking_pairs,
    feasibility_problems,
    is_feasible,
    is_stable,
    total_score,
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
)
from .stable import stable_matching, tie_break_orders

__all__ = [
    "Assignment",
    "Criterion",
    "HardRules",
    "Market",
    "MatchingInputError",
    "MatchingReport",
    "Mentee",
    "Mentor",
    "Weights",
    "assess",
    "blocking_pairs",
    "feasibility_problems",
    "is_feasible",
    "is_stable",
    "stable_matching",
    "tie_break_orders",
    "total_score",
]
