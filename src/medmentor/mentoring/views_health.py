"""Relationship health and reflection pages of one-to-one programs: the staff's health
page (pairs needing a check-in, nudges, the mid-program check, pairs that asked for
help and re-pairing), each side's private check page, the mentor's reflections, and
the researchers' intake of consented reflections. Thin: parse, call a service or a
selector, render."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from medmentor.mentoring import selectors, services
from medmentor.mentoring.models import Mentorship, PairCheck, PairCheckAnswer, Reflection
from medmentor.programs import access, kinds
from medmentor.programs.models import Program
from medmentor.programs.views import program_for_staff
from medmentor.qualitative.models import Competency


def _program(request, slug: str, predicate: str, reason: str) -> Program:
    program = get_object_or_404(Program, slug=slug)
    access.program_access(request.user, program).require(predicate, reason)
    kinds.require_page(program=program, page=request.resolver_match.url_name)
    return program


def _health_url(program: Program, anchor: str = "") -> str:
    url = reverse("mentoring-health", kwargs={"slug": program.slug})
    return f"{url}#{anchor}" if anchor else url


def _current_pair(program: Program, mentorship_id: int) -> Mentorship:
    return get_object_or_404(
        Mentorship.objects.select_related("mentor", "mentee", "program"),
        pk=mentorship_id,
        program=program,
    )


@login_required
def mentoring_health(request, slug: str):
    """The staff's health page; a POST saves the settings."""
    program = program_for_staff(request, slug)
    if request.method == "POST":
        raw_days = request.POST.get("check_in_days", "").strip()
        raw_date = request.POST.get("mid_check_on", "").strip()
        try:
            days = int(raw_days)
            on = datetime.date.fromisoformat(raw_date) if raw_date else None
        except ValueError:
            messages.error(
                request,
                "Nothing was saved: the days must be a whole number and the date a day "
                "like 2027-03-01.",
            )
        else:
            try:
                services.mentoring_settings_update(
                    program=program, by=request.user, check_in_days=days, mid_check_on=on
                )
            except services.HealthError as error:
                messages.error(request, f"Nothing was saved: {error}")
            else:
                messages.success(request, "Saved.")
        return redirect(_health_url(program, "settings"))
    health = selectors.health_overview(program=program, viewer=request.user)
    return render(request, "mentoring/health.html", {"program": program, "health": health})


@login_required
@require_POST
def mentoring_nudge(request, slug: str, mentorship_id: int):
    program = program_for_staff(request, slug)
    mentorship = _current_pair(program, mentorship_id)
    try:
        queued = services.pair_nudge(mentorship=mentorship, by=request.user)
    except services.HealthError as error:
        messages.error(request, f"No nudge was sent: {error}")
    else:
        who = f"{mentorship.mentee.full_name} and {mentorship.mentor.full_name}"
        if queued:
            messages.success(request, f"{who} each get a kind reminder to meet.")
        else:
            messages.info(request, f"{who} were already nudged today; nothing more was sent.")
    return redirect(_health_url(program, "check-in"))


@login_required
@require_POST
def mentoring_check_send(request, slug: str):
    program = program_for_staff(request, slug)
    try:
        checks = services.mid_check_send(program=program, by=request.user)
    except services.HealthError as error:
        messages.error(request, f"The check was not sent: {error}")
    else:
        messages.success(
            request,
            f"The private check is asked of {len(checks)} people, each separately.",
        )
    return redirect(_health_url(program, "mid-check"))


@login_required
@require_POST
def mentoring_repair(request, slug: str, mentorship_id: int):
    program = program_for_staff(request, slug)
    mentorship = _current_pair(program, mentorship_id)
    try:
        started = services.mentorship_repair(mentorship=mentorship, by=request.user)
    except services.HealthError as error:
        messages.error(request, f"Nothing was changed: {error}")
    else:
        made = "; ".join(f"{m.mentee.full_name} with {m.mentor.full_name}" for m in started)
        messages.success(
            request,
            f"{mentorship.mentee.full_name} and {mentorship.mentor.full_name} are re-paired"
            + (f": {made}." if made else "; no new partner was free, see the matching page.")
            + " Both were told kindly.",
        )
    return redirect(_health_url(program, "help"))


@login_required
def mentoring_check(request, slug: str):
    """A mentor's or mentee's own private check: one question per current pair."""
    program = _program(
        request, slug, "is_learner", "The pairing check is for the program's mentors and mentees."
    )
    if request.method == "POST":
        try:
            check = selectors.check_of(
                program=program, person=request.user, check_id=int(request.POST.get("check", 0))
            )
        except (PairCheck.DoesNotExist, ValueError):
            raise Http404("No such question of yours.") from None
        try:
            services.pair_check_answer(
                check=check,
                by=request.user,
                answer=request.POST.get("answer", ""),
                note=request.POST.get("note", ""),
            )
        except services.HealthError as error:
            messages.error(request, f"Your answer was not saved: {error}")
        else:
            messages.success(request, "Thank you. Your answer is saved, and it stays private.")
        return redirect(reverse("mentoring-check", kwargs={"slug": program.slug}))
    checks = selectors.checks_of(program=program, person=request.user)
    rows = [
        (
            check,
            check.mentorship.mentee
            if check.person_id == check.mentorship.mentor_id
            else check.mentorship.mentor,
        )
        for check in checks
    ]
    return render(
        request,
        "mentoring/check.html",
        {"program": program, "rows": rows, "answers": PairCheckAnswer.choices},
    )


@login_required
def mentoring_reflections(request, slug: str):
    """The mentor's reflections: write one after a meeting, share it or not."""
    program = _program(request, slug, "is_learner", "Reflections are for the program's mentors.")
    pairs = selectors.mentorships_as_mentor(program=program, person=request.user)
    if request.method == "POST":
        by_id = {m.pk: m for m in pairs}
        try:
            mentorship = by_id[int(request.POST.get("mentorship", 0))]
        except (KeyError, ValueError):
            messages.error(request, "Nothing was saved: choose one of your mentees.")
            return redirect(reverse("mentoring-reflections", kwargs={"slug": program.slug}))
        meeting = None
        if request.POST.get("meeting"):
            meetings = {m.pk: m for m in selectors.past_meetings_of_pair(mentorship=mentorship)}
            meeting = (
                meetings.get(int(request.POST["meeting"] or 0))
                if request.POST["meeting"].isdigit()
                else None
            )
            if meeting is None:
                messages.error(request, "Nothing was saved: choose a past meeting of this pair.")
                return redirect(reverse("mentoring-reflections", kwargs={"slug": program.slug}))
        try:
            services.reflection_write(
                mentorship=mentorship,
                by=request.user,
                text=request.POST.get("text", ""),
                competencies=request.POST.getlist("competencies"),
                consent=request.POST.get("consent") == "on",
                meeting=meeting,
            )
        except services.HealthError as error:
            messages.error(request, f"Nothing was saved: {error}")
        else:
            messages.success(request, "Your reflection is saved.")
        return redirect(reverse("mentoring-reflections", kwargs={"slug": program.slug}))
    if not pairs:
        access.program_access(request.user, program).require(
            "is_senior", "Reflections are for the program's mentors."
        )
    meetings = {m.pk: selectors.past_meetings_of_pair(mentorship=m) for m in pairs}
    return render(
        request,
        "mentoring/reflections.html",
        {
            "program": program,
            "pairs": [(m, meetings[m.pk]) for m in pairs],
            "reflections": selectors.reflections_of(program=program, author=request.user),
            "competencies": Competency.choices,
        },
    )


@login_required
@require_POST
def mentoring_reflection_consent(request, slug: str, reflection_id: int):
    program = _program(request, slug, "is_learner", "Reflections are for the program's mentors.")
    reflection = get_object_or_404(
        Reflection, pk=reflection_id, author=request.user, mentorship__program=program
    )
    consent = request.POST.get("consent") == "on"
    try:
        services.reflection_consent_set(reflection=reflection, by=request.user, consent=consent)
    except services.HealthError as error:
        messages.error(request, f"Nothing was changed: {error}")
    else:
        messages.success(
            request,
            "It will go to the researchers, de-identified."
            if consent
            else "It stays yours alone; the researchers will not receive it.",
        )
    return redirect(reverse("mentoring-reflections", kwargs={"slug": program.slug}))


@login_required
def mentoring_reflections_export(request, slug: str):
    """The researchers' intake: consented reflections into one qualitative document."""
    program = _program(
        request, slug, "is_researcher", "Only the program's researchers take in reflections."
    )
    if request.method == "POST":
        try:
            document_id = services.reflections_export(program=program, by=request.user)
        except services.HealthError as error:
            messages.error(request, f"Nothing was taken in: {error}")
        else:
            messages.success(
                request,
                "The reflections are a new document; review its de-identification before "
                "coding it.",
            )
            return redirect(
                reverse(
                    "qualitative-document",
                    kwargs={"slug": program.slug, "document_id": document_id},
                )
            )
        return redirect(reverse("mentoring-reflections-export", kwargs={"slug": program.slug}))
    waiting = selectors.reflections_waiting_count(program=program, viewer=request.user)
    return render(
        request, "mentoring/reflections_export.html", {"program": program, "waiting": waiting}
    )
