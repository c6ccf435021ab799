"""The conference pages: the residents' page (the kind's landing page), planning a
session, the facilitator's run page (run sheet, asks, attendance, feedback), the report
and the director's list of where to get help. Thin: parse, call a service or
selector, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from medmentor.conferences import answer_links, selectors, services
from medmentor.conferences.forms import SessionPlanForm
from medmentor.conferences.models import ConferenceSession, SegmentKind, SessionPart
from medmentor.meetings.models import local_datetime
from medmentor.people.models import Person
from medmentor.programs import access, kinds
from medmentor.programs.models import LEARNER_ROLES, Program
from medmentor.programs.selectors import program_people_in_role

# Empty rows the run sheet form offers after the segments it has.
SPARE_ROWS = 2


def _program(request, slug: str, *, predicate: str = "is_enrolled", reason: str = "") -> Program:
    program = get_object_or_404(Program, slug=slug)
    access.program_access(request.user, program).require(
        predicate, reason or "You are not in this program."
    )
    kinds.require_page(program=program, page=request.resolver_match.url_name)
    return program


def _session(program: Program, session_id: int, user) -> ConferenceSession:
    session = get_object_or_404(
        ConferenceSession.objects.select_related("meeting", "facilitator", "program"),
        program=program,
        pk=session_id,
    )
    if not services.session_runs(session=session, person=user):
        raise PermissionDenied(
            "This is for the session's facilitator and the program's directors and coordinators."
        )
    return session


def _back(program: Program, session: ConferenceSession):
    return redirect("conference-session", slug=program.slug, session_id=session.pk)


@never_cache
@require_GET
@login_required
def conference_home(request, slug: str):
    """What residents open: sessions ahead, what to expect, the safety promise, their
    own asks and where to get help."""
    program = _program(request, slug)
    home = selectors.conference_home(program=program, viewer=request.user)
    return render(request, "conferences/home.html", {"program": program, "home": home})


@never_cache
@login_required
def session_plan(request, slug: str):
    program = _program(request, slug)
    standing = access.program_access(request.user, program)
    if not (standing.manages or standing.is_learner):
        raise PermissionDenied(
            "Sessions are planned by the program's directors, coordinators and residents."
        )
    resident_ids = [
        person.pk
        for role in LEARNER_ROLES
        for person in program_people_in_role(program=program, role=role)
    ]
    residents = Person.objects.filter(pk__in=resident_ids, is_active=True).order_by("full_name")
    if not standing.manages:
        residents = residents.filter(pk=request.user.pk)
    form = SessionPlanForm(
        request.POST or None,
        residents=residents,
        initial={
            "facilitator": request.user.pk if standing.is_learner else None,
            **selectors.session_defaults(program=program),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        common = {
            "program": program,
            "by": request.user,
            "facilitator": data["facilitator"],
            "title": data["title"],
            "minutes": data["minutes"],
            "place": data["place"],
            "video_url": data["video_url"],
        }
        try:
            if data["repeat"] == "series":
                sessions = services.session_series_plan(
                    **common,
                    weekday=data["date"].weekday(),
                    local_time=data["start_time"],
                    starts_on=data["date"],
                    count=data["count"],
                    interval_weeks=data["interval_weeks"],
                )
                session = sessions[0]
            else:
                session = services.session_plan(
                    **common,
                    starts_at=local_datetime(data["date"], data["start_time"], program.zone),
                )
        except services.ConferenceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Planned: every resident and faculty member is invited.")
            return _back(program, session)
    return render(request, "conferences/plan.html", {"program": program, "form": form})


@never_cache
@require_GET
@login_required
def session_run(request, slug: str, session_id: int):
    """The facilitator's page for one session."""
    program = _program(request, slug)
    try:
        run = selectors.session_for_runner(
            program=program, session_id=session_id, viewer=request.user
        )
    except ConferenceSession.DoesNotExist:
        raise Http404("No such session in this program.") from None
    except selectors.NotYours as refusal:
        raise PermissionDenied(str(refusal)) from None
    rows = [
        {"n": n, "kind": s.kind, "title": s.title, "minutes": s.minutes, "led_by": s.led_by}
        for n, s in enumerate(run.segments, start=1)
    ]
    rows += [
        {"n": n, "kind": "", "title": "", "minutes": "", "led_by": ""}
        for n in range(len(rows) + 1, len(rows) + 1 + SPARE_ROWS)
    ]
    return render(
        request,
        "conferences/session.html",
        {
            "program": program,
            "run": run,
            "rows": rows,
            "segment_kinds": SegmentKind.choices,
        },
    )


def _int(value, default=None):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


@require_POST
@login_required
def run_sheet(request, slug: str, session_id: int):
    program = _program(request, slug)
    session = _session(program, session_id, request.user)
    segments, problems = [], []
    for n in range(1, 51):
        kind = request.POST.get(f"kind_{n}", "")
        minutes = request.POST.get(f"minutes_{n}", "").strip()
        title = request.POST.get(f"title_{n}", "")
        led_by = request.POST.get(f"led_by_{n}", "")
        if not (kind or minutes or title.strip() or led_by.strip()):
            continue
        if _int(minutes) is None:
            problems.append(f"Segment {n}: give its length in whole minutes.")
            continue
        segments.append(
            services.SegmentFields(kind=kind, minutes=_int(minutes), title=title, led_by=led_by)
        )
    try:
        if problems:
            raise services.ConferenceError(" ".join(problems) + " Nothing was saved.")
        services.run_sheet_save(session=session, by=request.user, segments=segments)
    except services.ConferenceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Run sheet saved.")
    return _back(program, session)


@require_POST
@login_required
def part_ask(request, slug: str, session_id: int):
    program = _program(request, slug)
    session = _session(program, session_id, request.user)
    person = Person.objects.filter(
        pk=_int(request.POST.get("person"), 0), enrollments__program=program
    ).first()
    try:
        if person is None:
            raise services.ConferenceError("Choose someone of the program to ask.")
        services.part_ask(
            session=session, by=request.user, person=person, kind=request.POST.get("kind", "")
        )
    except services.ConferenceError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"{person.full_name} is asked; they answer on the conference page."
        )
    return _back(program, session)


@require_POST
@login_required
def attendance_tick(request, slug: str, session_id: int):
    program = _program(request, slug)
    session = _session(program, session_id, request.user)
    ids = [_int(value, 0) for value in request.POST.getlist("present")]
    people = list(Person.objects.filter(pk__in=ids))
    try:
        if not people:
            raise services.ConferenceError("Tick at least one person who is there.")
        services.attendance_tick(session=session, by=request.user, people=people)
    except services.ConferenceError as error:
        messages.error(request, str(error))
    else:
        # The count only: the page never lists who came.
        messages.success(request, "Attendance counted.")
    return _back(program, session)


@require_POST
@login_required
def session_cancel(request, slug: str, session_id: int):
    program = _program(request, slug)
    session = _session(program, session_id, request.user)
    try:
        services.session_cancel(session=session, by=request.user)
    except services.ConferenceError as error:
        messages.error(request, str(error))
        return _back(program, session)
    messages.success(request, "Cancelled: everyone invited gets the cancellation.")
    return redirect("conference-home", slug=program.slug)


@require_POST
@login_required
def feedback_open(request, slug: str, session_id: int):
    program = _program(request, slug)
    session = _session(program, session_id, request.user)
    try:
        services.feedback_open(session=session, by=request.user)
    except services.ConferenceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The anonymous feedback form goes to everyone invited.")
    return _back(program, session)


@require_POST
@login_required
def check_in(request, slug: str, session_id: int):
    """A person says they are there (their own check-in)."""
    program = _program(request, slug)
    session = get_object_or_404(
        ConferenceSession.objects.select_related("meeting"), program=program, pk=session_id
    )
    try:
        services.check_in(session=session, by=request.user)
    except services.ConferenceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "You are checked in. Welcome.")
    return redirect("conference-home", slug=program.slug)


@require_POST
@login_required
def part_answer(request, slug: str, part_id: int):
    program = _program(request, slug)
    part = get_object_or_404(
        SessionPart.objects.select_related("session__meeting", "session__program", "person"),
        session__program=program,
        pk=part_id,
        person=request.user,
    )
    answer = request.POST.get("answer", "")
    try:
        if answer not in ("accept", "decline"):
            raise services.ConferenceError("Answer with “accept” or “decline”.")
        services.part_answer(part=part, by=request.user, accept=answer == "accept")
    except services.ConferenceError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            "Thank you: a short guide is on its way by email."
            if answer == "accept"
            else "Thank you for letting us know.",
        )
    return redirect("conference-home", slug=program.slug)


@never_cache
@require_GET
@login_required
def conference_report(request, slug: str):
    program = _program(request, slug, predicate="sees_aggregates")
    report = selectors.conference_report(program=program, viewer=request.user)
    return render(request, "conferences/report.html", {"program": program, "report": report})


@never_cache
@login_required
def help_resources(request, slug: str):
    """The director's list of where to get help, shown on the residents' page."""
    program = _program(
        request, slug, predicate="directs", reason="Only the program's director edits this list."
    )
    resources = list(program.help_resources.all())
    rows = [
        {"n": n, "title": r.title, "detail": r.detail, "url": r.url}
        for n, r in enumerate(resources, start=1)
    ]
    rows += [
        {"n": n, "title": "", "detail": "", "url": ""}
        for n in range(len(rows) + 1, len(rows) + 1 + SPARE_ROWS)
    ]
    if request.method == "POST":
        fields = []
        for n in range(1, 51):
            title = request.POST.get(f"title_{n}", "")
            detail = request.POST.get(f"detail_{n}", "")
            url = request.POST.get(f"url_{n}", "").strip()
            if title.strip() or detail.strip() or url:
                fields.append(services.ResourceFields(title=title, detail=detail, url=url))
        try:
            services.help_resources_save(program=program, by=request.user, resources=fields)
        except services.ConferenceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Saved: residents see this list on the conference page.")
            return redirect("conference-help", slug=program.slug)
    return render(request, "conferences/help.html", {"program": program, "rows": rows})


@never_cache  # the address holds the link's token
@require_http_methods(["GET", "POST"])
def answer_link(request, token: str):
    """The ask email's one-click answer. GET shows the one button; POST records. A GET
    alone records nothing, because mail programs and link scanners open links before
    their reader does. No sign-in needed: the link is the proof."""
    viewer = request.user if request.user.is_authenticated else None
    try:
        link = answer_links.part_answer_link_read(token=token)
    except services.ConferenceError as error:
        return render(
            request,
            "conferences/answer_link.html",
            {"problem": str(error), "link": None},
            status=404,
        )
    done = ""
    problem = answer_links.part_answer_link_problem(link=link, viewer=viewer)
    if request.method == "POST" and not problem:
        try:
            answer_links.part_answer_link_use(token=token, viewer=viewer)
        except services.ConferenceError as error:
            problem = str(error)
        else:
            done = (
                "Thank you: you are down to take part, and a short guide is on its way by email."
                if link.accept
                else "Thank you for letting us know. Saying no is fine."
            )
    meeting = link.part.session.meeting
    return render(
        request,
        "conferences/answer_link.html",
        {
            "link": link,
            "part": link.part.get_kind_display().lower(),
            "title": meeting.title,
            "when": f"{meeting.starts_at.astimezone(meeting.zone):%A %d %B %Y, %H:%M}",
            "done": done,
            "problem": problem,
        },
        status=409 if problem else 200,
    )
