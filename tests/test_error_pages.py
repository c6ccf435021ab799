"""Refusals and missing pages are the site's own pages, with the refusal's reason: a busy
clinician who follows a link they may not open learns why and where to go instead."""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import permission_denied, server_error

from tests.conftest import sign_in


def test_a_refused_page_says_why_in_the_site_layout(client, program, director):
    sign_in(client, director)

    response = client.get(reverse("workspace", args=[program.slug]))

    assert response.status_code == 403
    body = response.content.decode()
    assert "This page is for the program&#x27;s juniors and seniors." in body
    assert "This page is not open to you" in body
    assert director.full_name in body  # the base layout, signed in
    assert f'href="{reverse("home")}"' in body


def test_a_refused_page_offers_sign_in_to_someone_signed_out(db):
    # A signed-out visitor is sent to sign in by the pages themselves; the 403 page's own
    # branch for them is reached through Django's handler with an anonymous request.
    request = RequestFactory().get("/programs/x/weeks/")
    request.user = AnonymousUser()
    response = permission_denied(request, PermissionDenied("Only staff."))

    assert response.status_code == 403
    body = response.content.decode()
    assert "Only staff." in body
    assert "?next=/programs/x/weeks/" in body


def test_an_unknown_program_is_a_page_not_found_in_the_site_layout(client, program, director):
    sign_in(client, director)

    response = client.get(reverse("workspace", args=["no-such-program"]))

    assert response.status_code == 404
    body = response.content.decode()
    assert "We could not find this page" in body
    assert director.full_name in body


def test_the_server_error_page_needs_nothing_that_may_have_failed(db):
    response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong on our side" in body
    assert "{%" not in body and "{{" not in body


def test_the_favicon_address_browsers_ask_for_leads_to_the_icon(client, db):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].endswith("medmentor/favicon.svg")
