"""Statistics for program evaluation: pure functions over plain data (no Django).

Inputs are lists or numpy arrays with ``None``/``NaN`` for missing answers; outputs are
frozen dataclasses whose ``method`` says in words how each figure was computed and whose
``warnings`` list plain-English sentences about what the sample cannot show. Every figure
is checked in ``tests/stats`` against a published worked example.

Modules
-------
describe
    Per item and scale: n, missing, mean, SD, median, quartiles, distribution.
scales
    Scale scores (sum or mean, reverse scoring, missing-item rule); Cronbach's alpha.
paired
    Wilcoxon signed-rank test, paired t-test, rank-biserial correlation, Cohen's d_z.
unpaired
    Mann-Whitney U test and rank-biserial correlation for two independent groups.
agreement
    Percent agreement, Cohen's kappa, Krippendorff's alpha, agreement per qualitative code.
warnings
    Smallest attainable p-values and sample-size sentences.
"""

from medmentor.stats._common import NOT_COMPUTABLE, fmt_figure, fmt_p
from medmentor.stats.agreement import (
    CodeAgreement,
    CohensKappa,
    KrippendorffAlpha,
    PercentAgreement,
    code_agreement,
    cohens_kappa,
    cohens_kappa_from_table,
    coincidence_matrix,
    krippendorff_alpha,
    percent_agreement,
)
from medmentor.stats.describe import Descriptives, describe
from medmentor.stats.paired import (
    EffectSize,
    PairedComparison,
    PairedTTest,
    SignedRankTest,
    WaveSummary,
    cohens_dz,
    paired_comparison,
    paired_t_test,
    rank_biserial_paired,
    wilcoxon_signed_rank,
)
from medmentor.stats.scales import (
    CronbachAlpha,
    ScaleScores,
    cronbach_alpha,
    feldt_interval,
    reverse_items,
    scale_scores,
)
from medmentor.stats.unpaired import MannWhitneyTest, mann_whitney_u, rank_biserial_independent
from medmentor.stats.warnings import (
    mann_whitney_sample_size_warning,
    min_exact_mann_whitney_p,
    min_exact_wilcoxon_p,
    paired_t_sample_size_warning,
    wilcoxon_sample_size_warning,
)

__all__ = [
    "NOT_COMPUTABLE",
    "fmt_figure",
    "fmt_p",
    "CodeAgreement",
    "CohensKappa",
    "CronbachAlpha",
    "Descriptives",
    "EffectSize",
    "KrippendorffAlpha",
    "MannWhitneyTest",
    "PairedComparison",
    "PairedTTest",
    "PercentAgreement",
    "ScaleScores",
    "SignedRankTest",
    "WaveSummary",
    "code_agreement",
    "cohens_dz",
    "cohens_kappa",
    "cohens_kappa_from_table",
    "coincidence_matrix",
    "cronbach_alpha",
    "describe",
    "feldt_interval",
    "krippendorff_alpha",
    "mann_whitney_sample_size_warning",
    "mann_whitney_u",
    "min_exact_mann_whitney_p",
    "min_exact_wilcoxon_p",
    "paired_comparison",
    "paired_t_sample_size_warning",
    "paired_t_test",
    "percent_agreement",
    "rank_biserial_independent",
    "rank_biserial_paired",
    "reverse_items",
    "scale_scores",
    "wilcoxon_sample_size_warning",
    "wilcoxon_signed_rank",
]
