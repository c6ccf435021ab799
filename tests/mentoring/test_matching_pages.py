"""The director's matching pages: configure and run, review, lock, swap, publish."""

import re

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

    response = client.post(url("matching-publish", run_id=run.pk), {"confirm": "yes"}, follow=True)
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


def _stable_draft(client):
    client.post(url("matching"), FORM)
    return MatchingRun.objects.get()


def _swapped_draft(client, cohort, run):
    """`run` with Ana's and Ben's mentors swapped by hand: Ana (who asked for a woman
    and URiM mentor) and Mara then both prefer each other to what they got."""
    ana, ben = run.pairs.get(mentee=cohort.ana), run.pairs.get(mentee=cohort.ben)
    client.post(url("matching-swap", run_id=run.pk), {"first": ana.pk, "second": ben.pk})
    run.refresh_from_db()
    return run


def _tradeoff_rows(page: str) -> dict[str, list[str]]:
    table = page[
        page.index('<table id="tradeoff">') : page.index("</table>", page.index("tradeoff"))
    ]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]:
        name = re.sub(r"<[^>]+>", "", re.search(r"<th[^>]*>(.*?)</th>", row, re.S).group(1))
        rows[" ".join(name.split())] = re.findall(r"<td>(.*?)</td>", row)
    return rows


def test_the_tradeoff_table_shows_the_draft_as_it_is_after_a_swap(client, cohort, director):
    sign_in(client, director)
    run = _stable_draft(client)
    solved = dict(run.tradeoff["stable"])
    assert solved["blocking_pairs"] == 0

    run = _swapped_draft(client, cohort, run)
    rows = _tradeoff_rows(client.get(url("matching-run", run_id=run.pk)).content.decode())

    draft = rows["This draft, after your swaps this draft"]
    score = sum(run.pairs.values_list("score", flat=True))
    assert draft == ["3", "0", f"{score:.1f}", str(run.blocking_pairs)]
    assert run.blocking_pairs > 0
    assert score < solved["total_score"]
    # The solved answers stay, labelled as solved, beside the draft.
    assert rows["Stable (as solved)"] == [
        "3",
        "0",
        f"{solved['total_score']:.1f}",
        "0",
    ]


def test_publishing_asks_for_confirmation_with_the_counts_first(client, cohort, director):
    sign_in(client, director)
    client.post(url("matching"), FORM)
    run = MatchingRun.objects.get()

    run_page = client.get(url("matching-run", run_id=run.pk)).content.decode()
    assert f'href="{url("matching-publish", run_id=run.pk)}"' in run_page
    page = client.get(url("matching-publish", run_id=run.pk)).content.decode()
    summary = " ".join(re.sub(r"<[^>]+>", "", page).split())

    assert "Publish matching run" in page
    assert "3 pairs become the program's mentorships" in summary
    assert "1 person without a partner" in summary  # Olu, too junior to mentor
    assert "0 blocking pairs" in summary
    assert 'id="blocking-warning"' not in page
    assert not Mentorship.objects.exists()
    # A POST without the confirm step's answer publishes nothing: back to the question.
    response = client.post(url("matching-publish", run_id=run.pk))
    assert response["Location"] == url("matching-publish", run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, Mentorship.objects.count(), OutboxMessage.objects.count()) == (
        "draft",
        0,
        0,
    )


def test_the_confirmation_warns_when_the_draft_has_blocking_pairs(client, cohort, director):
    sign_in(client, director)
    run = _swapped_draft(client, cohort, _stable_draft(client))

    page = client.get(url("matching-publish", run_id=run.pk)).content.decode()
    summary = " ".join(re.sub(r"<[^>]+>", "", page).split())

    assert run.blocking_pairs > 0
    plural = "" if run.blocking_pairs == 1 else "s"
    assert f"{run.blocking_pairs} blocking pair{plural}:" in summary
    warning = page[page.index('id="blocking-warning"') :]
    assert 'role="alert"' in page[page.index("blocking-warning") - 40 :][:80]
    assert f"This draft has {run.blocking_pairs} blocking pair{plural}" in " ".join(warning.split())

    response = client.post(url("matching-publish", run_id=run.pk), {"confirm": "yes"})
    assert response.status_code == 302
    assert Mentorship.objects.filter(program=cohort.program).count() == 3


def test_a_published_run_has_no_confirm_step(client, cohort, director):
    sign_in(client, director)
    client.post(url("matching"), FORM)
    run = MatchingRun.objects.get()
    client.post(url("matching-publish", run_id=run.pk), {"confirm": "yes"})

    response = client.get(url("matching-publish", run_id=run.pk), follow=True)

    assert "This run is published; only a draft can be published." in (response.content.decode())
