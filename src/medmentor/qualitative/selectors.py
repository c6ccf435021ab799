"""Reads of qualitative work for pages and the API, with its privacy rules applied here.

Rules (docs/privacy.md, "Focus groups and interviews"):
- What people said (document text, highlights, quotes, memos) is visible to the
  program's researchers only. The director and coordinators see counts (how many
  documents, codes, highlights), never the words. Everyone else: 403; a program the
  viewer has no part in: 404 through the API.
- Coders code blind: until a researcher opens a document's comparison, each coder sees
  only their own highlights on it, and agreement, reports and the competency matrix
  count only the viewer's own coding of that document.
"""

import datetime
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse

from medmentor.people.models import Person
from medmentor.programs import access
from medmentor.programs.models import Enrollment, Program, Role
from medmentor.programs.selectors import (
    ATTENTION_WARN,
    AttentionItem,
    plural,
)
from medmentor.qualitative import analysis, deidentify
from medmentor.qualitative.crypto import decrypt_text
from medmentor.qualitative.models import (
    Code,
    CoderAssignment,
    Competency,
    CompetencyMapping,
    Document,
    DocumentStatus,
    Highlight,
    Memo,
    QualitativeSettings,
    Replacement,
    ReplacementKind,
    SpeakerTurn,
    Theme,
)
from medmentor.surveys import selectors as survey_selectors

RESEARCHERS_ONLY = "Only the program's researchers may see what people said in its documents."


def qualitative_role(*, person: Person, program: Program) -> str:
    """ "researcher" (sees content), "staff" (sees counts) or raises PermissionDenied."""
    standing = access.program_access(person, program)
    if standing.is_researcher:
        return "researcher"
    if standing.manages:
        return "staff"
    raise PermissionDenied(RESEARCHERS_ONLY)


def qualitative_settings(*, program: Program) -> QualitativeSettings:
    return QualitativeSettings.objects.filter(program=program).first() or QualitativeSettings(
        program=program
    )


@dataclass(frozen=True)
class Counts:
    documents: int
    in_review: int
    codable: int
    codes: int
    themes: int
    highlights: int
    coders: int


def qualitative_counts(*, program: Program, viewer: Person) -> Counts:
    """Numbers only: what the director sees of the qualitative work."""
    qualitative_role(person=viewer, program=program)
    by_status = dict(
        Document.objects.filter(program=program)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return Counts(
        documents=sum(by_status.values()),
        in_review=by_status.get(DocumentStatus.REVIEW, 0),
        codable=by_status.get(DocumentStatus.CODABLE, 0),
        codes=Code.objects.filter(program=program).count(),
        themes=Theme.objects.filter(program=program).count(),
        highlights=Highlight.objects.filter(document__program=program, is_agreed=False).count(),
        coders=CoderAssignment.objects.filter(document__program=program)
        .values("coder")
        .distinct()
        .count(),
    )


def documents_for(*, program: Program, viewer: Person) -> QuerySet[Document]:
    access.require_researcher(viewer, program, RESEARCHERS_ONLY)
    return (
        Document.objects.filter(program=program)
        .annotate(
            own_highlights=Count(
                "highlights", filter=Q(highlights__coder=viewer, highlights__is_agreed=False)
            )
        )
        .order_by("title", "id")  # a GROUP BY query drops Meta.ordering
    )


def document_for(*, program: Program, viewer: Person, document_id) -> Document:
    """The document, for a researcher of its program; DoesNotExist when it is not one
    of this program's (so another program's document cannot even be confirmed)."""
    access.require_researcher(viewer, program, RESEARCHERS_ONLY)
    return Document.objects.select_related("program").get(program=program, pk=document_id)


def researchers_of(*, program: Program) -> list[Person]:
    return [
        enrollment.person
        for enrollment in Enrollment.objects.filter(program=program, role=Role.RESEARCHER)
        .select_related("person")
        .order_by("person__full_name")
    ]


@dataclass(frozen=True)
class CoderCell:
    """One researcher on one document: assigned or not, finished when, and only
    whether they have started — never how much (coding is blind until the comparison)."""

    coder: Person
    assigned: bool
    started: bool
    finished_at: datetime.datetime | None = None


@dataclass(frozen=True)
class CodersBoard:
    coders: list[Person]
    rows: list[tuple[Document, list[CoderCell]]]


def coders_board(*, program: Program, viewer: Person) -> CodersBoard:
    """The documents ready for coding × the program's researchers, for planning who
    codes what and seeing progress."""
    access.require_researcher(viewer, program, RESEARCHERS_ONLY)
    coders = researchers_of(program=program)
    documents = list(
        Document.objects.filter(program=program, status=DocumentStatus.CODABLE).order_by(
            "title", "id"
        )
    )
    assignments = {
        (row.document_id, row.coder_id): row
        for row in CoderAssignment.objects.filter(document__in=documents)
    }
    started = set(
        Highlight.objects.filter(document__in=documents, is_agreed=False)
        .values_list("document_id", "coder_id")
        .distinct()
    )
    rows = []
    for document in documents:
        cells = []
        for coder in coders:
            assignment = assignments.get((document.pk, coder.pk))
            cells.append(
                CoderCell(
                    coder=coder,
                    assigned=assignment is not None,
                    started=(document.pk, coder.pk) in started,
                    finished_at=assignment.finished_at if assignment else None,
                )
            )
        rows.append((document, cells))
    return CodersBoard(coders=coders, rows=rows)


def coder_assignment_of(*, document: Document, viewer: Person) -> CoderAssignment | None:
    """The viewer's own assignment to code `document`, if any."""
    access.require_researcher(viewer, document.program, RESEARCHERS_ONLY)
    return CoderAssignment.objects.filter(document=document, coder=viewer).first()


def unfinished_coders(*, program: Program, viewer: Person) -> dict[int, list[Person]]:
    """Per codable document, the assigned coders who have not marked their coding
    finished (names only: whether someone is done is not what they coded)."""
    access.require_researcher(viewer, program, RESEARCHERS_ONLY)
    waiting: dict[int, list[Person]] = defaultdict(list)
    for assignment in (
        CoderAssignment.objects.filter(
            document__program=program,
            document__status=DocumentStatus.CODABLE,
            finished_at__isnull=True,
        )
        .select_related("coder")
        .order_by("coder__full_name", "coder_id")
    ):
        waiting[assignment.document_id].append(assignment.coder)
    return dict(waiting)


def codes_of(*, program: Program) -> list[Code]:
    """The codebook in tree order (parents before children), each with `depth`."""
    codes = list(Code.objects.filter(program=program).prefetch_related("competencies", "themes"))
    children = defaultdict(list)
    for code in codes:
        children[code.parent_id].append(code)
    ordered: list[Code] = []

    def walk(parent_id, depth):
        for code in children.get(parent_id, []):
            code.depth = depth
            ordered.append(code)
            walk(code.pk, depth + 1)

    walk(None, 0)
    return ordered


def themes_of(*, program: Program) -> list[Theme]:
    return list(Theme.objects.filter(program=program).prefetch_related("codes", "competencies"))


def memos_of(*, program: Program, viewer: Person, **about) -> QuerySet[Memo]:
    access.require_researcher(viewer, program, RESEARCHERS_ONLY)
    return Memo.objects.filter(program=program, **about).select_related("author")


def replacements_for_review(*, document: Document, viewer: Person) -> list[dict]:
    """The proposed replacements grouped by the words found and what replaces them (a
    name said 300 times is one decision), each group with its first occurrence in a
    little context — the only page that ever shows the original words."""
    access.require_researcher(viewer, document.program, RESEARCHERS_ONLY)
    plain = decrypt_text(document.original_encrypted)
    original = json.loads(plain)["text"] if plain else ""
    groups: dict[tuple, dict] = {}
    for row in Replacement.objects.filter(document=document).order_by("start"):
        words = original[row.start : row.end] if original else ""
        # A roster name that is also a common word ("grant"): no decision is taken for
        # the researcher, and "Grant" (a person) is decided apart from "grant" (a word).
        check = row.kind == ReplacementKind.NAME and deidentify.is_common_word(words)
        key = (row.kind, words if check else words.casefold(), row.replacement, row.status)
        if key not in groups:
            groups[key] = {
                "row": row,
                "words": words,
                "before": original[max(0, row.start - 40) : row.start],
                "after": original[row.end : row.end + 40],
                "rows": [],
                "check": check,
            }
        groups[key]["rows"].append(row)
    return list(groups.values())


def survey_open_items(*, program: Program, viewer: Person) -> list[tuple[str, str]]:
    """Free-text survey questions of the program, per wave with submitted answers, as
    ("wave_id:item_id", label) choices for making a document of open answers."""
    access.require_researcher(viewer, program, RESEARCHERS_ONLY)
    return [
        (
            f"{row.wave_id}:{row.item_id}",
            f"{row.instrument_title}: {row.item_text[:80]} — {row.wave_kind} wave "
            f"({row.answers} answers)",
        )
        for row in survey_selectors.open_items_answered(program=program)
    ]


# --- Highlights, blind until the comparison ---------------------------------------------


def highlights_visible(*, document: Document, viewer: Person) -> QuerySet[Highlight]:
    access.require_researcher(viewer, document.program, RESEARCHERS_ONLY)
    highlights = Highlight.objects.filter(document=document).select_related("coder")
    if document.comparison_opened_at is None:
        highlights = highlights.filter(coder=viewer, is_agreed=False)
    return highlights.prefetch_related("codes")


def _spans(highlights) -> list[analysis.Span]:
    return [
        analysis.Span(h.start, h.end, frozenset(c.pk for c in h.codes.all())) for h in highlights
    ]


def _turn_spans(document: Document) -> list[tuple[int, int]]:
    return [(turn.start, turn.end) for turn in document.turns.all()]


def analysis_spans(*, document: Document, viewer: Person) -> list[analysis.Span]:
    """The coding that reports count: the agreed coding once adjudicated; before that,
    every coder's highlights once the comparison is open (identical spans once), and
    only the viewer's own while coders are still blind."""
    all_highlights = list(document.highlights.all())  # prefetched by the caller
    agreed = [h for h in all_highlights if h.is_agreed]
    if agreed:
        chosen = agreed
    elif document.comparison_opened_at is not None:
        chosen = [h for h in all_highlights if not h.is_agreed]
    else:
        chosen = [h for h in all_highlights if h.coder_id == viewer.pk and not h.is_agreed]
    seen = set()
    spans = []
    for span in _spans(chosen):
        for code in span.code_ids:
            key = (span.start, span.end, code)
            if key not in seen:
                seen.add(key)
                spans.append(analysis.Span(span.start, span.end, frozenset([code])))
    return spans


def _documents_with_coding(program: Program) -> QuerySet[Document]:
    return (
        Document.objects.filter(program=program, status=DocumentStatus.CODABLE)
        .prefetch_related(
            "turns",
            Prefetch("highlights", queryset=Highlight.objects.prefetch_related("codes")),
            Prefetch("assignments", queryset=CoderAssignment.objects.select_related("coder")),
        )
        .order_by("title", "id")
    )


# --- Agreement and comparison -----------------------------------------------------------


@dataclass(frozen=True)
class AgreementPage:
    result: analysis.AgreementResult | None
    unit: str
    unit_label: str
    coders: list[Person]
    compared: list[Document]
    blind: list[Document]


def agreement_for(
    *,
    program: Program,
    viewer: Person,
    document: Document | None = None,
    leave_out_uncoded: bool = False,
) -> AgreementPage:
    """Agreement over every unit of the documents whose comparison is open (or one of
    them); `leave_out_uncoded` counts only the units some coder coded (a stated option)."""
    access.require_researcher(viewer, program, RESEARCHERS_ONLY)
    settings = qualitative_settings(program=program)
    codable = Document.objects.filter(program=program, status=DocumentStatus.CODABLE)
    if document is not None:
        codable = codable.filter(pk=document.pk)
    documents = list(codable.order_by("title", "id"))
    compared = [d for d in documents if d.comparison_opened_at is not None]
    blind = [d for d in documents if d.comparison_opened_at is None]
    # Plain tuples, not model instances with prefetches: 5 coders x 200 documents is
    # 40,000 highlights, and building their objects took most of the time.
    ids = [d.pk for d in compared]
    turns: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for doc_id, start, end in (
        SpeakerTurn.objects.filter(document_id__in=ids)
        .order_by("document_id", "index")
        .values_list("document_id", "start", "end")
    ):
        turns[doc_id].append((start, end))
    by_document: dict[int, dict[int, list[analysis.Span]]] = defaultdict(dict)
    for doc_id, coder_id in CoderAssignment.objects.filter(document_id__in=ids).values_list(
        "document_id", "coder_id"
    ):
        by_document[doc_id][coder_id] = []
    for doc_id, coder_id, start, end, code_id in Highlight.codes.through.objects.filter(
        highlight__document_id__in=ids, highlight__is_agreed=False
    ).values_list(
        "highlight__document_id",
        "highlight__coder_id",
        "highlight__start",
        "highlight__end",
        "code_id",
    ):
        by_document[doc_id].setdefault(coder_id, []).append(
            analysis.Span(start, end, frozenset((code_id,)))
        )
    codings = []
    coder_ids: set[int] = set()
    people: dict[int, Person] = {}
    for doc in compared:
        by_coder = by_document.get(doc.pk, {})
        coder_ids |= set(by_coder)
        codings.append(
            analysis.DocumentCoding(
                units=analysis.units_of(
                    text=doc.text, turns=turns.get(doc.pk, []), unit=settings.agreement_unit
                ),
                by_coder=by_coder,
            )
        )
    missing = coder_ids - set(people)
    if missing:
        people.update({p.pk: p for p in Person.objects.filter(pk__in=missing)})
    coders = sorted(coder_ids, key=lambda pk: people[pk].full_name)
    codes = {code.pk: code.name for code in codes_of(program=program) if code.is_codable}
    result = (
        analysis.agreement(
            codings,
            unit=settings.agreement_unit,
            coders=coders,
            codes=codes,
            leave_out_uncoded=leave_out_uncoded,
        )
        if compared
        else None
    )
    return AgreementPage(
        result=result,
        unit=settings.agreement_unit,
        unit_label=settings.get_agreement_unit_display(),
        coders=[people[pk] for pk in coders],
        compared=compared,
        blind=blind,
    )


@dataclass
class ComparisonRow:
    index: int
    start: int
    end: int
    text: str
    speaker: str
    by_coder: list[list[Code]]  # in the order of the page's coders
    agreed: list[Code]
    differs: bool
    majority: set[int] = field(default_factory=set)


def comparison_for(*, document: Document, viewer: Person) -> tuple[list[Person], list]:
    """Unit by unit (the program's unit; turns for characters, which are too many to
    read), what each coder applied and whether they differ. Only once opened."""
    access.require_researcher(viewer, document.program, RESEARCHERS_ONLY)
    if document.comparison_opened_at is None:
        raise PermissionDenied("The comparison of this document is not open yet.")
    unit = qualitative_settings(program=document.program).agreement_unit
    if unit == "character":
        unit = "turn"
    turns = list(document.turns.all())
    units = analysis.units_of(
        text=document.text, turns=[(t.start, t.end) for t in turns], unit=unit
    )
    codes = {code.pk: code for code in Code.objects.filter(program=document.program)}
    highlights = list(
        Highlight.objects.filter(document=document)
        .prefetch_related("codes")
        .select_related("coder")
    )
    coder_ids = set(document.assignments.values_list("coder_id", flat=True))
    coder_ids |= {h.coder_id for h in highlights if not h.is_agreed}
    coders = sorted(Person.objects.filter(pk__in=coder_ids), key=lambda p: p.full_name)
    column = {coder.pk: i for i, coder in enumerate(coders)}
    applied: list[list[set[int]]] = [[set() for _ in coders] for _ in units]
    agreed: list[set[int]] = [set() for _ in units]
    for highlight in highlights:
        ids = {c.pk for c in highlight.codes.all()}
        for index in analysis.unit_hits(units, highlight.start, highlight.end):
            if highlight.is_agreed:
                agreed[index] |= ids
            else:
                applied[index][column[highlight.coder_id]] |= ids
    speakers = [(t.start, t.end, t.speaker) for t in turns]
    rows = []
    for index, (start, end) in enumerate(units):
        sets = applied[index]
        if not any(sets) and not agreed[index]:
            continue
        counts = Counter(code for codes_applied in sets for code in codes_applied)
        speaker = next((s for ts, te, s in speakers if ts <= start < te or ts == start), "")
        rows.append(
            ComparisonRow(
                index=index,
                start=start,
                end=end,
                text=document.text[start:end],
                speaker=speaker,
                by_coder=[sorted((codes[c] for c in s), key=lambda c: c.name) for s in sets],
                agreed=sorted((codes[c] for c in agreed[index]), key=lambda c: c.name),
                differs=len({frozenset(s) for s in sets}) > 1,
                majority={c for c, n in counts.items() if n * 2 > len(coders)},
            )
        )
    return coders, rows


# --- Competency map and reports ---------------------------------------------------------


@dataclass(frozen=True)
class MatrixCell:
    count: int
    quote: str
    document: str


@dataclass(frozen=True)
class CompetencyMatrix:
    competencies: list[tuple[str, str]]
    rows: list[tuple[Theme, list[MatrixCell]]]


def _quote(text: str, start: int, end: int, limit: int = 300) -> str:
    words = " ".join(text[start:end].split())
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"


def _segments(program: Program, viewer: Person):
    """(document, span) of the analysis coding of every codable document."""
    for document in _documents_with_coding(program):
        for span in analysis_spans(document=document, viewer=viewer):
            yield document, span


def competency_matrix(*, program: Program, viewer: Person) -> CompetencyMatrix:
    """Themes × the six competencies: the coded segments of each theme's codes that map
    to the competency (through the code's own mapping, or the theme's), with one
    exemplar quote per cell — the segment closest to 160 characters, a readable quote."""
    access.require_researcher(viewer, program, RESEARCHERS_ONLY)
    themes = themes_of(program=program)
    mappings = list(CompetencyMapping.objects.filter(program=program))
    code_comp = defaultdict(set)
    theme_comp = defaultdict(set)
    for mapping in mappings:
        if mapping.code_id:
            code_comp[mapping.code_id].add(mapping.competency)
        else:
            theme_comp[mapping.theme_id].add(mapping.competency)
    cells: dict[tuple[int, str], list] = defaultdict(list)
    theme_codes = {theme.pk: {code.pk for code in theme.codes.all()} for theme in themes}
    for document, span in _segments(program, viewer):
        (code_id,) = span.code_ids
        for theme in themes:
            if code_id not in theme_codes[theme.pk]:
                continue
            for competency in code_comp[code_id] | theme_comp[theme.pk]:
                cells[(theme.pk, competency)].append((document, span))
    rows = []
    for theme in themes:
        row = []
        for value, _label in Competency.choices:
            found = cells.get((theme.pk, value), [])
            if found:
                document, span = min(
                    found, key=lambda item: abs((item[1].end - item[1].start) - 160)
                )
                row.append(
                    MatrixCell(
                        len(found), _quote(document.text, span.start, span.end), document.title
                    )
                )
            else:
                row.append(MatrixCell(0, "", ""))
        rows.append((theme, row))
    return CompetencyMatrix(competencies=list(Competency.choices), rows=rows)


@dataclass(frozen=True)
class Report:
    codes: list[Code]
    documents: list[Document]
    by_document: list[tuple[Document, list[int]]]  # segments per code
    attribute: str
    attributes: list[str]
    by_attribute: list[tuple[str, list[int]]]
    cooccurrence: list[tuple[Code, list[int]]]
    exemplars: list[tuple[Theme, list[tuple[str, str]]]]  # (quote, document title)


def report_for(*, program: Program, viewer: Person, attribute: str = "") -> Report:
    """Code frequencies by document and by a document attribute, the co-occurrence of
    codes within speaker turns, and up to three exemplar quotes per theme."""
    access.require_researcher(viewer, program, RESEARCHERS_ONLY)
    codes = [code for code in codes_of(program=program)]
    index = {code.pk: i for i, code in enumerate(codes)}
    documents = list(_documents_with_coding(program))
    attributes = sorted({name for d in documents for name in d.attributes})
    if attribute not in attributes:
        attribute = attributes[0] if attributes else ""
    by_document = []
    by_attribute: dict[str, list[int]] = {}
    spans_of: dict[int, list[analysis.Span]] = {}
    for document in documents:
        spans = analysis_spans(document=document, viewer=viewer)
        spans_of[document.pk] = spans
        counts = [0] * len(codes)
        for span in spans:
            for code in span.code_ids:
                if code in index:
                    counts[index[code]] += 1
        by_document.append((document, counts))
        if attribute:
            value = document.attributes.get(attribute, "(none)")
            total = by_attribute.setdefault(value, [0] * len(codes))
            for i, n in enumerate(counts):
                total[i] += n
    matrix = analysis.cooccurrence(
        [
            (
                analysis.units_of(text=d.text, turns=_turn_spans(d), unit="turn"),
                spans_of[d.pk],
            )
            for d in documents
        ],
        [code.pk for code in codes],
    )
    exemplars = []
    texts = {d.pk: d for d in documents}
    for theme in themes_of(program=program):
        members = {code.pk for code in theme.codes.all()}
        found = [
            (texts[doc_id], span)
            for doc_id, spans in spans_of.items()
            for span in spans
            if span.code_ids & members
        ]
        found.sort(key=lambda item: abs((item[1].end - item[1].start) - 160))
        exemplars.append(
            (
                theme,
                [(_quote(doc.text, s.start, s.end), doc.title) for doc, s in found[:3]],
            )
        )
    return Report(
        codes=codes,
        documents=documents,
        by_document=by_document,
        attribute=attribute,
        attributes=attributes,
        by_attribute=sorted(by_attribute.items()),
        cooccurrence=[(code, list(map(int, matrix[i]))) for i, code in enumerate(codes)],
        exemplars=exemplars,
    )


# --- The home page's attention list (asked by site.selectors.home_cards) -----------


def attention_items(*, person: Person, program: Program) -> list[AttentionItem]:
    """For the program's researchers: documents whose de-identification still needs
    review, and the documents assigned to them whose coding they have not finished."""
    if not access.program_access(person, program).is_researcher:
        return []
    counts = Document.objects.filter(program=program).aggregate(
        in_review=Count("id", filter=Q(status=DocumentStatus.REVIEW), distinct=True),
        to_code=Count(
            "id",
            filter=Q(
                status=DocumentStatus.CODABLE,
                assignments__coder=person,
                assignments__finished_at__isnull=True,
            ),
            distinct=True,
        ),
    )
    items = []
    if counts["in_review"]:
        items.append(
            AttentionItem(
                text=f"{plural(counts['in_review'], 'document')} "
                f"{'awaits' if counts['in_review'] == 1 else 'await'} de-identification review.",
                url=reverse("qualitative", kwargs={"slug": program.slug}),
                tone=ATTENTION_WARN,
            )
        )
    if counts["to_code"]:
        items.append(
            AttentionItem(
                text=f"{plural(counts['to_code'], 'document')} assigned to you: "
                "coding not finished.",
                url=reverse("qualitative-coders", kwargs={"slug": program.slug}),
            )
        )
    return items
