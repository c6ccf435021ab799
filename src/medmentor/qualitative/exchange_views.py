"""The researcher's exchange page: download the program's work as a REFI-QDA project
(.qdpx) or codebook (.qdc), and import one from NVivo, ATLAS.ti, MAXQDA or QualCoder.

Only the program's researchers open these pages (focus-group content is theirs alone;
others get 403, people not signed in go to the sign-in page). An import is one step and
all or nothing: “Check only” runs the whole import and rolls it back, so what it reports
is exactly what importing would write.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from medmentor.programs import access
from medmentor.programs.models import Program
from medmentor.qualitative import exchange

MAX_UPLOAD = 100 * 1024 * 1024


class ExchangeUploadForm(forms.Form):
    # Kept beside its only view: the exchange page is this module's alone.
    file = forms.FileField(
        label="REFI-QDA project (.qdpx) or codebook (.qdc)",
        help_text="As NVivo, ATLAS.ti, MAXQDA or QualCoder export it; at most 100 MB.",
    )
    replace = forms.BooleanField(
        required=False,
        label="Replace this program's documents, codes, themes, highlights and memos",
        help_text="Needed when the program already holds qualitative work (a .qdpx only). "
        "Competency mappings are kept for the codes and themes that come back.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".qdpx", ".qdc")):
            raise forms.ValidationError(
                f"“{upload.name}” is not a .qdpx project or a .qdc codebook."
            )
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(
                f"“{upload.name}” is {upload.size / 2**20:.0f} MB; at most 100 MB."
            )
        return upload


def _researcher_program(request, slug: str) -> Program:
    program = get_object_or_404(Program, slug=slug)
    access.require_researcher(
        request.user, program, "Only the program's researchers exchange its qualitative work."
    )
    return program


def _page(request, program, form, *, problems=(), result=None, status=200):
    return render(
        request,
        "qualitative/exchange.html",
        {"program": program, "form": form, "problems": problems, "result": result},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def exchange_page(request, slug: str):
    program = _researcher_program(request, slug)
    if request.method == "GET":
        return _page(request, program, ExchangeUploadForm())
    form = ExchangeUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, program, form, status=400)
    upload = form.cleaned_data["file"]
    content = upload.read()
    dry_run = "check" in request.POST
    try:
        if upload.name.lower().endswith(".qdc"):
            result = exchange.qdc_import(
                program=program, content=content, by=request.user, dry_run=dry_run
            )
        else:
            result = exchange.qdpx_import(
                program=program,
                content=content,
                by=request.user,
                replace=form.cleaned_data["replace"],
                dry_run=dry_run,
            )
    except exchange.RefiQdaError as error:
        return _page(request, program, form, problems=error.problems, status=400)
    if dry_run:
        return _page(request, program, form, result=result)
    messages.success(request, f"Imported {upload.name}: {result.summary()}.")
    for notice in result.notices:
        messages.warning(request, notice)
    return redirect("qualitative-exchange", slug=program.slug)


def _download(content: bytes, file_name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


@login_required
@require_GET
def qdpx_download(request, slug: str):
    program = _researcher_program(request, slug)
    content = exchange.qdpx_export(program=program, viewer=request.user)
    return _download(content, f"{program.slug}.qdpx", "application/zip")


@login_required
@require_GET
def qdc_download(request, slug: str):
    program = _researcher_program(request, slug)
    try:
        content = exchange.qdc_export(program=program)
    except exchange.RefiQdaError as error:
        for problem in error.problems:
            messages.error(request, problem)
        return redirect("qualitative-exchange", slug=program.slug)
    return _download(content, f"{program.slug}-codebook.qdc", "application/xml")
