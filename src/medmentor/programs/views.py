import csv
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from medmentor.programs import access, kinds, selectors, services
from medmentor.programs.forms import ImportUploadForm, PairAddForm
from medmentor.programs.importing import (
    Header,
    ImportResult,
    pending_import_delete,
    pending_import_read,
    pending_import_save,
)
from medmentor.programs.models import Pair, Program, ProgramWeek, Role, SlashDateOrder

# --- Director and coordinator pages: imports, weeks and pairs -------------------------


def program_for_staff(request, slug: str) -> Program:
    """The program, when the signed-in person directs or coordinates it; else 403.

    404 when this page belongs to another kind of program than this one (the kind
    registry, programs.kinds, says which pages each kind has)."""
    program = get_object_or_404(Program.objects.select_related("service"), slug=slug)
    access.require_manager(
        request.user, program, "Only the program's directors and coordinators may open this page."
    )
    kinds.require_page(program=program, page=request.resolver_match.url_name)
    return program


@dataclass(frozen=True)
class ImportPage:
    kind: str
    title: str
    intro: str
    run: Callable[..., ImportResult]
    url_name: str
    columns: tuple[tuple[str, str, str], ...]  # name, required?, what it holds
    done_url_name: str
    # Below: what only some imports need.
    nav: str = ""  # the program menu entry to mark as current; blank: `kind`
    notes: str = (
        "Dates may be YYYY-MM-DD (2026-11-06), MM/DD/YYYY (11/06/2026), 6 Nov 2026, or "
        "Excel date cells."
    )
    # A downloadable template: the columns and this one example row (column: value).
    template_url_name: str = ""
    example: tuple[tuple[str, str], ...] = ()


ROSTER_PAGE = ImportPage(
    kind="roster",
    nav="people",
    title="Import the roster",
    intro="One row per person: who they are, their training level and their role in "
    "this program. New email addresses become new people; known ones are updated.",
    run=services.roster_import,
    url_name="roster-import",
    columns=(
        ("email", "required", "The person's email address; it identifies them."),
        (
            "full_name",
            "required",
            "As it should appear in emails and pages. For someone another program also "
            "holds, name and level as medmentor has them: this roster cannot change them.",
        ),
        (
            "training_level",
            "required",
            "MS1–MS4, R1–R5, PGY-1–PGY-7, fellow, faculty or other.",
        ),
        (
            "role",
            "required",
            "director, coordinator, faculty, senior, junior or researcher; several "
            "separated by “;”. These become the person's roles in this program. Only a "
            "director gives or takes away director and coordinator, and nobody changes "
            "their own roles here.",
        ),
        ("institution", "optional", "An institution medmentor knows; blank keeps theirs."),
        ("specialty", "optional", "Free text, e.g. Radiology; blank keeps theirs."),
        ("joined_on", "optional", "Date they join the program."),
        ("left_on", "optional", "Date they leave the program."),
    ),
    done_url_name="roster-import",
)

SCHEDULE_PAGE = ImportPage(
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


def _pending_key(page: ImportPage, program: Program) -> str:
    return f"medmentor.pending-import.{page.kind}.{program.pk}"


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _pending_drop(request, key: str) -> None:
    pending = request.session.pop(key, None)
    if isinstance(pending, dict):
        pending_import_delete(name=str(pending.get("file", "")))


def _pending_content(request, key: str, program: Program) -> tuple[dict, bytes] | None:
    """The waiting preview of this page, program and person, with the file's bytes."""
    pending = request.session.get(key)
    if not isinstance(pending, dict) or "file" not in pending:
        return None  # none, or one left in the session by an older version
    if pending.get("program") != program.pk or pending.get("person") != request.user.pk:
        return None
    content = pending_import_read(name=pending["file"])
    return None if content is None else (pending, content)


def import_page(request, slug: str, page: ImportPage):
    program = program_for_staff(request, slug)
    key = _pending_key(page, program)
    form = ImportUploadForm()
    context = {"program": program, "page": page, "form": form, "result": None}
    status = 200
    # Each import checks who imports, and the roster what this person may change.
    importer = {"by": request.user}

    if request.method == "POST" and request.POST.get("action") == "cancel":
        _pending_drop(request, key)
        messages.info(request, "Nothing was imported.")
        return redirect(page.url_name, slug=program.slug)
    if request.method == "POST" and request.POST.get("action") == "apply":
        # Apply exactly the bytes the director previewed: they wait in a private file
        # named in the session, and the digest in the confirm form must match them.
        waiting = _pending_content(request, key, program)
        digest = request.POST.get("digest", "")
        if waiting is None or waiting[0]["digest"] != digest or _digest(waiting[1]) != digest:
            messages.error(
                request,
                "That preview is no longer waiting to be imported (it was replaced by a "
                "newer preview, already imported, or waited more than a day). Upload the "
                "file again.",
            )
            return redirect(page.url_name, slug=program.slug)
        pending, content = waiting
        result = page.run(
            program=program,
            file_name=pending["file_name"],
            content=content,
            apply=True,
            **importer,
        )
        if result.applied:
            _pending_drop(request, key)
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
    elif request.method == "POST" and request.POST.get("action") == "map":
        # The column step: remember which header holds which column, preview again.
        waiting = _pending_content(request, key, program)
        if waiting is None:
            messages.error(
                request,
                "That preview is no longer waiting (it was replaced, imported, or waited "
                "more than a day). Upload the file again.",
            )
            return redirect(page.url_name, slug=program.slug)
        pending, content = waiting
        before = page.run(
            program=program,
            file_name=pending["file_name"],
            content=content,
            apply=False,
            **importer,
        )
        choices = {
            header.key: _chosen_field(request.POST.get(f"column-{header.key}", ""))
            for header in before.headers
        }
        try:
            services.import_column_mapping_save(
                program=program,
                kind=page.kind,
                choices=choices,
                headings={header.key: header.text for header in before.headers},
                slash_dates=request.POST.get("slash_dates", ""),
                by=request.user,
                fill={
                    column: request.POST.get(f"fill-{column}", "")
                    for column in services.FILLABLE.get(page.kind, {})
                },
            )
        except ValidationError as error:
            context.update(
                result=before,
                file_name=pending["file_name"],
                mapping_errors=error.messages,
                mapping_choices=choices,
            )
            status = 400
        else:
            status = _preview(
                request,
                page,
                program,
                key,
                context,
                file_name=pending["file_name"],
                content=content,
            )
    elif request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            status = _preview(
                request, page, program, key, context, file_name=upload.name, content=upload.read()
            )
        else:
            status = 400
    if context["result"] is not None:
        context["column_step"] = _column_step(
            context["result"], context.get("mapping_choices"), page.kind
        )
    return render(request, "programs/import.html", context, status=status)


IGNORE_CHOICE = "ignore"


def _chosen_field(value: str) -> str:
    """A select's value as the service takes it: "ignore" (or nothing) is ""."""
    return "" if value in ("", IGNORE_CHOICE) else value


def _preview(request, page: ImportPage, program: Program, key: str, context: dict, **file) -> int:
    """Preview the file and keep it waiting for its confirm (or its column step);
    returns the page's status."""
    content = file["content"]
    result = page.run(program=program, apply=False, by=request.user, **file)
    context.update(result=result, file_name=file["file_name"])
    _pending_drop(request, key)  # a new preview replaces the one waiting
    if not result.headers:
        return 400  # not a readable file: there is nothing to map or confirm
    digest = _digest(content)
    request.session[key] = {
        "file": pending_import_save(content=content),
        "file_name": file["file_name"],
        "digest": digest,
        "program": program.pk,
        "person": request.user.pk,
    }
    if not result.ok:
        return 400
    context["digest"] = digest
    context["has_changes"] = bool(result.counts["create"] + result.counts["update"])
    context["form"] = ImportUploadForm()
    return 200


@dataclass(frozen=True)
class ColumnChoice:
    """One header in the column step: its select's name, options and chosen value."""

    header: Header
    select_name: str
    chosen: str
    recognised: bool


def _column_step(result: ImportResult, posted: dict[str, str] | None, kind: str) -> dict | None:
    """What the column step shows: every header of the file with the column it is read
    as; open when a header is not recognised or a required column is missing."""
    if not result.headers:
        return None
    headers = []
    for header in result.headers:
        # An ignored header ("" by the program's mapping) was decided, so it counts.
        recognised = not header.name or header.name in result.fields
        chosen = (header.name or IGNORE_CHOICE) if recognised else IGNORE_CHOICE
        if posted is not None and header.key in posted:
            chosen = posted[header.key] or IGNORE_CHOICE
        headers.append(
            ColumnChoice(
                header=header,
                select_name=f"column-{header.key}",
                chosen=chosen,
                recognised=recognised,
            )
        )
    missing = any(
        error.row is not None and "missing required column" in error.reason
        for error in result.file_errors
    )
    return {
        "headers": headers,
        "fields": result.fields,
        "ignore": IGNORE_CHOICE,
        "open": missing or any(not choice.recognised for choice in headers),
        "day_first": result.day_first,
        "date_orders": SlashDateOrder.choices,
        "fills": [
            {"column": column, "values": values, "chosen": result.fill.get(column, "")}
            for column, values in services.FILLABLE.get(kind, {}).items()
        ],
    }


@login_required
def roster_import(request, slug: str):
    return import_page(request, slug, ROSTER_PAGE)


@login_required
def schedule_import(request, slug: str):
    return import_page(request, slug, SCHEDULE_PAGE)


def import_template(request, slug: str, page: ImportPage) -> HttpResponse:
    """The page's columns as a CSV header, with its one example row beneath."""
    program = program_for_staff(request, slug)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([name for name, _, _ in page.columns])
    example = dict(page.example)
    writer.writerow([example.get(name, "") for name, _, _ in page.columns])
    # The byte-order mark makes Excel open the file as UTF-8 (the import accepts it).
    response = HttpResponse(
        buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{program.slug}-{page.kind}.csv"'
    return response


@login_required
def program_weeks(request, slug: str):
    program = program_for_staff(request, slug)
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
    program = program_for_staff(request, slug)
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
    except (services.PairError, services.WeekFinishedError) as error:
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
    program = program_for_staff(request, slug)
    pair = get_object_or_404(
        Pair.objects.select_related("week", "junior", "senior"),
        pk=pair_id,
        week__program=program,
        is_removed=False,
    )
    try:
        services.pair_remove(pair=pair, by=request.user)
    except services.WeekFinishedError as error:
        messages.error(request, f"The pair was not removed: {error}")
        return redirect(_weeks_url(program, pair.week_id))
    messages.success(
        request,
        f"{pair.junior.full_name} is no longer paired with {pair.senior.full_name} in the "
        f"{pair.week}. Deriving pairs again will not bring this pair back.",
    )
    return redirect(_weeks_url(program, pair.week_id))
