"""The director's curriculum pages: overview, download and import, for staff only."""

import io
import zipfile

import pytest
from django.urls import reverse

from medmentor.curriculum.models import Curriculum
from medmentor.curriculum.package import curriculum_package_import
from medmentor.curriculum.package_export import curriculum_package_export
from medmentor.curriculum.package_views import UPLOAD_SESSION_KEY
from medmentor.programs.models import Enrollment, Role
from tests.conftest import sign_in
from tests.curriculum.test_package import document, other_program, package_zip
from tests.curriculum.test_package_refusals import files_in, table_counts

PAGES = ("curriculum-overview", "curriculum-export", "curriculum-import")


@pytest.fixture(autouse=True)
def _data_in_tmp(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def imported(program):
    return curriculum_package_import(program=program, content=package_zip())


def url(name, program):
    return reverse(name, kwargs={"slug": program.slug})


def kept_uploads(settings) -> list[str]:
    return files_in(settings.DATA_DIR / "uploads")


def upload(client, program, content: bytes, name="nm.zip"):
    file = io.BytesIO(content)
    file.name = name
    return client.post(url("curriculum-import", program), {"package": file})


def confirm(client, program, **fields):
    digest = client.session[UPLOAD_SESSION_KEY]["digest"]
    return client.post(url("curriculum-import", program), {"digest": digest, **fields})


# --- Who may open the pages -------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ["director", "coordinator"])
def test_directors_and_coordinators_open_the_curriculum_pages(
    client, request, program, imported, page, role
):
    sign_in(client, request.getfixturevalue(role))

    response = client.get(url(page, program))

    assert response.status_code == 200


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ["faculty", "researcher", "senior", "junior", "outsider"])
def test_everyone_else_is_refused_the_curriculum_pages(
    client, request, program, imported, page, role
):
    sign_in(client, request.getfixturevalue(role))

    response = client.get(url(page, program))

    assert response.status_code == 403
    assert b"Week 1" not in response.content


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, program, imported, page):
    response = client.get(url(page, program))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sign-in") + "?next=")


@pytest.mark.parametrize("role", ["faculty", "senior", "junior", "outsider"])
def test_an_upload_by_anyone_but_staff_is_refused_and_writes_nothing(
    client, request, program, settings, role
):
    sign_in(client, request.getfixturevalue(role))

    response = upload(client, program, package_zip())

    assert response.status_code == 403
    assert Curriculum.objects.count() == 0
    assert kept_uploads(settings) == []


def test_a_program_that_does_not_exist_is_not_found(client, director):
    sign_in(client, director)

    response = client.get(reverse("curriculum-overview", kwargs={"slug": "no-such-program"}))

    assert response.status_code == 404


# --- Overview and download ------------------------------------------------------------


def test_the_overview_lists_weeks_topics_readings_and_cases(client, program, director, imported):
    sign_in(client, director)

    page = client.get(url("curriculum-overview", program)).content.decode()

    assert "Nuclear medicine for R1s" in page
    assert "Week 1: Thyroid" in page and "Week 2: Bone" in page
    assert "SNMMI procedure standard for thyroid scintigraphy." in page
    assert 'href="https://www.snmmi.org/guidelines"' in page
    assert "Diffuse goitre" in page and "Superscan" in page
    assert "CC BY-NC 4.0" in page
    assert url("curriculum-export", program) in page


def test_the_overview_of_a_program_without_curriculum_offers_the_import(client, program, director):
    sign_in(client, director)

    page = client.get(url("curriculum-overview", program)).content.decode()

    assert "No curriculum yet" in page
    assert url("curriculum-import", program) in page


def test_download_gives_the_package_as_a_zip_file(client, program, director, imported):
    sign_in(client, director)

    response = client.get(url("curriculum-export", program))

    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="nm-must-see-curriculum.zip"'
    assert response.content == curriculum_package_export(curriculum=imported)
    assert "curriculum.yaml" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()


def test_download_without_a_curriculum_says_so(client, program, director):
    sign_in(client, director)

    response = client.get(url("curriculum-export", program), follow=True)

    assert "This program has no curriculum to download yet." in response.content.decode()


# --- Import: upload, preview, confirm --------------------------------------------------


def test_an_upload_is_previewed_and_nothing_is_written_until_confirmed(
    client, program, director, settings
):
    sign_in(client, director)

    response = upload(client, program, package_zip())

    page = response.content.decode()
    assert response.status_code == 200
    assert "Preview of “nm.zip”" in page
    assert "2 weeks" in page and "3 cases" in page and "5 questions with answers" in page
    assert "Monday: Diffuse goitre (2 questions, 2 images)" in page
    assert Curriculum.objects.count() == 0
    assert len(kept_uploads(settings)) == 1  # the bytes wait on the server, not in the form


def test_confirming_imports_the_previewed_package(client, program, director, settings):
    sign_in(client, director)
    upload(client, program, package_zip())

    response = confirm(client, program)

    assert response.status_code == 302
    assert response["Location"] == url("curriculum-overview", program)
    assert Curriculum.objects.get(program=program).weeks.count() == 2
    assert kept_uploads(settings) == []
    assert UPLOAD_SESSION_KEY not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "Imported “Nuclear medicine for R1s”: 2 weeks." in page


def test_a_bad_package_shows_its_problems_and_keeps_nothing(client, program, director, settings):
    sign_in(client, director)
    data = document()
    del data["weeks"][1]["cases"][0]["questions"][1]["answer"]

    response = upload(client, program, package_zip(data))

    assert response.status_code == 400
    assert "weeks[1].cases[0].questions[1]: &#x27;answer&#x27; is missing" in (
        response.content.decode()
    )
    assert table_counts() == dict.fromkeys(table_counts(), 0)
    assert kept_uploads(settings) == []


@pytest.mark.parametrize(
    "content, message",
    [
        (b"not a zip at all", "This file is not a zip file."),
        (b"", "The submitted file is empty."),
    ],
    ids=["not-a-zip", "empty"],
)
def test_an_upload_that_is_no_package_is_refused_with_a_reason(
    client, program, director, content, message
):
    sign_in(client, director)

    response = upload(client, program, content)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Curriculum.objects.count() == 0


def test_submitting_without_a_file_asks_for_one(client, program, director):
    sign_in(client, director)

    response = client.post(url("curriculum-import", program), {})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_replacing_a_curriculum_needs_the_replace_box_ticked(client, program, director, imported):
    sign_in(client, director)
    data = document()
    data["title"] = "Second edition"
    page = upload(client, program, package_zip(data)).content.decode()
    assert "already has the curriculum “Nuclear medicine for R1s”" in page

    unticked = confirm(client, program)

    assert unticked.status_code == 400
    assert "tick “Replace the current curriculum”" in unticked.content.decode()
    assert Curriculum.objects.get(program=program).title == "Nuclear medicine for R1s"

    ticked = confirm(client, program, replace="on")

    assert ticked.status_code == 302
    assert Curriculum.objects.get(program=program).title == "Second edition"


def test_a_confirmation_for_a_file_that_was_not_previewed_imports_nothing(
    client, program, director
):
    sign_in(client, director)

    response = client.post(url("curriculum-import", program), {"digest": "0" * 64}, follow=True)

    assert "That upload is no longer waiting to be imported" in response.content.decode()
    assert Curriculum.objects.count() == 0


def test_a_kept_upload_changed_on_disk_is_not_imported(client, program, director, settings):
    sign_in(client, director)
    upload(client, program, package_zip())
    (kept,) = kept_uploads(settings)
    with open(kept, "ab") as handle:
        handle.write(b"tampered")

    response = confirm(client, program)

    assert response.status_code == 302
    assert response["Location"] == url("curriculum-import", program)
    assert Curriculum.objects.count() == 0


def test_a_confirmation_cannot_import_into_another_program(
    client, program, director, imported, settings
):
    second = other_program(program, slug="second")
    Enrollment.objects.create(program=second, person=director, role=Role.DIRECTOR)
    sign_in(client, director)
    upload(client, second, package_zip())

    response = confirm(client, program)  # the upload was previewed for `second`

    assert response.status_code == 302
    assert response["Location"] == url("curriculum-import", program)
    assert Curriculum.objects.get(program=program) == imported
    assert not Curriculum.objects.filter(program=second).exists()


def test_the_overview_joins_wrapped_lines_into_paragraphs(client, program, director, imported):
    imported.description = "Cases for the first\nmonth on service.\n\nSecond paragraph."
    imported.save(update_fields=["description"])
    sign_in(client, director)
    page = client.get(url("curriculum-overview", program)).content.decode()
    assert "<p>Cases for the first month on service.</p>" in page
    assert "<p>Second paragraph.</p>" in page
