"""The pair's workspace, the case page, their htmx actions, and the director's dashboard.

Thin: parse, call a selector or a service, render. Every action works as a plain form
POST followed by a redirect (no JavaScript needed); with htmx it returns only the part
of the page that changed. Who may see or do what is decided in selectors/services.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from medmentor.curriculum import dashboard_selectors, selectors, services
from medmentor.curriculum.models import Case, Question
from medmentor.programs.models import Pair, Program


def _program(slug: str) -> Program:
    return get_object_or_404(Program.objects.select_related("institution", "service"), slug=slug)


def _today(program: Program):
    # "Today" is the program's day: a 6 a.m. case in New York is not yesterday's in UTC.
    return timezone.localdate(timezone=program.zone)


def _back(request, default: str, anchor: str) -> HttpResponseRedirect:
    """Back to the page the form was on (a same-site path only), at `anchor`."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = default
    return HttpResponseRedirect(f"{target.split('#')[0]}#{anchor}")


def _problem(request, message: str):
    return render(request, "curriculum/problem.html", {"message": message}, status=400)


def _optional_url(name: str, slug: str) -> str | None:
    """The URL of another part's page, or None while that part is not installed."""
    for kwargs in ({"slug": slug}, {}):
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return None


@require_GET
@login_required
def workspace(request, slug: str):
    program = _program(slug)
    workspace = selectors.workspace_for(person=request.user, program=program, today=_today(program))
    return render(request, "curriculum/workspace.html", {"program": program, "ws": workspace})


def _case_view(request, program: Program, case_id: int) -> selectors.CaseView:
    try:
        return selectors.case_view_for(person=request.user, program=program, case_id=case_id)
    except Case.DoesNotExist as error:
        raise Http404(str(error)) from error


@require_GET
@login_required
def case(request, slug: str, case_id: int):
    program = _program(slug)
    view = _case_view(request, program, case_id)
    return render(request, "curriculum/case.html", {"program": program, "view": view})


@require_POST
@login_required
def case_style(request, slug: str, case_id: int):
    program = _program(slug)
    case = get_object_or_404(Case, pk=case_id, week__curriculum__program=program)
    try:
        services.case_learning_style_choose(
            junior=request.user, case=case, style=request.POST.get("style", "")
        )
    except ValidationError as error:
        return _problem(request, error.messages[0])
    if request.htmx:
        view = _case_view(request, program, case_id)
        return render(
            request,
            "curriculum/_case_body.html",
            {"program": program, "view": view},
        )
    default = reverse("case", kwargs={"slug": slug, "case_id": case_id})
    return _back(request, default, f"case-{case_id}")


@require_POST
@login_required
def answer_reveal(request, slug: str, question_id: int):
    program = _program(slug)
    question = get_object_or_404(
        Question.objects.select_related("case"),
        pk=question_id,
        case__week__curriculum__program=program,
    )
    try:
        services.answer_reveal(junior=request.user, question=question)
    except ValidationError as error:
        return _problem(request, error.messages[0])
    if request.htmx:
        view = _case_view(request, program, question.case_id)
        item = next(item for item in view.questions if item.question.pk == question_id)
        return render(
            request,
            "curriculum/_question.html",
            {"program": program, "view": view, "item": item},
        )
    default = reverse("case", kwargs={"slug": slug, "case_id": question.case_id})
    return _back(request, default, f"question-{question_id}")


@require_POST
@login_required
def case_review(request, slug: str, case_id: int):
    program = _program(slug)
    case = get_object_or_404(Case, pk=case_id, week__curriculum__program=program)
    pair_id = request.POST.get("pair", "")
    if not pair_id.isdigit():
        return _problem(request, f"“{pair_id}” is not a pair.")
    pair = get_object_or_404(Pair.objects.select_related("week"), pk=pair_id, week__program=program)
    try:
        services.case_review_mark(
            pair=pair,
            case=case,
            status=request.POST.get("status", ""),
            by=request.user,
            one_set=request.POST.get("one_set") == "1",
        )
    except ValidationError as error:
        return _problem(request, error.messages[0])
    if request.htmx:
        view = _case_view(request, program, case_id)
        if view.grouped_reviews and request.POST.get("one_set") == "1":
            return render(
                request, "curriculum/_review_group.html", {"program": program, "view": view}
            )
        review = next(review for review in view.reviews if review.pair.pk == pair.pk)
        return render(
            request,
            "curriculum/_review.html",
            {"program": program, "view": view, "review": review},
        )
    default = reverse("case", kwargs={"slug": slug, "case_id": case_id})
    anchor = f"review-group-{case_id}" if request.POST.get("one_set") == "1" else None
    return _back(request, default, anchor or f"review-{pair.pk}-{case_id}")


@require_GET
@login_required
def program_detail(request, slug: str):
    program = _program(slug)
    dashboard = dashboard_selectors.program_dashboard(
        person=request.user, program=program, today=_today(program)
    )
    return render(
        request,
        "curriculum/dashboard.html",
        {
            "program": program,
            "dashboard": dashboard,
            "weeks_url": _optional_url("program-weeks", slug) if dashboard.manages else None,
            "outbox_url": _optional_url("outbox", slug) if dashboard.manages else None,
        },
    )
