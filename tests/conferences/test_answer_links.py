"""The ask email's one-click answers: minted at delivery for the person asked alone
(the outbox holds placeholders), opened without signing in, recorded only by the
page's POST (mail scanners open links), used once, refused to anyone else."""

import re

import pytest

from medmentor.conferences import services
from medmentor.conferences.models import PartAnswerLink, PartKind, PartStatus
from medmentor.messaging.models import OutboxMessage
from medmentor.messaging.personal_links import neutral_link, personal_link_placeholder
from medmentor.messaging.services import RenderedEmail, outbox_deliver, outbox_enqueue
from tests.conftest import sign_in

pytestmark = pytest.mark.usefixtures("fast_passwords")


def _ask(session, people, name="junior"):
    return services.part_ask(
        session=session, by=people["senior"], person=people[name], kind=PartKind.STORYTELLER
    )


def _links(smtp_server, person) -> dict[str, str]:
    (message,) = [
        m
        for m in smtp_server.messages
        if person.email in m["To"] and str(m["Subject"]).startswith("Would you share")
    ]
    text = message.get_body(("plain",)).get_content()
    return {
        "accept": re.search(r"Yes, I'll take part:\s+(\S+)", text)[1],
        "decline": re.search(r"No, thank you:\s+(\S+)", text)[1],
    }


def _status(part):
    part.refresh_from_db()
    return part.status


def test_the_outbox_holds_no_answer_token_only_placeholders(session, people):
    part = _ask(session, people)
    row = OutboxMessage.objects.get(key=f"conference-ask:{part.pk}")
    assert "/conference/answer/" not in row.text_body
    assert row.text_body.count("/personal-link/conference-answer/") == 2
    assert not PartAnswerLink.objects.exists()


def test_opening_the_link_records_nothing_and_its_button_accepts_once(
    smtp_server, client, session, people
):
    part = _ask(session, people)
    outbox_deliver(worker_name="test")
    links = _links(smtp_server, people["junior"])

    page = client.get(links["accept"])  # not signed in: the link is the proof
    assert page.status_code == 200 and b"Yes, I'll take part" in page.content
    assert _status(part) == PartStatus.ASKED  # a mail scanner opening it records nothing

    done = client.post(links["accept"])
    assert done.status_code == 200 and b"a short guide is on its way" in done.content
    assert _status(part) == PartStatus.ACCEPTED
    assert OutboxMessage.objects.filter(key=f"conference-guide:{part.pk}").exists()

    again = client.post(links["accept"])
    assert again.status_code == 409 and b"already been used" in again.content
    other = client.post(links["decline"])
    assert other.status_code == 409 and b"already answered" in other.content
    assert _status(part) == PartStatus.ACCEPTED


def test_the_decline_link_declines(smtp_server, client, session, people):
    part = _ask(session, people)
    outbox_deliver(worker_name="test")
    reply = client.post(_links(smtp_server, people["junior"])["decline"])
    assert b"Saying no is fine" in reply.content
    assert _status(part) == PartStatus.DECLINED


def test_a_link_opened_by_someone_else_signed_in_records_nothing(
    smtp_server, client, session, people
):
    part = _ask(session, people)
    outbox_deliver(worker_name="test")
    sign_in(client, people["other_junior"])

    reply = client.post(_links(smtp_server, people["junior"])["accept"])

    assert reply.status_code == 409 and b"sent to another person" in reply.content
    assert _status(part) == PartStatus.ASKED
    assert not PartAnswerLink.objects.filter(used_at__isnull=False).exists()


def test_a_placeholder_in_someone_elses_email_mints_no_link(smtp_server, session, people):
    part = _ask(session, people)
    OutboxMessage.objects.all().delete()
    placeholder = personal_link_placeholder(kind="conference-answer", ref=f"{part.pk}-accept")
    outbox_enqueue(
        email=RenderedEmail(
            key="copied",
            to_email=people["other_junior"].email,
            person_id=people["other_junior"].pk,
            subject="Copied",
            text_body=f"Click {placeholder}",
        )
    )

    outbox_deliver(worker_name="test")

    (message,) = smtp_server.messages
    assert message.get_body(("plain",)).get_content().strip() == f"Click {neutral_link()}"
    assert not PartAnswerLink.objects.exists()


def test_no_link_is_minted_for_an_ask_already_answered(smtp_server, session, people):
    part = _ask(session, people)
    services.part_answer(part=part, by=people["junior"], accept=False)
    outbox_deliver(worker_name="test")
    links = _links(smtp_server, people["junior"])
    assert links["accept"] == neutral_link()
    assert not PartAnswerLink.objects.exists()


def test_a_link_of_a_cancelled_session_records_nothing(smtp_server, client, session, people):
    part = _ask(session, people)
    outbox_deliver(worker_name="test")
    services.session_cancel(session=session, by=people["director"])

    reply = client.post(_links(smtp_server, people["junior"])["accept"])

    assert reply.status_code == 409 and b"was cancelled" in reply.content
    assert _status(part) == PartStatus.ASKED
    assert not PartAnswerLink.objects.filter(used_at__isnull=False).exists()


def test_a_tampered_answer_link_is_refused(client, db):
    reply = client.get("/conference/answer/not-a-token/")
    assert reply.status_code == 404 and b"not valid" in reply.content


def test_answer_link_tokens_are_hidden_in_logs_and_on_staff_pages():
    from medmentor.messaging.selectors import sign_in_tokens_hide
    from medmentor.surveys.log_filters import survey_links_redact

    line = '"POST /conference/answer/s3cret:Token_1/ HTTP/1.1" 200'
    assert "s3cret" not in survey_links_redact(line)
    assert "s3cret" not in sign_in_tokens_hide(line)
