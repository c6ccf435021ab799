"""Every response tells browsers and proxies not to keep it (shared hospital computers):
`Cache-Control: no-store, private` on pages for signed-in people, on pages reached by a
personal link, on the API with a Bearer token, and on the public pages too."""

import pytest
from django.urls import reverse

from medmentor.people.services import api_token_create
from medmentor.surveys.models import WaveKind
from medmentor.surveys.services import invitation_token, invitations_create
from tests.conftest import sign_in
from tests.surveys.conftest import make_survey

pytestmark = pytest.mark.usefixtures("fast_passwords")


def assert_not_stored(response) -> None:
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives, response["Cache-Control"]
    assert "public" not in directives


@pytest.mark.parametrize(
    "url",
    [
        lambda program, survey: reverse("home"),
        lambda program, survey: reverse("program-weeks", kwargs={"slug": program.slug}),
        lambda program, survey: reverse("survey-list", kwargs={"slug": program.slug}),
        lambda program, survey: reverse(
            "survey-report", kwargs={"slug": program.slug, "instrument_id": survey.pk}
        ),
        lambda program, survey: reverse(
            "survey-export",
            kwargs={"slug": program.slug, "instrument_id": survey.pk, "kind": "long"},
        ),
        lambda program, survey: reverse("survey-editor", args=[program.slug, survey.pk]),
        lambda program, survey: "/api/me",
        lambda program, survey: "/programs/no-such-program/weeks/",  # a 404 for them
    ],
)
def test_signed_in_pages_are_not_stored(client, program, director, url):
    survey = make_survey(program)
    sign_in(client, director)
    response = client.get(url(program, survey))
    assert response.status_code in (200, 404)
    assert_not_stored(response)


def test_a_survey_answer_link_is_not_stored(client, program, junior):
    survey = make_survey(program)
    wave = survey.waves.get(kind=WaveKind.PRE)
    invitations_create(wave=wave, people=[junior])
    token = invitation_token(invitation=wave.invitations.get(person=junior))
    response = client.get(reverse("survey-answer", kwargs={"token": token}))
    assert response.status_code == 200
    assert_not_stored(response)


def test_a_sign_in_link_page_is_not_stored(client, junior):
    response = client.get(reverse("sign-in-link", kwargs={"token": "a" * 40}))
    assert_not_stored(response)


def test_the_api_with_a_bearer_token_is_not_stored(client, program, director):
    token = api_token_create(person=director, name="script")
    for url in ("/api/me", "/api/programs", f"/api/programs/{program.slug}"):
        response = client.get(url, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, url
        assert_not_stored(response)


def test_public_pages_are_not_stored_either(client, db):
    # Nothing to hide on the sign-in form, but one rule for every page cannot miss the
    # next private one; a refused API call and the API docs follow it too.
    for url in (reverse("sign-in"), "/api/me", "/api/docs"):
        assert_not_stored(client.get(url))


def test_a_page_that_asked_to_be_cached_publicly_is_still_not_stored(rf, db):
    from django.http import HttpResponse
    from django.utils.cache import patch_cache_control

    from medmentor.people.middleware import NoStoreMiddleware

    def view(request):
        response = HttpResponse("hello")
        patch_cache_control(response, public=True, max_age=3600)
        return response

    response = NoStoreMiddleware(view)(rf.get("/"))
    assert_not_stored(response)
