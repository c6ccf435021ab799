"""The matching profiles import: each enrolled person's answers the matcher reads.

Each row names a mentor or mentee already on the roster and gives their capacity,
specialty, interests, site, languages, the identity attributes they share for
concordance, availability and ranked preferences, stored as their `MatchingProfile`.
The reading, preview and one-transaction write come from the shared engine in `imports`.
"""

import re
from dataclasses import dataclass, field

from django.db import models

from medmentor.mentoring.models import MatchingProfile
from medmentor.mentoring.services.matching import CONCORDANCE_ATTRIBUTES
from medmentor.programs import access
from medmentor.programs.access import Actor
from medmentor.programs.importing import Change, ImportResult, PreviewRow, RowError, Sheet, SheetRow
from medmentor.programs.models import Enrollment, Program, Role
from medmentor.programs.services.imports import _checked_email, _Plan, _RowProblems, _run_import

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


def _max_length(name: str) -> int:
    field = MatchingProfile._meta.get_field(name)
    assert isinstance(field, models.CharField) and field.max_length is not None, name
    return field.max_length


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
            longest = _max_length(name)
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
    *, program: Program, file_name: str, content: bytes, apply: bool, by: Actor
) -> ImportResult:
    """Preview (apply=False) or import (apply=True) matching profiles and preferences.

    One row per mentor or mentee already on the roster. A column in the file sets that
    field for every row (a blank cell clears it: an identity attribute left blank is
    not shared); a column not in the file leaves the field as it is. Lists are
    separated by “;”; in preferences, emails ranked equally are joined by “=”.
    The same rules as the roster: every row checked first, all or nothing. `by` (a
    director or coordinator, or access.SYSTEM) is checked before the file is read.
    """
    access.require_manager(
        by,
        program,
        f"Only the directors and coordinators of {program.name} may import matching profiles.",
    )
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
        # Applied only when no row has errors: every row found its enrollment.
        assert parsed.enrollment is not None, f"row {parsed.preview.row} has no enrollment"
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
