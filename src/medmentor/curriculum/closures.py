"""Reading a file of holidays and closures: a CSV (name, date, optional last day) or a
calendar (.ics, as institutions publish their holidays). Checked whole before anything
is written: `closures_read` returns every row, or raises `ClosureFileError` listing
each problem with its row (CSV) or event (calendar).

The writes are `services.closures_import`; this module only reads.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field

import icalendar

MAX_FILE_BYTES = 1024 * 1024
MAX_ROWS = 1000
MAX_PROBLEMS = 25

NAME_COLUMNS = ("name", "holiday", "closure", "summary", "what")
START_COLUMNS = ("date", "starts_on", "start", "from", "first day")
END_COLUMNS = ("ends_on", "end", "to", "until", "last day")


class ClosureFileError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems[:MAX_PROBLEMS]
        super().__init__("\n".join(self.problems))


@dataclass
class ClosureFile:
    rows: list[tuple[str, datetime.date, datetime.date]]
    notes: list[str] = field(default_factory=list)


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        return None


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    lowered = [" ".join(name.strip().lower().replace("_", " ").split()) for name in header]
    for name in names:
        spaced = name.replace("_", " ")
        if spaced in lowered:
            return lowered.index(spaced)
    return None


def _read_csv(text: str) -> ClosureFile:
    lines = list(csv.reader(io.StringIO(text)))
    lines = [line for line in lines if any(cell.strip() for cell in line)]
    if not lines:
        raise ClosureFileError(["The file is empty."])
    header = lines[0]
    name_at, start_at = _column(header, NAME_COLUMNS), _column(header, START_COLUMNS)
    end_at = _column(header, END_COLUMNS)
    if name_at is None or start_at is None:
        raise ClosureFileError(
            [
                "The first line must name the columns: name and date (and, for a closure of "
                f"several days, ends_on). Found: {', '.join(header) or 'nothing'}."
            ]
        )
    if len(lines) - 1 > MAX_ROWS:
        raise ClosureFileError([f"{len(lines) - 1} rows; the limit is {MAX_ROWS}."])
    rows, problems = [], []
    for number, line in enumerate(lines[1:], start=2):

        def cell(at: int | None, line=line) -> str:
            return line[at].strip() if at is not None and at < len(line) else ""

        name, start, end = cell(name_at), cell(start_at), cell(end_at)
        starts_on, ends_on = _date(start), _date(end) if end else None
        if not name:
            problems.append(f"Line {number}, name: is missing.")
        if starts_on is None:
            problems.append(
                f"Line {number}, date: {start!r} is not a date written like 2026-12-25."
                if start
                else f"Line {number}, date: is missing."
            )
        if end and ends_on is None:
            problems.append(
                f"Line {number}, ends_on: {end!r} is not a date written like 2026-12-25."
            )
        if starts_on and ends_on and ends_on < starts_on:
            problems.append(f"Line {number}, ends_on: {end} is before the date {start}.")
        if name and starts_on and (not end or ends_on):
            rows.append((name, starts_on, ends_on or starts_on))
    if problems:
        raise ClosureFileError(problems)
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
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ClosureFileError(
            [f"The file is not UTF-8 text (byte {error.start + 1} cannot be read)."]
        ) from None
    return _read_csv(text)
