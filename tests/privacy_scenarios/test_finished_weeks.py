"""Finished weeks are frozen: staff act between two renders, and nothing moves.

Each test replays one attack of issue 9 against the real Django stack (the test client:
URLs, middleware, views, templates, the API) and proves the act is refused or that
what staff see did not change. The figures a director sees are the participation
shares of finished weeks; before this, removing or adding pairs of a finished week,
or a late mark, moved them, and the moves gave away single pairs' marks.
"""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from medmentor.curriculum import services as curriculum_services
from medmentor.curriculum.models import AnswerReveal, CaseLearningStyle, CaseReview, WeekPlan
from medmentor.people.models import Person
from medmentor.programs.models import Enrollment, Pair, ProgramWeek, Role
from tests.conftest import sign_in
from tests.programs.files import schedule

pytestmark = pytest.mark.usefixtures("fast_passwords")

# Per-request CSRF tokens, masked (as in tests/test_privacy_matrix.py).
_CSRF = [
    re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+'),
    re.compile(r'("X-CSRFToken": ")[^"]+'),
]


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    for pattern in _CSRF:
        body = pattern.sub(r"\1…", body)
    return body


def _dashboard(client, program) -> str:
    return _page(client, reverse("program-detail", kwargs={"slug": program.slug}))


def _weeks_page(program) -> str:
    return reverse("program-weeks", kwargs={"slug": program.slug})


def _api_pairs(week) -> str:
    return f"/api/programs/{week.program.slug}/weeks/{week.starts_on}/pairs"


def _ended(week) -> str:
    start, end = week.starts_on, week.ends_on
    return f"Week of {start.day} {start:%b} ended on {end.day} {end:%b}"


def _crowd(program, role, count, prefix):
    people = Person.objects.bulk_create(
        Person(email=f"{prefix}{index}@lakeside.test", full_name=f"{prefix.title()} {index}")
        for index in range(count)
    )
    Enrollment.objects.bulk_create(
        Enrollment(program=program, person=person, role=role) for person in people
    )
    return people


def _past_week(case_week, weeks_ago):
    week = ProgramWeek.objects.create(
        program=case_week.week.program,
        starts_on=case_week.week.starts_on - datetime.timedelta(weeks=weeks_ago),
    )
    WeekPlan.objects.create(program_week=week, curriculum_week=case_week.curriculum_week)
    return week


def _mark_while_it_ran(pair, cases, status="reviewed"):
    for case in cases:
        curriculum_services.case_review_mark(
            pair=pair, case=case, status=status, by=pair.junior, today=pair.week.starts_on
        )


@pytest.fixture
def last_week(case_week, program, junior, senior):
    """Last week: Jo Junior with Sam Senior and two crowd pairs (six people); each pair
    marked a different number of cases reviewed while the week ran."""
    juniors = _crowd(program, Role.JUNIOR, 2, "last-junior")
    seniors = _crowd(program, Role.SENIOR, 2, "last-senior")
    week = _past_week(case_week, 1)
    pairs = [Pair.objects.create(week=week, junior=junior, senior=senior)] + [
        Pair.objects.create(week=week, junior=j, senior=s)
        for j, s in zip(juniors, seniors, strict=True)
    ]
    for pair, reviewed in zip(pairs, (4, 2, 5), strict=True):
        _mark_while_it_ran(pair, case_week.cases[:reviewed])
    week.pairs_made = pairs
    return week


@pytest.fixture
def small_week(case_week, program, junior, other_junior, senior):
    """Two weeks ago: three people only (two juniors with one senior), all reviewed."""
    week = _past_week(case_week, 2)
    for person in (junior, other_junior):
        pair = Pair.objects.create(week=week, junior=person, senior=senior)
        _mark_while_it_ran(pair, case_week.cases)
    return week


def test_removing_a_pair_from_a_finished_week_is_refused_so_figures_cannot_be_differenced(
    client, case_week, last_week, program, director
):
    sign_in(client, director)
    before = _dashboard(client, program)
    assert "73%" in before  # 11 of 15 slots: the figure the attack tried to move
    pair = last_week.pairs_made[1]

    # By the weeks page: refused, and the page says why.
    response = client.post(reverse("pair-remove", args=[program.slug, pair.pk]))
    assert response.status_code == 302
    page = _page(client, response["Location"])
    assert f"The pair was not removed: {_ended(last_week)}" in page
    assert "finished weeks are kept as they were so the program&#x27;s figures never move" in page
    # By the API: 409, with the same words.
    refused = client.delete(f"{_api_pairs(last_week)}/{pair.pk}")
    assert refused.status_code == 409
    assert refused.json()["detail"].startswith(_ended(last_week))

    pair.refresh_from_db()
    assert not pair.is_removed
    assert _dashboard(client, program) == before


def test_adding_dummy_pairs_to_a_finished_small_week_is_refused_and_it_stays_hidden(
    client, case_week, small_week, program, director
):
    dummies_junior = _crowd(program, Role.JUNIOR, 2, "dummy-junior")
    dummies_senior = _crowd(program, Role.SENIOR, 2, "dummy-senior")
    sign_in(client, director)
    before = _dashboard(client, program)
    assert "too few to show" in before

    for junior, senior in zip(dummies_junior, dummies_senior, strict=True):
        response = client.post(
            reverse("pair-add", args=[program.slug]),
            {"week": small_week.pk, "junior": junior.pk, "senior": senior.pk},
        )
        assert response.status_code == 302
        assert "The pair was not added: " + _ended(small_week) in _page(
            client, response["Location"]
        )
        refused = client.post(
            _api_pairs(small_week),
            data={"junior_id": junior.pk, "senior_id": senior.pk},
            content_type="application/json",
        )
        assert refused.status_code == 409
        assert _ended(small_week) in refused.json()["detail"]

    assert Pair.objects.filter(week=small_week).count() == 2
    assert _dashboard(client, program) == before
    participation = client.get(f"/api/programs/{program.slug}/participation").json()
    small = next(w for w in participation["weeks"] if w["starts_on"] == str(small_week.starts_on))
    assert (small["people"], small["shown"], small["reviewed_percent"]) == (3, False, None)


def test_a_junior_marking_a_case_of_a_finished_week_is_refused_and_the_figure_does_not_move(
    client, case_week, last_week, program, director, junior
):
    # Jo is not paired this week: only last week's pair teaches Jo these cases.
    case_week.pair.delete()
    sign_in(client, director)
    before = _dashboard(client, program)
    marks_before = list(CaseReview.objects.order_by("pk").values_list("pk", "status"))
    own_pair = last_week.pairs_made[0]
    unmarked = case_week.cases[4]  # Jo's pair reviewed the first four cases only

    sign_in(client, junior)
    for status in ("reviewed", "clear"):
        for case in (unmarked, case_week.cases[0]):
            response = client.post(
                reverse("case-review", args=[program.slug, case.pk]),
                {"pair": own_pair.pk, "status": status},
            )
            assert response.status_code == 400
            assert _ended(last_week) in response.content.decode()
    # The junior's own choices of a finished week are frozen too (theirs alone, but
    # "finished" means finished for everyone).
    response = client.post(
        reverse("case-style", args=[program.slug, unmarked.pk]), {"style": "blind"}
    )
    assert response.status_code == 400
    assert _ended(last_week) in response.content.decode()
    reveal = client.post(
        reverse("answer-reveal", args=[program.slug, unmarked.questions.first().pk])
    )
    assert reveal.status_code == 400
    assert not CaseLearningStyle.objects.exists() and not AnswerReveal.objects.exists()

    # The case page still opens, read-only, saying why.
    page = _page(client, reverse("case", args=[program.slug, unmarked.pk]))
    assert _ended(last_week) in page
    assert 'name="status"' not in page

    assert list(CaseReview.objects.order_by("pk").values_list("pk", "status")) == marks_before
    sign_in(client, director)
    assert _dashboard(client, program) == before


def test_shortening_a_block_and_restoring_it_keeps_the_pairs_mark(
    client, case_week, program, director, junior, senior
):
    monday = case_week.week.starts_on
    next_friday = monday + datetime.timedelta(days=11)
    url = reverse("schedule-import", args=[program.slug])
    sign_in(client, director)

    def import_schedule(*rows):
        upload = SimpleUploadedFile("schedule.csv", schedule(*rows), content_type="text/csv")
        preview = client.post(url, {"action": "preview", "file": upload})
        assert preview.status_code == 200, preview.content.decode()
        done = client.post(url, {"action": "apply", "digest": preview.context["digest"]})
        assert done.status_code == 302

    last_monday = monday - datetime.timedelta(days=7)
    whole = [senior.email, "", last_monday.isoformat(), next_friday.isoformat()]
    import_schedule([junior.email, "", monday.isoformat(), next_friday.isoformat()], whole)
    pair = Pair.objects.get(week=case_week.week, junior=junior, senior=senior, is_removed=False)
    assert pair.pk == case_week.pair.pk

    sign_in(client, junior)
    case = case_week.cases[0]
    marked = client.post(
        reverse("case-review", args=[program.slug, case.pk]),
        {"pair": pair.pk, "status": "reviewed"},
    )
    assert marked.status_code == 302

    # The correction: the senior's block shortened to before this week, then restored.
    sign_in(client, director)
    last_friday = monday - datetime.timedelta(days=3)
    import_schedule([senior.email, "", last_monday.isoformat(), last_friday.isoformat()])
    pair.refresh_from_db()
    assert (pair.is_removed, pair.removed_by) == (True, "schedule")
    assert CaseReview.objects.filter(pair=pair, case=case, status="reviewed").exists()
    import_schedule(whole)

    pair.refresh_from_db()
    assert (pair.is_removed, pair.removed_by) == (False, "")
    assert CaseReview.objects.filter(pair=pair, case=case, status="reviewed").exists()
    sign_in(client, junior)
    page = _page(client, reverse("case", args=[program.slug, case.pk]))
    assert '<span class="badge ok">Reviewed together</span>' in page


def test_pair_edits_on_the_current_week_do_not_move_the_finished_weeks_figures(
    client, case_week, last_week, small_week, program, director, junior, other_senior
):
    def finished_figures():
        page = _dashboard(client, program)
        rows = {
            week.starts_on: re.search(
                rf"<tr>\s*<th scope=\"row\">{week.starts_on.day} {week.starts_on:%b %Y}.*?</tr>",
                page,
                re.S,
            ).group(0)
            for week in (last_week, small_week)
        }
        overall = re.search(r"Whole program so far:.*?</p>", page, re.S).group(0)
        api = client.get(f"/api/programs/{program.slug}/participation").json()
        return rows, overall, [w for w in api["weeks"] if not w["pending"]], api["overall"]

    sign_in(client, director)
    before = finished_figures()
    assert "73%" in before[0][last_week.starts_on]

    # This week is not finished: the director may still change its pairs.
    removed = client.post(reverse("pair-remove", args=[program.slug, case_week.other_pair.pk]))
    assert removed.status_code == 302
    added = client.post(
        reverse("pair-add", args=[program.slug]),
        {"week": case_week.week.pk, "junior": junior.pk, "senior": other_senior.pk},
    )
    assert added.status_code == 302
    assert Pair.objects.filter(week=case_week.week, is_removed=False).count() == 2
    case_week.other_pair.refresh_from_db()
    assert case_week.other_pair.is_removed  # kept, with its marks; no longer counted

    assert finished_figures() == before


def test_a_case_of_a_week_not_yet_started_is_refused_on_the_page_and_the_api_alike(
    client, case_week, program, junior, senior
):
    next_week = ProgramWeek.objects.create(
        program=program, starts_on=case_week.week.starts_on + datetime.timedelta(weeks=1)
    )
    week_two = case_week.curriculum.weeks.get(number=2)
    WeekPlan.objects.create(program_week=next_week, curriculum_week=week_two)
    Pair.objects.create(week=next_week, junior=junior, senior=senior)
    future_case = week_two.cases.order_by("day").first()

    for person in (junior, senior):
        sign_in(client, person)
        page = client.get(reverse("case", args=[program.slug, future_case.pk]))
        api = client.get(f"/api/programs/{program.slug}/weeks/{next_week.starts_on}/cases")
        assert (page.status_code, api.status_code) == (403, 403)
        assert "open on its Monday" in api.json()["detail"]
        # This week's cases open for both, on the page and in the API.
        this_week = case_week.cases[0]
        assert client.get(reverse("case", args=[program.slug, this_week.pk])).status_code == 200
        api = client.get(f"/api/programs/{program.slug}/weeks/{case_week.week.starts_on}/cases")
        assert api.status_code == 200
    refused = client.post(
        reverse("case-review", args=[program.slug, future_case.pk]),
        {"pair": Pair.objects.get(week=next_week).pk, "status": "reviewed"},
    )
    assert refused.status_code == 403
    assert not CaseReview.objects.exists()
