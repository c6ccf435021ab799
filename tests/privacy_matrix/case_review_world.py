"""The world of the case-review matrix (tests/test_privacy_matrix.py) and of the
matrices that share it: the one-to-one program of the same people
(test_mentoring.py), the pair's meeting (test_meetings.py), the survey
(test_surveys.py), the focus-group transcript (test_qualitative.py) and the people
pages (test_people.py).

One world, because the same people hold the same roles in both programs: each of
these modules makes it once for itself (`rows_for_the_module`), and a private fact of
any of them is flipped against every page and API row of all of them
(`endpoints_on_this_world`), so the junior's learning style must not show on the
matching run and the pair's check must not show on the workspace.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType, SimpleNamespace

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from medmentor.curriculum.models import WeekPlan
from medmentor.meetings.services import meeting_plan
from medmentor.mentoring.models import MatchingConflict, Mentorship, PairCheck
from medmentor.mentoring.services import (
    goal_create,
    matching_run_create,
    mentoring_profile_update,
    mid_check_send,
    reflection_write,
)
from medmentor.messaging.models import OutboxMessage
from medmentor.people.models import Person
from medmentor.programs.access import SYSTEM
from medmentor.programs.models import Enrollment, Pair, Program, ProgramKind, ProgramWeek
from medmentor.qualitative import services as qualitative_services
from tests.conftest import (
    PROGRAM_PEOPLE,
    make_case_week,
    make_institution,
    make_outsider,
    make_program,
    make_program_person,
    make_service,
)
from tests.mentoring.pairs import image_bytes
from tests.privacy_matrix.support import (
    Endpoint,
    expect,
    leaks,
    matrix_modules,
    module_fixtures,
    snapshot,
)
from tests.surveys.conftest import make_survey

_PHOTO = image_bytes(kind="JPEG")

# Each role is a named test person (tests/conftest.py); `peer` and `peer_senior` are the
# other pair of the same week, `outsider` is enrolled in another program.
ROLE_PEOPLE = {
    "director": "director",
    "coordinator": "coordinator",
    "faculty": "faculty",
    "researcher": "researcher",
    "senior": "senior",
    "junior": "junior",
    "peer": "other_junior",
    "peer_senior": "other_senior",
    "outsider": "outsider",
    "anonymous": None,
}
ROLES = list(ROLE_PEOPLE)
# The role a page is made for, first match wins (the phone-width browser test).
MAIN_ROLES = ("director", "junior", "senior", "researcher", "coordinator", "faculty")

STAFF = ("director", "coordinator")
LEARNERS = ("junior", "senior", "peer", "peer_senior")


def expect_of(allowed: dict[str, int], **kwargs) -> dict[str, int | str]:
    """`support.expect` for this world's roles."""
    return expect(ROLES, allowed, **kwargs)


LEARNER_PAGE = expect_of(dict.fromkeys(LEARNERS, 200))
DASHBOARD = expect_of(dict.fromkeys((*STAFF, "faculty", "researcher"), 200))
STAFF_PAGE = expect_of(dict.fromkeys(STAFF, 200))
STAFF_WRITE = expect_of(dict.fromkeys(STAFF, 302))
RESEARCHER_ONLY = expect_of({"researcher": 200})


def today(world) -> str:
    return world.today.isoformat()


def api(path: str) -> Callable[[SimpleNamespace], str]:
    """An API URL of the case-review program: `{slug}` and `{day}` (this week) filled."""
    return lambda world: "/api/" + path.format(slug=world.program.slug, day=today(world))


# The API rows' URLs with the schema's placeholders for the world's rows: the operations
# (method, schema path) a matrix's `API` rows cover, for the coverage test.
_PLACEHOLDERS = SimpleNamespace(
    program=SimpleNamespace(slug="{slug}"),
    today=SimpleNamespace(isoformat=lambda: "{day}"),
    matching_program=SimpleNamespace(slug="{slug}"),
    matching_run=SimpleNamespace(pk="{run_id}"),
    survey=SimpleNamespace(pk="{instrument_id}"),
    qualitative=SimpleNamespace(document=SimpleNamespace(pk="{document_id}")),
)


def api_operations(endpoints: list[Endpoint]) -> list[tuple[str, str]]:
    return [(endpoint.method, endpoint.url(_PLACEHOLDERS)) for endpoint in endpoints]


# --- the world ----------------------------------------------------------------------------


def make_matrix_rows() -> SimpleNamespace:
    """The people (by fixture name, plus "program") and the world; the phone-width
    browser test (tests/browser/test_phone_width_browser.py) visits the same pages."""
    institution = make_institution()
    program = make_program(institution, make_service(institution))
    people = {name: make_program_person(name, program, institution) for name in PROGRAM_PEOPLE}
    people["outsider"] = make_outsider(institution)
    people["program"] = program
    case_week = make_case_week(
        program,
        people["junior"],
        people["senior"],
        people["other_junior"],
        people["other_senior"],
    )
    return SimpleNamespace(
        people=people,
        world=_world(case_week, program, people["director"], people["researcher"]),
    )


def world_with_files(rows) -> SimpleNamespace:
    """The world of `rows`. The rows were made once with the module's media folder;
    each test has its own (tests/conftest.py), so the junior's photo file is put back
    in it by name."""
    name = rows.world.pair_photo.photo.name
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(_PHOTO))
    return rows.world


def _world(case_week, program, director, researcher):
    """The case_week program, plus last week taught by the same curriculum week to the
    same two pairs (so last week is over, with four people: too few to show)."""
    last_week = ProgramWeek.objects.create(
        program=program, starts_on=case_week.week.starts_on - datetime.timedelta(weeks=1)
    )
    WeekPlan.objects.create(program_week=last_week, curriculum_week=case_week.curriculum_week)
    last_pairs = [
        Pair.objects.create(week=last_week, junior=pair.junior, senior=pair.senior)
        for pair in (case_week.pair, case_week.other_pair)
    ]
    email = OutboxMessage.objects.create(
        key="weekly:matrix",
        to_email=case_week.pair.junior.email,
        person=case_week.pair.junior,
        subject="Welcome to Nuclear Medicine",
        text_body="This week: thyroid scintigraphy.",
        topic=f"program:{program.pk}",
    )
    matching = _one_to_one_program(program, director)
    matching.update(_health_world(matching["matching_program"], case_week.pair))
    survey = make_survey(program)
    return SimpleNamespace(
        meeting=_meeting_world(program, case_week.pair),
        **matching,
        qualitative=_qualitative_world(program, researcher),
        survey=survey,
        survey_wave=survey.waves.get(kind="pre"),
        program=program,
        today=case_week.today,
        week=case_week.week,
        email=email,
        case=case_week.cases[0],
        cases=case_week.cases,
        pair=case_week.pair,
        junior_pairs=[case_week.pair, last_pairs[0]],
        junior=case_week.pair.junior,
    )


def _meeting_world(program, pair):
    """A meeting of the pair next week, planned by its senior."""
    start = timezone.now() + datetime.timedelta(days=7)
    return meeting_plan(
        program=program,
        organizer=pair.senior,
        participants=[pair.senior, pair.junior],
        title="Pair meeting",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        agenda="Private agenda",
    )


def _one_to_one_program(program, director):
    """A one-to-one program with the same people in the same roles, and a draft run
    pairing its two juniors with its two seniors."""
    matching_program = Program.objects.create(
        name="Near-peer mentoring",
        slug="near-peer",
        kind=ProgramKind.ONE_TO_ONE,
        institution=program.institution,
        starts_on=program.starts_on,
    )
    Enrollment.objects.bulk_create(
        Enrollment(program=matching_program, person_id=person_id, role=role)
        for person_id, role in program.enrollments.values_list("person_id", "role")
    )
    run = matching_run_create(program=matching_program, objective="stable", by=director)
    pairs = list(run.pairs.order_by("pk"))
    conflict = MatchingConflict.objects.create(
        program=matching_program, mentor=pairs[1].mentor, mentee=pairs[0].mentee
    )
    # The published pairs of the near-peer program: each junior with their own senior
    # (the same pairs as the case-review week), a goal and the junior's photo.
    by_email = {p.email: p for p in Person.objects.filter(enrollments__program=matching_program)}
    mentorships = [
        Mentorship.objects.create(
            program=matching_program,
            mentee=by_email[PROGRAM_PEOPLE[junior][0]],
            mentor=by_email[PROGRAM_PEOPLE[senior][0]],
            started_on=program.starts_on,
        )
        for junior, senior in (("junior", "senior"), ("other_junior", "other_senior"))
    ]
    goal = goal_create(mentorship=mentorships[0], by=mentorships[0].mentee, title="Pair goal")
    photo = mentoring_profile_update(
        person=mentorships[0].mentee,
        bio="Junior bio",
        contact_preference="Email",
        photo=SimpleUploadedFile("me.jpg", _PHOTO, "image/jpeg"),
    )
    return {
        "pair_goal": goal,
        "pair_photo": photo,
        "matching_program": matching_program,
        "matching_run": run,
        "matching_pairs": pairs,
        "matching_conflict": conflict,
    }


def _health_world(matching_program, pair):
    """The pair (junior, senior), a current mentorship of the one-to-one program
    (_one_to_one_program), the private check asked of both, and one reflection of the
    senior's."""
    mentorship = Mentorship.objects.get(
        program=matching_program, mentor=pair.senior, mentee=pair.junior
    )
    mid_check_send(program=matching_program, by=SYSTEM)
    reflection = reflection_write(
        mentorship=mentorship, by=pair.senior, text="I listened.", consent=False
    )
    return {
        "mentorship": mentorship,
        "junior_check": PairCheck.objects.get(mentorship=mentorship, person=pair.junior),
        "senior_check": PairCheck.objects.get(mentorship=mentorship, person=pair.senior),
        "reflection": reflection,
    }


def _qualitative_world(program, researcher):
    """A codable open-answers document with one highlight by the researcher, a code in a
    theme."""
    document = qualitative_services.document_import(
        program=program,
        by=researcher,
        file_name="answers.txt",
        content=b"P1: One thing helped.\n\nP2: Another thing.",
        kind="open_answers",
    )
    document = qualitative_services.document_review_finish(
        document=document, by=researcher, decisions={}
    )
    code = qualitative_services.code_create(program=program, by=researcher, name="help")
    theme = qualitative_services.theme_save(
        program=program, by=researcher, name="Support", codes=[code]
    )
    highlight = qualitative_services.highlight_create(
        document=document, coder=researcher, start=4, end=13, codes=[code]
    )
    return SimpleNamespace(document=document, code=code, theme=theme, highlight=highlight)


def world_fixtures() -> dict:
    """The fixtures a matrix module on this world needs, for its globals
    (`globals().update(world_fixtures())`): support.module_fixtures with this world's
    people (the program too) and the junior's photo put back for each test."""
    people = ("program", *PROGRAM_PEOPLE, "outsider")
    return module_fixtures(make_matrix_rows, people, world=world_with_files)


# --- no leaks -----------------------------------------------------------------------------


def matrices_on_this_world() -> list[ModuleType]:
    """The case-review matrix and every matrix module made on this world."""
    import tests.test_privacy_matrix as case_review

    return [
        case_review,
        *(
            module
            for module in matrix_modules()
            if getattr(module, "make_matrix_rows", None) is make_matrix_rows
        ),
    ]


def endpoints_on_this_world(kind: str) -> list[Endpoint]:
    """Every `PAGES` (kind "pages") or `API` (kind "api") row of the matrices on this
    world."""
    return [
        endpoint
        for module in matrices_on_this_world()
        for endpoint in getattr(module, kind.upper())
    ]


@dataclass(frozen=True)
class PrivateFact:
    name: str
    owners: tuple[str, ...]
    one_way: Callable
    other_way: Callable
    # Pages on which the owners see the fact (the check that a difference shows).
    shown_on: tuple[str, ...] = ("workspace", "case")


def assert_the_fact_reaches_only_its_owners(client, request, world, fact, kind) -> None:
    """Flip `fact`, snapshot every page (kind "pages") or API row (kind "api") of this
    world as every role before and after: no one but the owners sees a change, and on
    pages the owners do see their own fact, so the comparison can tell a difference."""
    endpoints = endpoints_on_this_world(kind)
    fact.one_way(world)
    before = snapshot(client, request, ROLE_PEOPLE, world, endpoints, ROLES)
    fact.other_way(world)
    after = snapshot(client, request, ROLE_PEOPLE, world, endpoints, ROLES)

    assert leaks(before, after, fact.owners) == [], fact.name
    if kind == "pages":
        for owner in fact.owners:
            for page in fact.shown_on:
                assert before[(owner, page)] != after[(owner, page)], (owner, page)
