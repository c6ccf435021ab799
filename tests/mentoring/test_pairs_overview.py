"""The director's view of a one-to-one program (issue 11 item 7): the pairs, meetings
that took place per week, pairs that never met, goals by status — counts only."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from medmentor.meetings.services import meeting_answer_record, meeting_log
from medmentor.mentoring.selectors import one_to_one_overview
from medmentor.mentoring.services import goal_create, goal_update, mid_check_send
from medmentor.programs.models import Role
from tests.conftest import sign_in
from tests.mentoring.pairs import pair_meeting, published_cohort

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.fixture
def cohort(institution, director, coordinator):
    return published_cohort(institution, director=director, staff=[(coordinator, Role.COORDINATOR)])


def test_the_overview_counts_meetings_that_took_place_per_pair_and_per_week(cohort, director):
    met = pair_meeting(cohort.program, cohort.mara, cohort.ana, days=-2)
    meeting_log(meeting=met, by=cohort.ana, minutes=50, topics="Private: homesick")
    said = pair_meeting(cohort.program, cohort.nate, cohort.ben, days=-9)
    meeting_answer_record(meeting=said, person=cohort.ben, answer="met")
    missed = pair_meeting(cohort.program, cohort.mara, cohort.cy, days=-4)
    meeting_answer_record(meeting=missed, person=cohort.cy, answer="not_met")
    pair_meeting(cohort.program, cohort.mara, cohort.cy, days=3)  # planned, not yet

    overview = one_to_one_overview(program=cohort.program, viewer=director)

    met_by_mentee = {p.mentorship.mentee.full_name: p.meetings_logged for p in overview.pairs}
    assert met_by_mentee == {"Ana Mentee": 1, "Ben Mentee": 1, "Cy Mentee": 0}
    assert [p.mentorship.mentee.full_name for p in overview.never_met] == ["Cy Mentee"]
    assert sum(count for _, count in overview.weeks) == 2
    assert len(overview.weeks) == 8


def test_goals_are_counted_by_status_and_their_words_never_shown(client, cohort, director):
    goal_create(mentorship=cohort.ana_pair, by=cohort.ana, title="Secret goal about anxiety")
    done = goal_create(mentorship=cohort.ben_pair, by=cohort.nate, title="Pass anatomy")
    goal_update(goal=done, by=cohort.ben, status="done", progress=100)

    sign_in(client, director)
    page = client.get(
        reverse("mentoring-pairs", kwargs={"slug": cohort.program.slug})
    ).content.decode()

    words = " ".join(page.split())
    assert "2 goals set across the pairs: 1 not started, 0 in progress, 1 done." in words
    assert "Secret goal" not in page and "Pass anatomy" not in page
    assert "Ana Mentee" in page and "Mara Mentor" in page


def test_only_directors_and_coordinators_get_the_overview(cohort, director, coordinator):
    assert one_to_one_overview(program=cohort.program, viewer=coordinator).pairs
    for person in (cohort.mara, cohort.ana):
        with pytest.raises(PermissionDenied, match="directors and coordinators"):
            one_to_one_overview(program=cohort.program, viewer=person)


def test_the_overview_carries_the_health_card_and_learners_get_their_links(
    client, cohort, director
):
    mid_check_send(program=cohort.program, by=director)
    url = reverse("mentoring-pairs", kwargs={"slug": cohort.program.slug})

    sign_in(client, director)
    staff_page = client.get(url).content.decode()
    assert "Needs a check-in" in staff_page and "Asked for help" in staff_page

    sign_in(client, cohort.mara)  # mentor of Ana and Cy
    mentor_page = client.get(url).content.decode()
    assert reverse("mentoring-reflections", kwargs={"slug": cohort.program.slug}) in mentor_page
    assert "A private question about your pairing waits for your answer" in mentor_page

    sign_in(client, cohort.ana)
    mentee_page = client.get(url).content.decode()
    assert "Your reflections" not in mentee_page
    assert "Needs a check-in" not in mentee_page
