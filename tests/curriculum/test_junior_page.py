"""The junior's page: one set of marks per case with several seniors, marks that read
as states, past weeks to revisit (read-only), and next week's pairing."""

import datetime

import pytest
from django.urls import reverse

from medmentor.curriculum.models import CaseReview, WeekPlan
from medmentor.curriculum.services import case_review_mark
from medmentor.programs.models import Pair, ProgramWeek
from tests.conftest import sign_in

pytestmark = pytest.mark.usefixtures("fast_passwords")


def _workspace(client, person, program) -> str:
    sign_in(client, person)
    response = client.get(reverse("workspace", kwargs={"slug": program.slug}))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def two_seniors(case_week, junior, other_senior):
    """The junior has a second senior this week."""
    return Pair.objects.create(week=case_week.week, junior=junior, senior=other_senior)


def test_a_junior_with_two_seniors_marks_each_case_once(
    client, program, junior, case_week, two_seniors
):
    case = case_week.cases[0]
    sign_in(client, junior)
    page = client.get(reverse("case", kwargs={"slug": program.slug, "case_id": case.pk}))
    body = page.content.decode()
    assert body.count('name="status" value="reviewed"') == 1
    assert f'id="review-group-{case.pk}"' in body
    assert "Not marked yet" in body


def test_marking_with_the_second_senior_moves_the_one_mark(
    client, program, junior, case_week, two_seniors
):
    case = case_week.cases[0]
    sign_in(client, junior)
    url = reverse("case-review", kwargs={"slug": program.slug, "case_id": case.pk})
    client.post(url, {"pair": case_week.pair.pk, "status": "reviewed", "one_set": "1"})
    client.post(url, {"pair": two_seniors.pk, "status": "reviewed", "one_set": "1"})
    marks = list(CaseReview.objects.filter(case=case).values_list("pair_id", "status"))
    assert marks == [(two_seniors.pk, "reviewed")]
    response = client.post(
        url,
        {"pair": two_seniors.pk, "status": "skipped", "one_set": "1"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert f'id="review-group-{case.pk}"' in body
    assert "Skipped — clinical work came first</span> with" in body


def test_a_senior_with_one_junior_keeps_the_pairs_own_marks(client, program, senior, case_week):
    case = case_week.cases[0]
    sign_in(client, senior)
    body = client.get(
        reverse("case", kwargs={"slug": program.slug, "case_id": case.pk})
    ).content.decode()
    assert f'id="review-{case_week.pair.pk}-{case.pk}"' in body
    assert "review-group" not in body


def test_not_marked_is_a_state_not_a_filled_button(client, program, junior, case_week):
    case = case_week.cases[0]
    sign_in(client, junior)
    body = client.get(
        reverse("case", kwargs={"slug": program.slug, "case_id": case.pk})
    ).content.decode()
    assert '<span class="badge">Not marked yet</span>' in body
    clear = body[body.index(f'id="review-{case_week.pair.pk}-{case.pk}-clear"') :][:120]
    assert 'class="secondary"' in clear
    assert "Clear the mark" in body


def test_past_weeks_are_listed_to_revisit_read_only(client, program, junior, case_week):
    last = ProgramWeek.objects.create(
        program=program, starts_on=case_week.week.starts_on - datetime.timedelta(weeks=1)
    )
    WeekPlan.objects.create(program_week=last, curriculum_week=case_week.unplanned_case.week)
    last_pair = Pair.objects.create(week=last, junior=junior, senior=case_week.pair.senior)
    case_review_mark(
        pair=last_pair,
        case=case_week.unplanned_case,
        status="reviewed",
        by=junior,
        today=last.starts_on,
    )
    page = _workspace(client, junior, program)
    assert f"Week of {last.starts_on:%-d %b %Y}: Bone scans" in page
    url = reverse("case", kwargs={"slug": program.slug, "case_id": case_week.unplanned_case.pk})
    assert url in page
    case_page = client.get(url).content.decode()
    assert "Reviewed together" in case_page
    assert 'name="status"' not in case_page  # the finished week's mark cannot change


def test_next_weeks_pairing_is_shown(client, program, junior, other_senior, case_week):
    coming = ProgramWeek.objects.create(
        program=program, starts_on=case_week.week.starts_on + datetime.timedelta(weeks=1)
    )
    Pair.objects.create(week=coming, junior=junior, senior=other_senior)
    page = _workspace(client, junior, program)
    assert f"you will be with <strong>{other_senior.full_name}</strong>" in page
    assert "Starting tomorrow" not in page


def test_a_resident_starting_tomorrow_is_told_who_they_will_be_with(
    client, program, institution, other_senior, case_week, monkeypatch
):
    from medmentor.curriculum import views
    from medmentor.programs.models import Enrollment, Role
    from tests.conftest import make_person

    newcomer = make_person("new@lakeside.test", "Nina Newcomer", "R1", institution)
    Enrollment.objects.create(program=program, person=newcomer, role=Role.JUNIOR)
    coming = ProgramWeek.objects.create(
        program=program, starts_on=case_week.week.starts_on + datetime.timedelta(weeks=1)
    )
    Pair.objects.create(week=coming, junior=newcomer, senior=other_senior)
    sunday = coming.starts_on - datetime.timedelta(days=1)
    monkeypatch.setattr(views, "_today", lambda program: sunday)
    page = _workspace(client, newcomer, program)
    assert "Starting tomorrow:" in page
    assert f"you will be with <strong>{other_senior.full_name}</strong>" in page
    assert "You are not paired this week" in page
