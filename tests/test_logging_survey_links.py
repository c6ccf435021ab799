"""Survey links stay out of the server's logs (privacy rule 2): the tokens in answering
and draft links become "…" in Django's request log, CSRF refusals and runserver's
request lines, through the logging configuration of settings.LOGGING."""

import io
import logging

import pytest
from django.core.servers.basehttp import WSGIRequestHandler
from django.test import Client
from django.urls import reverse

from medmentor.surveys.log_filters import SurveyLinkFilter
from medmentor.surveys.models import Invitation
from medmentor.surveys.services import invitation_token, invitations_create
from tests.surveys.conftest import make_survey

pytestmark = pytest.mark.usefixtures("fast_passwords")


class Records(logging.Handler):
    """Keeps what reaches it, formatted, after the loggers' filters have run."""

    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)

    @property
    def text(self) -> str:
        return "\n".join(record.getMessage() for record in self.records)


@pytest.fixture
def records():
    """A handler on the root logger, where django.request and django.security records
    arrive (after their own loggers' filters, as any configured handler would)."""
    handler = Records()
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


@pytest.fixture
def answer_link(program, junior):
    wave = make_survey(program).waves.get(kind="pre")
    invitations_create(wave=wave, people=[junior])
    token = invitation_token(invitation=Invitation.objects.get())
    return token, reverse("survey-answer", kwargs={"token": token})


def test_a_used_link_is_logged_without_its_token(client, answer_link, records):
    token, url = answer_link
    Invitation.objects.update(is_done=True)
    assert client.get(url).status_code == 410
    assert "Gone: /surveys/answer/…/" in records.text
    assert token not in records.text
    # The request object Django attaches for the admin email holds the full URL.
    assert all(getattr(record, "request", None) is None for record in records.records)


def test_an_unknown_link_is_logged_without_its_token(client, db, records):
    assert client.get("/surveys/answer/not-a-real-token-123/").status_code == 404
    assert "Not Found: /surveys/answer/…/" in records.text
    assert "not-a-real-token-123" not in records.text


def test_other_pages_keep_their_path_and_request_in_the_log(client, db, records):
    assert client.get("/no-such-page/").status_code == 404
    assert "Not Found: /no-such-page/" in records.text
    assert records.records[-1].request.path == "/no-such-page/"


def test_a_csrf_refusal_is_logged_without_the_token(answer_link, records):
    token, url = answer_link
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(url, {"consent": "yes"}).status_code == 403
    assert "Forbidden (" in records.text and "/surveys/answer/…/" in records.text
    assert token not in records.text


def test_runserver_request_lines_hide_the_invitation_and_draft_tokens():
    server_log = logging.getLogger("django.server")
    handler = Records()
    server_log.addHandler(handler)
    try:
        # Django's own request handler writes the line, as runserver does.
        request_handler = WSGIRequestHandler.__new__(WSGIRequestHandler)
        request_handler.request = None
        request_handler.requestline = (
            "GET /surveys/answer/secret123/?draft=draft456&page=2 HTTP/1.1"
        )
        request_handler.log_request(200, 1234)
    finally:
        server_log.removeHandler(handler)
    assert handler.text == '"GET /surveys/answer/…/?draft=…&page=2 HTTP/1.1" 200 1234'


def test_the_console_handler_redacts_links_logged_by_anyone():
    console = next(
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, SurveyLinkFilter) for f in handler.filters)
    )
    stream = io.StringIO()
    # Swapped by hand, not with setStream: that flushes the old stream first, which
    # may be a capture file pytest already closed when the whole suite runs.
    previous, console.stream = console.stream, stream
    try:
        logging.getLogger("medmentor.somewhere").warning(
            "Opened %s", "https://medmentor.example.org/surveys/resume/abc-DEF_9/"
        )
    finally:
        console.stream = previous
    assert stream.getvalue() == "Opened https://medmentor.example.org/surveys/resume/…/\n"


def test_runserver_request_lines_hide_the_token_of_a_sign_in_link():
    server_log = logging.getLogger("django.server")
    handler = Records()
    server_log.addHandler(handler)
    try:
        request_handler = WSGIRequestHandler.__new__(WSGIRequestHandler)
        request_handler.request = None
        request_handler.requestline = "POST /sign-in/link/eyJwIjo5fQ:abc:def/ HTTP/1.1"
        request_handler.log_request(302, 0)
    finally:
        server_log.removeHandler(handler)
    assert handler.text == '"POST /sign-in/link/…/ HTTP/1.1" 302 0'
