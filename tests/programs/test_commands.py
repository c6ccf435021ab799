"""The console verbs: import-roster, import-schedule, derive-pairs, create-program."""

import datetime
import io
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from medmentor.__main__ import main
from medmentor.messaging.models import OutboxMessage
from medmentor.people.models import Person
from medmentor.programs.models import Enrollment, Pair, Program, Role, ServiceBlock
from tests.conftest import coming_monday
from tests.programs.files import roster, schedule, xlsx_bytes


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def roster_file(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(
        roster(
            ["ana@lakeside.test", "Ana Alvarez", "R1", "junior"],
            ["ben@lakeside.test", "Ben Brown", "R3", "senior"],
        )
    )
    return path


def test_import_roster_dry_run_prints_the_preview_and_writes_nothing(program, roster_file):
    out, _ = run("import_roster", program.slug, str(roster_file), "--dry-run")
    assert "row    2  create     ana@lakeside.test" in out
    assert "Dry run: 2 to create, 0 to update, 0 unchanged. Nothing was written." in out
    assert not Person.objects.filter(email="ana@lakeside.test").exists()


def test_import_roster_imports_and_a_second_run_is_unchanged(program, roster_file):
    out, _ = run("import_roster", program.slug, str(roster_file))
    assert "Imported the roster: 2 created, 0 updated, 0 unchanged." in out
    assert Enrollment.objects.filter(program=program).count() == 2
    out, _ = run("import_roster", program.slug, str(roster_file))
    assert "Imported the roster: 0 created, 0 updated, 2 unchanged." in out


def test_import_roster_with_bad_rows_exits_non_zero_and_names_each_problem(program, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(
        xlsx_bytes(
            [
                ["email", "full_name", "training_level", "role"],
                ["ana@lakeside.test", "Ana", "R1", "junior"],
                ["ben@lakeside.test", "Ben", "R7", "senior"],
            ]
        )
    )
    err = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import_roster", program.slug, str(path), stdout=io.StringIO(), stderr=err)
    assert failed.value.returncode == 1
    assert "1 problem(s); nothing was imported" in str(failed.value)
    assert "Row 3, column training_level: unknown training level “R7”" in err.getvalue()
    assert not Person.objects.filter(email="ana@lakeside.test").exists()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["no-such-program", "roster.csv"], "No program called “no-such-program”"),
        (["nm-must-see", "/nonexistent/roster.csv"], "Cannot read /nonexistent/roster.csv"),
    ],
)
def test_import_roster_refuses_unknown_program_or_file(program, args, words):
    with pytest.raises(CommandError, match=words):
        run("import_roster", *args)


def test_console_verb_with_dashes_exits_1_on_a_bad_file(program, tmp_path, monkeypatch, capsys):
    path = tmp_path / "roster.txt"
    path.write_text("email\n")
    monkeypatch.setattr(sys, "argv", ["medmentor", "import-roster", program.slug, str(path)])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 1
    assert "“roster.txt” is not a .csv or .xlsx file" in capsys.readouterr().err


def test_import_schedule_imports_blocks_and_derives_pairs(program, junior, senior, tmp_path):
    monday = coming_monday(program)
    friday = monday + datetime.timedelta(days=4)
    path = tmp_path / "schedule.csv"
    path.write_bytes(
        schedule(
            [junior.email, "", monday.isoformat(), friday.isoformat()],
            [senior.email, "", monday.isoformat(), friday.isoformat()],
        )
    )
    out, _ = run("import_schedule", program.slug, str(path))
    assert "Imported the service schedule: 2 created" in out
    assert "Pairs derived again for 1 week." in out
    assert ServiceBlock.objects.count() == 2
    assert Pair.objects.filter(junior=junior, senior=senior).count() == 1


def test_import_schedule_with_an_unknown_person_exits_non_zero(program, junior, tmp_path):
    path = tmp_path / "schedule.csv"
    path.write_bytes(schedule(["stranger@x.test", "", "2026-11-02", "2026-11-06"]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_schedule", program.slug, str(path), stdout=io.StringIO(), stderr=err)
    assert "Row 2, column email: unknown person: stranger@x.test" in err.getvalue()
    assert ServiceBlock.objects.count() == 0


def test_derive_pairs_prints_pairs_and_juniors_without_senior(
    program, junior, other_junior, senior
):
    monday = coming_monday(program)
    program.starts_on = monday
    program.save(update_fields=["starts_on"])
    for person, days in ((junior, 11), (other_junior, 4), (senior, 4)):
        ServiceBlock.objects.create(
            program=program,
            person=person,
            service=program.service,
            starts_on=monday,
            ends_on=monday + datetime.timedelta(days=days),
        )
    week_one, week_two = f"{monday:%d %b %Y}", f"{monday + datetime.timedelta(7):%d %b %Y}"
    out, _ = run("derive_pairs", program.slug)
    assert f"Week of {week_one}: 2 pair(s) (2 added, 0 removed, 0 back on the schedule)" in out
    assert "Jo Junior with Sam Senior" in out
    assert f"Week of {week_two}: 0 pair(s)" in out
    assert "Jo Junior has no senior on service this week." in out

    wednesday = (monday + datetime.timedelta(days=2)).isoformat()
    out, _ = run("derive_pairs", program.slug, "--week", wednesday)
    assert out.splitlines()[0] == (
        f"Week of {week_one}: 2 pair(s) (0 added, 0 removed, 0 back on the schedule)"
    )


def test_derive_pairs_leaves_finished_weeks_as_they_were(program, junior, senior):
    for person in (junior, senior):
        ServiceBlock.objects.create(
            program=program,
            person=person,
            service=program.service,
            starts_on=datetime.date(2026, 11, 2),
            ends_on=datetime.date(2026, 11, 6),
        )
    with pytest.raises(CommandError, match="Week of 2 Nov ended on 8 Nov; finished weeks are kept"):
        run("derive_pairs", program.slug, "--week", "2026-11-04")
    out, _ = run("derive_pairs", program.slug)
    assert "finished week(s) kept as they were" in out
    assert not Pair.objects.exists()


def test_derive_pairs_refuses_a_bad_week(program):
    with pytest.raises(CommandError, match="is not a date"):
        run("derive_pairs", program.slug, "--week", "4/11/2026")
    with pytest.raises(CommandError, match="before the program starts"):
        run("derive_pairs", program.slug, "--week", "2026-10-01")


def test_create_program_with_its_director_emails_a_sign_in_link_and_prints_none(db):
    out, _ = run(
        "create_program",
        "pet-ct",
        "--name",
        "PET/CT must-see case",
        "--institution",
        "Harbor Hospital",
        "--service",
        "Nuclear Medicine",
        "--starts-on",
        "2027-01-04",
        "--director-email",
        "Dr.Dee@Harbor.test",
        "--director-name",
        "Dee Director",
    )
    program = Program.objects.get(slug="pet-ct")
    assert (program.institution.name, program.service.name) == (
        "Harbor Hospital",
        "Nuclear Medicine",
    )
    assert Enrollment.objects.filter(
        program=program, person__email="dr.dee@harbor.test", role=Role.DIRECTOR
    ).exists()
    # Whoever runs the command must not be able to sign in as the director: the
    # link is emailed (minted by the worker at delivery), never printed or stored.
    assert "/sign-in/link/" not in out
    assert "A one-time sign-in link is queued for dr.dee@harbor.test" in out
    message = OutboxMessage.objects.get(to_email="dr.dee@harbor.test")
    assert "/sign-in/link/" not in message.text_body + message.html_body
    assert "/personal-link/sign-in/" in message.text_body


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--starts-on", "2027-01-06"], "2027-01-06 is a Wednesday"),
        (["--starts-on", "tomorrow"], "is not a date"),
        (["--starts-on", "2027-01-04", "--time-zone", "Mars/Olympus"], "not a time zone"),
        (["--starts-on", "2027-01-04", "--director-email", "new@x.test"], "give their full name"),
    ],
)
def test_create_program_refuses_bad_input_and_leaves_nothing(db, extra, words):
    with pytest.raises(CommandError, match=words):
        run("create_program", "pet-ct", "--name", "PET", "--institution", "Harbor", *extra)
    assert not Program.objects.filter(slug="pet-ct").exists()
