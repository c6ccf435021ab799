import csv
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from medmentor.programs import access, selectors, services
from medmentor.programs.forms import (
    ImportUploadForm,
    MatchingConflictForm,
    MatchingRunForm,
    MatchingSwapForm,
    PairAddForm,
)
from medmentor.programs.importing import (
    ImportResult,
    pending_import_delete,
    pending_import_read,
    pending_import_save,
)
from medmentor.programs.models import (
    MatchingConflict,
    MatchingPair,
    MatchingRun,
    MatchingRunStatus,
    Pair,
    Program,
    ProgramKind,
    ProgramWeek,
    Role,
)


@never_cache  # an open survey invitation's link is the person's own
@login_required
def home(request):
    """Each of the person's programs with what needs them there (programs.selectors)."""
    cards = selectors.home_cards(person=request.user)
    return render(request, "programs/home.html", {"cards": cards})


# --- Director and coordinator pages: imports, weeks and pairs -------------------------


def _program_for_staff(request, slug: str) -> Program:
    """The program, when the signed-in person directs or coordinates it; else 403."""
    program = get_object_or_404(Program.objects.select_related("service"), slug=slug)
    access.require_manager(
        request.user, program, "Only the program's directors and coordinators may open this page."
    )
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
    # Below: what only some imports need.
    nav: str = ""  # the program menu entry to mark as current; blank: `kind`
    notes: str = (
        "Dates may be YYYY-MM-DD (2026-11-06), MM/DD/YYYY (11/06/2026), 6 Nov 2026, or "
        "Excel date cells."
    )
    one_to_one_only: bool = False
    # A downloadable template: the columns and this one example row (column: value).
    template_url_name: str = ""
    example: tuple[tuple[str, str], ...] = ()


ROSTER_PAGE = _ImportPage(
    kind="roster",
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


# Described here for the page; the names and their order are the importer's own
# (services.MATCHING_PROFILE_COLUMNS), so a column added there without a word here fails
# at import time instead of drifting.
_PROFILE_COLUMN_WORDS = {
    "email": (
        "required",
        "A mentor (senior) or mentee (junior) on this program's roster; import the roster first.",
    ),
    "capacity": (
        "optional",
        "Mentors: how many mentees they take, 0–100 (0 = none this time); blank = 1. "
        "Leave it blank for mentees.",
    ),
    "specialty": ("optional", "Free text, e.g. Family Medicine."),
    "interests": ("optional", "A list separated by “;”, e.g. rural health; research."),
    "site": ("optional", "Campus or hospital, e.g. Duluth."),
    "languages": ("optional", "A list separated by “;”, e.g. English; Spanish."),
    "gender": ("optional", "As the person chose to share it; blank = not shared."),
    "urim": (
        "optional",
        "Underrepresented in medicine: yes or no, as the person chose to share it; "
        "blank = not shared.",
    ),
    "first_generation": (
        "optional",
        "First in their family to attend college: yes or no; blank = not shared.",
    ),
    "concordance": (
        "optional",
        "Mentees only: what they ask to share with their mentor — gender, urim, "
        "first_generation — separated by “;”. Each needs the mentee's own value.",
    ),
    "availability": (
        "optional",
        "Time slots they can meet, separated by “;”, e.g. Mon evening; blank = any time.",
    ),
    "preferences": (
        "optional",
        "Emails of the other side they would like, best first, separated by “;”; people "
        "ranked equally joined by “=”. Blank = no ranking.",
    ),
}
_PROFILE_EXAMPLE = {
    "email": "ana.mentee@example.edu",
    "capacity": "",
    "specialty": "Family Medicine",
    "interests": "rural health; research",
    "site": "Duluth",
    "languages": "English; Ojibwe",
    "gender": "woman",
    "urim": "yes",
    "first_generation": "yes",
    "concordance": "urim; first_generation",
    "availability": "Mon evening; Thu lunch",
    "preferences": "mara.mentor@example.edu; nate.mentor@example.edu = olu.mentor@example.edu",
}

PROFILES_PAGE = _ImportPage(
    kind="profiles",
    title="Import matching profiles",
    intro="One row per mentor or mentee already on the roster: what matching may use about "
    "them. A column in the file sets that field for every row, and a blank cell clears it "
    "(an identity attribute left blank is not shared); a column the file does not have "
    "leaves that field as it is.",
    run=services.matching_profiles_import,
    url_name="matching-profiles-import",
    columns=tuple(
        (name, *_PROFILE_COLUMN_WORDS[name]) for name in services.MATCHING_PROFILE_COLUMNS
    ),
    done_url_name="matching",
    nav="matching",
    notes="Values are compared exactly as written, so spell a site, language or interest "
    "the same way in every row.",
    one_to_one_only=True,
    template_url_name="matching-profiles-template",
    example=tuple((name, _PROFILE_EXAMPLE[name]) for name in services.MATCHING_PROFILE_COLUMNS),
)


def _pending_key(page: _ImportPage, program: Program) -> str:
    return f"medmentor.pending-import.{page.kind}.{program.pk}"


def _program_for_import(request, slug: str, page: _ImportPage) -> Program:
    if page.one_to_one_only:
        return _program_for_matching(request, slug)
    return _program_for_staff(request, slug)


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


def _import_page(request, slug: str, page: _ImportPage):
    program = _program_for_import(request, slug, page)
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
    elif request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read()
            result = page.run(
                program=program, file_name=upload.name, content=content, apply=False, **importer
            )
            context.update(result=result, file_name=upload.name)
            _pending_drop(request, key)  # a new preview replaces the one waiting
            if result.ok:
                digest = _digest(content)
                request.session[key] = {
                    "file": pending_import_save(content=content),
                    "file_name": upload.name,
                    "digest": digest,
                    "program": program.pk,
                    "person": request.user.pk,
                }
                context["digest"] = digest
                context["has_changes"] = bool(result.counts["create"] + result.counts["update"])
                context["form"] = ImportUploadForm()
            else:
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
def matching_profiles_import(request, slug: str):
    return _import_page(request, slug, PROFILES_PAGE)


def _import_template(request, slug: str, page: _ImportPage) -> HttpResponse:
    """The page's columns as a CSV header, with its one example row beneath."""
    program = _program_for_import(request, slug, page)
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
def matching_profiles_template(request, slug: str):
    return _import_template(request, slug, PROFILES_PAGE)


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
    program = _program_for_staff(request, slug)
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


# --- One-to-one matching: configure and run, review the draft, lock, swap, publish ----


def _program_for_matching(request, slug: str) -> Program:
    program = _program_for_staff(request, slug)
    if program.kind != ProgramKind.ONE_TO_ONE:
        raise Http404("Matching is for one-to-one programs.")
    return program


def _matching_form(program: Program, data=None) -> MatchingRunForm:
    latest = MatchingRun.objects.filter(program=program).order_by("-created_at", "-id").first()
    weights = latest.weights if latest else services.MATCHING_DEFAULT_WEIGHTS
    rules = latest.rules if latest else services.MATCHING_DEFAULT_RULES
    initial = {
        "objective": latest.objective if latest else "stable",
        "min_level_gap": rules.get("min_level_gap"),
        "same_site": rules.get("same_site", False),
        "shared_availability": rules.get("shared_availability", False),
        **{f"weight_{name}": value for name, value in weights.items()},
    }
    return MatchingRunForm(data, initial=initial, criteria=services.MATCHING_CRITERIA)


def _conflict_form(program: Program, data=None) -> MatchingConflictForm:
    return MatchingConflictForm(
        data,
        mentors=selectors.program_people_in_role(program=program, role=Role.SENIOR),
        mentees=selectors.program_people_in_role(program=program, role=Role.JUNIOR),
        reasons=MatchingConflict.Reason.choices,
    )


@login_required
def matching(request, slug: str):
    program = _program_for_matching(request, slug)
    form = _matching_form(program)
    status = 200
    if request.method == "POST":
        form = _matching_form(program, request.POST)
        if form.is_valid():
            try:
                run = services.matching_run_create(
                    program=program,
                    objective=form.cleaned_data["objective"],
                    weights=form.weights(),
                    rules=form.rules(),
                    by=request.user,
                )
            except services.MatchingError as error:
                form.add_error(None, str(error))
            else:
                if run.status == MatchingRunStatus.QUEUED:
                    messages.info(
                        request,
                        f"The cohort is large ({run.program.enrollments.count()} people): the "
                        "run is queued for the task runner. This page shows its progress.",
                    )
                else:
                    messages.success(
                        request,
                        f"Matched {run.matched} of {run.mentees} mentees. Review the draft "
                        "below; nothing is sent until you publish.",
                    )
                return redirect("matching-run", slug=program.slug, run_id=run.pk)
        status = 400
    context = {
        "program": program,
        "form": form,
        "cohort": selectors.matching_cohort_summary(program=program, viewer=request.user),
        "runs": selectors.matching_runs_for_staff(program=program, viewer=request.user),
        "conflicts": selectors.matching_conflicts_for_staff(program=program, viewer=request.user),
        "conflict_form": _conflict_form(program),
        "inline_limit": services.MATCHING_INLINE_LIMIT,
    }
    return render(request, "programs/matching.html", context, status=status)


def _run_url(program: Program, run_id: int, anchor: str = "") -> str:
    url = reverse("matching-run", kwargs={"slug": program.slug, "run_id": run_id})
    return f"{url}#{anchor}" if anchor else url


@login_required
def matching_run(request, slug: str, run_id: int):
    program = _program_for_matching(request, slug)
    try:
        run = selectors.matching_run_for_staff(program=program, run_id=run_id, viewer=request.user)
    except MatchingRun.DoesNotExist as unknown:
        raise Http404(str(unknown)) from unknown
    review = selectors.matching_review(run=run, viewer=request.user)
    context = {
        "program": program,
        "review": review,
        "run": run,
        "swap_form": MatchingSwapForm(pairs=review.pairs),
        "pending": run.status in (MatchingRunStatus.QUEUED, MatchingRunStatus.RUNNING),
    }
    return render(request, "programs/matching_run.html", context)


def _draft_pair(request, program: Program, run_id: int, pair_id) -> tuple[MatchingRun, object]:
    try:
        run = selectors.matching_run_for_staff(program=program, run_id=run_id, viewer=request.user)
    except MatchingRun.DoesNotExist as unknown:
        raise Http404(str(unknown)) from unknown
    if pair_id is None:
        return run, None
    return run, get_object_or_404(MatchingPair.objects.select_related("run"), pk=pair_id, run=run)


@login_required
@require_POST
def matching_pair_lock(request, slug: str, run_id: int, pair_id: int):
    program = _program_for_matching(request, slug)
    run, pair = _draft_pair(request, program, run_id, pair_id)
    locked = request.POST.get("locked") == "1"
    try:
        services.matching_pair_lock(pair=pair, locked=locked, by=request.user)
    except services.MatchingError as error:
        messages.error(request, str(error))
    else:
        verb = "locked: it stays when matching runs again" if locked else "unlocked"
        messages.success(
            request, f"{pair.mentee.full_name} with {pair.mentor.full_name} is {verb}."
        )
    return redirect(_run_url(program, run.pk, f"pair-{pair.pk}"))


@login_required
@require_POST
def matching_swap(request, slug: str, run_id: int):
    program = _program_for_matching(request, slug)
    run, _ = _draft_pair(request, program, run_id, None)
    pairs = list(run.pairs.select_related("mentor", "mentee"))
    form = MatchingSwapForm(request.POST, pairs=pairs)
    if not form.is_valid():
        problems = [error for errors in form.errors.values() for error in errors]
        messages.error(request, "Nothing was swapped: " + " ".join(problems))
        return redirect(_run_url(program, run.pk, "swap"))
    by_id = {pair.pk: pair for pair in pairs}
    first, second = by_id[form.cleaned_data["first"]], by_id[form.cleaned_data["second"]]
    try:
        services.matching_pair_swap(run=run, first=first, second=second, by=request.user)
    except services.MatchingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Swapped: {first.mentee.full_name} with {first.mentor.full_name}, "
            f"{second.mentee.full_name} with {second.mentor.full_name}.",
        )
    return redirect(_run_url(program, run.pk, "swap"))


@login_required
@require_POST
def matching_publish(request, slug: str, run_id: int):
    program = _program_for_matching(request, slug)
    run, _ = _draft_pair(request, program, run_id, None)
    try:
        mentorships = services.matching_run_publish(run=run, by=request.user)
    except services.MatchingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Published: {len(mentorships)} mentorships in force. Everyone matched gets an "
            "email naming their partner (see the outbox).",
        )
    return redirect(_run_url(program, run.pk))


@login_required
@require_POST
def matching_conflict_add(request, slug: str):
    program = _program_for_matching(request, slug)
    form = _conflict_form(program, request.POST)
    if not form.is_valid():
        problems = [error for errors in form.errors.values() for error in errors]
        messages.error(request, "The conflict was not added: " + " ".join(problems))
        return redirect(reverse("matching", kwargs={"slug": program.slug}) + "#conflicts")
    people = {
        person.pk: person
        for person in selectors.program_people_in_role(program=program, role=Role.SENIOR)
        + selectors.program_people_in_role(program=program, role=Role.JUNIOR)
    }
    try:
        conflict = services.matching_conflict_add(
            program=program,
            mentor=people[form.cleaned_data["mentor"]],
            mentee=people[form.cleaned_data["mentee"]],
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    except services.MatchingError as error:
        messages.error(request, f"The conflict was not added: {error}")
    else:
        messages.success(
            request,
            f"{conflict.mentor.full_name} and {conflict.mentee.full_name} will never be paired.",
        )
    return redirect(reverse("matching", kwargs={"slug": program.slug}) + "#conflicts")


@login_required
@require_POST
def matching_conflict_remove(request, slug: str, conflict_id: int):
    program = _program_for_matching(request, slug)
    conflict = get_object_or_404(
        MatchingConflict.objects.select_related("mentor", "mentee", "program"),
        pk=conflict_id,
        program=program,
    )
    services.matching_conflict_remove(conflict=conflict, by=request.user)
    messages.success(
        request,
        f"{conflict.mentor.full_name} and {conflict.mentee.full_name} may be paired again.",
    )
    return redirect(reverse("matching", kwargs={"slug": program.slug}) + "#conflicts")
