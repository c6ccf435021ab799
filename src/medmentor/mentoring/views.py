"""The one-to-one matching pages of a program's directors and coordinators: import the
matching profiles, configure and run matching, review the draft, lock, swap, publish,
and the conflicts that keep two people apart.

The import pages run on the programs app's import machinery (preview, then confirm the
same bytes); the URLs are the ones they had under programs, so links keep working.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from medmentor.mentoring import selectors, services
from medmentor.mentoring.forms import MatchingConflictForm, MatchingRunForm, MatchingSwapForm
from medmentor.mentoring.models import (
    MatchingConflict,
    MatchingPair,
    MatchingRun,
    MatchingRunStatus,
)
from medmentor.programs.models import Program, Role
from medmentor.programs.selectors import program_people_in_role
from medmentor.programs.views import ImportPage, import_page, import_template, program_for_staff

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

PROFILES_PAGE = ImportPage(
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
    template_url_name="matching-profiles-template",
    example=tuple((name, _PROFILE_EXAMPLE[name]) for name in services.MATCHING_PROFILE_COLUMNS),
)


@login_required
def matching_profiles_import(request, slug: str):
    return import_page(request, slug, PROFILES_PAGE)


@login_required
def matching_profiles_template(request, slug: str):
    return import_template(request, slug, PROFILES_PAGE)


def _program_for_matching(request, slug: str) -> Program:
    # 403 unless the person runs the program; 404 unless it is a one-to-one program
    # (the kind registry: the matching pages belong to the one-to-one kind).
    return program_for_staff(request, slug)


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
        mentors=program_people_in_role(program=program, role=Role.SENIOR),
        mentees=program_people_in_role(program=program, role=Role.JUNIOR),
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
    return render(request, "mentoring/matching.html", context, status=status)


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
    return render(request, "mentoring/matching_run.html", context)


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
@require_http_methods(["GET", "POST"])
def matching_publish(request, slug: str, run_id: int):
    """Publishing is two steps: GET shows what will happen (pairs, unmatched, blocking
    pairs, with a warning when there are any), and only a POST from that page's
    confirm button (confirm=yes) publishes. A bare POST is sent to the confirm page."""
    program = _program_for_matching(request, slug)
    run, _ = _draft_pair(request, program, run_id, None)
    if request.method == "GET" or request.POST.get("confirm") != "yes":
        if run.status != MatchingRunStatus.DRAFT:
            messages.error(
                request,
                f"This run is {run.get_status_display().lower()}; only a draft can be published.",
            )
            return redirect(_run_url(program, run.pk))
        if request.method == "POST":
            return redirect(reverse("matching-publish", kwargs={"slug": slug, "run_id": run.pk}))
        review = selectors.matching_review(run=run, viewer=request.user)
        return render(
            request,
            "mentoring/matching_publish.html",
            {"program": program, "run": run, "review": review},
        )
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
        for person in program_people_in_role(program=program, role=Role.SENIOR)
        + program_people_in_role(program=program, role=Role.JUNIOR)
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
