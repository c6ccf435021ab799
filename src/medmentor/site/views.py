"""The home page and the sign-in pages (the sign-in email is queued from here, so
`people` itself never imports `messaging`)."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from medmentor.messaging.services import sign_in_link_send
from medmentor.people import selectors as people_selectors
from medmentor.people import services as people_services
from medmentor.people.client import client_address
from medmentor.people.models import Person
from medmentor.programs import access
from medmentor.programs import selectors as program_selectors
from medmentor.programs.models import Program
from medmentor.site import selectors
from medmentor.site.forms import SignInForm, SignInLinkRequestForm


@never_cache  # an open survey invitation's link is the person's own
@login_required
def home(request):
    """Each of the person's programs with what needs them there (site.selectors)."""
    cards = selectors.home_cards(person=request.user)
    return render(
        request,
        "site/home.html",
        {
            "cards": cards,
            # From the roles the cards already read (no query): a director of a program
            # may create programs (programs.access.program_creation_institutions).
            "may_create_programs": any(
                access.program_access(request.user, card.link.program).creates_programs
                for card in cards
            ),
        },
    )


# --- Signing in and out -----------------------------------------------------------------


def _window_minutes() -> int:
    return max(1, round(settings.SIGN_IN_FAILURE_WINDOW / 60))


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def sign_in(request):
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = people_services.sign_in_check(
            request=request,
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
        )
        if person is not None:
            login(request, person)
            return redirect(_next_url(request))
        # When this was the lockout, django-axes' middleware answers with
        # sign_in_locked_out below instead of this page.
        form.add_error(None, "That email and password do not match an account.")
    return render(
        request,
        "site/sign_in.html",
        {"form": form, "link_form": SignInLinkRequestForm(), "next": _next_url(request)},
        status=400 if form.errors else 200,
    )


def sign_in_locked_out(request, original_response=None, credentials=None):
    """django-axes' answer (AXES_LOCKOUT_CALLABLE) when a sign-in is refused because this
    account failed too often from this address: a page of its own in the site's layout,
    with 429, saying why, until when, and the ways back (the sign-in page, a sign-in
    link by email, the home page)."""
    email = request.POST.get("email", "")
    return render(
        request,
        "429.html",
        {
            "refusal": (
                "Too many failed sign-ins for this account from this address. "
                f"Try again in {_window_minutes()} minutes or ask for a sign-in link."
            ),
            # The pause lasts the window from the last counted failure, which is at
            # most now: so this is when it is over at the latest.
            "retry_at": timezone.localtime(
                timezone.now() + datetime.timedelta(seconds=settings.SIGN_IN_FAILURE_WINDOW)
            ),
            "window_minutes": _window_minutes(),
            "link_form": SignInLinkRequestForm(initial={"email": email}),
            "next": _next_url(request),
        },
        status=429,
    )


def sign_in_link_request(request):
    form = SignInLinkRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        verdict = people_services.sign_in_link_request_admit(
            email=form.cleaned_data["email"], address=client_address(request)
        )
        if verdict is people_services.SignInLinkRequestVerdict.TOO_MANY_FROM_ADDRESS:
            # Says nothing about the email: the count is of this client's requests.
            form.add_error(
                None,
                "Too many sign-in links were asked for from your network in the last "
                f"{_window_minutes()} minutes. Try again later, or sign in with your password.",
            )
            return render(
                request,
                "site/sign_in.html",
                {"form": SignInForm(), "link_form": form, "next": reverse("home")},
                status=429,
            )
        person = people_selectors.person_by_email(email=form.cleaned_data["email"])
        if verdict is people_services.SignInLinkRequestVerdict.ADMITTED and (
            person is not None and person.is_active
        ):
            # The link itself is minted by the worker at delivery: the outbox holds none.
            sign_in_link_send(person=person)
        # Same answer whether or not the address is known, and whether or not this
        # email's few links per window were already sent: no probing who is enrolled.
        messages.success(
            request,
            "If that address belongs to an account, a sign-in link is on its way. "
            "It works once and expires in 7 days.",
        )
        return redirect("sign-in")
    return render(
        request,
        "site/sign_in.html",
        {"form": SignInForm(), "link_form": form, "next": reverse("home")},
        status=400 if form.errors else 200,
    )


def sign_in_link_use(request, token: str):
    # Opening the link shows a button; the POST signs in. Mail scanners that
    # prefetch links (common in hospital mail systems) would otherwise use it up.
    if request.method == "POST":
        try:
            person = people_services.sign_in_link_consume(token=token)
        except people_services.SignInLinkError as error:
            messages.error(request, str(error))
            return redirect("sign-in")
        login(request, person, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(_next_url(request))
    return render(request, "site/sign_in_link.html", {"next": request.GET.get("next", "")})


@require_POST
def sign_out(request):
    logout(request)
    messages.success(request, "You are signed out.")
    return redirect("sign-in")


# --- The people page's "send a new sign-in link" ---------------------------------------
# Here, on the top floor, because the email goes through the outbox (messaging), which
# the people page's own app (programs) sits below.


@require_POST
@login_required
def program_person_sign_in_link(request, slug: str, person_id: int):
    """A director or coordinator sends one of the program's people a new sign-in link.
    The link is minted by the worker at delivery and goes to the person alone: the
    staff never see it, and the outbox holds a placeholder."""
    program = get_object_or_404(Program, slug=slug)
    access.require_manager(
        request.user,
        program,
        "Only the program's directors and coordinators send sign-in links to its people.",
    )
    try:
        row = program_selectors.program_person_for_staff(
            program=program, person_id=person_id, viewer=request.user
        )
    except Person.DoesNotExist:
        raise Http404("Nobody with this number was ever enrolled in this program.") from None
    person = row.person
    back = redirect("program-person", slug=program.slug, person_id=person.pk)
    if not row.is_current or not person.is_active:
        messages.error(
            request,
            f"No link was sent: {person.full_name} is not enrolled in {program.name} now"
            if not row.is_current
            else f"No link was sent: {person.full_name}'s account is switched off.",
        )
        return back
    # The same limits as "email me a sign-in link": one inbox is not flooded, whoever asks.
    verdict = people_services.sign_in_link_request_admit(
        email=person.email, address=client_address(request)
    )
    if verdict is not people_services.SignInLinkRequestVerdict.ADMITTED:
        messages.error(
            request,
            f"No link was sent: several sign-in links went to {person.email} (or were asked "
            f"for from your network) in the last {_window_minutes()} minutes. Try again later.",
        )
        return back
    sign_in_link_send(person=person)
    messages.success(
        request,
        f"A new sign-in link is on its way to {person.email}. It works once, for them "
        "alone, and expires in 7 days.",
    )
    return back
