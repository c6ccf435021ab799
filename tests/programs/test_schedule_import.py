"""Service schedule import: rotation blocks, their problems, all-or-nothing, pairs after."""

import datetime

import pytest

from medmentor.people.models import Service
from medmentor.programs.access import SYSTEM
from medmentor.programs.models import Pair, ServiceBlock
from medmentor.programs.services import schedule_import
from tests.conftest import coming_monday
from tests.programs.files import SCHEDULE_HEADER, csv_bytes, schedule, xlsx_bytes


def nov(day: int) -> datetime.date:
    return datetime.date(2026, 11, day)


def messages_of(result):
    return [str(error) for error in result.errors]


def blocks():
    return sorted(
        ServiceBlock.objects.values_list("person__email", "service__name", "starts_on", "ends_on")
    )


def test_preview_then_apply_creates_blocks_and_derives_the_pairs(program, junior, senior):
    monday = coming_monday(program)
    friday, next_friday = monday + datetime.timedelta(4), monday + datetime.timedelta(11)
    content = schedule(
        [junior.email, "Nuclear Medicine", monday.isoformat(), next_friday.isoformat()],
        [senior.email, "", f"{monday:%m/%d/%Y}", f"{friday:%m/%d/%Y}"],
    )
    preview = schedule_import(
        program=program, file_name="s.csv", content=content, apply=False, by=SYSTEM
    )
    assert preview.ok and [row.action for row in preview.rows] == ["create", "create"]
    assert ServiceBlock.objects.count() == 0

    result = schedule_import(
        program=program, file_name="s.csv", content=content, apply=True, by=SYSTEM
    )
    assert result.applied
    assert blocks() == [
        (junior.email, "Nuclear Medicine", monday, next_friday),
        (senior.email, "Nuclear Medicine", monday, friday),
    ]
    pairs = Pair.objects.filter(week__program=program)
    assert [(p.week.starts_on, p.junior, p.senior) for p in pairs] == [(monday, junior, senior)]
    assert any("no senior" in note for note in result.notes)  # the week after


def test_excel_date_cells_are_read(program, junior):
    content = xlsx_bytes(
        [SCHEDULE_HEADER, [junior.email, None, datetime.datetime(2026, 11, 2), nov(20)]]
    )
    result = schedule_import(
        program=program, file_name="s.xlsx", content=content, apply=True, by=SYSTEM
    )
    assert result.applied, messages_of(result)
    assert blocks() == [(junior.email, "Nuclear Medicine", nov(2), nov(20))]


def test_reimporting_the_same_schedule_is_unchanged(program, junior, senior):
    content = schedule([junior.email, "", "2026-11-02", "2026-11-13"])
    schedule_import(program=program, file_name="s.csv", content=content, apply=True, by=SYSTEM)
    again = schedule_import(
        program=program, file_name="s.csv", content=content, apply=True, by=SYSTEM
    )
    assert [row.action for row in again.rows] == ["unchanged"]
    assert ServiceBlock.objects.count() == 1


def test_a_corrected_block_replaces_the_one_it_overlaps_and_pairs_follow(program, junior, senior):
    monday = coming_monday(program)
    week_two = monday + datetime.timedelta(7)
    friday, next_friday = monday + datetime.timedelta(4), monday + datetime.timedelta(11)
    first = schedule(
        [junior.email, "", monday.isoformat(), next_friday.isoformat()],
        [senior.email, "", monday.isoformat(), next_friday.isoformat()],
    )
    schedule_import(program=program, file_name="s.csv", content=first, apply=True, by=SYSTEM)
    assert Pair.objects.filter(week__starts_on=week_two, is_removed=False).count() == 1

    corrected = schedule([senior.email, "", monday.isoformat(), friday.isoformat()])
    preview = schedule_import(
        program=program, file_name="s.csv", content=corrected, apply=False, by=SYSTEM
    )
    assert preview.rows[0].action == "update"
    assert str(preview.rows[0].changes[0]) == (
        f"dates: {monday} to {next_friday} → {monday} to {friday}"
    )
    schedule_import(program=program, file_name="s.csv", content=corrected, apply=True, by=SYSTEM)
    assert (senior.email, "Nuclear Medicine", monday, friday) in blocks()
    assert len(blocks()) == 2  # the junior's block, not in the file, is kept
    # The second week's pair is no longer in force, but kept (with any marks).
    assert Pair.objects.filter(week__starts_on=week_two, is_removed=False).count() == 0
    assert Pair.objects.get(week__starts_on=week_two).removed_by == "schedule"
    assert Pair.objects.filter(week__starts_on=monday, is_removed=False).count() == 1


def test_other_service_of_the_institution_is_stored_without_pairs(program, junior, senior):
    Service.objects.create(institution=program.institution, name="Body CT")
    content = schedule(
        [junior.email, "body ct", "2026-11-02", "2026-11-06"],
        [senior.email, "", "2026-11-02", "2026-11-06"],
    )
    result = schedule_import(
        program=program, file_name="s.csv", content=content, apply=True, by=SYSTEM
    )
    assert result.applied, messages_of(result)
    assert (junior.email, "Body CT", nov(2), nov(6)) in blocks()
    assert not Pair.objects.exists()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            ["outsider@elsewhere.test", "", "2026-11-02", "2026-11-06"],
            "Row 3, column email: unknown person: outsider@elsewhere.test is not on this "
            "program's roster",
        ),
        (
            ["nobody@lakeside.test", "", "2026-11-02", "2026-11-06"],
            "Row 3, column email: unknown person",
        ),
        (["", "", "2026-11-02", "2026-11-06"], "Row 3, column email: missing email"),
        (
            ["{junior}", "", "2026-11-09", "2026-11-06"],
            "Row 3, column end_date: end before start: the block ends on 2026-11-06 but "
            "starts on 2026-11-09",
        ),
        (["{junior}", "", "2026-11-31", "2026-12-04"], "Row 3, column start_date: bad date:"),
        (["{junior}", "", "soon", "2026-12-04"], "Row 3, column start_date: bad date: “soon”"),
        (["{junior}", "", "2026-11-30", ""], "Row 3, column end_date: missing end date"),
        (
            ["{junior}", "Cardiology", "2026-11-02", "2026-11-06"],
            "Row 3, column service: unknown service “Cardiology” at Lakeside University "
            "Hospital; known services: Nuclear Medicine",
        ),
        (
            ["{junior}", "", "2026-11-13", "2026-11-20"],
            "Row 3, column start_date: overlapping blocks: junior@lakeside.test is already "
            "on Nuclear Medicine from 2026-11-02 to 2026-11-13 (row 2)",
        ),
    ],
)
def test_each_bad_row_is_reported_and_nothing_is_written(program, junior, outsider, row, message):
    row = [cell.replace("{junior}", junior.email) for cell in row]
    content = schedule([junior.email, "", "2026-11-02", "2026-11-13"], row)
    result = schedule_import(
        program=program, file_name="s.csv", content=content, apply=True, by=SYSTEM
    )
    assert not result.applied
    assert any(text.startswith(message) for text in messages_of(result)), messages_of(result)
    assert result.rows[1].action == "error"
    assert ServiceBlock.objects.count() == 0
    assert Pair.objects.count() == 0


def test_program_without_a_service_needs_the_service_column(program, junior):
    program.service = None
    program.save()
    content = schedule([junior.email, "", "2026-11-02", "2026-11-13"])
    result = schedule_import(
        program=program, file_name="s.csv", content=content, apply=False, by=SYSTEM
    )
    assert messages_of(result) == [
        "Row 2, column service: missing service: this program has no service of its own to assume"
    ]


def test_missing_date_column_is_named(program, junior):
    content = csv_bytes([["email", "start_date"], [junior.email, "2026-11-02"]])
    result = schedule_import(
        program=program, file_name="s.csv", content=content, apply=True, by=SYSTEM
    )
    assert messages_of(result)[0].startswith(
        "Row 1, column end_date: missing required column “end_date”"
    )


def test_reimport_derives_pairs_again_for_weeks_of_unchanged_rows(program, junior, senior):
    from medmentor.programs.services import roster_import
    from tests.programs.files import roster

    content = schedule(
        [junior.email, "", "2026-11-02", "2026-11-06"],
        [senior.email, "", "2026-11-02", "2026-11-06"],
    )
    schedule_import(program=program, file_name="s.csv", content=content, apply=True, by=SYSTEM)
    # The senior becomes a junior on the roster; the same schedule, imported again,
    # now pairs nobody that week.
    roster_import(
        program=program,
        file_name="r.csv",
        content=roster([senior.email, senior.full_name, "R3", "junior"]),
        apply=True,
        by=SYSTEM,
    )
    again = schedule_import(
        program=program, file_name="s.csv", content=content, apply=True, by=SYSTEM
    )
    assert [row.action for row in again.rows] == ["unchanged", "unchanged"]
    assert not Pair.objects.exists()
