"""Attacks through the evaluation's reports and the de-identification of transcripts: a
respondent's answer that tries to make the server fetch a URL while it prints the report,
and a roster name that is also a common word slipping through the review unreplaced.
Each scenario plays the attack through the real pages and services and proves it goes
nowhere."""

import datetime
import re
import socket
import threading

import pytest
from django.urls import reverse

from medmentor.programs.models import Enrollment, Role
from medmentor.qualitative import services as qualitative
from medmentor.qualitative.models import DocumentStatus
from medmentor.surveys.demo import survey_demo_load
from medmentor.surveys.services import response_record
from tests.conftest import make_person, sign_in

pytestmark = pytest.mark.usefixtures("fast_passwords")


class _Listener:
    """A local TCP server that counts the connections made to it."""

    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.running:
            try:
                connection, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            connection.close()

    def close(self):
        self.running = False
        self.thread.join(timeout=2)
        self.server.close()


def test_an_answer_written_as_html_cannot_make_the_report_pdf_fetch_a_url(
    client, program, junior, senior, other_junior, other_senior, director
):
    survey = survey_demo_load(program=program, today=datetime.date(2026, 11, 27))
    url = reverse("survey-report-pdf", kwargs={"slug": program.slug, "instrument_id": survey.pk})
    sign_in(client, director)
    first = client.get(url).content
    listener = _Listener()
    try:
        leak = f"http://127.0.0.1:{listener.port}/leak"
        # Between the two downloads a respondent answers with markup that would load
        # an image, a stylesheet and a font from a server of their choosing.
        response_record(
            wave=survey.waves.get(kind="post"),
            answers={
                "thoughts": (
                    f'<img src="{leak}"><link rel="stylesheet" href="{leak}">'
                    f"<style>@font-face {{ src: url({leak}) }}</style>"
                )
            },
        )
        second = client.get(url)
    finally:
        listener.close()
    assert second.status_code == 200 and second.content != first
    assert listener.connections == 0


def test_a_name_that_is_also_a_common_word_cannot_slip_through_a_hurried_review(
    client, program, researcher, institution
):
    grant = make_person("grant@lakeside.test", "Tom Grant", "R2", institution)
    Enrollment.objects.create(program=program, person=grant, role=Role.JUNIOR)
    document = qualitative.document_import(
        program=program,
        by=researcher,
        file_name="fg.txt",
        content=b"P1: I asked Grant about the grant for the course.",
    )
    assert document.status == DocumentStatus.REVIEW
    sign_in(client, researcher)
    url = reverse("qualitative-review", kwargs={"slug": program.slug, "document_id": document.pk})
    # The researcher clicks "Finish" on the form as it comes: only what it pre-chose.
    page = client.get(url).content.decode()
    chosen = dict(re.findall(r'name="(decision-\d+)" value="(\w+)" checked', page))
    refused = client.post(url, chosen).content.decode()
    assert "accept it, correct it or keep the words as written" in refused
    document.refresh_from_db()
    assert document.status == DocumentStatus.REVIEW  # out of the coders' reach
    # Deciding each "check" row, as the page asks — "Grant" the person apart from
    # "grant" the word — makes it codable without the name.
    person, word = sorted(document.replacements.all(), key=lambda row: row.start)
    assert f'id="check-{person.index}"' in page and f'id="check-{word.index}"' in page
    client.post(url, {f"decision-{person.pk}": "accepted", f"decision-{word.pk}": "rejected"})
    document.refresh_from_db()
    assert document.status == DocumentStatus.CODABLE
    assert "asked Grant" not in document.text and "the grant for the course" in document.text
