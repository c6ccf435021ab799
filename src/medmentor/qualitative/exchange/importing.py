"""REFI-QDA exchange, import: a .qdpx project or .qdc codebook into a program, all or nothing.

Part of `medmentor.qualitative.exchange` (see its docstring for the mapping).
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import transaction

from medmentor.programs.models import Program, Role
from medmentor.qualitative import refi_qda
from medmentor.qualitative.exchange.common import (
    AGREED_DESCRIPTION,
    GUID_NAMESPACE,
    IMPORTED_CODER_DOMAIN,
    KIND_VARIABLE,
    ExchangeResult,
    _attribute_parse,
    _color,
    _quote_name,
    code_description_parse,
    person_guid,
)
from medmentor.qualitative.models import (
    Adjudication,
    Code,
    CoderAssignment,
    CompetencyMapping,
    Document,
    DocumentKind,
    DocumentStatus,
    Highlight,
    Memo,
    SourceFormat,
    SpeakerTurn,
    Theme,
)
from medmentor.qualitative.refi_qda import RefiQdaError

# --- Import -----------------------------------------------------------------------------


def _program_has_work(program: Program) -> bool:
    return (
        Document.objects.filter(program=program).exists()
        or Code.objects.filter(program=program).exists()
        or Theme.objects.filter(program=program).exists()
        or Memo.objects.filter(program=program).exists()
    )


class _Guids:
    """GUIDs are unique across the whole database; one already used by another program's
    row is renewed here (and said so), one free is kept as it came."""

    def __init__(self, model, result: ExchangeResult, what: str):
        self.model = model
        self.result = result
        self.what = what
        self.renewed = 0

    def take(self, guids: list[str]) -> dict[str, uuid.UUID]:
        taken = set(
            str(guid)
            for guid in self.model.objects.filter(guid__in=guids).values_list("guid", flat=True)
        )
        chosen = {}
        for guid in guids:
            if guid in taken:
                chosen[guid] = uuid.uuid4()
                self.renewed += 1
            else:
                chosen[guid] = uuid.UUID(guid)
        if self.renewed:
            self.result.notices.append(
                f"{self.renewed} {self.what} GUID(s) are already used elsewhere in medmentor "
                "(another program holds the same work); those items got new GUIDs."
            )
        return chosen


# QDA programs write themselves into a project's Users (ATLAS.ti names the project's
# creator "ATLAS.ti"; others write their own name or "Administrator"). These are not
# people: an account is never made for them, and what they "coded" is kept under the
# person who imports the file, with a notice.
SOFTWARE_USER_NAMES = frozenset(
    {
        "atlas.ti",
        "atlasti",
        "nvivo",
        "maxqda",
        "qda miner",
        "qdaminer",
        "dedoose",
        "qualcoder",
        "quirkos",
        "transana",
        "taguette",
        "f4analyse",
        "webqda",
        "medmentor",
        "administrator",
        "admin",
        "system",
        "default user",
        "unknown",
    }
)


def _software_user(name: str, origin: str) -> bool:
    """Whether a REFI-QDA User is the program that wrote the file, not a person: a known
    program's name (with or without a version) or the first word of the file's origin."""
    folded = re.sub(r"\s+\d[\w.]*$", "", name.strip().casefold()).strip()
    if not folded:
        return False
    if folded in SOFTWARE_USER_NAMES:
        return True
    origin_name = re.sub(r"\s+\d[\w. ]*$", "", origin.strip().casefold()).strip()
    return bool(origin_name) and folded == origin_name


def _working_users(project: refi_qda.Project) -> set[str]:
    """The GUIDs of the users whose work is kept under their name: coders, authors of
    comments and memos. A user who only created a project or a source is not one."""
    working: set[str] = set()
    for source in project.sources:
        for coding in source.codings:
            working.add(coding.creating_user)
        for selection in source.selections:
            for coding in selection.codings:
                working.add(coding.creating_user or selection.creating_user)
            if selection.description.strip():
                working.add(selection.creating_user)
    working.update(note.creating_user for note in project.notes)
    working.discard("")
    return working


def _resolve_people(
    project: refi_qda.Project, *, program: Program, by, result: ExchangeResult
) -> dict[str, object]:
    """Each REFI-QDA User → a person: the same person when the GUID is theirs (exported by
    medmentor), else a person of the program with exactly that name, else an inactive
    account for that coder (so two coders from another tool stay two coders). Accounts
    are only made for users with work in the file, never for the program that wrote it
    (see SOFTWARE_USER_NAMES); their work falls to `by` instead."""
    Person = get_user_model()
    people: dict[str, object] = {}
    wanted = {user.guid: user for user in project.users}
    if not wanted:
        return people
    by_guid = {}
    for person in Person.objects.only("pk", "email", "full_name"):
        by_guid[person_guid(person)] = person
    enrolled = defaultdict(list)
    # Coders are researchers: a name is only matched among the program's researchers.
    researchers = Person.objects.filter(
        enrollments__program=program, enrollments__role=Role.RESEARCHER
    ).distinct()
    for person in researchers:
        enrolled[person.full_name.strip().casefold()].append(person)
    working = _working_users(project)
    for guid, user in wanted.items():
        person = by_guid.get(guid)
        if person is None and _software_user(user.name, project.origin):
            if guid in working:
                result.notices.append(
                    f"“{user.name.strip()}” is the program that wrote the file, not a "
                    "person: no account was made for it, and its coding is kept under "
                    "your name."
                )
            continue
        if person is None and user.name.strip():
            namesakes = enrolled.get(user.name.strip().casefold(), [])
            if len(namesakes) == 1:
                person = namesakes[0]
        if person is None and guid not in working:
            continue  # named in the file, but nothing of theirs is kept
        if person is None:
            person = Person.objects.create_user(
                email=f"coder-{guid}@{IMPORTED_CODER_DOMAIN}",
                password=None,
                full_name=(user.name.strip() or f"Imported coder {guid[:8]}")[:200],
                is_active=False,
            )
            result.accounts_created.append(person.full_name)
            result.notices.append(
                f"Coder “{person.full_name}” is not a medmentor user; their coding is kept "
                "under an inactive account of that name."
            )
        people[guid] = person
    return people


def _unique_code_names(project: refi_qda.Project, result: ExchangeResult) -> dict[str, str]:
    names: dict[str, str] = {}
    used: set[str] = set()

    def visit(code: refi_qda.Code, parent: refi_qda.Code | None):
        name = code.name.strip()[:120] or "Unnamed code"
        if name.casefold() in used and parent is not None:
            name = f"{name} ({parent.name.strip()})"[:120]
        base, number = name, 2
        while name.casefold() in used:
            name = f"{base[:114]} ({number})"
            number += 1
        if name != code.name:
            result.notices.append(f"Code “{code.name}” is named “{name}” here (names are unique).")
        used.add(name.casefold())
        names[code.guid] = name
        for child in code.children:
            visit(child, code)

    for code in project.codes:
        visit(code, None)
    return names


def _write_codes(
    codes: list[refi_qda.Code], *, program: Program, by, result: ExchangeResult, project
) -> dict[str, Code]:
    names = _unique_code_names(project, result)
    guids = _Guids(Code, result, "code").take([code.guid for top in codes for code in top.walk()])
    made: dict[str, Code] = {}

    def create(code: refi_qda.Code, parent: Code | None, position: int):
        row = Code.objects.create(
            guid=guids[code.guid],
            program=program,
            parent=parent,
            name=names[code.guid],
            color=_color(code.color),
            is_codable=code.is_codable,
            position=position,
            created_by=by,
            **code_description_parse(code.description),
        )
        made[code.guid] = row
        for index, child in enumerate(code.children):
            create(child, row, index)

    for index, code in enumerate(codes):
        create(code, None, index)
    result.codes = len(made)
    return made


def _unique_theme_names(sets: list[refi_qda.Set]) -> dict[str, str]:
    # Theme names are unique in a program; REFI-QDA set names need not be.
    names: dict[str, str] = {}
    used: set[str] = set()
    for group in sets:
        name = group.name.strip()[:120] or "Unnamed theme"
        base, number = name, 2
        while name.casefold() in used:
            name = f"{base[:114]} ({number})"
            number += 1
        used.add(name.casefold())
        names[group.guid] = name
    return names


def _write_themes(
    sets: list[refi_qda.Set], *, program: Program, codes: dict[str, Code], result
) -> dict[str, Theme]:
    guids = _Guids(Theme, result, "theme").take([group.guid for group in sets])
    names = _unique_theme_names(sets)
    themes: dict[str, Theme] = {}
    for index, group in enumerate(sets):
        theme = Theme.objects.create(
            guid=guids[group.guid],
            program=program,
            name=names[group.guid],
            description=group.description,
            position=index,
        )
        theme.codes.set([codes[guid] for guid in group.member_codes if guid in codes])
        themes[group.guid] = theme
    result.themes = len(themes)
    return themes


def _turns_of(text: str) -> list[tuple[str, int, int]]:
    """Speaker turns of an imported text: each non-blank line is a turn, and a line
    starting “Speaker: ” names its speaker (as our own transcripts are written)."""
    turns = []
    position = 0
    for line in text.split("\n"):
        body = line.rstrip("\r")
        stripped = body.strip()
        if stripped:
            start = position + (len(body) - len(body.lstrip()))
            end = position + len(body.rstrip())
            speaker = ""
            match = re.match(r"([^:\n]{1,60}):\s+", body[start - position :])
            if match and len(match.group(1).split()) <= 5:
                speaker = match.group(1).strip()
                start += match.end()
            if end > start:
                turns.append((speaker[:120], start, end))
        position += len(line) + 1
    return turns


def _document_kind(label: str) -> str | None:
    for value, display in DocumentKind.choices:
        if label.strip().casefold() in (value, str(display).casefold()):
            return value
    return None


def _write_documents(
    project: refi_qda.Project,
    *,
    program: Program,
    by,
    codes: dict[str, Code],
    people: dict[str, object],
    result: ExchangeResult,
) -> dict[str, Document]:
    variables = {variable.guid: variable for variable in project.variables}
    case_of: dict[str, str] = {}
    for case in project.cases:
        for guid in case.source_guids:
            case_of.setdefault(guid, case.name)
    returning = {
        str(document.guid): document
        for document in Document.objects.filter(
            program=program, status=DocumentStatus.CODABLE
        ).select_related("adjudication")
    }
    guids = _Guids(Document, result, "document").take(
        [source.guid for source in project.sources if source.guid not in returning]
    )
    all_selections = [
        selection.guid for source in project.sources for selection in source.selections
    ]
    selection_guids = _Guids(Highlight, result, "highlight").take(all_selections)
    documents: dict[str, Document] = {}
    uncoded = 0
    # Highlights and their codes are written in bulk at the end: a project holds tens of
    # thousands of them, and one INSERT each made the import 30x slower than reading it.
    pending: list[tuple[Highlight, set[int]]] = []
    adjudicated: dict[int, object] = {}
    for source in project.sources:
        attributes = {}
        kind = DocumentKind.FOCUS_GROUP
        for value in source.variable_values:
            variable = variables.get(value.variable_guid)
            if variable is None:
                continue
            if variable.name == KIND_VARIABLE and _document_kind(value.value):
                kind = _document_kind(value.value)
                continue
            attributes[variable.name] = _attribute_parse(value)
        if source.guid in case_of and "Case" not in attributes:
            attributes["Case"] = case_of[source.guid]
        title = (source.name.strip() or "Untitled source")[:200]
        document = returning.get(source.guid)
        if document is None:
            document = Document.objects.create(
                guid=guids[source.guid],
                program=program,
                title=title,
                kind=kind,
                attributes=attributes,
                source_format=SourceFormat.QDPX,
                file_name=source.plain_text_path.removeprefix("internal://")[:255],
                text=source.text,
                status=DocumentStatus.CODABLE,
                # Who added the document in the other tool; unknown stays unknown.
                created_by=people.get(source.creating_user),
            )
            changed_text = True
        else:
            changed_text = document.text != source.text
            document.title, document.kind, document.attributes = title, kind, attributes
            document.text = source.text
            document.save(update_fields=["title", "kind", "attributes", "text", "updated_at"])
        if changed_text:
            SpeakerTurn.objects.filter(document=document).delete()
            SpeakerTurn.objects.bulk_create(
                SpeakerTurn(document=document, index=index, speaker=speaker, start=start, end=end)
                for index, (speaker, start, end) in enumerate(_turns_of(source.text))
            )
        documents[source.guid] = document
        coders = set()
        selections = list(source.selections)
        if source.codings:
            # A code applied to the whole source is a highlight over the whole text.
            selections.append(
                refi_qda.Selection(
                    guid=str(uuid.uuid5(GUID_NAMESPACE, f"whole:{source.guid}")),
                    start=0,
                    end=len(source.text),
                    codings=source.codings,
                )
            )
            selection_guids.setdefault(selections[-1].guid, uuid.UUID(selections[-1].guid))
        for selection in selections:
            if not selection.codings:
                uncoded += 1
                continue
            agreed = selection.description.strip() == AGREED_DESCRIPTION
            by_coder: dict[str, list[refi_qda.Coding]] = defaultdict(list)
            for coding in selection.codings:
                by_coder[coding.creating_user or selection.creating_user].append(coding)
            for number, (coder_guid, codings) in enumerate(by_coder.items()):
                coder = people.get(coder_guid, by)
                guid = selection_guids[selection.guid]
                if number:
                    # One REFI-QDA selection coded by several people is one highlight per
                    # coder here; the second and later get GUIDs derived from the first.
                    guid = uuid.uuid5(GUID_NAMESPACE, f"{guid}:{coder_guid}")
                highlight = Highlight(
                    guid=guid,
                    document=document,
                    coder=coder,
                    start=selection.start,
                    end=selection.end,
                    is_agreed=agreed,
                )
                pending.append((highlight, {codes[coding.code_guid].pk for coding in codings}))
                result.highlights += 1
                if agreed:
                    adjudicated.setdefault(document.pk, coder)
                else:
                    coders.add(coder.pk)
            if selection.description.strip() and not agreed:
                quote = _quote_name(source.text[selection.start : selection.end])
                Memo.objects.create(
                    program=program,
                    author=people.get(selection.creating_user, by),
                    title=f"Comment on “{quote}”"[:200],
                    text=selection.description,
                    document=document,
                )
                result.memos += 1
        CoderAssignment.objects.bulk_create(
            CoderAssignment(document=document, coder_id=coder, assigned_by=by)
            for coder in sorted(coders)
        )
    Highlight.objects.bulk_create([highlight for highlight, _ in pending], batch_size=500)
    pk_of = dict(Highlight.objects.filter(document__program=program).values_list("guid", "pk"))
    through = Highlight.codes.through
    through.objects.bulk_create(
        [
            through(highlight_id=pk_of[highlight.guid], code_id=code_id)
            for highlight, code_ids in pending
            for code_id in sorted(code_ids)
        ],
        batch_size=500,
    )
    # A returning document keeps its adjudication (and note) while agreed coding comes
    # back for it; one whose file has no agreed coding any more is not adjudicated.
    ours = [document.pk for document in documents.values()]
    Adjudication.objects.filter(document_id__in=ours).exclude(document_id__in=adjudicated).delete()
    already = set(
        Adjudication.objects.filter(document_id__in=adjudicated).values_list(
            "document_id", flat=True
        )
    )
    Adjudication.objects.bulk_create(
        Adjudication(document_id=document_id, decided_by=coder)
        for document_id, coder in adjudicated.items()
        if document_id not in already
    )
    if uncoded:
        result.notices.append(
            f"{uncoded} selection(s) without any code were not kept (medmentor keeps coded "
            "text; their comments, if any, became memos on the document)."
        )
    result.documents = len(documents)
    return documents


def _write_memos(
    project: refi_qda.Project,
    *,
    program: Program,
    by,
    codes: dict[str, Code],
    themes: dict[str, Theme],
    documents: dict[str, Document],
    people: dict[str, object],
    result: ExchangeResult,
):
    attached: dict[str, dict] = {}

    def attach(note_guid: str, **target):
        attached.setdefault(note_guid, target)

    for code in project.all_codes():
        for guid in code.note_guids:
            attach(guid, code=codes[code.guid])
    for source in project.sources:
        for guid in source.note_guids:
            attach(guid, document=documents[source.guid])
        for selection in source.selections:
            for guid in selection.note_guids:
                attach(guid, document=documents[source.guid])
            for coding in selection.codings:
                for guid in coding.note_guids:
                    attach(guid, document=documents[source.guid])
    for group in project.sets:
        if group.guid in themes:
            for guid in group.member_notes:
                attach(guid, theme=themes[group.guid])
    guids = _Guids(Memo, result, "memo").take([note.guid for note in project.notes])
    for note in project.notes:
        text = note.text
        if note.description.strip() and note.description.strip() not in text:
            text = f"{note.description.strip()}\n\n{text}" if text else note.description.strip()
        Memo.objects.create(
            guid=guids[note.guid],
            program=program,
            author=people.get(note.creating_user, by),
            title=note.name.strip()[:200],
            text=text,
            **attached.get(note.guid, {}),
        )
        result.memos += 1


def _skipped_sets(project: refi_qda.Project, result: ExchangeResult) -> list[refi_qda.Set]:
    """Sets that group only codes (and notes) are themes; sets of sources have no place
    here, and are said so."""
    themes = []
    for group in project.sets:
        if group.member_sources:
            result.notices.append(
                f"Set “{group.name}” groups {len(group.member_sources)} source(s); medmentor "
                "has no sets of documents, so that grouping was not kept"
                + (" (its codes became a theme)." if group.member_codes else ".")
            )
            if group.member_codes:
                themes.append(
                    refi_qda.Set(
                        guid=group.guid,
                        name=group.name,
                        description=group.description,
                        member_codes=group.member_codes,
                        member_notes=group.member_notes,
                    )
                )
            continue
        themes.append(group)
    return themes


def _keep_competencies(program: Program) -> list[tuple[str, str, str]]:
    # Competency mappings are medmentor's own (REFI-QDA has no place for them); a
    # replacing import keeps each one whose code or theme comes back with its GUID.
    return [
        (
            mapping.competency,
            "code" if mapping.code_id else "theme",
            str(mapping.code.guid if mapping.code_id else mapping.theme.guid),
        )
        for mapping in CompetencyMapping.objects.filter(program=program).select_related(
            "code", "theme"
        )
    ]


def _clear_for_replacement(program: Program, incoming: set[str]) -> None:
    """Make room for a replacing import. The codebook, themes, memos, highlights and coder
    assignments go (the file brings them back). Documents are what medmentor holds beyond
    the file — the encrypted original when the director keeps it, the de-identification
    decisions, the speaker turns with their caption times, an open comparison, the
    adjudication's note — so a document whose GUID comes back keeps its row and only has
    its exchanged fields updated (`_write_documents`); an exported document missing from
    the file goes; documents under de-identification review, never exported, stay."""
    exchanged = Document.objects.filter(program=program, status=DocumentStatus.CODABLE)
    exchanged.exclude(guid__in=incoming).delete()
    Highlight.objects.filter(document__program=program).delete()
    CoderAssignment.objects.filter(document__in=exchanged).delete()
    Memo.objects.filter(program=program).exclude(document__status=DocumentStatus.REVIEW).delete()
    Theme.objects.filter(program=program).delete()
    Code.objects.filter(program=program).delete()


def _restore_competencies(program, kept, codes: dict[str, Code], themes: dict[str, Theme]):
    by_guid = {str(code.guid): code for code in codes.values()}
    theme_by_guid = {str(theme.guid): theme for theme in themes.values()}
    for competency, kind, guid in kept:
        target = (by_guid if kind == "code" else theme_by_guid).get(guid)
        if target is not None:
            CompetencyMapping.objects.create(
                program=program, competency=competency, **{kind: target}
            )


class _DryRun(Exception):
    pass


def qdpx_import(
    *, program: Program, content: bytes, by, replace: bool = False, dry_run: bool = False
) -> ExchangeResult:
    """Import a .qdpx into `program`, all or nothing.

    The project file is validated against the REFI-QDA schema before anything else (a file
    that fails is refused with the schema's line and element); then every selection must
    lie inside its text and every reference must resolve. A program that already holds
    qualitative work is only overwritten with `replace=True` (see `_clear_for_replacement`
    for what stays). `dry_run` checks and counts everything, writes nothing. Raises
    RefiQdaError with the problems; nothing is changed then.
    """
    project = refi_qda.qdpx_unpack(content)
    if not replace and _program_has_work(program):
        raise RefiQdaError(
            [
                f"{program.name} already has documents, codes or memos. Importing a project "
                "replaces them: tick “Replace this program's documents…” on the page (on the "
                "console: --replace) to go on."
            ]
        )
    result = ExchangeResult()
    result.notices.extend(f"Not kept: {item}." for item in project.skipped)
    try:
        with transaction.atomic():
            kept = _keep_competencies(program) if replace else []
            if replace:
                _clear_for_replacement(program, {source.guid for source in project.sources})
            people = _resolve_people(project, program=program, by=by, result=result)
            codes = _write_codes(
                project.codes, program=program, by=by, result=result, project=project
            )
            themes = _write_themes(
                _skipped_sets(project, result), program=program, codes=codes, result=result
            )
            documents = _write_documents(
                project, program=program, by=by, codes=codes, people=people, result=result
            )
            _write_memos(
                project,
                program=program,
                by=by,
                codes=codes,
                themes=themes,
                documents=documents,
                people=people,
                result=result,
            )
            _restore_competencies(program, kept, codes, themes)
            result.coders = sorted(
                {
                    person.full_name
                    for person in get_user_model()
                    .objects.filter(highlights__document__program=program)
                    .distinct()
                }
            )
            if dry_run:
                raise _DryRun
    except _DryRun:
        return result
    result.applied = True
    return result


def qdc_import(*, program: Program, content: bytes, by, dry_run: bool = False) -> ExchangeResult:
    """Import a codebook (.qdc, or the codebook of a project.qde) into `program`, all or
    nothing: a code whose GUID the program already has is updated in place (name, color,
    description, parent, order), others are added; code sets become themes the same way."""
    codes, sets = refi_qda.codebook_read(content)
    result = ExchangeResult()
    project = refi_qda.Project(name="codebook", codes=codes, sets=sets)
    existing = {str(code.guid): code for code in Code.objects.filter(program=program)}
    incoming = {code.guid for code in project.all_codes()}
    names = _unique_code_names(project, result)
    clashes = [
        f"The program already has a code named “{code.name}” (a different code); rename one "
        "of them first."
        for code in existing.values()
        if str(code.guid) not in incoming
        and code.name.casefold() in {name.casefold() for name in names.values()}
    ]
    theme_names = {name.casefold() for name in _unique_theme_names(sets).values()}
    incoming_themes = {group.guid for group in sets}
    clashes += [
        f"The program already has a theme named “{theme.name}” (a different theme); rename "
        "one of them first."
        for theme in Theme.objects.filter(program=program)
        if str(theme.guid) not in incoming_themes and theme.name.casefold() in theme_names
    ]
    if clashes:
        raise RefiQdaError(clashes)
    try:
        with transaction.atomic():
            made: dict[str, Code] = {}
            new_guids = _Guids(Code, result, "code").take(
                [guid for guid in incoming if guid not in existing]
            )

            def place(code: refi_qda.Code, parent: Code | None, position: int):
                values = dict(
                    parent=parent,
                    name=names[code.guid],
                    color=_color(code.color),
                    is_codable=code.is_codable,
                    position=position,
                    **code_description_parse(code.description),
                )
                row = existing.get(code.guid)
                if row is None:
                    row = Code.objects.create(
                        guid=new_guids[code.guid], program=program, created_by=by, **values
                    )
                else:
                    for key, value in values.items():
                        setattr(row, key, value)
                    row.save()
                made[code.guid] = row
                for index, child in enumerate(code.children):
                    place(child, row, index)

            # Names are unique per program: park the updated codes' names first so a
            # codebook that swaps two names does not collide with itself.
            for guid, row in existing.items():
                if guid in incoming:
                    Code.objects.filter(pk=row.pk).update(name=f"…{row.pk}")
            for index, code in enumerate(codes):
                place(code, None, index)
            result.codes = len(made)
            themes = {str(theme.guid): theme for theme in Theme.objects.filter(program=program)}
            theme_guids = _Guids(Theme, result, "theme").take(
                [group.guid for group in sets if group.guid not in themes]
            )
            offset = Theme.objects.filter(program=program).count()
            names = _unique_theme_names(sets)
            for guid, theme in themes.items():
                if guid in names:  # parked, as the codes' names above
                    Theme.objects.filter(pk=theme.pk).update(name=f"…{theme.pk}")
            for index, group in enumerate(sets):
                theme = themes.get(group.guid)
                if theme is None:
                    theme = Theme.objects.create(
                        guid=theme_guids[group.guid],
                        program=program,
                        name=names[group.guid],
                        description=group.description,
                        position=offset + index,
                    )
                else:
                    theme.name = names[group.guid]
                    theme.description = group.description
                    theme.save()
                theme.codes.set([made[guid] for guid in group.member_codes if guid in made])
                result.themes += 1
            if dry_run:
                raise _DryRun
    except _DryRun:
        return result
    result.applied = True
    return result
