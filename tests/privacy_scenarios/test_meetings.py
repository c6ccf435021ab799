"""Meetings: staff act between two renders, and a pair's private facts stay the pair's.

A meeting's length and topics are its participants' alone; whether it happened is
what the program's staff may know. Each test replays one attempt and proves it is
refused or that nothing a non-participant can see changed with the pair's facts.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from medmentor.meetings import services
from medmentor.messaging.services import outbox_deliver
from tests.conftest import sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

_CSRF = [
    re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+'),
    re.compile(r'("X-CSRFToken": ")[^"]+'),
]


def _render(client, person, url) -> str:
    client.logout()
    sign_in(client, person)
    reply = client.get(url)
    body = reply.content.decode()
    for pattern in _CSRF:
        body = pattern.sub(r"\1…", body)
    return f"{reply.status_code}\n{body}"


@pytest.fixture
def met(program, senior, junior):
    """A meeting of the pair that took place (the junior said "we met")."""
    start = timezone.now() - datetime.timedelta(days=1)
    meeting = services.meeting_plan(
        program=program,
        organizer=senior,
        participants=[senior, junior],
        title="Night shift debrief",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        now=start - datetime.timedelta(days=1),
    )
    services.meeting_answer_record(meeting=meeting, person=junior, answer="met")
    return meeting


def _pages(met):
    slug = met.program.slug
    return [
        reverse("meetings", kwargs={"slug": slug}),
        reverse("meeting-detail", kwargs={"slug": slug, "meeting_id": met.pk}),
        reverse("meeting-log", kwargs={"slug": slug, "meeting_id": met.pk}),
        reverse("meeting-edit", kwargs={"slug": slug, "meeting_id": met.pk}),
    ]


def test_a_pairs_logged_topics_and_length_change_nothing_staff_or_other_learners_see(
    client, met, junior, senior, director, coordinator, faculty, other_junior
):
    onlookers = (director, coordinator, faculty, other_junior)
    before = {(p.pk, url): _render(client, p, url) for p in onlookers for url in _pages(met)}

    services.meeting_log(meeting=met, by=junior, minutes=55, topics="Thinking of quitting")

    after = {(p.pk, url): _render(client, p, url) for p in onlookers for url in _pages(met)}
    assert after == before
    # The owners do see it, so the comparison can tell a difference at all.
    detail = _pages(met)[1]
    assert "Thinking of quitting" in _render(client, senior, detail)


def test_a_director_cannot_reach_the_log_by_changing_or_cancelling_the_pairs_meeting(
    client, met, junior, director
):
    services.meeting_log(meeting=met, by=junior, minutes=55, topics="Thinking of quitting")
    sign_in(client, director)
    slug = met.program.slug
    kwargs = {"slug": slug, "meeting_id": met.pk}

    edit = client.post(
        reverse("meeting-edit", kwargs=kwargs),
        {"title": "Mine", "start_time": "10:00", "duration_minutes": "30"},
    )
    cancel = client.post(reverse("meeting-cancel", kwargs=kwargs))
    log = client.post(reverse("meeting-log", kwargs=kwargs), {"minutes": "1", "topics": "x"})

    assert (edit.status_code, cancel.status_code, log.status_code) == (403, 403, 403)
    met.refresh_from_db()
    assert (met.title, met.cancelled_at, met.log.topics) == (
        "Night shift debrief",
        None,
        "Thinking of quitting",
    )


def test_staff_reading_the_outbox_after_delivery_find_no_we_met_token(
    client, smtp_server, met, senior, director
):
    from medmentor.meetings.tasks import meetings_emails_enqueue_due
    from medmentor.messaging.models import OutboxMessage

    meetings_emails_enqueue_due(now=timezone.now())
    outbox_deliver(worker_name="test")
    delivered = "".join(m.get_body(("plain",)).get_content() for m in smtp_server.messages)
    assert "/meetings/we-met/" in delivered  # the recipient got a real link

    sign_in(client, director)
    slug = met.program.slug
    pages = [client.get(reverse("outbox", kwargs={"slug": slug})).content.decode()]
    for row in OutboxMessage.objects.filter(key__startswith="meeting-after:"):
        url = reverse("outbox-message", kwargs={"slug": slug, "message_id": row.pk})
        pages.append(client.get(url).content.decode())
    assert all("/meetings/we-met/" not in page for page in pages)
    assert any("/personal-link/we-met/" in page for page in pages)
