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

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from medmentor.matching import (
    Assignment,
    Criterion,
    HardRules,
    MarketBuild,
    MatchingInputError,
    MatchingReport,
    Mentee,
    Mentor,
    Weights,
    assess,
    build_market,
    explain_pair,
    explain_unmatched,
    feasibility_problems,
    rematch,
)
from medmentor.matching.explain import stage_words
from medmentor.messaging.personal_links import sign_in_placeholder
from medmentor.messaging.services import RenderedEmail, outbox_enqueue_many
from medmentor.one_line import line_break_problem
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
    LEARNER_ROLES,
    STAFF_ROLES,
    Enrollment,
    MatchingConflict,
    MatchingObjective,
    MatchingPair,
    MatchingProfile,
    MatchingRun,
    MatchingRunStatus,
    MatchingUnmatched,
    Mentorship,
    Pair,
    PairOrigin,
    PairRemoval,
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
    "WeekFinishedError",
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


# Who may give or take away which role by a roster import (docs/data-formats.md):
# a director any role; a coordinator the roles below their own — never director or
# coordinator, which only a director grants. `None` is the operations console
# (`medmentor import-roster`, the demo loader), which sets programs up and so may
# grant any role; the rules about other programs and the last director bind it too.
ROLES_GRANTED_BY = {
    Role.DIRECTOR: frozenset(Role.values),
    Role.COORDINATOR: frozenset({Role.FACULTY, Role.SENIOR, Role.JUNIOR, Role.RESEARCHER}),
}
# A person's own fields, shared by every program they are in; a row may change them
# only for people this program alone holds.
ROSTER_PERSON_FIELDS = ("full_name", "training_level", "institution", "specialty")


def roster_roles_grantable(*, program: Program, by: Person | None) -> frozenset[str]:
    """The roles `by` may give or take away in `program` by a roster import.

    Raises PermissionDenied for anyone who neither directs nor coordinates it.
    """
    if by is None:
        return frozenset(Role.values)
    roles = selectors.roles_in_program(person=by, program=program)
    grantable: frozenset[str] = frozenset()
    for role in roles:
        grantable |= ROLES_GRANTED_BY.get(role, frozenset())
    if not grantable:
        raise PermissionDenied(
            f"Only the directors and coordinators of {program.name} may import its roster."
        )
    return grantable


def roster_import(
    *, program: Program, file_name: str, content: bytes, apply: bool, by: Person | None
) -> ImportResult:
    """Preview (apply=False) or import (apply=True) a roster of people and their roles.

    Each row is one person: created when the email is new, else updated. The roles in
    the row become the person's roles in this program (a role no longer listed is
    removed); people not in the file are left as they are. See docs/data-formats.md.

    `by` is the person importing (None: the operations console). A row is refused when
    it would rename or re-level someone another program also holds (or an operations
    account), change `by`'s own roles, give or take away a role `by` may not grant, or
    leave the program without a director. Roles in other programs are never touched.
    """
    grantable = roster_roles_grantable(program=program, by=by)
    return _run_import(
        file_name=file_name,
        content=content,
        apply=apply,
        columns=ROSTER_COLUMNS,
        required=ROSTER_REQUIRED,
        aliases=ROSTER_ALIASES,
        plan=lambda sheet: _roster_plan(program, sheet, by=by, grantable=grantable),
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
                f"{', '.join(known) or 'none yet'}. Ask operations to add it in the admin "
                "first, or leave the cell blank",
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


def _roster_plan(
    program: Program, sheet: Sheet, *, by: Person | None, grantable: frozenset[str]
) -> _Plan:
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

    _roster_check_scope(program, parsed_rows, by=by, grantable=grantable)
    _roster_check_directors_remain(program, parsed_rows)
    return _Plan(
        rows=[parsed.preview for parsed in parsed_rows],
        apply=lambda: _roster_apply(program, parsed_rows),
    )


def _roster_refuse(parsed: _RosterRow, column: str, value: str, reason: str) -> None:
    parsed.preview.action = "error"
    parsed.preview.errors.append(
        RowError(row=parsed.preview.row, column=column, value=value, reason=reason)
    )


def _roster_check_scope(
    program: Program,
    parsed_rows: list[_RosterRow],
    *,
    by: Person | None,
    grantable: frozenset[str],
) -> None:
    """Refuse each row that reaches beyond what `by` may change (see roster_import)."""
    known = [parsed.person.id for parsed in parsed_rows if parsed.person is not None]
    held_elsewhere = set(
        Enrollment.objects.filter(person_id__in=known)
        .exclude(program=program)
        .values_list("person_id", flat=True)
    )
    by_roles = set() if by is None else selectors.roles_in_program(person=by, program=program)
    by_directs = by is None or Role.DIRECTOR in by_roles
    for parsed in parsed_rows:
        if parsed.preview.action == "error":
            continue
        person = parsed.person
        personal = [c for c in parsed.preview.changes if c.field in ROSTER_PERSON_FIELDS]
        if person is not None and personal:
            first = personal[0]
            what = " and ".join(change.field.replace("_", " ") for change in personal)
            if person.id in held_elsewhere or person.is_staff or person.is_superuser:
                whose = (
                    "an operations account"
                    if person.is_staff or person.is_superuser
                    else "also enrolled in another program"
                )
                _roster_refuse(
                    parsed,
                    first.field,
                    first.new,
                    f"{parsed.email} is {whose}, so this program's roster cannot change "
                    f"their {what} (medmentor has “{first.old}”, the file says “{first.new}”); "
                    "write them as medmentor has them — the roster then only sets their "
                    "roles in this program",
                )
                continue
            staff_here = set(parsed.enrollments) & set(STAFF_ROLES)
            if not by_directs and staff_here and person != by:
                _roster_refuse(
                    parsed,
                    first.field,
                    first.new,
                    f"{parsed.email} is a {' and '.join(sorted(staff_here))} of this program; "
                    f"only a director can change their {what}",
                )
                continue
        added = set(parsed.roles) - set(parsed.enrollments)
        removed = set(parsed.enrollments) - set(parsed.roles)
        if not added and not removed:
            continue
        role_cell = "; ".join(parsed.roles)
        if by is not None and person is not None and person.pk == by.pk:
            _roster_refuse(
                parsed,
                "role",
                role_cell,
                f"{parsed.email} is you: nobody changes their own roles by import "
                f"(you have {'; '.join(sorted(parsed.enrollments)) or 'none'}); "
                "another director of the program can",
            )
            continue
        beyond = sorted((added | removed) - grantable)
        if beyond:
            if set(beyond) <= added:
                verb = "give"
            elif set(beyond) <= removed:
                verb = "take away"
            else:
                verb = "give or take away"
            _roster_refuse(
                parsed,
                "role",
                role_cell,
                f"as a coordinator you cannot {verb} the role {' or '.join(beyond)} "
                f"({parsed.email}); only a director of the program grants director "
                "and coordinator",
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
        if parsed.preview.errors:
            continue  # refused already, with its own reason
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
    # Finished weeks keep their pairs (docs/privacy.md): the blocks are stored, the
    # pairs those weeks had stay as they were.
    today = selectors.program_today(program=program)
    finished = [week for week in weeks if selectors.week_is_finished(week=week, today=today)]
    weeks = [week for week in weeks if week not in finished]
    weeks_with_lone_junior = 0
    for week in weeks:
        if pairs_derive(program=program, week=week).juniors_without_senior:
            weeks_with_lone_junior += 1
    notes.append(f"Pairs derived again for {_count(len(weeks), 'week')}.")
    if finished:
        notes.append(
            f"The pairs of {_count(len(finished), 'finished week')} were kept as they were: "
            "finished weeks never change, so the program's figures never move."
        )
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
    restored: int = 0  # schedule-removed pairs brought back, with their marks


class WeekFinishedError(ValidationError):
    """A change to a week that is over, refused: finished weeks are frozen so that the
    figures shown for them never move (docs/privacy.md). The message says which week
    ended when, and why."""

    def __init__(self, week: ProgramWeek) -> None:
        self.week = week
        super().__init__(selectors.week_finished_message(week=week), code="week_finished")

    def __str__(self) -> str:
        return str(self.message)


def week_require_open(*, week: ProgramWeek, today: datetime.date | None = None) -> None:
    """WeekFinishedError when `week` is over (in the program's time zone).

    The one check every write to a week's pairs or marks makes; `today` is the
    program's today unless given (the demo loader writes the history of past weeks
    as of the day it happened).
    """
    if selectors.week_is_finished(week=week, today=today):
        raise WeekFinishedError(week)


def pairs_derive(
    *, program: Program, week: ProgramWeek, today: datetime.date | None = None
) -> PairDerivation:
    """Pair every junior on the program's service in `week` with every senior on it.

    Pairs the schedule no longer supports are marked removed (removed_by schedule),
    never deleted: they keep their marks, and the same rows come back, marks and all,
    when the schedule supports them again. Only schedule-made pairs follow the
    schedule: a pair the director added stays, and one the director removed is never
    added back. WeekFinishedError for a week that is over.
    """
    if week.program_id != program.id:
        raise ValueError(f"{week} belongs to another program than {program}.")
    week_require_open(week=week, today=today)
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
        restored = [
            pair.id
            for key, pair in existing.items()
            if pair.is_removed and pair.removed_by == PairRemoval.SCHEDULE and key in wanted
        ]
        Pair.objects.filter(id__in=stale).update(
            is_removed=True, removed_by=PairRemoval.SCHEDULE, removed_at=timezone.now()
        )
        Pair.objects.filter(id__in=restored).update(
            is_removed=False, removed_by="", removed_at=None
        )
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
        restored=len(restored),
    )


class PairError(ValueError):
    """A pair the director asked for that cannot be; the message says why."""


def _require_program_staff(*, program: Program, by: Person) -> None:
    if not selectors.roles_in_program(person=by, program=program) & set(STAFF_ROLES):
        raise PermissionDenied("Only the program's directors and coordinators may change pairs.")


def pair_add(*, week: ProgramWeek, junior: Person, senior: Person, by: Person) -> Pair:
    """The director pairs `junior` with `senior` for `week`; re-deriving keeps this pair.

    Adding a pair removed earlier brings the same pair back, with its marks.
    WeekFinishedError for a week that is over.
    """
    program = week.program
    _require_program_staff(program=program, by=by)
    week_require_open(week=week)
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
            pair.removed_by = ""
            pair.removed_at = None
            pair.save(update_fields=["is_removed", "origin", "removed_by", "removed_at"])
    return pair


def pair_remove(*, pair: Pair, by: Person) -> Pair:
    """The director ends a pair for its week; it is kept, marked removed (with its
    marks, which no longer count), so that re-deriving from the schedule does not
    bring it back. WeekFinishedError for a week that is over."""
    _require_program_staff(program=pair.week.program, by=by)
    week_require_open(week=pair.week)
    with transaction.atomic():
        pair.is_removed = True
        pair.removed_by = PairRemoval.DIRECTOR
        pair.removed_at = timezone.now()
        pair.save(update_fields=["is_removed", "removed_by", "removed_at"])
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
    if problem := line_break_problem(name.strip(), what="The program's name"):
        # The name is in the subject of the matching emails ("Your mentor in <name>").
        raise ProgramError(problem)
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


# --- One-to-one matching: the adapter between the models and medmentor.matching ---------
#
# Models -> matching.Mentee / Mentor / HardRules / Weights -> a solver -> MatchingRun rows.
# People are known to the matcher by a label (their name, or "name (email)" when two
# share a name), so its explanations read as words a director understands.


class MatchingError(ValueError):
    """Matching cannot run or change as asked; the message names the person, field or
    rule, in words a director understands."""


@dataclass(frozen=True)
class MatchingCriterion:
    attribute: str
    label: str
    help: str
    concordance: bool = False


MATCHING_CRITERIA = (
    MatchingCriterion(
        "specialty", "Shared specialty", "The mentor works in the specialty the mentee wants."
    ),
    MatchingCriterion(
        "interests",
        "Shared interests",
        "Counts the share of the mentee's interests the mentor also has.",
    ),
    MatchingCriterion("site", "Same site", "Both are at the same campus or hospital."),
    MatchingCriterion(
        "language", "Shared language", "The mentor speaks a language the mentee speaks."
    ),
    MatchingCriterion(
        "gender",
        "Same gender, when the mentee asked",
        "Counts only for mentees who asked for a mentor of their gender.",
        concordance=True,
    ),
    MatchingCriterion(
        "urim",
        "Both URiM, when the mentee asked",
        "Underrepresented in medicine; counts only for mentees who asked for it.",
        concordance=True,
    ),
    MatchingCriterion(
        "first_generation",
        "Both first-generation, when the mentee asked",
        "First in their family to attend college; counts only where asked.",
        concordance=True,
    ),
)
MATCHING_DEFAULT_WEIGHTS = {c.attribute: c.weight for c in Weights.default().criteria}
MATCHING_DEFAULT_RULES = {"min_level_gap": 2, "same_site": False, "shared_availability": False}
MATCHING_MAX_WEIGHT = 10.0
MATCHING_MAX_GAP = 20
CONCORDANCE_ATTRIBUTES = tuple(c.attribute for c in MATCHING_CRITERIA if c.concordance)
# Up to this many people a run is solved while the director waits: the solvers take
# milliseconds here; building the market grows with mentees x mentors.
MATCHING_INLINE_LIMIT = 2_000


def matching_weights_clean(raw: object) -> dict[str, float]:
    """The director's weights, checked: every known criterion a number from 0 to 10."""
    if raw is None:
        return dict(MATCHING_DEFAULT_WEIGHTS)
    if not isinstance(raw, dict):
        raise MatchingError("Weights must be a list of criterion: number.")
    known = {c.attribute for c in MATCHING_CRITERIA}
    weights = dict(MATCHING_DEFAULT_WEIGHTS)
    for name, value in raw.items():
        if name not in known:
            raise MatchingError(
                f"“{str(name)[:40]}” is not a matching criterion; use {', '.join(sorted(known))}."
            )
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise MatchingError(
                f"The weight of {name} must be a number, got “{str(value)[:40]}”."
            ) from None
        if isinstance(value, bool) or not (0 <= number <= MATCHING_MAX_WEIGHT):
            raise MatchingError(
                f"The weight of {name} must be from 0 to {MATCHING_MAX_WEIGHT:g}, got "
                f"“{str(value)[:40]}”."
            )
        weights[name] = number
    return weights


def matching_rules_clean(raw: object) -> dict[str, object]:
    """The director's hard rules, checked."""
    if raw is None:
        return dict(MATCHING_DEFAULT_RULES)
    if not isinstance(raw, dict):
        raise MatchingError("Rules must be a list of rule: value.")
    rules = dict(MATCHING_DEFAULT_RULES)
    for name, value in raw.items():
        if name == "min_level_gap":
            if value is None or value == "":
                rules[name] = None
                continue
            if isinstance(value, bool) or not isinstance(value, int | str):
                raise MatchingError("The seniority gap must be a whole number of training levels.")
            try:
                gap = int(value)
            except ValueError:
                raise MatchingError(
                    f"The seniority gap must be a whole number, got “{str(value)[:40]}”."
                ) from None
            if not 0 <= gap <= MATCHING_MAX_GAP:
                raise MatchingError(
                    f"The seniority gap must be from 0 to {MATCHING_MAX_GAP} training levels, "
                    f"got {gap}."
                )
            rules[name] = gap
        elif name in ("same_site", "shared_availability"):
            if not isinstance(value, bool):
                raise MatchingError(f"The rule {name} must be true or false.")
            rules[name] = value
        else:
            raise MatchingError(
                f"“{str(name)[:40]}” is not a matching rule; use min_level_gap, same_site, "
                "shared_availability."
            )
    return rules


@dataclass
class MatchingCohort:
    """A program's mentees and mentors as the matcher sees them."""

    mentees: list[Mentee]
    mentors: list[Mentor]
    people: dict[str, Person]
    rules: HardRules
    weights: Weights
    conflicts: dict[tuple[str, str], str]


def _matching_weights(raw: dict[str, float]) -> Weights:
    return Weights(
        tuple(
            Criterion(
                c.attribute,
                float(raw.get(c.attribute, 0.0)),
                label=c.label.lower().replace(", when the mentee asked", " (asked by mentee)"),
                concordance=c.concordance,
            )
            for c in MATCHING_CRITERIA
        )
    )


def _current_enrollments(program: Program, role: str) -> list[Enrollment]:
    today = selectors.program_today(program=program)
    return list(
        Enrollment.objects.filter(program=program, role=role)
        .exclude(left_on__lt=today)
        .select_related("person", "matching_profile")
        .order_by("person__full_name", "person__email")
    )


def _profile_attributes(person: Person, profile: MatchingProfile | None) -> dict[str, object]:
    if profile is None:
        return {"specialty": person.specialty or None}
    return {
        "specialty": profile.specialty or person.specialty or None,
        "interests": frozenset(str(v) for v in profile.interests or ()),
        "site": profile.site or None,
        "language": frozenset(str(v) for v in profile.languages or ()),
        "gender": profile.gender or None,
        # an attribute not shared stays missing, and missing never matches
        "urim": "URiM" if profile.urim else None,
        "first_generation": "first-generation" if profile.first_generation else None,
    }


def _preference_tiers(
    *, label: str, side: str, raw: object, emails: dict[str, str], other_side: str
) -> tuple | None:
    if raw is None or raw == []:
        return None
    if not isinstance(raw, list):
        raise MatchingError(f"{label} ({side}): the preferences must be a ranked list of emails.")
    tiers = []
    for item in raw:
        tier = item if isinstance(item, list) else [item]
        labels = []
        for email in tier:
            key = str(email).strip().lower()
            if key not in emails:
                raise MatchingError(
                    f"{label} ({side}): the preference “{str(email)[:60]}” names nobody who is "
                    f"a {other_side} in this program."
                )
            labels.append(emails[key])
        tiers.append(tuple(labels))
    return tuple(tiers)


def matching_cohort(
    *,
    program: Program,
    weights: dict[str, float],
    rules: dict[str, object],
    progress: Callable[[int], None] | None = None,
) -> MatchingCohort:
    """The program's current mentees (juniors) and mentors (seniors) as matching records.

    `progress(n)` is told each time n more people are read (the console's bar).
    """
    mentee_rows = _current_enrollments(program, Role.JUNIOR)
    mentor_rows = _current_enrollments(program, Role.SENIOR)
    names: dict[str, int] = {}
    for enrollment in (*mentee_rows, *mentor_rows):
        names[enrollment.person.full_name] = names.get(enrollment.person.full_name, 0) + 1
    people: dict[str, Person] = {}
    labels: dict[int, str] = {}

    def label(person: Person) -> str:
        if person.pk not in labels:
            text = person.full_name
            if names.get(text, 0) > 1 or text in people or not text:
                text = f"{person.full_name} ({person.email})".strip()
            labels[person.pk] = text
            people[text] = person
        return labels[person.pk]

    mentee_emails = {e.person.email.lower(): label(e.person) for e in mentee_rows}
    mentor_emails = {e.person.email.lower(): label(e.person) for e in mentor_rows}
    mentees: list[Mentee] = []
    mentors: list[Mentor] = []
    for enrollment in mentee_rows:
        person = enrollment.person
        profile = getattr(enrollment, "matching_profile", None)
        who = label(person)
        if profile is not None:
            unknown = set(profile.concordance or ()) - set(CONCORDANCE_ATTRIBUTES)
            if unknown:
                raise MatchingError(
                    f"{who} (mentee): concordance “{', '.join(sorted(map(str, unknown)))}” is "
                    f"not an identity attribute; use {', '.join(CONCORDANCE_ATTRIBUTES)}."
                )
        mentees.append(
            Mentee(
                who,
                level=person.seniority_rank,
                attributes=_profile_attributes(person, profile),
                concordance=frozenset(profile.concordance or ()) if profile else frozenset(),
                availability=frozenset(profile.availability)
                if profile and profile.availability
                else None,
                preferences=_preference_tiers(
                    label=who,
                    side="mentee",
                    raw=profile.preferences if profile else None,
                    emails=mentor_emails,
                    other_side="mentor",
                ),
            )
        )
        if progress:
            progress(1)
    for enrollment in mentor_rows:
        person = enrollment.person
        profile = getattr(enrollment, "matching_profile", None)
        who = label(person)
        capacity = profile.capacity if profile is not None else 1
        if capacity is None or capacity < 0:
            raise MatchingError(
                f"{who} (mentor): the capacity must be 0 or more mentees, got {capacity}."
            )
        try:
            mentors.append(
                Mentor(
                    who,
                    level=person.seniority_rank,
                    capacity=int(capacity),
                    attributes=_profile_attributes(person, profile),
                    availability=frozenset(profile.availability)
                    if profile and profile.availability
                    else None,
                    preferences=_preference_tiers(
                        label=who,
                        side="mentor",
                        raw=profile.preferences if profile else None,
                        emails=mentee_emails,
                        other_side="mentee",
                    ),
                )
            )
        except MatchingInputError as error:
            raise MatchingError(str(error)) from error
        if progress:
            progress(1)
    conflicts: dict[tuple[str, str], str] = {}
    for conflict in MatchingConflict.objects.filter(program=program).select_related(
        "mentor", "mentee"
    ):
        if conflict.mentee_id in labels and conflict.mentor_id in labels:
            key = (labels[conflict.mentee_id], labels[conflict.mentor_id])
            conflicts[key] = conflict.get_reason_display().lower()
    gap = rules.get("min_level_gap")
    hard = HardRules(
        min_level_gap=int(gap) if gap is not None else None,
        forbidden=frozenset(conflicts),
        same=("site",) if rules.get("same_site") else (),
        shared_availability=bool(rules.get("shared_availability")),
    )
    return MatchingCohort(mentees, mentors, people, hard, _matching_weights(weights), conflicts)


def _matching_build(cohort: MatchingCohort) -> MarketBuild:
    try:
        return build_market(cohort.mentees, cohort.mentors, cohort.rules, cohort.weights)
    except MatchingInputError as error:
        raise MatchingError(str(error)) from error


def _no_feasible_answer(cohort: MatchingCohort, build: MarketBuild) -> str | None:
    """Why no pair at all can be made, naming the rule; None when some pair can."""
    if not cohort.mentees:
        return "There is nobody to match: the program has no current mentees (juniors)."
    if not cohort.mentors:
        return "There is nobody to match with: the program has no current mentors (seniors)."
    if sum(m.capacity for m in cohort.mentors) == 0:
        return "No feasible answer: every mentor has a capacity of 0 mentees."
    if build.market.n_edges:
        return None
    totals = build.diagnostics.mentee_counts.sum(axis=0)
    for stage, total in zip(build.diagnostics.stages, totals.tolist(), strict=True):
        if total == 0:
            words = stage_words(stage, cohort.rules, "mentee")
            return (
                f"No feasible answer: no mentee can be paired with any mentor — after the "
                f"rule “{stage.replace('_', ' ')}” every mentee has {words}. Relax that rule."
            )
    return "No feasible answer: no mentee can be paired with any mentor."


def _existing_pairs(program: Program, cohort: MatchingCohort) -> tuple[list, list]:
    """Pairs to keep (current mentorships and the latest draft's locked pairs) and the
    mentorships the director unlocked in that draft, by the cohort's labels."""
    labels = {person.pk: label for label, person in cohort.people.items()}

    def key(mentee_id: int, mentor_id: int) -> tuple[str, str]:
        return (labels.get(mentee_id, f"#{mentee_id}"), labels.get(mentor_id, f"#{mentor_id}"))

    latest = (
        MatchingRun.objects.filter(program=program, status=MatchingRunStatus.DRAFT)
        .order_by("-created_at", "-id")
        .first()
    )
    existing: dict[tuple[str, str], None] = {}
    unlocked: list[tuple[str, str]] = []
    draft = {(p.mentee_id, p.mentor_id): p.locked for p in latest.pairs.all()} if latest else {}
    for mentorship in Mentorship.objects.filter(program=program, ended_on__isnull=True):
        pair = (mentorship.mentee_id, mentorship.mentor_id)
        existing[key(*pair)] = None
        if draft.get(pair) is False:
            unlocked.append(key(*pair))
    for (mentee_id, mentor_id), locked in draft.items():
        if locked:
            existing[key(mentee_id, mentor_id)] = None
    return list(existing), unlocked


def _explain_pair(build: MarketBuild, cohort: MatchingCohort, i: int, j: int) -> dict:
    market = build.market
    edge = int(market.edge_index(np.array([i]), np.array([j]))[0])
    mentee, mentor = cohort.mentees[i], cohort.mentors[j]
    ranks = {}
    if edge >= 0:
        if mentee.preferences is not None:
            ranks["mentee_rank"] = int(market.mentee_rank[edge])
        if mentor.preferences is not None:
            ranks["mentor_rank"] = int(market.mentor_rank[edge])
    words = explain_pair(mentee, mentor, cohort.weights, **ranks).as_dict()
    if edge < 0:
        words["unmet"] = [*words["unmet"], _why_not_acceptable(cohort, i, j)]
    return words


def _why_not_acceptable(cohort: MatchingCohort, i: int, j: int) -> str:
    """The hard rule that excludes one mentee–mentor pair, in words."""
    mentee, mentor = cohort.mentees[i], cohort.mentors[j]
    rules = cohort.rules
    if (mentee.id, mentor.id) in cohort.conflicts:
        return f"declared conflict: {cohort.conflicts[(mentee.id, mentor.id)]}"
    if rules.min_level_gap is not None and mentor.level - mentee.level < rules.min_level_gap:
        gap = mentor.level - mentee.level
        return (
            f"seniority gap: {mentor.id} is {gap} training level{'s' if abs(gap) != 1 else ''} "
            f"above {mentee.id}; the rule asks for at least {rules.min_level_gap}"
        )
    for name in rules.same:
        if mentee.attributes.get(name) != mentor.attributes.get(name) or not mentee.attributes.get(
            name
        ):
            return (
                f"same {name} required: {mentee.attributes.get(name) or 'none'} and "
                f"{mentor.attributes.get(name) or 'none'}"
            )
    if (
        rules.shared_availability
        and mentee.availability
        and mentor.availability
        and not mentee.availability & mentor.availability
    ):
        return "no shared available time"
    if mentee.preferences is not None and not any(mentor.id in t for t in mentee.preferences):
        return f"{mentor.id} is not on {mentee.id}'s list"
    if mentor.preferences is not None and not any(mentee.id in t for t in mentor.preferences):
        return f"{mentee.id} is not on {mentor.id}'s list"
    if mentor.capacity == 0:
        return f"{mentor.id} takes no mentee this time (capacity 0)"
    return "a hard rule excludes this pair"


def _report_numbers(report: MatchingReport) -> dict[str, object]:
    return {
        "matched": report.matched,
        "unmatched": report.unmatched,
        "total_score": round(report.total_score, 4),
        "blocking_pairs": report.blocking_pairs,
        "feasible": report.feasible,
    }


def _matching_solve(run: MatchingRun, cohort: MatchingCohort) -> None:
    """Solve `run` over `cohort` under both objectives and write the chosen draft."""
    build = _matching_build(cohort)
    impossible = _no_feasible_answer(cohort, build)
    if impossible:
        raise MatchingError(impossible)
    existing, unlocked = _existing_pairs(run.program, cohort)
    results = {
        objective: rematch(
            build.market, existing, unlocked=unlocked, objective=objective, seed=run.seed
        )
        for objective in (MatchingObjective.STABLE, MatchingObjective.OPTIMAL)
    }
    reports = {name: assess(build.market, result.assignment) for name, result in results.items()}
    chosen = results[run.objective]
    report = reports[run.objective]
    kept = set(chosen.kept)
    market = build.market
    mentor_of = chosen.assignment.mentor_of
    mentee_index = {label: i for i, label in enumerate(market.mentee_ids)}
    pairs = []
    for i, j in chosen.assignment.pairs():
        mentee_label, mentor_label = market.mentee_ids[i], market.mentor_ids[j]
        words = _explain_pair(build, cohort, i, j)
        pairs.append(
            MatchingPair(
                run=run,
                mentee=cohort.people[mentee_label],
                mentor=cohort.people[mentor_label],
                score=float(words["score"]),
                explanation=words,
                locked=(mentee_label, mentor_label) in kept,
                kept=(mentee_label, mentor_label) in kept,
            )
        )
    MatchingPair.objects.bulk_create(pairs)
    unmatched = [
        MatchingUnmatched(
            run=run,
            person=cohort.people[item.person_id],
            side=item.side,
            code=item.code,
            reason=item.reason,
        )
        for item in explain_unmatched(
            market, chosen.assignment, diagnostics=build.diagnostics, rules=cohort.rules
        )
        # a kept pair that no longer passes the rules is not an acceptable edge, but the
        # mentee is matched all the same (and warned about)
        if not (item.side == "mentee" and mentor_of[mentee_index[item.person_id]] >= 0)
    ]
    MatchingUnmatched.objects.bulk_create(unmatched)
    run.mentees = len(cohort.mentees)
    run.mentors = len(cohort.mentors)
    run.matched = chosen.assignment.n_matched
    run.unmatched = len(cohort.mentees) - run.matched
    run.total_score = round(sum(p.score for p in pairs), 4)
    run.blocking_pairs = max(report.blocking_pairs, 0)
    run.tradeoff = {name: _report_numbers(r) for name, r in reports.items()}
    run.warnings = [
        *chosen.warnings,
        *(f"{a} and {b}: pair released ({why})." for a, b, why in chosen.released),
    ]
    run.status = MatchingRunStatus.DRAFT
    run.error = ""
    run.save()


def _require_matching_staff(*, program: Program, by: Person | None) -> None:
    # `by=None` is the console's operator, who already holds the database.
    if by is not None and not selectors.roles_in_program(person=by, program=program) & set(
        STAFF_ROLES
    ):
        raise PermissionDenied("Only the program's directors and coordinators may run matching.")


def matching_run_create(
    *,
    program: Program,
    objective: str,
    weights: object = None,
    rules: object = None,
    by: Person | None,
    seed: int = 0,
    inline: bool | None = None,
    progress: Callable[[int], None] | None = None,
) -> MatchingRun:
    """Run matching over the program's current cohort and keep the draft.

    Small cohorts (up to MATCHING_INLINE_LIMIT people) are solved here; larger ones
    are queued as a Django task (`medmentor db_worker` runs it) and the run says
    "queued" until then. Existing mentorships and the latest draft's locked pairs are
    kept (matching.rematch). Raises MatchingError, naming the person or rule, when the
    input is bad or no pair at all can be made; nothing is written then.
    """
    _require_matching_staff(program=program, by=by)
    if program.kind != ProgramKind.ONE_TO_ONE:
        raise MatchingError(
            f"{program.name} is a {program.get_kind_display().lower()} program; matching is "
            "for one-to-one programs."
        )
    if objective not in MatchingObjective.values:
        raise MatchingError(f"“{str(objective)[:40]}” is not an objective; use stable or optimal.")
    clean_weights = matching_weights_clean(weights)
    clean_rules = matching_rules_clean(rules)
    size = Enrollment.objects.filter(program=program, role__in=LEARNER_ROLES).count()
    if inline is None:
        inline = size <= MATCHING_INLINE_LIMIT
    with transaction.atomic():
        run = MatchingRun.objects.create(
            program=program,
            objective=objective,
            weights=clean_weights,
            rules=clean_rules,
            seed=seed,
            created_by=by,
            status=MatchingRunStatus.RUNNING if inline else MatchingRunStatus.QUEUED,
        )
        if inline:
            cohort = matching_cohort(
                program=program, weights=clean_weights, rules=clean_rules, progress=progress
            )
            _matching_solve(run, cohort)
        else:
            from medmentor.programs.tasks import matching_run_task

            transaction.on_commit(lambda: matching_run_task.enqueue(run_id=run.pk))
    return run


def matching_run_execute(*, run: MatchingRun) -> MatchingRun:
    """Solve a queued run (the task's work); a failure is kept on the run, in words."""
    with transaction.atomic():
        run = MatchingRun.objects.select_for_update().select_related("program").get(pk=run.pk)
        if run.status not in (MatchingRunStatus.QUEUED, MatchingRunStatus.RUNNING):
            return run
        try:
            with transaction.atomic():
                cohort = matching_cohort(program=run.program, weights=run.weights, rules=run.rules)
                _matching_solve(run, cohort)
        except MatchingError as error:
            run.status = MatchingRunStatus.FAILED
            run.error = str(error)
            run.save(update_fields=["status", "error"])
    return run


def _require_draft(run: MatchingRun) -> None:
    if run.status != MatchingRunStatus.DRAFT:
        raise MatchingError(
            f"This run is {run.get_status_display().lower()}; only a draft can be changed."
        )


def matching_pair_lock(*, pair: MatchingPair, locked: bool, by: Person | None) -> MatchingPair:
    """Lock a draft pair (kept as it is when matching runs again) or unlock it."""
    _require_matching_staff(program=pair.run.program, by=by)
    _require_draft(pair.run)
    with transaction.atomic():
        pair.locked = locked
        pair.save(update_fields=["locked"])
    return pair


def matching_pair_swap(
    *, run: MatchingRun, first: MatchingPair, second: MatchingPair, by: Person | None
) -> tuple[MatchingPair, MatchingPair]:
    """Swap the mentees of two draft pairs, after checking the new pairs against every
    hard rule with the matcher's own checker; refuse with the rule's words otherwise."""
    _require_matching_staff(program=run.program, by=by)
    _require_draft(run)
    if first.run_id != run.pk or second.run_id != run.pk:
        raise MatchingError("Both pairs must belong to this run.")
    if first.mentor_id == second.mentor_id:
        raise MatchingError("Both pairs have the same mentor: swapping changes nothing.")
    with transaction.atomic():
        cohort = matching_cohort(program=run.program, weights=run.weights, rules=run.rules)
        build = _matching_build(cohort)
        market = build.market
        index_a = {label: k for k, label in enumerate(market.mentee_ids)}
        index_b = {label: k for k, label in enumerate(market.mentor_ids)}
        labels = {person.pk: label for label, person in cohort.people.items()}
        try:
            a, b = index_a[labels[first.mentee_id]], index_a[labels[second.mentee_id]]
            x, y = index_b[labels[first.mentor_id]], index_b[labels[second.mentor_id]]
        except KeyError:
            raise MatchingError(
                "Someone in these pairs is no longer a current mentor or mentee; run "
                "matching again."
            ) from None
        proposed = Assignment.from_pairs(market.n_mentees, [(a, y), (b, x)])
        problems = feasibility_problems(market, proposed)
        if problems:
            refusals = [
                f"{market.mentee_ids[i]} cannot be paired with {market.mentor_ids[j]} "
                f"({_why_not_acceptable(cohort, i, j)})"
                for i, j in ((a, y), (b, x))
                if market.edge_index(np.array([i]), np.array([j]))[0] < 0
            ]
            raise MatchingError("Swap refused: " + "; ".join(refusals or problems) + ".")
        for pair, i, j in ((first, a, y), (second, b, x)):
            words = _explain_pair(build, cohort, i, j)
            pair.mentor = cohort.people[market.mentor_ids[j]]
            pair.score = float(words["score"])
            pair.explanation = words
            pair.kept = False
            pair.save(update_fields=["mentor", "score", "explanation", "kept"])
        _matching_rescore(run, cohort, build)
    return first, second


def _matching_rescore(run: MatchingRun, cohort: MatchingCohort, build: MarketBuild) -> None:
    """The run's summary numbers after a hand edit, by the package's own checks."""
    market = build.market
    labels = {person.pk: label for label, person in cohort.people.items()}
    index_a = {label: k for k, label in enumerate(market.mentee_ids)}
    index_b = {label: k for k, label in enumerate(market.mentor_ids)}
    pairs = [
        (index_a[labels[p.mentee_id]], index_b[labels[p.mentor_id]])
        for p in run.pairs.all()
        if labels.get(p.mentee_id) in index_a and labels.get(p.mentor_id) in index_b
    ]
    report = assess(market, Assignment.from_pairs(market.n_mentees, pairs, run.objective))
    run.total_score = round(sum(run.pairs.values_list("score", flat=True)), 4)
    run.blocking_pairs = max(report.blocking_pairs, 0)
    run.save(update_fields=["total_score", "blocking_pairs"])


def matching_run_publish(*, run: MatchingRun, by: Person | None) -> list[Mentorship]:
    """Make a draft's pairs the program's mentorships and email everyone matched.

    Current mentorships the draft keeps stay as they are; the others end today. Each
    matched person gets one email for this run (outbox key matching:<run>:<person>),
    naming their partner(s), with a sign-in link.
    """
    program = run.program
    _require_matching_staff(program=program, by=by)
    today = selectors.program_today(program=program)
    with transaction.atomic():
        run = MatchingRun.objects.select_for_update().get(pk=run.pk)
        _require_draft(run)
        pairs = list(run.pairs.select_related("mentor", "mentee"))
        wanted = {(p.mentee_id, p.mentor_id) for p in pairs}
        current = {
            (m.mentee_id, m.mentor_id): m
            for m in Mentorship.objects.filter(program=program, ended_on__isnull=True)
        }
        ending = [m.pk for key, m in current.items() if key not in wanted]
        Mentorship.objects.filter(pk__in=ending).update(ended_on=today)
        Mentorship.objects.bulk_create(
            [
                Mentorship(
                    program=program,
                    mentor=pair.mentor,
                    mentee=pair.mentee,
                    started_on=today,
                    run=run,
                )
                for pair in pairs
                if (pair.mentee_id, pair.mentor_id) not in current
            ]
        )
        run.status = MatchingRunStatus.PUBLISHED
        run.published_at = timezone.now()
        run.save(update_fields=["status", "published_at"])
        outbox_enqueue_many(emails=_matching_emails(run=run, pairs=pairs))
        return list(
            Mentorship.objects.filter(program=program, ended_on__isnull=True).select_related(
                "mentor", "mentee"
            )
        )


def _matching_emails(*, run: MatchingRun, pairs: list[MatchingPair]) -> list[RenderedEmail]:
    program = run.program
    partners: dict[int, tuple[Person, str, list[Person]]] = {}
    for pair in pairs:
        partners.setdefault(pair.mentee_id, (pair.mentee, "mentee", []))[2].append(pair.mentor)
        partners.setdefault(pair.mentor_id, (pair.mentor, "mentor", []))[2].append(pair.mentee)
    emails = []
    for person, side, others in partners.values():
        context = {
            "program": program,
            "person": person,
            "side": side,
            "partners": sorted(others, key=lambda p: p.full_name),
            # Minted for the recipient by the worker at delivery; the outbox holds none.
            "url": sign_in_placeholder(),
        }
        noun = "mentor" if side == "mentee" else ("mentee" if len(others) == 1 else "mentees")
        emails.append(
            RenderedEmail(
                key=f"matching:{run.pk}:{person.pk}",
                to_email=person.email,
                person_id=person.pk,
                # One line even for a name saved before line breaks were refused.
                subject=" ".join(f"Your {noun} in {program.name}".split()),
                text_body=render_to_string("programs/matching_email.txt", context),
                html_body=render_to_string("programs/matching_email.html", context),
                topic=f"program:{program.pk}",
            )
        )
    return emails


def matching_conflict_add(
    *, program: Program, mentor: Person, mentee: Person, reason: str, by: Person | None
) -> MatchingConflict:
    """Forbid a mentor–mentee pair in every future run (evaluates, supervises, declared)."""
    _require_matching_staff(program=program, by=by)
    if reason not in MatchingConflict.Reason.values:
        raise MatchingError(
            f"“{str(reason)[:40]}” is not a reason; use "
            f"{', '.join(MatchingConflict.Reason.values)}."
        )
    roles = {
        person.pk: selectors.roles_in_program(person=person, program=program)
        for person in (mentor, mentee)
    }
    if Role.SENIOR not in roles[mentor.pk]:
        raise MatchingError(f"{mentor.full_name} is not a mentor in {program.name}.")
    if Role.JUNIOR not in roles[mentee.pk]:
        raise MatchingError(f"{mentee.full_name} is not a mentee in {program.name}.")
    with transaction.atomic():
        conflict, _ = MatchingConflict.objects.update_or_create(
            program=program,
            mentor=mentor,
            mentee=mentee,
            defaults={"reason": reason, "created_by": by},
        )
    return conflict


def matching_conflict_remove(*, conflict: MatchingConflict, by: Person | None) -> None:
    _require_matching_staff(program=conflict.program, by=by)
    with transaction.atomic():
        conflict.delete()


# --- Matching profiles import ------------------------------------------------------------

MATCHING_PROFILE_COLUMNS = (
    "email",
    "capacity",
    "specialty",
    "interests",
    "site",
    "languages",
    "gender",
    "urim",
    "first_generation",
    "concordance",
    "availability",
    "preferences",
)
MATCHING_PROFILE_ALIASES = {
    "e_mail": "email",
    "email_address": "email",
    "language": "languages",
    "interest": "interests",
    "first_gen": "first_generation",
    "firstgen": "first_generation",
    "urm": "urim",
    "prefs": "preferences",
    "ranking": "preferences",
    "places": "capacity",
}
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}
_LIST_SEPARATORS = re.compile(r"[;|]")


@dataclass
class _ProfileRow:
    preview: PreviewRow
    enrollment: Enrollment | None = None
    values: dict[str, object] = field(default_factory=dict)


def _split_list(text: str) -> list[str]:
    return [part.strip() for part in _LIST_SEPARATORS.split(text) if part.strip()]


def _profile_read_row(
    row: SheetRow,
    columns: tuple[str, ...],
    seen: dict[str, int],
    sides: dict[str, Enrollment],
) -> _ProfileRow:
    problems = _RowProblems(row)
    parsed = _ProfileRow(preview=PreviewRow(row=row.number, action="", values={}))
    email = _checked_email(
        problems, seen, duplicate_hint="A person has one matching profile: keep one row."
    )
    enrollment = sides.get(email) if email else None
    if email and enrollment is None:
        problems.add(
            "email",
            email,
            f"{email} is not a mentor (senior) or mentee (junior) in this program; import "
            "the roster first",
        )
    parsed.enrollment = enrollment
    side = enrollment.role if enrollment else ""
    values: dict[str, object] = {}
    if "capacity" in columns:
        text = row.text("capacity")
        if not text:
            values["capacity"] = 1
        elif side == Role.JUNIOR:
            problems.add("capacity", text, "capacity is for mentors; this person is a mentee")
        else:
            try:
                capacity = int(text)
            except ValueError:
                capacity = None
            if capacity is None or capacity < 0 or capacity > 100:
                problems.add(
                    "capacity", text, f"capacity must be a whole number from 0 to 100, not “{text}”"
                )
            else:
                values["capacity"] = capacity
    for name in ("specialty", "site", "gender"):
        if name in columns:
            text = row.text(name)
            # The column's own length, so the check and the table cannot disagree.
            longest = MatchingProfile._meta.get_field(name).max_length
            if len(text) > longest:
                problems.add(name, text[:40] + "…", f"longer than {longest} characters")
            values[name] = text
    for name in ("interests", "languages", "availability"):
        if name in columns:
            values[name] = _split_list(row.text(name))
    for name in ("urim", "first_generation"):
        if name in columns:
            text = row.text(name).lower()
            if not text:
                values[name] = None  # not shared
            elif text in _YES:
                values[name] = True
            elif text in _NO:
                values[name] = False
            else:
                problems.add(name, row.text(name), "write yes, no, or leave blank (not shared)")
    if "concordance" in columns:
        asked = []
        for part in _split_list(row.text("concordance")):
            key = part.lower().replace("-", "_").replace(" ", "_")
            if key not in CONCORDANCE_ATTRIBUTES:
                problems.add(
                    "concordance",
                    part,
                    f"“{part}” is not an identity attribute; use "
                    f"{', '.join(CONCORDANCE_ATTRIBUTES)}",
                )
            elif key not in asked:
                asked.append(key)
        if asked and side == Role.SENIOR:
            problems.add(
                "concordance", row.text("concordance"), "concordance is asked by mentees only"
            )
        for key in asked:
            shared = values.get(key)
            if key not in values and enrollment is not None:
                profile = getattr(enrollment, "matching_profile", None)
                shared = getattr(profile, key, None) if profile else None
            if not shared:
                problems.add(
                    "concordance",
                    key,
                    f"asks for {key.replace('_', '-')} concordance but shares no {key} of "
                    "their own",
                )
        values["concordance"] = asked
    parsed.values = values
    parsed.preview.values = {name: row.text(name) for name in columns if name in row.cells}
    parsed.preview.values["email"] = email or row.text("email")
    parsed.preview.errors = problems.errors
    return parsed


def _profile_read_preferences(
    parsed: _ProfileRow, row: SheetRow, sides: dict[str, Enrollment]
) -> None:
    text = row.text("preferences")
    if not text:
        parsed.values["preferences"] = None
        return
    enrollment = parsed.enrollment
    if enrollment is None:
        return
    other = Role.SENIOR if enrollment.role == Role.JUNIOR else Role.JUNIOR
    other_word = "mentor" if other == Role.SENIOR else "mentee"
    tiers: list[object] = []
    listed: set[str] = set()
    for part in [p.strip() for p in text.split(";") if p.strip()]:
        tier = []
        for email in [e.strip().lower() for e in part.split("=") if e.strip()]:
            known = sides.get(email)
            if known is None or known.role != other:
                parsed.preview.errors.append(
                    RowError(
                        row=row.number,
                        column="preferences",
                        value=email,
                        reason=f"{email} is not a {other_word} in this program",
                    )
                )
            elif email in listed:
                parsed.preview.errors.append(
                    RowError(
                        row=row.number,
                        column="preferences",
                        value=email,
                        reason=f"{email} is listed twice",
                    )
                )
            else:
                listed.add(email)
                tier.append(email)
        if tier:
            tiers.append(tier if len(tier) > 1 else tier[0])
    parsed.values["preferences"] = tiers or None


def _profile_changes(parsed: _ProfileRow) -> list[Change]:
    profile = getattr(parsed.enrollment, "matching_profile", None)
    changes = []
    for name, new in parsed.values.items():
        old = getattr(profile, name) if profile is not None else None
        if profile is None or old != new:
            changes.append(Change(name, _profile_text(old), _profile_text(new)))
    return changes


def _profile_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(" = ".join(v) if isinstance(v, list) else str(v) for v in value)
    return str(value)


def matching_profiles_import(
    *, program: Program, file_name: str, content: bytes, apply: bool
) -> ImportResult:
    """Preview (apply=False) or import (apply=True) matching profiles and preferences.

    One row per mentor or mentee already on the roster. A column in the file sets that
    field for every row (a blank cell clears it: an identity attribute left blank is
    not shared); a column not in the file leaves the field as it is. Lists are
    separated by “;”; in preferences, emails ranked equally are joined by “=”.
    The same rules as the roster: every row checked first, all or nothing.
    """
    return _run_import(
        file_name=file_name,
        content=content,
        apply=apply,
        columns=MATCHING_PROFILE_COLUMNS,
        required=("email",),
        aliases=MATCHING_PROFILE_ALIASES,
        plan=lambda sheet: _profiles_plan(program, sheet),
    )


def _profiles_plan(program: Program, sheet: Sheet) -> _Plan:
    sides: dict[str, Enrollment] = {}
    for enrollment in Enrollment.objects.filter(
        program=program, role__in=(Role.SENIOR, Role.JUNIOR)
    ).select_related("person", "matching_profile"):
        sides[enrollment.person.email.lower()] = enrollment
    seen: dict[str, int] = {}
    parsed_rows = []
    for row in sheet.rows:
        parsed = _profile_read_row(row, sheet.columns, seen, sides)
        if "preferences" in sheet.columns:
            _profile_read_preferences(parsed, row, sides)
        parsed_rows.append(parsed)
    for parsed in parsed_rows:
        if parsed.preview.errors:
            parsed.preview.action = "error"
            continue
        parsed.preview.changes = _profile_changes(parsed)
        if getattr(parsed.enrollment, "matching_profile", None) is None:
            parsed.preview.action = "create"
        else:
            parsed.preview.action = "update" if parsed.preview.changes else "unchanged"
    return _Plan(
        rows=[parsed.preview for parsed in parsed_rows],
        apply=lambda: _profiles_apply(parsed_rows),
    )


def _profiles_apply(parsed_rows: list[_ProfileRow]) -> list[str]:
    created = updated = 0
    for parsed in parsed_rows:
        if parsed.preview.action == "unchanged":
            continue
        profile = getattr(parsed.enrollment, "matching_profile", None)
        if profile is None:
            MatchingProfile.objects.create(enrollment=parsed.enrollment, **parsed.values)
            created += 1
        else:
            for name, value in parsed.values.items():
                setattr(profile, name, value)
            profile.save()
            updated += 1
    return [f"{created} matching profiles created, {updated} updated."]
