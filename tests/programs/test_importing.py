"""Reading CSV and XLSX files into rows numbered as the spreadsheet shows them."""

import codecs
import datetime
import io
import zipfile

import pytest

from medmentor.programs.importing import ImportFileError, date_from_cell, sheet_read
from tests.programs.files import csv_bytes, xlsx_bytes


def test_csv_header_names_columns_and_rows_keep_spreadsheet_numbers():
    content = b"Email,Full Name\r\nana@x.test,Ana\r\n,\r\nbo@x.test,Bo\r\n"
    sheet = sheet_read(file_name="roster.csv", content=content)
    assert sheet.columns == ("email", "full_name")
    assert [(row.number, row.text("email")) for row in sheet.rows] == [
        (2, "ana@x.test"),
        (4, "bo@x.test"),
    ]


def test_csv_utf8_with_byte_order_mark_from_excel_is_read_without_the_mark():
    content = codecs.BOM_UTF8 + "email,full_name\nzoe@x.test,Zoë Nuñez\n".encode()
    sheet = sheet_read(file_name="roster.csv", content=content)
    assert sheet.columns[0] == "email"
    assert sheet.rows[0].text("full_name") == "Zoë Nuñez"


def test_csv_in_windows_1252_from_excel_keeps_accented_names():
    content = csv_bytes(
        [["email", "full_name"], ["zoe@x.test", "Zoë Nuñez – MD"]], encoding="cp1252"
    )
    sheet = sheet_read(file_name="roster.csv", content=content)
    assert sheet.rows[0].text("full_name") == "Zoë Nuñez – MD"


def test_csv_with_semicolons_or_tabs_is_split_on_them():
    for delimiter in (";", "\t"):
        content = csv_bytes([["email", "full_name"], ["a@x.test", "Ann, Jr"]], delimiter=delimiter)
        sheet = sheet_read(file_name="roster.csv", content=content)
        assert sheet.rows[0].text("full_name") == "Ann, Jr"


def test_csv_in_utf16_unicode_text_is_read():
    content = "email\tfull_name\r\nzoe@x.test\tZoë\r\n".encode("utf-16")
    sheet = sheet_read(file_name="roster.csv", content=content)
    assert sheet.rows[0].text("full_name") == "Zoë"


def test_quoted_cell_spanning_lines_counts_as_one_row():
    content = b'email,full_name\n"a@x.test","Ann\nSecond line"\nb@x.test,Bo\n'
    sheet = sheet_read(file_name="roster.csv", content=content)
    assert [row.number for row in sheet.rows] == [2, 3]


def test_xlsx_values_dates_and_numbers_are_read():
    content = xlsx_bytes(
        [
            ["Email", "Start date", "Count"],
            ["a@x.test", datetime.datetime(2026, 11, 2), 3.0],
            [None, None, None],
            ["b@x.test", datetime.date(2026, 11, 9), 4],
        ]
    )
    sheet = sheet_read(file_name="schedule.xlsx", content=content)
    assert sheet.columns == ("email", "start_date", "count")
    assert [row.number for row in sheet.rows] == [2, 4]
    assert date_from_cell(sheet.rows[0].cells["start_date"]) == datetime.date(2026, 11, 2)
    assert sheet.rows[0].text("count") == "3"


def test_xlsx_starting_below_row_one_reports_true_row_numbers():
    content = xlsx_bytes([["email", "full_name"], ["a@x.test", "Ann"]], start_row=3)
    sheet = sheet_read(file_name="roster.xlsx", content=content)
    assert sheet.header_row == 3
    assert sheet.rows[0].number == 4


@pytest.mark.parametrize(
    ("file_name", "content", "words"),
    [
        ("roster.pdf", b"%PDF-1.4", "is not a .csv or .xlsx file"),
        ("roster", b"email\n", "is not a .csv or .xlsx file"),
        ("roster.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "old Excel .xls format"),
        ("roster.csv", b"", "is empty"),
        ("roster.csv", b"\n\n ,\n", "is empty"),
        ("roster.csv", b"email,full_name\n", "no rows of data"),
        ("roster.xlsx", b"not a zip at all", "not a real Excel workbook"),
        ("roster.xlsx", b"PK\x03\x04broken zip", "could not be read as an Excel workbook"),
        ("roster.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "password-protected"),
        ("roster.csv", b"PK\x03\x04rest", "holds an Excel workbook"),
        ("roster.csv", b"email\x00,\x00name\n", "not a text CSV file"),
        ("roster.csv", b"email,name\n\x81\x8d\x8f,x\n", "not in a text encoding"),
        ("roster.csv", b"email,email\na,b\n", "appears twice"),
    ],
)
def test_unreadable_files_are_refused_with_the_reason(file_name, content, words):
    with pytest.raises(ImportFileError) as refused:
        sheet_read(file_name=file_name, content=content)
    assert words in str(refused.value)


def test_zip_that_is_not_a_workbook_is_refused_as_damaged(tmp_path):
    path = tmp_path / "fake.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(ImportFileError) as refused:
        sheet_read(file_name="fake.xlsx", content=path.read_bytes())
    assert "may be damaged" in str(refused.value)


def test_workbook_with_header_only_has_no_rows():
    with pytest.raises(ImportFileError) as refused:
        sheet_read(file_name="roster.xlsx", content=xlsx_bytes([["email", "full_name"]]))
    assert "no rows of data" in str(refused.value)
    assert refused.value.row == 1


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2026-11-06", datetime.date(2026, 11, 6)),
        ("2026-11-06 00:00:00", datetime.date(2026, 11, 6)),
        ("11/06/2026", datetime.date(2026, 11, 6)),
        ("1/6/2026", datetime.date(2026, 1, 6)),
        ("2026/11/06", datetime.date(2026, 11, 6)),
        ("6 Nov 2026", datetime.date(2026, 11, 6)),
        ("6 November 2026", datetime.date(2026, 11, 6)),
        ("Nov 6, 2026", datetime.date(2026, 11, 6)),
        ("6-Nov-2026", datetime.date(2026, 11, 6)),
        (datetime.datetime(2026, 11, 6, 0, 0), datetime.date(2026, 11, 6)),
        (datetime.date(2026, 11, 6), datetime.date(2026, 11, 6)),
    ],
)
def test_dates_in_the_documented_formats_are_read(cell, expected):
    assert date_from_cell(cell) == expected


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ("25/11/2026", "read month/day/year"),
        ("2026-02-30", "not a date in the calendar"),
        ("0206-11-02", "looks mistyped"),
        ("46332", "is not a date"),
        ("next monday", "is not a date"),
        ("11/06/26", "is not a date"),
        ("", "missing date"),
    ],
)
def test_bad_dates_are_refused_with_the_reason(cell, words):
    with pytest.raises(ValueError) as refused:
        date_from_cell(cell)
    assert words in str(refused.value)


def test_workbook_that_unpacks_to_far_too_much_is_refused(monkeypatch):
    from medmentor.programs import importing

    monkeypatch.setattr(importing, "MAX_UNPACKED_BYTES", 1000)
    content = xlsx_bytes([["email"], ["a@x.test"]])
    with pytest.raises(ImportFileError) as refused:
        sheet_read(file_name="roster.xlsx", content=content)
    assert "far more than a roster or schedule needs" in str(refused.value)


def test_workbook_whose_parts_fake_small_sizes_is_refused_on_the_real_bytes():
    from tests.zip_bombs import expanding_zip, faked_sizes

    workbook = xlsx_bytes([["email"], ["a@x.test"]])
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    # The same workbook with a 60 MB part that declares 100 bytes.
    content = faked_sizes(expanding_zip({"xl/padding.xml": 60 * 2**20}, extra=parts))

    with pytest.raises(ImportFileError) as refused:
        sheet_read(file_name="roster.xlsx", content=content)

    assert str(refused.value) == (
        "xl/padding.xml: the file unpacks to more than 40 MB, the limit for one file. That "
        "is far more than a roster or schedule needs. Save just the data as a new workbook."
    )


XLSX_PROBE = """
import re, sys
from pathlib import Path
from medmentor.programs.importing import ImportFileError, sheet_read

def peak_kb():
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1))

content = Path(sys.argv[1]).read_bytes()
Path("/proc/self/clear_refs").write_text("5")  # reset the peak: ours alone from here
before = peak_kb()
try:
    sheet_read(file_name="roster.xlsx", content=content)
except ImportFileError as refused:
    print(refused)
print((peak_kb() - before) // 1024)
"""


@pytest.mark.slow
def test_a_200_mb_workbook_bomb_with_faked_sizes_is_refused_with_peak_memory_under_40_mb(
    tmp_path,
):
    import os
    import pathlib
    import subprocess
    import sys

    from tests.zip_bombs import expanding_zip, faked_sizes

    with zipfile.ZipFile(io.BytesIO(xlsx_bytes([["email"], ["a@x.test"]]))) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    bomb = faked_sizes(expanding_zip({"xl/worksheets/sheet2.xml": 200 * 2**20}, extra=parts))
    assert len(bomb) < 2**20
    path = tmp_path / "roster.xlsx"
    path.write_bytes(bomb)
    src = pathlib.Path(__file__).resolve().parents[2] / "src"
    finished = subprocess.run(
        [sys.executable, "-c", XLSX_PROBE, str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(src)},
        timeout=120,
        check=True,
    )
    refusal, grown_mb = finished.stdout.strip().splitlines()
    assert "unpacks to more than 40 MB" in refusal
    assert int(grown_mb) < 40, f"peak memory grew by {grown_mb} MB"
