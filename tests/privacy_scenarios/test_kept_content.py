"""What the pages keep between requests never hides a change: staff act between two renders.

The junior's this-week page and the case page keep a curriculum week's content (its
readings, cases, images and questions) in the cache, and the program page keeps the
figures of finished weeks (issue 10 item 9). A cache is exactly what could show a
learner yesterday's case after the director corrected it, or keep a figure computed
before a late mark. Each test renders a page, changes what it shows through the
product's own doors (the curriculum editor, its services, the admin, a package import,
a junior's mark), renders it again and demands the change; and a finished week's
figure, once shown, never moves — not with any edit, and not when the cache is lost.
"""

import datetime
import re

import pytest
from django.contrib.admin.sites import site as admin_site
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse

from medmentor.curriculum import content_services as edit
from medmentor.curriculum import dashboard_selectors, selectors
from medmentor.curriculum import services as curriculum_services
from medmentor.curriculum.models import Case, CurriculumWeek
from medmentor.curriculum.package import curriculum_package_import
from medmentor.programs.models import Pair, Role
from tests.conftest import sign_in
from tests.curriculum.test_curriculum_editing import _case_post
from tests.curriculum.test_package import package_zip
from tests.mentoring.pairs import image_bytes
from tests.privacy_matrix.support import content
from tests.privacy_scenarios.test_finished_weeks import _crowd, _dashboard, last_week  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_passwords")


def _text(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return content(response)[1]


def _pages(program, case) -> list[str]:
    return [
        reverse("workspace", kwargs={"slug": program.slug}),
        reverse("case", kwargs={"slug": program.slug, "case_id": case.pk}),
    ]


@pytest.fixture
def monday_case(case_week):
    """Monday's case of this week's curriculum week: on both the this-week page (as a
    case of the week; today's, on a Monday) and its own page."""
    return case_week.cases[0]


def _render_both(client, program, case, *people) -> dict:
    """Every page of each person, rendered (and so kept in the cache) now."""
    pages = {}
    for person in people:
        sign_in(client, person)
        for url in _pages(program, case):
            pages[(person.pk, url)] = _text(client, url)
    return pages


def test_a_case_and_its_questions_edited_in_the_editor_show_on_the_next_render(
    client, program, director, junior, senior, case_week, monday_case
):
    before = _render_both(client, program, monday_case, junior, senior)
    assert all(re.search(rf">\s*{monday_case.title}\s*<", page) for page in before.values())

    sign_in(client, director)
    questions = [
        {"id": q.pk, "question": f"Corrected: {q.text}", "answer": f"Corrected: {q.answer}"}
        for q in monday_case.questions.all()
    ] + [{"question": "A question added today?", "answer": "The added answer."}]
    response = client.post(
        reverse("curriculum-case", kwargs={"slug": program.slug, "case_id": monday_case.pk}),
        _case_post(
            monday_case,
            title="Toxic multinodular goitre",
            history="A corrected history, typed between two renders.",
            teaching_points="A corrected teaching point.",
            questions=questions,
        ),
    )
    assert response.status_code == 302

    for person in (junior, senior):
        sign_in(client, person)
        for url in _pages(program, monday_case):
            page = _text(client, url)
            assert page != before[(person.pk, url)]
            assert "Toxic multinodular goitre" in page
            # The old title is gone (it is still inside the corrected questions' words).
            assert not re.search(rf">\s*{monday_case.title}\s*<", page)
            assert "A question added today?" in page
    sign_in(client, senior)  # a senior sees the answers and the teaching points
    case_page = _text(client, _pages(program, monday_case)[1])
    assert "A corrected history, typed between two renders." in case_page
    assert "Corrected: Answer 1 of" in case_page and "The added answer." in case_page
    assert "A corrected teaching point." in case_page


def test_a_reading_edited_shows_on_the_next_render_of_the_this_week_page(
    client, program, director, junior, case_week
):
    url = reverse("workspace", kwargs={"slug": program.slug})
    sign_in(client, junior)
    assert "Thyroid scintigraphy: reading 1" in _text(client, url)

    week = case_week.curriculum_week
    edit.curriculum_week_update(
        week=week,
        by=director,
        number=week.number,
        topic="Thyroid scintigraphy, revised",
        summary="A summary written between two renders.",
        readings=[{"citation": "A reading put in its place today.", "url": ""}],
    )

    page = _text(client, url)
    assert "A reading put in its place today." in page
    assert "Thyroid scintigraphy: reading 1" not in page
    assert "Thyroid scintigraphy, revised" in page
    assert "A summary written between two renders." in page


def test_an_image_added_changed_and_removed_shows_on_each_next_render(
    client, program, director, junior, senior, case_week, monday_case
):
    urls = _pages(program, monday_case)
    sign_in(client, senior)
    assert "A scan added between two renders" not in _text(client, urls[1])

    image = edit.case_image_add(
        case=monday_case,
        by=director,
        file_name="scan.png",
        data=image_bytes(),
        alt_text="A scan added between two renders",
    )
    for person in (junior, senior):
        sign_in(client, person)
        assert "A scan added between two renders" in _text(client, urls[1])
    sign_in(client, senior)
    assert image.image.url in _text(client, urls[1])

    edit.case_image_update(
        image=image, by=director, alt_text="The scan, described again", caption="Day 2", order=1
    )
    page = _text(client, urls[1])
    assert "The scan, described again" in page and "A scan added" not in page

    edit.case_image_remove(image=image, by=director)
    page = _text(client, urls[1])
    assert "The scan, described again" not in page and image.image.url not in page


def test_a_case_edited_in_the_admin_shows_on_the_next_render(
    client, program, operations, junior, case_week, monday_case
):
    """The admin writes past the services: its saves give the week a new version too."""
    urls = _pages(program, monday_case)
    sign_in(client, junior)
    before = [_text(client, url) for url in urls]

    request = RequestFactory().post("/")
    request.user = operations
    case_admin = admin_site._registry[Case]
    monday_case.title = "Renamed in the admin"
    case_admin.save_model(request, monday_case, form=None, change=True)

    class Saved:  # what save_related reads of the admin's form
        instance = monday_case
        initial = {"week": monday_case.week_id}

        def save_m2m(self):
            pass

    case_admin.save_related(request, Saved(), formsets=[], change=True)
    after = [_text(client, url) for url in urls]
    for old, new in zip(before, after, strict=True):
        assert "Renamed in the admin" in new and "Renamed in the admin" not in old

    case_admin.delete_model(request, Case.objects.get(pk=case_week.cases[1].pk))
    assert case_week.cases[1].title not in _text(client, urls[0])


def test_a_week_plan_changed_shows_the_other_weeks_content_on_the_next_render(
    client, program, junior, case_week
):
    url = reverse("workspace", kwargs={"slug": program.slug})
    sign_in(client, junior)
    assert "Thyroid scintigraphy" in _text(client, url)
    curriculum_services.week_plan_set(
        program_week=case_week.week, curriculum_week=case_week.curriculum.weeks.get(number=2)
    )
    page = _text(client, url)
    assert "Bone scans, case 1" in page and "Thyroid scintigraphy, case 1" not in page


def test_a_package_imported_in_place_of_the_curriculum_shows_on_the_next_render(
    client, program, junior, case_week, monday_case
):
    url = reverse("workspace", kwargs={"slug": program.slug})
    sign_in(client, junior)
    old_case_page = reverse("case", kwargs={"slug": program.slug, "case_id": monday_case.pk})
    assert "Thyroid scintigraphy, case 1" in _text(client, url)
    assert client.get(old_case_page).status_code == 200

    curriculum_package_import(program=program, content=package_zip(), replace=True)

    page = _text(client, url)
    assert "Thyroid scintigraphy" not in page
    assert "Diffuse goitre" in page  # the package's week 1, Monday
    # The old case went with the old curriculum: its page is gone, not served as kept.
    assert client.get(old_case_page).status_code == 404
    new_case = Case.objects.get(title="Diffuse goitre")
    new_page = _text(client, reverse("case", kwargs={"slug": program.slug, "case_id": new_case.pk}))
    assert "Diffusely increased thyroid uptake" in new_page  # its image's words


def test_a_version_is_never_reused_so_a_restored_week_is_not_served_a_kept_copy(case_week):
    """Versions are random: a week created again with the same id (a restored backup, a
    rolled-back test) does not meet the copy kept for the row that had it before."""
    week = case_week.curriculum_week
    versions = {week.content_version}
    for _ in range(20):
        edit.curriculum_week_content_changed(week_ids=[week.pk])
        week.refresh_from_db()
        versions.add(week.content_version)
    assert len(versions) == 21
    assert CurriculumWeek(curriculum=case_week.curriculum).content_version not in versions


# --- The program page's figures -------------------------------------------------------


def _participation_row(page: str, week) -> str:
    return re.search(
        rf"<tr>\s*<th scope=\"row\">{week.starts_on.day} {week.starts_on:%b %Y}.*?</tr>",
        page,
        re.S,
    ).group(0)


def test_a_late_mark_in_a_week_not_over_counts_in_its_figure_once_it_ends(
    program, director, junior, case_week
):
    """The week's figure is not kept while it runs: a mark made on its Sunday is in the
    figure shown from the Monday after."""
    juniors = _crowd(program, Role.JUNIOR, 1, "crowd-junior")
    seniors = _crowd(program, Role.SENIOR, 1, "crowd-senior")
    Pair.objects.create(week=case_week.week, junior=juniors[0], senior=seniors[0])
    week = case_week.week
    sunday = week.starts_on + datetime.timedelta(days=6)
    monday_after = week.starts_on + datetime.timedelta(days=7)

    on_sunday = selectors.participation_summary(program=program, today=sunday)
    assert on_sunday.weeks[week.pk].pending
    dashboard = dashboard_selectors.program_dashboard(
        person=director, program=program, today=sunday
    )
    assert dashboard.weeks[0].participation.pending

    curriculum_services.case_review_mark(
        pair=case_week.pair, case=case_week.cases[0], status="reviewed", by=junior, today=sunday
    )

    row = selectors.participation_summary(program=program, today=monday_after).weeks[week.pk]
    assert (row.people, row.shown, row.reviewed_percent) == (6, True, 7)  # 1 of 15 slots
    dashboard = dashboard_selectors.program_dashboard(
        person=director, program=program, today=monday_after
    )
    assert dashboard.weeks[0].participation == row


def test_a_finished_weeks_figure_never_moves_with_any_edit_nor_when_the_cache_is_lost(
    client,
    program,
    director,
    junior,
    other_senior,
    case_week,
    last_week,  # noqa: F811
):
    sign_in(client, director)
    first = _dashboard(client, program)
    shown = _participation_row(first, last_week)
    assert "73%" in shown  # 11 of 15 slots reviewed
    api_first = client.get(f"/api/programs/{program.slug}/participation").json()

    # What staff and learners may still do, on the week that runs and the curriculum.
    client.post(reverse("pair-remove", args=[program.slug, case_week.other_pair.pk]))
    client.post(
        reverse("pair-add", args=[program.slug]),
        {"week": case_week.week.pk, "junior": junior.pk, "senior": other_senior.pk},
    )
    curriculum_services.case_review_mark(
        pair=case_week.pair, case=case_week.cases[0], status="reviewed", by=junior
    )
    unplanned = case_week.unplanned_case
    edit.case_update(
        case=unplanned,
        by=director,
        day=unplanned.day,
        title="Edited",
        history="Edited.",
        teaching_points="",
        questions=[{"question": "Q?", "answer": "A."}, {"question": "Q2?", "answer": "A2."}]
        + [{"id": q.pk, "question": q.text, "answer": q.answer} for q in unplanned.questions.all()],
    )
    again = _dashboard(client, program)
    assert _participation_row(again, last_week) == shown
    overall = re.search(r"Whole program so far:.*?</p>", first, re.S).group(0)
    assert re.search(r"Whole program so far:.*?</p>", again, re.S).group(0) == overall

    # The kept figure is the figure: a server that lost its cache shows the same one.
    cache.clear()
    recomputed = _dashboard(client, program)
    assert _participation_row(recomputed, last_week) == shown
    assert re.search(r"Whole program so far:.*?</p>", recomputed, re.S).group(0) == overall
    api_after = client.get(f"/api/programs/{program.slug}/participation").json()
    finished = [row for row in api_first["weeks"] if not row["pending"]]
    assert [row for row in api_after["weeks"] if not row["pending"]] == finished
    assert api_after["overall"] == api_first["overall"]
