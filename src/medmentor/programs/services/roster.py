"""The roster import: people, their training level and their roles in one program.

Each row is one person, created when the email is new and else updated; the roles in the
row become the person's roles in this program. The checks here decide what the importing
director or coordinator may change (`roster_roles_grantable`), refuse renaming people
other programs also hold, and keep every program with a director. The reading, preview
and one-transaction write come from the shared engine in `imports`.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied

from medmentor.people.models import Institution, Person, TrainingLevel, training_level_from_text
from medmentor.programs import access
from medmentor.programs.access import Actor
from medmentor.programs.importing import Change, ImportResult, PreviewRow, RowError, Sheet, SheetRow
from medmentor.programs.models import Enrollment, Program, Role
from medmentor.programs.services.imports import (
    _checked_email,
    _column_mapping_of,
    _emails_to_people,
    _Plan,
    _RowProblems,
    _run_import,
)

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
# Header spellings as registrars' and residency-management exports write them (after
# column_key: lower case, "_" for spaces and punctuation). "First Name" and "Last Name"
# are joined into full_name (ROSTER_COMBINE).
ROSTER_ALIASES = {
    "e_mail": "email",
    "email_address": "email",
    "e_mail_address": "email",
    "mail": "email",
    "work_email": "email",
    "institutional_email": "email",
    "primary_email": "email",
    "preferred_email": "email",
    "email_preferred": "email",
    "personal_email": "email",
    "university_email": "email",
    "nhs_email": "email",
    "name": "full_name",
    "fullname": "full_name",
    "full_names": "full_name",
    "display_name": "full_name",
    "person": "full_name",
    "participant": "full_name",
    "resident_name": "full_name",
    "trainee_name": "full_name",
    "first": "first_name",
    "firstname": "first_name",
    "given_name": "first_name",
    "forename": "first_name",
    "forenames": "first_name",
    "forename_s": "first_name",
    "first_names": "first_name",
    "given_names": "first_name",
    "last": "last_name",
    "lastname": "last_name",
    "surname": "last_name",
    "family_name": "last_name",
    "last_name_surname": "last_name",
    "level": "training_level",
    "training": "training_level",
    "training_year": "training_level",
    "year_of_training": "training_level",
    "pgy": "training_level",
    "pgy_year": "training_level",
    "current_pgy": "training_level",
    "grade": "training_level",
    "trainee_grade": "training_level",
    "pgy_level": "training_level",
    "post_graduate_year": "training_level",
    "postgraduate_year": "training_level",
    "roles": "role",
    "program_role": "role",
    "position": "role",
    "site": "institution",
    "hospital": "institution",
    "organization": "institution",
    "organisation": "institution",
    "speciality": "specialty",
    "department": "specialty",
    "joined": "joined_on",
    "start_date": "joined_on",
    "program_start_date": "joined_on",
    "programme_start_date": "joined_on",
    "rotation_start": "joined_on",
    "rotation_start_date": "joined_on",
    "post_start_date": "joined_on",
    "start": "joined_on",
    "started": "joined_on",
    "starts_on": "joined_on",
    "date_started": "joined_on",
    "join_date": "joined_on",
    "joining_date": "joined_on",
    "left": "left_on",
    "end_date": "left_on",
    "program_end_date": "left_on",
    "programme_end_date": "left_on",
    "rotation_end": "left_on",
    "rotation_end_date": "left_on",
    "expected_completion_date": "left_on",
    "end": "left_on",
    "ends_on": "left_on",
    "leaving_date": "left_on",
    "completion_date": "left_on",
}
ROSTER_COMBINE = {"full_name": ("first_name", "last_name")}
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
ROLES_GRANTED_BY: dict[str, frozenset[str]] = {
    Role.DIRECTOR: frozenset(Role.values),
    Role.COORDINATOR: frozenset({Role.FACULTY, Role.SENIOR, Role.JUNIOR, Role.RESEARCHER}),
}
# A person's own fields, shared by every program they are in; a row may change them
# only for people this program alone holds.
ROSTER_PERSON_FIELDS = ("full_name", "training_level", "institution", "specialty")


def roster_roles_grantable(*, program: Program, by: Actor) -> frozenset[str]:
    """The roles `by` may give or take away in `program` by a roster import: every role
    for the system actor (the operations console, as create-program does).

    Raises PermissionDenied for anyone who neither directs nor coordinates it.
    """
    standing = access.program_access(by, program)
    if standing.is_system:
        return frozenset(Role.values)
    grantable: frozenset[str] = frozenset()
    for role in standing.roles:
        grantable |= ROLES_GRANTED_BY.get(role, frozenset())
    if not grantable:
        raise PermissionDenied(
            f"Only the directors and coordinators of {program.name} may import its roster."
        )
    return grantable


def roster_import(
    *, program: Program, file_name: str, content: bytes, apply: bool, by: Actor
) -> ImportResult:
    """Preview (apply=False) or import (apply=True) a roster of people and their roles.

    Each row is one person: created when the email is new, else updated. The roles in
    the row become the person's roles in this program (a role no longer listed is
    removed); people not in the file are left as they are. See docs/data-formats.md.

    `by` is the person importing (or access.SYSTEM: the operations console). A row is refused when
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
        combine=ROSTER_COMBINE,
        plan=lambda sheet: _roster_plan(program, sheet, by=by, grantable=grantable),
        mapping=_column_mapping_of(program, "roster"),
    )


def _roster_read_row(
    row: SheetRow,
    seen: dict[str, int],
    institutions: dict[str, Institution],
    *,
    levels_numbered_as_pgy: bool = False,
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
    if not parsed.training_level and levels_numbered_as_pgy and level_text.strip().isdigit():
        # Under a "PGY" header a GME office writes the year alone ("1"); elsewhere a bare
        # number could be a medical-school year as well, and is asked about.
        parsed.training_level = training_level_from_text(f"PGY-{int(level_text)}") or ""
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


def _roster_plan(program: Program, sheet: Sheet, *, by: Actor, grantable: frozenset[str]) -> _Plan:
    institutions: dict[str, Institution] = {}
    for institution in Institution.objects.all():
        institutions[institution.name.lower()] = institution
        institutions[institution.slug.lower()] = institution
    seen: dict[str, int] = {}
    numbered_as_pgy = any(
        header.name == "training_level" and "pgy" in header.text.lower() for header in sheet.headers
    )
    parsed_rows = [
        _roster_read_row(row, seen, institutions, levels_numbered_as_pgy=numbered_as_pgy)
        for row in sheet.rows
    ]

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
    by: Actor,
    grantable: frozenset[str],
) -> None:
    """Refuse each row that reaches beyond what `by` may change (see roster_import)."""
    known = [parsed.person.id for parsed in parsed_rows if parsed.person is not None]
    held_elsewhere = set(
        Enrollment.objects.filter(person_id__in=known)
        .exclude(program=program)
        .values_list("person_id", flat=True)
    )
    by_access = access.program_access(by, program)
    by_directs = by_access.directs
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
            staff_here = access.for_roles(program, parsed.enrollments).staff_roles
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
        if not by_access.is_system and person is not None and person.pk == by.pk:
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
    # Directors who stay: people already stored (by id) and new people (by email).
    remaining: set[int | str] = set(directors)
    dropping = []
    for parsed in parsed_rows:
        person = parsed.person
        is_director = person is not None and person.id in directors
        if person and is_director and parsed.roles and Role.DIRECTOR not in parsed.roles:
            remaining.discard(person.id)
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
