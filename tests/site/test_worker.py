"""`medmentor worker`: its hooks run before each pass, all by default, or only those
named with --hook, or none with --no-hooks (the queued mail is sent either way)."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from medmentor.meetings import services as meeting_services
from medmentor.messaging.models import OutboxStatus
from medmentor.messaging.services import sign_in_link_send
from medmentor.people.models import SignInLinkRequest
from medmentor.site.management.commands.worker import WORKER_HOOKS


@pytest.fixture
def old_link_request(client, junior):
    """A sign-in-link request from before the throttling window, which the
    `sign-in-records` hook deletes."""
    client.post(reverse("sign-in-link-request"), {"email": junior.email})
    SignInLinkRequest.objects.update(at=timezone.now() - datetime.timedelta(hours=1))
    return SignInLinkRequest.objects.get()


@pytest.mark.django_db
def test_with_no_hooks_the_worker_sends_what_is_queued_and_runs_no_hook(
    junior, smtp_server, old_link_request
):
    call_command("worker", "--once", "--no-hooks")

    assert [message["To"].addresses[0].addr_spec for message in smtp_server.messages] == [
        junior.email
    ]
    assert junior.outbox_messages.get().status == OutboxStatus.SENT
    assert SignInLinkRequest.objects.filter(pk=old_link_request.pk).exists()


@pytest.mark.django_db
def test_a_named_hook_runs_and_the_queued_mail_is_sent(junior, smtp_server, old_link_request):
    sign_in_link_send(person=junior)

    call_command("worker", "--once", "--hook", "sign-in-records")

    assert len(smtp_server.messages) == 2
    assert not SignInLinkRequest.objects.exists()


def test_an_unknown_hook_is_refused_naming_the_ones_there_are():
    with pytest.raises(CommandError) as refused:
        call_command("worker", "--once", "--hook", "weekly-email")
    assert "invalid choice: 'weekly-email'" in str(refused.value)
    assert all(name in str(refused.value) for name in WORKER_HOOKS)


@pytest.mark.django_db
def test_the_meeting_emails_hook_sends_each_participant_their_own_we_met_links(
    program, senior, junior, smtp_server
):
    start = timezone.now() - datetime.timedelta(days=2)
    meeting_services.meeting_plan(
        program=program,
        organizer=senior,
        participants=[senior, junior],
        title="Coffee and questions",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        now=start - datetime.timedelta(days=1),
    )

    call_command("worker", "--once", "--hook", "meeting-emails")

    after = [m for m in smtp_server.messages if "we-met" in m.get_body(("plain",)).get_content()]
    assert sorted(m["To"].addresses[0].addr_spec for m in after) == sorted(
        [senior.email, junior.email]
    )
    links = [
        line.strip()
        for m in after
        for line in m.get_body(("plain",)).get_content().splitlines()
        if "/meetings/we-met/" in line
    ]
    assert links and "/personal-link/" not in "".join(links)
    assert len(set(links)) == len(links)  # no recipient holds another's link
