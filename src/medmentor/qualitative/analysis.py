"""Units, agreement, co-occurrence: plain data in, plain data out (no database).

Agreement is computed by medmentor.stats.agreement.code_agreement (percent agreement,
Cohen's kappa, Krippendorff's alpha); this module only turns highlights into its input:
a (coders, units, codes) table of 1 = applied, 0 = not applied, NaN = the coder did not
code that document at all.
"""

import re
from dataclasses import dataclass, field

import numpy as np

from medmentor.stats.agreement import CodeAgreement, code_agreement

# Where a sentence may end: its closing marks, any closing quotes or brackets, then a
# space or the end of the turn ("3.5" and "e.g.the" are not candidates).
SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|$)")
# Words whose full stop does not end a sentence, as clinicians write them. Written out
# here rather than taken from a sentence tokenizer (NLTK's Punkt needs a separate model
# download at install time) because transcripts are short spoken turns where these, and
# initials, are the only common traps.
_ABBREVIATIONS_TEXT = (
    "dr drs mr mrs ms prof sr jr st vs etc e.g eg i.e ie cf approx dept fig no vol mt ft pt"
    " pts hx dx tx rx sx fx yr yrs wk wks mo mos min mins max hr hrs"
)
ABBREVIATIONS = frozenset(_ABBREVIATIONS_TEXT.split())
_WORD_BEFORE = re.compile(r"([\w.]+)$")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    code_ids: frozenset[int]


def units_of(*, text: str, turns: list[tuple[int, int]], unit: str) -> list[tuple[int, int]]:
    """The units of a document, in order, never overlapping.

    turn: each speaker turn's words (the speaker label is not a unit); a document
    without turns (plain answers) uses its lines. sentence: each sentence inside a turn.
    character: every character of the turns' words.
    """
    blocks = list(turns)
    if not blocks:
        position = 0
        for line in text.split("\n"):
            if line.strip():
                blocks.append((position, position + len(line)))
            position += len(line) + 1
    if unit == "turn":
        return blocks
    if unit == "sentence":
        return [unit for start, end in blocks for unit in _sentences(text, start, end)]
    if unit == "character":
        return [(i, i + 1) for start, end in blocks for i in range(start, end)]
    raise ValueError(f"Unknown unit {unit!r}; use turn, sentence or character.")


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The sentences of text[start:end], without the spaces around them."""
    cuts = [
        match.end()
        for match in SENTENCE_END.finditer(text, start, end)
        if _ends_sentence(text, match, end)
    ]
    units = []
    left = start
    for right in [*cuts, end]:
        piece = text[left:right]
        if piece.strip():
            # Trim the spaces on both sides.
            units.append((left + len(piece) - len(piece.lstrip()), left + len(piece.rstrip())))
        left = right
    return units


def _ends_sentence(text: str, match: re.Match, end: int) -> bool:
    """A full stop after an abbreviation or an initial ("Dr.", "e.g.", "J.") ends no
    sentence, nor does one followed by a word in lower case; ! ? … always do."""
    marks = match.group().rstrip("\"'”’)]")
    if set(marks) != {"."} or marks == "...":
        return True
    # Only the few characters before: the word, whatever the length of the turn.
    word = _WORD_BEFORE.search(text, max(0, match.start() - 40), match.start())
    before = word.group(1).lower() if word else ""
    if before in ABBREVIATIONS or (len(before) == 1 and before.isalpha()):
        return False
    following = text[match.end() : end].lstrip()
    return not (following and following[0].islower())


def unit_hits(units: list[tuple[int, int]], start: int, end: int) -> range:
    """Indexes of the units that [start, end) overlaps."""
    if not units:
        return range(0)
    starts = np.fromiter((u[0] for u in units), dtype=np.int64, count=len(units))
    ends = np.fromiter((u[1] for u in units), dtype=np.int64, count=len(units))
    return _hits(starts, ends, start, end)


def _hits(starts: np.ndarray, ends: np.ndarray, start: int, end: int) -> range:
    first = int(np.searchsorted(ends, start, side="right"))
    last = int(np.searchsorted(starts, end, side="left"))
    return range(first, last)


@dataclass
class DocumentCoding:
    """One document as agreement sees it."""

    units: list[tuple[int, int]]
    # coder id -> that coder's spans; a coder in the dict coded the document (possibly
    # applying nothing); a coder absent did not code it.
    by_coder: dict[int, list[Span]]


def presence_table(
    documents: list[DocumentCoding], *, coders: list[int], code_ids: list[int]
) -> np.ndarray:
    """(coders, units of all documents, codes) with 1, 0 or NaN (document not coded)."""
    n_units = sum(len(doc.units) for doc in documents)
    table = np.full((len(coders), n_units, len(code_ids)), np.nan)
    coder_row = {coder: i for i, coder in enumerate(coders)}
    code_col = {code: j for j, code in enumerate(code_ids)}
    offset = 0
    for doc in documents:
        count = len(doc.units)
        if count:
            starts = np.fromiter((u[0] for u in doc.units), dtype=np.int64, count=count)
            ends = np.fromiter((u[1] for u in doc.units), dtype=np.int64, count=count)
            for coder, spans in doc.by_coder.items():
                if coder not in coder_row:
                    continue
                row = coder_row[coder]
                table[row, offset : offset + count, :] = 0.0
                for span in spans:
                    hit = _hits(starts, ends, span.start, span.end)
                    for code in span.code_ids:
                        if code in code_col:
                            table[row, offset + hit.start : offset + hit.stop, code_col[code]] = 1.0
        offset += count
    return table


@dataclass(frozen=True)
class AgreementResult:
    unit: str
    n_units: int  # all units of the compared documents
    n_uncoded: int  # units nobody coded
    coders: list[int]
    rows: list[CodeAgreement] = field(default_factory=list)
    problem: str = ""
    # True only when the reader chose to leave the uncoded units out.
    uncoded_left_out: bool = False

    @property
    def n_left_out(self) -> int:
        return self.n_uncoded if self.uncoded_left_out else 0


def agreement(
    documents: list[DocumentCoding],
    *,
    unit: str,
    coders: list[int],
    codes: dict[int, str],
    leave_out_uncoded: bool = False,
) -> AgreementResult:
    """Per code and pooled agreement over every unit of `documents` (as NVivo counts
    them: text both coders left without a code is agreement that it does not apply);
    `leave_out_uncoded` is the stated option of counting the coded stretches only."""
    code_ids = list(codes)
    n_units = sum(len(doc.units) for doc in documents)
    if len(coders) < 2:
        return AgreementResult(
            unit, n_units, 0, coders, problem="Agreement needs at least two coders."
        )
    if not code_ids:
        return AgreementResult(unit, n_units, 0, coders, problem="The codebook has no codes yet.")
    table = presence_table(documents, coders=coders, code_ids=code_ids)
    applied = np.nan_to_num(table, nan=0.0) > 0
    if not applied.any():
        return AgreementResult(unit, n_units, n_units, coders, problem="Nobody has coded yet.")
    # Codes nobody applied anywhere say nothing about agreement; they are left out.
    used = applied.any(axis=(0, 1))
    rows = code_agreement(
        table[:, :, used],
        codes=[codes[c] for c, keep in zip(code_ids, used, strict=True) if keep],
        drop_uncoded_units=leave_out_uncoded,
    )
    n_uncoded = rows[0].n_uncoded_units if rows else 0
    return AgreementResult(
        unit, n_units, n_uncoded, coders, rows=rows, uncoded_left_out=leave_out_uncoded
    )


def cooccurrence(
    documents: list[tuple[list[tuple[int, int]], list[Span]]], code_ids: list[int]
) -> np.ndarray:
    """Codes × codes: in how many units (of each document's own units) both were
    applied; the diagonal is the number of units each code was applied to."""
    index = {code: i for i, code in enumerate(code_ids)}
    matrix = np.zeros((len(code_ids), len(code_ids)), dtype=int)
    for units, spans in documents:
        if not units:
            continue
        starts = np.fromiter((u[0] for u in units), dtype=np.int64, count=len(units))
        ends = np.fromiter((u[1] for u in units), dtype=np.int64, count=len(units))
        per_unit: dict[int, set[int]] = {}
        for span in spans:
            for unit in _hits(starts, ends, span.start, span.end):
                per_unit.setdefault(unit, set()).update(c for c in span.code_ids if c in index)
        for applied in per_unit.values():
            positions = [index[c] for c in applied]
            for a in positions:
                for b in positions:
                    matrix[a, b] += 1
    return matrix
