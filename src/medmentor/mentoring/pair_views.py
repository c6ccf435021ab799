"""The pair's home (one-to-one programs): each mentor and mentee sees their pair(s) —
the other person, the pair's goals and meetings, what to do next — and the program's
directors and coordinators see the pairs' overview (counts only). Thin: parse, call a
service or selector, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from medmentor.mentoring import selectors, services
from medmentor.mentoring.forms import GoalForm, GoalProgressForm, MentoringProfileForm
from medmentor.mentoring.models import Goal, Mentorship
from medmentor.people.models import Profile
from medmentor.programs import access, kinds
from medmentor.programs.models import Program


def _program(request, slug: str, *, predicate: str = "is_enrolled", reason: str = "") -> Program:
    program = get_object_or_404(Program, slug=slug)
    access.program_access(request.user, program).require(
        predicate, reason or "You are not in this program."
    )
    kinds.require_page(program=program, page=request.resolver_match.url_name)
    return program


@never_cache
@require_GET
@login_required
def pair_home(request, slug: str):
    """The one-to-one program's landing page: your pair(s); for staff, the overview."""
    program = _program(request, slug)
    standing = access.program_access(request.user, program)
    if not (standing.is_learner or standing.manages):
        raise PermissionDenied(
            "This page is for the program's mentors, mentees, director and coordinators."
        )
    homes = selectors.pair_homes_for_person(program=program, viewer=request.user)
    overview = health = None
    if standing.manages:
        overview = selectors.one_to_one_overview(program=program, viewer=request.user)
        health = selectors.health_overview(program=program, viewer=request.user)
    return render(
        request,
        "mentoring/pair_home.html",
        {
            "program": program,
            "homes": homes,
            "overview": overview,
            "health": health,
            "is_learner": standing.is_learner,
            "is_mentor": any(home.me_role == "mentor" for home in homes),
            "check_waits": standing.is_learner
            and bool(selectors.open_checks_of(program=program, person=request.user)),
            "goal_form": GoalForm(),
        },
    )


@never_cache
@login_required
def pair_profile(request, slug: str):
    """Your own bio, photo and contact preference, as your pair sees them."""
    program = _program(
        request, slug, predicate="is_learner", reason="Profiles are for mentors and mentees."
    )
    profile = selectors.own_mentoring_profile(person=request.user)
    initial = (
        {"bio": profile.bio, "contact_preference": profile.contact_preference} if profile else {}
    )
    form = MentoringProfileForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.mentoring_profile_update(
                person=request.user,
                bio=data["bio"],
                contact_preference=data["contact_preference"],
                photo=data["photo"] or None,
                remove_photo=data["remove_photo"],
            )
        except services.PairError as error:
            form.add_error("photo" if data["photo"] else None, str(error))
        else:
            messages.success(request, "Saved. Your pair sees your profile on their page.")
            return redirect("mentoring-pairs", slug=program.slug)
    return render(
        request,
        "mentoring/pair_profile.html",
        {"program": program, "form": form, "profile": profile},
    )


@require_POST
@login_required
def goal_add(request, slug: str, mentorship_id: int):
    program = _program(request, slug)
    try:
        mentorship = selectors.mentorship_for_pair_member(
            mentorship_id=mentorship_id, program=program, viewer=request.user
        )
    except Mentorship.DoesNotExist:
        raise Http404("No such pair of yours.") from None
    form = GoalForm(request.POST)
    if form.is_valid():
        try:
            services.goal_create(
                mentorship=mentorship,
                by=request.user,
                title=form.cleaned_data["title"],
                due_on=form.cleaned_data["due_on"],
            )
        except services.PairError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Goal set. Your pair sees it too.")
    else:
        messages.error(
            request,
            "The goal was not set: "
            + " ".join(str(e) for errors in form.errors.values() for e in errors),
        )
    return redirect("mentoring-pairs", slug=program.slug)


@require_POST
@login_required
def goal_progress(request, slug: str, goal_id: int):
    program = _program(request, slug)
    try:
        goal = selectors.goal_for_pair_member(goal_id=goal_id, program=program, viewer=request.user)
    except Goal.DoesNotExist:
        raise Http404("No such goal of yours.") from None
    form = GoalProgressForm(request.POST)
    if form.is_valid():
        try:
            services.goal_update(
                goal=goal,
                by=request.user,
                status=form.cleaned_data["status"],
                progress=form.cleaned_data["progress"],
            )
        except services.PairError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Progress saved.")
    else:
        messages.error(
            request, "Progress was not saved: give a status and a percent from 0 to 100."
        )
    return redirect("mentoring-pairs", slug=program.slug)


@never_cache
@require_GET
@login_required
def pair_photo(request, slug: str, person_id: int):
    """A photo, for the person themselves and their current pair partners only."""
    program = _program(request, slug)
    try:
        profile = selectors.photo_for_viewer(
            program=program, person_id=person_id, viewer=request.user
        )
    except Profile.DoesNotExist:
        raise Http404("No photo here for you.") from None
    return FileResponse(profile.photo.open("rb"), content_type="image/jpeg")
