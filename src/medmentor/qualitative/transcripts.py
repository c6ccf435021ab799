"""Reading transcripts: WebVTT and SRT (webvtt-py), DOCX (python-docx), plain text.

Every reader returns the same thing: speaker turns (speaker as written, the words, and
the times when the format has them). Consecutive cues of one speaker become one turn —
Zoom and Teams cut a speaker's words into cues every few seconds, but a turn is what a
coder codes and what agreement counts.

Anything unreadable raises TranscriptError with a message that names the file and,
where possible, the line; nothing is written by this module.
"""

import io
import re
import zipfile
from dataclasses import dataclass

import webvtt
from webvtt.errors import MalformedFileError

from medmentor import safe_zip

MAX_BYTES = 20 * 1024 * 1024


class TranscriptError(ValueError):
    """The file cannot be read as a transcript; the message says why, in words."""


@dataclass
class RawTurn:
    speaker: str
    text: str
    starts_at_ms: int | None = None
    ends_at_ms: int | None = None


@dataclass(frozen=True)
class Transcript:
    source_format: str  # "vtt", "srt", "docx" or "txt"
    turns: list[RawTurn]


# "Jo Junior: words" — Zoom's prefix, and how typists write a speaker. A speaker is one
# to five words (letters, digits, dots, hyphens, apostrophes) before the first colon;
# longer or stranger prefixes stay part of the text ("Note: ..." is kept as a speaker,
# which the researcher sees in the review).
SPEAKER_PREFIX = re.compile(r"^\s*([A-Za-zÀ-ÖØ-öø-ÿ][\w.'’\- ]{0,48}?)\s*:\s+(.*)$", re.DOTALL)
# "[00:01:02]" or "00:01:02" or "(1:02)" at the start of a typed line.
TIME_PREFIX = re.compile(r"^\s*[\[(]?((?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?)[\])]?\s*[-–]?\s*")
CUE_TIME = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?$")
TAG = re.compile(r"<[^>]+>")


def transcript_read(*, file_name: str, content: bytes) -> Transcript:
    """Read `content` by its file name's extension (.vtt, .srt, .docx, .txt)."""
    name = file_name.lower()
    if not content or not content.strip():
        raise TranscriptError(f"{file_name} is empty: there is no text to import.")
    if len(content) > MAX_BYTES:
        raise TranscriptError(f"{file_name} is larger than 20 MB; split it into parts.")
    if name.endswith(".vtt"):
        transcript = Transcript("vtt", _read_captions(file_name, content, "vtt"))
    elif name.endswith(".srt"):
        transcript = Transcript("srt", _read_captions(file_name, content, "srt"))
    elif name.endswith(".docx"):
        transcript = Transcript("docx", _read_docx(file_name, content))
    elif name.endswith(".txt") or name.endswith(".text"):
        transcript = Transcript("txt", _read_lines(_decode(file_name, content).splitlines()))
    else:
        raise TranscriptError(
            f"{file_name}: the file name must end in .vtt, .srt, .docx or .txt "
            "(Zoom and Teams save .vtt transcripts)."
        )
    if not transcript.turns:
        raise TranscriptError(f"{file_name} holds no spoken or written words to import.")
    return transcript


def _decode(file_name: str, content: bytes) -> str:
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text.replace("\r\n", "\n").replace("\r", "\n")
    raise TranscriptError(
        f"{file_name} is not text in UTF-8 or UTF-16; save it again as UTF-8 text."
    )


def _milliseconds(stamp: str) -> int | None:
    match = CUE_TIME.match(stamp.strip())
    if not match:
        return None
    hours, minutes, seconds, fraction = match.groups()
    millis = int((fraction or "0").ljust(3, "0"))
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + millis


def _first_bad_cue_line(text: str, file_format: str) -> str:
    # webvtt-py says only "Invalid format"; find the line a person should look at.
    lines = text.splitlines()
    if file_format == "vtt" and (not lines or not lines[0].lstrip("\ufeff").startswith("WEBVTT")):
        return "line 1 must start with WEBVTT"
    for number, line in enumerate(lines, start=1):
        if "-->" in line:
            parts = [part.strip().split(" ")[0] for part in line.split("-->", 1)]
            if any(_milliseconds(part) is None for part in parts):
                return f"line {number} has a cue time that cannot be read: “{line.strip()[:60]}”"
    return "no cue with a time range such as 00:00:01.000 --> 00:00:04.000 was found"


def _read_captions(file_name: str, content: bytes, file_format: str) -> list[RawTurn]:
    text = _decode(file_name, content)
    try:
        captions = webvtt.from_buffer(io.StringIO(text), format=file_format).captions
    except (MalformedFileError, ValueError, IndexError) as error:
        raise TranscriptError(
            f"{file_name} is not a valid {file_format.upper()} file: "
            f"{_first_bad_cue_line(text, file_format)}."
        ) from error
    if not captions:
        raise TranscriptError(
            f"{file_name} is not a valid {file_format.upper()} file: "
            f"{_first_bad_cue_line(text, file_format)}."
        )
    turns: list[RawTurn] = []
    for caption in captions:
        speaker = (caption.voice or "").strip()
        words = " ".join(TAG.sub("", caption.text).split())
        if not speaker:
            match = SPEAKER_PREFIX.match(words)
            if match and len(match.group(1).split()) <= 5:
                speaker, words = match.group(1).strip(), match.group(2).strip()
        if not words:
            continue
        turn = RawTurn(speaker, words, _milliseconds(caption.start), _milliseconds(caption.end))
        if turns and turns[-1].speaker == speaker and speaker:
            turns[-1].text += " " + words
            turns[-1].ends_at_ms = turn.ends_at_ms
        else:
            turns.append(turn)
    return turns


# A .docx is a zip, and python-docx unpacks every part into memory: its parts are
# counted first on their real bytes (medmentor.safe_zip). An hour's transcript is well
# under 1 MB of XML; pictures pasted in make the rest.
DOCX_LIMITS = safe_zip.Limits(
    member_bytes=50 * 1024 * 1024, archive_bytes=100 * 1024 * 1024, members=2000
)


def _read_docx(file_name: str, content: bytes) -> list[RawTurn]:
    import docx  # python-docx; imported here because only this reader needs it

    try:
        with safe_zip.SafeZip(content, limits=DOCX_LIMITS, what=file_name) as archive:
            archive.refuse_declared_total()
            archive.drain_all()
    except safe_zip.ZipRefusal as refusal:
        if "not a zip" in str(refusal):
            raise TranscriptError(
                f"{file_name} is not a Word document (.docx): it could not be opened as one. "
                "Save it from Word as .docx, or as plain text (.txt)."
            ) from None
        raise TranscriptError(f"{refusal} Save the transcript as plain text (.txt).") from None

    try:
        document = docx.Document(io.BytesIO(content))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise TranscriptError(
            f"{file_name} is not a Word document (.docx): it could not be opened as one. "
            "Save it from Word as .docx, or as plain text (.txt)."
        ) from error
    except Exception as error:  # python-docx raises its own types for broken parts
        raise TranscriptError(f"{file_name} is a damaged Word document: {error}") from error
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:  # some typists put speaker | words in a table
        for row in table.rows:
            cells = [cell.text.strip() for cell in row.cells]
            if len(cells) >= 2 and cells[0] and cells[1]:
                lines.append(f"{cells[0]}: {' '.join(cells[1:])}")
    return _read_lines(lines)


def _read_lines(lines: list[str]) -> list[RawTurn]:
    """Typed transcripts: a line that starts with "Speaker:" starts a turn; other lines
    continue the current turn; blank lines end a turn that has no speaker."""
    turns: list[RawTurn] = []
    current: RawTurn | None = None
    for line in lines:
        stripped = line.strip()
        if not stripped:
            if current is not None and not current.speaker:
                current = None
            continue
        starts_at = None
        time_match = TIME_PREFIX.match(stripped)
        if time_match:
            starts_at = _milliseconds(time_match.group(1))
            stripped = stripped[time_match.end() :]
        match = SPEAKER_PREFIX.match(stripped)
        if match and len(match.group(1).split()) <= 5:
            current = RawTurn(match.group(1).strip(), match.group(2).strip(), starts_at)
            turns.append(current)
        elif current is None:
            current = RawTurn("", stripped, starts_at)
            turns.append(current)
        else:
            current.text += " " + stripped
    return [turn for turn in turns if turn.text]
