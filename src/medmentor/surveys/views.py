"""Survey pages: the respondent's answering pages (by invitation link, no sign-in) and
the program's survey overview, report, exports and REDCap import (signed in).

Thin: parse, call a service or selector, render."""

import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from medmentor.programs import access
from medmentor.programs.models import LEARNER_ROLES, Program
from medmentor.surveys import exports, library, pdf, report_export, selectors, services
from medmentor.surveys.models import CODE_ELEMENTS, Anonymity, Invitation, Response

# --- Answering ---------------------------------------------------------------------------


def _cookie_name(invitation: Invitation) -> str:
    return f"survey_draft_{invitation.wave_id}"


def _draft(request, invitation: Invitation) -> Response | None:
    wave = invitation.wave
    if wave.instrument.anonymity == Anonymity.IDENTIFIED:
        return Response.objects.filter(
            wave=wave, person=invitation.person, submitted_at__isnull=True
        ).first()
    return services.draft_for_token(
        wave=wave, token=request.COOKIES.get(_cookie_name(invitation), "")
    )


def _draft_cookie_set(reply, request, invitation: Invitation, draft_token: str) -> None:
    # A lasting cookie, not the session: the draft outlives a closed browser, and no
    # server table holds it next to the invitation.
    reply.set_cookie(
        _cookie_name(invitation),
        draft_token,
        expires=invitation.wave.closes_at,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        path=request.path,
    )


def _draft_resume(request, invitation: Invitation, draft_token: str):
    """The private "continue on another device" link: this browser keeps the link's
    draft token in its cookie, and the survey goes on at its plain address (so the
    token leaves the address bar and the browser's history)."""
    reply = redirect(request.path)
    if invitation.wave.instrument.anonymity == Anonymity.IDENTIFIED:
        return reply  # the invitation itself finds the person's draft
    if services.draft_for_token(wave=invitation.wave, token=draft_token[:100]) is None:
        return _message(
            request,
            "Link not valid",
            "This link to continue holds no unsent answers: it may be mistyped, or belong "
            "to another survey. Nothing was changed. Use the link in your email to answer.",
            status=404,
        )
    _draft_cookie_set(reply, request, invitation, draft_token)
    return reply


def _message(request, title: str, text: str, status: int = 200):
    return render(request, "surveys/message.html", {"title": title, "text": text}, status=status)


def _pages(instrument) -> list[int]:
    return sorted(set(instrument.items.values_list("page", flat=True))) or [1]


@never_cache  # the page shows the private link to continue elsewhere
def survey_answer(request, token: str):
    try:
        invitation = services.invitation_for_token(token=token)
    except services.SurveyClosed as closed:
        return _message(request, "Link not valid", str(closed), status=404)
    try:
        services.invitation_check_usable(invitation=invitation)
    except services.SurveyClosed as closed:
        return _message(request, "Survey not open", str(closed), status=410)
    if "draft" in request.GET:
        return _draft_resume(request, invitation, request.GET["draft"])
    wave = invitation.wave
    instrument = wave.instrument
    draft = _draft(request, invitation)
    if draft is None:
        return _consent(request, invitation)

    pages = _pages(instrument)
    try:
        page = int(request.POST.get("page") or request.GET.get("page") or pages[0])
    except ValueError:
        page = pages[0]
    if page not in pages:
        page = pages[0]
    all_items = list(instrument.items.all())
    items = [item for item in all_items if item.page == page]
    stored = dict(draft.answers.values_list("item_id", "value"))
    coded_first = instrument.anonymity == Anonymity.CODED and page == pages[0]
    # A code given before (only its hashes are kept, so it cannot be shown again) stands
    # until the respondent types a whole new one.
    code_kept = coded_first and services.code_is_complete(response=draft)
    errors: dict[int, str] = {}
    code_errors: dict[str, str] = {}
    problem = ""
    if request.method == "POST":
        action = request.POST.get("action", "next")
        final = action in ("next", "submit")
        check = services.page_check(items=items, data=request.POST, stored=stored, final=final)
        errors = check.errors
        code = None
        if coded_first:
            code = [request.POST.get(name, "").strip()[:40] for name, _ in CODE_ELEMENTS]
            if final and not (code_kept and not any(code)):
                code_errors = {
                    name: "Please answer this question; it makes your private code."
                    for (name, _), value in zip(CODE_ELEMENTS, code, strict=True)
                    if not value
                }
            if not any(code):
                code = None
        problem = ""
        if action == "submit" and not errors and not code_errors:
            # Required items on other pages that are still empty stop the submission.
            others = [i for i in all_items if i.page != page]
            missing = sorted(
                {i.page for i in services.required_missing(items=others, answers=check.answers)}
            )
            if missing:
                problem = (
                    "Some required questions are not answered yet (page "
                    f"{', '.join(map(str, missing))}). Nothing was submitted; your answers "
                    "on this page are kept in the form."
                )
        if errors or code_errors or problem:
            if request.htmx:
                return HttpResponse("Not saved: please check the answers marked on this page.")
        else:
            try:
                services.draft_save(
                    response=draft, answers={i.pk: check.answers[i.pk] for i in items}, code=code
                )
                if action == "submit":
                    services.response_submit(response=draft, invitation=invitation)
                    reply = _message(
                        request, "Thank you", "Your answers are submitted. You can close this page."
                    )
                    reply.delete_cookie(_cookie_name(invitation), path=request.path)
                    return reply
            except services.SurveyClosed as closed:
                return _message(request, "Survey not open", str(closed), status=410)
            if request.htmx:
                return HttpResponse("Saved.")
            if action in ("next", "back"):
                index = pages.index(page) + (1 if action == "next" else -1)
                page = pages[max(0, min(index, len(pages) - 1))]
            url = reverse("survey-answer", kwargs={"token": token}) + f"?page={page}"
            return redirect(url)
        stored = check.answers
    shown = [
        {
            "item": item,
            "value": stored.get(item.pk, ""),
            "values": stored.get(item.pk, "").split("|"),
            "error": errors.get(item.pk, ""),
        }
        for item in items
        if services.item_is_shown(item=item, answers=stored)
    ]
    return render(
        request,
        "surveys/answer.html",
        {
            "instrument": instrument,
            "wave": wave,
            "token": token,
            "page": page,
            "pages": pages,
            "is_last": page == pages[-1],
            "is_first": page == pages[0],
            "shown": shown,
            "code_elements": (
                [
                    {
                        "name": n,
                        "label": label,
                        "error": code_errors.get(n, ""),
                        "value": request.POST.get(n, "") if request.method == "POST" else "",
                    }
                    for n, label in CODE_ELEMENTS
                ]
                if coded_first
                else []
            ),
            "code_kept": code_kept,
            "has_errors": bool(errors or code_errors),
            "problem": problem,
            "resume_url": _resume_url(request, invitation, token),
            "is_identified": instrument.anonymity == Anonymity.IDENTIFIED,
        },
        status=422 if (errors or code_errors or problem) else 200,
    )


def _resume_url(request, invitation: Invitation, token: str) -> str:
    """The private link to continue this draft on another device (coded and anonymous
    surveys): the invitation link with the draft token of this browser's cookie. Made
    for the page only; the server keeps no copy of it."""
    draft_token = request.COOKIES.get(_cookie_name(invitation), "")
    if invitation.wave.instrument.anonymity == Anonymity.IDENTIFIED or not draft_token:
        return ""
    path = reverse("survey-answer", kwargs={"token": token})
    return f"{settings.SITE_URL}{path}?{urlencode({'draft': draft_token})}"


def _consent(request, invitation: Invitation):
    instrument = invitation.wave.instrument
    error = ""
    if request.method == "POST":
        choice = request.POST.get("consent")
        try:
            if choice == "no":
                services.consent_decline(invitation=invitation)
                return _message(
                    request,
                    "Thank you",
                    "You chose not to take part. Nothing about you or your choice is stored "
                    "except that one more person declined. "
                    + (
                        "You will get no reminders."
                        if instrument.anonymity == Anonymity.IDENTIFIED
                        else "Reminders go to everyone invited, so that nobody can tell "
                        "who declined: if one reaches you, there is nothing more to do."
                    ),
                )
            if choice == "yes":
                _, draft_token = services.draft_start(invitation=invitation)
                reply = redirect(request.path)
                if draft_token:
                    _draft_cookie_set(reply, request, invitation, draft_token)
                return reply
        except services.SurveyClosed as closed:
            return _message(request, "Survey not open", str(closed), status=410)
        error = "Please choose whether you agree to take part."
    return render(
        request,
        "surveys/consent.html",
        {"instrument": instrument, "wave": invitation.wave, "error": error},
        status=422 if error else 200,
    )


# --- Program pages ------------------------------------------------------------------------


def _program(slug: str) -> Program:
    return get_object_or_404(Program, slug=slug)


def _instrument(request, program, instrument_id, *, report=True):
    try:
        return selectors.instrument_for_viewer(
            person=request.user, program=program, pk=instrument_id, report=report
        )
    except ObjectDoesNotExist:
        raise Http404("No such survey in this program.") from None


@login_required
def survey_list(request, slug: str):
    program = _program(slug)
    standing = access.require(
        request.user, program, "sees_aggregates", selectors.SURVEY_PAGE_REFUSED
    )
    return render(
        request,
        "surveys/list.html",
        {
            "program": program,
            "surveys": selectors.instruments_of_program(program=program),
            "can_report": standing.sees_reports,
            "is_staff": standing.manages,
            "library": [
                (key, spec["title"], spec.get("description", ""))
                for key, spec in library.LIBRARY.items()
            ],
            "modes": Anonymity.choices,
            "current": "surveys",
        },
    )


@login_required
def survey_report(request, slug: str, instrument_id: int):
    program = _program(slug)
    instrument = _instrument(request, program, instrument_id)
    standing = access.program_access(request.user, program)
    return render(
        request,
        "surveys/report.html",
        {
            "program": program,
            "report": selectors.survey_report(instrument=instrument),
            "current": "surveys",
            "is_staff": standing.manages,
        },
    )


@login_required
def survey_report_pdf(request, slug: str, instrument_id: int):
    """The report as a PDF, for the same people as the report page."""
    program = _program(slug)
    instrument = _instrument(request, program, instrument_id)
    content = pdf.report_pdf(
        request=request, program=program, report=selectors.survey_report(instrument=instrument)
    )
    reply = HttpResponse(content, content_type="application/pdf")
    reply["Content-Disposition"] = f'attachment; filename="survey-{instrument.pk}-report.pdf"'
    return reply


@login_required
def survey_export(request, slug: str, instrument_id: int, kind: str):
    program = _program(slug)
    instrument = _instrument(request, program, instrument_id)
    if kind == "statistics":
        content = report_export.statistics_csv(
            report=selectors.survey_report(instrument=instrument, with_charts=False)
        )
        reply = HttpResponse(content, content_type="text/csv; charset=utf-8")
        reply["Content-Disposition"] = (
            f'attachment; filename="survey-{instrument.pk}-statistics.csv"'
        )
        return reply
    if kind not in exports.CSV_EXPORTS:
        raise Http404("No such export.")
    content = exports.CSV_EXPORTS[kind](instrument=instrument)
    reply = HttpResponse(content, content_type="text/csv; charset=utf-8")
    reply["Content-Disposition"] = f'attachment; filename="survey-{instrument.pk}-{kind}.csv"'
    return reply


@login_required
def survey_invite(request, slug: str, instrument_id: int, wave_id: int):
    """Choose the roles of the program to invite to a wave (the learners unless the
    director chooses otherwise), with how many people hold each."""
    program = _program(slug)
    access.require_manager(request.user, program, selectors.SURVEY_PAGE_REFUSED)
    instrument = _instrument(request, program, instrument_id)
    wave = get_object_or_404(instrument.waves, pk=wave_id)
    chosen = set(LEARNER_ROLES)
    error = ""
    if request.method == "POST":
        chosen = set(request.POST.getlist("roles"))
        try:
            created = services.invitations_create_for_roles(
                wave=wave, roles=sorted(chosen), by=request.user
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(
                request,
                f"{created} new invitation(s); the worker emails them and sends up to "
                f"{instrument.max_reminders} reminder(s) {instrument.reminded_in_plain_words}.",
            )
            return redirect("survey-list", slug=program.slug)
    return render(
        request,
        "surveys/invite.html",
        {
            "program": program,
            "instrument": instrument,
            "wave": wave,
            "roles": selectors.invitable_roles(wave=wave),
            "chosen": chosen,
            "error": error,
            "current": "surveys",
        },
        status=422 if error else 200,
    )


@login_required
@require_POST
def survey_library_copy(request, slug: str, key: str):
    """Copy a ready instrument from the library into the program and open it in the
    editor; its pre wave opens now and its post wave in eight weeks, three weeks each."""
    program = _program(slug)
    access.require_manager(request.user, program, selectors.SURVEY_PAGE_REFUSED)
    if key not in library.LIBRARY:
        raise Http404("No such instrument in the library.")
    anonymity = request.POST.get("anonymity", Anonymity.CODED)
    if anonymity not in Anonymity.values:
        anonymity = Anonymity.CODED
    now = timezone.now()
    instrument = library.instrument_create(
        program=program,
        spec=library.LIBRARY[key],
        anonymity=anonymity,
        pre_opens_at=now,
        post_opens_at=now + datetime.timedelta(weeks=8),
        by=request.user,
    )
    messages.success(
        request,
        f"Copied “{instrument.title}” into {program.name}. Check its wording, waves and "
        "items here before inviting anyone.",
    )
    return redirect("survey-editor", slug=program.slug, instrument_id=instrument.pk)


@login_required
def survey_redcap_import(request, slug: str):
    program = _program(slug)
    access.require_manager(request.user, program, selectors.SURVEY_PAGE_REFUSED)
    problems: list[str] = []
    report: list[exports.DictionaryRow] = []
    if request.method == "POST":
        upload = request.FILES.get("dictionary")
        title = request.POST.get("title", "").strip()[:200]
        if upload is None or not title:
            problems = ["Give the survey a title and choose a REDCap data dictionary (CSV)."]
        else:
            dry_run = request.POST.get("dry_run") == "1"
            try:
                instrument = exports.redcap_dictionary_import(
                    program=program,
                    title=title,
                    content=upload.read(),
                    anonymity=request.POST.get("anonymity", Anonymity.CODED),
                    by=request.user,
                    report=report,
                    dry_run=dry_run,
                )
            except exports.DictionaryError as refusal:
                problems = refusal.problems
                report = []
            else:
                if dry_run:  # the page lists what each row would become
                    return render(
                        request,
                        "surveys/redcap_import.html",
                        {
                            "program": program,
                            "problems": [],
                            "report": report,
                            "checked_title": title,
                            "current": "surveys",
                            "modes": Anonymity.choices,
                        },
                    )
                messages.success(request, f"Created the survey “{instrument.title}”.")
                for entry in report:
                    if not entry.kept:  # every row left out, with why
                        messages.warning(request, str(entry))
                return redirect("survey-list", slug=program.slug)
    return render(
        request,
        "surveys/redcap_import.html",
        {
            "program": program,
            "problems": problems,
            "current": "surveys",
            "modes": Anonymity.choices,
        },
        status=422 if problems else 200,
    )
