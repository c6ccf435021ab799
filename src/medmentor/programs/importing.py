"""Reading roster and schedule files (CSV or XLSX) into rows, and the shape of an import's answer.

The roster and schedule imports in `programs.services` share this: one reader for both
file types that always reports row numbers as the spreadsheet shows them (the header
is row 1), one way to read a date cell, and the `ImportResult` both imports return.
Column meanings and accepted formats are documented in docs/data-formats.md.

A previewed file waits for its confirm on disk (`pending_import_save`), not in the
session: a session is read and written on every request, and a 5 MB roster in it made
every page of that person six times slower.
"""

import calendar
import codecs
import csv
import dataclasses
import datetime
import io
import os
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from django.conf import settings

from medmentor import safe_zip

SUPPORTED_TYPES = ".csv or .xlsx"
# A roster or a schedule is hundreds of rows; the cap keeps a runaway file (or a
# spreadsheet with a million formatted empty rows) from tying up a web process.
MAX_ROWS = 20_000
# Unpacked sizes allowed for a workbook's parts (medmentor.safe_zip counts the real
# bytes): a 20,000-row roster's sheet is about 10 MB of XML and its shared strings
# less, so 40 MB per part and 80 MB in all leave room, and keep openpyxl's memory
# (it reads shared strings whole) bounded.
MAX_PART_BYTES = 40 * 1024 * 1024
MAX_UNPACKED_BYTES = 80 * 1024 * 1024
MAX_PARTS = 1000
ZIP_MAGIC = b"PK\x03\x04"
# Old .xls workbooks and password-protected .xlsx files are OLE2 compound files.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why and what to do."""

    def __init__(self, reason: str, *, row: int | None = None, column: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.row = row
        self.column = column


@dataclass(frozen=True)
class RowError:
    """One problem in an import file.

    `row` is the row number the spreadsheet shows (header = 1), None for the whole
    file; `column` is the column's name as docs/data-formats.md writes it.
    """

    row: int | None
    column: str
    value: str
    reason: str

    @property
    def short_reason(self) -> str:
        """The reason without its advice, to fit in a table cell on a phone."""
        return self.reason.split(";")[0].split(". ")[0]

    def __str__(self) -> str:
        if self.row is None:
            return self.reason
        if self.column:
            return f"Row {self.row}, column {self.column}: {self.reason}"
        return f"Row {self.row}: {self.reason}"


@dataclass(frozen=True)
class Change:
    """One field an update changes, as the preview shows it."""

    field: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.field}: {self.old or '(blank)'} → {self.new or '(blank)'}"


@dataclass(frozen=True)
class PreviewCell:
    column: str
    value: str
    error: RowError | None


@dataclass
class PreviewRow:
    """One data row of the file and what importing it does.

    `action` is "create", "update" or "unchanged"; a row with a problem has the
    action "error" and its problems in `errors` (they are in ImportResult.errors too).
    """

    row: int
    action: str
    values: dict[str, str]
    changes: list[Change] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    columns: tuple[str, ...] = ()

    @property
    def cells(self) -> list[PreviewCell]:
        """The row's values in column order, each with its first problem (for the page)."""
        by_column: dict[str, RowError] = {}
        for error in self.errors:
            by_column.setdefault(error.column, error)
        return [
            PreviewCell(column=name, value=self.values.get(name, ""), error=by_column.get(name))
            for name in self.columns
        ]

    @property
    def row_errors(self) -> list[RowError]:
        """Problems about the row as a whole or a column the preview does not show."""
        return [error for error in self.errors if error.column not in self.columns]


@dataclass
class ImportResult:
    """What an import found (`rows`, `errors`) and whether it wrote anything (`applied`).

    A file with any error is never applied: `applied` is True only when `errors` is
    empty and the caller asked to apply.
    """

    columns: tuple[str, ...]
    rows: list[PreviewRow]
    errors: list[RowError]
    applied: bool = False
    notes: list[str] = field(default_factory=list)
    # For the preview's column step: the file's header cells, the columns this import
    # reads (a header may be mapped to one of them or ignored), and the date order.
    headers: tuple["Header", ...] = ()
    fields: tuple[str, ...] = ()
    day_first: bool = False
    fill: dict[str, str] = field(default_factory=dict)

    @property
    def unrecognised(self) -> list["Header"]:
        """Header cells this import does not read (neither a column nor ignored)."""
        return [header for header in self.headers if header.name and header.name not in self.fields]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> dict[str, int]:
        counts = {"create": 0, "update": 0, "unchanged": 0, "error": 0}
        for row in self.rows:
            counts[row.action] = counts.get(row.action, 0) + 1
        return counts

    @property
    def file_errors(self) -> list[RowError]:
        """Problems not tied to one data row: the file type, the header, an empty file."""
        data_rows = {row.row for row in self.rows}
        return [error for error in self.errors if error.row not in data_rows]

    @property
    def error_rows(self) -> int:
        return len({error.row for error in self.errors})


def file_error_result(error: ImportFileError, columns: tuple[str, ...]) -> ImportResult:
    return ImportResult(
        columns=columns,
        rows=[],
        errors=[RowError(row=error.row, column=error.column, value="", reason=error.reason)],
    )


@dataclass(frozen=True)
class SheetRow:
    """A data row: its spreadsheet row number and its cells by column name."""

    number: int
    cells: dict[str, object]
    # Dates with slashes are day/month/year (the program's column step says so).
    day_first: bool = False

    def text(self, column: str) -> str:
        return cell_text(self.cells.get(column))


@dataclass(frozen=True)
class Sheet:
    columns: tuple[str, ...]
    rows: list[SheetRow]
    header_row: int = 1
    # The header row's cells in order, as written and as read (for the column step).
    headers: tuple["Header", ...] = ()


@dataclass(frozen=True)
class Header:
    """One cell of the header row: `text` as the file writes it ("Forename(s)"), `key`
    as column_key reads it ("forename_s"), `name` the column it became after the
    import's aliases and the program's mapping ("" when ignored), `letter` its place."""

    text: str
    key: str
    name: str
    letter: str


def column_key(header: object) -> str:
    """A header cell as a column name: "Full name" and "full-name" both give full_name."""
    return re.sub(r"[^a-z0-9]+", "_", cell_text(header).lower()).strip("_")


def cell_text(value: object) -> str:
    """A cell as text: dates as YYYY-MM-DD, whole numbers without ".0", blanks as ""."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def sheet_read(*, file_name: str, content: bytes, aliases: dict[str, str] | None = None) -> Sheet:
    """Read a .csv or .xlsx file into rows; raises ImportFileError when it cannot.

    `aliases` maps other header spellings to our column names ({"name": "full_name"}).
    Blank rows are skipped; row numbers stay those the spreadsheet shows.
    """
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if not content or not content.strip():
        raise ImportFileError(f"The file “{file_name}” is empty.")
    if extension == "csv":
        raw_rows = _csv_rows(file_name, content)
    elif extension == "xlsx":
        raw_rows = _xlsx_rows(file_name, content)
    elif extension == "xls":
        raise ImportFileError(
            f"“{file_name}” is in the old Excel .xls format. In Excel choose "
            "File › Save As › Excel Workbook (.xlsx), or CSV UTF-8, and upload that."
        )
    else:
        raise ImportFileError(
            f"“{file_name}” is not a {SUPPORTED_TYPES} file. Save the spreadsheet as "
            "Excel Workbook (.xlsx) or CSV UTF-8 (.csv) and upload that."
        )
    return _sheet_from_rows(file_name, raw_rows, aliases or {})


def sheet_combine_columns(sheet: Sheet, *, target: str, parts: tuple[str, ...]) -> Sheet:
    """The sheet with a `target` column made of the `parts` columns joined by a space
    ("Ana" and "Lopez" → "Ana Lopez"), when it has no `target` and at least two parts.
    A registrar's roster has first and last names where medmentor keeps one name."""
    present = [part for part in parts if part in sheet.columns]
    if target in sheet.columns or len(present) < 2:
        return sheet
    rows = [
        dataclasses.replace(
            row,
            cells={
                **row.cells,
                target: " ".join(text for part in present if (text := row.text(part))),
            },
        )
        for row in sheet.rows
    ]
    return Sheet(
        columns=(*sheet.columns, target),
        rows=rows,
        header_row=sheet.header_row,
        headers=sheet.headers,
    )


def _sheet_from_rows(
    file_name: str, raw_rows: list[tuple[int, list[object]]], aliases: dict[str, str]
) -> Sheet:
    non_blank = [(number, cells) for number, cells in raw_rows if any(map(cell_text, cells))]
    if not non_blank:
        raise ImportFileError(f"The file “{file_name}” is empty.")
    header_number, header = non_blank[0]
    columns: list[str] = []
    positions: dict[str, int] = {}
    headers: list[Header] = []
    for position, heading in enumerate(header):
        key = column_key(heading)
        name = aliases.get(key, key)
        columns.append(name)
        if key:
            headers.append(
                Header(text=cell_text(heading), key=key, name=name, letter=_column_letter(position))
            )
        if not name:
            continue
        if name in positions:
            first, second = cell_text(header[positions[name]]), cell_text(heading)
            written = (
                f"is given by both “{first}” and “{second}” in the header row"
                if (first, second) != (name, name)
                else "appears twice in the header row"
            )
            raise ImportFileError(
                f"The column “{name}” {written} "
                f"(columns {_column_letter(positions[name])} and {_column_letter(position)}). "
                "Keep one of them, or map the other to “ignore” in the column step.",
                row=header_number,
                column=name,
            )
        positions[name] = position
    rows = [
        SheetRow(
            number=number,
            cells={
                name: cells[position] if position < len(cells) else None
                for name, position in positions.items()
            },
        )
        for number, cells in non_blank[1:]
    ]
    if not rows:
        raise ImportFileError(
            f"The file “{file_name}” has a header row but no rows of data under it.",
            row=header_number,
        )
    return Sheet(
        columns=tuple(name for name in columns if name),
        rows=rows,
        header_row=header_number,
        headers=tuple(headers),
    )


def _column_letter(position: int) -> str:
    return openpyxl.utils.get_column_letter(position + 1)


def _csv_text(file_name: str, content: bytes) -> str:
    if content.startswith(ZIP_MAGIC) or content.startswith(OLE_MAGIC):
        raise ImportFileError(
            f"“{file_name}” is named .csv but holds an Excel workbook. Upload it with its "
            "real name ending in .xlsx, or save it from Excel as CSV UTF-8."
        )
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode Text" export: UTF-16 with a byte order mark.
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError as error:
            raise ImportFileError(
                f"“{file_name}” starts like UTF-16 text but cannot be read as such. "
                "Save it from Excel as CSV UTF-8 and upload it again."
            ) from error
    if b"\x00" in content:
        raise ImportFileError(
            f"“{file_name}” is not a text CSV file. Save the spreadsheet as CSV UTF-8 "
            "or as an Excel Workbook (.xlsx) and upload that."
        )
    # "CSV UTF-8" from Excel starts with a byte order mark; utf-8-sig drops it.
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Plain "CSV" from Excel on Windows is in the ANSI code page: cp1252 in the
    # Americas and western Europe (names like "Zoë" or "Nuñez" arrive as single bytes).
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            f"“{file_name}” is not in a text encoding medmentor can read (UTF-8 or "
            "Windows-1252). Save it from Excel as CSV UTF-8 and upload it again."
        ) from error


def _csv_delimiter(text: str) -> str:
    # Excel writes ";" where the decimal mark is a comma, and tabs for "Text" exports;
    # the header row decides, because csv.Sniffer misreads one-column or quoted files.
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _csv_rows(file_name: str, content: bytes) -> list[tuple[int, list[object]]]:
    text = _csv_text(file_name, content)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_csv_delimiter(text))
    rows: list[tuple[int, list[object]]] = []
    try:
        for cells in reader:
            # Count records, not physical lines (reader.line_num): a quoted cell that
            # spans two lines is still one row in the spreadsheet the person looks at.
            rows.append((len(rows) + 1, [cell.strip() for cell in cells]))
            if len(rows) > MAX_ROWS + 1:
                raise ImportFileError(
                    f"“{file_name}” has more than {MAX_ROWS:,} rows. Split it into smaller files."
                )
    except csv.Error as error:
        raise ImportFileError(
            f"“{file_name}” could not be read as CSV near row {len(rows) + 1}: {error}."
        ) from error
    return rows


def _xlsx_rows(file_name: str, content: bytes) -> list[tuple[int, list[object]]]:
    if content.startswith(OLE_MAGIC):
        raise ImportFileError(
            f"“{file_name}” is password-protected or in the old .xls format. Remove the "
            "password, save it as an Excel Workbook (.xlsx) and upload it again."
        )
    if not content.startswith(ZIP_MAGIC):
        raise ImportFileError(
            f"“{file_name}” is not a real Excel workbook (it may be damaged or renamed). "
            "Open it in Excel, save it as an Excel Workbook (.xlsx) and upload it again."
        )
    rows: list[tuple[int, list[object]]] = []
    workbook = None
    try:
        _xlsx_within_caps(file_name, content)
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        if not workbook.worksheets:
            raise ImportFileError(f"“{file_name}” has no worksheet.")
        sheet = workbook.worksheets[0]
        # Some programs write a wrong size into the file; reading without it is safe.
        sheet.reset_dimensions()
        for number, cells in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            rows.append((number, list(cells)))
            if number > MAX_ROWS + 1:
                raise ImportFileError(
                    f"“{file_name}” has more than {MAX_ROWS:,} rows. Split it into smaller files."
                )
    except ImportFileError:
        raise
    except Exception as error:
        # A damaged workbook surfaces as any of zipfile, XML, KeyError, ValueError or
        # TypeError errors from deep inside openpyxl; to the person uploading it they
        # all mean the same thing, and none may become a server error.
        raise ImportFileError(
            f"“{file_name}” could not be read as an Excel workbook; it may be damaged. "
            "Open it in Excel, save it again as an Excel Workbook (.xlsx) and upload that."
        ) from error
    finally:
        if workbook is not None:
            workbook.close()
    return rows


def _xlsx_within_caps(file_name: str, content: bytes) -> None:
    """Decompress every part of the workbook, counting the real bytes, before openpyxl
    reads it: openpyxl reads shared strings whole and trusts the declared sizes, so a
    small file that unpacks to gigabytes would exhaust the web process's memory."""
    limits = safe_zip.Limits(
        member_bytes=MAX_PART_BYTES, archive_bytes=MAX_UNPACKED_BYTES, members=MAX_PARTS
    )
    try:
        with safe_zip.SafeZip(content, limits=limits, what=f"“{file_name}”") as archive:
            archive.refuse_declared_total()
            archive.drain_all()
    except safe_zip.ZipRefusal as refusal:
        if "damaged" in str(refusal) or "not a zip" in str(refusal):
            raise  # the caller's "could not be read as an Excel workbook"
        raise ImportFileError(
            f"{refusal} That is far more than a roster or schedule needs. Save just the "
            "data as a new workbook."
        ) from None


_MONTH_FORMATS = ("%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y", "%d-%b-%Y", "%d-%B-%Y")
DATE_FORMATS_HELP = (
    "write dates as YYYY-MM-DD (2026-11-06), MM/DD/YYYY (11/06/2026) or "
    "6 Nov 2026, or use a date cell in Excel"
)
DAY_FIRST_DATE_FORMATS_HELP = (
    "write dates as YYYY-MM-DD (2026-11-06), DD/MM/YYYY (06/11/2026) or "
    "6 Nov 2026, or use a date cell in Excel"
)


def date_from_cell(value: object, *, day_first: bool = False) -> datetime.date:
    """The date a cell holds; raises ValueError with the reason when it holds none.

    Accepted: Excel date cells; YYYY-MM-DD (optionally with a 00:00 time, as some
    exports write); dates with slashes read month first, MM/DD/YYYY, the US way — or
    DD/MM/YYYY when `day_first` (the program said its files write them so, in the
    import's column step); a date that only fits the other order is refused, never
    silently swapped; YYYY/MM/DD; and "6 Nov 2026", "Nov 6, 2026" with the month in
    English.
    """
    if isinstance(value, datetime.datetime):
        return _sane_year(value.date(), cell_text(value))
    if isinstance(value, datetime.date):
        return _sane_year(value, cell_text(value))
    text = cell_text(value)
    if not text:
        raise ValueError("missing date")
    help_text = DAY_FIRST_DATE_FORMATS_HELP if day_first else DATE_FORMATS_HELP
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?", text)
    year_first = re.fullmatch(r"(\d{4})/(\d{1,2})/(\d{1,2})", text)
    us = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    parts: tuple[int, int, int] | None = None
    if iso or year_first:
        year, month, day = (int(part) for part in (iso or year_first).groups())
        parts = (year, month, day)
    elif us:
        first, second, year = (int(part) for part in us.groups())
        month, day = (second, first) if day_first else (first, second)
        order = "day/month/year" if day_first else "month/day/year (US)"
        other = "month/day/year" if day_first else "day/month/year"
        if month > 12 and _real_date(year, day, month):
            # Written in the other order (25/11/2026 read month first): say how to
            # write it, never swap it silently.
            written = f"{month:02d}/{day:02d}" if day_first else f"{day:02d}/{month:02d}"
            raise ValueError(
                f"“{text}” is not a date: this program's dates with slashes are read "
                f"{order}, so write {written}/{year} or {year}-{day:02d}-{month:02d} "
                f"(or, if the whole file writes {other}, say so in the column step)"
            )
        if month > 12:
            raise ValueError(
                f"“{text}” is not a date either way: read {order}, as this program reads "
                f"slashes, {_why_not_a_date(year, month, day)}, and read {other} "
                f"{_why_not_a_date(year, day, month)}; {help_text}"
            )
        parts = (year, month, day)
    if parts is not None:
        year, month, day = parts
        if not _real_date(year, month, day):
            raise ValueError(f"“{text}” is not a date in the calendar: {_why_not_a_date(*parts)}")
        return _sane_year(datetime.date(*parts), text)
    cleaned = re.sub(r"\s+", " ", text.replace(",", " ").replace(".", " ")).strip()
    for pattern in _MONTH_FORMATS:
        try:
            parsed = datetime.datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
        return _sane_year(parsed, text)
    raise ValueError(f"“{text}” is not a date; {help_text}")


def _real_date(year: int, month: int, day: int) -> bool:
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def _why_not_a_date(year: int, month: int, day: int) -> str:
    """Why year-month-day is no day of the calendar, in words (no advice: a guess at
    the meant date could name another impossible one, as 31/02 → 02/31 would)."""
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    if year < 1:
        return f"there is no year {year}"
    if day < 1:
        return f"there is no day {day}"
    days = calendar.monthrange(year, month)[1]
    return f"{calendar.month_name[month]} {year} has {days} days, not {day}"


def _sane_year(value: datetime.date, text: str) -> datetime.date:
    # A mistyped year (0206, 2206) parses as a real date and would silently put
    # someone on service in another century.
    if not 1990 <= value.year <= 2100:
        raise ValueError(f"“{text}” has the year {value.year}, which looks mistyped")
    return value


# --- Previewed files waiting for their confirm ------------------------------------------

# A preview not confirmed within a day is dropped (at the next preview of any import).
PENDING_MAX_AGE_SECONDS = 24 * 60 * 60
_PENDING_NAME = re.compile(r"[0-9a-f]{32}")


def _pending_folder() -> Path:
    folder = Path(settings.PENDING_IMPORTS_DIR)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def pending_imports_prune(*, max_age_seconds: int = PENDING_MAX_AGE_SECONDS) -> int:
    """Delete previewed files older than `max_age_seconds`; returns how many went."""
    folder = Path(settings.PENDING_IMPORTS_DIR)
    if not folder.is_dir():
        return 0
    cutoff = time.time() - max_age_seconds
    removed = 0
    for path in folder.iterdir():
        if not _PENDING_NAME.fullmatch(path.name):
            continue
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            pass  # another process pruned it first
    return removed


def pending_import_save(*, content: bytes) -> str:
    """Keep a previewed file until its confirm; returns its random name, the only thing
    the session holds. Older files waiting longer than a day are pruned first."""
    pending_imports_prune()
    name = secrets.token_hex(16)
    # O_EXCL: never overwrite; 0o600: the file is private to the server's account.
    descriptor = os.open(_pending_folder() / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
    return name


def pending_import_read(*, name: str) -> bytes | None:
    """The waiting file's bytes, or None when it is gone (confirmed, pruned, or not a
    name `pending_import_save` gave: nothing outside the folder can be named)."""
    if not _PENDING_NAME.fullmatch(name or ""):
        return None
    try:
        return (Path(settings.PENDING_IMPORTS_DIR) / name).read_bytes()
    except FileNotFoundError:
        return None


def pending_import_delete(*, name: str) -> None:
    if _PENDING_NAME.fullmatch(name or ""):
        (Path(settings.PENDING_IMPORTS_DIR) / name).unlink(missing_ok=True)
