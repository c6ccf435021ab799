"""The director's weekly email editor and the program's outbox pages."""

import datetime
import re
import socket

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from medmentor.messaging.models import OutboxMessage, OutboxStatus
from medmentor.messaging.services import RenderedEmail, outbox_deliver, outbox_enqueue_many
from medmentor.programs.models import (
    EmailTemplate,
    Enrollment,
    Pair,
    ProgramWeek,
    Role,
    ServiceBlock,
)
from tests.conftest import make_person, sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]


@pytest.fixture
def on_service(case_week, program, service, junior, senior, other_junior, other_senior):
    for person in (junior, senior, other_junior, other_senior):
        ServiceBlock.objects.create(
            program=program,
            person=person,
            service=service,
            starts_on=case_week.week.starts_on,
            ends_on=case_week.week.starts_on + datetime.timedelta(days=4),
        )
    return case_week


@pytest.fixture
def sent_mail(program):
    """Three messages of the program (one with a sign-in link and a script in its HTML)
    and one sign-in email, which is not the program's."""
    outbox_enqueue_many(
        emails=[
            RenderedEmail(
                key=f"weekly:{program.id}:2026-11-02:{n}",
                to_email=f"person{n}@lakeside.test",
                subject=f"Week of 2 November, person {n}",
                text_body=f"Hello {n}. http://127.0.0.1:8000/sign-in/link/SECRETTOKEN{n}/?next=%2F",
                html_body=f'<p>Hello {n}</p><script>alert("{n}")</script>'
                f'<a href="http://127.0.0.1:8000/sign-in/link/SECRETTOKEN{n}/">open</a>',
                topic=f"program:{program.id}",
            )
            for n in range(3)
        ]
        + [
            RenderedEmail(
                key="sign-in:1:x",
                to_email="someone@lakeside.test",
                subject="Your medmentor sign-in link",
                text_body="private",
                topic="sign-in",
            )
        ]
    )
    return list(OutboxMessage.objects.filter(topic=f"program:{program.id}").order_by("key"))


def draft(**changes) -> dict:
    data = {
        "subject": "{{ week.topic }} this week",
        "text_body": "Hello {{ person.first_name }}, you are a {{ role }}. {{ workspace_url }}",
        "html_body": "<p>Hello {{ person.first_name }}</p>",
    }
    data.update(changes)
    return data


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- Who may open what --------------------------------------------------------------------

PAGES = [
    ("get", "email-template", {}),
    ("post", "email-preview", {}),
    ("post", "email-test", {}),
    ("get", "outbox", {}),
    ("get", "outbox-message", {"message": True}),
    ("post", "outbox-retry", {"message": True}),
]


def page_url(name: str, program, sent_mail, options) -> str:
    kwargs = {"slug": program.slug}
    if options.get("message"):
        kwargs["message_id"] = sent_mail[0].pk
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize(("method", "name", "options"), PAGES)
@pytest.mark.parametrize("role", ["director", "coordinator"])
def test_directors_and_coordinators_may_use_every_email_page(
    request, client, program, on_service, sent_mail, method, name, options, role
):
    sign_in(client, request.getfixturevalue(role))
    OutboxMessage.objects.filter(pk=sent_mail[0].pk).update(status=OutboxStatus.FAILED)

    response = getattr(client, method)(page_url(name, program, sent_mail, options), draft())

    assert response.status_code in (200, 302)


@pytest.mark.parametrize(("method", "name", "options"), PAGES)
@pytest.mark.parametrize("role", ["faculty", "researcher", "senior", "junior", "outsider"])
def test_everyone_else_is_refused_every_email_page(
    request, client, program, on_service, sent_mail, method, name, options, role
):
    sign_in(client, request.getfixturevalue(role))
    OutboxMessage.objects.filter(pk=sent_mail[0].pk).update(status=OutboxStatus.FAILED)
    before = list(OutboxMessage.objects.values_list("key", "status"))

    response = getattr(client, method)(page_url(name, program, sent_mail, options), draft())

    assert response.status_code == 403
    assert b"SECRETTOKEN" not in response.content
    assert list(OutboxMessage.objects.values_list("key", "status")) == before


@pytest.mark.parametrize(("method", "name", "options"), PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, program, sent_mail, method, name, options):
    response = getattr(client, method)(page_url(name, program, sent_mail, options), draft())

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sign-in"))


def test_an_unknown_program_is_not_found(client, director):
    sign_in(client, director)
    assert client.get(reverse("email-template", kwargs={"slug": "nope"})).status_code == 404
    assert client.get(reverse("outbox", kwargs={"slug": "nope"})).status_code == 404


# --- The editor ----------------------------------------------------------------------------


def test_the_editor_starts_from_the_default_template_with_a_preview(
    client, program, director, on_service
):
    sign_in(client, director)

    response = client.get(reverse("email-template", kwargs={"slug": program.slug}))

    page = response.content.decode()
    assert response.status_code == 200
    assert "This is medmentor's default template" in page
    assert "safe learning space" in page
    # The preview is rendered for the first person on service, with a link that
    # signs nobody in, and its HTML sits in a sandboxed frame.
    assert "As Jamie Junior would get it" in page
    assert "/sign-in/link/" not in page
    assert '<iframe class="email-html" sandbox=""' in page
    assert 'srcdoc="&lt;!doctype html&gt;' in page


def test_a_saved_template_is_used_and_reset_brings_back_the_default(
    client, program, director, on_service
):
    sign_in(client, director)
    url = reverse("email-template", kwargs={"slug": program.slug})

    response = client.post(url, {**draft(), "action": "save"})
    assert response.status_code == 302
    saved = EmailTemplate.objects.get(program=program)
    assert saved.subject == "{{ week.topic }} this week"
    assert "You are using your own template" in client.get(url).content.decode()

    response = client.post(url, {"action": "reset"})
    assert response.status_code == 302
    assert not EmailTemplate.objects.exists()


def test_a_template_with_a_syntax_error_is_refused_with_its_line_and_not_saved(
    client, program, director, on_service
):
    sign_in(client, director)
    url = reverse("email-template", kwargs={"slug": program.slug})

    response = client.post(
        url, {**draft(text_body="Hello\n{% for case in week.cases %}"), "action": "save"}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Plain-text part, line 2" in page
    assert "Unclosed tag" in page
    assert not EmailTemplate.objects.exists()


def test_a_template_reaching_outside_the_email_is_refused(client, program, director, on_service):
    sign_in(client, director)
    url = reverse("email-template", kwargs={"slug": program.slug})

    response = client.post(url, {**draft(html_body="{% load static %}"), "action": "save"})

    assert response.status_code == 400
    assert "HTML part, line 1" in response.content.decode()
    assert not EmailTemplate.objects.exists()


def test_the_live_preview_renders_the_draft_for_the_chosen_person(
    client, program, director, senior, on_service
):
    sign_in(client, director)

    response = client.post(
        reverse("email-preview", kwargs={"slug": program.slug}),
        {**draft(), "week": on_service.week.id, "person": senior.id},
        headers={"HX-Request": "true"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1" not in page  # only the preview part
    assert "Thyroid scintigraphy this week" in page
    assert "Hello Sam, you are a Senior (mentor)." in page
    assert "http://127.0.0.1:8000/programs/nm-must-see/this-week/" in page


def _holiday_week_with_only(program, service, person, after):
    """The week after `after`, a holiday week: only `person` is on service (one day)."""
    week = ProgramWeek.objects.create(
        program=program, starts_on=after.starts_on + datetime.timedelta(days=7)
    )
    ServiceBlock.objects.create(
        program=program,
        person=person,
        service=service,
        starts_on=week.starts_on,
        ends_on=week.starts_on,
    )
    return week


@pytest.mark.parametrize("action", ["preview", "save"])
def test_choosing_a_holiday_week_keeps_the_draft_and_previews_that_weeks_first_person(
    client, program, service, director, junior, other_senior, on_service, action
):
    # The director previewed for the junior, then picks a holiday week in which only
    # other_senior is on service: the junior is no longer a choice. The form used to
    # refuse the whole draft (400, "Select a valid choice", "Fill in the subject").
    holiday = _holiday_week_with_only(program, service, other_senior, on_service.week)
    sign_in(client, director)
    url = reverse("email-template", kwargs={"slug": program.slug})

    response = client.post(
        url, {**draft(), "week": holiday.id, "person": junior.id, "action": action}
    )

    if action == "save":
        assert response.status_code == 302
        assert EmailTemplate.objects.get(program=program).subject == draft()["subject"]
        response = client.get(response["Location"])
    page = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice" not in page
    assert "to see a preview" not in page
    assert f'<option value="{holiday.id}" selected>' in page
    assert f'<option value="{other_senior.id}" selected>' in page
    assert f"Hello {other_senior.full_name.split()[0]}" in page


def test_the_live_preview_of_a_holiday_week_shows_the_weeks_person_not_an_error(
    client, program, service, director, junior, other_senior, on_service
):
    holiday = _holiday_week_with_only(program, service, other_senior, on_service.week)
    sign_in(client, director)

    response = client.post(
        reverse("email-preview", kwargs={"slug": program.slug}),
        {**draft(), "week": holiday.id, "person": junior.id},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert f"Hello {other_senior.full_name.split()[0]}" in response.content.decode()


def test_an_empty_subject_is_named_in_the_preview(client, program, director, on_service):
    sign_in(client, director)

    response = client.post(
        reverse("email-preview", kwargs={"slug": program.slug}), draft(subject="")
    )

    assert "Fix the subject to see a preview." in response.content.decode()


@pytest.mark.parametrize(
    ("text_body", "message"),
    [
        ("{% if %}", "Plain-text part, line 1: Unexpected end of expression"),
        ("{% for x in link_valid_days %}{% endfor %}", "Plain-text part: it failed while"),
        ("{{ link_valid_days|divisibleby:0 }}", "Plain-text part: it failed while rendering"),
    ],
)
def test_a_broken_draft_shows_its_problem_in_the_preview_never_a_server_error(
    client, program, director, on_service, text_body, message
):
    sign_in(client, director)

    response = client.post(
        reverse("email-preview", kwargs={"slug": program.slug}), draft(text_body=text_body)
    )

    assert response.status_code == 200
    assert message in response.content.decode()


def test_send_me_a_test_queues_the_draft_to_the_director_and_the_worker_sends_it(
    client, program, director, junior, on_service, smtp_server, settings
):
    sign_in(client, director)

    response = client.post(
        reverse("email-test", kwargs={"slug": program.slug}),
        {**draft(), "week": on_service.week.id, "person": junior.id},
    )

    assert response.status_code == 200
    assert "A test of this draft is on its way to director@lakeside.test" in (
        response.content.decode()
    )
    assert not EmailTemplate.objects.exists()  # a test saves nothing
    test = OutboxMessage.objects.get()
    assert test.key.startswith(f"weekly-test:{program.id}:{director.id}:")
    assert test.topic == f"program:{program.id}"

    call_command("worker", "--once", "--no-hooks")
    received = smtp_server.messages
    assert [message["To"].addresses[0].addr_spec for message in received] == [
        "director@lakeside.test"
    ]
    assert received[0]["Subject"] == "[Test] Thyroid scintigraphy this week"
    text = received[0].get_body(("plain",)).get_content()
    assert "Hello Jo, you are a Junior (mentee)." in text

    # Its link signs in the director who asked for the test, never the junior.
    client.logout()
    path = "/" + re.search(r"https?://[^/]+/(sign-in/link/\S+)", text).group(1)
    client.post(path)
    assert client.session["_auth_user_id"] == str(director.pk)


def test_two_tests_in_a_row_are_two_messages(client, program, director, on_service):
    sign_in(client, director)
    url = reverse("email-test", kwargs={"slug": program.slug})

    client.post(url, draft())
    client.post(url, draft())

    assert OutboxMessage.objects.count() == 2


# --- The outbox ----------------------------------------------------------------------------


def test_the_outbox_lists_the_programs_mail_only_and_filters_by_status(
    client, program, director, sent_mail
):
    sign_in(client, director)
    OutboxMessage.objects.filter(pk=sent_mail[1].pk).update(
        status=OutboxStatus.FAILED, attempts=2, last_error="SMTP server replied 451: busy"
    )
    url = reverse("outbox", kwargs={"slug": program.slug})

    page = client.get(url).content.decode()
    assert page.count("Week of 2 November, person") == 3
    assert "Your medmentor sign-in link" not in page
    assert "All messages (3)" in page and "Failed, will retry (1)" in page

    failed_only = client.get(url, {"status": "failed"}).content.decode()
    assert failed_only.count("Week of 2 November, person") == 1
    assert "SMTP server replied 451: busy" in failed_only

    assert client.get(url, {"status": "<script>"}).status_code == 200


def test_a_message_is_shown_as_sent_with_its_html_sandboxed_and_sign_in_tokens_hidden(
    client, program, director, sent_mail
):
    sign_in(client, director)

    response = client.get(
        reverse("outbox-message", kwargs={"slug": program.slug, "message_id": sent_mail[0].pk})
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Hello 0. http://127.0.0.1:8000/sign-in/link/personal-link-hidden/?next=%2F" in page
    assert "SECRETTOKEN" not in page
    assert '<iframe class="email-html" sandbox=""' in page
    assert 'srcdoc="&lt;p&gt;Hello 0&lt;/p&gt;&lt;script&gt;alert(&quot;0&quot;)' in page
    assert "<script>alert" not in page  # never injected into our page


def test_a_message_of_another_topic_is_not_found(client, program, director, sent_mail):
    sign_in(client, director)
    other = OutboxMessage.objects.get(topic="sign-in")

    response = client.get(
        reverse("outbox-message", kwargs={"slug": program.slug, "message_id": other.pk})
    )

    assert response.status_code == 404


def test_a_message_that_gave_up_is_shown_and_retry_now_sends_it(
    client, program, director, sent_mail, smtp_server, settings
):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    settings.EMAIL_PORT = closed_port()
    for _ in range(2):
        outbox_deliver(worker_name="test", batch_size=10)
        OutboxMessage.objects.filter(status=OutboxStatus.FAILED).update(
            send_after=datetime.datetime.now(tz=datetime.UTC)
        )
    sign_in(client, director)
    target = OutboxMessage.objects.get(pk=sent_mail[0].pk)
    assert (target.status, target.attempts) == (OutboxStatus.GAVE_UP, 2)

    outbox_page = client.get(reverse("outbox", kwargs={"slug": program.slug})).content.decode()
    assert "Failed, gave up" in outbox_page
    assert "ConnectionRefusedError" in outbox_page
    message_url = reverse("outbox-message", kwargs={"slug": program.slug, "message_id": target.pk})
    assert "Retry now" in client.get(message_url).content.decode()

    response = client.post(
        reverse("outbox-retry", kwargs={"slug": program.slug, "message_id": target.pk}),
        follow=True,
    )
    assert "sent again at the worker" in response.content.decode()
    settings.EMAIL_PORT = smtp_server.port
    outbox_deliver(worker_name="test", batch_size=10)

    assert OutboxMessage.objects.get(pk=target.pk).status == OutboxStatus.SENT
    assert [m["To"].addresses[0].addr_spec for m in smtp_server.messages] == [
        "person0@lakeside.test"
    ]
    # Tries count the one that worked too: a sent message never reads "0 tries".
    assert (
        "<dt>Tries</dt><dd>3 (2 failed, then sent)</dd>" in client.get(message_url).content.decode()
    )
    outbox_enqueue_many(
        emails=[
            RenderedEmail(
                key=f"weekly:{program.id}:first-try",
                to_email="first@lakeside.test",
                subject="Sent at once",
                text_body="Hello",
                topic=f"program:{program.id}",
            )
        ]
    )
    outbox_deliver(worker_name="test", batch_size=10)
    first_try = OutboxMessage.objects.get(key=f"weekly:{program.id}:first-try")
    assert (first_try.status, first_try.attempts) == (OutboxStatus.SENT, 0)
    first_try_url = reverse(
        "outbox-message", kwargs={"slug": program.slug, "message_id": first_try.pk}
    )
    assert "<dd>1 (sent at the first try)</dd>" in client.get(first_try_url).content.decode()
    outbox_page = client.get(reverse("outbox", kwargs={"slug": program.slug})).content.decode()
    assert '<td data-label="Tries">1 (sent at the first try)</td>' in outbox_page


def test_retry_of_a_message_that_did_not_fail_changes_nothing(client, program, director, sent_mail):
    sign_in(client, director)

    response = client.post(
        reverse("outbox-retry", kwargs={"slug": program.slug, "message_id": sent_mail[0].pk}),
        follow=True,
    )

    assert "Only a failed message can be retried" in response.content.decode()
    assert OutboxMessage.objects.get(pk=sent_mail[0].pk).status == OutboxStatus.QUEUED


def _queries_for_preview(client, program, week, person) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            reverse("email-preview", kwargs={"slug": program.slug}),
            {**draft(), "week": week.id, "person": person.id},
        )
    assert response.status_code == 200
    return len(captured)


def test_the_preview_costs_the_same_queries_in_a_program_of_any_size(
    client, program, director, junior, on_service
):
    sign_in(client, director)
    # Once first, so that both counts read the week's content from the cache (it is
    # kept per curriculum week: selectors.curriculum_week_content).
    _queries_for_preview(client, program, on_service.week, junior)
    small = _queries_for_preview(client, program, on_service.week, junior)
    for n in range(30):
        junior_n = make_person(f"j{n}@lakeside.test", f"Junior {n}", "R1")
        senior_n = make_person(f"s{n}@lakeside.test", f"Senior {n}", "R3")
        for person, role in ((junior_n, Role.JUNIOR), (senior_n, Role.SENIOR)):
            Enrollment.objects.create(program=program, person=person, role=role)
            ServiceBlock.objects.create(
                program=program,
                person=person,
                service=program.service,
                starts_on=on_service.week.starts_on,
                ends_on=on_service.week.ends_on,
            )
        Pair.objects.create(week=on_service.week, junior=junior_n, senior=senior_n)

    assert _queries_for_preview(client, program, on_service.week, junior) == small
