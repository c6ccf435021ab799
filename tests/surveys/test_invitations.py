"""Invitations and reminders go out through the outbox and a real SMTP server."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from medmentor.messaging.models import OutboxMessage
from medmentor.surveys.invitations import survey_emails_enqueue_due
from medmentor.surveys.models import Anonymity, Instrument, Invitation, Wave
from tests.conftest import sign_in

pytestmark = pytest.mark.usefixtures("fast_passwords")


def _invite(client, survey, director):
    wave = survey.waves.get(kind="pre")
    sign_in(client, director)
    response = client.post(
        reverse(
            "survey-invite",
            kwargs={"slug": survey.program.slug, "instrument_id": survey.pk, "wave_id": wave.pk},
        ),
        {"roles": ["junior", "senior"]},
    )
    assert response.status_code == 302
    client.logout()
    return wave


def test_the_worker_emails_each_learner_a_link_that_opens_the_survey(
    client, settings, smtp_server, survey, director, junior, senior, faculty
):
    _invite(client, survey, director)
    call_command("worker", "--once", "--hook", "survey-emails")
    received = {message["To"].addresses[0].addr_spec: message for message in smtp_server.messages}
    assert set(received) == {"junior@lakeside.test", "senior@lakeside.test"}
    body = received["junior@lakeside.test"].get_payload(decode=True).decode()
    assert "Taking part is voluntary." in body
    path = "/" + re.search(r"https?://\S+/(surveys/answer/\S+/)", body).group(1)
    assert "Do you agree to take part?" in client.get(path).content.decode()


def test_in_identified_mode_reminders_go_only_to_those_not_done_and_stop_after_the_limit(
    client, survey, director, junior, senior
):
    Instrument.objects.filter(pk=survey.pk).update(anonymity=Anonymity.IDENTIFIED)
    wave = _invite(client, survey, director)
    Invitation.objects.filter(person=senior).update(is_done=True)
    start = wave.opens_at + datetime.timedelta(hours=2)
    assert survey_emails_enqueue_due(now=start) == 1  # the junior: the invitation
    assert survey_emails_enqueue_due(now=start) == 0  # not yet time for a reminder
    week = datetime.timedelta(days=survey.reminder_every_days)
    assert survey_emails_enqueue_due(now=start + week) == 1
    assert survey_emails_enqueue_due(now=start + 2 * week) == 1
    assert survey_emails_enqueue_due(now=start + 5 * week) == 0  # the limit: 2 reminders
    invitation = Invitation.objects.get(person=junior)
    assert invitation.emails_sent == 1 + survey.max_reminders
    reminder = OutboxMessage.objects.get(key=f"survey:{invitation.pk}:2")
    assert "A reminder: you have not yet answered" in reminder.text_body


@pytest.mark.parametrize("mode", [Anonymity.CODED, Anonymity.ANONYMOUS])
def test_in_coded_and_anonymous_modes_everyone_invited_gets_the_same_emails_answered_or_not(
    client, survey, director, junior, senior, mode
):
    """Staff read the outbox: a reminder only to those not done would name who
    answered. So in these modes the emails queued never depend on who is done."""
    Instrument.objects.filter(pk=survey.pk).update(anonymity=mode)
    wave = _invite(client, survey, director)
    Invitation.objects.filter(person=senior).update(is_done=True)
    start = wave.opens_at + datetime.timedelta(hours=2)
    week = datetime.timedelta(days=survey.reminder_every_days)
    assert survey_emails_enqueue_due(now=start) == 2
    assert survey_emails_enqueue_due(now=start) == 0
    assert survey_emails_enqueue_due(now=start + week) == 2
    assert survey_emails_enqueue_due(now=start + 2 * week) == 2
    assert survey_emails_enqueue_due(now=start + 5 * week) == 0  # the limit: 2 reminders
    sent = {
        person: sorted(
            (
                message.key.rsplit(":", 1)[1],
                message.subject,
                # The same but for the name and the placeholder of one's own link.
                re.sub(r"/survey/\d+/", "/survey/ID/", message.text_body).replace(
                    person.full_name, "NAME"
                ),
            )
            for message in OutboxMessage.objects.filter(person=person)
        )
        for person in (junior, senior)
    }
    assert len(sent[junior]) == 1 + survey.max_reminders
    # The same emails, word for word, whether the person answered or not.
    assert sent[junior] == sent[senior]
    assert "If you have already answered or declined, thank you" in sent[senior][-1][2]
    assert "not yet answered" not in sent[senior][-1][2]


def test_no_email_for_a_closed_wave(client, survey, director, junior):
    wave = _invite(client, survey, director)
    Wave.objects.filter(pk=wave.pk).update(closes_at=wave.opens_at + datetime.timedelta(hours=1))
    assert survey_emails_enqueue_due(now=wave.opens_at + datetime.timedelta(hours=2)) == 0


def test_inviting_twice_makes_no_second_invitation(client, survey, director, junior, senior):
    _invite(client, survey, director)
    _invite(client, survey, director)
    assert Invitation.objects.count() == 2


def test_a_learner_may_not_send_invitations(client, survey, junior):
    wave = survey.waves.get(kind="pre")
    sign_in(client, junior)
    url = reverse(
        "survey-invite",
        kwargs={"slug": survey.program.slug, "instrument_id": survey.pk, "wave_id": wave.pk},
    )
    assert client.post(url).status_code == 403
    assert not Invitation.objects.exists()
