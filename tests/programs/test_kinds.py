"""The kind registry (programs.kinds): each kind of program shows only its own menu, and
another kind's pages and API operations are a 404 that says why."""

import re

import pytest
from django.urls import reverse

from medmentor.programs import kinds
from medmentor.programs.models import Program, ProgramKind, Role
from tests.conftest import sign_in
from tests.mentoring.matching_cohort import SLUG as ONE_TO_ONE
from tests.mentoring.matching_cohort import one_to_one_program

pytestmark = pytest.mark.usefixtures("fast_passwords")

CASE_REVIEW_ONLY = ["Service schedule", "Weeks and pairs", "Curriculum", "Weekly email"]
SHARED = ["Overview", "People", "Meetings", "Outbox", "Surveys", "Focus groups"]


@pytest.fixture
def one_to_one(institution, director, coordinator, junior):
    """The near-peer program, run by the same director as the case-review `program`."""
    return one_to_one_program(
        institution, staff=[(director, Role.DIRECTOR), (coordinator, Role.COORDINATOR)]
    )


def menu(response) -> list[str]:
    """The words of the program menu's links, in order."""
    nav = re.search(r'<nav aria-label="Program".*?</nav>', response.content.decode(), re.S)
    assert nav, "the page has no program menu"
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav.group(0))


def test_a_case_review_program_shows_its_schedule_weeks_and_curriculum_and_no_matching(
    client, program, director
):
    sign_in(client, director)

    response = client.get(reverse("program-weeks", kwargs={"slug": program.slug}))

    assert response.status_code == 200
    assert menu(response) == [
        "Overview",
        "People",
        "Meetings",
        *CASE_REVIEW_ONLY,
        "Outbox",
        "Surveys",
        "Focus groups",
    ]


def test_a_one_to_one_program_shows_matching_and_no_schedule_weeks_or_curriculum(
    client, one_to_one, director
):
    sign_in(client, director)

    for name in ("matching", "program-detail", "roster-import", "outbox"):
        response = client.get(reverse(name, kwargs={"slug": ONE_TO_ONE}))
        assert response.status_code == 200, name
        # The pair's page first: the one-to-one kind's landing page.
        assert menu(response) == [
            "Pairs",
            "Overview",
            "People",
            "Meetings",
            "Matching",
            "Health",
            "Outbox",
            "Surveys",
            "Focus groups",
        ]


def test_the_page_open_is_marked_current_in_the_menu(client, one_to_one, director):
    sign_in(client, director)

    page = client.get(reverse("matching", kwargs={"slug": ONE_TO_ONE})).content.decode()

    assert re.search(r'<a href="/programs/near-peer/matching/" aria-current="page">Matching', page)


@pytest.mark.parametrize(
    "name", ["schedule-import", "program-weeks", "curriculum-overview", "email-template"]
)
def test_a_case_review_page_of_a_one_to_one_program_is_a_404_that_says_why(
    client, one_to_one, director, name
):
    sign_in(client, director)

    response = client.get(reverse(name, kwargs={"slug": ONE_TO_ONE}))

    assert response.status_code == 404
    assert (
        "Near-peer mentoring is a one-to-one near-peer mentoring program: this page belongs "
        "to case review (must-see case on a service) programs only."
    ) in response.content.decode()


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("matching", {}),
        ("matching-profiles-import", {}),
        ("matching-profiles-template", {}),
        ("matching-run", {"run_id": 1}),
    ],
)
def test_a_matching_page_of_a_case_review_program_is_a_404_that_says_why(
    client, program, director, name, kwargs
):
    sign_in(client, director)

    response = client.get(reverse(name, kwargs={"slug": program.slug, **kwargs}))

    assert response.status_code == 404
    assert "belongs to one-to-one near-peer mentoring programs only" in response.content.decode()


def test_a_posted_pair_to_a_one_to_one_program_is_refused_with_a_404_and_nothing_written(
    client, one_to_one, director
):
    sign_in(client, director)

    response = client.post(reverse("pair-add", kwargs={"slug": ONE_TO_ONE}), {"week": "1"})

    assert response.status_code == 404
    assert not Program.objects.get(slug=ONE_TO_ONE).weeks.exists()


def test_someone_who_does_not_run_the_program_still_gets_403_not_the_kind(
    client, one_to_one, junior
):
    # The kind is told only to those who run the program; anyone else is refused the
    # page as before, whatever its kind.
    sign_in(client, junior)

    response = client.get(reverse("program-weeks", kwargs={"slug": ONE_TO_ONE}))

    assert response.status_code == 403
    assert "one-to-one" not in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/api/programs/near-peer/weeks",
        "/api/programs/near-peer/weeks/2026-08-03/pairs",
        "/api/programs/near-peer/weeks/2026-08-03/cases",
        "/api/programs/near-peer/participation",
    ],
)
def test_a_case_review_api_call_on_a_one_to_one_program_is_a_404_that_says_why(
    client, one_to_one, director, path
):
    sign_in(client, director)

    response = client.get(path)

    assert response.status_code == 404
    assert (
        "belongs to case review (must-see case on a service) programs only"
        in (response.json()["detail"])
    )


def test_a_page_every_program_has_stays_open_to_each_kind(client, program, one_to_one, director):
    sign_in(client, director)

    for slug in (program.slug, ONE_TO_ONE):
        assert client.get(reverse("roster-import", kwargs={"slug": slug})).status_code == 200
        assert client.get(reverse("outbox", kwargs={"slug": slug})).status_code == 200


# --- The registry itself ----------------------------------------------------------------


def test_each_built_kind_is_registered_by_its_own_app():
    registered = kinds.registered()

    # Every kind but check-in, which is not built yet.
    assert set(registered) == {
        ProgramKind.CASE_REVIEW,
        ProgramKind.ONE_TO_ONE,
        ProgramKind.PEER_GROUP,
        ProgramKind.REVERSE,
        ProgramKind.CONFERENCE,
    }
    assert "reverse-home" in registered[ProgramKind.REVERSE].pages
    assert "matching" in registered[ProgramKind.ONE_TO_ONE].pages
    assert "conference-session" in registered[ProgramKind.CONFERENCE].pages
    assert "groups-detail" in registered[ProgramKind.PEER_GROUP].pages
    assert "program-weeks" in registered[ProgramKind.CASE_REVIEW].pages


def test_a_kind_not_built_yet_has_the_shared_menu_and_none_of_the_other_kinds_pages(program):
    program.kind = ProgramKind.CHECK_IN

    assert [entry.label for entry in kinds.program_menu(program)] == SHARED
    assert not kinds.page_exists(program=program, page="program-weeks")
    assert not kinds.page_exists(program=program, page="api:matching_run_create")
    assert kinds.page_exists(program=program, page="roster-import")
    assert kinds.home_items(person=None, program=program) == []


def test_a_page_cannot_belong_to_two_kinds():
    with pytest.raises(ValueError, match="already the one-to-one near-peer mentoring kind's"):
        kinds.register(kind=ProgramKind.CHECK_IN, pages=["matching"])

    assert ProgramKind.CHECK_IN not in kinds.registered()


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="“book_club” is not a kind of program"):
        kinds.register(kind="book_club")


def test_kind_for_names_what_the_program_kind_registered(program, one_to_one):
    assert kinds.kind_for(program).kind == ProgramKind.CASE_REVIEW
    assert kinds.kind_for(one_to_one.program).kind == ProgramKind.ONE_TO_ONE
    assert kinds.kind_for(one_to_one.program).menu == (
        kinds.MenuEntry("Matching", "matching", "matching"),
        kinds.MenuEntry("Health", "mentoring-health", "health"),
    )


def test_a_kinds_landing_page_is_its_menus_first_entry_and_its_learners_first_page(program):
    one_to_one = kinds.registered()[ProgramKind.ONE_TO_ONE]

    assert one_to_one.landing.url_name == "mentoring-pairs"
    assert kinds.learner_landing(program) == "workspace"  # case review names none
    program.kind = ProgramKind.ONE_TO_ONE
    assert kinds.program_menu(program)[0].url_name == "mentoring-pairs"
    assert kinds.learner_landing(program) == "mentoring-pairs"
