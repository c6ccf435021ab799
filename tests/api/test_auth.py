"""Who may call the API at all: Bearer tokens for scripts, the session for browsers."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from medmentor.api.services import LAST_USED_RESOLUTION
from medmentor.people.models import ApiToken
from medmentor.people.services import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db


def test_anonymous_caller_gets_401_with_a_json_message(client, program):
    response = client.get("/api/programs")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert "Bearer" in response.json()["detail"]


def test_bearer_token_signs_in_its_owner(client, director):
    token = api_token_create(person=director, name="export")
    response = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json()["email"] == director.email


def test_unknown_token_is_refused_with_401(client, director):
    response = client.get("/api/me", headers={"Authorization": "Bearer mm_not-a-real-token"})
    assert response.status_code == 401
    assert response.json()["detail"] == "Unknown API token."


def test_revoked_token_is_refused_even_with_a_session(client, director):
    token = api_token_create(person=director, name="old script")
    api_token_revoke(token=ApiToken.objects.get(person=director))
    client.force_login(director)
    response = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_token_of_a_switched_off_account_is_refused(client, director):
    token = api_token_create(person=director, name="export")
    director.is_active = False
    director.save()
    response = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert "switched off" in response.json()["detail"]


def test_other_authorization_schemes_are_not_accepted(client, director):
    response = client.get("/api/me", headers={"Authorization": "Basic ZGlyZWN0b3I6cHc="})
    assert response.status_code == 401


def test_overlong_token_is_refused_without_error(client, director):
    response = client.get("/api/me", headers={"Authorization": "Bearer " + "x" * 10_000})
    assert response.status_code == 401


def test_first_use_of_a_token_records_last_used(client, director):
    token = api_token_create(person=director, name="export")
    client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert ApiToken.objects.get(person=director).last_used_at is not None


def test_last_used_is_not_rewritten_within_the_minute(client, director):
    token = api_token_create(person=director, name="export")
    recently = timezone.now() - LAST_USED_RESOLUTION / 2
    ApiToken.objects.filter(person=director).update(last_used_at=recently)
    client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert ApiToken.objects.get(person=director).last_used_at == recently


def test_last_used_is_rewritten_once_the_minute_has_passed(client, director):
    token = api_token_create(person=director, name="export")
    long_ago = timezone.now() - LAST_USED_RESOLUTION - datetime.timedelta(seconds=1)
    ApiToken.objects.filter(person=director).update(last_used_at=long_ago)
    client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert ApiToken.objects.get(person=director).last_used_at > long_ago


def test_signed_in_browser_can_read(client, director):
    client.force_login(director)
    response = client.get("/api/me")
    assert response.status_code == 200
    assert response.json()["full_name"] == director.full_name


def test_browser_session_write_without_csrf_token_is_refused(director, week, junior, senior):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(director)
    response = browser.post(
        "/api/programs/nm-must-see/weeks/2026-11-02/pairs",
        data={"junior_id": junior.pk, "senior_id": senior.pk},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_anonymous_write_is_told_to_sign_in_not_about_csrf(week, junior, senior):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(
        "/api/programs/nm-must-see/weeks/2026-11-02/pairs",
        data={"junior_id": junior.pk, "senior_id": senior.pk},
        content_type="application/json",
    )
    assert response.status_code == 401


def test_openapi_schema_and_docs_are_served(client):
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200
    operations = [op for path in schema.json()["paths"].values() for op in path.values()]
    assert operations and all(op.get("description") for op in operations)
    assert client.get("/api/docs").status_code == 200
