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

The zip and the YAML are checked by our own code (sizes, member names, syntax); the
fields by pydantic models whose validators say what is wrong in plain words, and
whose error locations give each problem's place.
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
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import URLValidator
from django.db import transaction
from PIL import Image, UnidentifiedImageError
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PrivateAttr,
    ValidationInfo,
    field_validator,
)
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError

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


# --- The package, as read and checked: pydantic models ----------------------------------
#
# The fields' validators raise PydanticCustomError with our own words; pydantic collects
# every error with its location (`loc`, e.g. ("weeks", 2, "cases", 0, "questions", 1,
# "answer")), and `_problems` turns each into "weeks[2].cases[0].questions[1]: ...".


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


def _refused(kind: str, message: str) -> PydanticCustomError:
    # The message is final text (no context): braces in a quoted value stay as they are.
    return PydanticCustomError(kind, message)


def _text(*, required: bool, max_length: int | None = None) -> BeforeValidator:
    def check(value: object) -> str:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise _refused("missing", "is missing")
            return ""
        if not isinstance(value, str):
            hint = (
                " (YAML reads yes/no/on/off/true/false, numbers and dates as other types:"
                " put the text in quotes)"
                if isinstance(value, bool | int | float | datetime.date)
                else ""
            )
            raise _refused("text", f"must be text, not {_kind(value)}{hint}")
        if max_length is not None and len(value) > max_length:
            raise _refused("long", f"is {len(value)} characters long; the limit is {max_length}")
        return value

    return BeforeValidator(check)


def _items(*, limit: int, needed_because: str = "") -> BeforeValidator:
    """A list of at most `limit` entries (counted before any entry is checked); with
    `needed_because`, required and not empty."""

    def check(value: object) -> list:
        if value is None:
            if needed_because:
                raise _refused("missing", "is missing")
            return []
        if not isinstance(value, list):
            raise _refused("list", f"must be a list, not {_kind(value)}")
        if len(value) > limit:
            raise _refused("many", f"has {len(value)} entries; the limit is {limit}")
        if not value and needed_because:
            raise _refused("empty", f"is empty; {needed_because}")
        return value

    return BeforeValidator(check)


def _week_number(value: object) -> int:
    if value is None:
        raise _refused("missing", "is missing")
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _refused("number", f"must be a whole number from 1, not {value!r}")
    return value


def _service_day(value: object) -> int:
    if value is None:
        raise _refused("missing", "is missing")
    if not isinstance(value, str) or value.strip().lower() not in DAY_NAMES:
        raise _refused(
            "day",
            f"{value!r} is not a service day (monday, tuesday, wednesday, thursday, friday)",
        )
    return DAY_NAMES[value.strip().lower()]


def _web_address(url: str) -> str:
    try:
        if url:
            _url_validator(url)
    except ValidationError:
        raise _refused(
            "url", f"{url!r} is not a web address starting with http:// or https://"
        ) from None
    return url


Text = Annotated[str, _text(required=False)]
RequiredText = Annotated[str, _text(required=True)]
Title = Annotated[str, _text(required=True, max_length=200)]
Line = Annotated[str, _text(required=False, max_length=200)]


class _Fields(BaseModel):
    # An unknown field (a typo such as `histroy`) is refused, not silently dropped.
    model_config = ConfigDict(extra="forbid")


class PackageQuestion(_Fields):
    question: RequiredText
    answer: RequiredText


class PackageImage(_Fields):
    file: RequiredText
    caption: Annotated[str, _text(required=False, max_length=300)] = ""
    alt_text: Annotated[str, _text(required=True, max_length=300)]

    @field_validator("file")
    @classmethod
    def _readable_image(cls, file: str, info: ValidationInfo) -> str:
        refusal = info.context["images"].refusal(file)
        if refusal:
            raise _refused("image", refusal)
        return file


class PackageCase(_Fields):
    day: Annotated[int, BeforeValidator(_service_day)]
    title: Title
    history: RequiredText
    teaching_points: Text = ""
    images: Annotated[list[PackageImage], _items(limit=MAX_IMAGES_PER_CASE)] = []
    questions: Annotated[
        list[PackageQuestion],
        _items(limit=MAX_QUESTIONS_PER_CASE, needed_because="a case needs at least one question"),
    ]

    @property
    def day_name(self) -> str:
        return ServiceDay(self.day).label


class PackageReading(_Fields):
    citation: RequiredText
    url: Annotated[str, _text(required=False, max_length=500), AfterValidator(_web_address)] = ""


class PackageWeek(_Fields):
    number: Annotated[int, BeforeValidator(_week_number)]
    topic: Title
    summary: Text = ""
    readings: Annotated[list[PackageReading], _items(limit=MAX_READINGS_PER_WEEK)] = []
    # Only five days, but a longer list is reported day by day.
    cases: Annotated[list[PackageCase], _items(limit=MAX_CASES_PER_WEEK)] = []

    @field_validator("cases")
    @classmethod
    def _by_day(cls, cases: list[PackageCase]) -> list[PackageCase]:
        return sorted(cases, key=lambda case: case.day)


class PackageHeading(_Fields):
    """The curriculum's own fields, checked alone (the web editor's curriculum form)."""

    title: Title
    description: Text = ""
    source: Line = ""
    license: Line = ""


class CurriculumPackage(_Fields):
    """A package that passed every check: safe to write."""

    format: str
    version: int
    title: Title
    description: Text = ""
    source: Line = ""
    license: Line = ""
    weeks: Annotated[
        list[PackageWeek],
        _items(limit=MAX_WEEKS, needed_because="a curriculum needs at least one week"),
    ]
    # The bytes of each image file listed, read and checked once however many cases list it.
    _images: dict[str, bytes] = PrivateAttr(default_factory=dict)

    @field_validator("weeks")
    @classmethod
    def _by_number(cls, weeks: list[PackageWeek]) -> list[PackageWeek]:
        return sorted(weeks, key=lambda week: week.number)

    def image_data(self, file: str) -> bytes:
        return self._images[file]

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

    @property
    def image_bytes(self) -> int:
        return sum(
            len(self._images[image.file])
            for week in self.weeks
            for case in week.cases
            for image in case.images
        )

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


# The model of the entries of each list field, to name an unknown field's expected ones.
_ENTRY_MODELS = {
    "weeks": PackageWeek,
    "readings": PackageReading,
    "cases": PackageCase,
    "images": PackageImage,
    "questions": PackageQuestion,
}


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


def _place(loc: tuple) -> str:
    """("weeks", 2, "cases", 0) -> "weeks[2].cases[0]"; the file itself for ()."""
    place = ""
    for part in loc:
        place += f"[{part}]" if isinstance(part, int) else f".{part}" if place else str(part)
    return place or YAML_NAME


@dataclass(frozen=True)
class Problem:
    """One of pydantic's errors in our words: where (`loc`, e.g. ("weeks", 2, "title"))
    and what is wrong (`text`, e.g. "is missing"). The web editor puts `text` beside
    the field at `loc`; the package import writes `str(problem)`."""

    loc: tuple
    text: str
    kind: str

    def __str__(self) -> str:
        if self.kind == "missing" and self.loc:
            return f"{_place(self.loc[:-1])}: {self.loc[-1]!r} is missing"
        if self.kind in ("extra_forbidden", "invalid_key"):
            return f"{_place(self.loc[:-1])}: {self.text}"
        return f"{_place(self.loc)}: {self.text}"


def problem_list(
    error: PydanticValidationError, *, top: type[BaseModel] | None = None
) -> list[Problem]:
    """Each of pydantic's errors as a Problem, in the file's order. `top` is the model
    validated (the whole package unless given), to name an unknown field's expected ones."""
    problems = []
    for found in error.errors(include_url=False):
        loc, kind = tuple(found["loc"]), found["type"]
        if kind == "missing":  # pydantic's (an absent field) or ours (blank)
            text = "is missing"
        elif kind in ("extra_forbidden", "invalid_key"):
            parents = [part for part in loc[:-1] if isinstance(part, str)]
            model = _ENTRY_MODELS[parents[-1]] if parents else (top or CurriculumPackage)
            name = found["input"] if kind == "invalid_key" else loc[-1]
            expected = ", ".join(model.model_fields)
            text = f"unknown field {name!r} (expected one of: {expected})"
        elif kind == "model_type":
            text = f"must be a mapping of fields, not {_kind(found['input'])}"
        else:
            text = found["msg"]
        problems.append(Problem(loc=loc, text=text, kind=kind))
    return problems


def _problems(error: PydanticValidationError) -> list[str]:
    """Each of pydantic's errors as "place: what is wrong", in the file's order."""
    return [str(problem) for problem in problem_list(error)]


def _valid(check, value: object):
    """`check(value)`, or None when it refuses the value (pydantic reports that)."""
    try:
        return check(value)
    except PydanticCustomError:
        return None


def _clashes(data: dict) -> list[str]:
    """Two weeks with one number, two cases on one day of a week: what no field's own
    check can see, found among the entries whose number or day is valid by itself."""
    problems = []
    weeks = data.get("weeks") if isinstance(data.get("weeks"), list) else []
    numbers: dict[int, int] = {}
    for index, week in enumerate(weeks):
        week = week if isinstance(week, dict) else {}
        number = _valid(_week_number, week.get("number"))
        if number in numbers:
            problems.append(
                f"weeks[{index}].number: week {number} is already weeks[{numbers[number]}]"
            )
        elif number is not None:
            numbers[number] = index
        cases = week.get("cases") if isinstance(week.get("cases"), list) else []
        days: dict[int, int] = {}
        for case_index, case in enumerate(cases):
            day = _valid(_service_day, case.get("day")) if isinstance(case, dict) else None
            if day in days:
                problems.append(
                    f"weeks[{index}].cases[{case_index}].day: {ServiceDay(day).label} already"
                    f" has a case (weeks[{index}].cases[{days[day]}])"
                )
            elif day is not None:
                days[day] = case_index
    return problems


def _format_refusal(data: object) -> str | None:
    """Why `data` is not a curriculum.yaml of the version we read, or None. Checked
    first: listing every field of some other kind of file as wrong helps nobody."""
    if not isinstance(data, dict):
        return f"{YAML_NAME}: must be a mapping of fields, not {_kind(data)}"
    fmt, version = data.get("format"), data.get("version")
    if fmt != FORMAT_NAME:
        missing = ", and it is missing" if fmt is None else f", not {fmt!r}"
        return f"format: must be {FORMAT_NAME!r}{missing}"
    if version is None:
        return f"version: is missing (this medmentor reads version {FORMAT_VERSION})"
    if isinstance(version, bool) or not isinstance(version, int):
        return f"version: must be the number {FORMAT_VERSION}, not {version!r}"
    if version > FORMAT_VERSION:
        return (
            f"version: {version} is newer than this medmentor reads (version {FORMAT_VERSION});"
            " update medmentor to import this package"
        )
    if version != FORMAT_VERSION:
        return f"version: {version} is not a version medmentor knows (it reads {FORMAT_VERSION})"
    return None


class _ImageReader:
    """Reads and checks the image files the YAML lists, each once (the validation
    context of PackageImage.file); keeps the bytes of those that pass."""

    def __init__(self, archive: safe_zip.SafeZip, members: dict[str, zipfile.ZipInfo], root: str):
        self.archive, self.members, self.root = archive, members, root
        self.read: dict[str, bytes | None] = {}
        self.bytes_read = 0

    def refusal(self, file: str) -> str | None:
        """Why the image `file` cannot be used, or None when it can."""
        if not file.startswith(IMAGE_FOLDER) or file.endswith("/"):
            return f"{file!r} must be a file under {IMAGE_FOLDER}"
        if reason := _unsafe_member_name(file):
            return f"{file!r} {reason}"
        if file in self.read and self.read[file] is None:
            return f"{file!r} cannot be used (see the problem above)"
        if file in self.read:
            return None
        self.read[file] = None
        info = self.members.get(self.root + file)
        if info is None:
            return f"{file!r} is listed but is not in the zip"
        if info.file_size > MAX_IMAGE_BYTES:
            return (
                f"{file!r} is {info.file_size / 1024 / 1024:.1f} MB; the limit for one image is"
                f" {MAX_IMAGE_BYTES // 1024 // 1024} MB"
            )
        data = _read_member(self.archive, info, MAX_IMAGE_BYTES)
        self.bytes_read += len(data)
        if self.bytes_read > MAX_UNCOMPRESSED_BYTES:
            raise CurriculumPackageError(
                [
                    "The images unpack to more than "
                    f"{MAX_UNCOMPRESSED_BYTES // 1024 // 1024} MB in all; "
                    "the sizes in the zip are wrong."
                ]
            )
        if reason := _image_problem(data):
            return f"{file!r} {reason}"
        self.read[file] = data
        return None


def _image_problem(data: bytes) -> str | None:
    """Why `data` is not a whole PNG, JPEG, GIF or WebP picture of a sane size, or None."""
    accepted = ", ".join(IMAGE_FORMATS.values())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as picture:
                width, height = picture.size
                if picture.format not in IMAGE_FORMATS:
                    return f"is a {picture.format} image; the accepted formats are {accepted}"
                if width * height > MAX_IMAGE_PIXELS:
                    return f"is {width}×{height} pixels; the limit is {MAX_IMAGE_PIXELS:,} pixels"
                picture.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return f"is not an image (accepted formats: {accepted})"
    except (OSError, SyntaxError, ValueError, EOFError, TypeError, IndexError):
        # Pillow reports a cut-off or damaged file with one of these.
        return f"is damaged: it starts like a picture but cannot be read ({accepted})"
    return None


def image_refusal(data: bytes) -> str | None:
    """Why `data` cannot be a case image ("is not an image …"), or None when it can.

    The admin's image upload uses the same check as the package import.
    """
    if len(data) > MAX_IMAGE_BYTES:
        return f"is larger than the limit of {MAX_IMAGE_BYTES // 1024 // 1024} MB for one image"
    return _image_problem(data)


def curriculum_package_read(*, content: bytes) -> CurriculumPackage:
    """Check a package from top to bottom without writing anything.

    Returns the package ready to write, or raises CurriculumPackageError listing every
    problem found (up to MAX_PROBLEMS_REPORTED), each with its place.
    """
    archive, members, root = _open_zip(content)
    with archive:
        data = _load_yaml(_read_member(archive, members[root + YAML_NAME], MAX_YAML_BYTES))
        if refusal := _format_refusal(data):
            raise CurriculumPackageError([refusal])
        images = _ImageReader(archive, members, root)
        problems = _clashes(data)
        try:
            package = CurriculumPackage.model_validate(data, context={"images": images})
        except PydanticValidationError as error:
            problems = _problems(error) + problems
        if problems:
            if len(problems) > MAX_PROBLEMS_REPORTED:
                # A systematic mistake would otherwise be listed hundreds of times.
                problems = problems[:MAX_PROBLEMS_REPORTED] + [
                    f"Stopped after {MAX_PROBLEMS_REPORTED} problems; fix these and try again."
                ]
            raise CurriculumPackageError(problems) from None
    package._images = {file: data for file, data in images.read.items() if data is not None}
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
                    ContentFile(package.image_data(package_image.file)),
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
