"""People: who the caller is, and who is enrolled in a program (staff only)."""

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from medmentor.api.routers.programs import SLUG
from medmentor.api.schemas import READ_ERRORS, Pages
from medmentor.people.models import Person
from medmentor.programs import selectors as program_selectors

router = Router(tags=["people"])


class MeOut(Schema):
    id: int
    full_name: str
    email: str
    training_level: str


class EnrolledPersonOut(Schema):
    id: int
    full_name: str
    email: str
    training_level: str
    roles: list[str] = Field(description="The person's roles in this program.")

    @staticmethod
    def resolve_roles(person: Person) -> list[str]:
        return [enrollment.role for enrollment in person.program_enrollments]


@router.get(
    "/me",
    response={200: MeOut, 401: READ_ERRORS[401]},
    operation_id="me",
    summary="Who you are",
    description="The person the token or session signs in: a quick check that a token works.",
)
def me(request: HttpRequest):
    return request.auth


@router.get(
    "/programs/{slug}/people",
    response={200: list[EnrolledPersonOut], **READ_ERRORS},
    operation_id="program_people",
    summary="Everyone enrolled in a program",
    description=(
        "Everyone enrolled in the program, with their roles, by name. Directors and "
        "coordinators only: faculty and researchers see program-level aggregates, and "
        "seniors and juniors see their own pairs (403 for them); 404 for a program you "
        "are not enrolled in."
    ),
)
@paginate(Pages)
def program_people(
    request: HttpRequest,
    slug: str = SLUG,
):
    program = program_selectors.program_of_person(person=request.auth, slug=slug)
    return program_selectors.program_people(program=program, viewer=request.auth)
