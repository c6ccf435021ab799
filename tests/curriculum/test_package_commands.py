"""`medmentor export-curriculum` and `medmentor import-curriculum` from the console."""

import io
import os
import subprocess
import sys
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from medmentor.curriculum.models import Curriculum
from medmentor.curriculum.package import curriculum_package_import
from medmentor.curriculum.package_export import curriculum_package_export
from tests.curriculum.test_package import curriculum_as_data, document, other_program, package_zip
from tests.curriculum.test_package_refusals import table_counts


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def console(*argv, tmp_path) -> subprocess.CompletedProcess:
    """Run `medmentor ARGV…` in a new process on the test database, as a person would.

    The test must use `transactional_db` so that the process sees the rows.
    """
    database = connection.settings_dict
    if database["ENGINE"].endswith("sqlite3"):
        if connection.is_in_memory_db():
            pytest.skip("the test database is in memory; a second process cannot open it")
        url = f"sqlite:///{database['NAME']}"
    else:
        url = (
            f"postgres://{quote(database['USER'] or '')}:{quote(database['PASSWORD'] or '')}"
            f"@{database['HOST'] or 'localhost'}:{database['PORT'] or 5432}/{database['NAME']}"
        )
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "MEDMENTOR_DATA_DIR": str(tmp_path / "data"),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    return subprocess.run(
        [sys.executable, "-m", "medmentor", *argv],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def package_file(tmp_path):
    path = tmp_path / "nm.zip"
    path.write_bytes(package_zip())
    return path


def test_export_writes_the_package_to_a_file(program, tmp_path):
    curriculum = curriculum_package_import(program=program, content=package_zip())
    out = tmp_path / "exported.zip"

    printed = run("export_curriculum", program.slug, str(out))

    assert out.read_bytes() == curriculum_package_export(curriculum=curriculum)
    assert printed.startswith(f"Wrote “Nuclear medicine for R1s” (2 weeks) to {out}")


def test_export_of_a_program_without_curriculum_fails_with_the_reason(program, tmp_path):
    with pytest.raises(CommandError, match="has no curriculum to export"):
        run("export_curriculum", program.slug, str(tmp_path / "out.zip"))
    assert not (tmp_path / "out.zip").exists()


def test_import_from_the_console_creates_the_curriculum(program, package_file):
    printed = run("import_curriculum", program.slug, str(package_file))

    assert printed == (
        "Imported “Nuclear medicine for R1s” into Nuclear Medicine must-see case: "
        "2 weeks, 2 readings, 3 cases, 5 questions, 3 images.\n"
    )
    assert Curriculum.objects.get(program=program).weeks.count() == 2


def test_a_dry_run_checks_and_writes_nothing(program, package_file, settings):
    printed = run("import_curriculum", program.slug, str(package_file), "--dry-run")

    assert printed.startswith("Dry run: nm.zip passed every check.")
    assert printed.rstrip().endswith("Nothing was written.")
    assert Curriculum.objects.count() == 0
    assert not settings.MEDIA_ROOT.exists()


def test_an_export_imports_into_another_program_unchanged(program, tmp_path):
    original = curriculum_package_import(program=program, content=package_zip())
    second = other_program(program, slug="second")
    out = tmp_path / "exported.zip"

    run("export_curriculum", program.slug, str(out))
    run("import_curriculum", second.slug, str(out))

    copy = Curriculum.objects.get(program=second)
    assert curriculum_as_data(copy) == curriculum_as_data(original)


@pytest.mark.slow  # a new Python process
def test_a_bad_package_exits_non_zero_with_the_reason(program, tmp_path, transactional_db):
    data = document()
    data["weeks"][0]["cases"][1]["day"] = "monday"
    bad = tmp_path / "bad.zip"
    bad.write_bytes(package_zip(data))

    result = console("import-curriculum", program.slug, str(bad), tmp_path=tmp_path)

    assert result.returncode == 1
    assert "weeks[0].cases[1].day: Monday already has a case (weeks[0].cases[0])" in result.stderr
    assert "bad.zip was refused (1 problem); nothing was imported." in result.stderr
    assert table_counts() == dict.fromkeys(table_counts(), 0)
    assert not settings.MEDIA_ROOT.exists()


@pytest.mark.slow  # a new Python process
def test_a_good_package_imports_from_the_console_with_exit_code_zero(
    program, package_file, tmp_path, transactional_db
):
    result = console("import-curriculum", program.slug, str(package_file), tmp_path=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "Imported “Nuclear medicine for R1s”" in result.stdout
    assert Curriculum.objects.get(program=program).weeks.count() == 2


def test_a_dry_run_of_a_bad_package_fails_too(program, tmp_path):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK but not really a zip")
    err = io.StringIO()

    with pytest.raises(CommandError, match="bad.zip was refused"):
        call_command("import_curriculum", program.slug, str(bad), "--dry-run", stderr=err)

    assert "This file is not a zip file." in err.getvalue()


def test_a_second_import_needs_replace(program, package_file):
    curriculum_package_import(program=program, content=package_zip())
    err = io.StringIO()

    with pytest.raises(CommandError, match=r"refused \(1 problem\)"):
        call_command("import_curriculum", program.slug, str(package_file), stderr=err)

    assert err.getvalue() == (
        "  Nuclear Medicine must-see case already has the curriculum “Nuclear medicine for R1s”: "
        "add --replace to replace it.\n"
    )
    data = document()
    data["title"] = "Second edition"
    package_file.write_bytes(package_zip(data))

    printed = run("import_curriculum", program.slug, str(package_file), "--replace")

    assert ", replacing “Nuclear medicine for R1s”" in printed
    assert Curriculum.objects.get(program=program).title == "Second edition"


def test_an_unknown_program_is_named_with_the_ones_that_exist(program, package_file):
    with pytest.raises(CommandError, match="No program called “nope”. Programs: nm-must-see."):
        run("import_curriculum", "nope", str(package_file))


def test_a_missing_file_is_named(program, tmp_path):
    with pytest.raises(CommandError, match="Cannot read .*missing.zip: No such file or directory"):
        run("import_curriculum", program.slug, str(tmp_path / "missing.zip"))
