"""Qualitative pages: documents, de-identification review, codebook, coding, comparison,
agreement, competency map and reports. Thin: parse, call a service or a selector, render.

Researchers see what people said; the director and coordinators see counts on the
overview; everyone else gets 403 (selectors.qualitative_role).
"""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from medmentor.csv_safety import SafeWriter
from medmentor.programs import access
from medmentor.programs.models import Program
from medmentor.qualitative import selectors, services
from medmentor.qualitative.models import (
    AgreementUnit,
    Code,
    Competency,
    Document,
    DocumentKind,
    DocumentStatus,
    Highlight,
    ReplacementStatus,
    Theme,
)
from medmentor.qualitative.rendering import document_html

MAX_UPLOAD = 20 * 1024 * 1024


def _program(slug: str) -> Program:
    return get_object_or_404(Program, slug=slug)


def _researcher_program(request, slug: str) -> Program:
    program = _program(slug)
    access.require_researcher(request.user, program, selectors.RESEARCHERS_ONLY)
    return program


def _document(request, slug: str, document_id: int) -> Document:
    program = _researcher_program(request, slug)
    try:
        return selectors.document_for(program=program, viewer=request.user, document_id=document_id)
    except Document.DoesNotExist as error:
        raise Http404("No such document in this program.") from error


def _url(name: str, program: Program, **kwargs) -> str:
    return reverse(name, kwargs={"slug": program.slug, **kwargs})


def _render(request, template: str, program: Program, current: str, context: dict):
    return render(
        request,
        f"qualitative/{template}",
        {"program": program, "current": current, **context},
    )


# --- Overview, settings, import ---------------------------------------------------------


@login_required
def overview(request, slug: str):
    program = _program(slug)
    role = selectors.qualitative_role(person=request.user, program=program)
    standing = access.program_access(request.user, program)
    context = {
        "counts": selectors.qualitative_counts(program=program, viewer=request.user),
        "settings": selectors.qualitative_settings(program=program),
        "is_director": standing.is_director,
        "is_researcher": role == "researcher",
        "units": AgreementUnit.choices,
    }
    if role == "researcher":
        context["documents"] = selectors.documents_for(program=program, viewer=request.user)
    return _render(request, "overview.html", program, "documents", context)


@login_required
@require_POST
def settings_update(request, slug: str):
    program = _program(slug)
    selectors.qualitative_role(person=request.user, program=program)
    try:
        if "keep_originals" in request.POST:
            services.qualitative_settings_update(
                program=program,
                by=request.user,
                keep_originals=request.POST["keep_originals"] == "yes",
            )
        if "agreement_unit" in request.POST:
            services.qualitative_settings_update(
                program=program, by=request.user, agreement_unit=request.POST["agreement_unit"]
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Saved.")
    back = "qualitative-agreement" if request.POST.get("next") == "agreement" else "qualitative"
    return redirect(_url(back, program))


@login_required
def document_import(request, slug: str):
    program = _researcher_program(request, slug)
    error = ""
    values = {"title": "", "kind": DocumentKind.FOCUS_GROUP, "attributes": ""}
    if request.method == "POST" and request.POST.get("source") == "survey":
        wave_id, _, item_id = request.POST.get("survey_item", "").partition(":")
        try:
            if not (wave_id.isdigit() and item_id.isdigit()):
                raise ValidationError(
                    "Choose a free-text question of one of this program's surveys."
                )
            document = services.open_answers_import(
                program=program, by=request.user, wave_id=int(wave_id), item_id=int(item_id)
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(request, f"“{document.title}” made. Review each replacement first.")
            return redirect(_url("qualitative-review", program, document_id=document.pk))
    elif request.method == "POST":
        upload = request.FILES.get("file")
        values = {key: request.POST.get(key, default) for key, default in values.items()}
        if upload is None:
            error = "Choose a transcript file (.vtt, .srt, .docx or .txt)."
        elif upload.size > MAX_UPLOAD:
            error = f"{upload.name} is larger than 20 MB; split it into parts."
        else:
            try:
                document = services.document_import(
                    program=program,
                    by=request.user,
                    file_name=upload.name,
                    content=upload.read(),
                    title=values["title"],
                    kind=values["kind"],
                    attributes=services.attributes_from_text(values["attributes"]),
                )
            except ValidationError as problem:
                error = " ".join(problem.messages)
            else:
                messages.success(
                    request,
                    f"“{document.title}” imported. Review each replacement before anyone codes it.",
                )
                return redirect(_url("qualitative-review", program, document_id=document.pk))
    return _render(
        request,
        "import.html",
        program,
        "documents",
        {
            "error": error,
            "values": values,
            "kinds": DocumentKind.choices,
            "survey_items": selectors.survey_open_items(program=program, viewer=request.user),
        },
    )


# --- De-identification review -----------------------------------------------------------


@login_required
def review(request, slug: str, document_id: int):
    document = _document(request, slug, document_id)
    program = document.program
    if document.status != DocumentStatus.REVIEW:
        messages.info(request, "The review of this document is finished.")
        return redirect(_url("qualitative-document", program, document_id=document.pk))
    error = ""
    rows = selectors.replacements_for_review(document=document, viewer=request.user)
    if request.method == "POST":
        decisions = {}
        for item in rows:  # one decision per group, for every occurrence in it
            row = item["row"]
            decision = (
                request.POST.get(f"decision-{row.pk}", ""),
                request.POST.get(f"correction-{row.pk}", ""),
            )
            decisions.update(dict.fromkeys((member.pk for member in item["rows"]), decision))
        try:
            services.document_review_finish(document=document, by=request.user, decisions=decisions)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(request, f"“{document.title}” is de-identified and ready to code.")
            return redirect(_url("qualitative-document", program, document_id=document.pk))
    return _render(
        request,
        "review.html",
        program,
        "documents",
        {
            "document": document,
            "rows": rows,
            "error": error,
            "choices": [
                (ReplacementStatus.ACCEPTED, "Accept"),
                (ReplacementStatus.CORRECTED, "Correct"),
                (ReplacementStatus.REJECTED, "Keep as written"),
            ],
            "posted": request.POST,
        },
    )


@login_required
@require_POST
def review_add(request, slug: str, document_id: int):
    document = _document(request, slug, document_id)
    try:
        added = services.replacement_add(
            document=document,
            by=request.user,
            words=request.POST.get("words", ""),
            replacement=request.POST.get("replacement", ""),
        )
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
    else:
        messages.success(
            request, f"{len(added)} more replacement{'s' if len(added) != 1 else ''} added."
        )
    return redirect(_url("qualitative-review", document.program, document_id=document.pk))


# --- Coding -----------------------------------------------------------------------------


@login_required
def document_page(request, slug: str, document_id: int):
    document = _document(request, slug, document_id)
    program = document.program
    if document.status == DocumentStatus.REVIEW:
        return redirect(_url("qualitative-review", program, document_id=document.pk))
    codes = selectors.codes_of(program=program)
    names = {code.pk: code.name for code in codes}
    highlights = list(selectors.highlights_visible(document=document, viewer=request.user))
    for highlight in highlights:
        highlight.code_ids = [code.pk for code in highlight.codes.all()]
        quote = " ".join(document.text[highlight.start : highlight.end].split())
        highlight.quote = quote if len(quote) <= 200 else quote[:199] + "…"
    own = [h for h in highlights if h.coder_id == request.user.pk and not h.is_agreed]
    shown = highlights if request.GET.get("show") != "mine" else own
    body = document_html(
        text=document.text, turns=list(document.turns.all()), highlights=shown, code_names=names
    )
    return _render(
        request,
        "document.html",
        program,
        "documents",
        {
            "document": document,
            "body": body,
            "codes": codes,
            "own": own,
            "others": [h for h in highlights if h not in own],
            "assignment": selectors.coder_assignment_of(document=document, viewer=request.user),
            "memos": selectors.memos_of(program=program, viewer=request.user, document=document),
            "error": request.session.pop("qualitative_error", ""),
            "kinds": DocumentKind.choices,
            "attributes_text": ", ".join(f"{k}={v}" for k, v in document.attributes.items()),
        },
    )


@login_required
@require_POST
def document_update(request, slug: str, document_id: int):
    document = _document(request, slug, document_id)
    try:
        services.document_update(
            document=document,
            by=request.user,
            title=request.POST.get("title", ""),
            kind=request.POST.get("kind", ""),
            attributes=services.attributes_from_text(request.POST.get("attributes", "")),
        )
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
    else:
        messages.success(request, "Document details saved.")
    return redirect(_url("qualitative-document", document.program, document_id=document.pk))


@login_required
@require_POST
def document_delete(request, slug: str, document_id: int):
    document = _document(request, slug, document_id)
    program = document.program
    try:
        services.document_delete(
            document=document, by=request.user, confirm_title=request.POST.get("confirm", "")
        )
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
        return redirect(_url("qualitative-document", program, document_id=document.pk))
    messages.success(request, f"“{document.title}” deleted.")
    return redirect(_url("qualitative", program))


@login_required
@require_POST
def highlight_add(request, slug: str, document_id: int):
    document = _document(request, slug, document_id)
    program = document.program
    try:
        start, end = int(request.POST.get("start", "")), int(request.POST.get("end", ""))
    except ValueError:
        request.session["qualitative_error"] = (
            "Select some text first (or choose a sentence with Tab): the selection's "
            "start and end must be whole numbers."
        )
    else:
        ids = request.POST.getlist("codes")
        codes = list(Code.objects.filter(program=program, pk__in=[i for i in ids if i.isdigit()]))
        try:
            services.highlight_create(
                document=document, coder=request.user, start=start, end=end, codes=codes
            )
        except ValidationError as problem:
            request.session["qualitative_error"] = " ".join(problem.messages)
        else:
            messages.success(request, "Coded.")
    return redirect(_url("qualitative-document", program, document_id=document.pk) + "#coding")


@login_required
@require_POST
def highlight_remove(request, slug: str, document_id: int, highlight_id: int):
    document = _document(request, slug, document_id)
    highlight = get_object_or_404(Highlight, document=document, pk=highlight_id)
    try:
        services.highlight_delete(highlight=highlight, by=request.user)
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
    else:
        messages.success(request, "Highlight removed.")
    return redirect(_url("qualitative-document", document.program, document_id=document.pk))


@login_required
@require_POST
def coding_finish(request, slug: str, document_id: int):
    document = _document(request, slug, document_id)
    try:
        services.coder_finish(document=document, coder=request.user, by=request.user)
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
    else:
        messages.success(request, f"Your coding of “{document.title}” is marked finished.")
    return redirect(_url("qualitative-document", document.program, document_id=document.pk))


@login_required
@require_POST
def coding_reopen(request, slug: str, document_id: int):
    document = _document(request, slug, document_id)
    try:
        services.coder_reopen(document=document, coder=request.user, by=request.user)
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
    else:
        messages.success(request, f"Your coding of “{document.title}” is open again.")
    return redirect(_url("qualitative-document", document.program, document_id=document.pk))


@login_required
@require_POST
def memo_add(request, slug: str):
    program = _researcher_program(request, slug)
    targets = {
        "code": Code.objects.filter(program=program),
        "theme": Theme.objects.filter(program=program),
        "document": Document.objects.filter(program=program),
    }
    about = {}
    for key, queryset in targets.items():
        value = request.POST.get(key, "")
        if value.isdigit():
            about[key] = get_object_or_404(queryset, pk=value)
    try:
        services.memo_create(
            program=program,
            by=request.user,
            text=request.POST.get("text", ""),
            title=request.POST.get("title", ""),
            **about,
        )
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
    else:
        messages.success(request, "Memo saved.")
    if "document" in about:
        return redirect(_url("qualitative-document", program, document_id=about["document"].pk))
    if "code" in about:
        return redirect(_url("qualitative-code", program, code_id=about["code"].pk))
    if "theme" in about:
        return redirect(_url("qualitative-theme", program, theme_id=about["theme"].pk))
    return redirect(_url("qualitative-codebook", program))


# --- Comparison and adjudication --------------------------------------------------------


@login_required
def compare(request, slug: str, document_id: int):
    document = _document(request, slug, document_id)
    program = document.program
    if request.method == "POST":
        services.comparison_open(document=document, by=request.user)
        messages.success(
            request, "The comparison is open: every researcher now sees every coder's highlights."
        )
        return redirect(_url("qualitative-compare", program, document_id=document.pk))
    if document.comparison_opened_at is None:
        return _render(request, "compare_closed.html", program, "agreement", {"document": document})
    coders, rows = selectors.comparison_for(document=document, viewer=request.user)
    adjudicated = hasattr(document, "adjudication")
    for row in rows:
        # The codes to choose from: any a coder applied; ticked: the agreed ones once
        # saved, else those most coders applied.
        seen = {code.pk: code for applied in row.by_coder for code in applied}
        seen |= {code.pk: code for code in row.agreed}
        chosen = {code.pk for code in row.agreed} if adjudicated else row.majority
        row.candidates = [
            {"pk": pk, "name": code.name, "checked": pk in chosen}
            for pk, code in sorted(seen.items(), key=lambda item: item[1].name)
        ]
    page = selectors.agreement_for(program=program, viewer=request.user, document=document)
    return _render(
        request,
        "compare.html",
        program,
        "agreement",
        {
            "document": document,
            "coders": coders,
            "rows": rows,
            "page": page,
            "only_differences": request.GET.get("show") == "differences",
            "adjudicated": adjudicated,
        },
    )


@login_required
@require_POST
def adjudicate(request, slug: str, document_id: int):
    document = _document(request, slug, document_id)
    program = document.program
    codes = {code.pk: code for code in Code.objects.filter(program=program)}
    agreed: dict[tuple[int, int], list[Code]] = {}
    for value in request.POST.getlist("agree"):
        try:
            start, end, code_id = (int(part) for part in value.split("-"))
        except ValueError:
            messages.error(request, f"“{value[:30]}” is not a unit and code of this page.")
            return redirect(_url("qualitative-compare", program, document_id=document.pk))
        if code_id in codes:
            agreed.setdefault((start, end), []).append(codes[code_id])
    try:
        services.adjudication_save(
            document=document,
            by=request.user,
            agreed=[(start, end, chosen) for (start, end), chosen in sorted(agreed.items())],
            note=request.POST.get("note", ""),
        )
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
    else:
        messages.success(request, "The agreed coding is saved.")
    return redirect(_url("qualitative-compare", program, document_id=document.pk))


@login_required
def agreement(request, slug: str):
    program = _researcher_program(request, slug)
    leave_out = request.GET.get("uncoded") == "leave-out"
    page = selectors.agreement_for(
        program=program, viewer=request.user, leave_out_uncoded=leave_out
    )
    waiting = selectors.unfinished_coders(program=program, viewer=request.user)
    return _render(
        request,
        "agreement.html",
        program,
        "agreement",
        {
            "page": page,
            "leave_out": leave_out,
            "units": AgreementUnit.choices,
            "unfinished": [
                (document, waiting[document.pk])
                for document in [*page.compared, *page.blind]
                if document.pk in waiting
            ],
        },
    )


# --- Coders: who codes what -------------------------------------------------------------


@login_required
def coders(request, slug: str):
    program = _researcher_program(request, slug)
    board = selectors.coders_board(program=program, viewer=request.user)
    return _render(request, "coders.html", program, "coders", {"board": board})


@login_required
@require_POST
def coder_assignment(request, slug: str):
    program = _researcher_program(request, slug)
    document_id, coder_id = request.POST.get("document", ""), request.POST.get("coder", "")
    if not (document_id.isdigit() and coder_id.isdigit()):
        messages.error(request, "Choose a document and a coder from the table.")
        return redirect(_url("qualitative-coders", program))
    document = get_object_or_404(Document, program=program, pk=document_id)
    coder = next(
        (p for p in selectors.researchers_of(program=program) if p.pk == int(coder_id)), None
    )
    if coder is None:
        messages.error(request, "That coder is not one of this program's researchers.")
        return redirect(_url("qualitative-coders", program))
    action = request.POST.get("action", "")
    try:
        if action == "assign":
            services.coder_assign(document=document, coder=coder, by=request.user)
            done = f"{coder.full_name} is assigned to “{document.title}”."
        elif action == "unassign":
            services.coder_unassign(document=document, coder=coder, by=request.user)
            done = f"{coder.full_name} is no longer assigned to “{document.title}”."
        else:
            raise ValidationError(f"“{action[:20]}” is not an action; assign or unassign.")
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
    else:
        messages.success(request, done)
    return redirect(_url("qualitative-coders", program) + f"#document-{document.pk}")


# --- Codebook ---------------------------------------------------------------------------


def _code_values(post) -> dict:
    values = {
        key: post.get(key, "")
        for key in ("name", "definition", "when_to_use", "when_not_to_use", "example", "color")
    }
    return values | {"is_codable": post.get("heading") != "on"}


def _parent(program, post):
    value = post.get("parent", "")
    return get_object_or_404(Code, program=program, pk=value) if value.isdigit() else None


@login_required
def codebook(request, slug: str):
    program = _researcher_program(request, slug)
    error = ""
    if request.method == "POST":
        try:
            services.code_create(
                program=program,
                by=request.user,
                parent=_parent(program, request.POST),
                **_code_values(request.POST),
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(request, f"Code “{request.POST.get('name', '').strip()}” added.")
            return redirect(_url("qualitative-codebook", program))
    return _render(
        request,
        "codebook.html",
        program,
        "codebook",
        {
            "codes": selectors.codes_of(program=program),
            "themes": selectors.themes_of(program=program),
            "memos": selectors.memos_of(
                program=program, viewer=request.user, code=None, theme=None, document=None
            ),
            "error": error,
            "posted": request.POST if error else {},
        },
    )


@login_required
def code_page(request, slug: str, code_id: int):
    program = _researcher_program(request, slug)
    code = get_object_or_404(Code, program=program, pk=code_id)
    error = ""
    if request.method == "POST":
        try:
            services.code_update(
                code=code,
                by=request.user,
                parent=_parent(program, request.POST),
                **_code_values(request.POST),
            )
            services.competencies_set(
                program=program,
                by=request.user,
                code=code,
                competencies=request.POST.getlist("competencies"),
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(request, "Code saved.")
            return redirect(_url("qualitative-code", program, code_id=code.pk))
    return _render(
        request,
        "code.html",
        program,
        "codebook",
        {
            "code": code,
            "codes": [c for c in selectors.codes_of(program=program) if c.pk != code.pk],
            "competencies": Competency.choices,
            "mapped": set(code.competencies.values_list("competency", flat=True)),
            "memos": selectors.memos_of(program=program, viewer=request.user, code=code),
            "error": error,
        },
    )


@login_required
def theme_page(request, slug: str, theme_id: int | None = None):
    program = _researcher_program(request, slug)
    theme = get_object_or_404(Theme, program=program, pk=theme_id) if theme_id else None
    error = ""
    if request.method == "POST":
        chosen = [i for i in request.POST.getlist("codes") if i.isdigit()]
        try:
            theme = services.theme_save(
                program=program,
                by=request.user,
                theme=theme,
                name=request.POST.get("name", ""),
                description=request.POST.get("description", ""),
                codes=list(Code.objects.filter(program=program, pk__in=chosen)),
            )
            services.competencies_set(
                program=program,
                by=request.user,
                theme=theme,
                competencies=request.POST.getlist("competencies"),
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(request, f"Theme “{theme.name}” saved.")
            return redirect(_url("qualitative-theme", program, theme_id=theme.pk))
    return _render(
        request,
        "theme.html",
        program,
        "codebook",
        {
            "theme": theme,
            "codes": selectors.codes_of(program=program),
            "members": set(theme.codes.values_list("pk", flat=True)) if theme else set(),
            "competencies": Competency.choices,
            "mapped": set(theme.competencies.values_list("competency", flat=True))
            if theme
            else set(),
            "memos": selectors.memos_of(program=program, viewer=request.user, theme=theme)
            if theme
            else [],
            "error": error,
        },
    )


# --- Competency map and reports ---------------------------------------------------------


@login_required
def competencies(request, slug: str):
    program = _researcher_program(request, slug)
    matrix = selectors.competency_matrix(program=program, viewer=request.user)
    return _render(request, "competencies.html", program, "competencies", {"matrix": matrix})


@login_required
def report(request, slug: str):
    program = _researcher_program(request, slug)
    data = selectors.report_for(
        program=program, viewer=request.user, attribute=request.GET.get("attribute", "")
    )
    return _render(request, "report.html", program, "report", {"report": data})


REPORT_TABLES = ("frequencies", "attributes", "cooccurrence", "exemplars", "competencies")


@login_required
def report_csv(request, slug: str):
    program = _researcher_program(request, slug)
    table = request.GET.get("table", "frequencies")
    if table not in REPORT_TABLES:
        return HttpResponse(
            f"Unknown table “{table[:30]}”; choose one of {', '.join(REPORT_TABLES)}.",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    buffer = io.StringIO()
    writer = SafeWriter(csv.writer(buffer))
    if table == "competencies":
        matrix = selectors.competency_matrix(program=program, viewer=request.user)
        writer.writerow(
            [
                "theme",
                *[
                    f"{label} ({kind})"
                    for _, label in matrix.competencies
                    for kind in ("segments", "exemplar")
                ],
            ]
        )
        for theme, cells in matrix.rows:
            writer.writerow(
                [theme.name, *[value for cell in cells for value in (cell.count, cell.quote)]]
            )
    else:
        data = selectors.report_for(
            program=program, viewer=request.user, attribute=request.GET.get("attribute", "")
        )
        names = [code.name for code in data.codes]
        if table == "frequencies":
            writer.writerow(["document", *names])
            for document, counts in data.by_document:
                writer.writerow([document.title, *counts])
        elif table == "attributes":
            writer.writerow([data.attribute or "attribute", *names])
            for value, counts in data.by_attribute:
                writer.writerow([value, *counts])
        elif table == "cooccurrence":
            writer.writerow(["code", *names])
            for code, counts in data.cooccurrence:
                writer.writerow([code.name, *counts])
        else:
            writer.writerow(["theme", "quote", "document"])
            for theme, quotes in data.exemplars:
                for quote, title in quotes:
                    writer.writerow([theme.name, quote, title])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{program.slug}-{table}.csv"'
    return response


@login_required
def report_pdf(request, slug: str):
    from medmentor.qualitative.pdf import report_pdf as build  # WeasyPrint: only when asked

    program = _researcher_program(request, slug)
    content = build(
        request=request,
        program=program,
        report=selectors.report_for(program=program, viewer=request.user),
        matrix=selectors.competency_matrix(program=program, viewer=request.user),
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{program.slug}-qualitative.pdf"'
    return response
