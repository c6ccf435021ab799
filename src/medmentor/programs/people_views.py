"""The people page of a program, for its directors and coordinators: who is enrolled
(search and filters), adding one person, a person's roles and the end of their
enrollment. Thin: parse, call a service or selector, render.

Sending someone a new sign-in link goes through the outbox (messaging), a floor above
this one: that button posts to `site` (site.views.program_person_sign_in_link).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from medmentor.people.models import Person
from medmentor.programs import kinds, selectors, services
from medmentor.programs.forms import (
    EnrollmentEndForm,
    PeopleFilterForm,
    PersonAddForm,
    PersonRolesForm,
)
from medmentor.programs.views import program_for_staff


def _person(request, program, person_id: int) -> selectors.PersonInProgram:
    try:
        return selectors.program_person_for_staff(
            program=program, person_id=person_id, viewer=request.user
        )
    except Person.DoesNotExist:
        raise Http404("Nobody with this number was ever enrolled in this program.") from None


@never_cache
@login_required
def program_people(request, slug: str):
    program = program_for_staff(request, slug)
    form = PeopleFilterForm(
        request.GET or None,
        statuses=selectors.PEOPLE_STATUSES,
        role_labels=kinds.role_labels(program),
    )
    filters = form.cleaned_data if form.is_valid() else {}
    people = selectors.program_people_page(
        program=program,
        viewer=request.user,
        search=filters.get("q", ""),
        role=filters.get("role", ""),
        level=filters.get("level", ""),
        status=filters.get("status") or "current",
    )
    return render(
        request,
        "programs/people.html",
        {
            "program": program,
            "form": form,
            "people": people,
            "filtered": any(filters.get(name) for name in ("q", "role", "level"))
            or (filters.get("status") or "current") != "current",
        },
        status=200 if form.is_valid() or not request.GET else 400,
    )


@never_cache
@login_required
def program_person_add(request, slug: str):
    program = program_for_staff(request, slug)
    grantable = services.roster_roles_grantable(program=program, by=request.user)
    form = PersonAddForm(
        request.POST or None, grantable=grantable, role_labels=kinds.role_labels(program)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.program_person_add(
                program=program,
                by=request.user,
                email=data["email"],
                full_name=data["full_name"],
                training_level=data["training_level"],
                roles=data["roles"],
                joined_on=data["joined_on"],
            )
        except services.PeopleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"{person.full_name} is now in {program.name}. Send them a sign-in link from "
                "their page when they should start.",
            )
            return redirect("program-person", slug=program.slug, person_id=person.pk)
    return render(
        request,
        "programs/person_add.html",
        {"program": program, "form": form},
        status=400 if form.errors else 200,
    )


def _person_page(request, program, row, *, roles_form=None, end_form=None, status=200):
    grantable = services.roster_roles_grantable(program=program, by=request.user)
    is_self = row.person.pk == request.user.pk
    may_change = not is_self and set(row.current_roles) <= grantable
    return render(
        request,
        "programs/person.html",
        {
            "program": program,
            "row": row,
            "is_self": is_self,
            "may_change": may_change,
            "roles_form": roles_form
            or PersonRolesForm(
                initial={"roles": list(row.current_roles)},
                grantable=grantable,
                role_labels=kinds.role_labels(program),
            ),
            "end_form": end_form or EnrollmentEndForm(),
            # Refusals to show when the forms themselves are not (not theirs to change).
            "forms_with_errors": [form for form in (roles_form, end_form) if form is not None],
        },
        status=status,
    )


@never_cache
@login_required
def program_person(request, slug: str, person_id: int):
    program = program_for_staff(request, slug)
    return _person_page(request, program, _person(request, program, person_id))


@require_POST
@login_required
def program_person_roles(request, slug: str, person_id: int):
    program = program_for_staff(request, slug)
    row = _person(request, program, person_id)
    grantable = services.roster_roles_grantable(program=program, by=request.user)
    form = PersonRolesForm(
        request.POST, grantable=grantable, role_labels=kinds.role_labels(program)
    )
    if form.is_valid():
        try:
            changes = services.enrollment_roles_set(
                program=program,
                person=row.person,
                roles=form.cleaned_data["roles"],
                by=request.user,
            )
        except services.PeopleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"{row.person.full_name} is {', '.join(changes)}."
                if changes
                else f"{row.person.full_name}'s roles are as they were.",
            )
            return redirect("program-person", slug=program.slug, person_id=row.person.pk)
    return _person_page(request, program, row, roles_form=form, status=400)


@require_POST
@login_required
def program_person_end(request, slug: str, person_id: int):
    program = program_for_staff(request, slug)
    row = _person(request, program, person_id)
    form = EnrollmentEndForm(request.POST)
    if form.is_valid():
        last_day = form.cleaned_data["last_day"] if form.cleaned_data["when"] == "later" else None
        try:
            ended = services.enrollment_end(
                program=program, person=row.person, by=request.user, last_day=last_day
            )
        except services.PeopleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"{row.person.full_name}'s enrollment ends: their last day is "
                f"{ended.last_day:%d %B %Y}. Their history in the program is kept.",
            )
            return redirect(reverse("program-people", kwargs={"slug": program.slug}))
    return _person_page(request, program, row, end_form=form, status=400)
