"""The import preview's column step: which of a file's headers holds which column.

When a roster or schedule names its columns in a way medmentor does not read, the
director (or coordinator) maps each header to one of the import's columns or to
"ignore", and sees the preview again. The mapping is kept per program and import kind
(models.ImportColumnMapping), so the next file with the same headers is read the same
way — on the page, over the API and from the console alike. Saving a mapping imports
nothing: the file is still all-or-nothing, confirmed from its preview.
"""

import re

from django.core.exceptions import ValidationError
from django.db import transaction

from medmentor.people.models import Person
from medmentor.programs import access
from medmentor.programs.access import Actor
from medmentor.programs.models import ImportColumnMapping, Program, Role, SlashDateOrder
from medmentor.programs.services.roster import ROSTER_ALIASES, ROSTER_COLUMNS, ROSTER_COMBINE
from medmentor.programs.services.schedule import SCHEDULE_ALIASES, SCHEDULE_COLUMNS

IGNORE = ""
# Each import kind: the columns a header may be mapped to, and its built-in spellings.
IMPORT_FIELDS: dict[str, tuple[str, ...]] = {
    "roster": (*ROSTER_COLUMNS, *ROSTER_COMBINE["full_name"]),
    "schedule": SCHEDULE_COLUMNS,
}
IMPORT_ALIASES: dict[str, dict[str, str]] = {"roster": ROSTER_ALIASES, "schedule": SCHEDULE_ALIASES}
# Columns a program may fill with one value for files that lack them, and the values.
FILLABLE: dict[str, dict[str, tuple[str, ...]]] = {"roster": {"role": tuple(Role.values)}}
_HEADER_KEY = re.compile(r"[a-z0-9_]{1,300}")
MAX_MAPPED_HEADERS = 200


def import_column_mapping_save(
    *,
    program: Program,
    kind: str,
    choices: dict[str, str],
    headings: dict[str, str],
    slash_dates: str,
    by: Actor,
    fill: dict[str, str] | None = None,
) -> ImportColumnMapping:
    """Remember how `program`'s `kind` files name their columns.

    `choices` maps each header of the previewed file (its column_key) to a column of
    the import or to IGNORE; `headings` gives each header as the file writes it, for
    the messages. A choice equal to how medmentor reads that header anyway is not
    stored. Headers of earlier files stay remembered unless this file's choice
    replaces them. Raises ValidationError, naming the headers, when a choice is not a
    column of the import or two headers would give the same column; nothing is saved.

    `fill` gives a value for every row of a file without that column; only the roster's
    role may be filled ({"role": "junior"}: a registrar's list of incoming interns), and
    "" clears it. The import still checks each row's role as if the file had written it.
    """
    access.require_manager(
        by, program, f"Only the directors and coordinators of {program.name} may map its columns."
    )
    if kind not in IMPORT_FIELDS:
        raise ValidationError(f"There is no “{kind}” import.")
    if slash_dates not in SlashDateOrder.values:
        raise ValidationError("Choose whether dates with slashes are month first or day first.")
    fields = IMPORT_FIELDS[kind]
    aliases = IMPORT_ALIASES[kind]
    if len(choices) > MAX_MAPPED_HEADERS:
        raise ValidationError(f"A file may have at most {MAX_MAPPED_HEADERS} columns to map.")
    problems: list[str] = []
    given_by: dict[str, str] = {}
    for key, field_name in choices.items():
        heading = headings.get(key) or key
        if not _HEADER_KEY.fullmatch(key):
            problems.append(f"“{heading}” is not a column of the file.")
            continue
        if field_name != IGNORE and field_name not in fields:
            problems.append(
                f"Column “{heading}”: “{field_name}” is not a column this import reads; "
                f"choose one of {', '.join(fields)} or ignore."
            )
            continue
        if field_name == IGNORE:
            continue
        if field_name in given_by:
            problems.append(
                f"Columns “{given_by[field_name]}” and “{heading}” are both mapped to "
                f"{field_name}; map one of them to another column or to ignore."
            )
            continue
        given_by[field_name] = heading
    for column, value in (fill or {}).items():
        allowed = FILLABLE.get(kind, {}).get(column)
        if allowed is None:
            problems.append(f"“{column}” cannot be given one value for every row.")
        elif value and value not in allowed:
            problems.append(
                f"“{value}” is not a {column}; choose one of {', '.join(allowed)}, or none."
            )
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        mapping, _ = ImportColumnMapping.objects.select_for_update().get_or_create(
            program=program, kind=kind
        )
        columns = dict(mapping.columns)
        for key, field_name in choices.items():
            if field_name == aliases.get(key, key):
                columns.pop(key, None)  # medmentor reads it so anyway
            else:
                columns[key] = field_name
        mapping.columns = columns
        mapping.slash_dates = slash_dates
        if fill is not None:
            mapping.fill = {column: value for column, value in fill.items() if value}
        mapping.updated_by = by if isinstance(by, Person) else None
        mapping.save()
    return mapping
