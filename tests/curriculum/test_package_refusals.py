"""A bad curriculum package is refused with a reason naming its place, and changes nothing."""

import copy
import io
import zipfile

import pytest
import yaml
from django.core.files.storage import FileSystemStorage

from medmentor.curriculum import package as packages
from medmentor.curriculum.models import (
    Case,
    CaseImage,
    Curriculum,
    CurriculumWeek,
    Question,
    Reading,
    WeekPlan,
)
from medmentor.curriculum.package import CurriculumPackageError, curriculum_package_import
from tests.curriculum.test_package import curriculum_as_data, document, image_files, package_zip

MODELS = (Curriculum, CurriculumWeek, Reading, Case, CaseImage, Question, WeekPlan)


def table_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def files_in(folder) -> list[str]:
    """Every file under `folder` (none when it does not exist)."""
    return sorted(str(path) for path in folder.rglob("*") if path.is_file())


def refuse(program, content: bytes, **options) -> str:
    """Import `content`, expecting a refusal; returns its message."""
    with pytest.raises(CurriculumPackageError) as refusal:
        curriculum_package_import(program=program, content=content, **options)
    return str(refusal.value)


def changed(edit) -> bytes:
    """A package whose curriculum.yaml data went through `edit(data)`."""
    data = copy.deepcopy(document())
    edit(data)
    return package_zip(data)


def raw_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _set(path: list, value):
    def edit(data):
        target = data
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return edit


def _delete(path: list):
    def edit(data):
        target = data
        for step in path[:-1]:
            target = target[step]
        del target[path[-1]]

    return edit


CASE = ["weeks", 0, "cases", 0]


BAD_DOCUMENTS = {
    "answer missing": (
        _delete(["weeks", 1, "cases", 0, "questions", 1, "answer"]),
        "weeks[1].cases[0].questions[1]: 'answer' is missing",
    ),
    "question blank": (
        _set([*CASE, "questions", 0, "question"], "   "),
        "weeks[0].cases[0].questions[0]: 'question' is missing",
    ),
    "title missing": (_delete(["title"]), "'title' is missing"),
    "topic missing": (_delete(["weeks", 1, "topic"]), "weeks[1]: 'topic' is missing"),
    "history missing": (_delete([*CASE, "history"]), "weeks[0].cases[0]: 'history' is missing"),
    "no questions": (
        _set([*CASE, "questions"], []),
        "weeks[0].cases[0].questions: is empty; a case needs at least one question",
    ),
    "no weeks": (_set(["weeks"], []), "weeks: is empty"),
    "weeks not a list": (_set(["weeks"], "six"), "weeks: must be a list, not text ('six')"),
    "week number as text": (
        _set(["weeks", 0, "number"], "one"),
        "weeks[0].number: must be a whole number from 1, not 'one'",
    ),
    "week number zero": (
        _set(["weeks", 0, "number"], 0),
        "weeks[0].number: must be a whole number from 1, not 0",
    ),
    "answer read as yes/no": (
        _set([*CASE, "questions", 0, "answer"], True),
        "weeks[0].cases[0].questions[0].answer: must be text, not yes/no (True) (YAML reads",
    ),
    "title too long": (
        _set([*CASE, "title"], "x" * 201),
        "weeks[0].cases[0].title: is 201 characters long; the limit is 200",
    ),
    "case not a mapping": (
        _set(["weeks", 0, "cases", 1], "a case"),
        "weeks[0].cases[1]: must be a mapping of fields, not text ('a case')",
    ),
    "unknown field": (
        _set([*CASE, "histroy"], "typo"),
        "weeks[0].cases[0]: unknown field 'histroy' (expected one of: day, title, history",
    ),
    "duplicate week numbers": (
        _set(["weeks", 1, "number"], 1),
        "weeks[1].number: week 1 is already weeks[0]",
    ),
    "duplicate day in a week": (
        _set(["weeks", 0, "cases", 1, "day"], "MONDAY"),
        "weeks[0].cases[1].day: Monday already has a case (weeks[0].cases[0])",
    ),
    "unknown day": (
        _set([*CASE, "day"], "saturday"),
        "weeks[0].cases[0].day: 'saturday' is not a service day (monday, tuesday, wednesday",
    ),
    "day missing": (_delete([*CASE, "day"]), "weeks[0].cases[0]: 'day' is missing"),
    "url not http": (
        _set(["weeks", 0, "readings", 0, "url"], "javascript:alert(1)"),
        "weeks[0].readings[0].url: 'javascript:alert(1)' is not a web address starting with"
        " http:// or https://",
    ),
    "url ftp": (
        _set(["weeks", 0, "readings", 0, "url"], "ftp://files.example.org/guide.pdf"),
        "weeks[0].readings[0].url: 'ftp://files.example.org/guide.pdf' is not a web address",
    ),
    "citation missing": (
        _delete(["weeks", 0, "readings", 1, "citation"]),
        "weeks[0].readings[1]: 'citation' is missing",
    ),
    "image not in zip": (
        _set([*CASE, "images", 0, "file"], "images/week-1/missing.png"),
        "weeks[0].cases[0].images[0].file: 'images/week-1/missing.png' is listed but is not in"
        " the zip",
    ),
    "image outside images/": (
        _set([*CASE, "images", 0, "file"], "curriculum.yaml"),
        "weeks[0].cases[0].images[0].file: 'curriculum.yaml' must be a file under images/",
    ),
    "image path climbing out": (
        _set([*CASE, "images", 0, "file"], "images/../../etc/passwd"),
        "weeks[0].cases[0].images[0].file: 'images/../../etc/passwd' climbs out of the package",
    ),
    "image without alt text": (
        _delete([*CASE, "images", 0, "alt_text"]),
        "weeks[0].cases[0].images[0]: 'alt_text' is missing",
    ),
    "format wrong": (
        _set(["format"], "moodle-course"),
        "format: must be 'medmentor-curriculum', not 'moodle-course'",
    ),
    "format missing": (
        _delete(["format"]),
        "format: must be 'medmentor-curriculum', and it is missing",
    ),
    "version newer": (_set(["version"], 2), "version: 2 is newer than this medmentor reads"),
    "version as text": (_set(["version"], "one"), "version: must be the number 1, not 'one'"),
    "version missing": (_delete(["version"]), "version: is missing"),
}


@pytest.mark.parametrize("edit, message", BAD_DOCUMENTS.values(), ids=BAD_DOCUMENTS.keys())
def test_a_bad_field_is_refused_naming_its_place_and_nothing_is_written(
    program, settings, edit, message
):
    before = table_counts()

    reason = refuse(program, changed(edit))

    assert message in reason
    assert table_counts() == before
    assert files_in(settings.MEDIA_ROOT) == []


def test_every_problem_is_listed_not_only_the_first(program):
    def two_mistakes(data):
        del data["weeks"][0]["cases"][0]["questions"][0]["answer"]
        data["weeks"][1]["cases"][0]["day"] = "sunday"

    reason = refuse(program, changed(two_mistakes))

    assert reason.splitlines() == [
        "weeks[0].cases[0].questions[0]: 'answer' is missing",
        "weeks[1].cases[0].day: 'sunday' is not a service day (monday, tuesday, wednesday,"
        " thursday, friday)",
    ]


def test_a_file_full_of_mistakes_stops_listing_after_a_limit(program):
    def many(data):
        data["weeks"] = [{"number": n} for n in range(1, 100)]

    reason = refuse(program, changed(many))

    assert len(reason.splitlines()) == packages.MAX_PROBLEMS_REPORTED + 1
    assert reason.splitlines()[-1].startswith("Stopped after 25 problems")


# --- The zip itself -------------------------------------------------------------------


def test_a_file_that_is_not_a_zip_is_refused(program):
    reason = refuse(program, b"format: medmentor-curriculum\n")

    assert reason == (
        "This file is not a zip file. A curriculum package is a .zip holding curriculum.yaml."
    )


def test_a_zip_without_curriculum_yaml_is_refused(program):
    reason = refuse(program, raw_zip({"course.json": b"{}", "images/a.png": b"x"}))

    assert reason == (
        "The package has no curriculum.yaml at its top level "
        "(files found: course.json, images/a.png)."
    )


def test_a_yaml_syntax_error_gives_its_line(program):
    text = "format: medmentor-curriculum\nversion: 1\ntitle: [unclosed\nweeks: []\n"

    reason = refuse(program, raw_zip({"curriculum.yaml": text.encode()}))

    assert reason.startswith("curriculum.yaml: YAML syntax error at line 4")


def test_yaml_that_is_not_utf8_is_refused(program):
    reason = refuse(program, raw_zip({"curriculum.yaml": "title: café".encode("latin-1")}))

    assert reason == "curriculum.yaml: not UTF-8 text (byte 11 cannot be read)."


def test_yaml_with_a_control_character_gives_its_line(program):
    text = b"format: medmentor-curriculum\nversion: 1\ntitle: bell \x07\n"

    reason = refuse(program, raw_zip({"curriculum.yaml": text}))

    assert reason == (
        "curriculum.yaml: line 3 holds the control character U+0007, which YAML does not allow."
    )


def test_yaml_that_is_a_list_not_a_mapping_is_refused(program):
    reason = refuse(program, raw_zip({"curriculum.yaml": b"- week one\n- week two\n"}))

    assert reason == "curriculum.yaml: must be a mapping of fields, not a list"


def test_yaml_that_tries_to_make_a_python_object_is_refused(program):
    text = b"format: !!python/object/apply:os.system ['echo pwned']\n"

    reason = refuse(program, raw_zip({"curriculum.yaml": text}))

    assert "could not determine a constructor for the tag" in reason


@pytest.mark.parametrize(
    "name, why",
    [
        ("../outside.png", "climbs out of the package with '..'"),
        ("images/../../outside.png", "climbs out of the package with '..'"),
        ("/etc/passwd", "is an absolute path"),
        ("C:/Windows/evil.png", "is an absolute path"),
        ("images\\..\\evil.png", "uses a backslash in its path"),
    ],
)
def test_a_member_name_that_escapes_the_package_is_refused(program, settings, name, why):
    content = raw_zip(
        {"curriculum.yaml": yaml.safe_dump(document()).encode(), **image_files(), name: b"x"}
    )

    reason = refuse(program, content)

    assert reason.startswith(f"{name!r} in the zip {why}")
    assert Curriculum.objects.count() == 0
    assert not settings.MEDIA_ROOT.exists()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(program):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("curriculum.yaml", yaml.safe_dump(document()))
        with archive.open("images/zeros.png", "w", force_zip64=True) as member:
            chunk = bytes(8 * 1024 * 1024)
            for _ in range(packages.MAX_UNCOMPRESSED_BYTES // len(chunk) + 1):
                member.write(chunk)
    content = buffer.getvalue()
    assert len(content) < 2 * 1024 * 1024  # tiny on the wire

    reason = refuse(program, content)

    assert reason == "The package unpacks to 208 MB; the limit is 200 MB."


def test_a_package_too_large_to_upload_is_refused(program):
    reason = refuse(program, bytes(packages.MAX_PACKAGE_BYTES + 1))

    assert reason == "The package is 50.0 MB; the limit is 50 MB."


def test_a_package_with_too_many_files_is_refused(program):
    members = {f"images/{n}.png": b"" for n in range(packages.MAX_MEMBERS)}

    reason = refuse(program, raw_zip({"curriculum.yaml": b"", **members}))

    assert reason == "The package holds 2001 files; the limit is 2000."


def test_an_image_over_the_size_limit_is_refused(program):
    files = image_files()
    files["images/week-1/graves.png"] = bytes(packages.MAX_IMAGE_BYTES + 1)

    reason = refuse(program, package_zip(files=files))

    assert reason == (
        "weeks[0].cases[0].images[0].file: 'images/week-1/graves.png' is 10.0 MB; "
        "the limit for one image is 10 MB"
    )


def test_an_image_with_a_lying_size_header_is_cut_off_at_the_limit(program):
    files = image_files()
    files["images/week-1/graves.png"] = bytes(packages.MAX_IMAGE_BYTES + 1)
    content = package_zip(files=files)
    # Rewrite the declared sizes (local header and central directory) to 10 bytes.
    real = (packages.MAX_IMAGE_BYTES + 1).to_bytes(4, "little")
    content = content.replace(real, (10).to_bytes(4, "little"))

    reason = refuse(program, content)

    assert "images/week-1/graves.png" in reason
    assert Curriculum.objects.count() == 0


@pytest.mark.parametrize(
    "content, why",
    [
        (b"this is not a picture", "is not an image (accepted formats: PNG, JPEG, GIF, WebP)"),
        (
            b"%PDF-1.4 pretending to be an image",
            "is not an image (accepted formats: PNG, JPEG, GIF, WebP)",
        ),
    ],
    ids=["text", "pdf"],
)
def test_an_image_that_is_not_a_picture_is_refused(program, content, why):
    files = image_files()
    files["images/week-1/graves.png"] = content

    reason = refuse(program, package_zip(files=files))

    assert reason == f"weeks[0].cases[0].images[0].file: 'images/week-1/graves.png' {why}"


def test_a_cut_off_png_is_refused(program):
    files = image_files()
    files["images/week-1/graves.png"] = files["images/week-1/graves.png"][:60]

    reason = refuse(program, package_zip(files=files))

    assert reason.startswith(
        "weeks[0].cases[0].images[0].file: 'images/week-1/graves.png' is damaged"
    )


def test_an_image_in_another_format_is_refused(program):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="BMP")
    files = image_files()
    files["images/week-1/graves.png"] = buffer.getvalue()

    reason = refuse(program, package_zip(files=files))

    assert reason.endswith("is a BMP image; the accepted formats are PNG, JPEG, GIF, WebP")


def test_an_image_with_too_many_pixels_is_refused(program):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (8000, 6000)).save(buffer, format="PNG")  # 48 Mpx, a few kB
    files = image_files()
    files["images/week-1/graves.png"] = buffer.getvalue()

    reason = refuse(program, package_zip(files=files))

    assert reason.endswith("is 8000×6000 pixels; the limit is 40,000,000 pixels")


# --- A program that already has a curriculum --------------------------------------------


def test_a_second_curriculum_is_refused_without_replace_and_the_first_stays(program, settings):
    first = curriculum_package_import(program=program, content=package_zip())
    before = (table_counts(), files_in(settings.MEDIA_ROOT), curriculum_as_data(first))

    reason = refuse(program, package_zip())

    assert reason == (
        "The program 'Nuclear Medicine must-see case' already has a curriculum. "
        "Import with “replace” to put this package in its place."
    )
    after = (table_counts(), files_in(settings.MEDIA_ROOT), curriculum_as_data(first))
    assert after == before


def test_a_bad_package_with_replace_leaves_the_current_curriculum_whole(program, settings):
    first = curriculum_package_import(program=program, content=package_zip())
    before = (table_counts(), files_in(settings.MEDIA_ROOT), curriculum_as_data(first))

    refuse(program, changed(_set(["weeks", 0, "number"], -3)), replace=True)

    after = (table_counts(), files_in(settings.MEDIA_ROOT), curriculum_as_data(first))
    assert after == before


class StorageThatFillsUp(FileSystemStorage):
    """A disk that is full after two files: the failure import must clean up after."""

    saved = 0

    def _save(self, name, content):
        StorageThatFillsUp.saved += 1
        if StorageThatFillsUp.saved > 2:
            raise OSError(28, "No space left on device")
        return super()._save(name, content)


def test_a_failure_while_writing_removes_the_files_already_stored(program, settings):
    first = curriculum_package_import(program=program, content=package_zip())
    before = (table_counts(), files_in(settings.MEDIA_ROOT), curriculum_as_data(first))
    StorageThatFillsUp.saved = 0
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "tests.curriculum.test_package_refusals.StorageThatFillsUp",
            "OPTIONS": {"location": str(settings.MEDIA_ROOT)},
        },
    }

    with pytest.raises(OSError, match="No space left"):
        curriculum_package_import(program=program, content=package_zip(), replace=True)

    assert StorageThatFillsUp.saved == 3  # two new files were written, then the disk was full
    after = (table_counts(), files_in(settings.MEDIA_ROOT), curriculum_as_data(first))
    assert after == before


def _with_encrypted_member(content: bytes, member: str) -> bytes:
    """`content` with `member` marked as password-protected (general-purpose flag bit 0
    in its local header and central directory entry), as an encrypting zip tool writes."""
    data = bytearray(content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        data[archive.getinfo(member).header_offset + 6] |= 0x01
    position = data.find(b"PK\x01\x02")
    while position != -1:
        name_length = int.from_bytes(data[position + 28 : position + 30], "little")
        if data[position + 46 : position + 46 + name_length] == member.encode():
            data[position + 8] |= 0x01
        position = data.find(b"PK\x01\x02", position + 4)
    return bytes(data)


def test_a_password_protected_package_is_refused_not_an_error(program):
    content = _with_encrypted_member(package_zip(), "curriculum.yaml")

    reason = refuse(program, content)

    assert reason == "curriculum.yaml: the file is encrypted; packages must not be."


def test_a_clash_is_named_even_when_other_fields_of_the_week_are_wrong(program):
    def clash_and_more(data):
        data["weeks"][0]["cases"][1]["day"] = "monday"
        del data["weeks"][0]["cases"][1]["history"]
        data["weeks"][1]["number"] = 1
        data["weeks"][1]["topic"] = ""

    reason = refuse(program, changed(clash_and_more))

    assert reason.splitlines() == [
        "weeks[0].cases[1]: 'history' is missing",
        "weeks[1]: 'topic' is missing",
        "weeks[0].cases[1].day: Monday already has a case (weeks[0].cases[0])",
        "weeks[1].number: week 1 is already weeks[0]",
    ]


def test_an_unknown_top_level_field_names_the_file_and_the_fields_it_may_hold(program):
    reason = refuse(program, changed(_set(["licence"], "CC BY 4.0")))

    assert reason == (
        "curriculum.yaml: unknown field 'licence' (expected one of: format, version, title,"
        " description, source, license, weeks)"
    )


def test_an_image_with_a_faked_small_size_is_refused_on_its_real_bytes(program):
    from tests.zip_bombs import expanding_zip, faked_sizes

    files = dict(image_files())
    files["curriculum.yaml"] = yaml.safe_dump(document()).encode()
    graves = files.pop("images/week-1/graves.png")
    content = faked_sizes(
        expanding_zip({"images/week-1/graves.png": 30 * 2**20}, extra=files), declared=len(graves)
    )

    reason = refuse(program, content)

    assert reason == (
        "images/week-1/graves.png: the file unpacks to more than 10 MB, the limit for one file."
    )
    assert Curriculum.objects.count() == 0
