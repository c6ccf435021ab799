"""Curriculum: each program week with its topic, and the cases a week teaches.

Cases come with their questions and answers, as the seed has it (both junior and
senior may read them from the start of the week); nobody's progress — blind or
read-first, revealed answers, reviewed or skipped — is part of any answer.
"""

import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from medmentor.api.routers.programs import DAY, SLUG
from medmentor.api.schemas import READ_ERRORS, Pages
from medmentor.curriculum import selectors
from medmentor.curriculum.models import Case, CaseImage, ServiceDay, case_date
from medmentor.programs import kinds
from medmentor.programs import selectors as program_selectors
from medmentor.programs.models import ProgramWeek

router = Router(tags=["curriculum"])


class WeekOut(Schema):
    starts_on: datetime.date = Field(description="Monday of the week.")
    ends_on: datetime.date = Field(description="Sunday of the week.")
    curriculum_week_number: int | None = Field(
        description="The curriculum week taught, or null when none is planned."
    )
    topic: str | None = Field(description="The week's topic, or null when none is planned.")

    @staticmethod
    def resolve_ends_on(week: ProgramWeek) -> datetime.date:
        return week.ends_on


class CaseImageOut(Schema):
    url: str
    alt_text: str
    caption: str

    @staticmethod
    def resolve_url(image: CaseImage) -> str:
        return image.image.url


class QuestionOut(Schema):
    id: int
    order: int
    text: str
    answer: str


class CaseOut(Schema):
    id: int
    day: int = Field(description="0 for Monday … 4 for Friday.")
    day_name: str
    date: datetime.date = Field(description="The service day of the case in this week.")
    title: str
    history: str
    teaching_points: str
    images: list[CaseImageOut]
    questions: list[QuestionOut]

    @staticmethod
    def resolve_day_name(case: Case) -> str:
        return ServiceDay(case.day).label

    @staticmethod
    def resolve_date(case: Case, context) -> datetime.date:
        # The same case may be taught in several program weeks (a curriculum cycles):
        # its date is the one in the week asked for, which the view notes on the request.
        return case_date(context["request"].week_starts_on, case.day)

    @staticmethod
    def resolve_images(case: Case) -> list[CaseImage]:
        return list(case.images.all())

    @staticmethod
    def resolve_questions(case: Case) -> list:
        return list(case.questions.all())


@router.get(
    "/programs/{slug}/weeks",
    response={200: list[WeekOut], **READ_ERRORS},
    operation_id="program_weeks",
    summary="The program's weeks, with their topics",
    description=(
        "Every week of the program in date order, with the curriculum week and topic it "
        "teaches. Anyone enrolled in the program may see them; 404 for other programs."
    ),
)
@paginate(Pages)
def program_weeks(request: HttpRequest, slug: str = SLUG):
    program = program_selectors.program_of_person(person=request.auth, slug=slug)
    kinds.require_page(program=program, page="api:program_weeks")
    return selectors.program_weeks_with_topics(program=program, viewer=request.auth)


@router.get(
    "/programs/{slug}/weeks/{day}/cases",
    response={200: list[CaseOut], **READ_ERRORS},
    operation_id="week_cases",
    summary="The week's must-see cases, with questions and answers",
    description=(
        "The daily cases the week holding `day` teaches, Monday to Friday, each with its "
        "images, questions and answers. Directors and coordinators see every week; a "
        "junior or senior sees the weeks they are paired in, from the week's Monday on; "
        "faculty and researchers get 403. No learner's progress is ever included."
    ),
)
@paginate(Pages)
def week_cases(request: HttpRequest, slug: str = SLUG, day: datetime.date = DAY):
    program = program_selectors.program_of_person(person=request.auth, slug=slug)
    kinds.require_page(program=program, page="api:week_cases")
    week = program_selectors.program_week_containing(program=program, day=day)
    request.week_starts_on = week.starts_on
    return selectors.week_cases_for(program_week=week, viewer=request.auth)


class FigureOut(Schema):
    people: int = Field(description="Distinct juniors and seniors behind the figure.")
    shown: bool = Field(
        description="False when fewer than `min_group_size` people, or the week is not over."
    )
    reviewed_percent: int | None = Field(
        description="Share of case slots (cases × pairs) marked reviewed; null unless shown."
    )
    pending: bool = Field(description="The week is not over yet.")
    has_cases: bool = Field(description="False when no curriculum week or no pair gave cases.")


class WeekFigureOut(FigureOut):
    starts_on: datetime.date


class ParticipationOut(Schema):
    min_group_size: int = Field(description="The smallest group a figure may describe.")
    overall: FigureOut
    weeks: list[WeekFigureOut]


@router.get(
    "/programs/{slug}/participation",
    response={200: ParticipationOut, **READ_ERRORS},
    operation_id="program_participation",
    summary="Program-level participation (aggregates only)",
    description=(
        "For directors, coordinators, faculty and researchers: per week and overall, the "
        "share of case slots the pairs marked reviewed — only over groups of at least "
        "`min_group_size` people and only once a week is over; otherwise `shown` is false "
        'and the figure null ("too few to show"). Skips, learning styles and revealed '
        "answers are never reported. Learners get 403. Not paginated: one row per week."
    ),
)
def program_participation(request: HttpRequest, slug: str = SLUG):
    program = program_selectors.program_of_person(person=request.auth, slug=slug)
    kinds.require_page(program=program, page="api:program_participation")
    summary = selectors.participation_visible_to(program=program, viewer=request.auth)
    weeks = selectors.program_weeks_with_topics(program=program, viewer=request.auth)
    starts_on = {week.pk: week.starts_on for week in weeks}
    return {
        "min_group_size": summary.min_group_size,
        "overall": _figure(summary.overall),
        "weeks": [
            {**_figure(row), "starts_on": starts_on[week_id]}
            for week_id, row in sorted(summary.weeks.items(), key=lambda item: starts_on[item[0]])
        ],
    }


def _figure(row) -> dict:
    return {
        "people": row.people,
        "shown": row.shown,
        "reviewed_percent": row.reviewed_percent,
        "pending": row.pending,
        "has_cases": row.has_cases,
    }
