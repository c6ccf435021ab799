"""REFI-QDA exchange files as plain data: build and read `project.qde` (inside a .qdpx zip)
and the codebook `.qdc`, each checked against the published schema.

No Django here: this module turns dataclasses into XML bytes and back, and packs or unpacks
the .qdpx zip. `medmentor.qualitative.exchange` maps those dataclasses to our models.

The standard (REFI-QDA 1.5, 25 September 2019; schemas in `schemas/`):

- A .qdpx is a zip with one `project.qde` and a flat `sources/` folder; a plain-text source
  is `sources/<guid>.txt`, UTF-8, referred to as `plainTextPath="internal://<guid>.txt"`
  (sections 8.1, 8.3, 9.1.2).
- A text selection's positions count Unicode code points from 0 (section 10.2); the
  examples in Annex A show `endPosition` is exclusive ("granola" is 62..69). A Python `str`
  is indexed by code point, so `text[start:end]` is the selected text exactly: no byte or
  UTF-16 arithmetic anywhere (an emoji is one position, as the standard counts it).
- Both schemas are XML Schema 1.0 and are validated with lxml's `XMLSchema` (libxml2):
  every file we write is checked before it leaves, every file we read before it is used.

Tools write the zip's names with varying case (the specification's own example lists
`Project.qde` and `Sources/…TXT`), so members are found without regard to case.
"""

from __future__ import annotations

import datetime
import io
import posixpath
import re
import uuid
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from lxml import etree

from medmentor import safe_zip

__all__ = [
    "CODEBOOK_NS",
    "PROJECT_NS",
    "Case",
    "Code",
    "Coding",
    "Note",
    "Project",
    "RefiQdaError",
    "Selection",
    "Set",
    "TextSource",
    "User",
    "Variable",
    "VariableValue",
    "codebook_read",
    "codebook_write",
    "guid_normal",
    "project_read",
    "project_write",
    "qdpx_pack",
    "qdpx_unpack",
]

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
PROJECT_SCHEMA = SCHEMA_DIR / "Project-mrt2019.xsd"
CODEBOOK_SCHEMA = SCHEMA_DIR / "Codebook.xsd"

# Caps on what is read from a .qdpx once unpacked (zip bombs; see medmentor.safe_zip):
# a transcript project of 200 one-hour interviews is about 20 MB of text and a
# project.qde of a few MB, so one file may unpack to 32 MB and all that is read to
# 128 MB. Members we never read (audio, PDF sources) do not count.
MAX_MEMBER_BYTES = 32 * 1024 * 1024
MAX_UNPACKED_BYTES = 128 * 1024 * 1024
MAX_MEMBERS = 20_000
QDPX_LIMITS = safe_zip.Limits(
    member_bytes=MAX_MEMBER_BYTES, archive_bytes=MAX_UNPACKED_BYTES, members=MAX_MEMBERS
)
ORIGIN = "medmentor"
# What zipfile raises on a damaged or unsupported member (bad CRC, broken deflate data,
# encryption, a compression method Python lacks): all mean "this .qdpx is damaged".
_DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    RuntimeError,
    NotImplementedError,
    OSError,
    EOFError,
    ValueError,  # e.g. "negative seek value" from offsets that point nowhere
)


class RefiQdaError(ValueError):
    """The file cannot be used; `problems` says why, each naming the place in the file."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


# --- Data -------------------------------------------------------------------------------


@dataclass
class User:
    guid: str
    name: str = ""
    id: str = ""


@dataclass
class Code:
    guid: str
    name: str
    is_codable: bool = True
    color: str = ""  # "#rrggbb" or ""
    description: str = ""
    note_guids: list[str] = field(default_factory=list)
    children: list[Code] = field(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Coding:
    guid: str
    code_guid: str
    creating_user: str = ""
    created: datetime.datetime | None = None
    note_guids: list[str] = field(default_factory=list)


@dataclass
class Selection:
    """A PlainTextSelection: characters [start, end) of the source's plain text."""

    guid: str
    start: int
    end: int
    name: str = ""
    description: str = ""
    codings: list[Coding] = field(default_factory=list)
    note_guids: list[str] = field(default_factory=list)
    creating_user: str = ""
    created: datetime.datetime | None = None


@dataclass
class VariableValue:
    variable_guid: str
    type: str  # Text, Boolean, Integer, Float, Date, DateTime
    value: str  # the XML text of the value


@dataclass
class TextSource:
    guid: str
    name: str
    text: str
    description: str = ""
    selections: list[Selection] = field(default_factory=list)
    codings: list[Coding] = field(default_factory=list)  # codes applied to the whole source
    note_guids: list[str] = field(default_factory=list)
    variable_values: list[VariableValue] = field(default_factory=list)
    creating_user: str = ""
    created: datetime.datetime | None = None
    # Where the text was read from ("internal://…", or "" when it was inline).
    plain_text_path: str = ""


@dataclass
class Note:
    guid: str
    name: str = ""
    text: str = ""
    description: str = ""
    creating_user: str = ""
    created: datetime.datetime | None = None


@dataclass
class Set:
    guid: str
    name: str
    description: str = ""
    member_codes: list[str] = field(default_factory=list)
    member_sources: list[str] = field(default_factory=list)
    member_notes: list[str] = field(default_factory=list)


@dataclass
class Variable:
    guid: str
    name: str
    type: str = "Text"
    description: str = ""


@dataclass
class Case:
    guid: str
    name: str = ""
    description: str = ""
    source_guids: list[str] = field(default_factory=list)


@dataclass
class Project:
    name: str
    origin: str = ORIGIN
    description: str = ""
    users: list[User] = field(default_factory=list)
    codes: list[Code] = field(default_factory=list)
    variables: list[Variable] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    sources: list[TextSource] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    sets: list[Set] = field(default_factory=list)
    note_guids: list[str] = field(default_factory=list)
    created: datetime.datetime | None = None
    creating_user: str = ""
    # What the file held that medmentor does not keep (pictures, PDFs, media, graphs…),
    # as one line each, so the import can tell the researcher (specification section 7).
    skipped: list[str] = field(default_factory=list)

    def all_codes(self):
        for code in self.codes:
            yield from code.walk()


# --- GUIDs and values -------------------------------------------------------------------


def guid_normal(value: str) -> str:
    """A GUID as we store it: lower case, no braces (tools write both forms)."""
    return str(uuid.UUID(value.strip().strip("{}")))


def _guid_attr(value) -> str:
    return str(value)


def _datetime_text(value: datetime.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _datetime_parse(text: str | None) -> datetime.datetime | None:
    if not text:
        return None
    text = text.strip()
    try:
        value = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return value


def _xml_safe(text: str) -> str:
    # XML 1.0 cannot hold most control characters; a transcript pasted from a word
    # processor sometimes does. Such characters would make the file unreadable, so they
    # become spaces (one for one, so positions of the other characters do not move).
    return _XML_ILLEGAL.sub(" ", text)


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# --- Schema validation ------------------------------------------------------------------


@cache
def _schema(path: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(path)))


def _parser() -> etree.XMLParser:
    # No DTDs, no entities, no network: an uploaded file cannot reach files or hosts.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _schema_problems(schema: etree.XMLSchema, tree, file_name: str) -> list[str]:
    problems = []
    for entry in schema.error_log:
        message = re.sub(r"\{urn:QDA-XML:[a-z]+:[0-9.:]+\}", "", entry.message)
        problems.append(f"{file_name} line {entry.line}: {message}")
    return problems[:20]


def _parse_and_validate(content: bytes, *, schema_path: Path, file_name: str):
    try:
        root = etree.fromstring(content, _parser())
    except etree.XMLSyntaxError as error:
        line = getattr(error, "lineno", None) or (error.position[0] if error.position else "?")
        raise RefiQdaError(
            [f"{file_name} line {line}: not well-formed XML ({error.msg})."]
        ) from None
    if root.getroottree().docinfo.internalDTD is not None:
        # REFI-QDA files have no document type declaration; one can only carry entities
        # (file reads, "billion laughs"), so it is refused outright.
        raise RefiQdaError(
            [f"{file_name} declares a DOCTYPE; REFI-QDA files have none, so it is refused."]
        )
    schema = _schema(schema_path)
    try:
        valid = schema.validate(root)
    except etree.XMLSchemaValidateError as error:
        raise RefiQdaError(
            [f"{file_name} could not be checked against the schema: {error}."]
        ) from None
    if not valid:
        problems = _schema_problems(schema, root, file_name)
        raise RefiQdaError(
            [
                f"{file_name} does not follow the REFI-QDA schema "
                f"({schema_path.name}); nothing was imported.",
                *problems,
            ]
        )
    return root


def _validate_written(root, *, schema_path: Path, file_name: str) -> bytes:
    content = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    schema = _schema(schema_path)
    if not schema.validate(etree.fromstring(content, _parser())):
        # Our own export breaking the schema is a bug here, never the user's doing.
        raise AssertionError(
            f"{file_name} failed its schema: " + "; ".join(_schema_problems(schema, root, ""))
        )
    return content


# --- Writing ----------------------------------------------------------------------------


def _sub(parent, tag: str, ns: str, **attrs):
    element = etree.SubElement(parent, f"{{{ns}}}{tag}")
    for key, value in attrs.items():
        if value is None or value == "":
            continue
        element.set(key, value)
    return element


def _text_element(parent, tag: str, ns: str, text: str):
    if text:
        _sub(parent, tag, ns).text = _xml_safe(text)


def _refs(parent, tag: str, guids: list[str]):
    for guid in guids:
        _sub(parent, tag, PROJECT_NS, targetGUID=guid)


def _who(element, user: str, created: datetime.datetime | None, *, user_attr="creatingUser"):
    if user:
        element.set(user_attr, user)
    if created is not None:
        element.set("creationDateTime", _datetime_text(created))


def _code_element(parent, code: Code, ns: str, *, with_notes: bool):
    element = _sub(
        parent,
        "Code",
        ns,
        guid=code.guid,
        name=_xml_safe(code.name),
        isCodable="true" if code.is_codable else "false",
        color=code.color or None,
    )
    _text_element(element, "Description", ns, code.description)
    if with_notes:
        _refs(element, "NoteRef", code.note_guids)
    for child in code.children:
        _code_element(element, child, ns, with_notes=with_notes)


def _coding_element(parent, coding: Coding):
    element = _sub(parent, "Coding", PROJECT_NS, guid=coding.guid)
    _who(element, coding.creating_user, coding.created)
    _sub(element, "CodeRef", PROJECT_NS, targetGUID=coding.code_guid)
    _refs(element, "NoteRef", coding.note_guids)


def source_member_name(source: TextSource) -> str:
    """The zip member that holds the source's text: `sources/<guid>.txt`."""
    return f"sources/{source.guid}.txt"


def project_write(project: Project) -> bytes:
    """project.qde for `project`, checked against Project-mrt2019.xsd before it is returned.

    Every text source's text goes to its own file (see `qdpx_pack`), referred to by
    `plainTextPath="internal://<guid>.txt"`; notes carry their text inline.
    """
    ns = PROJECT_NS
    root = etree.Element(f"{{{ns}}}Project", nsmap={None: ns})
    root.set("name", _xml_safe(project.name))
    root.set("origin", project.origin or ORIGIN)
    if project.creating_user:
        root.set("creatingUserGUID", project.creating_user)
    if project.created is not None:
        root.set("creationDateTime", _datetime_text(project.created))
    if project.users:
        users = _sub(root, "Users", ns)
        for user in project.users:
            _sub(users, "User", ns, guid=user.guid, name=_xml_safe(user.name), id=user.id)
    if project.codes:
        codes = _sub(_sub(root, "CodeBook", ns), "Codes", ns)
        for code in project.codes:
            _code_element(codes, code, ns, with_notes=True)
    if project.variables:
        variables = _sub(root, "Variables", ns)
        for variable in project.variables:
            element = _sub(
                variables,
                "Variable",
                ns,
                guid=variable.guid,
                name=_xml_safe(variable.name),
                typeOfVariable=variable.type,
            )
            _text_element(element, "Description", ns, variable.description)
    if project.cases:
        cases = _sub(root, "Cases", ns)
        for case in project.cases:
            element = _sub(cases, "Case", ns, guid=case.guid, name=_xml_safe(case.name))
            _text_element(element, "Description", ns, case.description)
            _refs(element, "SourceRef", case.source_guids)
    if project.sources:
        sources = _sub(root, "Sources", ns)
        for source in project.sources:
            element = _sub(
                sources,
                "TextSource",
                ns,
                guid=source.guid,
                name=_xml_safe(source.name),
                plainTextPath=f"internal://{source.guid}.txt",
            )
            _who(element, source.creating_user, source.created)
            _text_element(element, "Description", ns, source.description)
            for selection in source.selections:
                chosen = _sub(
                    element,
                    "PlainTextSelection",
                    ns,
                    guid=selection.guid,
                    name=_xml_safe(selection.name),
                    startPosition=str(selection.start),
                    endPosition=str(selection.end),
                )
                _who(chosen, selection.creating_user, selection.created)
                _text_element(chosen, "Description", ns, selection.description)
                for coding in selection.codings:
                    _coding_element(chosen, coding)
                _refs(chosen, "NoteRef", selection.note_guids)
            for coding in source.codings:
                _coding_element(element, coding)
            _refs(element, "NoteRef", source.note_guids)
            for value in source.variable_values:
                holder = _sub(element, "VariableValue", ns)
                _sub(holder, "VariableRef", ns, targetGUID=value.variable_guid)
                _sub(holder, f"{value.type}Value", ns).text = _xml_safe(value.value)
    if project.notes:
        notes = _sub(root, "Notes", ns)
        for note in project.notes:
            element = _sub(notes, "Note", ns, guid=note.guid, name=_xml_safe(note.name))
            _who(element, note.creating_user, note.created)
            _text_element(element, "Description", ns, note.description)
            # The schema allows an empty PlainTextContent; always writing it keeps an
            # empty memo a memo.
            _sub(element, "PlainTextContent", ns).text = _xml_safe(note.text)
    if project.sets:
        sets = _sub(root, "Sets", ns)
        for group in project.sets:
            element = _sub(sets, "Set", ns, guid=group.guid, name=_xml_safe(group.name))
            _text_element(element, "Description", ns, group.description)
            _refs(element, "MemberCode", group.member_codes)
            _refs(element, "MemberSource", group.member_sources)
            _refs(element, "MemberNote", group.member_notes)
    _text_element(root, "Description", ns, project.description)
    _refs(root, "NoteRef", project.note_guids)
    return _validate_written(root, schema_path=PROJECT_SCHEMA, file_name="project.qde")


def codebook_write(*, codes: list[Code], sets: list[Set], origin: str = ORIGIN) -> bytes:
    """A .qdc codebook (codes with their hierarchy, colors and descriptions; code sets),
    checked against the codebook schema of the specification's section 5.2."""
    ns = CODEBOOK_NS
    root = etree.Element(f"{{{ns}}}CodeBook", nsmap={None: ns})
    root.set("origin", origin)
    holder = _sub(root, "Codes", ns)
    for code in codes:
        _code_element(holder, code, ns, with_notes=False)
    if sets:
        holder = _sub(root, "Sets", ns)
        for group in sets:
            element = _sub(holder, "Set", ns, guid=group.guid, name=_xml_safe(group.name))
            _text_element(element, "Description", ns, group.description)
            for guid in group.member_codes:
                # The codebook schema names the member by `guid`, the project one by
                # `targetGUID` (sections 5.2 and 5.3).
                _sub(element, "MemberCode", ns, guid=guid)
    if not codes:
        raise RefiQdaError(["A codebook needs at least one code (the schema requires one)."])
    return _validate_written(root, schema_path=CODEBOOK_SCHEMA, file_name="codebook.qdc")


def qdpx_pack(project: Project) -> bytes:
    """The .qdpx zip: project.qde and sources/<guid>.txt (UTF-8, no byte order mark)."""
    qde = project_write(project)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde)
        for source in project.sources:
            archive.writestr(source_member_name(source), source.text.encode("utf-8"))
    return buffer.getvalue()


# --- Reading ----------------------------------------------------------------------------


def _q(tag: str, ns: str = PROJECT_NS) -> str:
    return f"{{{ns}}}{tag}"


def _child_text(element, tag: str, ns: str = PROJECT_NS) -> str:
    child = element.find(_q(tag, ns))
    return child.text or "" if child is not None else ""


def _ref_guids(element, tag: str, attr: str = "targetGUID", ns: str = PROJECT_NS) -> list[str]:
    return [guid_normal(ref.get(attr)) for ref in element.findall(_q(tag, ns))]


def _code_read(element, ns: str) -> Code:
    return Code(
        guid=guid_normal(element.get("guid")),
        name=element.get("name"),
        is_codable=element.get("isCodable") in ("true", "1"),
        color=(element.get("color") or "").strip(),
        description=_child_text(element, "Description", ns),
        note_guids=_ref_guids(element, "NoteRef", ns=ns) if ns == PROJECT_NS else [],
        children=[_code_read(child, ns) for child in element.findall(_q("Code", ns))],
    )


def _coding_read(element) -> Coding:
    return Coding(
        guid=guid_normal(element.get("guid")),
        code_guid=guid_normal(element.find(_q("CodeRef")).get("targetGUID")),
        creating_user=_optional_guid(element.get("creatingUser")),
        created=_datetime_parse(element.get("creationDateTime")),
        note_guids=_ref_guids(element, "NoteRef"),
    )


def _optional_guid(value: str | None) -> str:
    return guid_normal(value) if value else ""


def _where(element) -> str:
    return f"project.qde line {element.sourceline}"


class _Members:
    """The zip's members by lower-cased name, with the safety checks on their names."""

    def __init__(self, archive: safe_zip.SafeZip):
        self.archive = archive
        self.by_name: dict[str, zipfile.ZipInfo] = {}
        problems = []
        infos = archive.infos
        # Only the project file and the plain-text sources are read; their declared
        # sizes refuse a bomb at once, their real sizes are counted as they are read.
        archive.refuse_declared_total(
            [info for info in infos if info.filename.lower().endswith((".qde", ".txt"))]
        )
        for info in infos:
            name = info.filename
            if _unsafe_member(name):
                problems.append(
                    f"The .qdpx holds a file named “{name}” that points outside the "
                    "project (an absolute path or “..”); the file is refused."
                )
                continue
            self.by_name[name.lower()] = info
        if problems:
            raise RefiQdaError(problems)

    def read(self, name: str) -> bytes | None:
        info = self.by_name.get(name.lower())
        if info is None:
            return None
        return self.archive.read(info)


def _unsafe_member(name: str) -> bool:
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or "\x00" in name:
        return True
    parts = re.split(r"[\\/]", name)
    return ".." in parts


def _internal_member(path: str, where: str) -> str:
    """`internal://<file>` → `sources/<file>`, refusing anything that is not a flat name."""
    if not path.lower().startswith("internal://"):
        raise RefiQdaError(
            [
                f"{where}: the text is at “{path}”, outside the .qdpx; medmentor imports "
                "only texts inside the file (internal://…)."
            ]
        )
    file_name = path[len("internal://") :]
    if not file_name or _unsafe_member(file_name) or posixpath.basename(file_name) != file_name:
        raise RefiQdaError(
            [f"{where}: the source path “{path}” is not a plain file name in sources/."]
        )
    return f"sources/{file_name}"


def _decode_text(content: bytes, where: str, member: str) -> str:
    try:
        # A byte order mark is not part of the text (tools on Windows write one); the
        # positions count the characters after it.
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise RefiQdaError(
            [
                f"{where}: {member} is not UTF-8 text (byte {error.start}); the "
                "standard requires UTF-8 (section 9.1.2)."
            ]
        ) from None


def _text_of(element, members: _Members | None, where: str) -> tuple[str, str]:
    inline = element.find(_q("PlainTextContent"))
    path = element.get("plainTextPath")
    if path:
        if members is None:
            raise RefiQdaError([f"{where}: a text at “{path}” needs the .qdpx it came from."])
        member = _internal_member(path, where)
        content = members.read(member)
        if content is None:
            raise RefiQdaError(
                [f"{where}: the text “{path}” is missing: the .qdpx has no {member}."]
            )
        return _decode_text(content, where, member), path
    if inline is not None:
        return inline.text or "", ""
    return "", ""


def _source_read(element, members: _Members | None, problems: list[str]) -> TextSource | None:
    where = _where(element)
    name = element.get("name") or ""
    try:
        text, path = _text_of(element, members, where)
    except RefiQdaError as error:
        problems.extend(error.problems)
        return None
    source = TextSource(
        guid=guid_normal(element.get("guid")),
        name=name,
        text=text,
        plain_text_path=path,
        description=_child_text(element, "Description"),
        creating_user=_optional_guid(element.get("creatingUser")),
        created=_datetime_parse(element.get("creationDateTime")),
        codings=[_coding_read(coding) for coding in element.findall(_q("Coding"))],
        note_guids=_ref_guids(element, "NoteRef"),
    )
    length = len(text)
    for chosen in element.findall(_q("PlainTextSelection")):
        start, end = int(chosen.get("startPosition")), int(chosen.get("endPosition"))
        if not 0 <= start < end <= length:
            problems.append(
                f"{_where(chosen)}: the selection {chosen.get('guid')} of “{name}” runs from "
                f"character {start} to {end}, but the text has {length} characters "
                "(positions count from 0, end after the last selected character)."
            )
            continue
        source.selections.append(
            Selection(
                guid=guid_normal(chosen.get("guid")),
                start=start,
                end=end,
                name=chosen.get("name") or "",
                description=_child_text(chosen, "Description"),
                codings=[_coding_read(coding) for coding in chosen.findall(_q("Coding"))],
                note_guids=_ref_guids(chosen, "NoteRef"),
                creating_user=_optional_guid(chosen.get("creatingUser")),
                created=_datetime_parse(chosen.get("creationDateTime")),
            )
        )
    for holder in element.findall(_q("VariableValue")):
        ref = holder.find(_q("VariableRef"))
        value = next((child for child in holder if child is not ref), None)
        if value is None:
            continue
        kind = etree.QName(value).localname.removesuffix("Value")
        source.variable_values.append(
            VariableValue(
                variable_guid=guid_normal(ref.get("targetGUID")),
                type=kind,
                value=(value.text or "").strip() if kind != "Text" else value.text or "",
            )
        )
    return source


_SKIPPED_SOURCES = {
    "PictureSource": "picture",
    "PDFSource": "PDF",
    "AudioSource": "audio",
    "VideoSource": "video",
}


def project_read(content: bytes, *, members: _Members | None = None) -> Project:
    """Read project.qde: validate it against the project schema first (a file that fails
    is refused with the schema's message, line and element), then check what the schema
    cannot: selections inside their text, references to codes, users and notes that exist.
    """
    root = _parse_and_validate(content, schema_path=PROJECT_SCHEMA, file_name="project.qde")
    problems: list[str] = []
    project = Project(
        name=root.get("name"),
        origin=root.get("origin") or "",
        description=_child_text(root, "Description"),
        creating_user=_optional_guid(root.get("creatingUserGUID")),
        created=_datetime_parse(root.get("creationDateTime")),
        note_guids=_ref_guids(root, "NoteRef"),
    )
    for user in root.iterfind(f"{_q('Users')}/{_q('User')}"):
        project.users.append(
            User(
                guid=guid_normal(user.get("guid")),
                name=user.get("name") or "",
                id=user.get("id") or "",
            )
        )
    for code in root.iterfind(f"{_q('CodeBook')}/{_q('Codes')}/{_q('Code')}"):
        project.codes.append(_code_read(code, PROJECT_NS))
    for variable in root.iterfind(f"{_q('Variables')}/{_q('Variable')}"):
        project.variables.append(
            Variable(
                guid=guid_normal(variable.get("guid")),
                name=variable.get("name"),
                type=variable.get("typeOfVariable"),
                description=_child_text(variable, "Description"),
            )
        )
    for case in root.iterfind(f"{_q('Cases')}/{_q('Case')}"):
        project.cases.append(
            Case(
                guid=guid_normal(case.get("guid")),
                name=case.get("name") or "",
                description=_child_text(case, "Description"),
                source_guids=_ref_guids(case, "SourceRef"),
            )
        )
    sources = root.find(_q("Sources"))
    if sources is not None:
        for element in sources:
            if not isinstance(element.tag, str):
                continue
            kind = etree.QName(element).localname
            if kind == "TextSource":
                source = _source_read(element, members, problems)
                if source is not None:
                    project.sources.append(source)
            else:
                label = element.get("name") or element.get("guid")
                project.skipped.append(f"{_SKIPPED_SOURCES.get(kind, kind)} source “{label}”")
    for note in root.iterfind(f"{_q('Notes')}/{_q('Note')}"):
        where = _where(note)
        try:
            text, _path = _text_of(note, members, where)
        except RefiQdaError as error:
            problems.extend(error.problems)
            continue
        project.notes.append(
            Note(
                guid=guid_normal(note.get("guid")),
                name=note.get("name") or "",
                text=text,
                description=_child_text(note, "Description"),
                creating_user=_optional_guid(note.get("creatingUser")),
                created=_datetime_parse(note.get("creationDateTime")),
            )
        )
    for group in root.iterfind(f"{_q('Sets')}/{_q('Set')}"):
        project.sets.append(
            Set(
                guid=guid_normal(group.get("guid")),
                name=group.get("name"),
                description=_child_text(group, "Description"),
                member_codes=_ref_guids(group, "MemberCode"),
                member_sources=_ref_guids(group, "MemberSource"),
                member_notes=_ref_guids(group, "MemberNote"),
            )
        )
    if root.find(_q("Links")) is not None:
        project.skipped.append(f"{len(root.find(_q('Links')))} link(s) between items")
    if root.find(_q("Graphs")) is not None:
        project.skipped.append(f"{len(root.find(_q('Graphs')))} graph(s)")
    problems.extend(_reference_problems(project))
    if problems:
        raise RefiQdaError(problems)
    return project


def _reference_problems(project: Project) -> list[str]:
    """References the schema cannot check: each GUID must name something in the file."""
    problems = []
    codes = {code.guid for code in project.all_codes()}
    users = {user.guid for user in project.users}
    notes = {note.guid for note in project.notes}
    seen: dict[str, str] = {}

    def unique(guid: str, what: str):
        if guid in seen:
            problems.append(f"The GUID {guid} is used twice ({seen[guid]} and {what}).")
        seen[guid] = what

    for code in project.all_codes():
        unique(code.guid, f"code “{code.name}”")
        problems.extend(
            f"Code “{code.name}” refers to a note {guid} that is not in the file."
            for guid in code.note_guids
            if guid not in notes
        )
    for source in project.sources:
        unique(source.guid, f"source “{source.name}”")
        for selection in source.selections:
            unique(selection.guid, f"a selection in “{source.name}”")
            for coding in selection.codings:
                if coding.code_guid not in codes:
                    problems.append(
                        f"A coding in “{source.name}” (characters {selection.start}–"
                        f"{selection.end}) uses the code {coding.code_guid}, which is not in "
                        "the codebook."
                    )
                if coding.creating_user and coding.creating_user not in users:
                    problems.append(
                        f"A coding in “{source.name}” was made by the user "
                        f"{coding.creating_user}, who is not among the project's users."
                    )
            problems.extend(
                f"A selection in “{source.name}” refers to a note {guid} not in the file."
                for guid in selection.note_guids
                if guid not in notes
            )
        problems.extend(
            f"Source “{source.name}” refers to a note {guid} that is not in the file."
            for guid in source.note_guids
            if guid not in notes
        )
        problems.extend(
            f"Source “{source.name}” is coded with the code {coding.code_guid}, which is "
            "not in the codebook."
            for coding in source.codings
            if coding.code_guid not in codes
        )
    for group in project.sets:
        problems.extend(
            f"Set “{group.name}” lists the code {guid}, which is not in the codebook."
            for guid in group.member_codes
            if guid not in codes
        )
    return problems


def qdpx_unpack(content: bytes) -> Project:
    """Read a .qdpx: refuse unsafe member names, find project.qde (any case), validate it,
    and read each internal plain-text source from sources/."""
    try:
        archive = safe_zip.SafeZip(content, limits=QDPX_LIMITS, what="The .qdpx")
    except safe_zip.ZipRefusal as refusal:
        if "not a zip" in str(refusal):
            raise RefiQdaError(
                ["The file is not a .qdpx: a .qdpx is a zip archive, and this is not one."]
            ) from None
        raise RefiQdaError([str(refusal)]) from None
    try:
        with archive:
            return _project_from(archive)
    except RefiQdaError:
        raise  # already says what is wrong (it is a ValueError too, so it goes first)
    except safe_zip.ZipRefusal as refusal:
        raise RefiQdaError([str(refusal)]) from None
    except _DAMAGED as error:
        raise RefiQdaError([f"The .qdpx is damaged: {error}."]) from None


def _project_from(archive: safe_zip.SafeZip) -> Project:
    members = _Members(archive)
    qde = members.read("project.qde")
    if qde is None:
        names = [name for name in members.by_name if name.endswith(".qde")]
        if len(names) != 1:
            raise RefiQdaError(
                [
                    "The .qdpx has no project.qde: it must hold the project file "
                    "“project.qde” beside the sources folder (REFI-QDA section 8.1)."
                ]
            )
        qde = members.read(names[0])
    return project_read(qde, members=members)


def codebook_read(content: bytes) -> tuple[list[Code], list[Set]]:
    """Read a .qdc codebook, validated against the codebook schema; also accepts a
    project.qde, whose codebook and code sets are taken (tools export either)."""
    try:
        root = etree.fromstring(content, _parser())
    except etree.XMLSyntaxError as error:
        raise RefiQdaError([f"codebook.qdc: not well-formed XML ({error.msg})."]) from None
    if root.tag == _q("Project"):
        # Only the codebook and the code sets are wanted; sources are not read.
        root = _parse_and_validate(content, schema_path=PROJECT_SCHEMA, file_name="project.qde")
        project = Project(name=root.get("name"))
        path = f"{_q('CodeBook')}/{_q('Codes')}/{_q('Code')}"
        project.codes = [_code_read(code, PROJECT_NS) for code in root.iterfind(path)]
        for group in root.iterfind(f"{_q('Sets')}/{_q('Set')}"):
            if group.find(_q("MemberSource")) is None:  # a set of codes, maybe empty
                project.sets.append(
                    Set(
                        guid=guid_normal(group.get("guid")),
                        name=group.get("name"),
                        description=_child_text(group, "Description"),
                        member_codes=_ref_guids(group, "MemberCode"),
                    )
                )
        for code in project.all_codes():
            code.note_guids = []
        problems = [
            problem
            for problem in _reference_problems(project)
            if "not in the codebook" in problem or "used twice" in problem
        ]
        if problems:
            raise RefiQdaError(problems)
        return project.codes, project.sets
    root = _parse_and_validate(content, schema_path=CODEBOOK_SCHEMA, file_name="codebook.qdc")
    ns = CODEBOOK_NS
    codes = [_code_read(code, ns) for code in root.iterfind(f"{_q('Codes', ns)}/{_q('Code', ns)}")]
    sets = [
        Set(
            guid=guid_normal(group.get("guid")),
            name=group.get("name"),
            description=_child_text(group, "Description", ns),
            member_codes=_ref_guids(group, "MemberCode", attr="guid", ns=ns),
        )
        for group in root.iterfind(f"{_q('Sets', ns)}/{_q('Set', ns)}")
    ]
    known = {code.guid for top in codes for code in top.walk()}
    problems = [
        f"Set “{group.name}” lists the code {guid}, which is not in the codebook."
        for group in sets
        for guid in group.member_codes
        if guid not in known
    ]
    if problems:
        raise RefiQdaError(problems)
    return codes, sets
