"""The admin gives staff the curriculum content, and never the learners' private progress."""

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse

from medmentor.curriculum.models import (
    AnswerReveal,
    Case,
    CaseImage,
    CaseLearningStyle,
    CaseReview,
    Curriculum,
    CurriculumWeek,
)
from medmentor.curriculum.package import curriculum_package_import
from tests.conftest import sign_in
from tests.curriculum.test_package import package_zip, picture

PRIVATE = (CaseLearningStyle, AnswerReveal, CaseReview)


@pytest.fixture
def superuser(operations):
    return operations


@pytest.fixture
def imported(program):
    return curriculum_package_import(program=program, content=package_zip())


@pytest.mark.parametrize("model", PRIVATE, ids=lambda model: model.__name__)
def test_private_progress_has_no_admin_page(client, superuser, model):
    sign_in(client, superuser)

    assert not admin.site.is_registered(model)
    with pytest.raises(NoReverseMatch):
        reverse(f"admin:curriculum_{model._meta.model_name}_changelist")
    assert client.get(f"/admin/curriculum/{model._meta.model_name}/").status_code == 404


def test_the_admin_index_lists_content_but_not_progress(client, superuser):
    sign_in(client, superuser)

    page = client.get(reverse("admin:app_list", args=["curriculum"])).content.decode()

    assert "Curriculums" in page
    assert "Curriculum weeks" in page and "Cases" in page
    for model in PRIVATE:
        assert str(model._meta.verbose_name_plural).capitalize() not in page


def test_staff_open_the_curriculum_week_and_case_pages(client, superuser, imported):
    sign_in(client, superuser)
    week = CurriculumWeek.objects.get(number=1)
    case = Case.objects.get(week=week, day=0)

    pages = [
        reverse("admin:curriculum_curriculum_changelist"),
        reverse("admin:curriculum_curriculum_change", args=[imported.pk]),
        reverse("admin:curriculum_curriculumweek_change", args=[week.pk]),
        reverse("admin:curriculum_case_change", args=[case.pk]),
    ]
    responses = [client.get(page) for page in pages]

    assert [response.status_code for response in responses] == [200, 200, 200, 200]
    assert "SNMMI procedure standard" in responses[2].content.decode()  # readings inline
    case_page = responses[3].content.decode()
    assert "Most likely diagnosis?" in case_page and "Graves disease." in case_page
    assert "Diffusely increased thyroid uptake" in case_page  # images inline


@pytest.mark.parametrize("role", ["director", "faculty", "junior"])
def test_people_without_staff_access_are_sent_to_the_admin_sign_in(client, request, role):
    sign_in(client, request.getfixturevalue(role))

    response = client.get(reverse("admin:curriculum_curriculum_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def _case_form(case: Case, image) -> dict:
    data = {
        "week": case.week_id,
        "day": case.day,
        "title": case.title,
        "history": case.history,
        "teaching_points": case.teaching_points,
        "images-TOTAL_FORMS": "1",
        "images-INITIAL_FORMS": "0",
        "images-0-order": "0",
        "images-0-image": image,
        "images-0-caption": "",
        "images-0-alt_text": "A new picture",
        "questions-TOTAL_FORMS": "0",
        "questions-INITIAL_FORMS": "0",
    }
    return data


def test_an_uploaded_case_image_that_is_not_a_picture_is_refused(client, superuser, imported):
    sign_in(client, superuser)
    case = Case.objects.get(week__number=2, day=4)
    case.images.all().delete()
    fake = SimpleUploadedFile("scan.png", b"MZ\x90\x00 not a picture", content_type="image/png")

    response = client.post(
        reverse("admin:curriculum_case_change", args=[case.pk]), _case_form(case, fake)
    )

    assert response.status_code == 200
    assert "“scan.png” is not an image (accepted formats: PNG, JPEG, GIF, WebP)." in (
        response.content.decode()
    )
    assert not CaseImage.objects.filter(case=case).exists()


def test_an_uploaded_case_image_that_is_a_picture_is_kept(client, superuser, imported):
    sign_in(client, superuser)
    case = Case.objects.get(week__number=2, day=4)
    case.images.all().delete()
    real = SimpleUploadedFile("scan.png", picture("purple"), content_type="image/png")

    response = client.post(
        reverse("admin:curriculum_case_change", args=[case.pk]), _case_form(case, real)
    )

    assert response.status_code == 302
    (image,) = CaseImage.objects.filter(case=case)
    with image.image.open("rb") as handle:
        assert handle.read() == picture("purple")
    assert Curriculum.objects.count() == 1
