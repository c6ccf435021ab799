import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from medmentor.programs import selectors, services
from medmentor.programs.forms import ImportUploadForm, PairAddForm
from medmentor.programs.importing import ImportResult
from medmentor.programs.models import STAFF_ROLES, Pair, Program, ProgramWeek, Role


@login_required
def home(request):
    programs = selectors.programs_for_person(person=request.user)
    if len(programs) == 1:
        return redirect(programs[0].url)
    return render(request, "programs/home.html", {"programs": programs})


# --- Director and coordinator pages: imports, weeks and pairs -------------------------


def _program_for_staff(request, slug: str) -> Program:
    """The program, when the signed-in person directs or coordinates it; else 403."""
    program = get_object_or_404(Program.objects.select_related("service"), slug=slug)
    if not selectors.roles_in_program(person=request.user, program=program) & set(STAFF_ROLES):
        raise PermissionDenied("Only the program's directors and coordinators may open this page.")
    return program


@dataclass(frozen=True)
class _ImportPage:
    kind: str
    title: str
    intro: str
    run: Callable[..., ImportResult]
    url_name: str
    columns: tuple[tuple[str, str, str], ...]  # name, required?, what it holds
    done_url_name: str


ROSTER_PAGE = _ImportPage(
    kind="roster",
    title="Import the roster",
    intro="One row per person: who they are, their training level and their role in "
    "this program. New email addresses become new people; known ones are updated.",
    run=services.roster_import,
    url_name="roster-import",
    columns=(
        ("email", "required", "The person's email address; it identifies them."),
        ("full_name", "required", "As it should appear in emails and pages."),
        (
            "training_level",
            "required",
            "MS1–MS4, R1–R5, PGY-1–PGY-7, fellow, faculty or other.",
        ),
        (
            "role",
            "required",
            "director, coordinator, faculty, senior, junior or researcher; several "
            "separated by “;”. These become the person's roles in this program.",
        ),
        ("institution", "optional", "An institution medmentor knows; blank keeps theirs."),
        ("specialty", "optional", "Free text, e.g. Radiology; blank keeps theirs."),
        ("joined_on", "optional", "Date they join the program."),
        ("left_on", "optional", "Date they leave the program."),
    ),
    done_url_name="roster-import",
)

SCHEDULE_PAGE = _ImportPage(
    kind="schedule",
    title="Import the service schedule",
    intro="One row per rotation block: who is on which service, from which day to which "
    "day (both included). Everyone must already be on the roster. After the import the "
    "weekly pairs are derived again for the weeks the schedule covers.",
    run=services.schedule_import,
    url_name="schedule-import",
    columns=(
        ("email", "required", "A person on this program's roster."),
        (
            "service",
            "optional",
            "A service at the program's institution; blank means the program's own service.",
        ),
        ("start_date", "required", "First day on service."),
        ("end_date", "required", "Last day on service."),
    ),
    done_url_name="program-weeks",
)


def _pending_key(page: _ImportPage, program: Program) -> str:
    return f"medmentor.pending-import.{page.kind}.{program.pk}"


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _import_page(request, slug: str, page: _ImportPage):
    program = _program_for_staff(request, slug)
    key = _pending_key(page, program)
    form = ImportUploadForm()
    context = {"program": program, "page": page, "form": form, "result": None}
    status = 200

    if request.method == "POST" and request.POST.get("action") == "cancel":
        request.session.pop(key, None)
        messages.info(request, "Nothing was imported.")
        return redirect(page.url_name, slug=program.slug)
    if request.method == "POST" and request.POST.get("action") == "apply":
        # Apply exactly the bytes the director previewed: they wait in the session,
        # and the digest in the confirm form must match them.
        pending = request.session.get(key)
        digest = request.POST.get("digest", "")
        content = base64.b64decode(pending["content"]) if pending else b""
        if not pending or pending["digest"] != digest or _digest(content) != digest:
            messages.error(
                request,
                "That preview is no longer waiting to be imported (it was replaced by a "
                "newer preview, or already imported). Upload the file again.",
            )
            return redirect(page.url_name, slug=program.slug)
        result = page.run(
            program=program, file_name=pending["file_name"], content=content, apply=True
        )
        if result.applied:
            del request.session[key]
            counts = result.counts
            summary = (
                f"Imported “{pending['file_name']}”: {counts['create']} created, "
                f"{counts['update']} updated, {counts['unchanged']} unchanged."
            )
            messages.success(request, " ".join([summary, *result.notes]))
            return redirect(page.done_url_name, slug=program.slug)
        # The data changed between preview and confirm; show why nothing was written.
        context.update(result=result, file_name=pending["file_name"])
        status = 400
    elif request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read()
            result = page.run(program=program, file_name=upload.name, content=content, apply=False)
            context.update(result=result, file_name=upload.name)
            if result.ok:
                digest = _digest(content)
                request.session[key] = {
                    "file_name": upload.name,
                    "content": base64.b64encode(content).decode("ascii"),
                    "digest": digest,
                }
                context["digest"] = digest
                context["has_changes"] = bool(result.counts["create"] + result.counts["update"])
                context["form"] = ImportUploadForm()
            else:
                request.session.pop(key, None)
                status = 400
        else:
            status = 400
    return render(request, "programs/import.html", context, status=status)


@login_required
def roster_import(request, slug: str):
    return _import_page(request, slug, ROSTER_PAGE)


@login_required
def schedule_import(request, slug: str):
    return _import_page(request, slug, SCHEDULE_PAGE)


@login_required
def program_weeks(request, slug: str):
    program = _program_for_staff(request, slug)
    juniors = selectors.program_people_in_role(program=program, role=Role.JUNIOR)
    seniors = selectors.program_people_in_role(program=program, role=Role.SENIOR)
    weeks = [
        {
            "overview": overview,
            "form": PairAddForm(
                initial={"week": overview.week.id},
                juniors=juniors,
                seniors=seniors,
                auto_id=f"week-{overview.week.id}-%s",
            ),
        }
        for overview in selectors.program_weeks_overview(program=program)
    ]
    return render(request, "programs/weeks.html", {"program": program, "weeks": weeks})


def _weeks_url(program: Program, week_id: int | None = None) -> str:
    url = reverse("program-weeks", kwargs={"slug": program.slug})
    return f"{url}#week-{week_id}" if week_id else url


@login_required
@require_POST
def pair_add(request, slug: str):
    program = _program_for_staff(request, slug)
    juniors = selectors.program_people_in_role(program=program, role=Role.JUNIOR)
    seniors = selectors.program_people_in_role(program=program, role=Role.SENIOR)
    form = PairAddForm(request.POST, juniors=juniors, seniors=seniors)
    if not form.is_valid():
        problems = [error for errors in form.errors.values() for error in errors]
        messages.error(request, "The pair was not added: " + " ".join(problems))
        return redirect(_weeks_url(program))
    week = ProgramWeek.objects.filter(program=program, pk=form.cleaned_data["week"]).first()
    if week is None:
        messages.error(request, "The pair was not added: that week is not in this program.")
        return redirect(_weeks_url(program))
    people = {person.pk: person for person in [*juniors, *seniors]}
    try:
        pair = services.pair_add(
            week=week,
            junior=people[form.cleaned_data["junior"]],
            senior=people[form.cleaned_data["senior"]],
            by=request.user,
        )
    except services.PairError as error:
        messages.error(request, f"The pair was not added: {error}")
        return redirect(_weeks_url(program, week.id))
    messages.success(
        request,
        f"{pair.junior.full_name} is paired with {pair.senior.full_name} in the {week}.",
    )
    return redirect(_weeks_url(program, week.id))


@login_required
@require_POST
def pair_remove(request, slug: str, pair_id: int):
    program = _program_for_staff(request, slug)
    pair = get_object_or_404(
        Pair.objects.select_related("week", "junior", "senior"),
        pk=pair_id,
        week__program=program,
        is_removed=False,
    )
    services.pair_remove(pair=pair, by=request.user)
    messages.success(
        request,
        f"{pair.junior.full_name} is no longer paired with {pair.senior.full_name} in the "
        f"{pair.week}. Deriving pairs again will not bring this pair back.",
    )
    return redirect(_weeks_url(program, pair.week_id))
