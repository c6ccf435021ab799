"""The "new program" page: the kind first, then only what that kind asks for
(programs.kinds.register_creation), with defaults. For those who may create programs
(programs.access.program_creation_institutions: the directors of a program, at its
institution); the creator becomes the new program's director and lands on its overview.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from medmentor.programs import access, kinds, services
from medmentor.programs.forms import ProgramNewForm, program_new_initial


@never_cache
@login_required
def program_new(request):
    access.require_program_creator(request.user)
    institutions = access.program_creation_institutions(request.user)
    choices = kinds.creatable_kinds()
    kind = request.POST.get("kind") or request.GET.get("kind") or ""
    creation = next((choice for choice in choices if choice.kind == kind), None)
    if creation is None:
        return render(
            request,
            "programs/program_new_kind.html",
            {"choices": choices, "unknown": kind},
            status=400 if kind else 200,
        )
    if request.method != "POST":
        form = ProgramNewForm(
            creation=creation,
            institutions=institutions,
            initial=program_new_initial(
                creation=creation, institutions=institutions, today=datetime.date.today()
            ),
        )
        return render(request, "programs/program_new.html", {"form": form, "creation": creation})
    form = ProgramNewForm(request.POST, creation=creation, institutions=institutions)
    if form.is_valid():
        data = form.cleaned_data
        try:
            program = services.program_create_as_director(
                by=request.user,
                kind=creation.kind,
                name=data["name"],
                slug=data["slug"],
                institution=data["institution"],
                starts_on=data["starts_on"],
                time_zone=data["time_zone"],
                description=data.get("description", ""),
                service_name=data.get("service", ""),
                weekly_email_weekday=data.get("weekly_email_weekday"),
                weekly_email_time=data.get("weekly_email_time"),
                kind_settings={name: data[name] for name in creation.settings_fields},
            )
        except services.ProgramError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"{program.name} is created and you direct it. Next: add its people "
                "(People in the menu).",
            )
            return redirect("program-detail", slug=program.slug)
    return render(
        request, "programs/program_new.html", {"form": form, "creation": creation}, status=400
    )
