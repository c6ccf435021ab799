"""Attacks on the pair's home (one-to-one programs): a pair's goals, photos, bios and
meeting topics are the pair's alone. The director sees names, whether pairs met and
goals counted by status; another mentee sees nothing of someone else's pair."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from medmentor.meetings.services import meeting_log
from medmentor.mentoring.services import goal_create, goal_update, mentoring_profile_update
from medmentor.programs.models import Role
from tests.conftest import sign_in
from tests.mentoring.pairs import image_bytes, pair_meeting, published_cohort

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.fixture
def cohort(institution, director, coordinator):
    return published_cohort(institution, director=director, staff=[(coordinator, Role.COORDINATOR)])


_CSRF = [
    re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+'),
    re.compile(r'("X-CSRFToken": ")[^"]+'),
]


def _pairs_page(client, cohort, person) -> tuple[int, str]:
    """The pairs page as `person` sees it, per-request CSRF tokens masked."""
    sign_in(client, person)
    response = client.get(reverse("mentoring-pairs", kwargs={"slug": cohort.program.slug}))
    text = response.content.decode()
    for pattern in _CSRF:
        text = pattern.sub(r"\1…", text)
    return response.status_code, text


def _photo_url(cohort, person) -> str:
    return reverse("mentoring-photo", kwargs={"slug": cohort.program.slug, "person_id": person.pk})


def test_a_director_cannot_read_a_pairs_goals_or_photo_by_page_photo_url_admin_or_api(
    client, cohort, director, operations
):
    goal_create(mentorship=cohort.ana_pair, by=cohort.ana, title="Talk about my anxiety")
    mentoring_profile_update(
        person=cohort.ana,
        bio="I am the first in my family",
        contact_preference="",
        photo=SimpleUploadedFile("a.png", image_bytes(), "image/png"),
    )

    status, page = _pairs_page(client, cohort, director)
    assert status == 200
    assert "anxiety" not in page and "first in my family" not in page
    assert _photo_url(cohort, cohort.ana) not in page
    assert client.get(_photo_url(cohort, cohort.ana)).status_code == 404
    # The admin: a director is not staff; the operations account finds no goal or
    # profile there either (the models are not registered).
    assert client.get("/admin/mentoring/goal/").status_code == 302
    sign_in(client, operations)
    assert client.get("/admin/mentoring/goal/").status_code == 404
    assert client.get("/admin/mentoring/mentoringprofile/").status_code == 404
    # The API has no goal, profile or photo operation at all.
    from medmentor.api.api import api

    paths = " ".join(api.get_openapi_schema()["paths"])
    assert "goal" not in paths and "photo" not in paths and "mentoring" not in paths


def test_another_mentee_cannot_open_add_to_or_move_someone_elses_pair(client, cohort):
    goal = goal_create(mentorship=cohort.ana_pair, by=cohort.ana, title="Anatomy plan")
    mentoring_profile_update(
        person=cohort.ana,
        bio="",
        contact_preference="",
        photo=SimpleUploadedFile("a.png", image_bytes(), "image/png"),
    )
    slug = cohort.program.slug
    sign_in(client, cohort.ben)

    add = client.post(
        reverse("mentoring-goal-add", kwargs={"slug": slug, "mentorship_id": cohort.ana_pair.pk}),
        {"title": "Planted"},
    )
    move = client.post(
        reverse("mentoring-goal-progress", kwargs={"slug": slug, "goal_id": goal.pk}),
        {"status": "done", "progress": "100"},
    )

    assert (add.status_code, move.status_code) == (404, 404)
    assert client.get(_photo_url(cohort, cohort.ana)).status_code == 404
    status, page = _pairs_page(client, cohort, cohort.ben)
    assert "Anatomy plan" not in page and "Ana Mentee" not in page
    goal.refresh_from_db()
    assert (goal.status, goal.mentorship.goals.count()) == ("not_started", 1)


def test_a_goals_progress_and_a_meetings_topics_never_change_what_staff_or_other_pairs_see(
    client, cohort, director, coordinator
):
    # Between two renders the pair moves a goal within its status, changes a bio and a
    # photo, and logs a meeting's topics: the pages of everyone outside the pair must be
    # byte-identical; the pair's own page must change (so the check can see a change).
    goal = goal_create(mentorship=cohort.ana_pair, by=cohort.ana, title="Study plan")
    goal_update(goal=goal, by=cohort.ana, status="in_progress", progress=10)
    met = pair_meeting(cohort.program, cohort.mara, cohort.ana, days=-2)
    meeting_log(meeting=met, by=cohort.ana, minutes=30, topics="Money worries")
    outsiders = (director, coordinator, cohort.ben, cohort.nate, cohort.cy)

    def render():
        seen = {}
        for person in (*outsiders, cohort.ana):
            seen[person.pk] = _pairs_page(client, cohort, person)
        return seen

    before = render()
    goal_update(goal=goal, by=cohort.mara, status="in_progress", progress=90)
    mentoring_profile_update(
        person=cohort.ana,
        bio="New words",
        contact_preference="Call me",
        photo=SimpleUploadedFile("a.png", image_bytes(), "image/png"),
    )
    meeting_log(meeting=met, by=cohort.mara, minutes=30, topics="Exam panic")
    after = render()

    # Cy is Mara's other mentee: Ana's words must not reach Cy's page through Mara.
    changed = [p.full_name for p in outsiders if before[p.pk] != after[p.pk]]
    assert changed == []
    assert before[cohort.ana.pk] != after[cohort.ana.pk]


def test_an_ended_pairs_former_partner_no_longer_sees_the_photo_or_goals(client, cohort):
    goal_create(mentorship=cohort.ana_pair, by=cohort.ana, title="Anatomy plan")
    mentoring_profile_update(
        person=cohort.ana,
        bio="",
        contact_preference="",
        photo=SimpleUploadedFile("a.png", image_bytes(), "image/png"),
    )
    sign_in(client, cohort.mara)
    assert client.get(_photo_url(cohort, cohort.ana)).status_code == 200

    cohort.ana_pair.ended_on = cohort.ana_pair.started_on  # the director re-paired Ana
    cohort.ana_pair.save(update_fields=["ended_on"])

    assert client.get(_photo_url(cohort, cohort.ana)).status_code == 404
    status, page = _pairs_page(client, cohort, cohort.mara)
    assert "Anatomy plan" not in page and "Your mentee: Ana Mentee" not in page


def test_a_photo_is_served_uncached_so_a_shared_computer_keeps_no_copy(client, cohort):
    mentoring_profile_update(
        person=cohort.ana,
        bio="",
        contact_preference="",
        photo=SimpleUploadedFile("a.png", image_bytes(), "image/png"),
    )
    sign_in(client, cohort.mara)

    response = client.get(_photo_url(cohort, cohort.ana))

    assert "no-store" in response["Cache-Control"]
