"""Reading a file of holidays and closures: a spreadsheet (.csv or .xlsx: name, date,
optional ends_on) or a calendar (.ics, as institutions publish their holidays).
Checked whole before anything is written: `closures_read` returns every row, or
raises `ClosureFileError` listing each problem with its row or event.

The writes are `services.closures_import`; this module only reads.
"""

import datetime
from dataclasses import dataclass, field

import icalendar

from medmentor.programs import importing

MAX_FILE_BYTES = 1024 * 1024
MAX_ROWS = 1000
MAX_PROBLEMS = 25


class ClosureFileError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems[:MAX_PROBLEMS]
        super().__init__("\n".join(self.problems))


@dataclass
class ClosureFile:
    rows: list[tuple[str, datetime.date, datetime.date]]
    notes: list[str] = field(default_factory=list)


# Other spellings of our columns' headers (after `importing.column_key`).
ALIASES = {
    "holiday": "name",
    "closure": "name",
    "summary": "name",
    "what": "name",
    "start_date": "date",
    "starts_on": "date",
    "start": "date",
    "from": "date",
    "first_day": "date",
    "end_date": "ends_on",
    "end": "ends_on",
    "to": "ends_on",
    "until": "ends_on",
    "last_day": "ends_on",
}


def _read_sheet(*, content: bytes, file_name: str) -> ClosureFile:
    """A CSV or Excel sheet, read and its dates parsed as the roster and schedule
    imports do (importing.sheet_read, importing.date_from_cell): the same formats and
    the same words."""
    try:
        sheet = importing.sheet_read(file_name=file_name, content=content, aliases=ALIASES)
    except importing.ImportFileError as error:
        raise ClosureFileError([str(error)]) from None
    if "name" not in sheet.columns or "date" not in sheet.columns:
        raise ClosureFileError(
            [
                "The first line must name the columns: name and date (and, for a closure of "
                f"several days, ends_on). Found: {', '.join(sheet.columns) or 'nothing'}."
            ]
        )
    if len(sheet.rows) > MAX_ROWS:
        raise ClosureFileError([f"{len(sheet.rows)} rows; the limit is {MAX_ROWS}."])
    rows, problems = [], []
    for row in sheet.rows:
        name = " ".join(row.text("name").split())
        if not name:
            problems.append(f"Row {row.number}, name: is missing.")
        dates = {}
        for column in ("date", "ends_on"):
            if column == "ends_on" and not row.text(column):
                continue
            try:
                dates[column] = importing.date_from_cell(row.cells.get(column))
            except ValueError as error:
                problems.append(f"Row {row.number}, {column}: {error}.")
        starts_on, ends_on = dates.get("date"), dates.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            problems.append(
                f"Row {row.number}, ends_on: {ends_on:%-d %B %Y} is before the date, "
                f"{starts_on:%-d %B %Y}."
            )
        elif name and starts_on and (ends_on or not row.text("ends_on")):
            rows.append((name, starts_on, ends_on or starts_on))
    if problems:
        raise ClosureFileError(problems)
    if not rows:
        raise ClosureFileError(["The file holds no holidays or closures."])
    return ClosureFile(rows=rows)


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def _read_ics(data: bytes) -> ClosureFile:
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except ValueError as error:
        raise ClosureFileError([f"The calendar cannot be read: {error}."]) from None
    rows, notes, problems = [], [], []
    events = list(calendar.walk("VEVENT"))
    if len(events) > MAX_ROWS:
        raise ClosureFileError([f"{len(events)} events; the limit is {MAX_ROWS}."])
    for number, event in enumerate(events, start=1):
        name = " ".join(str(event.get("SUMMARY", "")).split())
        start = event.get("DTSTART")
        if start is None:
            problems.append(f"Event {number} ({name or 'no name'}): it has no start date.")
            continue
        starts_on = _as_date(start.dt)
        end = event.get("DTEND")
        if end is None:
            ends_on = starts_on
        else:
            ends_on = _as_date(end.dt)
            # An all-day event ends the day after its last day (RFC 5545).
            if not isinstance(end.dt, datetime.datetime) and ends_on > starts_on:
                ends_on -= datetime.timedelta(days=1)
        if not name:
            problems.append(f"Event {number} on {starts_on}: it has no name (SUMMARY).")
            continue
        if event.get("RRULE"):
            notes.append(
                f"“{name}” repeats; only its date of {starts_on:%-d %B %Y} is taken. Add the "
                "other years as their own entries."
            )
        rows.append((name, starts_on, max(starts_on, ends_on)))
    if problems:
        raise ClosureFileError(problems)
    if not rows:
        raise ClosureFileError(["The calendar holds no events."])
    return ClosureFile(rows=rows, notes=notes)


def closures_read(*, content: bytes, file_name: str) -> ClosureFile:
    """The holidays and closures of a .csv or .ics file, checked; ClosureFileError
    lists every problem with its line or event."""
    if len(content) > MAX_FILE_BYTES:
        raise ClosureFileError([f"The file is larger than {MAX_FILE_BYTES // 1024} KB."])
    if file_name.lower().endswith((".ics", ".ical")) or content.lstrip().startswith(
        b"BEGIN:VCALENDAR"
    ):
        return _read_ics(content)
    return _read_sheet(content=content, file_name=file_name)
