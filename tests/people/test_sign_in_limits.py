"""Limits on emailed sign-in links, and pruning of every throttling record."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from medmentor.messaging.models import OutboxMessage
from medmentor.people import services
from medmentor.people.models import SignInLinkRequest, ThrottleKey

NEUTRAL = "If that address belongs to an account, a sign-in link is on its way."


def ask_for_link(client, email, address="203.0.113.7"):
    return client.post(
        reverse("sign-in-link-request"), {"email": email}, REMOTE_ADDR=address, follow=True
    )


@pytest.mark.django_db
def test_links_to_one_email_are_capped_and_the_answer_stays_the_same(client, junior, settings):
    settings.SIGN_IN_LINK_REQUESTS_PER_EMAIL = 3
    answers = [ask_for_link(client, junior.email, f"203.0.113.{n}") for n in range(1, 6)]
    assert [answer.status_code for answer in answers] == [200] * 5
    assert all(NEUTRAL in answer.content.decode() for answer in answers)
    assert OutboxMessage.objects.filter(person=junior).count() == 3


@pytest.mark.django_db
def test_the_email_cap_counts_any_capitalisation(client, junior, settings):
    settings.SIGN_IN_LINK_REQUESTS_PER_EMAIL = 2
    for email in (junior.email.upper(), junior.email.title(), junior.email):
        ask_for_link(client, email)
    assert OutboxMessage.objects.filter(person=junior).count() == 2


@pytest.mark.django_db
def test_too_many_link_requests_from_one_address_are_refused_in_words(client, junior, settings):
    settings.SIGN_IN_LINK_REQUESTS_PER_ADDRESS = 4
    for n in range(4):
        assert NEUTRAL in ask_for_link(client, f"someone{n}@nowhere.test").content.decode()
    response = ask_for_link(client, junior.email)
    assert response.status_code == 429
    assert "Too many sign-in links were asked for from your network" in response.content.decode()
    assert not OutboxMessage.objects.filter(person=junior).exists()
    # Another address is not affected.
    assert NEUTRAL in ask_for_link(client, junior.email, "198.51.100.9").content.decode()
    assert OutboxMessage.objects.filter(person=junior).count() == 1


@pytest.mark.django_db
def test_the_email_cap_lifts_after_the_window(client, junior, settings):
    settings.SIGN_IN_LINK_REQUESTS_PER_EMAIL = 1
    ask_for_link(client, junior.email)
    ask_for_link(client, junior.email)
    assert OutboxMessage.objects.filter(person=junior).count() == 1
    SignInLinkRequest.objects.update(at=timezone.now() - datetime.timedelta(minutes=16))
    ask_for_link(client, junior.email)
    assert OutboxMessage.objects.filter(person=junior).count() == 2


@pytest.mark.django_db
def test_the_worker_prunes_throttling_records_older_than_the_window(client, junior, settings):
    settings.AXES_FAILURE_LIMIT = 10
    client.post(reverse("sign-in"), {"email": junior.email, "password": "wrong"})
    ask_for_link(client, junior.email)
    client.post(
        reverse("sign-in"),
        {"email": "other@lakeside.test", "password": "wrong"},
        REMOTE_ADDR="198.51.100.9",
    )
    ask_for_link(client, "other@lakeside.test", "198.51.100.9")
    old = timezone.now() - datetime.timedelta(minutes=16)
    AccessAttempt.objects.filter(username=junior.email).update(attempt_time=old)
    SignInLinkRequest.objects.filter(email=junior.email).update(at=old)
    ThrottleKey.objects.update(touched_at=old)
    fresh_key = ThrottleKey.objects.first()
    ThrottleKey.objects.filter(pk=fresh_key.pk).update(touched_at=timezone.now())

    call_command("worker", "--once")  # every hook, as deployed

    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["other@lakeside.test"]
    assert list(SignInLinkRequest.objects.values_list("email", flat=True)) == [
        "other@lakeside.test"
    ]
    assert list(ThrottleKey.objects.values_list("pk", flat=True)) == [fresh_key.pk]


@pytest.mark.django_db
def test_a_pruned_throttle_key_is_made_again_on_the_next_attempt(junior):
    assert services.sign_in_link_request_admit(email=junior.email, address="203.0.113.7") is (
        services.SignInLinkRequestVerdict.ADMITTED
    )
    services.sign_in_records_prune(now=timezone.now() + datetime.timedelta(hours=1))
    assert not ThrottleKey.objects.exists()
    assert not SignInLinkRequest.objects.exists()
    services.sign_in_link_request_admit(email=junior.email, address="203.0.113.7")
    assert ThrottleKey.objects.count() == 2
