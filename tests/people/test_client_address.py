"""The client address every sign-in limit keys on, with and without trusted proxies."""

import secrets

import pytest
from django.test import RequestFactory

from medmentor.people.client import client_address, sign_in_username
from tests.test_settings import _run_check


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/sign-in/", **extra)


def test_with_no_proxy_trusted_the_address_is_the_connection_and_the_header_is_ignored(
    settings,
):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request_from("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_behind_nginx_the_address_is_the_one_nginx_appended(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client wrote "198.51.100.1"; nginx appended the address it was reached from.
    request = request_from("127.0.0.1", "198.51.100.1, 203.0.113.7")
    assert client_address(request) == "203.0.113.7"


def test_behind_two_proxies_the_address_is_the_one_the_outer_proxy_appended(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    request = request_from("127.0.0.1", "198.51.100.1, 203.0.113.7, 10.0.0.5")
    assert client_address(request) == "203.0.113.7"


@pytest.mark.parametrize("forwarded", [None, "", "not-an-address"])
def test_a_missing_or_garbled_proxy_entry_falls_back_to_the_connection(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request_from("127.0.0.1", forwarded)) == "127.0.0.1"


def test_ipv6_addresses_are_kept_whole(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request_from("::1", "2001:db8::1")) == "2001:db8::1"


def test_the_account_is_the_email_trimmed_and_lower_cased():
    request = request_from("127.0.0.1")
    assert sign_in_username(request, {"username": " Junior@Lakeside.TEST "}) == (
        "junior@lakeside.test"
    )


@pytest.mark.slow  # two new Python processes
def test_the_deploy_check_refuses_a_proxy_whose_forwarded_address_is_not_trusted(tmp_path):
    production = {
        "SECRET_KEY": secrets.token_urlsafe(64),
        "SITE_URL": "https://mentor.lakeside.example",
        "BEHIND_PROXY": "1",
    }
    refused = _run_check(tmp_path, **production)
    assert refused.returncode != 0
    assert "medmentor.W001" in refused.stdout + refused.stderr
    assert "TRUSTED_PROXY_COUNT" in refused.stdout + refused.stderr

    passed = _run_check(tmp_path, **production, TRUSTED_PROXY_COUNT="1")
    assert passed.returncode == 0, passed.stdout + passed.stderr
