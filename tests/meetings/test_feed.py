"""The private calendar feed: a secret address per person, stored hashed, revocable,
served from a cache keyed by the person's calendar version."""

import datetime

import icalendar
import pytest
from django.urls import reverse

from medmentor.meetings import services
from medmentor.meetings.models import CalendarFeedToken

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]


def _feed(client, token):
    return client.get(reverse("calendar-feed", kwargs={"token": token}))


def test_the_feed_serves_the_persons_meetings_as_text_calendar(client, one_off, junior):
    token = services.calendar_feed_token_create(person=junior)

    reply = _feed(client, token)

    assert reply.status_code == 200
    assert reply["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(reply.content)
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [one_off.uid]


def test_only_the_tokens_hash_is_stored(junior):
    token = services.calendar_feed_token_create(person=junior)

    (row,) = CalendarFeedToken.objects.all()
    assert row.digest == CalendarFeedToken.digest_of(token) != token
    assert token not in str(list(CalendarFeedToken.objects.values()))


def test_a_revoked_feed_address_is_refused_in_words(client, one_off, junior):
    token = services.calendar_feed_token_create(person=junior)
    services.calendar_feed_token_revoke(person=junior)

    reply = _feed(client, token)

    assert reply.status_code == 410
    assert "was turned off on" in reply.content.decode()
    assert b"BEGIN:VCALENDAR" not in reply.content


def test_a_new_address_replaces_the_old_one(client, one_off, junior):
    old = services.calendar_feed_token_create(person=junior)
    new = services.calendar_feed_token_create(person=junior)

    assert _feed(client, old).status_code == 410
    assert _feed(client, new).status_code == 200
    assert _feed(client, "guessed-token").status_code == 404


def test_a_change_to_a_meeting_reaches_the_cached_feed(client, one_off, senior, junior):
    token = services.calendar_feed_token_create(person=junior)
    before = _feed(client, token).content
    assert _feed(client, token).content == before  # served again (from the cache)

    later = one_off.starts_at + datetime.timedelta(days=1)
    services.meeting_update(
        meeting=one_off,
        by=senior,
        title="Moved",
        starts_at=later,
        ends_at=later + datetime.timedelta(hours=1),
    )

    event = icalendar.Calendar.from_ical(_feed(client, token).content).walk("VEVENT")[0]
    assert (str(event["SUMMARY"]), event["SEQUENCE"], event["DTSTART"].dt) == ("Moved", 1, later)


def test_a_cancelled_meeting_leaves_the_feed(client, one_off, senior, junior):
    token = services.calendar_feed_token_create(person=junior)
    _feed(client, token)

    services.meeting_cancel(meeting=one_off, by=senior)

    assert icalendar.Calendar.from_ical(_feed(client, token).content).walk("VEVENT") == []


def test_the_feed_never_holds_a_meetings_topics(client, past_meeting, junior):
    services.meeting_log(meeting=past_meeting, by=junior, minutes=40, topics="Burnout worries")
    token = services.calendar_feed_token_create(person=junior)

    body = _feed(client, token).content

    assert b"Coffee and questions" in body
    assert b"Burnout" not in body


def test_the_calendar_page_shows_a_new_address_once_and_turns_it_off(client, junior, one_off):
    from tests.conftest import sign_in

    sign_in(client, junior)
    made = client.post(reverse("calendar-settings"), {"action": "create"})
    url = made.context["new_url"]
    assert url and url.split("/")[-1][:-4] in made.content.decode()
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert _feed(client, token).status_code == 200
    assert token not in client.get(reverse("calendar-settings")).content.decode()

    client.post(reverse("calendar-settings"), {"action": "revoke"})

    assert _feed(client, token).status_code == 410


def test_feed_and_we_met_tokens_are_hidden_in_logs_and_on_staff_pages():
    from medmentor.messaging.selectors import sign_in_tokens_hide
    from medmentor.surveys.log_filters import survey_links_redact

    line = '"GET /meetings/calendar/s3cret-Token_1.ics HTTP/1.1" 200; /meetings/we-met/abc:def/'
    assert "s3cret" not in survey_links_redact(line)
    assert "abc:def" not in survey_links_redact(line)
    assert "/meetings/calendar/ HTTP" in survey_links_redact("GET /meetings/calendar/ HTTP/1.1")
    assert "s3cret" not in sign_in_tokens_hide(line)
    assert "abc:def" not in sign_in_tokens_hide(line)
