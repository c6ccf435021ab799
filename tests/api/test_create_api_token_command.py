"""`medmentor create-api-token EMAIL NAME`: a working token, printed once, stored as a digest."""

import io

import pytest
from django.core.management import CommandError, call_command

from medmentor.people.models import ApiToken

pytestmark = pytest.mark.django_db


def _create(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_the_printed_token_opens_the_api(client, director):
    token, advice = _create("Director@Lakeside.test", "weekly export")
    assert "shown only this once" in advice
    response = client.get("/api/programs", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json()["items"][0]["slug"] == "nm-must-see"


def test_only_the_digest_is_stored(director):
    token, _ = _create(director.email, "weekly export")
    stored = ApiToken.objects.get(person=director)
    assert stored.name == "weekly export"
    assert stored.digest == ApiToken.digest_of(token)
    assert token not in stored.digest


def test_each_run_makes_a_new_token(director):
    first, _ = _create(director.email, "a")
    second, _ = _create(director.email, "b")
    assert first != second
    assert ApiToken.objects.filter(person=director).count() == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nobody@lakeside.test", "export"), "No person has the email address"),
        (("director@lakeside.test", "  "), "Give the token a NAME"),
        (("director@lakeside.test", "x" * 101), "keep it to 100"),
    ],
)
def test_bad_arguments_are_refused_with_a_reason(director, args, message):
    with pytest.raises(CommandError, match=message):
        _create(*args)
    assert not ApiToken.objects.exists()


def test_switched_off_account_gets_no_token(director):
    director.is_active = False
    director.save()
    with pytest.raises(CommandError, match="switched off"):
        _create(director.email, "export")


def test_revoke_api_token_switches_the_token_off(client, director):
    token, _ = _create(director.email, "weekly export")
    out = io.StringIO()
    call_command("revoke_api_token", director.email, "weekly export", stdout=out)
    assert "Revoked 1 API token" in out.getvalue()
    response = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_revoking_an_unknown_token_name_says_so(director):
    _create(director.email, "weekly export")
    with pytest.raises(CommandError, match="no active API token named “nightly”"):
        call_command("revoke_api_token", director.email, "nightly")
    assert not ApiToken.objects.filter(revoked_at__isnull=False).exists()
