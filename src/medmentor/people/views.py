from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from medmentor.messaging import services as messaging
from medmentor.people import selectors, services
from medmentor.people.forms import SignInForm, SignInLinkRequestForm


def _client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def sign_in(request):
    form = SignInForm(request.POST or None)
    throttled = False
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        address = _client_address(request)
        if services.sign_in_is_throttled(email=email, address=address):
            throttled = True
            form.add_error(
                None,
                "Too many failed sign-ins. Wait 15 minutes, or use the emailed sign-in link.",
            )
        else:
            person = authenticate(request, username=email, password=form.cleaned_data["password"])
            if person is None:
                services.failed_sign_in_record(email=email, address=address)
                form.add_error(None, "That email and password do not match an account.")
            else:
                services.failed_sign_in_clear(email=email)
                login(request, person)
                return redirect(_next_url(request))
    status = 429 if throttled else (400 if form.errors else 200)
    return render(
        request,
        "people/sign_in.html",
        {"form": form, "link_form": SignInLinkRequestForm(), "next": _next_url(request)},
        status=status,
    )


def sign_in_link_request(request):
    form = SignInLinkRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = selectors.person_by_email(email=form.cleaned_data["email"])
        if person is not None and person.is_active:
            # The link itself is minted by the worker at delivery: the outbox holds none.
            messaging.sign_in_link_send(person=person)
        # Same answer whether or not the address is known: no probing who is enrolled.
        messages.success(
            request,
            "If that address belongs to an account, a sign-in link is on its way. "
            "It works once and expires in 7 days.",
        )
        return redirect("sign-in")
    return render(
        request,
        "people/sign_in.html",
        {"form": SignInForm(), "link_form": form, "next": reverse("home")},
        status=400 if form.errors else 200,
    )


def sign_in_link_use(request, token: str):
    # Opening the link shows a button; the POST signs in. Mail scanners that
    # prefetch links (common in hospital mail systems) would otherwise use it up.
    if request.method == "POST":
        try:
            person = services.sign_in_link_consume(token=token)
        except services.SignInLinkError as error:
            messages.error(request, str(error))
            return redirect("sign-in")
        login(request, person, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(_next_url(request))
    return render(request, "people/sign_in_link.html", {"next": request.GET.get("next", "")})


@require_POST
def sign_out(request):
    logout(request)
    messages.success(request, "You are signed out.")
    return redirect("sign-in")
