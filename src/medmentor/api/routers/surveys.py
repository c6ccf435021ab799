"""Surveys: instruments, waves with response counts, and the pre/post statistics.

Same permissions as the pages: directors, coordinators, faculty and researchers see
instruments and counts (never who answered); the statistics are for directors,
coordinators and researchers; learners get 403, other programs 404.
"""

import datetime
import math

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema

from medmentor.api.routers.programs import SLUG
from medmentor.api.schemas import MAX_ID, READ_ERRORS
from medmentor.programs import access
from medmentor.programs import selectors as program_selectors
from medmentor.surveys import selectors
from medmentor.surveys.models import Instrument

router = Router(tags=["surveys"])

INSTRUMENT_ID = Path(..., ge=1, le=MAX_ID, description="The survey's id.")


def _number(value) -> float | None:
    # JSON has no NaN: a figure that cannot be computed is null (its warnings say why).
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


class WaveOut(Schema):
    id: int
    kind: str = Field(description="pre, post or follow_up.")
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    invited: int
    answered: int
    declined: int = Field(description="People who declined consent: a count only.")
    response_rate: float | None = Field(
        description="answered / invited; null without invitations or when more answers "
        "than invitations were recorded (answers entered without an invitation)."
    )


class ItemOut(Schema):
    key: str
    text: str
    kind: str
    required: bool
    page: int
    choices: list[list[str]] = Field(description="[code, label] pairs of a closed item.")


class InstrumentOut(Schema):
    id: int
    title: str
    anonymity: str = Field(description="identified, coded or anonymous.")
    anonymity_in_plain_words: str
    waves: list[WaveOut]


class InstrumentDetailOut(InstrumentOut):
    items: list[ItemOut]


class FollowUpOut(Schema):
    n_pairs: int
    pre_median: float | None
    follow_up_median: float | None
    pre_mean: float | None
    follow_up_mean: float | None
    test: str
    p_value: float | None
    method: str
    effect_size: str
    effect: float | None
    effect_ci_low: float | None
    effect_ci_high: float | None
    t: float | None = Field(
        default=None, description="Paired t statistic; null when not computable."
    )
    df: int | None = Field(default=None, description="Degrees of freedom of the paired t-test.")
    t_p_value: float | None = Field(default=None, description="Two-sided p of the paired t-test.")
    mean_difference: float | None = Field(default=None, description="Mean of post - pre.")
    mean_difference_ci_low: float | None = None
    mean_difference_ci_high: float | None = None
    cohens_dz: float | None = Field(default=None, description="Cohen's d_z with its 95% CI.")
    cohens_dz_ci_low: float | None = None
    cohens_dz_ci_high: float | None = None
    warnings: list[str]


class ComparisonOut(Schema):
    scale: str
    score_min: float
    score_max: float
    n_pairs: int | None
    pre_median: float | None
    post_median: float | None
    pre_mean: float | None
    post_mean: float | None
    test: str
    p_value: float | None
    method: str
    effect_size: str
    effect: float | None
    effect_ci_low: float | None
    effect_ci_high: float | None
    t: float | None = Field(
        default=None, description="Paired t statistic; null when not computable."
    )
    df: int | None = Field(default=None, description="Degrees of freedom of the paired t-test.")
    t_p_value: float | None = Field(default=None, description="Two-sided p of the paired t-test.")
    mean_difference: float | None = Field(default=None, description="Mean of post - pre.")
    mean_difference_ci_low: float | None = None
    mean_difference_ci_high: float | None = None
    cohens_dz: float | None = Field(default=None, description="Cohen's d_z with its 95% CI.")
    cohens_dz_ci_low: float | None = None
    cohens_dz_ci_high: float | None = None
    cronbach_alpha: float | None
    warnings: list[str]
    follow_up: FollowUpOut | None = Field(
        description=(
            "Pre vs follow-up, paired the same way as pre vs post, when the survey has a "
            "follow-up wave with pairs; else null."
        )
    )


class MatchOut(Schema):
    exact: int
    tolerant: int
    ambiguous: int
    unmatched_pre: int
    unmatched_post: int
    match_rate: float | None = Field(
        description="(exact + tolerant) / pre codes; null when there are none."
    )
    expected_false_tolerant: float | None = Field(
        default=None,
        description=(
            "Estimated tolerant pairs joining two different people by chance, for this "
            "code design (estimated from the answers)."
        ),
    )
    effective_code_space: float | None = Field(
        default=None, description="How many equally likely codes the code design amounts to."
    )
    warnings: list[str] = Field(
        default_factory=list,
        description="False tolerant pairs likely, or a code space too small for the respondents.",
    )


class StatisticsOut(Schema):
    pairing: str
    code_match: MatchOut | None = Field(
        description="How pre and post codes were paired (coded surveys); else null."
    )
    follow_up_code_match: MatchOut | None = Field(
        default=None,
        description=(
            "How pre and follow-up codes were paired (coded surveys with a follow-up "
            "wave); else null. unmatched_post counts follow-up codes."
        ),
    )
    scales: list[ComparisonOut]


def _waves(instrument: Instrument) -> list[dict]:
    return [
        {
            "id": row.wave.pk,
            "kind": row.wave.kind,
            "opens_at": row.wave.opens_at,
            "closes_at": row.wave.closes_at,
            "invited": row.invited,
            "answered": row.submitted,
            "declined": row.declined,
            "response_rate": row.rate,
        }
        for row in selectors.wave_counts(instrument=instrument)
    ]


def _follow_up_out(comparison) -> dict | None:
    if comparison is None:
        return None
    return {
        "n_pairs": comparison.n_pairs,
        "pre_median": _number(comparison.pre.median),
        "follow_up_median": _number(comparison.post.median),
        "pre_mean": _number(comparison.pre.mean),
        "follow_up_mean": _number(comparison.post.mean),
        "test": "Wilcoxon signed-rank",
        "p_value": _number(comparison.wilcoxon.p_value),
        "method": comparison.wilcoxon.method,
        "effect_size": comparison.rank_biserial.name,
        "effect": _number(comparison.rank_biserial.estimate),
        "effect_ci_low": _number(comparison.rank_biserial.ci_low),
        "effect_ci_high": _number(comparison.rank_biserial.ci_high),
        **_t_and_dz(comparison),
        "warnings": list(comparison.warnings),
    }


def _t_and_dz(comparison) -> dict:
    """The paired t-test and d_z of a comparison, null where not computable."""
    t = comparison.t_test
    return {
        "t": _number(t.t),
        "df": t.df if _number(t.t) is not None else None,
        "t_p_value": _number(t.p_value),
        "mean_difference": _number(t.mean_difference),
        "mean_difference_ci_low": _number(t.ci_low),
        "mean_difference_ci_high": _number(t.ci_high),
        "cohens_dz": _number(comparison.cohens_dz.estimate),
        "cohens_dz_ci_low": _number(comparison.cohens_dz.ci_low),
        "cohens_dz_ci_high": _number(comparison.cohens_dz.ci_high),
    }


def _instrument_out(instrument: Instrument) -> dict:
    return {
        "id": instrument.pk,
        "title": instrument.title,
        "anonymity": instrument.anonymity,
        "anonymity_in_plain_words": instrument.anonymity_in_plain_words,
        "waves": _waves(instrument),
    }


def _instrument(request, slug: str, instrument_id: int, *, report: bool) -> Instrument:
    program = program_selectors.program_of_person(person=request.auth, slug=slug)
    try:
        return selectors.instrument_for_viewer(
            person=request.auth, program=program, pk=instrument_id, report=report
        )
    except Instrument.DoesNotExist:
        raise Instrument.DoesNotExist(f"No survey {instrument_id} in “{slug}”.") from None


@router.get(
    "/programs/{slug}/surveys",
    response={200: list[InstrumentOut], **READ_ERRORS},
    operation_id="program_surveys",
    summary="The program's surveys with response counts per wave",
    description=(
        "For directors, coordinators, faculty and researchers: each survey and, per wave, "
        "how many were invited, answered and declined — never who. Learners get 403."
    ),
)
def program_surveys(request: HttpRequest, slug: str = SLUG):
    program = program_selectors.program_of_person(person=request.auth, slug=slug)
    access.require(request.auth, program, "sees_aggregates", selectors.SURVEY_PAGE_REFUSED)
    return [_instrument_out(i) for i, _ in selectors.instruments_of_program(program=program)]


@router.get(
    "/programs/{slug}/surveys/{instrument_id}",
    response={200: InstrumentDetailOut, **READ_ERRORS},
    operation_id="survey_detail",
    summary="One survey: its items and waves with counts",
    description=(
        "For directors, coordinators, faculty and researchers: the survey's items in order "
        "(key, text, kind, required, page, choices) and its waves with response counts — "
        "never any answer or who gave it."
    ),
)
def survey_detail(request: HttpRequest, slug: str = SLUG, instrument_id: int = INSTRUMENT_ID):
    instrument = _instrument(request, slug, instrument_id, report=False)
    return {
        **_instrument_out(instrument),
        "items": [
            {
                "key": item.key,
                "text": item.text,
                "kind": item.kind,
                "required": item.required,
                "page": item.page,
                "choices": [list(option) for option in item.options()],
            }
            for item in instrument.items.all()
        ],
    }


@router.get(
    "/programs/{slug}/surveys/{instrument_id}/statistics",
    response={200: StatisticsOut, **READ_ERRORS},
    operation_id="survey_statistics",
    summary=(
        "Pre vs post (and pre vs follow-up) per scale: test, p, effect size with CI, "
        "method, warnings; the code match counts"
    ),
    description=(
        "For directors, coordinators and researchers. Paired (Wilcoxon signed-rank with "
        "the matched-pairs rank-biserial correlation) when pre and post answers can be "
        "paired — by person in identified surveys, by the self-generated code in coded "
        "ones — else Mann–Whitney U for anonymous surveys. With a follow-up wave, each "
        "scale also has its pre vs follow-up comparison, paired the same way. Coded "
        "surveys report how the pre and post codes were paired (exact, tolerant, "
        "ambiguous, unmatched)."
    ),
)
def survey_statistics(request: HttpRequest, slug: str = SLUG, instrument_id: int = INSTRUMENT_ID):
    instrument = _instrument(request, slug, instrument_id, report=True)
    report = selectors.survey_report(instrument=instrument)
    scales = []
    for row in report.scales:
        entry = {
            "scale": row.scale.name,
            "score_min": row.score_range[0],
            "score_max": row.score_range[1],
            "n_pairs": None,
            "pre_median": None,
            "post_median": None,
            "pre_mean": None,
            "post_mean": None,
            "test": "none",
            "p_value": None,
            "method": "",
            "effect_size": "",
            "effect": None,
            "effect_ci_low": None,
            "effect_ci_high": None,
            "cronbach_alpha": _number(row.alpha.alpha) if row.alpha else None,
            "warnings": list(row.warnings),
            "follow_up": _follow_up_out(row.follow_up),
        }
        if row.comparison:
            c = row.comparison
            entry.update(
                n_pairs=c.n_pairs,
                pre_median=_number(c.pre.median),
                post_median=_number(c.post.median),
                pre_mean=_number(c.pre.mean),
                post_mean=_number(c.post.mean),
                test="Wilcoxon signed-rank",
                p_value=_number(c.wilcoxon.p_value),
                method=c.wilcoxon.method,
                effect_size=c.rank_biserial.name,
                effect=_number(c.rank_biserial.estimate),
                effect_ci_low=_number(c.rank_biserial.ci_low),
                effect_ci_high=_number(c.rank_biserial.ci_high),
                warnings=list(c.warnings),
                **_t_and_dz(c),
            )
        elif row.unpaired:
            u = row.unpaired
            entry.update(
                test="Mann–Whitney U",
                p_value=_number(u.p_value),
                method=u.method,
                warnings=[*row.warnings, *u.warnings],
            )
        scales.append(entry)
    return {
        "pairing": report.pairing,
        "code_match": _match_out(report.match),
        "follow_up_code_match": _match_out(report.follow_up_match),
        "scales": scales,
    }


def _match_out(match) -> dict | None:
    if match is None:
        return None
    return {
        "exact": match.exact,
        "tolerant": match.tolerant,
        "ambiguous": match.ambiguous,
        "unmatched_pre": match.unmatched_pre,
        "unmatched_post": match.unmatched_post,
        "match_rate": _number(match.match_rate),
        "expected_false_tolerant": (
            _number(match.chance.expected_false_tolerant) if match.chance else None
        ),
        "effective_code_space": _number(match.chance.effective_code_space)
        if match.chance
        else None,
        "warnings": list(match.details),
    }
