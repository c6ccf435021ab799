import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from medmentor.messaging.models import OutboxMessage
from medmentor.messaging.services import outbox_deliver
from medmentor.people import services
from medmentor.people.models import SignInLink
from tests.conftest import PASSWORD, received_text


def _link_path(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


@pytest.mark.django_db
def test_password_is_stored_with_argon2(junior):
    assert junior.password.startswith("argon2$")


@pytest.mark.django_db
def test_sign_in_with_email_and_password_opens_a_session(client, junior):
    response = client.post(
        reverse("sign-in"), {"email": "JUNIOR@lakeside.test", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(junior.pk)


@pytest.mark.django_db
def test_wrong_password_is_refused_with_a_message(client, junior):
    response = client.post(reverse("sign-in"), {"email": junior.email, "password": "nope"})
    assert response.status_code == 400
    assert "do not match" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_repeated_failed_sign_ins_are_throttled_even_with_the_right_password(
    client, junior, settings
):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("sign-in"), {"email": junior.email, "password": "wrong"})
    response = client.post(reverse("sign-in"), {"email": junior.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-ins for this account from this address" in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_lockout_is_our_sign_in_page_saying_why_in_words(client, junior, settings):
    settings.AXES_FAILURE_LIMIT = 2
    client.post(reverse("sign-in"), {"email": junior.email, "password": "wrong"})
    response = client.post(reverse("sign-in"), {"email": junior.email, "password": "wrong"})
    assert response.status_code == 429
    page = response.content.decode()
    assert (
        "Too many failed sign-ins for this account from this address. "
        "Try again in 15 minutes or ask for a sign-in link."
    ) in page
    assert 'role="alert"' in page
    assert "Email me a link" in page  # the way in that still works
    assert "Account locked" not in page  # not django-axes' bare default


@pytest.mark.django_db
def test_another_capitalisation_of_the_email_counts_toward_the_same_limit(client, junior, settings):
    settings.AXES_FAILURE_LIMIT = 2
    client.post(reverse("sign-in"), {"email": junior.email.upper(), "password": "wrong"})
    client.post(reverse("sign-in"), {"email": junior.email.title(), "password": "wrong"})
    response = client.post(reverse("sign-in"), {"email": junior.email, "password": PASSWORD})
    assert response.status_code == 429


@pytest.mark.django_db
def test_a_successful_sign_in_clears_the_earlier_failures(client, junior, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        client.post(reverse("sign-in"), {"email": junior.email, "password": "wrong"})
    assert (
        client.post(reverse("sign-in"), {"email": junior.email, "password": PASSWORD}).status_code
        == 302
    )
    assert not AccessAttempt.objects.exists()
    client.logout()
    for _ in range(2):
        response = client.post(reverse("sign-in"), {"email": junior.email, "password": "wrong"})
        assert response.status_code == 400


@pytest.mark.django_db
def test_throttle_lifts_after_the_window(client, junior, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        client.post(reverse("sign-in"), {"email": junior.email, "password": "wrong"})
    assert (
        client.post(reverse("sign-in"), {"email": junior.email, "password": PASSWORD}).status_code
        == 429
    )
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(hours=1))
    response = client.post(reverse("sign-in"), {"email": junior.email, "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.django_db
def test_refused_tries_during_the_lockout_do_not_extend_it(client, junior, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        client.post(reverse("sign-in"), {"email": junior.email, "password": "wrong"})
    locked_at = AccessAttempt.objects.get().attempt_time
    for _ in range(3):
        client.post(reverse("sign-in"), {"email": junior.email, "password": "wrong"})
    attempt = AccessAttempt.objects.get()
    assert attempt.attempt_time == locked_at
    assert attempt.failures_since_start == 2


@pytest.mark.django_db
def test_sign_in_link_is_emailed_through_the_outbox_and_signs_in_once(client, junior, smtp_server):
    response = client.post(reverse("sign-in-link-request"), {"email": junior.email})
    assert response.status_code == 302
    # The outbox holds a placeholder; the worker mints the link at delivery.
    message = OutboxMessage.objects.get(person=junior)
    assert "/sign-in/link/" not in message.text_body + message.html_body
    outbox_deliver(worker_name="test")
    (received,) = smtp_server.messages
    url = re.search(r"https?://\S+/sign-in/link/\S+/", received_text(received)).group(0)
    path = _link_path(url)

    # Opening the link (as a mail scanner would) does not use it up.
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(junior.pk)

    client.logout()
    response = client.post(path, follow=True)
    assert "already been used" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_unknown_email_gets_the_same_answer_and_no_mail(client, junior):
    response = client.post(
        reverse("sign-in-link-request"), {"email": "nobody@nowhere.test"}, follow=True
    )
    assert "If that address belongs to an account" in response.content.decode()
    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db
def test_expired_sign_in_link_is_refused(client, junior):
    url = services.sign_in_link_create(person=junior)
    SignInLink.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.post(_link_path(url), follow=True)
    assert "has expired" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_tampered_sign_in_link_is_refused(client, junior):
    url = services.sign_in_link_create(person=junior)
    response = client.post(_link_path(url).replace("/link/", "/link/x"), follow=True)
    assert "not valid" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_sign_in_link_keeps_its_destination(client, junior):
    url = services.sign_in_link_create(person=junior)
    response = client.post(
        _link_path(url) + "?next=/programs/nm-must-see/this-week/",
        {"next": "/programs/nm-must-see/this-week/"},
    )
    assert response["Location"] == "/programs/nm-must-see/this-week/"


@pytest.mark.django_db
def test_sign_in_refuses_to_redirect_off_site(client, junior):
    response = client.post(
        reverse("sign-in"),
        {"email": junior.email, "password": PASSWORD, "next": "https://evil.test/"},
    )
    assert response["Location"] == reverse("home")


@pytest.mark.django_db
def test_sessions_expire_and_end_with_the_browser(settings):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 24 * 60 * 60


@pytest.mark.django_db
def test_pages_need_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sign-in"))


@pytest.mark.django_db
def test_the_admin_sign_in_sends_people_to_the_throttled_sign_in_page(client, director):
    response = client.get(reverse("admin:login") + "?next=/admin/people/person/")
    assert response.status_code == 302
    assert response["Location"] == reverse("sign-in") + "?next=/admin/people/person/"
    # Its form does not check passwords at all.
    response = client.post(
        reverse("admin:login"), {"username": director.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sign-in"))
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_locked_out_person_can_still_sign_in_with_an_emailed_link(client, junior, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        client.post(reverse("sign-in"), {"email": junior.email, "password": "wrong"})
    url = services.sign_in_link_create(person=junior)
    response = client.post(_link_path(url))
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(junior.pk)
    # Proving the email is theirs clears their failures at this address.
    assert not AccessAttempt.objects.exists()


@pytest.mark.django_db
def test_the_lockout_page_says_until_when_and_offers_ways_back(client, junior, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.TIME_ZONE = "UTC"
    settings.SIGN_IN_FAILURE_WINDOW = 20 * 60
    for _ in range(2):
        client.post(reverse("sign-in"), {"email": junior.email, "password": "wrong"})
    before = timezone.now()
    response = client.post(
        reverse("sign-in"),
        {"email": junior.email, "password": PASSWORD, "next": "/programs/"},
    )
    assert response.status_code == 429
    page = response.content.decode()
    assert "<h1>Too many sign-in attempts</h1>" in page
    assert 'class="site-header"' in page  # the site's layout, not a bare answer
    # Until when: the window (20 minutes here) from now, as a clock time.
    until = re.search(r'<time datetime="([^"]+)">(\d\d:\d\d)</time>', page)
    retry_at = datetime.datetime.fromisoformat(until.group(1))
    assert datetime.timedelta(minutes=20) <= retry_at - before < datetime.timedelta(minutes=21)
    assert until.group(2) == retry_at.strftime("%H:%M")
    # The ways back: the sign-in page (keeping where they were going), home, a link.
    assert f'href="{reverse("sign-in")}?next=/programs/"' in page
    assert f'href="{reverse("home")}"' in page
    assert f'action="{reverse("sign-in-link-request")}"' in page
    assert f'value="{junior.email}"' in page
