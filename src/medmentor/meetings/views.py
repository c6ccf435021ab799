"""Meeting pages: thin — parse, call a service or selector, render."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from medmentor.meetings import selectors, services
from medmentor.meetings.forms import MeetingEditForm, MeetingForm, MeetingLogForm
from medmentor.meetings.models import Meeting, MeetingAnswer, local_datetime
from medmentor.meetings.we_met import we_met_link_read, we_met_link_use
from medmentor.programs import access
from medmentor.programs.models import Program


def _program(request, slug: str) -> Program:
    program = get_object_or_404(Program, slug=slug)
    access.require_enrolled(request.user, program, "You are not in this program.")
    return program


def _meeting_view(request, program: Program, meeting_id: int) -> selectors.MeetingView:
    try:
        return selectors.meeting_for_viewer(
            program=program, meeting_id=meeting_id, viewer=request.user
        )
    except Meeting.DoesNotExist:
        raise Http404("No such meeting.") from None


@require_GET
@login_required
def meetings(request, slug: str):
    program = _program(request, slug)
    page = selectors.meetings_for_viewer(program=program, viewer=request.user)
    return render(request, "meetings/list.html", {"program": program, "page": page})


@login_required
def meeting_plan(request, slug: str):
    program = _program(request, slug)
    access.require(request.user, program, "plans_meetings")
    form = MeetingForm(
        request.POST or None,
        people=selectors.program_people_for_planning(program=program),
        # "Plan a meeting" from the pair's page names the other person: ?with=<id>.
        initial={
            "participants": [request.user.pk]
            + [int(pk) for pk in request.GET.getlist("with") if pk.isdigit()]
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        common = {
            "program": program,
            "organizer": request.user,
            "participants": list(data["participants"]),
            "title": data["title"],
            "place": data["place"],
            "video_url": data["video_url"],
            "agenda": data["agenda"],
        }
        try:
            if data["repeat"] == "weekly":
                services.series_plan(
                    **common,
                    weekday=data["date"].weekday(),
                    local_time=data["start_time"],
                    starts_on=data["date"],
                    interval_weeks=data["interval_weeks"],
                    duration_minutes=data["duration_minutes"],
                    ends_on=data["until"],
                )
            else:
                start = local_datetime(data["date"], data["start_time"], program.zone)
                services.meeting_plan(
                    **common,
                    starts_at=start,
                    ends_at=start + datetime.timedelta(minutes=data["duration_minutes"]),
                )
        except services.MeetingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Planned. Everyone invited gets a calendar invitation.")
            return redirect("meetings", slug=program.slug)
    return render(request, "meetings/plan.html", {"program": program, "form": form})


@require_GET
@login_required
def meeting_detail(request, slug: str, meeting_id: int):
    program = _program(request, slug)
    view = _meeting_view(request, program, meeting_id)
    loggable = program.kind not in services.UNLOGGED_KINDS
    return render(
        request, "meetings/detail.html", {"program": program, "view": view, "loggable": loggable}
    )


@login_required
def meeting_edit(request, slug: str, meeting_id: int):
    program = _program(request, slug)
    view = _meeting_view(request, program, meeting_id)
    meeting = view.meeting
    if not view.is_organizer:
        raise PermissionDenied("Only the person who planned this meeting can change it.")
    series = meeting.series
    initial = {
        "title": meeting.title,
        "date": view.local_start.date(),
        "start_time": view.local_start.time().replace(second=0, microsecond=0),
        "duration_minutes": int((meeting.ends_at - meeting.starts_at).total_seconds() // 60),
        "place": meeting.place,
        "video_url": meeting.video_url,
        "agenda": meeting.agenda,
    }
    form = MeetingEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        text = {
            "title": data["title"],
            "place": data["place"],
            "video_url": data["video_url"],
            "agenda": data["agenda"],
        }
        try:
            if series is not None:
                services.series_update(
                    series=series,
                    by=request.user,
                    local_time=data["start_time"],
                    duration_minutes=data["duration_minutes"],
                    **text,
                )
            else:
                if not data["date"]:
                    raise services.MeetingError("A meeting needs its date.")
                start = local_datetime(data["date"], data["start_time"], meeting.zone)
                services.meeting_update(
                    meeting=meeting,
                    by=request.user,
                    starts_at=start,
                    ends_at=start + datetime.timedelta(minutes=data["duration_minutes"]),
                    **text,
                )
        except services.MeetingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Changed. Everyone invited gets the update.")
            return redirect("meeting-detail", slug=program.slug, meeting_id=meeting.pk)
    return render(
        request,
        "meetings/edit.html",
        {"program": program, "view": view, "form": form, "series": series},
    )


@require_POST
@login_required
def meeting_cancel(request, slug: str, meeting_id: int):
    program = _program(request, slug)
    view = _meeting_view(request, program, meeting_id)
    meeting = view.meeting
    if not view.is_organizer:
        raise PermissionDenied("Only the person who planned this meeting can cancel it.")
    try:
        if request.POST.get("scope") == "series" and meeting.series is not None:
            services.series_cancel(series=meeting.series, by=request.user)
        else:
            services.meeting_cancel(meeting=meeting, by=request.user)
    except services.MeetingError as error:
        messages.error(request, str(error))
        return redirect("meeting-detail", slug=program.slug, meeting_id=meeting.pk)
    messages.success(request, "Cancelled. Everyone invited is told.")
    return redirect("meetings", slug=program.slug)


@login_required
def meeting_log(request, slug: str, meeting_id: int):
    program = _program(request, slug)
    view = _meeting_view(request, program, meeting_id)
    if not view.is_participant:
        raise PermissionDenied("Only the people in this meeting log it.")
    if program.kind in services.UNLOGGED_KINDS:
        raise PermissionDenied(
            f"{program.name} keeps nothing written about what was said: its meetings are "
            "not logged."
        )
    initial = {}
    if view.log is not None:
        initial = {"minutes": view.log.minutes, "topics": view.log.topics}
    form = MeetingLogForm(request.POST or None, initial=initial)
    if request.method == "POST":
        try:
            if request.POST.get("answer") == MeetingAnswer.NOT_MET:
                services.meeting_answer_record(
                    meeting=view.meeting, person=request.user, answer=MeetingAnswer.NOT_MET
                )
            elif form.is_valid():
                services.meeting_log(
                    meeting=view.meeting,
                    by=request.user,
                    minutes=form.cleaned_data["minutes"],
                    topics=form.cleaned_data["topics"],
                )
            else:
                raise services.MeetingError("")
        except services.MeetingError as error:
            if str(error):
                form.add_error(None, str(error))
        else:
            messages.success(request, "Logged. Thank you.")
            return redirect("meeting-detail", slug=program.slug, meeting_id=view.meeting.pk)
    return render(request, "meetings/log.html", {"program": program, "view": view, "form": form})


@never_cache  # the address holds the link's token
def we_met(request, token: str):
    """GET shows the one button; POST records. A GET alone records nothing, because
    mail programs and link scanners open links before their reader does."""
    viewer = request.user if request.user.is_authenticated else None
    try:
        link = we_met_link_read(token=token)
    except services.MeetingError as error:
        return _message(request, "Link not valid", str(error), status=404)
    done = ""
    problem = ""
    if request.method == "POST":
        try:
            we_met_link_use(token=token, viewer=viewer)
            done = (
                "Thank you: noted that you met."
                if link.answer == MeetingAnswer.MET
                else "Thank you: noted that you did not meet."
            )
        except services.MeetingError as error:
            problem = str(error)
    elif viewer is not None and viewer.pk != link.person_id:
        problem = (
            f"This link was sent to another person, and you are signed in as "
            f"{viewer.full_name}. Nothing was recorded."
        )
    elif link.used_at is not None:
        problem = "This link has already been used, so it records nothing more."
    meeting = link.meeting
    local = meeting.starts_at.astimezone(meeting.zone)
    return render(
        request,
        "meetings/we_met.html",
        {
            "link": link,
            "when": f"{local:%A %d %B %Y, %H:%M}",
            "title": meeting.title,
            "done": done,
            "problem": problem,
        },
        status=409 if problem else 200,
    )


def _message(request, title: str, text: str, status: int = 200):
    return render(request, "meetings/message.html", {"title": title, "text": text}, status=status)


@never_cache
@login_required
def calendar_settings(request):
    new_url = ""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            token = services.calendar_feed_token_create(person=request.user)
            new_url = settings.SITE_URL + reverse("calendar-feed", kwargs={"token": token})
        elif action == "revoke":
            services.calendar_feed_token_revoke(person=request.user)
            messages.success(request, "Your calendar address is turned off.")
            return redirect("calendar-settings")
    live = selectors.calendar_feed_status(person=request.user)
    return render(request, "meetings/calendar.html", {"live": live, "new_url": new_url})


@require_GET
def calendar_feed(request, token: str):
    try:
        body = selectors.calendar_feed_body(token=token)
    except selectors.FeedTokenRevoked as error:
        return HttpResponse(str(error), status=410, content_type="text/plain; charset=utf-8")
    except selectors.FeedTokenUnknown as error:
        return HttpResponse(str(error), status=404, content_type="text/plain; charset=utf-8")
    reply = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    reply["Content-Disposition"] = 'inline; filename="medmentor.ics"'
    return reply
