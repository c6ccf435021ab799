"""The director's matching pages: configure and run, review, lock, swap, publish."""

import pytest
from django.urls import reverse

from medmentor.mentoring.models import MatchingConflict, MatchingRun, Mentorship
from medmentor.messaging.models import OutboxMessage
from medmentor.programs.models import Role
from tests.conftest import sign_in
from tests.mentoring.matching_cohort import SLUG, one_to_one_program

pytestmark = pytest.mark.usefixtures("fast_passwords")

FORM = {
    "objective": "stable",
    "weight_specialty": "3",
    "weight_interests": "2",
    "weight_site": "1",
    "weight_language": "2",
    "weight_gender": "2",
    "weight_urim": "2",
    "weight_first_generation": "2",
    "min_level_gap": "2",
}


@pytest.fixture
def cohort(institution, director, coordinator, faculty, junior):
    return one_to_one_program(
        institution,
        staff=[
            (director, Role.DIRECTOR),
            (coordinator, Role.COORDINATOR),
            (faculty, Role.FACULTY),
        ],
    )


def url(name, **kwargs):
    return reverse(name, kwargs={"slug": SLUG, **kwargs})


def test_the_director_runs_reviews_swaps_and_publishes(client, cohort, director):
    sign_in(client, director)

    page = client.get(url("matching"))
    assert page.status_code == 200
    assert "3 mentees (juniors) and 3\n  mentors" in page.content.decode()

    response = client.post(url("matching"), FORM)
    run = MatchingRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("matching-run", run_id=run.pk)

    review = client.get(response["Location"]).content.decode()
    assert "Ana Mentee with Mara Mentor" in review
    assert "same gender (asked by mentee): woman (+2)" in review
    assert "Stable" in review and "Optimal" in review
    assert "Olu Mentor" in review and "No mentee at least 2 training levels below" in review

    ana, ben = run.pairs.get(mentee=cohort.ana), run.pairs.get(mentee=cohort.ben)
    response = client.post(
        url("matching-swap", run_id=run.pk), {"first": ana.pk, "second": ben.pk}, follow=True
    )
    assert "Swapped: Ana Mentee with Nate Mentor" in response.content.decode()

    response = client.post(url("matching-publish", run_id=run.pk), follow=True)
    assert "Published: 3 mentorships in force" in response.content.decode()
    assert Mentorship.objects.filter(program=cohort.program).count() == 3
    assert OutboxMessage.objects.filter(key__startswith=f"matching:{run.pk}:").count() == 5


def test_bad_settings_show_the_form_again_with_the_reason(client, cohort, director):
    sign_in(client, director)

    response = client.post(url("matching"), {**FORM, "min_level_gap": "6"})

    assert response.status_code == 400
    assert "No feasible answer" in response.content.decode()
    assert not MatchingRun.objects.exists()


def test_a_refused_swap_says_which_rule(client, cohort, director):
    sign_in(client, director)
    client.post(url("matching"), FORM)
    run = MatchingRun.objects.get()
    MatchingConflict.objects.create(
        program=cohort.program, mentor=cohort.nate, mentee=cohort.ana, reason="evaluates"
    )
    ana, ben = run.pairs.get(mentee=cohort.ana), run.pairs.get(mentee=cohort.ben)

    response = client.post(
        url("matching-swap", run_id=run.pk), {"first": ana.pk, "second": ben.pk}, follow=True
    )

    assert "Swap refused: Ana Mentee cannot be paired with Nate Mentor" in (
        response.content.decode()
    )
    assert run.pairs.get(mentee=cohort.ana).mentor == cohort.mara


def test_lock_and_conflict_controls(client, cohort, coordinator):
    sign_in(client, coordinator)
    client.post(url("matching"), FORM)
    run = MatchingRun.objects.get()
    pair = run.pairs.get(mentee=cohort.cy)

    client.post(url("matching-pair-lock", run_id=run.pk, pair_id=pair.pk), {"locked": "1"})
    pair.refresh_from_db()
    assert pair.locked

    response = client.post(
        url("matching-conflict-add"),
        {"mentor": cohort.nate.pk, "mentee": cohort.ben.pk, "reason": "supervises"},
        follow=True,
    )
    assert "Nate Mentor and Ben Mentee will never be paired." in response.content.decode()
    conflict = MatchingConflict.objects.get()
    client.post(url("matching-conflict-remove", conflict_id=conflict.pk))
    assert not MatchingConflict.objects.exists()


@pytest.mark.parametrize("who", ["faculty", "junior", "outsider"])
def test_everyone_but_the_staff_is_refused(client, cohort, request, who):
    sign_in(client, request.getfixturevalue(who))

    assert client.get(url("matching")).status_code == 403
    assert client.post(url("matching"), FORM).status_code == 403
    assert not MatchingRun.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, cohort):
    response = client.get(url("matching"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sign-in"))


def test_the_menu_shows_matching_only_for_one_to_one_programs(client, cohort, director, program):
    sign_in(client, director)

    assert 'href="/programs/near-peer/matching/"' in client.get(url("matching")).content.decode()
    dashboard = client.get(reverse("program-weeks", kwargs={"slug": program.slug}))
    assert "/matching/" not in dashboard.content.decode()
    assert client.get(reverse("matching", kwargs={"slug": program.slug})).status_code == 404
