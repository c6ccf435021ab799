"""Finding what identifies people in a transcript, and replacing it.

Pure functions over plain data (no database): the service hands in the roster as
(person id, full name, email) and gets back the spans to replace. Names match whole
words, case-insensitively, longest first, so "Jo Junior" is one replacement, not two.

Names are compared folded: accents off (José = Jose, Núñez = Nunez, Zoë = Zoe), every
apostrophe one apostrophe (O’Brien = O'Brien, and OBrien too), every dash one hyphen;
each part of a hyphenated surname is a name of its own (O'Brien and Smith of
O'Brien-Smith); titles and credentials on the roster ("Dr", "MD", "PhD") are no names.
A match that is also a common English word (Grant, Grace, Bell) is marked `check`: the
researcher decides, it is not replaced silently.
"""

import bisect
import re
import unicodedata
from dataclasses import dataclass

from medmentor.qualitative.transcripts import RawTurn

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+(?![\w-])")
# North American and international numbers written with separators or as 10+ digits;
# cue times (00:01:02) and years do not match: they have colons or too few digits.
PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)\s?|\d{2,4}[\s.-])\d{3,4}[\s.-]\d{3,4}(?![\w])"
    r"|(?<![\w+])\+?\d{10,13}(?!\w)"
)
# Speaker labels that name a role, not a person: left as written.
GENERIC_SPEAKERS = re.compile(
    r"^(?:interviewer|facilitator|moderator|host|note ?taker|unknown|unidentified|"
    r"(?:speaker|participant|respondent|interviewee|p)\s*\d*[a-z]?)$",
    re.IGNORECASE,
)
# Titles and credentials that are not a name by themselves (compared without dots).
_NOT_NAMES_TEXT = """dr mr mrs ms mx miss prof professor sir dame rev fr sr jr ii iii iv
    md do mbbs mbchb bmbs mbbch mb bs bch phd dphil edd pharmd dds dmd dnp msn bsn rn np
    pa pac aprn crna lpn mph msc ms ma mba mhpe med bsc ba bs frcp frcs frcpc facp facs
    mrcp mrcs mrcgp faap faafp cm"""
NOT_NAMES = frozenset(_NOT_NAMES_TEXT.split())
# Words that are also first names or surnames, checked by the researcher rather than
# replaced silently ("a grant", "by grace", "the bell").
_COMMON_WORDS_TEXT = """grant grace bell faith hope joy rose will mark bill frank dean may june
    april
    august summer autumn hunter page story young white brown green black gray grey long
    little small rich price hall wood woods field fields case chase cook baker miller
    hill lane park banks rice mills king love ward head best hardy moody gay bishop
    north south west east winter spring rivers stone rock sterling hale major pierce
    sage sky river dawn ray guy gene carol penny ruby amber crystal ivy holly heather
    iris violet olive jasper angel christian noble wise early small strong sharp bright
    fox wolf lamb crane swift drake finch bird parsons porter turner walker"""
COMMON_WORDS = frozenset(_COMMON_WORDS_TEXT.split())
_APOSTROPHES = dict.fromkeys(map(ord, "\u2019\u2018\u02bc\u02b9\u0060\u00b4\u2032\uff07"), "'")
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212"), "-")


def fold(text: str) -> tuple[str, list[int]]:
    """`text` folded for comparing names — no accents, one apostrophe, one hyphen, case
    folded — and, for each folded character, the position it came from in `text`."""
    folded: list[str] = []
    origin: list[int] = []
    for position, char in enumerate(text.translate(_APOSTROPHES).translate(_DASHES)):
        for piece in unicodedata.normalize("NFKD", char):
            if unicodedata.combining(piece):
                continue
            for out in piece.casefold():
                folded.append(out)
                origin.append(position)
    return "".join(folded), origin


def is_common_word(words: str) -> bool:
    """Whether `words` (one word, any case or accents) is also a common English word."""
    folded = fold(words.strip())[0]
    return folded in COMMON_WORDS


@dataclass(frozen=True)
class RosterEntry:
    person_id: int
    full_name: str
    email: str


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    kind: str  # ReplacementKind value
    value: str  # the words found (to encrypt; never stored in clear)
    person_id: int | None = None
    check: bool = False  # a name that is also a common word: the researcher decides


@dataclass(frozen=True)
class TurnSpan:
    label: tuple[int, int] | None  # the speaker label, when there is one
    body: tuple[int, int]
    starts_at_ms: int | None
    ends_at_ms: int | None


def compose(turns: list[RawTurn]) -> tuple[str, list[TurnSpan]]:
    """The plain text of a transcript — one line per turn, "Speaker: words" — and where
    each turn's label and words sit in it."""
    parts: list[str] = []
    spans: list[TurnSpan] = []
    position = 0
    for turn in turns:
        label = None
        line = ""
        if turn.speaker:
            label = (position, position + len(turn.speaker))
            line = f"{turn.speaker}: "
        body_start = position + len(line)
        line += turn.text
        spans.append(
            TurnSpan(label, (body_start, position + len(line)), turn.starts_at_ms, turn.ends_at_ms)
        )
        parts.append(line)
        position += len(line) + 1  # the newline
    return "\n".join(parts), spans


def _name_variants(full_name: str) -> list[str]:
    """The folded ways a roster name may appear: full, first, last, each part of a
    hyphenated name, and each of those without its apostrophes."""
    words = []
    for raw in fold(full_name)[0].replace(",", " ").split():
        word = raw.strip('.;:()[]"')
        if word and word.replace(".", "") not in NOT_NAMES:
            words.append(word)
    variants = {" ".join(words)} if words else set()
    if len(words) >= 2:
        variants |= {words[0], words[-1]}
    for word in words:
        if "-" in word:
            variants |= {part for part in word.split("-") if part}
    variants |= {variant.replace("'", "") for variant in variants if "'" in variant}
    return [variant for variant in variants if len(variant) >= 2]


def candidates_find(
    *, text: str, roster: list[RosterEntry], speaker_labels: list[tuple[int, int]]
) -> list[Candidate]:
    """Every span of `text` to replace, sorted and never overlapping."""
    found: list[Candidate] = []
    emails = {entry.email.casefold(): entry.person_id for entry in roster if entry.email}
    for match in EMAIL.finditer(text):
        found.append(
            Candidate(
                match.start(),
                match.end(),
                "email",
                match.group(),
                emails.get(match.group().casefold()),
            )
        )
    for match in PHONE.finditer(text):
        found.append(Candidate(match.start(), match.end(), "phone", match.group()))
    by_variant: dict[str, int] = {}
    # Full names first, then first and last names; a first name two people share goes to
    # the first of them on the roster, which the researcher may correct in the review.
    for entry in roster:
        for variant in sorted(_name_variants(entry.full_name), key=len, reverse=True):
            by_variant.setdefault(variant, entry.person_id)
    if by_variant:
        alternatives = sorted(by_variant, key=len, reverse=True)
        # On the folded text, mapped back to the original's positions. Not just after a
        # word and an apostrophe: "Brien" of "O'Brien" is not the name Brien.
        pattern = re.compile(
            r"(?<!\w)(?<!\w')(?:" + "|".join(re.escape(name) for name in alternatives) + r")(?!\w)"
        )
        folded, origin = fold(text)
        for match in pattern.finditer(folded):
            start, end = origin[match.start()], origin[match.end() - 1] + 1
            person_id = by_variant[match.group()]
            found.append(
                Candidate(
                    start,
                    end,
                    "name",
                    text[start:end],
                    person_id,
                    check=match.group() in COMMON_WORDS,
                )
            )
    kept = _without_overlaps(found)
    starts = [candidate.start for candidate in kept]  # sorted, never overlapping
    ends = [candidate.end for candidate in kept]
    for start, end in speaker_labels:
        label = text[start:end]
        if GENERIC_SPEAKERS.match(label.strip()):
            continue
        # The first kept span ending after `start` overlaps the label if it starts
        # before the label ends: the label holds a roster name, already replaced.
        index = bisect.bisect_right(ends, start)
        if index < len(starts) and starts[index] < end:
            continue
        kept.append(Candidate(start, end, "speaker", label))
    return sorted(kept, key=lambda candidate: candidate.start)


def _without_overlaps(found: list[Candidate]) -> list[Candidate]:
    # Earliest first; of two starting together, the longest (an email beats the name in it).
    kept: list[Candidate] = []
    for candidate in sorted(found, key=lambda c: (c.start, -(c.end - c.start))):
        if kept and candidate.start < kept[-1].end:
            continue
        kept.append(candidate)
    return kept


def apply(text: str, replacements: list[tuple[int, int, str]]):
    """`text` with each (start, end, new words) replaced, and a function mapping a
    position of `text` (outside any replaced span, or at its edges) to the new text."""
    ordered = sorted(replacements)
    pieces: list[str] = []
    position = 0
    ends: list[int] = []
    shifts: list[int] = []
    shift = 0
    for start, end, new in ordered:
        pieces.append(text[position:start])
        pieces.append(new)
        position = end
        shift += len(new) - (end - start)
        ends.append(end)
        shifts.append(shift)
    pieces.append(text[position:])

    def moved(offset: int) -> int:
        index = bisect.bisect_right(ends, offset) - 1
        return offset + (shifts[index] if index >= 0 else 0)

    return "".join(pieces), moved
