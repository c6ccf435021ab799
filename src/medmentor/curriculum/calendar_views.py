"""The program's holidays and closures: entered one by one or imported from a CSV or
calendar file (checked whole, previewed, then added all or none), and the weeks they
touch — skipped when planning when every service day is closed, flagged otherwise.

Directors and coordinators only; case-review programs only. Thin: parse, call
services/selectors/closures, render.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from medmentor.curriculum import closure_selectors as selectors
from medmentor.curriculum import closures, services
from medmentor.curriculum.forms import ClosureFileForm, ClosureForm
from medmentor.curriculum.models import Closure, WeekPlan
from medmentor.curriculum.package_views import _program_run_by
from medmentor.programs.models import ProgramWeek
from medmentor.programs.selectors import program_today


def _weeks_touched(program) -> list[dict]:
    """The weeks from this one on that a closure touches, each with its plan."""
    today = program_today(program=program)
    monday = today - datetime.timedelta(days=today.weekday())
    weeks = list(ProgramWeek.objects.filter(program=program, starts_on__gte=monday))
    plans = {
        plan.program_week_id: plan.curriculum_week
        for plan in WeekPlan.objects.filter(program_week__in=weeks).select_related(
            "curriculum_week"
        )
    }
    touched = selectors.week_closures(program=program, weeks=weeks)
    return [
        {"closures": found, "plan": plans.get(week_id)}
        for week_id, found in touched.items()
        if found.days
    ]


def _page(request, program, form=None, file_form=None, preview=None, problems=(), status=200):
    return render(
        request,
        "curriculum/calendar.html",
        {
            "program": program,
            "closures": selectors.closures_of(program=program, viewer=request.user),
            "weeks": _weeks_touched(program),
            "form": form or ClosureForm(),
            "file_form": file_form or ClosureFileForm(),
            "preview": preview,
            "problems": problems,
        },
        status=status,
    )


def _rows_posted(request) -> list[tuple]:
    names = request.POST.getlist("row_name")
    starts = request.POST.getlist("row_starts_on")
    ends = request.POST.getlist("row_ends_on")
    rows = []
    for name, start, end in zip(names, starts, ends, strict=False):
        try:
            rows.append(
                (name, datetime.date.fromisoformat(start), datetime.date.fromisoformat(end))
            )
        except ValueError:
            raise ValidationError(f"“{name}”: its dates cannot be read; upload again.") from None
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def program_calendar(request, slug: str):
    program = _program_run_by(request, slug)
    if request.method == "GET":
        return _page(request, program)
    action = request.POST.get("action", "add")
    if action == "remove":
        closure = get_object_or_404(Closure, pk=request.POST.get("closure") or 0, program=program)
        services.closure_remove(closure=closure, by=request.user)
        messages.success(request, f"Removed “{closure.name}”.")
        return redirect("program-calendar", slug=program.slug)
    if action == "preview":
        file_form = ClosureFileForm(request.POST, request.FILES)
        if not file_form.is_valid():
            return _page(request, program, file_form=file_form, status=400)
        upload = file_form.cleaned_data["file"]
        try:
            read = closures.closures_read(content=upload.read(), file_name=upload.name)
        except closures.ClosureFileError as error:
            return _page(request, program, file_form=file_form, problems=error.problems, status=400)
        return _page(request, program, preview=read)
    if action == "confirm":
        try:
            added = services.closures_import(
                program=program, by=request.user, rows=_rows_posted(request)
            )
        except ValidationError as error:
            return _page(request, program, problems=error.messages, status=400)
        messages.success(
            request,
            f"Added {added} new date{'s' if added != 1 else ''} to the calendar (those already "
            "there are not doubled).",
        )
        return redirect("program-calendar", slug=program.slug)
    form = ClosureForm(request.POST)
    if form.is_valid():
        try:
            closure = services.closure_add(program=program, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, f"Added “{closure.name}”.")
            return redirect("program-calendar", slug=program.slug)
    return _page(request, program, form=form, status=400)
