"""The curriculum package: export then import gives back every field and image byte."""

import datetime
import io
import zipfile

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from medmentor.curriculum import package as packages
from medmentor.curriculum.models import CaseImage, Curriculum, WeekPlan
from medmentor.curriculum.package import (
    CurriculumPackageError,
    curriculum_package_import,
    curriculum_package_read,
)
from medmentor.curriculum.package_export import _PackageDumper, curriculum_package_export
from medmentor.programs.models import Program, ProgramKind, ProgramWeek
from tests.conftest import coming_monday

# --- Builders shared by the package tests --------------------------------------------


def picture(color: str = "red", image_format: str = "PNG", size=(24, 16)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=image_format)
    return buffer.getvalue()


def document() -> dict:
    """A small valid curriculum.yaml, as data: two weeks, images in three formats."""
    return {
        "format": "medmentor-curriculum",
        "version": 1,
        "title": "Nuclear medicine for R1s",
        "description": "Six weeks on the service.\nOne case a day.",
        "source": "Lakeside NM division, 2026",
        "license": "CC BY-NC 4.0",
        "weeks": [
            {
                "number": 1,
                "topic": "Thyroid",
                "summary": "Uptake and scan.",
                "readings": [
                    {
                        "citation": "SNMMI procedure standard for thyroid scintigraphy.",
                        "url": "https://www.snmmi.org/guidelines",
                    },
                    {"citation": "Mettler & Guiberteau, chapter 4.", "url": ""},
                ],
                "cases": [
                    {
                        "day": "monday",
                        "title": "Diffuse goitre",
                        "history": "A 34-year-old with palpitations.",
                        "teaching_points": "- Graves: diffuse high uptake\n- Thyroiditis: low",
                        "images": [
                            {
                                "file": "images/week-1/graves.png",
                                "caption": "Anterior pinhole view (illustration)",
                                "alt_text": "Diffusely increased thyroid uptake",
                            },
                            {
                                "file": "images/week-1/uptake.jpg",
                                "caption": "",
                                "alt_text": "Uptake curve",
                            },
                        ],
                        "questions": [
                            {"question": "Most likely diagnosis?", "answer": "Graves disease."},
                            {"question": "24-hour uptake range?", "answer": "About 10–30 %."},
                        ],
                    },
                    {
                        "day": "Tuesday",
                        "title": "Cold nodule",
                        "history": "Palpable nodule.",
                        "questions": [{"question": "Next step?", "answer": "Ultrasound, FNA."}],
                    },
                ],
            },
            {
                "number": 2,
                "topic": "Bone",
                "cases": [
                    {
                        "day": "friday",
                        "title": "Superscan",
                        "history": "Prostate cancer, rising PSA.",
                        "images": [
                            {
                                "file": "images/week-2/superscan.gif",
                                "alt_text": "Diffuse skeletal uptake, faint kidneys",
                            }
                        ],
                        "questions": [
                            {"question": "Why are the kidneys faint?", "answer": "Avid bone."},
                            {"question": "Differential?", "answer": "Metastases, metabolic."},
                        ],
                    }
                ],
            },
        ],
    }


def image_files() -> dict[str, bytes]:
    return {
        "images/week-1/graves.png": picture("red"),
        "images/week-1/uptake.jpg": picture("green", "JPEG"),
        "images/week-2/superscan.gif": picture("blue", "GIF"),
    }


def package_zip(data=None, files: dict[str, bytes] | None = None) -> bytes:
    """A zip with curriculum.yaml (from data, or raw text) and files."""
    data = document() if data is None else data
    files = image_files() if files is None else files
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        text = data if isinstance(data, str | bytes) else yaml.safe_dump(data, sort_keys=False)
        archive.writestr("curriculum.yaml", text)
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def curriculum_as_data(curriculum: Curriculum) -> dict:
    """Every field of a curriculum, images by content, for comparing two of them."""
    return {
        "title": curriculum.title,
        "description": curriculum.description,
        "source": curriculum.source,
        "license": curriculum.license,
        "weeks": [
            {
                "number": week.number,
                "topic": week.topic,
                "summary": week.summary,
                "readings": [(r.citation, r.url) for r in week.readings.order_by("order", "id")],
                "cases": [
                    {
                        "day": case.day,
                        "title": case.title,
                        "history": case.history,
                        "teaching_points": case.teaching_points,
                        "images": [
                            (image.caption, image.alt_text, _stored_bytes(image))
                            for image in case.images.order_by("order", "id")
                        ],
                        "questions": [
                            (q.text, q.answer) for q in case.questions.order_by("order", "id")
                        ],
                    }
                    for case in week.cases.order_by("day")
                ],
            }
            for week in curriculum.weeks.order_by("number")
        ],
    }


def _stored_bytes(image: CaseImage) -> bytes:
    with image.image.open("rb") as handle:
        return handle.read()


def other_program(program: Program, slug: str = "copy") -> Program:
    return Program.objects.create(
        name=f"Program {slug}",
        slug=slug,
        kind=ProgramKind.CASE_REVIEW,
        institution=program.institution,
        service=program.service,
        starts_on=program.starts_on,
    )


# --- Round trip -----------------------------------------------------------------------


def test_import_creates_every_week_case_question_and_image(program):
    curriculum = curriculum_package_import(program=program, content=package_zip())

    data = curriculum_as_data(curriculum)
    assert data["title"] == "Nuclear medicine for R1s"
    assert data["license"] == "CC BY-NC 4.0"
    assert [week["topic"] for week in data["weeks"]] == ["Thyroid", "Bone"]
    monday, tuesday = data["weeks"][0]["cases"]
    assert (monday["day"], tuesday["day"]) == (0, 1)
    assert monday["images"][0] == (
        "Anterior pinhole view (illustration)",
        "Diffusely increased thyroid uptake",
        image_files()["images/week-1/graves.png"],
    )
    assert monday["questions"][1] == ("24-hour uptake range?", "About 10–30 %.")
    assert data["weeks"][0]["readings"][1] == ("Mettler & Guiberteau, chapter 4.", "")
    assert data["weeks"][1]["cases"][0]["day"] == 4


def test_export_then_import_reproduces_every_field_and_image_byte_for_byte(program):
    original = curriculum_package_import(program=program, content=package_zip())

    exported = curriculum_package_export(curriculum=original)
    copy = curriculum_package_import(program=other_program(program), content=exported)

    assert curriculum_as_data(copy) == curriculum_as_data(original)
    # And the package itself is stable: the copy exports to the very same bytes.
    assert curriculum_package_export(curriculum=copy) == exported


def test_export_is_a_documented_package_a_person_can_read(program):
    curriculum = curriculum_package_import(program=program, content=package_zip())

    with zipfile.ZipFile(io.BytesIO(curriculum_package_export(curriculum=curriculum))) as archive:
        names = archive.namelist()
        data = yaml.safe_load(archive.read("curriculum.yaml"))
        text = archive.read("curriculum.yaml").decode()

    assert names[0] == "curriculum.yaml"
    assert sorted(names[1:]) == [
        "images/week-1/graves.png",
        "images/week-1/uptake.jpg",
        "images/week-2/superscan.gif",
    ]
    assert (data["format"], data["version"]) == ("medmentor-curriculum", 1)
    assert data["weeks"][0]["cases"][0]["day"] == "monday"
    # Multi-line text is written as a readable block, not an escaped one-liner.
    assert "teaching_points: |-\n" in text


def test_a_zip_made_from_a_folder_imports_too(program):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("nm-curriculum/curriculum.yaml", yaml.safe_dump(document()))
        for name, content in image_files().items():
            archive.writestr(f"nm-curriculum/{name}", content)

    curriculum = curriculum_package_import(program=program, content=buffer.getvalue())

    assert curriculum.weeks.count() == 2


def test_the_same_image_used_by_two_cases_is_stored_for_each(program):
    data = document()
    data["weeks"][0]["cases"][1]["images"] = [
        {"file": "images/week-1/graves.png", "alt_text": "Same picture again"}
    ]

    curriculum_package_import(program=program, content=package_zip(data))

    assert CaseImage.objects.count() == 4


text_values = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=300,
)


@settings(max_examples=200, deadline=None)
@given(value=text_values)
def test_any_text_survives_the_yaml_the_export_writes(value):
    written = yaml.dump(
        {"history": value}, Dumper=_PackageDumper, allow_unicode=True, sort_keys=False
    )
    assert packages._load_yaml(written.encode())["history"] == value


# --- Replacing a curriculum, and week plans --------------------------------------------


def test_replacing_puts_the_new_curriculum_in_place_and_removes_old_images(
    program, settings, django_capture_on_commit_callbacks
):
    old = curriculum_package_import(program=program, content=package_zip())
    old_files = list(CaseImage.objects.values_list("image", flat=True))
    new_document = document()
    new_document["title"] = "Second edition"
    del new_document["weeks"][1]

    with django_capture_on_commit_callbacks(execute=True):
        new = curriculum_package_import(
            program=program, content=package_zip(new_document), replace=True
        )

    assert not Curriculum.objects.filter(pk=old.pk).exists()
    assert Curriculum.objects.get(program=program).title == "Second edition"
    assert new.weeks.count() == 1
    media = settings.MEDIA_ROOT
    assert all(not (media / name).exists() for name in old_files)
    assert sorted(p.name for p in media.rglob("*") if p.is_file()) == ["graves.png", "uptake.jpg"]


def test_import_assigns_each_program_week_a_curriculum_week_in_turn(program):
    # A program starting next week: finished weeks keep the plan they had (none here).
    starts = program.starts_on = coming_monday(program)
    program.save(update_fields=["starts_on"])
    weeks = [
        ProgramWeek.objects.create(program=program, starts_on=starts + datetime.timedelta(weeks=n))
        for n in range(3)
    ]

    curriculum_package_import(program=program, content=package_zip())

    plans = {plan.program_week_id: plan.curriculum_week.number for plan in WeekPlan.objects.all()}
    assert [plans[week.pk] for week in weeks] == [1, 2, 1]


def test_reading_a_package_writes_nothing(program, settings):
    package = curriculum_package_read(content=package_zip())

    assert (package.case_count, package.question_count, package.image_count) == (3, 5, 3)
    assert Curriculum.objects.count() == 0
    assert not settings.MEDIA_ROOT.exists() or not any(settings.MEDIA_ROOT.rglob("*"))


def test_export_of_a_curriculum_whose_image_file_vanished_says_which(program, settings):
    curriculum = curriculum_package_import(program=program, content=package_zip())
    image = CaseImage.objects.first()
    (settings.MEDIA_ROOT / image.image.name).unlink()

    with pytest.raises(CurriculumPackageError, match="is missing from storage"):
        curriculum_package_export(curriculum=curriculum)
