"""A signed-in page view does not write the session; the idle timeout is still renewed
at most every SESSION_REFRESH_INTERVAL seconds of use."""

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from medmentor.people.session_refresh import REFRESHED_AT
from tests.conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("fast_passwords")


def _session_writes(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [
        q["sql"]
        for q in queries.captured_queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]


def test_pages_after_signing_in_do_not_write_the_session(client, junior):
    response = client.post(reverse("sign-in"), {"email": junior.email, "password": PASSWORD})
    assert response.status_code == 302
    assert REFRESHED_AT in client.session
    for _ in range(3):
        assert _session_writes(client, reverse("home")) == []


def test_a_session_made_elsewhere_is_written_once_then_left_alone(client, junior):
    client.force_login(junior)  # made without the middleware: no refresh time yet
    assert len(_session_writes(client, reverse("home"))) == 1
    assert _session_writes(client, reverse("home")) == []


def test_a_page_after_the_interval_renews_the_idle_timeout_once(client, junior, settings):
    client.post(reverse("sign-in"), {"email": junior.email, "password": PASSWORD})
    key = client.session.session_key
    session = client.session
    session[REFRESHED_AT] = int(session[REFRESHED_AT]) - settings.SESSION_REFRESH_INTERVAL - 1
    session.save()
    before = Session.objects.get(session_key=key).expire_date
    assert len(_session_writes(client, reverse("home"))) == 1
    assert Session.objects.get(session_key=key).expire_date > before
    assert _session_writes(client, reverse("home")) == []


def test_a_visitor_without_a_session_gets_none_from_the_refresh(client, db):
    response = client.get(reverse("sign-in"))
    assert response.status_code == 200
    assert Session.objects.count() == 0
