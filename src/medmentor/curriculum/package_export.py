"""Exporting a program's curriculum as the portable package (docs/curriculum-package.md).

The writing counterpart of `package.py`, which reads, checks and imports packages: the
same format (its constants), the same bytes for the same content, so an export imports
back unchanged.
"""

import io
import posixpath
import zipfile

import yaml
from django.db.models import Prefetch

from medmentor.curriculum.models import (
    Case,
    CaseImage,
    Curriculum,
    CurriculumWeek,
    Question,
    Reading,
)
from medmentor.curriculum.package import (
    DAY_BY_VALUE,
    FORMAT_NAME,
    FORMAT_VERSION,
    IMAGE_FOLDER,
    YAML_NAME,
    ZIP_TIMESTAMP,
    CurriculumPackageError,
)
from medmentor.programs.models import Program


def curriculum_with_content(*, program: Program) -> Curriculum | None:
    """`program`'s curriculum with its weeks, readings, cases, images and questions loaded.

    Content only — never the learners' progress — so the package export and the
    director's curriculum overview can share it.
    """
    return _with_content(Curriculum.objects.filter(program=program)).first()


def _with_content(curricula):
    return curricula.prefetch_related(
        Prefetch("weeks", queryset=CurriculumWeek.objects.order_by("number")),
        Prefetch("weeks__readings", queryset=Reading.objects.order_by("order", "id")),
        Prefetch("weeks__cases", queryset=Case.objects.order_by("day")),
        Prefetch("weeks__cases__images", queryset=CaseImage.objects.order_by("order", "id")),
        Prefetch("weeks__cases__questions", queryset=Question.objects.order_by("order", "id")),
    )


class _PackageDumper(yaml.SafeDumper):
    """yaml.safe_dump's dumper (plain data only), writing multi-line text as `|` blocks."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # PyYAML's plain and block styles turn the rarer line breaks (CR, NEL, LS, PS) into
    # plain newlines or spaces on reading back; only the double-quoted style escapes
    # them, so text holding one keeps that style (found by the round-trip property test).
    if any(char in value for char in "\r\x85\u2028\u2029"):
        style = '"'
    elif "\n" in value:
        style = "|"
    else:
        style = None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_PackageDumper.add_representer(str, _represent_text)


def _package_image_path(week_number: int, case_image: CaseImage, taken: set[str]) -> str:
    base = posixpath.basename(case_image.image.name) or f"image-{case_image.pk}"
    stem, dot, extension = base.rpartition(".")
    if not dot:
        stem, extension = base, ""
    path = f"{IMAGE_FOLDER}week-{week_number}/{base}"
    counter = 2
    while path in taken:
        path = f"{IMAGE_FOLDER}week-{week_number}/{stem}-{counter}{dot}{extension}"
        counter += 1
    taken.add(path)
    return path


def curriculum_package_export(*, curriculum: Curriculum) -> bytes:
    """The curriculum as a package (zip bytes) that `curriculum_package_import` reads back."""
    loaded = _with_content(Curriculum.objects.filter(pk=curriculum.pk)).get()
    taken: set[str] = set()
    files: list[tuple[str, CaseImage]] = []
    weeks = []
    for week in loaded.weeks.all():
        cases = []
        for case in week.cases.all():
            images = []
            for case_image in case.images.all():
                path = _package_image_path(week.number, case_image, taken)
                files.append((path, case_image))
                images.append(
                    {"file": path, "caption": case_image.caption, "alt_text": case_image.alt_text}
                )
            cases.append(
                {
                    "day": DAY_BY_VALUE[case.day],
                    "title": case.title,
                    "history": case.history,
                    "teaching_points": case.teaching_points,
                    "images": images,
                    "questions": [
                        {"question": question.text, "answer": question.answer}
                        for question in case.questions.all()
                    ],
                }
            )
        weeks.append(
            {
                "number": week.number,
                "topic": week.topic,
                "summary": week.summary,
                "readings": [
                    {"citation": reading.citation, "url": reading.url}
                    for reading in week.readings.all()
                ],
                "cases": cases,
            }
        )
    document = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "title": loaded.title,
        "description": loaded.description,
        "source": loaded.source,
        "license": loaded.license,
        "weeks": weeks,
    }
    text = yaml.dump(
        document, Dumper=_PackageDumper, sort_keys=False, allow_unicode=True, width=100
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _add_member(archive, YAML_NAME, text.encode("utf-8"), zipfile.ZIP_DEFLATED)
        for path, case_image in files:
            try:
                with case_image.image.open("rb") as handle:
                    data = handle.read()
            except (FileNotFoundError, OSError):
                raise CurriculumPackageError(
                    [
                        f"The image {case_image.image.name!r} of the case "
                        f"{case_image.case.title!r} is missing from storage; upload it again "
                        "or remove it before exporting."
                    ]
                ) from None
            # Pictures are compressed already; storing them keeps export fast.
            _add_member(archive, path, data, zipfile.ZIP_STORED)
    return buffer.getvalue()


def _add_member(archive: zipfile.ZipFile, name: str, data: bytes, compression: int) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
    info.compress_type = compression
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)
