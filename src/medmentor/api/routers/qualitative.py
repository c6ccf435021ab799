"""Qualitative analysis: documents, codes, highlights and agreement, with the pages'
permissions — what people said is for the program's researchers only (403 for everyone
else in the program, 404 outside it); directors and coordinators get the counts."""

import math

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from medmentor.api.routers.programs import SLUG
from medmentor.api.schemas import MAX_ID, READ_ERRORS, ErrorOut, Pages
from medmentor.programs import access
from medmentor.programs.selectors import program_of_person
from medmentor.qualitative import selectors, services
from medmentor.qualitative.models import Code, Document, Highlight

router = Router(tags=["qualitative"])

DOCUMENT_ID = Path(..., ge=1, le=MAX_ID, description="The document's id.")


class CountsOut(Schema):
    documents: int
    in_review: int = Field(description="Documents whose de-identification is under review.")
    codable: int
    codes: int
    themes: int
    highlights: int = Field(description="Highlights by coders (not counting the agreed coding).")
    coders: int


class DocumentOut(Schema):
    id: int
    guid: str
    title: str
    kind: str = Field(description="focus_group, interview or open_answers.")
    status: str = Field(description="`review` (de-identification under review) or `codable`.")
    attributes: dict[str, str] = Field(description="wave, role, site… for comparisons.")
    source_format: str
    length: int = Field(description="Characters of the de-identified text.")
    comparison_open: bool = Field(description="Coders see each other's highlights.")

    @staticmethod
    def resolve_guid(document: Document) -> str:
        return str(document.guid)

    @staticmethod
    def resolve_length(document: Document) -> int:
        return len(document.text)

    @staticmethod
    def resolve_comparison_open(document: Document) -> bool:
        return document.comparison_opened_at is not None


class TurnOut(Schema):
    index: int
    speaker: str = Field(description="De-identified speaker label.")
    start: int
    end: int
    starts_at_ms: int | None
    ends_at_ms: int | None


class DocumentDetailOut(DocumentOut):
    text: str = Field(description="The de-identified plain text that highlights point into.")
    turns: list[TurnOut]

    @staticmethod
    def resolve_turns(document: Document) -> list:
        return list(document.turns.all())


class CodeOut(Schema):
    id: int
    guid: str
    name: str
    parent_id: int | None
    definition: str
    when_to_use: str
    when_not_to_use: str
    example: str
    color: str
    is_codable: bool
    competencies: list[str]

    @staticmethod
    def resolve_guid(code: Code) -> str:
        return str(code.guid)

    @staticmethod
    def resolve_competencies(code: Code) -> list[str]:
        return sorted(mapping.competency for mapping in code.competencies.all())


class HighlightOut(Schema):
    id: int
    guid: str
    coder_id: int
    start: int
    end: int
    code_ids: list[int]
    is_agreed: bool
    text: str = Field(description="The highlighted words.")

    @staticmethod
    def resolve_guid(highlight: Highlight) -> str:
        return str(highlight.guid)

    @staticmethod
    def resolve_code_ids(highlight: Highlight) -> list[int]:
        return sorted(code.pk for code in highlight.codes.all())

    @staticmethod
    def resolve_text(highlight: Highlight) -> str:
        return highlight.document.text[highlight.start : highlight.end]


class HighlightIn(Schema):
    start: int = Field(ge=0, le=10**9, description="First character (0-based).")
    end: int = Field(ge=1, le=10**9, description="One past the last character.")
    code_ids: list[int] = Field(min_length=1, max_length=50, description="Codes to apply.")


class AgreementRowOut(Schema):
    code: str
    n_units: int
    percent_agreement: float | None
    kappa: float | None = Field(description="Cohen's kappa; two coders only.")
    kappa_ci_low: float | None = Field(
        default=None,
        description="95% interval of kappa: Wald, truncated to -1..1; null when not computable.",
    )
    kappa_ci_high: float | None = None
    alpha: float | None = Field(description="Krippendorff's alpha (nominal).")
    method: str = ""
    warnings: list[str]


class AgreementOut(Schema):
    unit: str = Field(description="turn, sentence or character.")
    n_units: int
    n_uncoded: int = Field(default=0, description="Units no coder coded.")
    n_uncoded_left_out: int = Field(
        description="Units no coder coded that were left out: 0 unless leave_out_uncoded."
    )
    coder_ids: list[int]
    documents_compared: list[int]
    documents_blind: list[int] = Field(description="Comparison not opened yet: not counted.")
    problem: str
    rows: list[AgreementRowOut]


def _number(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _document(request: HttpRequest, slug: str, document_id: int) -> Document:
    program = program_of_person(person=request.auth, slug=slug)
    try:
        return selectors.document_for(program=program, viewer=request.auth, document_id=document_id)
    except Document.DoesNotExist as error:
        raise Document.DoesNotExist(f"No document {document_id} in this program.") from error


@router.get(
    "/programs/{slug}/qualitative/summary",
    response={200: CountsOut, **READ_ERRORS},
    operation_id="qualitative_summary",
    summary="Counts of the qualitative work",
    description="Numbers only, for the program's researchers, director and coordinators.",
)
def qualitative_summary(request: HttpRequest, slug: str = SLUG):
    program = program_of_person(person=request.auth, slug=slug)
    return selectors.qualitative_counts(program=program, viewer=request.auth)


@router.get(
    "/programs/{slug}/qualitative/documents",
    response={200: list[DocumentOut], **READ_ERRORS},
    operation_id="qualitative_documents",
    summary="Transcripts and answer sets",
    description="The program's documents; researchers only.",
)
@paginate(Pages)
def qualitative_documents(request: HttpRequest, slug: str = SLUG):
    program = program_of_person(person=request.auth, slug=slug)
    return selectors.documents_for(program=program, viewer=request.auth).order_by("title", "id")


@router.get(
    "/programs/{slug}/qualitative/documents/{document_id}",
    response={200: DocumentDetailOut, **READ_ERRORS},
    operation_id="qualitative_document",
    summary="One document with its de-identified text and speaker turns",
    description="Researchers only; 404 for a document of another program.",
)
def qualitative_document(request: HttpRequest, slug: str = SLUG, document_id: int = DOCUMENT_ID):
    return _document(request, slug, document_id)


@router.get(
    "/programs/{slug}/qualitative/codes",
    response={200: list[CodeOut], **READ_ERRORS},
    operation_id="qualitative_codes",
    summary="The codebook",
    description="Codes in tree order (parents first); researchers only.",
)
@paginate(Pages)
def qualitative_codes(request: HttpRequest, slug: str = SLUG):
    program = program_of_person(person=request.auth, slug=slug)
    access.require_researcher(request.auth, program, selectors.RESEARCHERS_ONLY)
    return selectors.codes_of(program=program)


@router.get(
    "/programs/{slug}/qualitative/documents/{document_id}/highlights",
    response={200: list[HighlightOut], **READ_ERRORS},
    operation_id="qualitative_highlights",
    summary="Highlights you may see on a document",
    description=(
        "Your own highlights while coders code blind; everyone's (and the agreed coding) "
        "once a researcher opened the document's comparison."
    ),
)
@paginate(Pages)
def qualitative_highlights(request: HttpRequest, slug: str = SLUG, document_id: int = DOCUMENT_ID):
    document = _document(request, slug, document_id)
    return selectors.highlights_visible(document=document, viewer=request.auth).select_related(
        "document"
    )


@router.post(
    "/programs/{slug}/qualitative/documents/{document_id}/highlights",
    response={201: HighlightOut, 400: ErrorOut, **READ_ERRORS},
    operation_id="qualitative_highlight_add",
    summary="Code characters [start, end) of a document",
    description=(
        "422 when the span is outside the text, a code is not this program's, or the "
        "document is still under de-identification review; 400 for a body that is not "
        "JSON; nothing is written."
    ),
)
def qualitative_highlight_add(
    request: HttpRequest, payload: HighlightIn, slug: str = SLUG, document_id: int = DOCUMENT_ID
):
    from django.core.exceptions import ValidationError

    document = _document(request, slug, document_id)
    codes = list(Code.objects.filter(program=document.program, pk__in=payload.code_ids))
    unknown = sorted(set(payload.code_ids) - {code.pk for code in codes})
    if unknown:
        raise ValidationError(f"Code {unknown[0]} is not in this program's codebook.")
    highlight = services.highlight_create(
        document=document, coder=request.auth, start=payload.start, end=payload.end, codes=codes
    )
    return Status(201, highlight)


@router.delete(
    "/programs/{slug}/qualitative/documents/{document_id}/highlights/{highlight_id}",
    response={204: None, **READ_ERRORS},
    operation_id="qualitative_highlight_remove",
    summary="Remove one of your highlights",
    description="403 for someone else's highlight or the agreed coding.",
)
def qualitative_highlight_remove(
    request: HttpRequest,
    slug: str = SLUG,
    document_id: int = DOCUMENT_ID,
    highlight_id: int = Path(..., ge=1, le=MAX_ID, description="The highlight's id."),
):
    document = _document(request, slug, document_id)
    highlight = (
        selectors.highlights_visible(document=document, viewer=request.auth)
        .filter(pk=highlight_id)
        .first()
    )
    if highlight is None:
        raise Highlight.DoesNotExist(f"No highlight {highlight_id} of yours on this document.")
    services.highlight_delete(highlight=highlight, by=request.auth)
    return Status(204, None)


@router.get(
    "/programs/{slug}/qualitative/agreement",
    response={200: AgreementOut, **READ_ERRORS},
    operation_id="qualitative_agreement",
    summary="Agreement between coders",
    description=(
        "Per code and pooled: percent agreement, Cohen's kappa (two coders), "
        "Krippendorff's alpha, on the program's unit, over every unit of the documents "
        "whose comparison is open (as NVivo counts them); leave_out_uncoded=true counts "
        "only the units some coder coded. Researchers only."
    ),
)
def qualitative_agreement(request: HttpRequest, slug: str = SLUG, leave_out_uncoded: bool = False):
    program = program_of_person(person=request.auth, slug=slug)
    page = selectors.agreement_for(
        program=program, viewer=request.auth, leave_out_uncoded=leave_out_uncoded
    )
    result = page.result
    return {
        "unit": page.unit,
        "n_units": result.n_units if result else 0,
        "n_uncoded": result.n_uncoded if result else 0,
        "n_uncoded_left_out": result.n_left_out if result else 0,
        "coder_ids": [coder.pk for coder in page.coders],
        "documents_compared": [d.pk for d in page.compared],
        "documents_blind": [d.pk for d in page.blind],
        "problem": (result.problem if result else "No document's comparison is open yet."),
        "rows": [
            {
                "code": row.code,
                "n_units": row.n_units,
                "percent_agreement": _number(row.percent_agreement),
                "kappa": _number(row.kappa),
                "kappa_ci_low": _number(row.kappa_ci_low),
                "kappa_ci_high": _number(row.kappa_ci_high),
                "alpha": _number(row.alpha),
                "method": row.method,
                "warnings": row.warnings,
            }
            for row in (result.rows if result else [])
        ],
    }
