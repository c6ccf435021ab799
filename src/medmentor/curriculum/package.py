"""The portable curriculum package: one zip that hands a whole curriculum on.

A package is a zip holding `curriculum.yaml` (the format is written down in
docs/curriculum-package.md) and the case images under `images/`. Export writes one
(`package_export.py`); import, here, reads one into a program.

Import is all or nothing. `curriculum_package_read` checks everything — the zip, the
YAML, every field and every image — and raises `CurriculumPackageError` naming each
problem's place (``weeks[2].cases[0].questions[1]: 'answer' is missing``) before a
single row or file is written. Only then does `curriculum_package_import` write, in
one transaction; image files it stored are removed again if that transaction fails,
and the replaced curriculum's files only after it commits.

The checks are our own code: zipfile and PyYAML know nothing of our schema, and a
schema library would not give the place-by-place messages a director needs.
"""

import contextlib
import datetime
import hashlib
import io
import logging
import posixpath
import re
import secrets
import time
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import URLValidator
from django.db import transaction
from PIL import Image, UnidentifiedImageError

from medmentor import safe_zip
from medmentor.curriculum.models import (
    Case,
    CaseImage,
    Curriculum,
    CurriculumWeek,
    Question,
    Reading,
    ServiceDay,
)
from medmentor.curriculum.services import week_plans_assign
from medmentor.programs.models import Program, ProgramWeek
from medmentor.programs.selectors import program_today, week_finished_message

logger = logging.getLogger(__name__)

FORMAT_NAME = "medmentor-curriculum"
FORMAT_VERSION = 1
YAML_NAME = "curriculum.yaml"
IMAGE_FOLDER = "images/"

# Limits that keep a hostile or broken upload from filling memory or disk. A
# six-month curriculum with a few images per case is a few megabytes; these leave
# ample room for a real one.
MAX_PACKAGE_BYTES = 50 * 1024 * 1024  # the zip as uploaded
# All members read, unpacked (zip bombs): counted on the real bytes by
# medmentor.safe_zip, which every zip import shares. A package is YAML and images.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 2000
MAX_YAML_BYTES = 5 * 1024 * 1024
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000  # width x height; a decompression bomb hides behind few bytes
MAX_WEEKS = 520
MAX_READINGS_PER_WEEK = 50
MAX_CASES_PER_WEEK = 50  # only five days, but a longer list is reported day by day
MAX_IMAGES_PER_CASE = 20
MAX_QUESTIONS_PER_CASE = 50
# A file with a systematic mistake would otherwise list the same problem hundreds of times.
MAX_PROBLEMS_REPORTED = 25

# Pillow's names for the image formats a browser shows everywhere.
IMAGE_FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "GIF": "GIF", "WEBP": "WebP"}

DAY_NAMES = {day.label.lower(): day.value for day in ServiceDay}
DAY_BY_VALUE = {value: name for name, value in DAY_NAMES.items()}

# Zip members get a fixed timestamp so that exporting the same curriculum twice
# gives the same bytes (a package can be checked into version control or diffed).
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)

_url_validator = URLValidator(schemes=["http", "https"])


class CurriculumPackageError(Exception):
    """A package that cannot be imported; `problems` lists each reason with its place."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# --- The package, as read and checked -------------------------------------------------


@dataclass(frozen=True)
class PackageImage:
    file: str
    caption: str
    alt_text: str
    data: bytes = field(repr=False)
    image_format: str = ""


@dataclass(frozen=True)
class PackageQuestion:
    question: str
    answer: str


@dataclass(frozen=True)
class PackageCase:
    day: int
    title: str
    history: str
    teaching_points: str
    images: tuple[PackageImage, ...]
    questions: tuple[PackageQuestion, ...]

    @property
    def day_name(self) -> str:
        return ServiceDay(self.day).label


@dataclass(frozen=True)
class PackageReading:
    citation: str
    url: str


@dataclass(frozen=True)
class PackageWeek:
    number: int
    topic: str
    summary: str
    readings: tuple[PackageReading, ...]
    cases: tuple[PackageCase, ...]


@dataclass(frozen=True)
class CurriculumPackage:
    """A package that passed every check: safe to write."""

    title: str
    description: str
    source: str
    license: str
    weeks: tuple[PackageWeek, ...]

    @property
    def reading_count(self) -> int:
        return sum(len(week.readings) for week in self.weeks)

    @property
    def case_count(self) -> int:
        return sum(len(week.cases) for week in self.weeks)

    @property
    def question_count(self) -> int:
        return sum(len(case.questions) for week in self.weeks for case in week.cases)

    @property
    def image_count(self) -> int:
        return sum(len(case.images) for week in self.weeks for case in week.cases)

    def summary(self) -> str:
        """What importing creates, in words: "6 weeks, 12 readings, 30 cases, …"."""
        counts = [
            (len(self.weeks), "week"),
            (self.reading_count, "reading"),
            (self.case_count, "case"),
            (self.question_count, "question"),
            (self.image_count, "image"),
        ]
        return ", ".join(f"{count} {noun}{'' if count == 1 else 's'}" for count, noun in counts)

    @property
    def image_bytes(self) -> int:
        return sum(
            len(image.data) for week in self.weeks for case in week.cases for image in case.images
        )


# --- Reading the zip --------------------------------------------------------------------


def _unsafe_member_name(name: str) -> str | None:
    """Why a zip member's name is unsafe to use, or None when it is fine.

    We never unpack to disk by member name, but a name that climbs out of the package
    (``../``), is absolute, or is spelled differently on Windows has no business in a
    package, and refusing it keeps any later tool that unpacks it safe too.
    """
    if not name:
        return "has an empty name"
    if "\x00" in name:
        return "has a NUL character in its name"
    if "\\" in name:
        return "uses a backslash in its path; use '/'"
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "is an absolute path"
    if ".." in name.split("/"):
        return "climbs out of the package with '..'"
    return None


def _open_zip(content: bytes) -> tuple[safe_zip.SafeZip, dict[str, zipfile.ZipInfo], str]:
    """Open and vet the zip; returns it, its file members by name, and the folder holding
    curriculum.yaml ('' at the top, or one folder when the zip was made from a folder)."""
    if len(content) > MAX_PACKAGE_BYTES:
        raise CurriculumPackageError(
            [
                f"The package is {len(content) / 1024 / 1024:.1f} MB; the limit is "
                f"{MAX_PACKAGE_BYTES // 1024 // 1024} MB."
            ]
        )
    limits = safe_zip.Limits(
        member_bytes=max(MAX_YAML_BYTES, MAX_IMAGE_BYTES),
        archive_bytes=MAX_UNCOMPRESSED_BYTES,
        members=MAX_MEMBERS,
    )
    try:
        archive = safe_zip.SafeZip(content, limits=limits, what="The package")
    except safe_zip.ZipRefusal as refusal:
        if "not a zip" in str(refusal):
            refusal = safe_zip.ZipRefusal(
                "This file is not a zip file. A curriculum package is a .zip holding "
                "curriculum.yaml."
            )
        raise CurriculumPackageError([str(refusal)]) from None
    infos = archive.infos
    problems = []
    members: dict[str, zipfile.ZipInfo] = {}
    declared_total = 0
    for info in infos:
        reason = _unsafe_member_name(info.filename)
        if reason:
            problems.append(f"{info.filename!r} in the zip {reason}.")
            continue
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            problems.append(f"{info.filename}: the file is encrypted; packages must not be.")
        if info.filename in members:
            problems.append(f"{info.filename}: the zip holds two files with this name.")
        members[info.filename] = info
        declared_total += info.file_size
    if declared_total > MAX_UNCOMPRESSED_BYTES:
        problems.append(
            f"The package unpacks to {declared_total / 1024 / 1024:.0f} MB; the limit is "
            f"{MAX_UNCOMPRESSED_BYTES // 1024 // 1024} MB."
        )
    if problems:
        raise CurriculumPackageError(problems[:MAX_PROBLEMS_REPORTED])
    if YAML_NAME in members:
        return archive, members, ""
    # A zip made by compressing a folder holds folder/curriculum.yaml: accept one level.
    nested = [name for name in members if name.count("/") == 1 and name.endswith("/" + YAML_NAME)]
    if len(nested) == 1:
        return archive, members, nested[0][: -len(YAML_NAME)]
    raise CurriculumPackageError(
        [f"The package has no {YAML_NAME} at its top level (files found: {_listing(members)})."]
    )


def _listing(members: dict[str, zipfile.ZipInfo]) -> str:
    names = sorted(members)
    if not names:
        return "none"
    shown = ", ".join(names[:5])
    return shown + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def _read_member(archive: safe_zip.SafeZip, info: zipfile.ZipInfo, limit: int) -> bytes:
    """A member's bytes, streamed with a count of the real bytes (the size in the zip
    header can lie): refused past `limit`, or when the package's running total passes
    MAX_UNCOMPRESSED_BYTES."""
    try:
        return archive.read(info, limit=limit)
    except safe_zip.ZipRefusal as refusal:
        raise CurriculumPackageError([str(refusal)]) from None


def _load_yaml(data: bytes) -> object:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CurriculumPackageError(
            [f"{YAML_NAME}: not UTF-8 text (byte {error.start + 1} cannot be read)."]
        ) from None
    try:
        # safe_load builds only plain data (dicts, lists, strings, numbers): a package
        # can never make Python objects.
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        what = error.problem or error.context or "syntax error"
        raise CurriculumPackageError(
            [f"{YAML_NAME}: YAML syntax error at {where}: {what}."]
        ) from None
    except yaml.reader.ReaderError as error:
        line = text[: error.position].count("\n") + 1
        raise CurriculumPackageError(
            [
                f"{YAML_NAME}: line {line} holds the control character "
                f"U+{error.character:04X}, which YAML does not allow."
            ]
        ) from None
    except yaml.YAMLError as error:
        raise CurriculumPackageError([f"{YAML_NAME}: cannot be read as YAML: {error}."]) from None


# --- Checking the YAML ------------------------------------------------------------------


class _TooManyProblems(Exception):
    pass


class _Checker:
    """Walks the YAML data, collecting every problem with its place."""

    def __init__(
        self,
        archive: safe_zip.SafeZip,
        members: dict[str, zipfile.ZipInfo],
        root: str,
    ):
        self.archive = archive
        self.members = members
        self.root = root
        self.problems: list[str] = []
        self.image_bytes_read = 0
        self._image_cache: dict[str, tuple[bytes, str] | None] = {}

    def problem(self, place: str, reason: str) -> None:
        self.problems.append(f"{place}: {reason}" if place else reason)
        if len(self.problems) >= MAX_PROBLEMS_REPORTED:
            raise _TooManyProblems

    # Shapes ---------------------------------------------------------------------------

    def mapping(self, value: object, place: str, allowed: tuple[str, ...]) -> dict | None:
        if not isinstance(value, dict):
            self.problem(place, f"must be a mapping of fields, not {_kind(value)}")
            return None
        for key in value:
            if key not in allowed:
                self.problem(
                    place,
                    f"unknown field {key!r} (expected one of: {', '.join(allowed)})",
                )
        return value

    def items(self, data: dict, key: str, place: str, limit: int, required: bool) -> list:
        if key not in data or data[key] is None:
            if required:
                self.problem(place, f"{key!r} is missing")
            return []
        value = data[key]
        if not isinstance(value, list):
            self.problem(_join(place, key), f"must be a list, not {_kind(value)}")
            return []
        if len(value) > limit:
            self.problem(_join(place, key), f"has {len(value)} entries; the limit is {limit}")
            return []
        return value

    def text(
        self,
        data: dict,
        key: str,
        place: str,
        *,
        required: bool,
        max_length: int | None = None,
    ) -> str:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(place, f"{key!r} is missing")
            return ""
        if not isinstance(value, str):
            hint = (
                " (YAML reads yes/no/on/off/true/false, numbers and dates as other types:"
                " put the text in quotes)"
                if isinstance(value, bool | int | float | datetime.date)
                else ""
            )
            self.problem(_join(place, key), f"must be text, not {_kind(value)}{hint}")
            return ""
        if max_length is not None and len(value) > max_length:
            self.problem(
                _join(place, key),
                f"is {len(value)} characters long; the limit is {max_length}",
            )
            return ""
        return value

    # The document ---------------------------------------------------------------------

    def document(self, data: object) -> CurriculumPackage | None:
        if not isinstance(data, dict):
            self.problem(YAML_NAME, f"must be a mapping of fields, not {_kind(data)}")
            return None
        fmt = data.get("format")
        if fmt != FORMAT_NAME:
            self.problem(
                "format",
                f"must be {FORMAT_NAME!r}"
                + (", and it is missing" if fmt is None else f", not {fmt!r}"),
            )
            # Some other kind of file: listing its every field as wrong helps nobody.
            return None
        version = data.get("version")
        if version is None:
            self.problem("version", f"is missing (this medmentor reads version {FORMAT_VERSION})")
            return None
        if isinstance(version, bool) or not isinstance(version, int):
            self.problem("version", f"must be the number {FORMAT_VERSION}, not {version!r}")
            return None
        if version > FORMAT_VERSION:
            self.problem(
                "version",
                f"{version} is newer than this medmentor reads (version {FORMAT_VERSION});"
                " update medmentor to import this package",
            )
            return None
        if version != FORMAT_VERSION:
            self.problem(
                "version", f"{version} is not a version medmentor knows (it reads {FORMAT_VERSION})"
            )
            return None
        top = self.mapping(
            data,
            YAML_NAME,
            ("format", "version", "title", "description", "source", "license", "weeks"),
        )
        title = self.text(top, "title", "", required=True, max_length=200)
        description = self.text(top, "description", "", required=False)
        source = self.text(top, "source", "", required=False, max_length=200)
        license_ = self.text(top, "license", "", required=False, max_length=200)
        weeks = []
        numbers: dict[int, int] = {}
        week_items = self.items(top, "weeks", "", MAX_WEEKS, required=True)
        if "weeks" in top and isinstance(top["weeks"], list) and not top["weeks"]:
            self.problem("weeks", "is empty; a curriculum needs at least one week")
        for index, item in enumerate(week_items):
            week = self.week(item, f"weeks[{index}]")
            if week is None:
                continue
            if week.number in numbers:
                self.problem(
                    f"weeks[{index}].number",
                    f"week {week.number} is already weeks[{numbers[week.number]}]",
                )
                continue
            numbers[week.number] = index
            weeks.append(week)
        if self.problems:
            return None
        return CurriculumPackage(
            title=title,
            description=description,
            source=source,
            license=license_,
            weeks=tuple(sorted(weeks, key=lambda week: week.number)),
        )

    def week(self, item: object, place: str) -> PackageWeek | None:
        data = self.mapping(item, place, ("number", "topic", "summary", "readings", "cases"))
        if data is None:
            return None
        before = len(self.problems)
        number = data.get("number")
        if number is None:
            self.problem(place, "'number' is missing")
        elif isinstance(number, bool) or not isinstance(number, int) or number < 1:
            self.problem(_join(place, "number"), f"must be a whole number from 1, not {number!r}")
        topic = self.text(data, "topic", place, required=True, max_length=200)
        summary = self.text(data, "summary", place, required=False)
        readings = []
        for index, reading in enumerate(
            self.items(data, "readings", place, MAX_READINGS_PER_WEEK, required=False)
        ):
            checked = self.reading(reading, f"{place}.readings[{index}]")
            if checked:
                readings.append(checked)
        cases = []
        days: dict[int, int] = {}
        for index, case in enumerate(
            self.items(data, "cases", place, MAX_CASES_PER_WEEK, required=False)
        ):
            case_place = f"{place}.cases[{index}]"
            checked = self.case(case, case_place)
            if checked is None:
                continue
            if checked.day in days:
                self.problem(
                    _join(case_place, "day"),
                    f"{checked.day_name} already has a case ({place}.cases[{days[checked.day]}])",
                )
                continue
            days[checked.day] = index
            cases.append(checked)
        if len(self.problems) > before:
            return None
        return PackageWeek(
            number=number,
            topic=topic,
            summary=summary,
            readings=tuple(readings),
            cases=tuple(sorted(cases, key=lambda case: case.day)),
        )

    def reading(self, item: object, place: str) -> PackageReading | None:
        data = self.mapping(item, place, ("citation", "url"))
        if data is None:
            return None
        before = len(self.problems)
        citation = self.text(data, "citation", place, required=True)
        url = self.text(data, "url", place, required=False, max_length=500)
        if url:
            try:
                _url_validator(url)
            except ValidationError:
                self.problem(
                    _join(place, "url"),
                    f"{url!r} is not a web address starting with http:// or https://",
                )
        if len(self.problems) > before:
            return None
        return PackageReading(citation=citation, url=url)

    def case(self, item: object, place: str) -> PackageCase | None:
        data = self.mapping(
            item,
            place,
            ("day", "title", "history", "teaching_points", "images", "questions"),
        )
        if data is None:
            return None
        before = len(self.problems)
        day = None
        day_text = data.get("day")
        if day_text is None:
            self.problem(place, "'day' is missing")
        elif not isinstance(day_text, str) or day_text.strip().lower() not in DAY_NAMES:
            self.problem(
                _join(place, "day"),
                f"{day_text!r} is not a service day (monday, tuesday, wednesday, thursday, friday)",
            )
        else:
            day = DAY_NAMES[day_text.strip().lower()]
        title = self.text(data, "title", place, required=True, max_length=200)
        history = self.text(data, "history", place, required=True)
        teaching_points = self.text(data, "teaching_points", place, required=False)
        images = []
        for index, image in enumerate(
            self.items(data, "images", place, MAX_IMAGES_PER_CASE, required=False)
        ):
            checked = self.image(image, f"{place}.images[{index}]")
            if checked:
                images.append(checked)
        questions = []
        question_items = self.items(data, "questions", place, MAX_QUESTIONS_PER_CASE, required=True)
        if "questions" in data and isinstance(data["questions"], list) and not data["questions"]:
            self.problem(_join(place, "questions"), "is empty; a case needs at least one question")
        for index, question in enumerate(question_items):
            checked = self.question(question, f"{place}.questions[{index}]")
            if checked:
                questions.append(checked)
        if len(self.problems) > before:
            return None
        return PackageCase(
            day=day,
            title=title,
            history=history,
            teaching_points=teaching_points,
            images=tuple(images),
            questions=tuple(questions),
        )

    def question(self, item: object, place: str) -> PackageQuestion | None:
        data = self.mapping(item, place, ("question", "answer"))
        if data is None:
            return None
        before = len(self.problems)
        text = self.text(data, "question", place, required=True)
        answer = self.text(data, "answer", place, required=True)
        if len(self.problems) > before:
            return None
        return PackageQuestion(question=text, answer=answer)

    def image(self, item: object, place: str) -> PackageImage | None:
        data = self.mapping(item, place, ("file", "caption", "alt_text"))
        if data is None:
            return None
        before = len(self.problems)
        file = self.text(data, "file", place, required=True)
        caption = self.text(data, "caption", place, required=False, max_length=300)
        alt_text = self.text(data, "alt_text", place, required=True, max_length=300)
        loaded = None
        if file:
            loaded = self.image_file(file, _join(place, "file"))
        if len(self.problems) > before or loaded is None:
            return None
        image_data, image_format = loaded
        return PackageImage(
            file=file,
            caption=caption,
            alt_text=alt_text,
            data=image_data,
            image_format=image_format,
        )

    def image_file(self, file: str, place: str) -> tuple[bytes, str] | None:
        if not file.startswith(IMAGE_FOLDER) or file.endswith("/"):
            self.problem(place, f"{file!r} must be a file under {IMAGE_FOLDER}")
            return None
        reason = _unsafe_member_name(file)
        if reason:
            self.problem(place, f"{file!r} {reason}")
            return None
        if file in self._image_cache:
            cached = self._image_cache[file]
            if cached is None:
                self.problem(place, f"{file!r} cannot be used (see the problem above)")
            return cached
        self._image_cache[file] = None
        info = self.members.get(self.root + file)
        if info is None:
            self.problem(place, f"{file!r} is listed but is not in the zip")
            return None
        if info.file_size > MAX_IMAGE_BYTES:
            self.problem(
                place,
                f"{file!r} is {info.file_size / 1024 / 1024:.1f} MB; the limit for one image is"
                f" {MAX_IMAGE_BYTES // 1024 // 1024} MB",
            )
            return None
        data = _read_member(self.archive, info, MAX_IMAGE_BYTES)
        self.image_bytes_read += len(data)
        if self.image_bytes_read > MAX_UNCOMPRESSED_BYTES:
            raise CurriculumPackageError(
                [
                    "The images unpack to more than "
                    f"{MAX_UNCOMPRESSED_BYTES // 1024 // 1024} MB in all; "
                    "the sizes in the zip are wrong."
                ]
            )
        image_format = _image_format(data)
        if isinstance(image_format, _NotAnImage):
            self.problem(place, f"{file!r} {image_format.reason}")
            return None
        self._image_cache[file] = (data, image_format)
        return data, image_format


@dataclass(frozen=True)
class _NotAnImage:
    reason: str


def _image_format(data: bytes) -> "str | _NotAnImage":
    """Pillow's name for the image's format, after checking it is whole and not a bomb."""
    accepted = ", ".join(IMAGE_FORMATS.values())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as picture:
                image_format = picture.format
                width, height = picture.size
                if image_format not in IMAGE_FORMATS:
                    return _NotAnImage(
                        f"is a {image_format} image; the accepted formats are {accepted}"
                    )
                if width * height > MAX_IMAGE_PIXELS:
                    return _NotAnImage(
                        f"is {width}×{height} pixels; the limit is {MAX_IMAGE_PIXELS:,} pixels"
                    )
                picture.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return _NotAnImage(f"is not an image (accepted formats: {accepted})")
    except (OSError, SyntaxError, ValueError, EOFError, TypeError, IndexError):
        # Pillow reports a cut-off or damaged file with one of these.
        return _NotAnImage(f"is damaged: it starts like a picture but cannot be read ({accepted})")
    return image_format


def image_refusal(data: bytes) -> str | None:
    """Why `data` cannot be a case image ("is not an image …"), or None when it can.

    The admin's image upload uses the same check as the package import.
    """
    if len(data) > MAX_IMAGE_BYTES:
        return f"is larger than the limit of {MAX_IMAGE_BYTES // 1024 // 1024} MB for one image"
    result = _image_format(data)
    return result.reason if isinstance(result, _NotAnImage) else None


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"yes/no ({value!r})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return f"a number ({value!r})"
    if isinstance(value, datetime.date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, str):
        return f"text ({value[:40]!r})"
    return type(value).__name__


def _join(place: str, key: str) -> str:
    return f"{place}.{key}" if place else key


def curriculum_package_read(*, content: bytes) -> CurriculumPackage:
    """Check a package from top to bottom without writing anything.

    Returns the package ready to write, or raises CurriculumPackageError listing every
    problem found (up to MAX_PROBLEMS_REPORTED), each with its place.
    """
    archive, members, root = _open_zip(content)
    with archive:
        data = _load_yaml(_read_member(archive, members[root + YAML_NAME], MAX_YAML_BYTES))
        checker = _Checker(archive, members, root)
        try:
            package = checker.document(data)
        except _TooManyProblems:
            package = None
            checker.problems.append(
                f"Stopped after {MAX_PROBLEMS_REPORTED} problems; fix these and try again."
            )
    if checker.problems or package is None:
        raise CurriculumPackageError(checker.problems or [f"{YAML_NAME}: nothing to import."])
    return package


# --- Writing ----------------------------------------------------------------------------


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            # A file we cannot remove is left behind, never a reason to fail the import.
            logger.warning("Could not remove the case image %s from storage", name)


def _image_file_name(package_path: str) -> str:
    return posixpath.basename(package_path)


def curriculum_package_import(
    *, program: Program, content: bytes, replace: bool = False
) -> Curriculum:
    """Import a package as `program`'s curriculum; all or nothing.

    A program that already has a curriculum keeps it unless `replace` is true; then the
    old curriculum (with its week plans and the learners' progress on its cases) goes,
    in the same transaction that writes the new one. Program weeks are then assigned
    their curriculum weeks again.
    """
    package = curriculum_package_read(content=content)
    return curriculum_package_write(program=program, package=package, replace=replace)


def curriculum_package_write(
    *, program: Program, package: CurriculumPackage, replace: bool = False
) -> Curriculum:
    """Write a package that `curriculum_package_read` checked; see curriculum_package_import."""
    if not replace and Curriculum.objects.filter(program=program).exists():
        raise CurriculumPackageError([_already_has_curriculum(program)])
    written: list[str] = []
    old_files: list[str] = []
    try:
        with transaction.atomic():
            # Lock the program row so two imports into one program run one after the other.
            Program.objects.select_for_update().filter(pk=program.pk).first()
            existing = Curriculum.objects.filter(program=program).first()
            if existing is not None:
                if not replace:
                    raise CurriculumPackageError([_already_has_curriculum(program)])
                _refuse_if_finished_weeks_taught(program=program)
                old_files = list(
                    CaseImage.objects.filter(case__week__curriculum=existing).values_list(
                        "image", flat=True
                    )
                )
                existing.delete()
            curriculum = _write(program=program, package=package, written=written)
            # The old curriculum's week plans went with it: every program week gets one again.
            week_plans_assign(program=program)
            # Old image files go only once the new curriculum is safely in.
            transaction.on_commit(lambda: _delete_files(old_files))
    except BaseException:
        _delete_files(written)
        raise
    return curriculum


def _refuse_if_finished_weeks_taught(*, program: Program) -> None:
    """Replacing the curriculum deletes its cases with the marks made on them: refused
    once a week that taught it is over (finished weeks are frozen, docs/privacy.md)."""
    last_monday = program_today(program=program) - datetime.timedelta(days=7)
    finished = (
        ProgramWeek.objects.filter(program=program, starts_on__lte=last_monday, plan__isnull=False)
        .order_by("-starts_on")
        .first()
    )
    if finished is not None:
        raise CurriculumPackageError(
            [
                "The curriculum cannot be replaced: weeks that taught it are over, and "
                "replacing it would delete their cases and marks. "
                + week_finished_message(week=finished)
            ]
        )


def _already_has_curriculum(program: Program) -> str:
    return (
        f"The program {program.name!r} already has a curriculum. Import with "
        "“replace” to put this package in its place."
    )


def _write(*, program: Program, package: CurriculumPackage, written: list[str]) -> Curriculum:
    curriculum = Curriculum.objects.create(
        program=program,
        title=package.title,
        description=package.description,
        source=package.source,
        license=package.license,
    )
    for package_week in package.weeks:
        week = CurriculumWeek.objects.create(
            curriculum=curriculum,
            number=package_week.number,
            topic=package_week.topic,
            summary=package_week.summary,
        )
        Reading.objects.bulk_create(
            Reading(week=week, order=order, citation=reading.citation, url=reading.url)
            for order, reading in enumerate(package_week.readings)
        )
        for package_case in package_week.cases:
            case = Case.objects.create(
                week=week,
                day=package_case.day,
                title=package_case.title,
                history=package_case.history,
                teaching_points=package_case.teaching_points,
            )
            Question.objects.bulk_create(
                Question(case=case, order=order, text=question.question, answer=question.answer)
                for order, question in enumerate(package_case.questions)
            )
            for order, package_image in enumerate(package_case.images):
                image = CaseImage(
                    case=case,
                    order=order,
                    caption=package_image.caption,
                    alt_text=package_image.alt_text,
                )
                # FieldFile.save stores the file (storage may rename it to stay unique);
                # remember the stored name so a failed transaction can remove it.
                image.image.save(
                    _image_file_name(package_image.file),
                    ContentFile(package_image.data),
                    save=False,
                )
                written.append(image.image.name)
                image.save()
    return curriculum


# --- Uploads kept between the preview and the confirmation -----------------------------

_UPLOAD_NAME = re.compile(r"^[0-9a-f]{64}$")
UPLOAD_MAX_AGE = datetime.timedelta(hours=24)


def _upload_folder() -> Path:
    # Under the private data folder, never MEDIA_ROOT: an unchecked upload must not be
    # reachable from the web.
    return Path(settings.DATA_DIR) / "uploads" / "curriculum-packages"


def package_upload_keep(*, content: bytes) -> str:
    """Keep an uploaded package until the director confirms it; returns its SHA-256.

    The digest names the file, so the confirmation finds exactly the bytes that were
    previewed. Uploads older than a day are removed on the way.
    """
    folder = _upload_folder()
    folder.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - UPLOAD_MAX_AGE.total_seconds()
    for old in folder.glob("*.zip"):
        with contextlib.suppress(OSError):
            if old.stat().st_mtime < cutoff:
                old.unlink()
    digest = hashlib.sha256(content).hexdigest()
    target = folder / f"{digest}.zip"
    partial = folder / f"{digest}.{secrets.token_hex(8)}.part"
    partial.write_bytes(content)
    partial.replace(target)
    return digest


def package_upload_fetch(*, digest: str) -> bytes | None:
    """The kept upload with this digest, or None when it is gone or does not match."""
    if not _UPLOAD_NAME.match(digest or ""):
        return None
    try:
        content = (_upload_folder() / f"{digest}.zip").read_bytes()
    except OSError:
        return None
    return content if hashlib.sha256(content).hexdigest() == digest else None


def package_upload_discard(*, digest: str) -> None:
    if _UPLOAD_NAME.match(digest or ""):
        with contextlib.suppress(OSError):
            (_upload_folder() / f"{digest}.zip").unlink()


def curriculum_of(*, program: Program) -> Curriculum | None:
    """`program`'s curriculum row alone (no content), or None."""
    return Curriculum.objects.filter(program=program).first()
