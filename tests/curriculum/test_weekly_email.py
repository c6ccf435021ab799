"""The weekly email: who gets it, when, what it says, and the worker sending it over SMTP."""

import datetime
import re

import pytest
from django.core.management import call_command

from medmentor.curriculum import weekly_email
from medmentor.curriculum.weekly_email import (
    EmailParts,
    WeeklyEmailTemplateError,
    email_template_default,
    email_template_save,
    weekly_email_render,
    weekly_email_send_at,
    weekly_emails_enqueue_due,
)
from medmentor.messaging.models import OutboxMessage, OutboxStatus
from medmentor.messaging.services import outbox_deliver
from medmentor.people.models import SignInLink
from medmentor.programs.models import EmailTemplate, Enrollment, Role, ServiceBlock
from tests.conftest import make_person, received_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]


@pytest.fixture
def on_service(case_week, program, service, junior, senior, other_junior, other_senior):
    """The four learners of `case_week` have a rotation block on the program's service
    that overlaps the week; the week's emails are due Monday 07:00 New York time."""
    monday = case_week.week.starts_on
    for person in (junior, senior, other_junior, other_senior):
        ServiceBlock.objects.create(
            program=program,
            person=person,
            service=service,
            starts_on=monday - datetime.timedelta(days=7),
            ends_on=monday + datetime.timedelta(days=4),
        )
    program.weekly_email_weekday = 0
    program.weekly_email_time = datetime.time(7, 0)
    program.save()
    return case_week


def send_time(program, week) -> datetime.datetime:
    return weekly_email_send_at(program=program, week_starts_on=week.starts_on)


def link_path(text: str) -> str:
    url = re.search(r"https?://\S+/sign-in/link/\S+", text).group(0)
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_the_worker_sends_everyone_on_service_one_email_with_both_parts(
    on_service, smtp_server, settings, director, faculty, junior, senior, client
):
    call_command("worker", "--once", "--hook", "weekly-emails")

    received = {message["To"].addresses[0].addr_spec: message for message in smtp_server.messages}
    assert set(received) == {
        "junior@lakeside.test",
        "junior2@lakeside.test",
        "senior@lakeside.test",
        "senior2@lakeside.test",
    }
    message = received["junior@lakeside.test"]
    assert message["Subject"] == (
        f"Thyroid scintigraphy: your week on Nuclear Medicine from "
        f"{on_service.week.starts_on:%-d %B} (Nuclear Medicine must-see case)"
    )
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Hello Jo," in text
    assert "safe learning space" in text
    assert "Skipping is fine" in text and "Clinical work always comes first" in text
    assert "Sam Senior (Resident, year 3 (R3), senior@lakeside.test)" in text
    assert "Sasha Senior" not in text  # paired with the other junior
    assert "Thyroid scintigraphy: reading 1" in text
    assert "Monday" in text and "Thyroid scintigraphy, case 5" in text
    assert "Dana Director" in text
    assert "safe learning space" in html
    assert link_path(text) in html.replace("&amp;", "&")

    # The link signs the junior in and opens their workspace.
    response = client.post(link_path(text))
    assert response.status_code == 302
    assert response["Location"] == "/programs/nm-must-see/this-week/"
    assert client.session["_auth_user_id"] == str(junior.pk)
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}


def test_running_the_hook_again_queues_each_email_once(on_service, program):
    now = send_time(program, on_service.week) + datetime.timedelta(hours=1)

    assert weekly_emails_enqueue_due(now=now) == 4
    links = SignInLink.objects.count()
    assert weekly_emails_enqueue_due(now=now) == 0
    assert weekly_emails_enqueue_due(now=now + datetime.timedelta(days=2)) == 0

    assert OutboxMessage.objects.count() == 4
    assert SignInLink.objects.count() == links  # nobody's link made twice
    assert set(OutboxMessage.objects.values_list("key", flat=True)) == {
        f"weekly:{program.id}:{on_service.week.starts_on}:{person.id}"
        for person in (on_service.pair.junior, on_service.pair.senior)
        + (on_service.other_pair.junior, on_service.other_pair.senior)
    }
    assert set(OutboxMessage.objects.values_list("topic", flat=True)) == {f"program:{program.id}"}


def test_emails_wait_for_the_send_time_in_the_programs_time_zone(on_service, program):
    due = send_time(program, on_service.week)
    utc = datetime.UTC

    # Monday 07:00 in UTC is still the small hours in New York.
    seven_utc = datetime.datetime.combine(on_service.week.starts_on, datetime.time(7), tzinfo=utc)
    assert weekly_emails_enqueue_due(now=seven_utc) == 0
    assert weekly_emails_enqueue_due(now=(due - datetime.timedelta(minutes=1)).astimezone(utc)) == 0
    assert weekly_emails_enqueue_due(now=due.astimezone(utc)) == 4


def test_a_send_day_later_in_the_week_waits_for_that_day(on_service, program):
    program.weekly_email_weekday = 2
    program.save()
    monday_noon = datetime.datetime.combine(
        on_service.week.starts_on, datetime.time(12), tzinfo=program.zone
    )

    assert weekly_emails_enqueue_due(now=monday_noon) == 0
    assert weekly_emails_enqueue_due(now=monday_noon + datetime.timedelta(days=2)) == 4


def test_only_juniors_and_seniors_on_service_get_it(
    on_service, program, director, faculty, outsider, junior
):
    ServiceBlock.objects.filter(person=junior).delete()
    ServiceBlock.objects.create(
        program=program,
        person=director,
        service=program.service,
        starts_on=on_service.week.starts_on,
        ends_on=on_service.week.ends_on,
    )

    weekly_emails_enqueue_due(now=send_time(program, on_service.week))

    assert set(OutboxMessage.objects.values_list("to_email", flat=True)) == {
        "junior2@lakeside.test",
        "senior@lakeside.test",
        "senior2@lakeside.test",
    }


def test_a_week_without_curriculum_sends_nothing(on_service, program):
    on_service.week.plan.delete()

    assert weekly_emails_enqueue_due(now=send_time(program, on_service.week)) == 0


def test_the_directors_template_is_used_when_saved(on_service, program, senior):
    email_template_save(
        program=program,
        parts=EmailParts(
            subject="{{ week.topic }} for {{ person.first_name }}",
            text_body="{{ role }}: {% for p in partners %}{{ p.name }}{% endfor %}",
            html_body="<p>{{ role }}</p>",
        ),
    )

    email = weekly_email_render(program=program, week=on_service.week, person=senior)

    assert email.subject == "Thyroid scintigraphy for Sam"
    assert email.text_body == "Senior (mentor): Jo Junior\n"
    assert email.html_body == "<p>Senior (mentor)</p>"


def test_html_is_escaped_and_text_is_not(on_service, program, junior):
    junior.full_name = "<b>Jo</b> O'Neil"
    junior.save()

    email = weekly_email_render(
        program=program,
        week=on_service.week,
        person=junior,
        parts=EmailParts(subject="s", text_body="{{ person.name }}", html_body="{{ person.name }}"),
    )

    assert email.text_body == "<b>Jo</b> O'Neil\n"
    assert email.html_body == "&lt;b&gt;Jo&lt;/b&gt; O&#x27;Neil"


@pytest.mark.parametrize(
    ("text_body", "message"),
    [
        ("Hello {% if %}", "Plain-text part, line 1"),
        ("{% load static %}", "Invalid block tag on line 1: 'load'"),
        ("{% include 'base.html' %}", "'include'"),
        ("{% debug %}", "'debug'"),
        ("{% url 'home' %}", "'url'"),
        ("{{ person.name|ljust:'999999999' }}", "Invalid filter: 'ljust'"),
        ("{{ person.__class__ }}", "may not begin with underscores"),
    ],
)
def test_a_template_that_cannot_be_used_is_refused_with_a_clear_message(
    on_service, program, junior, text_body, message
):
    parts = EmailParts(subject="s", text_body=text_body, html_body="")
    with pytest.raises(WeeklyEmailTemplateError, match=re.escape(message)):
        weekly_email_render(program=program, week=on_service.week, person=junior, parts=parts)
    with pytest.raises(WeeklyEmailTemplateError):
        email_template_save(program=program, parts=parts)
    assert not EmailTemplate.objects.exists()


def test_a_template_reaches_no_private_data_or_settings(on_service, program, junior):
    parts = EmailParts(
        subject="s",
        text_body=(
            "[{{ person.password }}][{{ person.answer_reveals }}][{{ person.sign_in_links }}]"
            "[{{ settings.SECRET_KEY }}][{{ program.id }}]"
        ),
        html_body="",
    )

    email = weekly_email_render(program=program, week=on_service.week, person=junior, parts=parts)

    assert email.text_body == "[][][][][]\n"


def test_the_default_template_compiles_and_says_what_the_seed_asks():
    default = email_template_default()

    assert "safe learning space" in default.text_body
    assert "Skipping is fine" in default.text_body
    assert "Clinical work always comes first" in default.text_body
    assert "safe learning space" in default.html_body


def test_someone_added_to_the_schedule_mid_week_gets_the_weeks_email_at_the_next_pass(
    on_service, program, service
):
    due = send_time(program, on_service.week)
    assert weekly_emails_enqueue_due(now=due) == 4
    newcomer = make_person("newcomer@lakeside.test", "Nia Newcomer", "R1")
    Enrollment.objects.create(program=program, person=newcomer, role=Role.JUNIOR)
    ServiceBlock.objects.create(
        program=program,
        person=newcomer,
        service=service,
        starts_on=on_service.week.starts_on + datetime.timedelta(days=2),
        ends_on=on_service.week.starts_on + datetime.timedelta(days=4),
    )

    assert weekly_emails_enqueue_due(now=due + datetime.timedelta(days=2)) == 1
    assert OutboxMessage.objects.filter(to_email="newcomer@lakeside.test").count() == 1


def test_a_template_that_fails_while_rendering_is_logged_and_stops_nothing_else(
    on_service, program, caplog
):
    weekly_email._reported.clear()  # what this process already said, in earlier tests
    EmailTemplate.objects.create(
        program=program,
        key="weekly",
        subject="s",
        text_body="{% for day in link_valid_days %}{% endfor %}",
        html_body="",
    )
    due = send_time(program, on_service.week)

    assert weekly_emails_enqueue_due(now=due) == 0
    assert weekly_emails_enqueue_due(now=due + datetime.timedelta(minutes=1)) == 0

    assert not OutboxMessage.objects.exists()
    problems = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
    assert len(problems) == 1  # said once, not at every pass
    assert "the weekly email template cannot be used: Plain-text part" in problems[0]


def test_each_weekly_email_carries_its_own_link_that_signs_in_its_person_once(
    on_service, program, client, settings, smtp_server, junior, senior, other_junior, other_senior
):
    now = send_time(program, on_service.week) + datetime.timedelta(hours=1)
    weekly_emails_enqueue_due(now=now)
    # The outbox holds placeholders only; the links are minted at delivery.
    assert not SignInLink.objects.exists()
    outbox_deliver(worker_name="test")

    emails = {person.email: person.id for person in (junior, senior, other_junior, other_senior)}
    paths = {
        emails[message["To"].addresses[0].addr_spec]: link_path(received_text(message))
        for message in smtp_server.messages
    }
    assert len(set(paths.values())) == 4
    assert SignInLink.objects.filter(used_at__isnull=True).count() == 4
    for person in (junior, senior, other_junior, other_senior):
        response = client.post(paths[person.id])
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(person.pk)
        client.logout()
        response = client.post(paths[person.id], follow=True)
        assert "already been used" in response.content.decode()
        assert "_auth_user_id" not in client.session
    lifetimes = {link.expires_at - link.created_at for link in SignInLink.objects.all()}
    assert lifetimes == {datetime.timedelta(seconds=settings.SIGN_IN_LINK_MAX_AGE)}


def test_the_paragraphs_filter_joins_wrapped_lines_and_escapes_in_the_email(
    on_service, program, junior
):
    program.description = "Cases for the first\nmonth on <service>.\n\nSecond paragraph."
    program.save(update_fields=["description"])

    email = weekly_email_render(
        program=program,
        week=on_service.week,
        person=junior,
        parts=EmailParts(
            subject="s", text_body="t", html_body="{{ program.description|paragraphs }}"
        ),
    )

    assert email.html_body == (
        "<p>Cases for the first month on &lt;service&gt;.</p>\n<p>Second paragraph.</p>"
    )
