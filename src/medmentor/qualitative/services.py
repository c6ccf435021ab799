"""Every write of qualitative analysis: importing and de-identifying documents, the
codebook, highlights, the comparison, adjudication and the competency map.

Each function checks who may do it (a program's researchers code; its director decides
whether originals are kept) and runs in one transaction: bad input raises
ValidationError with a message naming the value, and nothing is written.
"""

import json
import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from medmentor.people.models import Person
from medmentor.programs import access
from medmentor.programs.models import Program
from medmentor.qualitative import deidentify
from medmentor.qualitative.crypto import decrypt_text, encrypt_text, pseudonym_digest
from medmentor.qualitative.models import (
    Adjudication,
    AgreementUnit,
    Code,
    CoderAssignment,
    Competency,
    CompetencyMapping,
    Document,
    DocumentKind,
    DocumentStatus,
    Highlight,
    Memo,
    Pseudonym,
    QualitativeSettings,
    Replacement,
    ReplacementKind,
    ReplacementStatus,
    SpeakerTurn,
    Theme,
    hex_color,
)
from medmentor.qualitative.transcripts import TranscriptError, transcript_read
from medmentor.surveys import selectors as survey_selectors

# --- Settings ---------------------------------------------------------------------------


def qualitative_settings_update(
    *,
    program: Program,
    by: Person,
    keep_originals: bool | None = None,
    agreement_unit: str | None = None,
) -> QualitativeSettings:
    """The director decides whether originals are kept; researchers choose the unit."""
    standing = access.program_access(by, program)
    with transaction.atomic():
        current, _ = QualitativeSettings.objects.select_for_update().get_or_create(program=program)
        if keep_originals is not None:
            standing.require("directs", "Only the program's director decides to keep originals.")
            current.keep_originals = keep_originals
        if agreement_unit is not None:
            standing.require("is_researcher", "Only the program's researchers choose the unit.")
            if agreement_unit not in AgreementUnit.values:
                raise ValidationError(
                    f"“{agreement_unit}” is not a unit; choose one of "
                    f"{', '.join(AgreementUnit.values)}."
                )
            current.agreement_unit = agreement_unit
        current.save()
        return current


def _settings(program: Program) -> QualitativeSettings:
    return QualitativeSettings.objects.filter(program=program).first() or QualitativeSettings(
        program=program
    )


# --- Import and de-identification -------------------------------------------------------

LEVEL_LABELS = {
    "MS": "Student",
    "R": "Resident",
    "PGY": "Resident",
    "fellow": "Fellow",
    "faculty": "Faculty",
}


def _label_prefix(person: Person) -> str:
    level = person.training_level or ""
    for start, label in LEVEL_LABELS.items():
        if level.startswith(start):
            return label
    return "Participant"


def _next_label(program: Program, prefix: str, taken: set[str]) -> str:
    if prefix == "Speaker":  # Speaker A, B, … Z, AA …
        number = 0
        while True:
            letters, n = "", number
            while True:
                letters = chr(ord("A") + n % 26) + letters
                n = n // 26 - 1
                if n < 0:
                    break
            label = f"Speaker {letters}"
            if label not in taken:
                return label
            number += 1
    number = 1
    while f"{prefix} {number}" in taken:
        number += 1
    return f"{prefix} {number}"


class _Pseudonyms:
    """The program's pseudonyms, made on first need: stable per person (or per unknown
    speaker, email, phone) across every document of the program."""

    def __init__(self, program: Program):
        self.program = program
        rows = list(Pseudonym.objects.filter(program=program))
        self.by_person = {row.person_id: row for row in rows if row.person_id}
        self.by_digest = {row.digest: row for row in rows if row.digest}
        self.taken = {row.label for row in rows}

    def _make(self, prefix: str, **fields) -> Pseudonym:
        row = Pseudonym.objects.create(
            program=self.program, label=_next_label(self.program, prefix, self.taken), **fields
        )
        self.taken.add(row.label)
        return row

    def for_person(self, person: Person) -> Pseudonym:
        if person.pk not in self.by_person:
            self.by_person[person.pk] = self._make(_label_prefix(person), person=person)
        return self.by_person[person.pk]

    def for_value(self, kind: str, value: str) -> Pseudonym:
        digest = pseudonym_digest(f"{kind}:{value}")
        if digest not in self.by_digest:
            prefix = {"email": "[email", "phone": "[phone"}.get(kind, "Speaker")
            if prefix.startswith("["):
                number = 1
                while f"{prefix} {number}]" in self.taken:
                    number += 1
                row = Pseudonym.objects.create(
                    program=self.program, label=f"{prefix} {number}]", digest=digest
                )
                self.taken.add(row.label)
            else:
                row = self._make(prefix, digest=digest)
            self.by_digest[digest] = row
        return self.by_digest[digest]


def _roster(program: Program) -> tuple[list[deidentify.RosterEntry], dict[int, Person]]:
    people = {
        person.pk: person
        for person in Person.objects.filter(enrollments__program=program).distinct()
    }
    entries = [
        deidentify.RosterEntry(person.pk, person.full_name, person.email)
        for person in sorted(people.values(), key=lambda p: p.pk)
    ]
    return entries, people


def _clean_attributes(attributes: dict | None) -> dict:
    cleaned = {}
    for key, value in (attributes or {}).items():
        name = str(key).strip()
        if not name:
            continue
        if not re.fullmatch(r"[\w .\-]{1,40}", name):
            raise ValidationError(
                f"Attribute name “{name[:40]}” may hold letters, digits, spaces, dots and "
                "hyphens (at most 40)."
            )
        cleaned[name] = str(value).strip()[:200]
    return cleaned


def document_import(
    *,
    program: Program,
    by: Person,
    file_name: str,
    content: bytes,
    title: str = "",
    kind: str = DocumentKind.FOCUS_GROUP,
    attributes: dict | None = None,
) -> Document:
    """Read a transcript, propose its de-identification and keep it for review.

    The original is encrypted at once; coders never see a document before the
    researcher finishes the review (document_review_finish).
    """
    access.require_researcher(by, program)
    if kind not in DocumentKind.values:
        raise ValidationError(f"“{kind}” is not a kind of document.")
    attributes = _clean_attributes(attributes)
    try:
        transcript = transcript_read(file_name=file_name, content=content)
    except TranscriptError as error:
        raise ValidationError(str(error)) from error
    return _document_create(
        program=program,
        by=by,
        transcript=transcript,
        file_name=file_name,
        title=title,
        kind=kind,
        attributes=attributes,
    )


def open_answers_import(*, program: Program, by: Person, wave_id: int, item_id: int) -> Document:
    """The submitted answers to one free-text survey item in one wave, as a document of
    open-ended answers (one turn per answer, no speaker), de-identified and reviewed
    like a transcript. Answers are ordered by their text, never by who or when, so the
    document cannot be lined up with the survey's invitations."""
    access.require_researcher(by, program)
    found = survey_selectors.open_answers(program=program, wave_id=wave_id, item_id=item_id)
    if found is None:
        raise ValidationError("Choose a free-text question of one of this program's surveys.")
    wave, item, answers = found.wave, found.item, found.texts
    if not answers:
        raise ValidationError(
            f"Nobody has answered “{item.text[:60]}” in the {wave.get_kind_display()} wave yet."
        )
    from medmentor.qualitative.transcripts import RawTurn, Transcript

    return _document_create(
        program=program,
        by=by,
        transcript=Transcript("txt", [RawTurn("", answer) for answer in answers]),
        file_name=f"{item.key}-{wave.kind}.txt",
        title=f"{wave.instrument.title}: {item.text[:80]} ({wave.get_kind_display()})",
        kind=DocumentKind.OPEN_ANSWERS,
        attributes={"survey": wave.instrument.title[:200], "item": item.key, "wave": wave.kind},
    )


def _document_create(*, program, by, transcript, file_name, title, kind, attributes) -> Document:
    attributes = _clean_attributes(attributes)
    original, spans = deidentify.compose(transcript.turns)
    roster, people = _roster(program)
    candidates = deidentify.candidates_find(
        text=original,
        roster=roster,
        speaker_labels=[span.label for span in spans if span.label],
    )
    with transaction.atomic():
        pseudonyms = _Pseudonyms(program)
        document = Document.objects.create(
            program=program,
            title=(title.strip() or file_name)[:200],
            kind=kind,
            attributes=attributes,
            source_format=transcript.source_format,
            file_name=file_name[:255],
            text="",
            status=DocumentStatus.REVIEW,
            original_encrypted=encrypt_text(
                json.dumps(
                    {
                        "text": original,
                        "turns": [
                            [span.label, span.body, span.starts_at_ms, span.ends_at_ms]
                            for span in spans
                        ],
                    }
                )
            ),
            created_by=by,
        )
        rows = []
        for index, candidate in enumerate(candidates):
            if candidate.person_id is not None:
                pseudonym = pseudonyms.for_person(people[candidate.person_id])
            else:
                pseudonym = pseudonyms.for_value(candidate.kind, candidate.value)
            label = pseudonym.label
            if candidate.kind == ReplacementKind.EMAIL and candidate.person_id is not None:
                label = f"[email of {pseudonym.label}]"
            rows.append(
                (document.pk, index, candidate.kind, candidate.start, candidate.end)
                + (pseudonym.pk, label, ReplacementStatus.PROPOSED)
            )
        # The words are original[start:end], inside the encrypted original: encrypting
        # each again would only cost time (1,000+ per transcript).
        _insert_many(
            Replacement,
            ["document", "index", "kind", "start", "end", "pseudonym", "replacement", "status"],
            rows,
        )
        proposed = [_Decided(row[3], row[4], row[7], row[6]) for row in rows]
        _document_rebuild(document, original=original, turn_spans=spans, replacements=proposed)
        return document


@dataclass(frozen=True)
class _Decided:
    start: int
    end: int
    status: str
    replacement: str


def _insert_many(model, fields: list[str], rows: list[tuple]) -> None:
    """INSERT plain rows in one executemany. Why not bulk_create: building and preparing
    a model instance per row took most of a 10,000-word transcript's import (1,000+
    replacements, 500+ turns); these values are plain ints and strings, and the caller's
    transaction covers them."""
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})", rows
        )


def _decided_words(replacement, original: str) -> str:
    if replacement.status == ReplacementStatus.REJECTED:
        return original[replacement.start : replacement.end]
    return replacement.replacement


def _document_rebuild(document, *, original, turn_spans, replacements) -> None:
    """Text and turns from the original with each replacement as decided so far."""
    text, moved = deidentify.apply(
        original, [(r.start, r.end, _decided_words(r, original)) for r in replacements]
    )
    document.text = text
    document.save(update_fields=["text", "updated_at"])
    SpeakerTurn.objects.filter(document=document).delete()
    _insert_many(
        SpeakerTurn,
        ["document", "index", "speaker", "start", "end", "starts_at_ms", "ends_at_ms"],
        [
            (
                document.pk,
                index,
                text[moved(span.label[0]) : moved(span.label[1])][:120] if span.label else "",
                moved(span.body[0]),
                moved(span.body[1]),
                span.starts_at_ms,
                span.ends_at_ms,
            )
            for index, span in enumerate(turn_spans)
        ],
    )


def _original(document: Document) -> tuple[str, list]:
    plain = decrypt_text(document.original_encrypted)
    if plain is None:
        raise ValidationError(
            f"The original of “{document.title}” is no longer available (deleted after the "
            "review, or encrypted with a key this server no longer has)."
        )
    data = json.loads(plain)
    spans = [
        deidentify.TurnSpan(tuple(label) if label else None, tuple(body), starts, ends)
        for label, body, starts, ends in data["turns"]
    ]
    return data["text"], spans


def replacement_add(
    *, document: Document, by: Person, words: str, replacement: str
) -> list[Replacement]:
    """Replace every whole-word occurrence of `words` the detection missed."""
    access.require_researcher(by, document.program)
    words, replacement = words.strip(), replacement.strip()
    if document.status != DocumentStatus.REVIEW:
        raise ValidationError("The review of this document is finished; it can no longer change.")
    if len(words) < 2:
        raise ValidationError("Type the words to replace (at least two characters).")
    if not replacement or len(replacement) > 120:
        raise ValidationError("Type what to write instead (1 to 120 characters).")
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        original, spans = _original(document)
        existing = list(document.replacements.all())
        pattern = re.compile(r"(?<!\w)" + re.escape(words) + r"(?!\w)", re.IGNORECASE)
        added: list[Replacement] = []
        index = max((r.index for r in existing), default=-1) + 1
        for match in pattern.finditer(original):
            if any(r.start < match.end() and match.start() < r.end for r in existing + added):
                continue
            added.append(
                Replacement(
                    document=document,
                    index=index,
                    kind=ReplacementKind.MANUAL,
                    start=match.start(),
                    end=match.end(),
                    replacement=replacement,
                    status=ReplacementStatus.CORRECTED,
                )
            )
            index += 1
        if not added:
            raise ValidationError(
                f"“{words}” does not occur in the original as a whole word outside the "
                "replacements already listed."
            )
        Replacement.objects.bulk_create(added)
        _document_rebuild(
            document,
            original=original,
            turn_spans=spans,
            replacements=sorted(existing + added, key=lambda r: r.start),
        )
        return added


def document_review_finish(
    *, document: Document, by: Person, decisions: dict[int, tuple[str, str]]
) -> Document:
    """Apply the researcher's decision on every replacement — accepted, corrected (with
    the words to write instead) or rejected (kept as written) — and make the document
    codable. Unless the director chose to keep originals, the original is deleted."""
    access.require_researcher(by, document.program)
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if document.status != DocumentStatus.REVIEW:
            raise ValidationError(f"The review of “{document.title}” is already finished.")
        original, spans = _original(document)
        replacements = list(document.replacements.order_by("start"))
        for row in replacements:
            status, correction = decisions.get(row.pk, (row.status, ""))
            if status not in {
                ReplacementStatus.ACCEPTED,
                ReplacementStatus.CORRECTED,
                ReplacementStatus.REJECTED,
            }:
                raise ValidationError(
                    f"Replacement {row.index + 1} (“{row.replacement}”): accept it, correct "
                    "it or keep the words as written."
                )
            if status == ReplacementStatus.CORRECTED:
                correction = (correction or "").strip() or (
                    row.replacement if row.kind == ReplacementKind.MANUAL else ""
                )
                if not correction or len(correction) > 120:
                    raise ValidationError(
                        f"Replacement {row.index + 1} (“{row.replacement}”): type the "
                        "corrected words (1 to 120 characters)."
                    )
                row.replacement = correction
            row.status = status
        keep = _settings(document.program).keep_originals
        # One UPDATE per distinct decision, not a CASE per row (1,000+ rows).
        groups: dict[tuple[str, str], list[int]] = {}
        for row in replacements:
            groups.setdefault((row.status, row.replacement), []).append(row.pk)
        for (status, words), ids in groups.items():
            for chunk in range(0, len(ids), 500):
                Replacement.objects.filter(pk__in=ids[chunk : chunk + 500]).update(
                    status=status, replacement=words
                )
        _document_rebuild(document, original=original, turn_spans=spans, replacements=replacements)
        document.status = DocumentStatus.CODABLE
        if not keep:
            document.original_encrypted = None
        document.save(update_fields=["status", "original_encrypted", "updated_at"])
        return document


def document_update(
    *, document: Document, by: Person, title: str, kind: str, attributes: dict
) -> Document:
    access.require_researcher(by, document.program)
    if not title.strip():
        raise ValidationError("A document needs a title.")
    if kind not in DocumentKind.values:
        raise ValidationError(f"“{kind}” is not a kind of document.")
    document.title = title.strip()[:200]
    document.kind = kind
    document.attributes = _clean_attributes(attributes)
    document.save(update_fields=["title", "kind", "attributes", "updated_at"])
    return document


def document_delete(*, document: Document, by: Person, confirm_title: str) -> None:
    """Delete a document with its turns, replacements, highlights and memos; the
    researcher types its title to confirm (nothing of it can be brought back)."""
    access.require_researcher(by, document.program)
    if confirm_title.strip() != document.title:
        raise ValidationError(
            f"Type the document's title, “{document.title}”, to confirm deleting it."
        )
    document.delete()


def attributes_from_text(text: str) -> dict:
    """ "wave=1, role=R1; site=North" -> {"wave": "1", "role": "R1", "site": "North"}."""
    attributes = {}
    for part in re.split(r"[,;\n]", text or ""):
        if not part.strip():
            continue
        if "=" not in part:
            raise ValidationError(
                f"Attribute “{part.strip()[:40]}” needs the form name=value, e.g. wave=1."
            )
        name, value = part.split("=", 1)
        attributes[name.strip()] = value.strip()
    return _clean_attributes(attributes)


# --- Codebook ---------------------------------------------------------------------------


def _check_parent(program: Program, parent: Code | None, code: Code | None = None) -> None:
    if parent is None:
        return
    if parent.program_id != program.pk:
        raise ValidationError("The parent code belongs to another program.")
    ancestor: Code | None = parent
    while ancestor is not None:
        if code is not None and ancestor.pk == code.pk:
            raise ValidationError(
                f"“{parent.name}” is inside “{code.name}”: a code cannot nest in itself."
            )
        ancestor = ancestor.parent


def _code_fields(fields: dict) -> dict:
    name = (fields.get("name") or "").strip()
    if not name:
        raise ValidationError("A code needs a name.")
    if len(name) > 120:
        raise ValidationError(f"Code name “{name[:40]}…” is longer than 120 characters.")
    color = (fields.get("color") or "#1f77b4").strip()
    try:
        hex_color(color)
    except ValidationError as error:
        raise ValidationError(f"Color “{color[:20]}”: {error.messages[0]}") from error
    return {
        "name": name,
        "color": color.lower(),
        **{
            key: (fields.get(key) or "").strip()
            for key in ("definition", "when_to_use", "when_not_to_use", "example")
        },
        "is_codable": bool(fields.get("is_codable", True)),
    }


def code_create(*, program: Program, by: Person, parent: Code | None = None, **fields) -> Code:
    access.require_researcher(by, program)
    values = _code_fields(fields)
    _check_parent(program, parent)
    try:
        with transaction.atomic():
            return Code.objects.create(
                program=program,
                parent=parent,
                created_by=by,
                position=Code.objects.filter(program=program).count(),
                **values,
            )
    except IntegrityError as error:
        raise ValidationError(
            f"The codebook already has a code named “{values['name']}”."
        ) from error


def code_update(*, code: Code, by: Person, parent: Code | None = None, **fields) -> Code:
    access.require_researcher(by, code.program)
    values = _code_fields(fields)
    _check_parent(code.program, parent, code)
    for key, value in values.items():
        setattr(code, key, value)
    code.parent = parent
    try:
        with transaction.atomic():
            code.save()
    except IntegrityError as error:
        raise ValidationError(
            f"The codebook already has a code named “{values['name']}”."
        ) from error
    return code


def theme_save(
    *,
    program: Program,
    by: Person,
    name: str,
    description: str = "",
    codes: list[Code],
    theme: Theme | None = None,
) -> Theme:
    access.require_researcher(by, program)
    name = name.strip()
    if not name or len(name) > 120:
        raise ValidationError("A theme needs a name of 1 to 120 characters.")
    foreign = [code.name for code in codes if code.program_id != program.pk]
    if foreign:
        raise ValidationError(f"Code “{foreign[0]}” belongs to another program.")
    try:
        with transaction.atomic():
            if theme is None:
                theme = Theme.objects.create(
                    program=program,
                    name=name,
                    description=description.strip(),
                    position=Theme.objects.filter(program=program).count(),
                )
            else:
                theme.name, theme.description = name, description.strip()
                theme.save()
            theme.codes.set(codes)
            return theme
    except IntegrityError as error:
        raise ValidationError(f"There is already a theme named “{name}”.") from error


def memo_create(
    *,
    program: Program,
    by: Person,
    text: str,
    title: str = "",
    code: Code | None = None,
    theme: Theme | None = None,
    document: Document | None = None,
) -> Memo:
    access.require_researcher(by, program)
    if not text.strip():
        raise ValidationError("A memo needs some text.")
    for item in (code, theme, document):
        if item is not None and item.program_id != program.pk:
            raise ValidationError("A memo can only be attached to this program's work.")
    return Memo.objects.create(
        program=program,
        author=by,
        title=title.strip()[:200],
        text=text.strip(),
        code=code,
        theme=theme,
        document=document,
    )


def competencies_set(
    *,
    program: Program,
    by: Person,
    code: Code | None = None,
    theme: Theme | None = None,
    competencies: list[str],
) -> None:
    """The competencies a code or a theme maps to (replacing what it had)."""
    access.require_researcher(by, program)
    target = code or theme
    if (code is None) == (theme is None) or target is None or target.program_id != program.pk:
        raise ValidationError("Map one code or one theme of this program.")
    unknown = [value for value in competencies if value not in Competency.values]
    if unknown:
        raise ValidationError(f"“{unknown[0]}” is not one of the six ACGME core competencies.")
    with transaction.atomic():
        mappings = CompetencyMapping.objects.filter(program=program, code=code, theme=theme)
        mappings.exclude(competency__in=competencies).delete()
        have = set(mappings.values_list("competency", flat=True))
        CompetencyMapping.objects.bulk_create(
            CompetencyMapping(program=program, competency=value, code=code, theme=theme)
            for value in dict.fromkeys(competencies)
            if value not in have
        )


# --- Coding -----------------------------------------------------------------------------


def highlight_create(
    *, document: Document, coder: Person, start: int, end: int, codes: list[Code]
) -> Highlight:
    """Code characters [start, end) of the document's text."""
    access.require_researcher(coder, document.program)
    if document.status != DocumentStatus.CODABLE:
        raise ValidationError(
            f"“{document.title}” is still under de-identification review; finish the review "
            "before coding."
        )
    length = len(document.text)
    if not (0 <= start < end <= length):
        raise ValidationError(
            f"The selection {start}–{end} is outside the document's text, which has "
            f"{length} characters (start must be at least 0 and less than end; end at most "
            f"{length})."
        )
    if not codes:
        raise ValidationError("Choose at least one code to apply.")
    for code in codes:
        if code.program_id != document.program_id:
            raise ValidationError(f"Code “{code.name}” belongs to another program.")
        if not code.is_codable:
            raise ValidationError(f"“{code.name}” only groups other codes; choose one inside it.")
    with transaction.atomic():
        assignment, _ = CoderAssignment.objects.get_or_create(
            document=document, coder=coder, defaults={"assigned_by": coder}
        )
        _refuse_when_finished(assignment, document)
        highlight = Highlight.objects.create(document=document, coder=coder, start=start, end=end)
        highlight.codes.set(codes)
        return highlight


def highlight_delete(*, highlight: Highlight, by: Person) -> None:
    if highlight.coder_id != by.pk or highlight.is_agreed:
        raise PermissionDenied("You may remove only your own highlights.")
    _refuse_when_finished(
        CoderAssignment.objects.filter(document_id=highlight.document_id, coder=by).first(),
        highlight.document,
    )
    highlight.delete()


def _refuse_when_finished(assignment: CoderAssignment | None, document: Document) -> None:
    # "Finished" tells the lead researcher the coding is final and the agreement can be
    # read; it would not stay true if the coding could still change underneath.
    if assignment is not None and assignment.finished_at is not None:
        raise ValidationError(
            f"You marked your coding of “{document.title}” finished; reopen it to change "
            "your highlights."
        )


def coder_assign(*, document: Document, coder: Person, by: Person) -> CoderAssignment:
    """Plan that `coder` (a researcher of the program) codes `document`."""
    access.require_researcher(by, document.program)
    if not access.program_access(coder, document.program).is_researcher:
        raise ValidationError(f"{coder.full_name} is not a researcher of this program.")
    if document.status != DocumentStatus.CODABLE:
        raise ValidationError(
            f"“{document.title}” is still under de-identification review; finish the review "
            "before assigning coders."
        )
    with transaction.atomic():
        assignment, _ = CoderAssignment.objects.get_or_create(
            document=document, coder=coder, defaults={"assigned_by": by}
        )
        return assignment


def coder_unassign(*, document: Document, coder: Person, by: Person) -> None:
    """Take `coder` off `document` — only while they have no highlights on it, so no
    coder's work is left without its assignment (agreement counts assigned coders)."""
    access.require_researcher(by, document.program)
    with transaction.atomic():
        assignment = (
            CoderAssignment.objects.select_for_update()
            .filter(document=document, coder=coder)
            .first()
        )
        if assignment is None:
            return
        # The message says only "has started": how much another coder coded stays
        # blind until the comparison is open.
        if Highlight.objects.filter(document=document, coder=coder, is_agreed=False).exists():
            raise ValidationError(
                f"{coder.full_name} has already started coding “{document.title}”; "
                "unassigning them would leave their highlights orphaned, so they stay "
                "assigned."
            )
        assignment.delete()


def _own_assignment(*, document: Document, coder: Person, by: Person) -> CoderAssignment:
    access.require_researcher(by, document.program)
    if by.pk != coder.pk:
        raise PermissionDenied("Only the coder themself marks their coding finished or reopens it.")
    assignment = (
        CoderAssignment.objects.select_for_update().filter(document=document, coder=coder).first()
    )
    if assignment is None:
        raise ValidationError(f"You are not assigned to code “{document.title}”.")
    return assignment


def coder_finish(*, document: Document, coder: Person, by: Person) -> CoderAssignment:
    """The coder says their coding of `document` is done (their highlights are then
    fixed until they reopen it)."""
    with transaction.atomic():
        assignment = _own_assignment(document=document, coder=coder, by=by)
        if assignment.finished_at is None:
            assignment.finished_at = timezone.now()
            assignment.save(update_fields=["finished_at"])
        return assignment


def coder_reopen(*, document: Document, coder: Person, by: Person) -> CoderAssignment:
    """The coder takes their coding of `document` up again."""
    with transaction.atomic():
        assignment = _own_assignment(document=document, coder=coder, by=by)
        if assignment.finished_at is not None:
            assignment.finished_at = None
            assignment.save(update_fields=["finished_at"])
        return assignment


def comparison_open(*, document: Document, by: Person) -> Document:
    """From now on every researcher sees every coder's highlights on this document."""
    access.require_researcher(by, document.program)
    if document.comparison_opened_at is None:
        document.comparison_opened_at = timezone.now()
        document.save(update_fields=["comparison_opened_at", "updated_at"])
    return document


def adjudication_save(
    *, document: Document, by: Person, agreed: list[tuple[int, int, list[Code]]], note: str = ""
) -> Adjudication:
    """Replace the document's agreed coding by `agreed` (start, end, codes) spans."""
    access.require_researcher(by, document.program)
    if document.comparison_opened_at is None:
        raise ValidationError("Open the comparison before adjudicating.")
    length = len(document.text)
    with transaction.atomic():
        document.highlights.filter(is_agreed=True).delete()
        for start, end, codes in agreed:
            if not (0 <= start < end <= length):
                raise ValidationError(f"The span {start}–{end} is outside the document's text.")
            if any(code.program_id != document.program_id for code in codes):
                raise ValidationError("A code of another program cannot be agreed here.")
            if not codes:
                continue
            highlight = Highlight.objects.create(
                document=document, coder=by, start=start, end=end, is_agreed=True
            )
            highlight.codes.set(codes)
        adjudication, _ = Adjudication.objects.update_or_create(
            document=document, defaults={"decided_by": by, "note": note.strip()}
        )
        return adjudication
