"""Every write of one-to-one programs, one module per concern; callers import from here.

- `matching` — the adapter between the models and the pure `medmentor.matching`
  (`matching_run_create` … `matching_conflict_remove`, `MatchingError`).
- `health` — relationship health: settings, nudges, the private mid-program check, its
  daily job, re-pairing a pair that asked for help (`HealthError`).
- `reflections` — mentor reflections, consent, and their export to the researchers.
- `profiles` — the matching profiles import (`matching_profiles_import`), on the
  programs import engine, so the preview and the import run the same code.
- `pairs` — the pair's home: each person's own profile (`mentoring_profile_update`) and
  the pair's goals (`goal_create`, `goal_update`, `PairError`).

The public names of each module are re-exported below, so
`from medmentor.mentoring.services import X` and `services.X` work.
"""

from medmentor.mentoring.services.health import (
    HealthError,
    mentoring_health_enqueue_due,
    mentoring_settings_of,
    mentoring_settings_update,
    mentorship_repair,
    mid_check_send,
    pair_check_answer,
    pair_nudge,
)
from medmentor.mentoring.services.matching import (
    CONCORDANCE_ATTRIBUTES,
    MATCHING_CRITERIA,
    MATCHING_DEFAULT_RULES,
    MATCHING_DEFAULT_WEIGHTS,
    MATCHING_INLINE_LIMIT,
    MATCHING_MAX_GAP,
    MATCHING_MAX_WEIGHT,
    MatchingCohort,
    MatchingCriterion,
    MatchingError,
    matching_cohort,
    matching_conflict_add,
    matching_conflict_remove,
    matching_pair_lock,
    matching_pair_swap,
    matching_rules_clean,
    matching_run_create,
    matching_run_execute,
    matching_run_publish,
    matching_weights_clean,
)
from medmentor.mentoring.services.pairs import (
    PairError,
    goal_create,
    goal_update,
    mentoring_profile_update,
)
from medmentor.mentoring.services.profiles import (
    MATCHING_PROFILE_ALIASES,
    MATCHING_PROFILE_COLUMNS,
    matching_profiles_import,
)
from medmentor.mentoring.services.reflections import (
    reflection_consent_set,
    reflection_write,
    reflections_export,
)

__all__ = [
    "HealthError",
    "mentoring_health_enqueue_due",
    "mentoring_settings_of",
    "mentoring_settings_update",
    "mentorship_repair",
    "mid_check_send",
    "pair_check_answer",
    "pair_nudge",
    "reflection_consent_set",
    "reflection_write",
    "reflections_export",
    "CONCORDANCE_ATTRIBUTES",
    "MATCHING_CRITERIA",
    "MATCHING_DEFAULT_RULES",
    "MATCHING_DEFAULT_WEIGHTS",
    "MATCHING_INLINE_LIMIT",
    "MATCHING_MAX_GAP",
    "MATCHING_MAX_WEIGHT",
    "MATCHING_PROFILE_ALIASES",
    "MATCHING_PROFILE_COLUMNS",
    "MatchingCohort",
    "MatchingCriterion",
    "MatchingError",
    "PairError",
    "goal_create",
    "goal_update",
    "mentoring_profile_update",
    "matching_cohort",
    "matching_conflict_add",
    "matching_conflict_remove",
    "matching_pair_lock",
    "matching_pair_swap",
    "matching_profiles_import",
    "matching_rules_clean",
    "matching_run_create",
    "matching_run_execute",
    "matching_run_publish",
    "matching_weights_clean",
]
