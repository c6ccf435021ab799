"""A person's own profile page: their name, how to reach them, languages, bio and
photo, which the program kinds show to whom their own rules say (the one-to-one kind:
the person's pair). Each person sees and edits only their own."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from medmentor.people import selectors, services
from medmentor.people.forms import ProfileForm


@never_cache
@login_required
def profile(request):
    own = selectors.profile_of(person=request.user)
    initial = {"full_name": request.user.full_name}
    if own is not None:
        initial.update(
            bio=own.bio,
            contact_preference=own.contact_preference,
            languages=", ".join(own.languages),
        )
    form = ProfileForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.profile_update(
                person=request.user,
                by=request.user,
                full_name=data["full_name"],
                bio=data["bio"],
                contact_preference=data["contact_preference"],
                languages=services.profile_languages_parse(data["languages"]),
                photo=data["photo"] or None,
                remove_photo=data["remove_photo"],
            )
        except services.ProfileError as error:
            form.add_error(error.field or None, str(error))
        else:
            messages.success(request, "Your profile is saved.")
            return redirect("profile")
    return render(
        request,
        "people/profile.html",
        {"form": form, "profile": own},
        status=400 if form.errors else 200,
    )


@never_cache
@require_GET
@login_required
def profile_photo(request):
    """Your own photo, for yourself (the kinds serve it to whom they show it)."""
    own = selectors.profile_of(person=request.user)
    if own is None or not own.photo:
        raise Http404("You have no photo.")
    return FileResponse(own.photo.open("rb"), content_type="image/jpeg")
