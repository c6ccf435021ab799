"""Every write about programs: roster and schedule imports, program weeks, pairs.

Both imports follow one rule: read and check every row first, then write all of it
in one transaction or nothing at all. The preview (apply=False) and the import
(apply=True) run the same code, so what the director confirmed is what is written.
"""

import contextlib
import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils.text import slugify

from medmentor.people.models import (
    Institution,
    Person,
    Service,
    TrainingLevel,
    training_level_from_text,
)
from medmentor.programs import selectors
from medmentor.programs.importing import (
    Change,
    ImportFileError,
    ImportResult,
    PreviewRow,
    RowError,
    Sheet,
    SheetRow,
    date_from_cell,
    file_error_result,
    sheet_read,
)
from medmentor.programs.models import (
    STAFF_ROLES,
    Enrollment,
    Pair,
    PairOrigin,
    Program,
    ProgramKind,
    ProgramWeek,
    Role,
    ServiceBlock,
    validate_time_zone,
)

__all__ = [
    "ImportResult",
    "PairDerivation",
    "PairError",
    "ProgramError",
    "pair_add",
    "pair_remove",
    "pairs_derive",
    "person_enrol",
    "program_create",
    "program_weeks_ensure",
    "roster_import",
    "schedule_import",
]


# --- Shared by both imports ------------------------------------------------------------


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
            return date_from_cell(raw)
        except ValueError as error:
            self.add(column, text, f"bad date: {error}")
            return None


def _required_columns_errors(
    sheet: Sheet, required: tuple[str, ...], columns: tuple[str, ...]
) -> list[RowError]:
    return [
        RowError(
            row=sheet.header_row,
            column=name,
            value="",
            reason=(
                f"missing required column “{name}”. The first row must name the columns; "
                f"this file's first row has: {', '.join(sheet.columns) or 'nothing'}. "
                f"Columns medmentor reads: {', '.join(columns)}."
            ),
        )
        for name in required
        if name not in sheet.columns
    ]


def _unused_columns_note(sheet: Sheet, columns: tuple[str, ...]) -> list[str]:
    unused = [name for name in sheet.columns if name not in columns]
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
) -> ImportResult:
    try:
        sheet = sheet_read(file_name=file_name, content=content, aliases=aliases)
    except ImportFileError as error:
        return file_error_result(error, columns)
    missing = _required_columns_errors(sheet, required, columns)
    if missing:
        return ImportResult(columns=columns, rows=[], errors=missing)
    shown = tuple(name for name in columns if name in sheet.columns)
    # Read, check and write inside one transaction: the checks see the same data the
    # writes change, and any failure leaves the database as it was. A preview only
    # reads, so it takes no write lock (SQLite here begins transactions IMMEDIATE).
    try:
        with transaction.atomic() if apply else contextlib.nullcontext():
            result_plan = plan(sheet)
            for row in result_plan.rows:
                row.columns = shown
            errors = [error for row in result_plan.rows for error in row.errors]
            result = ImportResult(
                columns=shown,
                rows=result_plan.rows,
                errors=errors,
                notes=_unused_columns_note(sheet, columns),
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


def _checked_email(problems: _RowProblems, seen: dict[str, int] | None = None) -> str:
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
                f"duplicate person: {email} is also on row {seen[email]}. List each person "
                "once; several roles go in one cell, separated by “;”",
            )
            return ""
        seen[email] = problems.row.number
    return email


# --- Roster import ------------------------------------------------------------------

ROSTER_COLUMNS = (
    "email",
    "full_name",
    "training_level",
    "role",
    "institution",
    "specialty",
    "joined_on",
    "left_on",
)
ROSTER_REQUIRED = ("email", "full_name", "training_level", "role")
ROSTER_ALIASES = {
    "e_mail": "email",
    "email_address": "email",
    "name": "full_name",
    "level": "training_level",
    "training": "training_level",
    "roles": "role",
    "program_role": "role",
    "joined": "joined_on",
    "left": "left_on",
}
ROLE_ALIASES = {"mentor": Role.SENIOR, "mentee": Role.JUNIOR}
ROLE_SEPARATORS = re.compile(r"[;,/|+]")
ALLOWED_LEVELS = ", ".join(TrainingLevel.values)
ALLOWED_ROLES = ", ".join(Role.values)


@dataclass
class _RosterRow:
    preview: PreviewRow
    email: str = ""
    full_name: str = ""
    training_level: str = ""
    roles: tuple[str, ...] = ()
    institution: Institution | None = None
    specialty: str | None = None  # None: the cell was blank, keep what is stored
    joined_on: datetime.date | None = None
    left_on: datetime.date | None = None
    person: Person | None = None
    enrollments: dict[str, Enrollment] = field(default_factory=dict)


def roster_import(*, program: Program, file_name: str, content: bytes, apply: bool) -> ImportResult:
    """Preview (apply=False) or import (apply=True) a roster of people and their roles.

    Each row is one person: created when the email is new, else updated. The roles in
    the row become the person's roles in this program (a role no longer listed is
    removed); people not in the file are left as they are. See docs/data-formats.md.
    """
    return _run_import(
        file_name=file_name,
        content=content,
        apply=apply,
        columns=ROSTER_COLUMNS,
        required=ROSTER_REQUIRED,
        aliases=ROSTER_ALIASES,
        plan=lambda sheet: _roster_plan(program, sheet),
    )


def _roster_read_row(
    row: SheetRow, seen: dict[str, int], institutions: dict[str, Institution]
) -> _RosterRow:
    problems = _RowProblems(row)
    parsed = _RosterRow(preview=PreviewRow(row=row.number, action="", values={}))
    parsed.email = _checked_email(problems, seen)

    parsed.full_name = row.text("full_name")
    if not parsed.full_name:
        problems.add("full_name", "", "missing full name")
    elif len(parsed.full_name) > 200:
        problems.add("full_name", parsed.full_name[:40] + "…", "longer than 200 characters")

    level_text = row.text("training_level")
    parsed.training_level = training_level_from_text(level_text) or ""
    if not level_text:
        problems.add("training_level", "", f"missing training level; use one of {ALLOWED_LEVELS}")
    elif not parsed.training_level:
        problems.add(
            "training_level",
            level_text,
            f"unknown training level “{level_text}”; use one of {ALLOWED_LEVELS}",
        )

    role_text = row.text("role")
    roles: list[str] = []
    for part in ROLE_SEPARATORS.split(role_text):
        word = part.strip().lower()
        if not word:
            continue
        role = ROLE_ALIASES.get(word) or (word if word in Role.values else None)
        if role is None:
            problems.add("role", role_text, f"unknown role “{part.strip()}”; use {ALLOWED_ROLES}")
        elif role not in roles:
            roles.append(role)
    if not role_text:
        problems.add("role", "", f"missing role; use {ALLOWED_ROLES}")
    parsed.roles = tuple(sorted(roles))

    institution_text = row.text("institution")
    if institution_text:
        parsed.institution = institutions.get(institution_text.lower())
        if parsed.institution is None:
            known = sorted({institution.name for institution in institutions.values()})
            problems.add(
                "institution",
                institution_text,
                f"unknown institution “{institution_text}”; medmentor knows "
                f"{', '.join(known) or 'none yet'}. Add it in the admin first, or leave "
                "the cell blank",
            )

    if "specialty" in row.cells and row.text("specialty"):
        parsed.specialty = row.text("specialty")
        if len(parsed.specialty) > 120:
            problems.add("specialty", parsed.specialty[:40] + "…", "longer than 120 characters")

    parsed.joined_on = problems.date("joined_on", required=False)
    parsed.left_on = problems.date("left_on", required=False)
    if parsed.joined_on and parsed.left_on and parsed.left_on < parsed.joined_on:
        problems.add(
            "left_on",
            row.text("left_on"),
            f"leaves ({parsed.left_on}) before joining ({parsed.joined_on})",
        )

    values = {name: row.text(name) for name in ROSTER_COLUMNS if name in row.cells}
    values["email"] = parsed.email or values.get("email", "")
    if parsed.training_level:
        values["training_level"] = parsed.training_level
    if parsed.roles and not any(error.column == "role" for error in problems.errors):
        values["role"] = "; ".join(parsed.roles)
    if parsed.institution:
        values["institution"] = parsed.institution.name
    for name in ("joined_on", "left_on"):
        if getattr(parsed, name):
            values[name] = getattr(parsed, name).isoformat()
    parsed.preview.values = values
    parsed.preview.errors = problems.errors
    return parsed


def _roster_changes(parsed: _RosterRow) -> list[Change]:
    person = parsed.person
    if person is None:
        return []
    changes = []
    if person.full_name != parsed.full_name:
        changes.append(Change("full_name", person.full_name, parsed.full_name))
    if person.training_level != parsed.training_level:
        changes.append(Change("training_level", person.training_level, parsed.training_level))
    if parsed.institution and person.institution_id != parsed.institution.id:
        old = person.institution.name if person.institution else ""
        changes.append(Change("institution", old, parsed.institution.name))
    if parsed.specialty is not None and person.specialty != parsed.specialty:
        changes.append(Change("specialty", person.specialty, parsed.specialty))
    current_roles = tuple(sorted(parsed.enrollments))
    if current_roles != parsed.roles:
        changes.append(Change("role", "; ".join(current_roles), "; ".join(parsed.roles)))
    for name in ("joined_on", "left_on"):
        new = getattr(parsed, name)
        if new is None:
            continue
        old_values = {
            getattr(parsed.enrollments[role], name)
            for role in parsed.roles
            if role in parsed.enrollments
        }
        if old_values and old_values != {new}:
            old = ", ".join(sorted(value.isoformat() if value else "" for value in old_values))
            changes.append(Change(name, old, new.isoformat()))
    return changes


def _roster_plan(program: Program, sheet: Sheet) -> _Plan:
    institutions: dict[str, Institution] = {}
    for institution in Institution.objects.all():
        institutions[institution.name.lower()] = institution
        institutions[institution.slug.lower()] = institution
    seen: dict[str, int] = {}
    parsed_rows = [_roster_read_row(row, seen, institutions) for row in sheet.rows]

    people = _emails_to_people({parsed.email for parsed in parsed_rows if parsed.email})
    enrollments: dict[int, dict[str, Enrollment]] = {}
    for enrollment in Enrollment.objects.filter(program=program, person__in=people.values()):
        enrollments.setdefault(enrollment.person_id, {})[enrollment.role] = enrollment

    for parsed in parsed_rows:
        parsed.person = people.get(parsed.email)
        if parsed.person is not None:
            parsed.enrollments = enrollments.get(parsed.person.id, {})
        if parsed.preview.errors:
            parsed.preview.action = "error"
            continue
        parsed.preview.changes = _roster_changes(parsed)
        if parsed.person is None:
            parsed.preview.action = "create"
        else:
            parsed.preview.action = "update" if parsed.preview.changes else "unchanged"

    _roster_check_directors_remain(program, parsed_rows)
    return _Plan(
        rows=[parsed.preview for parsed in parsed_rows],
        apply=lambda: _roster_apply(program, parsed_rows),
    )


def _roster_check_directors_remain(program: Program, parsed_rows: list[_RosterRow]) -> None:
    # A roster that drops every director would lock the program's staff out of its
    # own import page; refuse it rather than leave nobody who can fix it.
    directors = set(
        Enrollment.objects.filter(program=program, role=Role.DIRECTOR).values_list(
            "person_id", flat=True
        )
    )
    if not directors:
        return
    remaining = set(directors)
    dropping = []
    for parsed in parsed_rows:
        is_director = parsed.person is not None and parsed.person.id in directors
        if is_director and parsed.roles and Role.DIRECTOR not in parsed.roles:
            remaining.discard(parsed.person.id)
            dropping.append(parsed)
        if Role.DIRECTOR in parsed.roles and not parsed.preview.errors:
            remaining.add(parsed.person.id if parsed.person else parsed.email)
    if remaining:
        return
    for parsed in dropping:
        parsed.preview.action = "error"
        parsed.preview.errors.append(
            RowError(
                row=parsed.preview.row,
                column="role",
                value="; ".join(parsed.roles),
                reason="this would leave the program without a director; keep “director” in "
                "this person's roles or add another director",
            )
        )


def _roster_apply(program: Program, parsed_rows: list[_RosterRow]) -> list[str]:
    for parsed in parsed_rows:
        if parsed.preview.action == "unchanged":
            continue
        person = parsed.person
        if person is None:
            person = Person.objects.create_user(
                email=parsed.email,
                full_name=parsed.full_name,
                training_level=parsed.training_level,
                institution=parsed.institution or program.institution,
                specialty=parsed.specialty or "",
            )
        else:
            person.full_name = parsed.full_name
            person.training_level = parsed.training_level
            if parsed.institution:
                person.institution = parsed.institution
            if parsed.specialty is not None:
                person.specialty = parsed.specialty
            person.save(update_fields=["full_name", "training_level", "institution", "specialty"])
        gone = [role for role in parsed.enrollments if role not in parsed.roles]
        Enrollment.objects.filter(program=program, person=person, role__in=gone).delete()
        for role in parsed.roles:
            enrollment = parsed.enrollments.get(role) or Enrollment(
                program=program, person=person, role=role
            )
            if parsed.joined_on is not None:
                enrollment.joined_on = parsed.joined_on
            if parsed.left_on is not None:
                enrollment.left_on = parsed.left_on
            enrollment.save()
    return []


# --- Service schedule import -----------------------------------------------------------

SCHEDULE_COLUMNS = ("email", "service", "start_date", "end_date")
SCHEDULE_REQUIRED = ("email", "start_date", "end_date")
SCHEDULE_ALIASES = {
    "e_mail": "email",
    "email_address": "email",
    "rotation": "service",
    "start": "start_date",
    "starts_on": "start_date",
    "from": "start_date",
    "end": "end_date",
    "ends_on": "end_date",
    "to": "end_date",
}


@dataclass
class _ScheduleRow:
    preview: PreviewRow
    person: Person | None = None
    service: Service | None = None
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    keep: ServiceBlock | None = None
    replaces: list[ServiceBlock] = field(default_factory=list)


def schedule_import(
    *, program: Program, file_name: str, content: bytes, apply: bool
) -> ImportResult:
    """Preview (apply=False) or import (apply=True) rotation blocks of the service schedule.

    Each row puts a person already on the program's roster on a service from
    start_date to end_date (both included). A row replaces any block already stored
    for the same person and service whose dates overlap it; other blocks are kept.
    After an import the pairs of every week the change touches are derived again.
    """
    return _run_import(
        file_name=file_name,
        content=content,
        apply=apply,
        columns=SCHEDULE_COLUMNS,
        required=SCHEDULE_REQUIRED,
        aliases=SCHEDULE_ALIASES,
        plan=lambda sheet: _schedule_plan(program, sheet),
    )


def _block_dates(starts_on: datetime.date, ends_on: datetime.date) -> str:
    return f"{starts_on.isoformat()} to {ends_on.isoformat()}"


def _schedule_read_row(
    program: Program,
    row: SheetRow,
    on_roster: dict[str, Person],
    services: dict[str, Service],
) -> _ScheduleRow:
    problems = _RowProblems(row)
    parsed = _ScheduleRow(preview=PreviewRow(row=row.number, action="", values={}))
    email = _checked_email(problems)
    if email:
        parsed.person = on_roster.get(email)
        if parsed.person is None:
            problems.add(
                "email",
                email,
                f"unknown person: {email} is not on this program's roster; import them "
                "with the roster first",
            )

    service_text = row.text("service")
    if service_text:
        parsed.service = services.get(service_text.lower())
        if parsed.service is None:
            known = sorted({service.name for service in services.values()})
            problems.add(
                "service",
                service_text,
                f"unknown service “{service_text}” at {program.institution.name}; known "
                f"services: {', '.join(known) or 'none'}. Add it in the admin first, or leave "
                "the cell blank for the program's own service",
            )
    elif program.service is not None:
        parsed.service = program.service
    else:
        problems.add(
            "service", "", "missing service: this program has no service of its own to assume"
        )

    parsed.starts_on = problems.date("start_date", required=True)
    parsed.ends_on = problems.date("end_date", required=True)
    if parsed.starts_on and parsed.ends_on and parsed.ends_on < parsed.starts_on:
        problems.add(
            "end_date",
            row.text("end_date"),
            f"end before start: the block ends on {parsed.ends_on} but starts on "
            f"{parsed.starts_on}",
        )

    values = {name: row.text(name) for name in SCHEDULE_COLUMNS if name in row.cells}
    values["email"] = email or values.get("email", "")
    if parsed.service is not None:
        values["service"] = parsed.service.name
    if parsed.starts_on:
        values["start_date"] = parsed.starts_on.isoformat()
    if parsed.ends_on:
        values["end_date"] = parsed.ends_on.isoformat()
    parsed.preview.values = values
    parsed.preview.errors = problems.errors
    return parsed


def _schedule_check_overlaps(parsed_rows: list[_ScheduleRow]) -> None:
    by_person_service: dict[tuple[int, int], list[_ScheduleRow]] = {}
    for parsed in parsed_rows:
        if parsed.person and parsed.service and parsed.starts_on and parsed.ends_on:
            key = (parsed.person.id, parsed.service.id)
            by_person_service.setdefault(key, []).append(parsed)
    for group in by_person_service.values():
        group.sort(key=lambda parsed: (parsed.starts_on, parsed.preview.row))
        latest_end: _ScheduleRow | None = None
        for parsed in group:
            if latest_end is not None and parsed.starts_on <= latest_end.ends_on:
                earlier = latest_end
                parsed.preview.errors.append(
                    RowError(
                        row=parsed.preview.row,
                        column="start_date",
                        value=parsed.starts_on.isoformat(),
                        reason=(
                            f"overlapping blocks: {parsed.person.email} is already on "
                            f"{parsed.service.name} from "
                            f"{_block_dates(earlier.starts_on, earlier.ends_on)} "
                            f"(row {earlier.preview.row})"
                        ),
                    )
                )
            if latest_end is None or parsed.ends_on > latest_end.ends_on:
                latest_end = parsed


def _schedule_plan(program: Program, sheet: Sheet) -> _Plan:
    on_roster = {
        person.email.lower(): person
        for person in Person.objects.filter(enrollments__program=program).distinct()
    }
    services: dict[str, Service] = {
        service.name.lower(): service
        for service in Service.objects.filter(institution=program.institution)
    }
    if program.service is not None:
        services.setdefault(program.service.name.lower(), program.service)
    parsed_rows = [_schedule_read_row(program, row, on_roster, services) for row in sheet.rows]
    _schedule_check_overlaps(parsed_rows)

    stored: dict[tuple[int, int], list[ServiceBlock]] = {}
    for block in ServiceBlock.objects.filter(
        program=program, person__in={parsed.person for parsed in parsed_rows if parsed.person}
    ):
        stored.setdefault((block.person_id, block.service_id), []).append(block)

    for parsed in parsed_rows:
        if parsed.preview.errors:
            parsed.preview.action = "error"
            continue
        for block in stored.get((parsed.person.id, parsed.service.id), []):
            if block.starts_on == parsed.starts_on and block.ends_on == parsed.ends_on:
                parsed.keep = block
            elif block.starts_on <= parsed.ends_on and block.ends_on >= parsed.starts_on:
                parsed.replaces.append(block)
        if parsed.replaces:
            parsed.preview.action = "update"
            parsed.preview.changes = [
                Change(
                    "dates",
                    "; ".join(_block_dates(b.starts_on, b.ends_on) for b in parsed.replaces),
                    _block_dates(parsed.starts_on, parsed.ends_on),
                )
            ]
        else:
            parsed.preview.action = "unchanged" if parsed.keep else "create"
    return _Plan(
        rows=[parsed.preview for parsed in parsed_rows],
        apply=lambda: _schedule_apply(program, parsed_rows),
    )


def _schedule_apply(program: Program, parsed_rows: list[_ScheduleRow]) -> list[str]:
    replaced = {block.id: block for parsed in parsed_rows for block in parsed.replaces}
    ServiceBlock.objects.filter(id__in=replaced).delete()
    new_blocks = [
        ServiceBlock(
            program=program,
            person=parsed.person,
            service=parsed.service,
            starts_on=parsed.starts_on,
            ends_on=parsed.ends_on,
        )
        for parsed in parsed_rows
        if parsed.keep is None
    ]
    ServiceBlock.objects.bulk_create(new_blocks)
    notes = [f"{len(new_blocks)} blocks added, {len(replaced)} replaced."]

    # Pairs follow the schedule: derive them again for every week the file covers
    # (its unchanged rows too: roles may have changed since) and every week a
    # replaced block covered.
    if program.service_id is None:
        return notes
    touched = [
        (parsed.starts_on, parsed.ends_on)
        for parsed in parsed_rows
        if parsed.service.id == program.service_id
    ] + [
        (block.starts_on, block.ends_on)
        for block in replaced.values()
        if block.service_id == program.service_id
    ]
    if not touched:
        return notes
    first_day = min(start for start, _ in touched)
    last_day = max(end for _, end in touched)
    weeks = [
        week
        for week in program_weeks_ensure(program=program, until=last_day)
        if week.ends_on >= first_day
    ]
    weeks_with_lone_junior = 0
    for week in weeks:
        if pairs_derive(program=program, week=week).juniors_without_senior:
            weeks_with_lone_junior += 1
    notes.append(f"Pairs derived again for {_count(len(weeks), 'week')}.")
    if weeks_with_lone_junior:
        notes.append(
            f"In {_count(weeks_with_lone_junior, 'week')} a junior has no senior on service; "
            "see the weeks and pairs page."
        )
    return notes


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


# --- Program weeks and pairs ---------------------------------------------------------------


def _monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def program_weeks_ensure(*, program: Program, until: datetime.date) -> list[ProgramWeek]:
    """Make sure every week from the program's start to the week holding `until` exists.

    Returns those weeks in order (existing ones included).
    """
    first = _monday_of(program.starts_on)
    last = _monday_of(until)
    if last < first:
        return []
    wanted = []
    monday = first
    while monday <= last:
        wanted.append(monday)
        monday += datetime.timedelta(days=7)
    with transaction.atomic():
        ProgramWeek.objects.bulk_create(
            [ProgramWeek(program=program, starts_on=monday) for monday in wanted],
            ignore_conflicts=True,
        )
        return list(
            ProgramWeek.objects.filter(
                program=program, starts_on__gte=first, starts_on__lte=last
            ).order_by("starts_on")
        )


@dataclass(frozen=True)
class PairDerivation:
    """The pairs of one week after deriving them, and the juniors left without a senior."""

    week: ProgramWeek
    pairs: list[Pair]
    juniors_without_senior: list[Person]
    added: int = 0
    removed: int = 0


def pairs_derive(*, program: Program, week: ProgramWeek) -> PairDerivation:
    """Pair every junior on the program's service in `week` with every senior on it.

    Pairs the schedule no longer supports are deleted, but only schedule-made ones: a
    pair the director added stays, and one the director removed (kept with
    is_removed) is never added back.
    """
    if week.program_id != program.id:
        raise ValueError(f"{week} belongs to another program than {program}.")
    with transaction.atomic():
        on_service = selectors.on_service_by_week(program=program, weeks=[week])[week.id]
        wanted = {
            (junior.id, senior.id)
            for junior in on_service.juniors
            for senior in on_service.seniors
            if junior.id != senior.id
        }
        existing = {
            (pair.junior_id, pair.senior_id): pair for pair in Pair.objects.filter(week=week)
        }
        stale = [
            pair.id
            for key, pair in existing.items()
            if pair.origin == PairOrigin.SCHEDULE and not pair.is_removed and key not in wanted
        ]
        Pair.objects.filter(id__in=stale).delete()
        added = Pair.objects.bulk_create(
            [
                Pair(week=week, junior_id=junior_id, senior_id=senior_id)
                for junior_id, senior_id in sorted(wanted - existing.keys())
            ]
        )
        pairs = selectors.pairs_for_week(week=week)
    with_senior = {pair.junior_id for pair in pairs}
    return PairDerivation(
        week=week,
        pairs=pairs,
        juniors_without_senior=[j for j in on_service.juniors if j.id not in with_senior],
        added=len(added),
        removed=len(stale),
    )


class PairError(ValueError):
    """A pair the director asked for that cannot be; the message says why."""


def _require_program_staff(*, program: Program, by: Person) -> None:
    if not selectors.roles_in_program(person=by, program=program) & set(STAFF_ROLES):
        raise PermissionDenied("Only the program's directors and coordinators may change pairs.")


def pair_add(*, week: ProgramWeek, junior: Person, senior: Person, by: Person) -> Pair:
    """The director pairs `junior` with `senior` for `week`; re-deriving keeps this pair.

    Adding a pair the director removed earlier brings it back.
    """
    program = week.program
    _require_program_staff(program=program, by=by)
    if junior.pk == senior.pk:
        raise PairError("A person cannot be paired with themselves.")
    if Role.JUNIOR not in selectors.roles_in_program(person=junior, program=program):
        raise PairError(f"{junior.full_name} is not a junior in {program.name}.")
    if Role.SENIOR not in selectors.roles_in_program(person=senior, program=program):
        raise PairError(f"{senior.full_name} is not a senior in {program.name}.")
    with transaction.atomic():
        pair, created = Pair.objects.select_for_update().get_or_create(
            week=week,
            junior=junior,
            senior=senior,
            defaults={"origin": PairOrigin.DIRECTOR},
        )
        if not created and pair.is_removed:
            pair.is_removed = False
            pair.origin = PairOrigin.DIRECTOR
            pair.save(update_fields=["is_removed", "origin"])
    return pair


def pair_remove(*, pair: Pair, by: Person) -> Pair:
    """The director ends a pair for its week; it is kept, marked removed, so that
    re-deriving from the schedule does not bring it back."""
    _require_program_staff(program=pair.week.program, by=by)
    with transaction.atomic():
        pair.is_removed = True
        pair.save(update_fields=["is_removed"])
    return pair


# --- Setting a program up from the console ---------------------------------------------


class ProgramError(ValueError):
    """A program that cannot be created as asked; the message says why."""


def program_create(
    *,
    name: str,
    slug: str,
    institution_name: str,
    service_name: str,
    starts_on: datetime.date,
    kind: str = ProgramKind.CASE_REVIEW,
    time_zone: str = "America/New_York",
    description: str = "",
) -> Program:
    """Create a program, with its institution and service when they are new."""
    if not name.strip():
        raise ProgramError("The program needs a name.")
    try:
        validate_slug(slug)
    except ValidationError as error:
        raise ProgramError(
            f"“{slug}” cannot be a program's short name: use letters, digits, - and _."
        ) from error
    if Program.objects.filter(slug=slug).exists():
        raise ProgramError(f"A program called “{slug}” already exists.")
    if kind not in ProgramKind.values:
        raise ProgramError(f"“{kind}” is not a program kind; use {', '.join(ProgramKind.values)}.")
    try:
        validate_time_zone(time_zone)
    except ValidationError as error:
        raise ProgramError(error.messages[0]) from error
    if starts_on.weekday() != 0:
        raise ProgramError(
            f"Programs start on a Monday; {starts_on.isoformat()} is a "
            f"{starts_on:%A}. The Monday of that week is {_monday_of(starts_on).isoformat()}."
        )
    if not institution_name.strip():
        raise ProgramError("The program needs an institution.")
    with transaction.atomic():
        institution = Institution.objects.filter(name__iexact=institution_name.strip()).first()
        if institution is None:
            institution = Institution.objects.create(
                name=institution_name.strip(), slug=_free_institution_slug(institution_name)
            )
        service = None
        if service_name.strip():
            service = Service.objects.filter(
                institution=institution, name__iexact=service_name.strip()
            ).first() or Service.objects.create(institution=institution, name=service_name.strip())
        return Program.objects.create(
            name=name.strip(),
            slug=slug,
            kind=kind,
            institution=institution,
            service=service,
            starts_on=starts_on,
            time_zone=time_zone,
            description=description,
        )


def _free_institution_slug(name: str) -> str:
    base = slugify(name)[:70] or "institution"
    slug, number = base, 2
    while Institution.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def person_enrol(
    *,
    program: Program,
    email: str,
    role: str,
    full_name: str = "",
    training_level: str = TrainingLevel.OTHER,
) -> Person:
    """Enrol the person with `email` in `program` in `role`, creating them when new."""
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ProgramError(f"“{email}” is not an email address.") from error
    if role not in Role.values:
        raise ProgramError(f"“{role}” is not a role; use {ALLOWED_ROLES}.")
    with transaction.atomic():
        person = Person.objects.filter(email__iexact=email).first()
        if person is None:
            if not full_name.strip():
                raise ProgramError(f"{email} is new to medmentor: give their full name too.")
            person = Person.objects.create_user(
                email=email,
                full_name=full_name.strip(),
                training_level=training_level,
                institution=program.institution,
            )
        Enrollment.objects.get_or_create(program=program, person=person, role=role)
    return person
