"""Every write about programs, one module per concern; callers import from here.

Every import follows one rule: read and check every row first, then write all of it in
one transaction or nothing at all; the preview (apply=False) and the import (apply=True)
run the same code, so what the director confirmed is what is written.

- `imports` — the import engine the three importers share (`_run_import`, `_Plan`,
  `_RowProblems`, the column messages, `_checked_email`, `_emails_to_people`).
- `roster` — the roster import (`roster_import`, `roster_roles_grantable`).
- `schedule` — the service schedule import (`schedule_import`).
- `weeks` — program weeks and their pairs (`program_weeks_ensure`, `pairs_derive`,
  `pair_add`, `pair_remove`, `week_require_open`, `WeekFinishedError`, `PairError`).
- `setup` — setting a program up: from the console (`program_create`, `person_enrol`,
  `ProgramError`) and from the web by a director (`program_create_as_director`).
- `column_mapping` — the preview's column step (`import_column_mapping_save`).
- `people` — the people page's writes (`program_person_add`, `enrollment_roles_set`,
  `enrollment_end`, `PeopleError`).

The one-to-one matching adapter and the matching profiles import live with the
one-to-one program's code, in `medmentor.mentoring.services`.

The public names of each module are re-exported below, so
`from medmentor.programs.services import X` and `services.X` keep working.
"""

from medmentor.programs.importing import ImportResult
from medmentor.programs.services.column_mapping import (
    FILLABLE,
    IMPORT_FIELDS,
    import_column_mapping_save,
)
from medmentor.programs.services.imports import ROSTER_DUPLICATE_HINT
from medmentor.programs.services.people import (
    EnrollmentEnded,
    PeopleError,
    enrollment_end,
    enrollment_roles_set,
    program_person_add,
)
from medmentor.programs.services.roster import (
    ALLOWED_LEVELS,
    ALLOWED_ROLES,
    ROLE_ALIASES,
    ROLE_SEPARATORS,
    ROLES_GRANTED_BY,
    ROSTER_ALIASES,
    ROSTER_COLUMNS,
    ROSTER_PERSON_FIELDS,
    ROSTER_REQUIRED,
    roster_import,
    roster_roles_grantable,
)
from medmentor.programs.services.schedule import (
    SCHEDULE_ALIASES,
    SCHEDULE_COLUMNS,
    SCHEDULE_REQUIRED,
    schedule_import,
)
from medmentor.programs.services.setup import (
    ProgramError,
    person_enrol,
    program_create,
    program_create_as_director,
)
from medmentor.programs.services.weeks import (
    PairDerivation,
    PairError,
    WeekFinishedError,
    pair_add,
    pair_remove,
    pairs_derive,
    program_weeks_ensure,
    week_require_open,
)

__all__ = [
    "ALLOWED_LEVELS",
    "FILLABLE",
    "IMPORT_FIELDS",
    "ALLOWED_ROLES",
    "ROLES_GRANTED_BY",
    "ROLE_ALIASES",
    "ROLE_SEPARATORS",
    "ROSTER_ALIASES",
    "ROSTER_COLUMNS",
    "ROSTER_DUPLICATE_HINT",
    "ROSTER_PERSON_FIELDS",
    "ROSTER_REQUIRED",
    "SCHEDULE_ALIASES",
    "SCHEDULE_COLUMNS",
    "SCHEDULE_REQUIRED",
    "EnrollmentEnded",
    "ImportResult",
    "PairDerivation",
    "PairError",
    "PeopleError",
    "ProgramError",
    "WeekFinishedError",
    "enrollment_end",
    "import_column_mapping_save",
    "enrollment_roles_set",
    "pair_add",
    "pair_remove",
    "pairs_derive",
    "person_enrol",
    "program_create",
    "program_create_as_director",
    "program_person_add",
    "program_weeks_ensure",
    "roster_import",
    "roster_roles_grantable",
    "schedule_import",
    "week_require_open",
]
