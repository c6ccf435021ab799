"""The roster import over the API: the same service, the same rules as the page."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, UploadedFile
from ninja.responses import Status

from medmentor.api.routers.programs import SLUG
from medmentor.api.schemas import READ_ERRORS
from medmentor.programs import access, selectors, services
from medmentor.programs.forms import MAX_IMPORT_BYTES
from medmentor.programs.importing import ImportResult

router = Router(tags=["roster"])


class RowProblemOut(Schema):
    row: int | None = Field(description="The spreadsheet's row number (header = 1).")
    column: str
    reason: str = Field(description="What is wrong and what to do, in plain words.")
    message: str = Field(description="The whole message, as the page shows it.")


class RowOut(Schema):
    row: int
    action: str = Field(description="create, update, unchanged or error.")
    changes: list[str] = Field(description="Each changed field: “field: old → new”.")


class RosterImportOut(Schema):
    applied: bool = Field(description="True when the file was written; never with problems.")
    counts: dict[str, int] = Field(description="Rows to create, update, leave, refuse.")
    rows: list[RowOut]
    problems: list[RowProblemOut] = Field(
        description="Every refusal, row by row; any problem means nothing was written."
    )
    notes: list[str]


def _answer(result: ImportResult) -> dict:
    return {
        "applied": result.applied,
        "counts": result.counts,
        "rows": [
            {"row": row.row, "action": row.action, "changes": [str(c) for c in row.changes]}
            for row in result.rows
        ],
        "problems": [
            {
                "row": error.row,
                "column": error.column,
                "reason": error.reason,
                "message": str(error),
            }
            for error in result.errors
        ],
        "notes": result.notes,
    }


@router.post(
    "/programs/{slug}/roster",
    response={200: RosterImportOut, 400: RosterImportOut, **READ_ERRORS},
    operation_id="roster_import",
    summary="Preview or import the program's roster",
    description=(
        "Directors and coordinators send a roster (.csv or .xlsx, columns as in "
        "docs/data-formats.md) as the multipart field `file`. With `apply` false (the "
        "default) nothing is written and the answer is the preview; with `apply` true "
        "the whole file is imported, or — when any row has a problem — nothing, and the "
        "answer (400) lists each problem by row. The page's rules hold: no renaming of "
        "people other programs hold, no change to your own roles, director and "
        "coordinator granted by directors only, never without a director."
    ),
)
def roster_import(
    request: HttpRequest,
    file: File[UploadedFile],
    slug: str = SLUG,
    apply: Form[bool] = False,
):
    program = selectors.program_of_person(person=request.auth, slug=slug)
    access.require_manager(
        request.auth,
        program,
        f"Only the directors and coordinators of {program.name} may import its roster.",
    )
    if file.size > MAX_IMPORT_BYTES:
        raise ValidationError(
            f"“{file.name}” is {file.size / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_IMPORT_BYTES // 1024 // 1024} MB. Split it into smaller files."
        )
    result = services.roster_import(
        program=program,
        file_name=file.name or "roster.csv",
        content=file.read(),
        apply=apply,
        by=request.auth,
    )
    return Status(200 if result.ok else 400, _answer(result))
