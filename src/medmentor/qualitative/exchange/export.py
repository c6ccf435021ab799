"""REFI-QDA exchange, export: a program's qualitative work as a .qdpx project or a .qdc codebook.

Part of `medmentor.qualitative.exchange` (see its docstring for the mapping).
"""

from __future__ import annotations

import uuid

from django.db.models import Prefetch

from medmentor.programs import access
from medmentor.programs.models import Program
from medmentor.qualitative import refi_qda, selectors
from medmentor.qualitative.exchange.common import (
    AGREED_DESCRIPTION,
    GUID_NAMESPACE,
    KIND_VARIABLE,
    _attribute_value,
    _coding_guid,
    _color,
    _quote_name,
    code_description,
    person_guid,
)
from medmentor.qualitative.models import (
    Code,
    CoderAssignment,
    Document,
    DocumentStatus,
    Highlight,
    Memo,
    Theme,
)
from medmentor.qualitative.refi_qda import RefiQdaError

# --- Export -----------------------------------------------------------------------------


def _codes_tree(codes: list[Code]) -> tuple[list[refi_qda.Code], dict[int, refi_qda.Code]]:
    built = {
        code.pk: refi_qda.Code(
            guid=str(code.guid),
            name=code.name,
            is_codable=code.is_codable,
            color=_color(code.color),
            description=code_description(code),
        )
        for code in codes
    }
    roots = []
    for code in codes:  # already in (position, name) order, so children keep their order
        if code.parent_id is not None and code.parent_id in built:
            built[code.parent_id].children.append(built[code.pk])
        else:
            roots.append(built[code.pk])
    return roots, built


def _program_codes(program: Program) -> list[Code]:
    return list(Code.objects.filter(program=program).order_by("position", "name", "id"))


def _program_themes(program: Program) -> list[Theme]:
    return list(
        Theme.objects.filter(program=program)
        .order_by("position", "name", "id")
        .prefetch_related(Prefetch("codes", queryset=Code.objects.order_by("position", "name")))
    )


def project_build(*, program: Program, viewer=None) -> refi_qda.Project:
    """The program's qualitative work as REFI-QDA data: the codebook, the themes, every
    document ready to code (documents still under de-identification review stay here:
    their text is not yet safe to share), their highlights, and memos.

    With a `viewer` (a page's researcher), each document's highlights are those
    `selectors.highlights_visible` shows them: every coder's once the document's
    comparison is open, only their own while coders are still blind — a download must
    not unblind anyone. Without one (the console, run by the operator), all of them.
    """
    if viewer is not None:
        access.require_researcher(viewer, program, selectors.RESEARCHERS_ONLY)
    codes = _program_codes(program)
    roots, built = _codes_tree(codes)
    themes = _program_themes(program)
    documents = list(
        Document.objects.filter(program=program, status=DocumentStatus.CODABLE)
        .select_related("program", "created_by")
        .order_by("title", "id")
        .prefetch_related(
            Prefetch(
                "highlights",
                queryset=Highlight.objects.select_related("coder")
                .prefetch_related("codes")
                .order_by("start", "end", "id"),
            ),
            Prefetch("assignments", queryset=CoderAssignment.objects.select_related("coder")),
        )
    )
    document_guids = {document.pk: str(document.guid) for document in documents}
    memos = list(
        Memo.objects.filter(program=program)
        .select_related("author", "code", "theme", "document")
        .order_by("created_at", "id")
    )
    people: dict[int, object] = {}
    project = refi_qda.Project(name=program.name, codes=roots)

    # Document attributes become Variables, one per attribute name, in first-seen order.
    variables: dict[str, refi_qda.Variable] = {}

    def variable(name: str, kind: str) -> refi_qda.Variable:
        if name not in variables:
            guid = str(uuid.uuid5(GUID_NAMESPACE, f"variable:{program.pk}:{name}"))
            variables[name] = refi_qda.Variable(guid=guid, name=name, type=kind)
        return variables[name]

    sources: dict[int, refi_qda.TextSource] = {}
    for document in documents:
        source = refi_qda.TextSource(
            guid=str(document.guid),
            name=document.title,
            text=document.text,
            created=document.created_at,
        )
        if document.created_by is not None:
            people[document.created_by_id] = document.created_by
            source.creating_user = person_guid(document.created_by)
        kind = refi_qda.VariableValue(
            variable(KIND_VARIABLE, "Text").guid, "Text", document.get_kind_display()
        )
        source.variable_values.append(kind)
        for name, value in (document.attributes or {}).items():
            typed = _attribute_value(value)
            if typed is None:
                continue
            typed.variable_guid = variable(str(name), typed.type).guid
            source.variable_values.append(typed)
        for assignment in document.assignments.all():
            people[assignment.coder_id] = assignment.coder
        if viewer is None:
            highlights = document.highlights.all()
        else:
            highlights = selectors.highlights_visible(document=document, viewer=viewer).order_by(
                "start", "end", "id"
            )
        for highlight in highlights:
            people[highlight.coder_id] = highlight.coder
            coder = person_guid(highlight.coder)
            selection = refi_qda.Selection(
                guid=str(highlight.guid),
                start=highlight.start,
                end=highlight.end,
                name=_quote_name(document.text[highlight.start : highlight.end]),
                description=AGREED_DESCRIPTION if highlight.is_agreed else "",
                creating_user=coder,
                created=highlight.created_at,
            )
            for code in sorted(highlight.codes.all(), key=lambda code: str(code.guid)):
                selection.codings.append(
                    refi_qda.Coding(
                        guid=_coding_guid(highlight.guid, code.guid),
                        code_guid=str(code.guid),
                        creating_user=coder,
                        created=highlight.created_at,
                    )
                )
            source.selections.append(selection)
        sources[document.pk] = source
        project.sources.append(source)

    theme_sets = {}
    for theme in themes:
        group = refi_qda.Set(
            guid=str(theme.guid),
            name=theme.name,
            description=theme.description,
            member_codes=[str(code.guid) for code in theme.codes.all()],
        )
        theme_sets[theme.pk] = group
        project.sets.append(group)

    for memo in memos:
        note = refi_qda.Note(
            guid=str(memo.guid), name=memo.title, text=memo.text, created=memo.created_at
        )
        if memo.author is not None:
            people[memo.author_id] = memo.author
            note.creating_user = person_guid(memo.author)
        if memo.code_id is not None and memo.code_id in built:
            built[memo.code_id].note_guids.append(note.guid)
        elif memo.document_id is not None:
            if memo.document_id not in document_guids:
                continue  # a memo on a document under review stays with it
            sources[memo.document_id].note_guids.append(note.guid)
        elif memo.theme_id is not None:
            theme_sets[memo.theme_id].member_notes.append(note.guid)
        else:
            project.note_guids.append(note.guid)
        project.notes.append(note)

    project.users = [
        refi_qda.User(guid=person_guid(person), name=person.full_name)
        for person in sorted(people.values(), key=lambda person: (person.full_name, person.pk))
    ]
    project.variables = list(variables.values())
    return project


def qdpx_export(*, program: Program, viewer=None) -> bytes:
    """The program's qualitative project as a .qdpx (zip of project.qde and sources/),
    validated against the REFI-QDA project schema; highlights as `viewer` may see them
    (see `project_build`)."""
    return refi_qda.qdpx_pack(project_build(program=program, viewer=viewer))


def qdc_export(*, program: Program) -> bytes:
    """The program's codebook alone (codes and themes) as a .qdc."""
    codes = _program_codes(program)
    if not codes:
        raise RefiQdaError(["This program has no codes yet, so there is no codebook to export."])
    roots, _built = _codes_tree(codes)
    sets = [
        refi_qda.Set(
            guid=str(theme.guid),
            name=theme.name,
            description=theme.description,
            member_codes=[str(code.guid) for code in theme.codes.all()],
        )
        for theme in _program_themes(program)
    ]
    return refi_qda.codebook_write(codes=roots, sets=sets)
