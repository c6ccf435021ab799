"""The director's curriculum pages: the overview, downloading the package, importing one.

Only the program's directors and coordinators open them (others get 403; people not
signed in go to the sign-in page). Import is two steps: the upload is checked and
previewed, kept on the server under its SHA-256 digest (named in the session), and
written only when the director confirms that same file.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from medmentor.curriculum import package, package_export
from medmentor.curriculum.forms import PackageConfirmForm, PackageUploadForm
from medmentor.programs import kinds
from medmentor.programs.models import STAFF_ROLES, Program
from medmentor.programs.selectors import roles_in_program

# The session remembers which kept upload the preview showed, per program.
UPLOAD_SESSION_KEY = "curriculum-package-upload"


def _program_run_by(request, slug: str) -> Program:
    program = get_object_or_404(Program, slug=slug)
    if not roles_in_program(person=request.user, program=program) & set(STAFF_ROLES):
        raise PermissionDenied(
            "Only the program's directors and coordinators manage its curriculum."
        )
    # A curriculum is for case-review programs only: 404 for any other kind.
    kinds.require_page(program=program, page=request.resolver_match.url_name)
    return program


@login_required
@require_GET
def curriculum_overview(request, slug: str):
    program = _program_run_by(request, slug)
    curriculum = package_export.curriculum_with_content(program=program)
    return render(
        request,
        "curriculum/package_overview.html",
        {"program": program, "curriculum": curriculum},
    )


@login_required
@require_GET
def curriculum_export(request, slug: str):
    program = _program_run_by(request, slug)
    curriculum = package.curriculum_of(program=program)
    if curriculum is None:
        messages.error(request, "This program has no curriculum to download yet.")
        return redirect("curriculum-overview", slug=program.slug)
    try:
        content = package_export.curriculum_package_export(curriculum=curriculum)
    except package.CurriculumPackageError as error:
        for problem in error.problems:
            messages.error(request, problem)
        return redirect("curriculum-overview", slug=program.slug)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{program.slug}-curriculum.zip"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def curriculum_import(request, slug: str):
    program = _program_run_by(request, slug)
    current = package.curriculum_of(program=program)
    if request.method == "POST" and "digest" in request.POST:
        return _confirm(request, program, current)
    if request.method == "POST":
        return _preview(request, program, current)
    return _upload_page(request, program, current, PackageUploadForm())


def _upload_page(request, program, current, form, problems=(), status=200):
    return render(
        request,
        "curriculum/package_import.html",
        {"program": program, "current": current, "form": form, "problems": problems},
        status=status,
    )


def _preview(request, program, current):
    form = PackageUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, program, current, form, status=400)
    upload = form.cleaned_data["package"]
    content = upload.read()
    try:
        checked = package.curriculum_package_read(content=content)
    except package.CurriculumPackageError as error:
        return _upload_page(request, program, current, form, error.problems, status=400)
    digest = package.package_upload_keep(content=content)
    request.session[UPLOAD_SESSION_KEY] = {
        "program": program.pk,
        "digest": digest,
        "name": upload.name[:200],
    }
    confirm = PackageConfirmForm(initial={"digest": digest}, must_replace=current is not None)
    return _preview_page(request, program, current, checked, upload.name, confirm)


def _preview_page(request, program, current, checked, file_name, confirm, status=200):
    return render(
        request,
        "curriculum/package_preview.html",
        {
            "program": program,
            "current": current,
            "package": checked,
            "file_name": file_name,
            "form": confirm,
        },
        status=status,
    )


def _confirm(request, program, current):
    kept = request.session.get(UPLOAD_SESSION_KEY) or {}
    form = PackageConfirmForm(request.POST, must_replace=current is not None)
    digest = request.POST.get("digest", "")
    content = None
    if kept.get("program") == program.pk and kept.get("digest") == digest:
        content = package.package_upload_fetch(digest=digest)
    if content is None:
        messages.error(
            request,
            "That upload is no longer waiting to be imported (it was imported, replaced by "
            "another upload, or is more than a day old). Upload the package again.",
        )
        return redirect("curriculum-import", slug=program.slug)
    try:
        if not form.is_valid():
            checked = package.curriculum_package_read(content=content)
            return _preview_page(
                request, program, current, checked, kept.get("name", ""), form, status=400
            )
        curriculum = package.curriculum_package_import(
            program=program, content=content, replace=form.cleaned_data["replace"]
        )
    except package.CurriculumPackageError as error:
        return _upload_page(
            request, program, current, PackageUploadForm(), error.problems, status=400
        )
    package.package_upload_discard(digest=digest)
    request.session.pop(UPLOAD_SESSION_KEY, None)
    weeks = curriculum.weeks.count()
    messages.success(
        request,
        f"Imported “{curriculum.title}”: {weeks} week{'s' if weeks != 1 else ''}. "
        "Each program week now teaches its curriculum week.",
    )
    return redirect("curriculum-overview", slug=program.slug)
