"""The curriculum editor on the web: the package's checks and words, all or nothing, and
what a finished week taught stays as it was."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from medmentor.curriculum import content_services as edit
from medmentor.curriculum.models import (
    AnswerReveal,
    Case,
    CaseImage,
    Curriculum,
    CurriculumWeek,
    Question,
    WeekPlan,
)
from medmentor.curriculum.package import PackageCase, problem_list
from medmentor.programs.models import Pair, ProgramWeek
from tests.conftest import sign_in
from tests.mentoring.pairs import image_bytes
from tests.privacy_matrix.support import content

pytestmark = pytest.mark.usefixtures("fast_passwords")


def _case_post(case: Case, **changes) -> dict:
    """The case form as the page sends it, with `changes` (questions as a list)."""
    questions = changes.pop(
        "questions",
        [{"id": q.pk, "question": q.text, "answer": q.answer} for q in case.questions.all()],
    )
    data = {
        "day": case.day,
        "title": case.title,
        "history": case.history,
        "teaching_points": case.teaching_points,
        **changes,
        "questions-TOTAL_FORMS": len(questions),
        "questions-INITIAL_FORMS": 0,
    }
    for index, question in enumerate(questions):
        data[f"questions-{index}-id"] = question.get("id", "")
        data[f"questions-{index}-question"] = question.get("question", "")
        data[f"questions-{index}-answer"] = question.get("answer", "")
        data[f"questions-{index}-ORDER"] = question.get("order", index + 1)
        if question.get("delete"):
            data[f"questions-{index}-DELETE"] = "on"
    return data


@pytest.fixture
def unplanned(case_week):
    """A case of curriculum week 2, which no program week teaches: free to edit."""
    return case_week.unplanned_case


def _case_url(program, case):
    return reverse("curriculum-case", kwargs={"slug": program.slug, "case_id": case.pk})


def test_the_director_edits_adds_reorders_and_removes_questions(
    client, program, director, unplanned
):
    first, second = list(unplanned.questions.order_by("order"))
    sign_in(client, director)
    questions = [
        {"id": second.pk, "question": "Second, now first?", "answer": "Yes", "order": 1},
        {"id": first.pk, "question": first.text, "answer": first.answer, "delete": True},
        {"question": "A new question?", "answer": "A new answer.", "order": 2},
    ]
    response = client.post(
        _case_url(program, unplanned), _case_post(unplanned, title="Renamed", questions=questions)
    )
    assert response.status_code == 302
    unplanned.refresh_from_db()
    assert unplanned.title == "Renamed"
    assert [(q.pk, q.text) for q in unplanned.questions.order_by("order")] == [
        (second.pk, "Second, now first?"),
        (unplanned.questions.order_by("order").last().pk, "A new question?"),
    ]
    assert not Question.objects.filter(pk=first.pk).exists()


def test_a_missing_answer_is_named_on_its_row_and_nothing_is_written(
    client, program, director, unplanned
):
    before = [(q.text, q.answer) for q in unplanned.questions.order_by("order")]
    sign_in(client, director)
    questions = [{"question": "Only a question?", "answer": ""}]
    response = client.post(
        _case_url(program, unplanned), _case_post(unplanned, title="Changed", questions=questions)
    )
    assert response.status_code == 400
    assert "Answer is missing" in response.content.decode()
    unplanned.refresh_from_db()
    assert unplanned.title != "Changed"
    assert [(q.text, q.answer) for q in unplanned.questions.order_by("order")] == before


def test_the_editor_refuses_in_the_package_import_words(client, program, director, unplanned):
    title = "x" * 201
    package_words = [
        problem.text
        for problem in problem_list(
            _validation_error({"day": "monday", "title": title, "history": "h", "questions": []}),
            top=PackageCase,
        )
    ]
    assert "is 201 characters long; the limit is 200" in package_words
    sign_in(client, director)
    page = client.post(_case_url(program, unplanned), _case_post(unplanned, title=title))
    text = page.content.decode()
    assert "Title: is 201 characters long; the limit is 200" in text


def _validation_error(data):
    from pydantic import ValidationError

    try:
        PackageCase.model_validate(data)
    except ValidationError as error:
        return error
    raise AssertionError("valid")


def test_two_cases_on_one_day_are_refused_by_name(client, program, director, unplanned):
    other = unplanned.week.cases.exclude(pk=unplanned.pk).first()
    sign_in(client, director)
    response = client.post(_case_url(program, unplanned), _case_post(unplanned, day=other.day))
    assert response.status_code == 400
    assert f"already has a case (“{other.title}”)" in response.content.decode()


def test_a_week_and_a_case_are_added_and_removed(client, program, director, case_week):
    sign_in(client, director)
    response = client.post(
        reverse("curriculum-week-add", kwargs={"slug": program.slug}),
        {
            "topic": "PET/CT",
            "summary": "",
            "readings-TOTAL_FORMS": 1,
            "readings-INITIAL_FORMS": 0,
            "readings-0-citation": "A PET primer",
            "readings-0-url": "https://example.org/pet",
        },
    )
    assert response.status_code == 302
    week = CurriculumWeek.objects.get(topic="PET/CT")
    assert week.number == 3
    assert list(week.readings.values_list("citation", flat=True)) == ["A PET primer"]
    add = reverse("curriculum-case-add", kwargs={"slug": program.slug, "week_id": week.pk})
    data = {
        "day": 2,
        "title": "FDG uptake",
        "history": "A 60-year-old.",
        "teaching_points": "",
        "questions-TOTAL_FORMS": 1,
        "questions-INITIAL_FORMS": 0,
        "questions-0-question": "Where?",
        "questions-0-answer": "There.",
    }
    assert client.post(add, data).status_code == 302
    case = Case.objects.get(title="FDG uptake")
    remove = reverse("curriculum-case-remove", kwargs={"slug": program.slug, "case_id": case.pk})
    assert client.post(remove).status_code == 302
    assert not Case.objects.filter(pk=case.pk).exists()
    remove_week = reverse(
        "curriculum-week-remove", kwargs={"slug": program.slug, "week_id": week.pk}
    )
    assert client.post(remove_week).status_code == 302
    assert not CurriculumWeek.objects.filter(pk=week.pk).exists()


def test_a_bad_reading_address_is_refused_in_the_package_words(
    client, program, director, case_week
):
    sign_in(client, director)
    week = CurriculumWeek.objects.get(number=2)
    before = list(week.readings.values_list("citation", "url"))
    response = client.post(
        reverse("curriculum-week", kwargs={"slug": program.slug, "week_id": week.pk}),
        {
            "number": 2,
            "topic": week.topic,
            "summary": "",
            "readings-TOTAL_FORMS": 1,
            "readings-INITIAL_FORMS": 0,
            "readings-0-citation": "Somewhere",
            "readings-0-url": "ftp://example.org",
        },
    )
    assert response.status_code == 400
    assert "is not a web address starting with http:// or https://" in response.content.decode()
    assert list(week.readings.values_list("citation", "url")) == before


def test_weeks_move_up_and_down(program, director, case_week):
    one, two = CurriculumWeek.objects.order_by("number")
    # Week 1 is taught this week (not finished): it may move.
    edit.curriculum_week_move(week=two, by=director, up=True)
    one.refresh_from_db()
    two.refresh_from_db()
    assert (two.number, one.number) == (1, 2)


def test_an_image_is_added_checked_as_in_a_package_and_removed(
    client, program, director, unplanned
):
    sign_in(client, director)
    add = reverse("curriculum-image-add", kwargs={"slug": program.slug, "case_id": unplanned.pk})
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = client.post(
        add,
        {"image": SimpleUploadedFile("scan.png", b"not a picture"), "alt_text": "A scan"},
    )
    assert bad.status_code == 400
    assert "is not an image (accepted formats: PNG, JPEG, GIF, WebP)" in bad.content.decode()
    assert not CaseImage.objects.filter(case=unplanned).exists()
    missing_alt = client.post(
        add, {"image": SimpleUploadedFile("scan.jpg", image_bytes(kind="JPEG")), "alt_text": ""}
    )
    assert "What the image shows is missing" in missing_alt.content.decode()
    good = client.post(
        add,
        {"image": SimpleUploadedFile("scan.jpg", image_bytes(kind="JPEG")), "alt_text": "A scan"},
    )
    assert good.status_code == 302
    image = CaseImage.objects.get(case=unplanned)
    client.post(
        reverse("curriculum-image", kwargs={"slug": program.slug, "image_id": image.pk}),
        {"action": "remove"},
    )
    assert not CaseImage.objects.filter(case=unplanned).exists()


@pytest.mark.parametrize("person", ["junior", "senior", "faculty", "researcher"])
def test_only_directors_and_coordinators_edit(request, person, case_week):
    with pytest.raises(PermissionDenied):
        edit.curriculum_week_update(
            week=case_week.curriculum_week,
            by=request.getfixturevalue(person),
            number=1,
            topic="Changed",
            summary="",
            readings=[],
        )


# --- What is finished stays finished -----------------------------------------------------


@pytest.fixture
def finished(program, case_week):
    """Last week taught curriculum week 1 to the same pair: it is over."""
    last = ProgramWeek.objects.create(
        program=program, starts_on=case_week.week.starts_on - datetime.timedelta(weeks=1)
    )
    WeekPlan.objects.create(program_week=last, curriculum_week=case_week.curriculum_week)
    pair = Pair.objects.create(
        week=last, junior=case_week.pair.junior, senior=case_week.pair.senior
    )
    return pair


def _render_as(client, person, program, case):
    sign_in(client, person)
    response = client.get(reverse("case", kwargs={"slug": program.slug, "case_id": case.pk}))
    assert response.status_code == 200
    return content(response)


def test_editing_a_case_a_finished_week_taught_is_refused_and_the_page_does_not_move(
    client, program, director, junior, case_week, finished
):
    case = case_week.cases[0]
    before = _render_as(client, junior, program, case)
    sign_in(client, director)
    response = client.post(
        _case_url(program, case),
        _case_post(case, title="Rewritten", questions=[{"question": "New?", "answer": "New."}]),
    )
    assert response.status_code == 400
    assert "which is over" in response.content.decode()
    assert "copy it to a new week" in response.content.decode()
    with pytest.raises(edit.TaughtWeekError):
        edit.case_image_add(
            case=case, by=director, file_name="x.jpg", data=image_bytes(kind="JPEG"), alt_text="x"
        )
    with pytest.raises(edit.TaughtWeekError):
        edit.curriculum_week_remove(week=case_week.curriculum_week, by=director)
    after = _render_as(client, junior, program, case)
    assert before == after


def test_a_copy_takes_the_frozen_weeks_place_in_the_weeks_to_come(
    program, director, case_week, finished
):
    week = case_week.curriculum_week
    coming = ProgramWeek.objects.create(
        program=program, starts_on=case_week.week.starts_on + datetime.timedelta(weeks=1)
    )
    WeekPlan.objects.create(program_week=coming, curriculum_week=week)
    copy = edit.curriculum_week_copy(week=week, by=director)
    assert copy.number == 3
    assert copy.cases.count() == week.cases.count()
    assert WeekPlan.objects.get(program_week=coming).curriculum_week == copy
    assert WeekPlan.objects.get(program_week=finished.week).curriculum_week == week
    edit.case_update(
        case=copy.cases.first(),
        by=director,
        day=0,
        title="Edited copy",
        history="h",
        teaching_points="",
        questions=[{"question": "q", "answer": "a"}],
    )
    assert week.cases.filter(title="Edited copy").count() == 0


def test_removing_a_question_of_a_running_week_is_refused_keeping_reveals(
    program, director, junior, case_week
):
    case = case_week.cases[0]
    question = case.questions.first()
    AnswerReveal.objects.create(junior=junior, question=question)
    keep = [
        {"id": q.pk, "question": q.text, "answer": q.answer}
        for q in case.questions.exclude(pk=question.pk)
    ]
    with pytest.raises(edit.TaughtWeekError, match="has begun"):
        edit.case_update(
            case=case,
            by=director,
            day=case.day,
            title=case.title,
            history=case.history,
            teaching_points="",
            questions=keep,
        )
    assert AnswerReveal.objects.filter(question=question).exists()


def test_starting_a_curriculum_from_the_web(client, program, director):
    sign_in(client, director)
    url = reverse("curriculum-edit", kwargs={"slug": program.slug})
    assert client.get(url).status_code == 200
    missing = client.post(url, {"title": ""})
    assert "Title is missing" in missing.content.decode()
    assert client.post(url, {"title": "NM cases", "license": "CC BY 4.0"}).status_code == 302
    assert Curriculum.objects.get(program=program).license == "CC BY 4.0"


def test_no_editor_write_changes_what_a_finished_week_showed(
    client, program, director, junior, senior, case_week, finished
):
    """Every write of the editor, tried between two renders of the finished week's
    pages (the junior's and the senior's workspace with its past weeks, and each case
    page): nothing they show moves."""
    week = case_week.curriculum_week
    case = case_week.cases[0]
    image = CaseImage.objects.create(case=case, order=0, image="cases/x.jpg", alt_text="A scan")
    pages = [reverse("workspace", kwargs={"slug": program.slug})] + [
        reverse("case", kwargs={"slug": program.slug, "case_id": c.pk}) for c in case_week.cases
    ]

    def render_all():
        seen = {}
        for person in (junior, senior):
            sign_in(client, person)
            for url in pages:
                seen[(person.pk, url)] = content(client.get(url))
        return seen

    before = render_all()
    # The director in a browser of their own (its refusals are flashed to that one).
    staff = Client()
    sign_in(staff, director)
    slug = program.slug
    writes = [
        (
            reverse("curriculum-case", kwargs={"slug": slug, "case_id": case.pk}),
            _case_post(case, title="Rewritten", questions=[{"question": "New?", "answer": "New."}]),
        ),
        (reverse("curriculum-case-remove", kwargs={"slug": slug, "case_id": case.pk}), {}),
        (
            reverse("curriculum-week", kwargs={"slug": slug, "week_id": week.pk}),
            {
                "number": 7,
                "topic": "Renamed",
                "summary": "",
                "readings-TOTAL_FORMS": 0,
                "readings-INITIAL_FORMS": 0,
            },
        ),
        (
            reverse("curriculum-week-move", kwargs={"slug": slug, "week_id": week.pk}),
            {"direction": "down"},
        ),
        (reverse("curriculum-week-remove", kwargs={"slug": slug, "week_id": week.pk}), {}),
        (
            reverse("curriculum-image", kwargs={"slug": slug, "image_id": image.pk}),
            {"action": "remove"},
        ),
        (
            reverse("curriculum-image", kwargs={"slug": slug, "image_id": image.pk}),
            {
                f"image-{image.pk}-alt_text": "Changed",
                f"image-{image.pk}-caption": "",
                f"image-{image.pk}-order": 1,
            },
        ),
    ]
    for url, data in writes:
        staff.post(url, data)
    assert render_all() == before
    week.refresh_from_db()
    assert (week.number, week.topic) == (1, "Thyroid scintigraphy")


def test_an_edited_curriculum_exports_as_a_package_that_passes_the_import_checks(
    program, director, unplanned
):
    from medmentor.curriculum.package import curriculum_package_read
    from medmentor.curriculum.package_export import curriculum_package_export

    edit.case_update(
        case=unplanned,
        by=director,
        day=unplanned.day,
        title="Edited on the web",
        history="A history.",
        teaching_points="",
        questions=[{"question": "Why?", "answer": "Because."}],
    )
    package = curriculum_package_read(
        content=curriculum_package_export(curriculum=Curriculum.objects.get(program=program))
    )
    titles = [case.title for week in package.weeks for case in week.cases]
    assert "Edited on the web" in titles


def test_a_week_a_finished_week_taught_keeps_its_number(program, director, case_week, finished):
    one, two = CurriculumWeek.objects.order_by("number")
    with pytest.raises(edit.TaughtWeekError, match="which is over"):
        edit.curriculum_week_move(week=two, by=director, up=True)
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.number, two.number) == (1, 2)


def test_a_copy_carries_the_images_as_files_of_its_own(program, director, case_week, finished):
    from django.core.files.base import ContentFile

    case = case_week.cases[0]
    image = CaseImage(case=case, order=0, alt_text="A scan")
    image.image.save("scan.jpg", ContentFile(image_bytes(kind="JPEG")))
    copy = edit.curriculum_week_copy(week=case_week.curriculum_week, by=director)
    copied = CaseImage.objects.get(case__week=copy)
    assert copied.image.name != image.image.name
    assert copied.image.read() == image_bytes(kind="JPEG")
    assert copied.alt_text == "A scan"
