"""Programs and their weekly pairs; the director's pair overrides."""

import datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Path, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from medmentor.api.schemas import MAX_ID, READ_ERRORS, ErrorOut, Pages
from medmentor.people.models import Person
from medmentor.programs import kinds, selectors, services
from medmentor.programs.models import Pair, Program

router = Router(tags=["programs"])

SLUG = Path(
    ...,
    max_length=80,
    # A slug's own characters only: anything else (a NUL byte, say, which PostgreSQL
    # refuses outright) is a clear 422 before it reaches the database.
    pattern=r"^[-a-zA-Z0-9_]+$",
    description="The program's slug, e.g. `nm-must-see`.",
    example="nm-must-see",
)
DAY = Path(
    ...,
    description=(
        "Any date in the week, as YYYY-MM-DD; the week runs Monday to Sunday, so its "
        "Monday is the usual choice."
    ),
    example="2026-11-02",
)


class ProgramOut(Schema):
    slug: str
    name: str
    kind: str = Field(description="case_review, one_to_one, peer_group, conference, …")
    institution: str
    service: str | None = Field(description="The clinical service of a case-review program.")
    description: str
    starts_on: datetime.date = Field(description="Monday of the program's first week.")
    time_zone: str
    my_roles: list[str] = Field(description="Your roles in this program.")

    @staticmethod
    def resolve_institution(program: Program) -> str:
        return program.institution.name

    @staticmethod
    def resolve_service(program: Program) -> str | None:
        return program.service.name if program.service_id else None

    @staticmethod
    def resolve_my_roles(program: Program) -> list[str]:
        return sorted(enrollment.role for enrollment in program.viewer_enrollments)


class PairPersonOut(Schema):
    id: int
    full_name: str
    training_level: str


class PairOut(Schema):
    id: int
    week_starts_on: datetime.date
    junior: PairPersonOut
    senior: PairPersonOut
    origin: str = Field(description="`schedule` (derived) or `director` (set by hand).")

    @staticmethod
    def resolve_week_starts_on(pair: Pair) -> datetime.date:
        return pair.week.starts_on


class PairIn(Schema):
    junior_id: int = Field(ge=1, le=MAX_ID, description="Id of a junior enrolled in the program.")
    senior_id: int = Field(ge=1, le=MAX_ID, description="Id of a senior enrolled in the program.")


@router.get(
    "/programs",
    response={200: list[ProgramOut], **READ_ERRORS},
    operation_id="programs_list",
    summary="Your programs",
    description="The programs you are enrolled in, in any role, by name, with your roles.",
)
@paginate(Pages)
def programs_list(request: HttpRequest):
    return selectors.programs_of_person(person=request.auth)


@router.get(
    "/programs/{slug}",
    response={200: ProgramOut, **READ_ERRORS},
    operation_id="program_detail",
    summary="One of your programs",
    description="One program you are enrolled in; 404 for any other.",
)
def program_detail(request: HttpRequest, slug: str = SLUG):
    return selectors.program_of_person(person=request.auth, slug=slug)


@router.get(
    "/programs/{slug}/weeks/{day}/pairs",
    response={200: list[PairOut], **READ_ERRORS},
    operation_id="week_pairs",
    summary="The week's junior–senior pairs",
    description=(
        "The current pairs of the week holding `day`. Directors and coordinators see "
        "every pair; a senior or a junior sees only the pairs they are in; faculty and "
        "researchers get 403 (they see program-level aggregates only). 404 when the "
        "program has no such week."
    ),
)
@paginate(Pages)
def week_pairs(request: HttpRequest, slug: str = SLUG, day: datetime.date = DAY):
    program = selectors.program_of_person(person=request.auth, slug=slug)
    kinds.require_page(program=program, page="api:week_pairs")
    week = selectors.program_week_containing(program=program, day=day)
    return selectors.pairs_visible_to(week=week, viewer=request.auth)


@router.post(
    "/programs/{slug}/weeks/{day}/pairs",
    response={201: PairOut, 400: ErrorOut, 409: ErrorOut, **READ_ERRORS},
    operation_id="week_pair_add",
    summary="Pair a junior with a senior for the week (director override)",
    description=(
        "Directors and coordinators pair a junior with a senior for the week holding "
        "`day`. The pair is kept when the pairs are derived again from the schedule; "
        "adding a pair removed earlier brings it back, with its marks. 422 when either "
        "person is not enrolled in the program in that role; 409 when the week is over "
        "(finished weeks never change, so the program's figures never move); 403 for "
        "everyone but the staff."
    ),
)
def week_pair_add(
    request: HttpRequest, payload: PairIn, slug: str = SLUG, day: datetime.date = DAY
):
    program = selectors.program_of_person(person=request.auth, slug=slug)
    kinds.require_page(program=program, page="api:week_pair_add")
    week = selectors.program_week_containing(program=program, day=day)
    try:
        junior = selectors.person_in_program_for_staff(
            program=program, person_id=payload.junior_id, viewer=request.auth
        )
        senior = selectors.person_in_program_for_staff(
            program=program, person_id=payload.senior_id, viewer=request.auth
        )
    except Person.DoesNotExist as unknown:
        raise ValidationError(str(unknown)) from unknown
    try:
        pair = services.pair_add(week=week, junior=junior, senior=senior, by=request.auth)
    except services.PairError as refused:
        raise ValidationError(str(refused)) from refused
    return Status(201, pair)


@router.delete(
    "/programs/{slug}/weeks/{day}/pairs/{pair_id}",
    response={204: None, 409: ErrorOut, **READ_ERRORS},
    operation_id="week_pair_remove",
    summary="End a pair for the week (director override)",
    description=(
        "Directors and coordinators end a pair of the week holding `day`. The pair is "
        "kept as removed, with its marks (no longer counted), so deriving the pairs again "
        "does not bring it back. 409 when the week is over (finished weeks never change); "
        "404 when the week has no such current pair; 403 for everyone but the staff."
    ),
)
def week_pair_remove(
    request: HttpRequest,
    slug: str = SLUG,
    day: datetime.date = DAY,
    pair_id: int = Path(..., ge=1, le=MAX_ID, description="The pair's id."),
):
    program = selectors.program_of_person(person=request.auth, slug=slug)
    kinds.require_page(program=program, page="api:week_pair_remove")
    week = selectors.program_week_containing(program=program, day=day)
    pair = selectors.pair_in_week(week=week, pair_id=pair_id, viewer=request.auth)
    services.pair_remove(pair=pair, by=request.auth)
    return Status(204, None)
