"""Reverse mentoring pages. Thin: parse, call a service or selector, render."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from medmentor.people.models import Person
from medmentor.programs import access, kinds
from medmentor.programs.models import Program, Role
from medmentor.programs.selectors import program_people_with_roles
from medmentor.reverse import selectors, services
from medmentor.reverse.models import (
    RATED_DOMAINS,
    RATING_MAX,
    Domain,
    DomainAnswer,
    Session,
    WorkingRelationship,
)
from medmentor.reverse.services import ReverseError


def _program(request, slug: str, *, predicate: str = "is_enrolled", reason: str = "") -> Program:
    program = get_object_or_404(Program, slug=slug)
    access.program_access(request.user, program).require(
        predicate, reason or "You are not in this program."
    )
    kinds.require_page(program=program, page=request.resolver_match.url_name)
    return program


def _in_role(program: Program, role: str):
    return program_people_with_roles(program=program, roles=[role])


def _home(program: Program):
    return redirect("reverse-home", slug=program.slug)


def _domains(values: dict | None = None) -> list[dict]:
    """The seven domains for the form, each with what was given (or posted)."""
    values = values or {}
    return [
        {
            "value": value,
            "label": label,
            "rated": value in RATED_DOMAINS,
            "rating": values.get(value, (None, ""))[0],
            "text": values.get(value, (None, ""))[1],
        }
        for value, label in Domain.choices
    ]


def _posted_answers(post) -> dict:
    return {
        value: (post.get(f"rating-{value}", ""), post.get(f"text-{value}", ""))
        for value in Domain.values
    }


@never_cache
@require_GET
@login_required
def home(request, slug: str):
    """The landing page: a fellow's consultants, a consultant's consent, sessions and
    pooled feedback, the facilitator's links, and for the director the counts."""
    program = _program(request, slug)
    view = selectors.reverse_home(program=program, viewer=request.user)
    if not (view.is_fellow or view.is_consultant or view.is_facilitator or view.manages):
        raise PermissionDenied(
            "This page is for the program's fellows, consultants, facilitator and staff."
        )
    counts = selectors.director_counts(program=program, viewer=request.user) if view.manages else []
    return render(
        request,
        "reverse/home.html",
        {
            "program": program,
            "view": view,
            "counts": counts,
            "threshold": selectors.RELEASE_THRESHOLD,
            "fellow_label": selectors.FELLOW_LABEL,
            "consultant_label": selectors.CONSULTANT_LABEL,
        },
    )


@require_POST
@login_required
def consent(request, slug: str):
    program = _program(request, slug, predicate="is_junior", reason="Consent is the consultants'.")
    try:
        if request.POST.get("withdraw"):
            services.consent_withdraw(program=program, by=request.user)
            messages.success(request, "Your consent is withdrawn: nothing more is collected.")
        else:
            services.consent_give(program=program, by=request.user)
            messages.success(request, "Thank you: you take part in reverse mentoring.")
    except ReverseError as error:
        messages.error(request, str(error))
    return _home(program)


@never_cache
@login_required
def feedback(request, slug: str, consultant_id: int):
    """A fellow's feedback on one consultant they work with, in the seven domains."""
    program = _program(
        request, slug, predicate="is_senior", reason="Feedback is given by the fellows."
    )
    try:
        consultant = selectors.consultant_for_fellow(
            program=program, fellow=request.user, consultant_id=consultant_id
        )
    except WorkingRelationship.DoesNotExist:
        raise Http404("You do not work with this consultant in this program.") from None
    values = selectors.own_feedback(program=program, consultant=consultant, fellow=request.user)
    error = ""
    status = 200
    if request.method == "POST":
        answers = _posted_answers(request.POST)
        try:
            services.feedback_give(
                program=program, consultant=consultant, answers=answers, by=request.user
            )
        except ReverseError as refused:
            error, values, status = str(refused), answers, 400
        else:
            messages.success(
                request,
                f"Your feedback on {consultant.full_name} is saved. It reaches them only "
                f"pooled with at least {selectors.RELEASE_THRESHOLD} fellows' feedback.",
            )
            return _home(program)
    return render(
        request,
        "reverse/feedback.html",
        {
            "program": program,
            "consultant": consultant,
            "domains": _domains(values),
            "ratings": range(1, RATING_MAX + 1),
            "given": bool(
                selectors.own_feedback(program=program, consultant=consultant, fellow=request.user)
            ),
            "error": error,
            "threshold": selectors.RELEASE_THRESHOLD,
        },
        status=status,
    )


@require_POST
@login_required
def feedback_withdraw(request, slug: str, consultant_id: int):
    program = _program(request, slug, predicate="is_senior", reason="This is the fellows'.")
    consultant = get_object_or_404(Person, pk=consultant_id)
    try:
        services.feedback_withdraw(program=program, consultant=consultant, by=request.user)
        messages.success(request, f"Your feedback on {consultant.full_name} is withdrawn.")
    except ReverseError as error:
        messages.error(request, str(error))
    return _home(program)


def _require_facilitator(request, program: Program) -> None:
    if not services.is_facilitator(program=program, person=request.user):
        raise PermissionDenied("This page is for the program's facilitator.")


@never_cache
@login_required
def group_feedback(request, slug: str):
    """The facilitator records a group session's feedback on one consultant."""
    program = _program(request, slug)
    _require_facilitator(request, program)
    consultants = _in_role(program, Role.JUNIOR)
    fellows = _in_role(program, Role.SENIOR)
    error, status, values = "", 200, {}
    if request.method == "POST":
        values = _posted_answers(request.POST)
        try:
            consultant = consultants.get(pk=int(request.POST.get("consultant") or 0))
        except (Person.DoesNotExist, ValueError):
            error, status = "Choose the consultant the feedback is about.", 400
        else:
            present = list(fellows.filter(pk__in=request.POST.getlist("fellows")))
            try:
                services.group_feedback_record(
                    program=program,
                    consultant=consultant,
                    fellows=present,
                    answers=values,
                    by=request.user,
                )
            except ReverseError as refused:
                error, status = str(refused), 400
            else:
                messages.success(
                    request, f"The group's feedback on {consultant.full_name} is saved."
                )
                return redirect("reverse-review", slug=program.slug)
    return render(
        request,
        "reverse/group.html",
        {
            "program": program,
            "consultants": consultants,
            "fellows": fellows,
            "domains": _domains(values),
            "ratings": range(1, RATING_MAX + 1),
            "error": error,
        },
        status=status,
    )


@never_cache
@require_GET
@login_required
def review(request, slug: str):
    program = _program(request, slug)
    rows = selectors.review_queue(program=program, viewer=request.user)
    return render(
        request,
        "reverse/review.html",
        {"program": program, "rows": rows, "threshold": selectors.RELEASE_THRESHOLD},
    )


@require_POST
@login_required
def review_answer(request, slug: str, answer_id: int):
    program = _program(request, slug)
    try:
        answer = selectors.answer_for_review(
            program=program, answer_id=answer_id, viewer=request.user
        )
    except DomainAnswer.DoesNotExist:
        raise Http404("No such text to review.") from None
    try:
        services.answer_review(
            answer=answer, shown_text=request.POST.get("shown_text", ""), by=request.user
        )
        messages.success(request, "Reviewed: these words will be shown on release.")
    except ReverseError as error:
        messages.error(request, str(error))
    return redirect("reverse-review", slug=program.slug)


@require_POST
@login_required
def release(request, slug: str, consultant_id: int):
    program = _program(request, slug)
    if not (
        services.is_facilitator(program=program, person=request.user)
        or access.program_access(request.user, program).manages
    ):
        raise PermissionDenied("Only the facilitator, the director or a coordinator releases.")
    try:
        consultant = selectors.consultant_in_program(program=program, consultant_id=consultant_id)
    except Person.DoesNotExist:
        raise Http404("No such consultant in this program.") from None
    try:
        services.feedback_release(program=program, consultant=consultant, by=request.user)
        messages.success(request, f"The pooled feedback on {consultant.full_name} is released.")
    except ReverseError as error:
        messages.error(request, str(error))
    if services.is_facilitator(program=program, person=request.user):
        return redirect("reverse-review", slug=program.slug)
    return _home(program)


@never_cache
@require_GET
@login_required
def pooled(request, slug: str, consultant_id: int):
    """The consultant's pooled feedback, for them and their fellow mentor."""
    program = _program(request, slug, predicate="is_learner", reason="This is the learners'.")
    try:
        consultant = selectors.consultant_in_program(program=program, consultant_id=consultant_id)
    except Person.DoesNotExist:
        raise Http404("No such consultant in this program.") from None
    feedback = selectors.released_feedback(
        program=program, consultant=consultant, viewer=request.user
    )
    return render(
        request,
        "reverse/pooled.html",
        {
            "program": program,
            "consultant": consultant,
            "pooled": feedback,
            "is_consultant": consultant.pk == request.user.pk,
            "threshold": selectors.RELEASE_THRESHOLD,
        },
    )


@never_cache
@login_required
def session_book(request, slug: str, consultant_id: int):
    program = _program(request, slug, predicate="is_learner", reason="This is the learners'.")
    try:
        consultant = selectors.consultant_in_program(program=program, consultant_id=consultant_id)
    except Person.DoesNotExist:
        raise Http404("No such consultant in this program.") from None
    if not selectors.may_read_pooled(program=program, consultant=consultant, viewer=request.user):
        raise PermissionDenied("Sessions are booked by the consultant and their fellow mentor.")
    error, status = "", 200
    values = {"date": "", "time": "", "minutes": "45", "place": ""}
    if request.method == "POST":
        values = {key: request.POST.get(key, "").strip() for key in values}
        try:
            day = datetime.date.fromisoformat(values["date"])
            at = datetime.time.fromisoformat(values["time"])
            minutes = int(values["minutes"])
        except ValueError:
            error, status = "Give the date (YYYY-MM-DD), the time (HH:MM) and minutes.", 400
        else:
            starts_at = datetime.datetime.combine(day, at, tzinfo=program.zone)
            try:
                session = services.session_book(
                    program=program,
                    consultant=consultant,
                    starts_at=starts_at,
                    minutes=minutes,
                    place=values["place"],
                    by=request.user,
                )
            except ReverseError as refused:
                error, status = str(refused), 400
            else:
                messages.success(request, "The session is booked; you both get an invitation.")
                return redirect("reverse-session", slug=program.slug, session_id=session.pk)
    return render(
        request,
        "reverse/book.html",
        {"program": program, "consultant": consultant, "values": values, "error": error},
        status=status,
    )


def _session_page(request, program: Program, session_id: int):
    try:
        return selectors.session_for_viewer(
            program=program, session_id=session_id, viewer=request.user
        )
    except Session.DoesNotExist:
        raise Http404("No such session of yours.") from None


@never_cache
@require_GET
@login_required
def session(request, slug: str, session_id: int):
    program = _program(request, slug, predicate="is_learner", reason="This is the learners'.")
    page = _session_page(request, program, session_id)
    return render(request, "reverse/session.html", {"program": program, "page": page})


@require_POST
@login_required
def session_log(request, slug: str, session_id: int):
    program = _program(request, slug, predicate="is_learner", reason="This is the learners'.")
    page = _session_page(request, program, session_id)
    try:
        minutes = int(request.POST.get("minutes", ""))
    except ValueError:
        messages.error(request, "How long did the session last? Give a number of minutes.")
    else:
        try:
            services.session_log(session=page.session, minutes=minutes, by=request.user)
            messages.success(request, f"Logged: {minutes} minutes.")
        except ReverseError as error:
            messages.error(request, str(error))
    return redirect("reverse-session", slug=program.slug, session_id=session_id)


@require_POST
@login_required
def session_note(request, slug: str, session_id: int):
    program = _program(request, slug, predicate="is_junior", reason="The note is the consultant's.")
    page = _session_page(request, program, session_id)
    try:
        services.change_note_save(
            session=page.session, text=request.POST.get("text", ""), by=request.user
        )
        messages.success(request, "Your note is saved; only you see it.")
    except ReverseError as error:
        messages.error(request, str(error))
    return redirect("reverse-session", slug=program.slug, session_id=session_id)


@never_cache
@require_GET
@login_required
def report(request, slug: str):
    """The evaluation: paired pre/post results and session lengths (counts only)."""
    program = _program(
        request,
        slug,
        predicate="sees_reports",
        reason="The evaluation is for the directors, coordinators and researchers.",
    )
    data = selectors.reverse_report(program=program, viewer=request.user)
    return render(
        request,
        "reverse/report.html",
        {
            "program": program,
            "report": data,
            "manages": access.program_access(request.user, program).manages,
            "shown_from": selectors.SESSIONS_SHOWN_FROM,
            "threshold": selectors.RELEASE_THRESHOLD,
        },
    )


@never_cache
@login_required
def setup(request, slug: str):
    """Who works with whom (and who supervises, who mentors), and the facilitator: the
    director's and coordinators' set-up."""
    program = _program(
        request, slug, predicate="manages", reason="The set-up is for directors and coordinators."
    )
    people = Person.objects.filter(enrollments__program=program).distinct().order_by("full_name")
    fellows = _in_role(program, Role.SENIOR)
    consultants = _in_role(program, Role.JUNIOR)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "facilitator":
                person = people.get(pk=int(request.POST.get("person") or 0))
                services.facilitator_add(program=program, person=person, by=request.user)
                messages.success(request, f"{person.full_name} facilitates this program.")
            else:
                fellow = fellows.get(pk=int(request.POST.get("fellow") or 0))
                consultant = consultants.get(pk=int(request.POST.get("consultant") or 0))
                services.relationship_add(
                    program=program,
                    fellow=fellow,
                    consultant=consultant,
                    consultant_supervises=bool(request.POST.get("supervises")),
                    is_mentor=bool(request.POST.get("mentor")),
                    by=request.user,
                )
                messages.success(request, f"{fellow.full_name} works with {consultant.full_name}.")
        except (ReverseError, PermissionDenied) as error:  # before ValueError: a subclass
            messages.error(request, str(error))
        except (Person.DoesNotExist, ValueError):
            messages.error(request, "Choose a person of this program from the lists.")
        return redirect("reverse-setup", slug=program.slug)
    return render(
        request,
        "reverse/setup.html",
        {
            "program": program,
            "relationships": selectors.relationships(program=program),
            "facilitators": selectors.facilitators(program=program),
            "fellows": fellows,
            "consultants": consultants,
            "people": people,
            "fellow_label": selectors.FELLOW_LABEL,
            "consultant_label": selectors.CONSULTANT_LABEL,
        },
    )


@require_POST
@login_required
def evaluation_setup(request, slug: str):
    """Set up the pre/post survey of both sides from the survey library."""
    program = _program(
        request,
        slug,
        predicate="manages",
        reason="The survey is set up by directors and coordinators.",
    )
    try:
        pre = datetime.date.fromisoformat(request.POST.get("pre_opens_on", ""))
        post = datetime.date.fromisoformat(request.POST.get("post_opens_on", ""))
    except ValueError:
        messages.error(request, "Give the dates the pre and post waves open (YYYY-MM-DD).")
        return redirect("reverse-report", slug=program.slug)
    at = datetime.time(8, 0)
    try:
        services.evaluation_setup(
            program=program,
            pre_opens_at=datetime.datetime.combine(pre, at, tzinfo=program.zone),
            post_opens_at=datetime.datetime.combine(post, at, tzinfo=program.zone),
            by=request.user,
        )
        messages.success(
            request,
            "The pre and post survey is set up: the fellows and the consultants each have "
            "their own, and are invited.",
        )
    except ReverseError as error:
        messages.error(request, str(error))
    return redirect("reverse-report", slug=program.slug)
