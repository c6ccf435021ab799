"""One-to-one matching: run, read the draft with its explanations, publish.

The same permissions as the pages: the program's directors and coordinators only
(403 for everyone else enrolled, 404 for a program the caller is not in).
"""

import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Path, Router, Schema
from ninja.responses import Status
from pydantic import field_validator

from medmentor.api.routers.programs import SLUG
from medmentor.api.schemas import MAX_ID, READ_ERRORS, ErrorOut
from medmentor.mentoring import selectors, services
from medmentor.mentoring.models import MatchingRun
from medmentor.programs import kinds
from medmentor.programs.models import Program
from medmentor.programs.selectors import program_of_person

router = Router(tags=["matching"])

RUN_ID = Path(..., ge=1, le=MAX_ID, description="The matching run's id.")


class MatchingWeightsIn(Schema):
    specialty: float | None = Field(None, ge=0, le=10)
    interests: float | None = Field(None, ge=0, le=10)
    site: float | None = Field(None, ge=0, le=10)
    language: float | None = Field(None, ge=0, le=10)
    gender: float | None = Field(None, ge=0, le=10, description="Only where the mentee asked.")
    urim: float | None = Field(None, ge=0, le=10, description="Only where the mentee asked.")
    first_generation: float | None = Field(
        None, ge=0, le=10, description="Only where the mentee asked."
    )


class MatchingRulesIn(Schema):
    min_level_gap: int | None = Field(
        2,
        ge=0,
        le=20,
        description="A mentor at least this many training levels above the mentee; null: none.",
    )
    same_site: bool = False
    shared_availability: bool = False


class MatchingRunIn(Schema):
    objective: Literal["stable", "optimal"] = Field(
        "stable",
        description="`stable`: no blocking pair (mentee-proposing deferred acceptance); "
        "`optimal`: maximum total score, then most people matched.",
    )
    weights: MatchingWeightsIn | None = Field(
        None, description="Criterion weights, 0–10; omitted: defaults."
    )
    rules: MatchingRulesIn | None = Field(None, description="Hard rules; omitted: the defaults.")

    @field_validator("weights", "rules", mode="before")
    @classmethod
    def _an_object(cls, value: object) -> object:
        # ninja's schemas read attributes of any object; here only a JSON object will do
        if value is not None and not isinstance(value, dict):
            raise ValueError("must be an object of name: value")
        return value


class MatchingPersonOut(Schema):
    id: int
    full_name: str
    email: str


class MatchingPairOut(Schema):
    id: int
    mentee: MatchingPersonOut
    mentor: MatchingPersonOut
    score: float
    locked: bool
    kept: bool = Field(description="An existing pair (published or locked) the run kept.")
    reasons: list[str] = Field(description="The criteria that made the pair, largest first.")
    unmet: list[str] = Field(description="Concordance the mentee asked for and did not get.")
    contributions: dict[str, float] = Field(description="Each criterion's points.")
    summary: str

    @staticmethod
    def resolve_reasons(pair) -> list[str]:
        return [str(r) for r in pair.explanation.get("reasons", [])]

    @staticmethod
    def resolve_unmet(pair) -> list[str]:
        return [str(r) for r in pair.explanation.get("unmet", [])]

    @staticmethod
    def resolve_contributions(pair) -> dict[str, float]:
        return {str(k): float(v) for k, v in pair.explanation.get("contributions", {}).items()}

    @staticmethod
    def resolve_summary(pair) -> str:
        return str(pair.explanation.get("summary", ""))


class MatchingUnmatchedOut(Schema):
    person: MatchingPersonOut
    side: str = Field(description="`mentee` or `mentor`.")
    code: str
    reason: str = Field(description="The constraint that left them without a partner, in words.")


class MatchingObjectiveNumbers(Schema):
    matched: int
    unmatched: int
    total_score: float
    blocking_pairs: int


class MatchingRunOut(Schema):
    id: int
    program: str
    objective: str
    status: str = Field(description="queued, running, draft, published or failed.")
    error: str
    weights: dict[str, float]
    rules: dict[str, int | bool | None]
    created_at: datetime.datetime
    published_at: datetime.datetime | None
    mentees: int
    mentors: int
    matched: int
    unmatched: int
    total_score: float
    blocking_pairs: int
    tradeoff: dict[str, MatchingObjectiveNumbers] = Field(
        description=(
            "The same cohort under both objectives (the stable-vs-optimal trade-off), and "
            '"draft": the draft as it is after hand swaps, once there were any.'
        )
    )
    warnings: list[str]
    pairs: list[MatchingPairOut]
    unmatched_people: list[MatchingUnmatchedOut]


def _run_out(run: MatchingRun, viewer) -> dict:
    review = selectors.matching_review(run=run, viewer=viewer)
    return {
        "id": run.pk,
        "program": run.program.slug,
        "objective": run.objective,
        "status": run.status,
        "error": run.error,
        "weights": run.weights,
        "rules": run.rules,
        "created_at": run.created_at,
        "published_at": run.published_at,
        "mentees": run.mentees,
        "mentors": run.mentors,
        "matched": run.matched,
        "unmatched": run.unmatched,
        "total_score": run.total_score,
        "blocking_pairs": run.blocking_pairs,
        "tradeoff": {
            name: {k: numbers[k] for k in ("matched", "unmatched", "total_score", "blocking_pairs")}
            for name, numbers in run.tradeoff.items()
        },
        "warnings": run.warnings,
        "pairs": review.pairs,
        "unmatched_people": [
            {"person": u.person, "side": u.side, "code": u.code, "reason": u.reason}
            for u in review.unmatched
        ],
    }


def _one_to_one_program(request: HttpRequest, slug: str, operation: str) -> Program:
    """The caller's program `slug`; 404 unless it is a one-to-one program."""
    program = program_of_person(person=request.auth, slug=slug)
    kinds.require_page(program=program, page=f"api:{operation}")
    return program


def _staff_run(request: HttpRequest, slug: str, run_id: int, operation: str) -> MatchingRun:
    program = _one_to_one_program(request, slug, operation)
    return selectors.matching_run_for_staff(program=program, run_id=run_id, viewer=request.auth)


@router.post(
    "/programs/{slug}/matching/runs",
    response={201: MatchingRunOut, 400: ErrorOut, **READ_ERRORS},
    operation_id="matching_run_create",
    summary="Run matching (one-to-one programs)",
    description=(
        "Directors and coordinators run matching over the program's current mentees "
        "(juniors) and mentors (seniors). Published mentorships and the latest draft's "
        "locked pairs are kept. Small cohorts are solved at once (status `draft`); cohorts "
        "above 2,000 people are queued (`queued`) for the task runner. 422 with the person "
        "or rule named when the input is bad or no pair can be made; 404 when the program "
        "is not one-to-one; 403 for everyone but the staff."
    ),
)
def matching_run_create(request: HttpRequest, payload: MatchingRunIn, slug: str = SLUG):
    program = _one_to_one_program(request, slug, "matching_run_create")
    weights = payload.weights.model_dump(exclude_none=True) if payload.weights else None
    rules = payload.rules.model_dump() if payload.rules else None
    try:
        run = services.matching_run_create(
            program=program,
            objective=payload.objective,
            weights=weights,
            rules=rules,
            by=request.auth,
        )
    except services.MatchingError as refused:
        raise ValidationError(str(refused)) from refused
    return Status(201, _run_out(run, request.auth))


@router.get(
    "/programs/{slug}/matching/runs/{run_id}",
    response={200: MatchingRunOut, **READ_ERRORS},
    operation_id="matching_run_detail",
    summary="A matching run: the draft with its explanations",
    description=(
        "The run's status, summary and trade-off, every pair with each criterion's "
        "contribution, and the people left without a partner with the reason. Directors "
        "and coordinators only."
    ),
)
def matching_run_detail(request: HttpRequest, slug: str = SLUG, run_id: int = RUN_ID):
    return _run_out(_staff_run(request, slug, run_id, "matching_run_detail"), request.auth)


@router.post(
    "/programs/{slug}/matching/runs/{run_id}/publish",
    response={200: MatchingRunOut, **READ_ERRORS},
    operation_id="matching_run_publish",
    summary="Publish a draft: mentorships and an email to each matched person",
    description=(
        "Makes the draft's pairs the program's mentorships (current ones not in the draft "
        "end today) and emails each matched person their partner's name with a sign-in "
        "link, once per run. 422 when the run is not a draft."
    ),
)
def matching_run_publish(request: HttpRequest, slug: str = SLUG, run_id: int = RUN_ID):
    run = _staff_run(request, slug, run_id, "matching_run_publish")
    try:
        services.matching_run_publish(run=run, by=request.auth)
    except services.MatchingError as refused:
        raise ValidationError(str(refused)) from refused
    run.refresh_from_db()
    return _run_out(run, request.auth)
