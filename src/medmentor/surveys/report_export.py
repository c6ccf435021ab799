"""The report's statistics per scale as flat rows: one row per comparison (pre vs post,
pre vs follow-up) with both tests, the paired t-test's t, df, mean difference and its
interval, and both effect sizes with intervals. The CSV export and the API read these
same rows, so they cannot disagree with each other; the page and its PDF show the same
figures through one template."""

import csv
import io
import math

from medmentor import stats
from medmentor.csv_safety import SafeWriter

COLUMNS = [
    "scale",
    "comparison",
    "test",
    "n_pairs",
    "n_first_wave",
    "n_second_wave",
    "first_median",
    "second_median",
    "first_mean",
    "second_mean",
    "p_value",
    "t",
    "df",
    "t_p_value",
    "mean_difference",
    "mean_difference_ci_low",
    "mean_difference_ci_high",
    "rank_biserial",
    "rank_biserial_ci_low",
    "rank_biserial_ci_high",
    "cohens_dz",
    "cohens_dz_ci_low",
    "cohens_dz_ci_high",
    "cronbach_alpha",
    "method",
    "warnings",
]


def number(value) -> float | None:
    """A figure, or None where it is not computable (never NaN)."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


def _paired(scale_name: str, label: str, c: stats.PairedComparison, alpha) -> dict:
    t = c.t_test
    return {
        "scale": scale_name,
        "comparison": label,
        "test": "Wilcoxon signed-rank",
        "n_pairs": c.n_pairs,
        "n_first_wave": c.n_pairs,
        "n_second_wave": c.n_pairs,
        "first_median": number(c.pre.median),
        "second_median": number(c.post.median),
        "first_mean": number(c.pre.mean),
        "second_mean": number(c.post.mean),
        "p_value": number(c.wilcoxon.p_value),
        "t": number(t.t),
        "df": t.df if number(t.t) is not None else None,
        "t_p_value": number(t.p_value),
        "mean_difference": number(t.mean_difference),
        "mean_difference_ci_low": number(t.ci_low),
        "mean_difference_ci_high": number(t.ci_high),
        "rank_biserial": number(c.rank_biserial.estimate),
        "rank_biserial_ci_low": number(c.rank_biserial.ci_low),
        "rank_biserial_ci_high": number(c.rank_biserial.ci_high),
        "cohens_dz": number(c.cohens_dz.estimate),
        "cohens_dz_ci_low": number(c.cohens_dz.ci_low),
        "cohens_dz_ci_high": number(c.cohens_dz.ci_high),
        "cronbach_alpha": alpha,
        "method": f"{c.wilcoxon.method} {t.method}",
        "warnings": list(c.warnings),
    }


def scale_rows(report) -> list[dict]:
    """One dict per comparison of the report (keys: COLUMNS), figures as numbers or
    None."""
    rows = []
    for row in report.scales:
        alpha = number(row.alpha.alpha) if row.alpha else None
        name = row.scale.name
        if row.comparison:
            rows.append(_paired(name, "pre vs post", row.comparison, alpha))
        elif row.unpaired:
            u = row.unpaired
            empty = dict.fromkeys(COLUMNS)
            empty.update(
                scale=name,
                comparison="pre vs post (independent groups)",
                test="Mann–Whitney U",
                n_first_wave=row.pre_n,
                n_second_wave=row.post_n,
                p_value=number(u.p_value),
                cronbach_alpha=alpha,
                method=u.method,
                warnings=[*row.warnings, *u.warnings],
            )
            rows.append(empty)
        else:
            empty = dict.fromkeys(COLUMNS)
            empty.update(
                scale=name,
                comparison="pre vs post",
                test="none",
                cronbach_alpha=alpha,
                method="",
                warnings=list(row.warnings) or ["Not enough answers to compare."],
            )
            rows.append(empty)
        if row.follow_up:
            rows.append(_paired(name, "pre vs follow-up", row.follow_up, None))
    return rows


def _cell(column: str, value):
    if column in ("scale", "comparison", "test", "method"):
        return value or ""
    if column == "warnings":
        return " ".join(value or [])
    if value is None:
        return stats.NOT_COMPUTABLE
    if isinstance(value, int):
        return value
    if column.endswith("p_value"):
        # Exact enough to re-use; a spreadsheet reads 1e-14 as a number.
        return f"{value:.4g}"
    return stats.fmt_figure(value, 4)


def statistics_csv(*, report) -> str:
    """The statistics per scale as CSV, "not computable" in words where a figure is."""
    buffer = io.StringIO()
    writer = SafeWriter(csv.writer(buffer, lineterminator="\r\n"))
    writer.writerows(
        [COLUMNS, *([_cell(c, row[c]) for c in COLUMNS] for row in scale_rows(report))]
    )
    return buffer.getvalue()
