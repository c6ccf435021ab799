"""Text that becomes an email subject (a survey's title, a program's name, the weekly
email's subject) is refused with a line break when it is saved — on the page, by the
service, in the admin and on the console — not later, when sending fails."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from medmentor.curriculum.weekly_email import (
    EmailParts,
    WeeklyEmailTemplateError,
    email_template_save,
)
from medmentor.one_line import has_line_break, line_break_problem
from medmentor.programs.models import EmailTemplate, Program
from medmentor.programs.services import ProgramError, program_create
from medmentor.surveys import editor_services, services
from medmentor.surveys.exports import DictionaryError, redcap_dictionary, redcap_dictionary_import
from medmentor.surveys.models import Instrument
from tests.conftest import sign_in
from tests.surveys.conftest import make_survey

pytestmark = pytest.mark.usefixtures("fast_passwords")

# A subject that would add a Bcc header if it reached the mail unchecked.
INJECTED = "Pre-program survey\r\nBcc: everyone@elsewhere.test"
REFUSAL = "must be one line: it becomes the subject of emails"


@pytest.mark.parametrize("text", ["a\nb", "a\rb", "a\r\nb", "a\u2028b", "a\x85b", "a\x0bb"])
def test_every_kind_of_line_break_is_caught(text):
    assert has_line_break(text)
    assert "Remove the line break" in line_break_problem(text, what="The title")


def test_one_line_text_passes():
    assert line_break_problem("Pre-program survey — 2026 (R1–R3)", what="The title") == ""


# --- Survey titles ---------------------------------------------------------------------


def test_survey_editor_refuses_a_title_with_a_line_break_and_keeps_the_old_one(
    client, program, director
):
    survey = make_survey(program)
    sign_in(client, director)
    url = reverse("survey-editor", kwargs={"slug": program.slug, "instrument_id": survey.pk})
    reply = client.post(
        url,
        {
            "title": INJECTED,
            "introduction": survey.introduction,
            "consent_text": survey.consent_text,
            "anonymity": survey.anonymity,
            "max_reminders": survey.max_reminders,
            "reminder_every_days": survey.reminder_every_days,
        },
    )
    assert reply.status_code == 422
    assert "The title " + REFUSAL in reply.content.decode()
    survey.refresh_from_db()
    assert not has_line_break(survey.title)


def test_settings_service_refuses_a_title_with_a_line_break(program):
    survey = make_survey(program)
    with pytest.raises(ValidationError) as refusal:
        editor_services.instrument_settings_update(
            instrument=survey,
            title="Before\nAfter",
            introduction="",
            consent_text=survey.consent_text,
            anonymity=survey.anonymity,
            max_reminders=2,
            reminder_every_days=7,
        )
    assert REFUSAL in refusal.value.message_dict["title"][0]


def test_a_copy_cannot_be_given_a_title_with_a_line_break(program):
    survey = make_survey(program)
    with pytest.raises(ValidationError, match="one line"):
        editor_services.instrument_copy(instrument=survey, title=INJECTED)
    assert Instrument.objects.count() == 1


def test_redcap_import_page_refuses_a_title_with_a_line_break(client, program, director):
    dictionary = redcap_dictionary(instrument=make_survey(program)).encode()
    sign_in(client, director)
    from django.core.files.uploadedfile import SimpleUploadedFile

    reply = client.post(
        reverse("survey-redcap-import", kwargs={"slug": program.slug}),
        {
            "title": INJECTED,
            "dictionary": SimpleUploadedFile("dictionary.csv", dictionary, "text/csv"),
            "anonymity": "coded",
        },
    )
    assert "The survey&#x27;s title " + REFUSAL in reply.content.decode()
    assert Instrument.objects.count() == 1


def test_redcap_import_service_and_console_refuse_a_title_with_a_line_break(program, tmp_path):
    dictionary = redcap_dictionary(instrument=make_survey(program))
    with pytest.raises(DictionaryError, match="one line"):
        redcap_dictionary_import(program=program, title=INJECTED, content=dictionary.encode())
    path = tmp_path / "dictionary.csv"
    path.write_text(dictionary)
    with pytest.raises(CommandError, match="was refused"):
        call_command(
            "survey_import_redcap", program.slug, str(path), "--title", "Line one\nLine two"
        )
    assert Instrument.objects.count() == 1


# --- The weekly email's subject ---------------------------------------------------------


def test_weekly_email_subject_with_a_line_break_is_refused_and_not_saved(client, program, director):
    sign_in(client, director)
    reply = client.post(
        reverse("email-template", kwargs={"slug": program.slug}),
        {
            "subject": "{{ week.topic }}\r\nBcc: everyone@elsewhere.test",
            "text_body": "Hello {{ person.first_name }}. {{ workspace_url }}",
            "html_body": "",
            "action": "save",
        },
    )
    assert reply.status_code == 400
    assert "an email subject cannot hold a line break" in reply.content.decode()
    assert not EmailTemplate.objects.exists()


# --- A program's name (in the matching emails' subject) ---------------------------------


def test_a_program_name_with_a_line_break_is_refused(db):
    with pytest.raises(ProgramError, match="The program's name " + REFUSAL):
        program_create(
            name="Near-peer\nBcc: everyone@elsewhere.test",
            slug="near-peer",
            institution_name="Lakeside",
            service_name="",
            starts_on=datetime.date(2026, 11, 2),
            kind="one_to_one",
        )
    assert not Program.objects.filter(slug="near-peer").exists()


@pytest.mark.parametrize(
    ("model", "field", "what"),
    [("program", "name", "The program's name"), ("emailtemplate", "subject", "The subject")],
)
def test_the_admin_refuses_a_line_break_in_a_name_or_subject(
    client, program, operations, model, field, what
):
    client.force_login(operations)
    if model == "program":
        obj = program
        url = reverse("admin:programs_program_change", args=[program.pk])
    else:
        obj = EmailTemplate.objects.create(
            program=program, key="weekly", subject="Hello", text_body="Hi", html_body=""
        )
        url = reverse("admin:programs_emailtemplate_change", args=[obj.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in (
            (name, form[name].value()) for name in form.fields if form[name].value() is not None
        )
    }
    data.update({key: "0" for key in ("enrollments-TOTAL_FORMS", "enrollments-INITIAL_FORMS")})
    data[field] = "Line one\r\nBcc: everyone@elsewhere.test"
    reply = client.post(url, data)
    assert reply.status_code == 200
    assert f"{what} " + REFUSAL in reply.content.decode().replace("&#x27;", "'")
    obj.refresh_from_db()
    assert not has_line_break(getattr(obj, field))


def test_a_title_saved_before_the_rule_is_sent_on_one_line_not_failed(
    settings, smtp_server, program, junior
):
    survey = make_survey(program)
    Instrument.objects.filter(pk=survey.pk).update(title="Before\r\nBcc: everyone@elsewhere.test")
    services.invitations_create(wave=survey.waves.get(kind="pre"), people=[junior])
    call_command("worker", "--once", "--hook", "survey-emails")
    [message] = smtp_server.messages
    assert message["Bcc"] is None
    assert message["Subject"] == "Before Bcc: everyone@elsewhere.test (pre survey)"


def test_a_weekly_email_subject_longer_than_its_column_is_refused_in_words(
    client, program, director
):
    # PostgreSQL refuses a subject past the column's 200 characters with a server error;
    # the page's form and the service (console, scripts) both say so first.
    subject = "{{ week.topic }} " + "x" * 200
    sign_in(client, director)
    reply = client.post(
        reverse("email-template", kwargs={"slug": program.slug}),
        {"subject": subject, "text_body": "Hello", "html_body": "", "action": "save"},
    )
    assert reply.status_code == 400
    assert "Ensure this value has at most 200 characters (it has 217)." in (reply.content.decode())
    parts = EmailParts(subject=subject, text_body="Hello", html_body="")
    with pytest.raises(
        WeeklyEmailTemplateError,
        match="the subject template is 217 characters long; keep it to 200",
    ):
        email_template_save(program=program, parts=parts)
    assert not EmailTemplate.objects.exists()
