"""The pair's home (issue 11 item 2): each mentee and mentor sees their pair(s) with
the other person's profile, the pair's goals and meetings and what to do next."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from medmentor.meetings.services import meeting_log
from medmentor.mentoring.models import Goal, GoalStatus
from medmentor.mentoring.services import (
    PairError,
    goal_create,
    goal_update,
    mentoring_profile_update,
)
from medmentor.people.models import Profile
from medmentor.programs.models import Role
from medmentor.site.selectors import home_cards
from tests.conftest import sign_in
from tests.mentoring.pairs import image_bytes, pair_meeting, published_cohort

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.fixture
def cohort(institution, director):
    return published_cohort(institution, director=director)


def _page(client, cohort, person) -> str:
    sign_in(client, person)
    response = client.get(reverse("mentoring-pairs", kwargs={"slug": cohort.program.slug}))
    assert response.status_code == 200
    return response.content.decode()


def test_a_mentee_sees_their_mentors_profile_and_what_to_do_first(client, cohort):
    mentoring_profile_update(
        person=cohort.mara, bio="Grew up in Cloquet.", contact_preference="Text after 17:00"
    )

    page = _page(client, cohort, cohort.ana)

    assert "Your mentor: Mara Mentor" in page
    facts = ("Medical student, year 4", "Family Medicine", "research, rural health", "Spanish")
    for fact in facts:
        assert fact in page
    assert "Grew up in Cloquet." in page and "Text after 17:00" in page
    assert "Plan your first meeting with Mara Mentor." in page
    assert "Set a first goal together." in page
    assert f'meetings/plan/?with={cohort.mara.pk}"' in page


def test_a_mentor_with_two_mentees_sees_each_pair(client, cohort):
    page = _page(client, cohort, cohort.mara)

    assert page.count("Your mentee:") == 2
    assert "Your mentee: Ana Mentee" in page and "Your mentee: Cy Mentee" in page
    assert "Ben Mentee" not in page


def test_either_side_sets_a_goal_and_both_see_it_with_its_progress(client, cohort):
    sign_in(client, cohort.ana)
    slug = cohort.program.slug
    response = client.post(
        reverse("mentoring-goal-add", kwargs={"slug": slug, "mentorship_id": cohort.ana_pair.pk}),
        {"title": "Shadow in the rural clinic", "due_on": "2027-03-01"},
    )
    assert response.status_code == 302
    goal = Goal.objects.get()
    client.post(
        reverse("mentoring-goal-progress", kwargs={"slug": slug, "goal_id": goal.pk}),
        {"status": "in_progress", "progress": "40"},
    )

    page = _page(client, cohort, cohort.mara)

    assert "Shadow in the rural clinic" in page
    assert re.search(r'<progress max="100" value="40"', page)
    assert "Set a first goal together." not in page.split("Cy Mentee")[0]
    # Cy's pair (same mentor) has no goal: goals belong to a pair, not to a mentor.
    assert Goal.objects.filter(mentorship=cohort.cy_pair).count() == 0


def test_a_goal_marked_done_is_at_full_progress(cohort):
    goal = goal_create(mentorship=cohort.ana_pair, by=cohort.mara, title="Study plan")

    goal_update(goal=goal, by=cohort.ana, status=GoalStatus.DONE, progress=30)

    goal.refresh_from_db()
    assert (goal.status, goal.progress) == (GoalStatus.DONE, 100)


@pytest.mark.parametrize(
    ("title", "progress", "message"),
    [
        ("  ", 0, "A goal needs a few words"),
        ("x" * 201, 0, "at most 200 characters"),
        ("Fine", 101, "Progress 101% is refused"),
    ],
)
def test_a_goal_without_words_or_with_progress_beyond_100_is_refused(
    cohort, title, progress, message
):
    with pytest.raises(PairError, match=message):
        if progress:
            goal = goal_create(mentorship=cohort.ana_pair, by=cohort.ana, title="Fine")
            goal_update(goal=goal, by=cohort.ana, status="in_progress", progress=progress)
        else:
            goal_create(mentorship=cohort.ana_pair, by=cohort.ana, title=title)


def test_someone_outside_the_pair_cannot_set_or_move_its_goals(cohort, director):
    goal = goal_create(mentorship=cohort.ana_pair, by=cohort.ana, title="Anatomy")

    for person in (cohort.nate, cohort.ben, director):
        with pytest.raises(PairError, match="Only the mentor and the mentee"):
            goal_create(mentorship=cohort.ana_pair, by=person, title="Not mine")
        with pytest.raises(PairError, match="Only the mentor and the mentee"):
            goal_update(goal=goal, by=person, status="done", progress=100)
    goal.refresh_from_db()
    assert (goal.status, Goal.objects.count()) == (GoalStatus.NOT_STARTED, 1)


def test_a_goal_of_an_ended_pair_stays_as_it_was(cohort):
    goal = goal_create(mentorship=cohort.ana_pair, by=cohort.ana, title="Anatomy")
    cohort.ana_pair.ended_on = cohort.ana_pair.started_on
    cohort.ana_pair.save()

    with pytest.raises(PairError, match="This pair ended on"):
        goal_update(goal=goal, by=cohort.ana, status="done", progress=100)


def test_the_pairs_meetings_show_and_an_unlogged_past_one_asks_to_be_logged(client, cohort):
    pair_meeting(cohort.program, cohort.mara, cohort.ana, days=-3, title="Coffee at the library")
    logged = pair_meeting(cohort.program, cohort.mara, cohort.ana, days=-10, title="First talk")
    meeting_log(meeting=logged, by=cohort.ana, minutes=45)
    pair_meeting(cohort.program, cohort.mara, cohort.ana, days=5, title="Exam planning")
    pair_meeting(cohort.program, cohort.mara, cohort.cy, days=6, title="Cy's meeting")

    page = _page(client, cohort, cohort.ana)

    assert "Exam planning" in page and "Coffee at the library" in page and "First talk" in page
    assert "Cy&#x27;s meeting" not in page and "Cy's meeting" not in page
    assert "Say whether you met on" in page
    assert "Plan your first meeting" not in page


def test_a_photo_is_stored_as_a_small_jpeg_and_shown_to_the_pair(client, cohort):
    upload = SimpleUploadedFile("me.png", image_bytes(size=(2000, 1500)), "image/png")
    profile = mentoring_profile_update(
        person=cohort.ana, bio="", contact_preference="", photo=upload
    )

    from PIL import Image

    with Image.open(profile.photo.open("rb")) as stored:
        assert stored.format == "JPEG" and max(stored.size) == 512
    sign_in(client, cohort.mara)
    url = reverse(
        "mentoring-photo", kwargs={"slug": cohort.program.slug, "person_id": cohort.ana.pk}
    )
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert url in _page(client, cohort, cohort.mara)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.4 not an image", "could not be read as an image"),
        (image_bytes(kind="GIF"), "JPEG, PNG or WebP images are accepted"),
        (b"\xff" * (2 * 1024 * 1024 + 1), "at most 2 MB"),
    ],
    ids=["not-an-image", "gif", "too-large"],
)
def test_a_photo_that_is_not_a_small_jpeg_png_or_webp_is_refused(cohort, content, message):
    upload = SimpleUploadedFile("me.jpg", content, "image/jpeg")

    with pytest.raises(PairError, match=message):
        mentoring_profile_update(person=cohort.ana, bio="Hi", contact_preference="", photo=upload)

    assert not Profile.objects.filter(person=cohort.ana).exists()


def test_a_person_edits_their_own_profile_on_its_page(client, cohort):
    sign_in(client, cohort.ben)
    url = reverse("mentoring-profile", kwargs={"slug": cohort.program.slug})
    response = client.post(
        url,
        {
            "bio": "From Bemidji.",
            "contact_preference": "Email",
            "photo": SimpleUploadedFile("a.webp", image_bytes(kind="WEBP"), "image/webp"),
        },
    )
    assert response.status_code == 302
    assert "From Bemidji." in _page(client, cohort, cohort.nate)
    refused = client.post(
        url,
        {
            "bio": "x",
            "contact_preference": "",
            "photo": SimpleUploadedFile("a.jpg", b"nope", "image/jpeg"),
        },
    )
    assert refused.status_code == 200
    assert "could not be read as an image" in refused.content.decode()


def test_the_home_page_sends_mentors_and_mentees_to_the_pairs_page(cohort):
    links = {card.link.program.slug: card.link.url for card in home_cards(person=cohort.ana)}

    assert links[cohort.program.slug] == f"/programs/{cohort.program.slug}/mentoring/"


def test_a_one_to_one_programs_menu_opens_on_its_pairs(client, cohort, director):
    sign_in(client, director)

    page = client.get(reverse("matching", kwargs={"slug": cohort.program.slug})).content.decode()

    nav = re.search(r'<nav aria-label="Program".*?</nav>', page, re.S).group(0)
    first = re.findall(r"<a [^>]*>([^<]+)</a>", nav)[:4]
    assert first == ["Pairs", "Overview", "People", "Meetings"]


def test_a_faculty_member_is_not_shown_the_pairs_page(client, institution, director, faculty):
    cohort = published_cohort(institution, director=director, staff=[(faculty, Role.FACULTY)])
    sign_in(client, faculty)

    response = client.get(reverse("mentoring-pairs", kwargs={"slug": cohort.program.slug}))

    assert response.status_code == 403


def test_the_home_page_asks_a_pair_that_never_met_to_plan_a_first_meeting(client, cohort):
    pair_meeting(cohort.program, cohort.mara, cohort.ana, days=4)
    sign_in(client, cohort.mara)

    page = " ".join(client.get(reverse("home")).content.decode().split())

    assert "Plan your first meeting with Cy Mentee." in page
    assert "Your mentee Ana Mentee: goals and meetings." in page
    assert "Nothing needs you" not in page
