"""Programs and their weekly pairs; the director's pair overrides."""

import datetime

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema
from ninja.pagination import paginate

from medmentor.api.schemas import MAX_ID, READ_ERRORS, Pages
from medmentor.programs import selectors
from medmentor.programs.models import Pair, Program

router = Router(tags=["programs"])

SLUG = Path(..., max_length=80, description="The program's slug, e.g. `nm-must-see`.")
DAY = Path(
    ...,
    description=(
        "Any date in the week, as YYYY-MM-DD; the week runs Monday to Sunday, so its "
        "Monday is the usual choice."
    ),
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
    week = selectors.program_week_containing(program=program, day=day)
    return selectors.pairs_visible_to(week=week, viewer=request.auth)
