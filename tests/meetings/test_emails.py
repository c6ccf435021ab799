"""Invitations and "did you meet?" emails through the outbox to a real SMTP server
(aiosmtpd), and the one-click links they carry."""

import datetime
import re

import icalendar
import pytest
from django.utils import timezone

from medmentor.meetings.models import MeetingParticipant, WeMetLink
from medmentor.meetings.tasks import meetings_emails_enqueue_due
from medmentor.messaging.models import OutboxMessage
from medmentor.messaging.personal_links import neutral_link, personal_link_placeholder
from medmentor.messaging.services import RenderedEmail, outbox_deliver, outbox_enqueue
from tests.conftest import sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]


def _received(smtp_server, person, subject_start: str):
    return [
        m
        for m in smtp_server.messages
        if person.email in m["To"] and str(m["Subject"]).startswith(subject_start)
    ]


def _links(message) -> dict[str, str]:
    text = message.get_body(("plain",)).get_content()
    return {
        "met": re.search(r"We met: (\S+)", text)[1],
        "not_met": re.search(r"We didn't meet: (\S+)", text)[1],
    }


def test_the_invitation_arrives_with_its_calendar_file(smtp_server, one_off, junior):
    outbox_deliver(worker_name="test")

    (message,) = _received(smtp_server, junior, "Invitation:")
    (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    calendar = icalendar.Calendar.from_ical(part.get_content())
    event = calendar.walk("VEVENT")[0]
    assert event["UID"] == one_off.uid
    assert event["DTSTART"].dt == one_off.starts_at
    attendees = sorted(str(a) for a in event.get("ATTENDEE"))
    assert attendees == ["mailto:junior@lakeside.test", "mailto:senior@lakeside.test"]
    assert "Library, room 2" in message.get_body(("plain",)).get_content()


def test_reminders_and_after_meeting_emails_are_queued_once_however_often_the_hook_runs(
    one_off, past_meeting
):
    now = timezone.now()
    assert meetings_emails_enqueue_due(now=now) == 2  # after the past meeting, two people
    soon = one_off.starts_at - datetime.timedelta(hours=3)
    assert meetings_emails_enqueue_due(now=soon) == 2  # the reminders of the coming one
    assert meetings_emails_enqueue_due(now=now) == 0
    assert meetings_emails_enqueue_due(now=soon) == 0
    keys = set(OutboxMessage.objects.values_list("key", flat=True))
    assert {k.split(":")[0] for k in keys} == {"meeting-ics", "meeting-after", "meeting-reminder"}


def test_no_after_meeting_email_to_someone_who_already_answered(past_meeting, junior, senior):
    MeetingParticipant.objects.filter(meeting=past_meeting, person=junior).update(answer="met")

    meetings_emails_enqueue_due(now=timezone.now())

    after = OutboxMessage.objects.filter(key__startswith="meeting-after:")
    assert list(after.values_list("person", flat=True)) == [senior.pk]


def test_the_outbox_holds_no_we_met_token_only_placeholders(past_meeting):
    meetings_emails_enqueue_due(now=timezone.now())

    for row in OutboxMessage.objects.filter(key__startswith="meeting-after:"):
        assert "/meetings/we-met/" not in row.text_body + row.html_body
        assert "/personal-link/we-met/" in row.text_body


def test_a_we_met_link_records_once_and_refuses_a_second_use(
    smtp_server, client, past_meeting, junior, senior
):
    meetings_emails_enqueue_due(now=timezone.now())
    outbox_deliver(worker_name="test")
    (message,) = _received(smtp_server, junior, "Did you meet?")
    links = _links(message)

    page = client.get(links["met"])
    assert page.status_code == 200 and b"Yes, we met" in page.content
    past_meeting.refresh_from_db()
    assert past_meeting.happened is None  # opening the link (a mail scanner may) records nothing

    assert b"noted that you met" in client.post(links["met"]).content
    past_meeting.refresh_from_db()
    assert past_meeting.happened is True

    again = client.post(links["met"])
    assert again.status_code == 409
    assert b"already been used" in again.content
    other = client.post(links["not_met"])
    assert other.status_code == 409
    assert b"already answered" in other.content
    answer = MeetingParticipant.objects.get(meeting=past_meeting, person=junior).answer
    assert answer == "met"


def test_a_we_met_link_opened_by_someone_else_signed_in_records_nothing(
    smtp_server, client, past_meeting, junior, senior
):
    meetings_emails_enqueue_due(now=timezone.now())
    outbox_deliver(worker_name="test")
    (message,) = _received(smtp_server, senior, "Did you meet?")
    sign_in(client, junior)

    reply = client.post(_links(message)["not_met"])

    assert reply.status_code == 409
    assert b"sent to another person" in reply.content
    assert not MeetingParticipant.objects.filter(meeting=past_meeting).exclude(answer="").exists()
    assert not WeMetLink.objects.filter(used_at__isnull=False).exists()


def test_a_we_met_placeholder_in_a_non_participants_email_mints_no_link(
    smtp_server, past_meeting, other_junior
):
    placeholder = personal_link_placeholder(kind="we-met", ref=f"{past_meeting.pk}-met")
    outbox_enqueue(
        email=RenderedEmail(
            key="copied",
            to_email=other_junior.email,
            person_id=other_junior.pk,
            subject="Copied",
            text_body=f"Click {placeholder}",
        )
    )
    OutboxMessage.objects.exclude(key="copied").delete()

    outbox_deliver(worker_name="test")

    (message,) = smtp_server.messages
    assert message.get_body(("plain",)).get_content().strip() == f"Click {neutral_link()}"
    assert not WeMetLink.objects.exists()


def test_a_tampered_we_met_link_is_refused(client, past_meeting):
    reply = client.get("/meetings/we-met/not-a-token/")
    assert reply.status_code == 404
    assert b"not valid" in reply.content
