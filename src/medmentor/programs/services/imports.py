"""The import engine the roster, schedule and matching-profile imports share.

Every import follows one rule: read and check every row first, then write all of it in
one transaction or nothing at all. `_run_import` reads the sheet, reports missing and
unused columns, and runs an importer's `_Plan` — the preview (apply=False) and the
import (apply=True) run the same code, so what the director confirmed is what is
written. `_RowProblems` collects one row's problems, `_checked_email` checks the email
column every sheet starts with, and `_emails_to_people` finds the people a sheet names.
"""

import contextlib
import dataclasses
import datetime
import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower

from medmentor.people.models import Person
from medmentor.programs.importing import (
    ImportFileError,
    ImportResult,
    PreviewRow,
    RowError,
    Sheet,
    SheetRow,
    date_from_cell,
    file_error_result,
    sheet_combine_columns,
    sheet_read,
)
from medmentor.programs.models import ImportColumnMapping, Program, SlashDateOrder


class _RowProblems:
    """Collects the problems of one row while it is read."""

    def __init__(self, row: SheetRow) -> None:
        self.row = row
        self.errors: list[RowError] = []

    def add(self, column: str, value: str, reason: str) -> None:
        self.errors.append(RowError(row=self.row.number, column=column, value=value, reason=reason))

    def date(self, column: str, *, required: bool) -> datetime.date | None:
        raw = self.row.cells.get(column)
        text = self.row.text(column)
        if not text:
            if required:
                self.add(column, "", f"missing {column.replace('_', ' ')}")
            return None
        try:
            return date_from_cell(raw, day_first=self.row.day_first)
        except ValueError as error:
            self.add(column, text, f"bad date: {error}")
            return None


@dataclass(frozen=True)
class ColumnMapping:
    """A program's column step for one import kind (models.ImportColumnMapping):
    header key → column ("" to ignore it), and whether slashed dates are day first."""

    columns: dict[str, str] = dataclasses.field(default_factory=dict)
    day_first: bool = False
    # column → value for every row of a file without that column ({"role": "junior"}).
    fill: dict[str, str] = dataclasses.field(default_factory=dict)


def _column_mapping_of(program: Program, kind: str) -> ColumnMapping:
    saved = ImportColumnMapping.objects.filter(program=program, kind=kind).first()
    if saved is None:
        return ColumnMapping()
    return ColumnMapping(
        columns={str(key): str(value) for key, value in saved.columns.items()},
        day_first=saved.slash_dates == SlashDateOrder.DAY_FIRST,
        fill={str(key): str(value) for key, value in saved.fill.items() if value},
    )


def _required_columns_errors(
    sheet: Sheet,
    required: tuple[str, ...],
    columns: tuple[str, ...],
    combine: Mapping[str, tuple[str, ...]],
) -> list[RowError]:
    errors = []
    unused = [name for name in sheet.columns if name not in columns]
    for name in required:
        if name in sheet.columns:
            continue
        either = ""
        if name in combine:
            either = f" (or the columns {' and '.join(f'“{part}”' for part in combine[name])})"
        # A misspelt header ("emial", "fullname") is the usual cause: name the closest.
        close = difflib.get_close_matches(name, unused, n=1, cutoff=0.75)
        guess = f" Is “{close[0]}” meant to be “{name}”?" if close else ""
        errors.append(
            RowError(
                row=sheet.header_row,
                column=name,
                value="",
                reason=(
                    f"missing required column “{name}”{either}.{guess} The first row must "
                    f"name the columns; this file's first row has: "
                    f"{', '.join(sheet.columns) or 'nothing'}. "
                    f"Columns medmentor reads: {', '.join(columns)}. Rename a column, or "
                    "say which one holds it in the import page's column step."
                ),
            )
        )
    return errors


def _unused_columns_note(
    sheet: Sheet, columns: tuple[str, ...], combine: Mapping[str, tuple[str, ...]]
) -> list[str]:
    used = set(columns) | {part for parts in combine.values() for part in parts}
    unused = [name for name in sheet.columns if name not in used]
    if not unused:
        return []
    return [f"Columns not used by this import (left as they are): {', '.join(unused)}."]


def _run_import(
    *,
    file_name: str,
    content: bytes,
    apply: bool,
    columns: tuple[str, ...],
    required: tuple[str, ...],
    aliases: dict[str, str],
    plan: Callable[[Sheet], "_Plan"],
    combine: Mapping[str, tuple[str, ...]] | None = None,
    mapping: ColumnMapping | None = None,
) -> ImportResult:
    """Read the sheet and run the plan. `combine` builds a column from others when the
    file lacks it ({"full_name": ("first_name", "last_name")}: registrars' rosters).
    `mapping` is what the program's director said in the column step: which header
    holds which column (or is ignored), and whether slashed dates are day first.

    Every problem of the file comes back in one pass: a missing required column is
    reported on the header row, and the rows are still checked for everything else
    (their "missing …" for that column is left out: the header problem says it once).
    """
    combine = combine or {}
    mapping = mapping or ColumnMapping()
    fields = (*columns, *(part for parts in combine.values() for part in parts))
    try:
        sheet = sheet_read(
            file_name=file_name, content=content, aliases={**aliases, **mapping.columns}
        )
    except ImportFileError as error:
        return file_error_result(error, columns)
    if mapping.day_first:
        sheet = dataclasses.replace(
            sheet, rows=[dataclasses.replace(row, day_first=True) for row in sheet.rows]
        )
    for target, parts in combine.items():
        sheet = sheet_combine_columns(sheet, target=target, parts=parts)
    for column, value in mapping.fill.items():
        if column in columns and column not in sheet.columns:
            sheet = dataclasses.replace(
                sheet,
                columns=(*sheet.columns, column),
                rows=[
                    dataclasses.replace(row, cells={**row.cells, column: value})
                    for row in sheet.rows
                ],
            )
    missing = _required_columns_errors(sheet, required, columns, combine)
    missing_columns = {error.column for error in missing}
    if missing:
        apply = False  # a file with a problem is never applied
    shown = tuple(name for name in columns if name in sheet.columns)
    # Read, check and write inside one transaction: the checks see the same data the
    # writes change, and any failure leaves the database as it was. A preview only
    # reads, so it takes no write lock (SQLite here begins transactions IMMEDIATE).
    try:
        with transaction.atomic() if apply else contextlib.nullcontext():
            result_plan = plan(sheet)
            for row in result_plan.rows:
                row.columns = shown
                if missing_columns:
                    row.errors = [e for e in row.errors if e.column not in missing_columns]
                    if row.action == "error" and not row.errors:
                        row.action = "unchecked"  # waits for the missing column
            errors = missing + [error for row in result_plan.rows for error in row.errors]
            result = ImportResult(
                columns=shown,
                rows=result_plan.rows,
                errors=errors,
                notes=_unused_columns_note(sheet, columns, combine),
                headers=sheet.headers,
                fields=fields,
                day_first=mapping.day_first,
                fill=mapping.fill,
            )
            if apply and not errors:
                result.notes.extend(result_plan.apply())
                result.applied = True
    except IntegrityError:
        # Someone else wrote the same people or blocks between our checks and our
        # writes (two imports at once); ours was rolled back whole.
        return ImportResult(
            columns=shown,
            rows=[],
            errors=[
                RowError(
                    row=None,
                    column="",
                    value="",
                    reason="The data changed while this file was being imported (another "
                    "import at the same moment?). Nothing was imported; preview the file again.",
                )
            ],
        )
    return result


@dataclass
class _Plan:
    rows: list[PreviewRow]
    apply: Callable[[], list[str]]


def _emails_to_people(emails: set[str]) -> dict[str, Person]:
    return {
        person.email_lower: person
        for person in Person.objects.annotate(email_lower=Lower("email")).filter(
            email_lower__in=emails
        )
    }


ROSTER_DUPLICATE_HINT = "List each person once; several roles go in one cell, separated by “;”"


def _checked_email(
    problems: _RowProblems,
    seen: dict[str, int] | None = None,
    *,
    duplicate_hint: str = ROSTER_DUPLICATE_HINT,
) -> str:
    email = problems.row.text("email").lower()
    if not email:
        problems.add("email", "", "missing email")
        return ""
    try:
        validate_email(email)
    except ValidationError:
        problems.add("email", email, f"“{email}” is not an email address")
        return ""
    if len(email) > 254:
        problems.add("email", email[:40] + "…", "longer than 254 characters")
        return ""
    if seen is not None:
        if email in seen:
            problems.add(
                "email",
                email,
                f"duplicate person: {email} is also on row {seen[email]}. {duplicate_hint}",
            )
            return ""
        seen[email] = problems.row.number
    return email
