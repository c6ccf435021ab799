"""Phase 2: 1-2-1 sessions through the meetings app, their length, the agenda and the
consultant's own "what will you change" note."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from medmentor.meetings.models import Meeting, MeetingLog
from medmentor.messaging.models import OutboxMessage
from medmentor.reverse import services
from medmentor.reverse.models import ChangeNote, Session
from medmentor.reverse.services import ReverseError
from tests.conftest import sign_in
from tests.reverse.world import give_all, review_and_release

NOW = timezone.now()


def _book(world, by=None, **kwargs):
    return services.session_book(
        program=world.program,
        consultant=world.consultant,
        starts_at=kwargs.pop("starts_at", NOW + datetime.timedelta(days=2)),
        by=by or world.consultant,
        **kwargs,
    )


def _past_session(world):
    starts_at = NOW - datetime.timedelta(days=1)
    return _book(world, starts_at=starts_at, now=starts_at - datetime.timedelta(days=1))


def test_the_consultant_books_a_session_with_their_mentor_as_a_meeting(world):
    session = _book(world)
    people = set(session.meeting.participants.values_list("pk", flat=True))
    assert people == {world.consultant.pk, world.mentor.pk}
    assert session.meeting.ends_at - session.meeting.starts_at == datetime.timedelta(minutes=45)


def test_the_mentor_may_book_too_but_no_other_fellow(world):
    _book(world, by=world.mentor)
    with pytest.raises(ReverseError, match="Only the consultant and their fellow mentor"):
        _book(world, by=world.fellows[2])
    assert Session.objects.count() == 1


def test_no_session_for_a_consultant_without_consent(world_without_consent):
    with pytest.raises(ReverseError, match="has not consented .* no session can be booked"):
        _book(world_without_consent)
    assert (Session.objects.count(), Meeting.objects.count()) == (0, 0)


def test_a_session_in_the_past_is_refused_with_the_meetings_words(world):
    with pytest.raises(ReverseError, match="is in the past"):
        _book(world, starts_at=NOW - datetime.timedelta(hours=1))
    assert (Session.objects.count(), Meeting.objects.count()) == (0, 0)


def test_the_invitation_carries_no_feedback_words(world):
    give_all(world, text="secret words {n}")
    review_and_release(world)
    _book(world)
    bodies = " ".join(OutboxMessage.objects.values_list("text_body", flat=True))
    assert bodies and "secret words" not in bodies


def test_the_session_page_shows_the_pooled_feedback_as_its_agenda(client, world):
    give_all(world, text="agenda words {n}")
    review_and_release(world)
    session = _book(world)
    for viewer in (world.consultant, world.mentor):
        sign_in(client, viewer)
        body = client.get(
            reverse(
                "reverse-session", kwargs={"slug": world.program.slug, "session_id": session.pk}
            )
        ).content.decode()
        assert "agenda words 2" in body


@pytest.mark.parametrize("minutes", [45, 1, 1440])
def test_a_session_is_logged_with_its_length(world, minutes):
    session = _past_session(world)
    services.session_log(session=session, minutes=minutes, by=world.mentor)
    assert MeetingLog.objects.get().minutes == minutes


@pytest.mark.parametrize("minutes", [0, -5, 1441, 5000])
def test_a_length_under_a_minute_or_over_a_day_is_refused_and_nothing_logged(world, minutes):
    session = _past_session(world)
    with pytest.raises(ReverseError, match="from 1 minute to 1 day"):
        services.session_log(session=session, minutes=minutes, by=world.consultant)
    assert not MeetingLog.objects.exists()


def test_the_log_page_explains_a_bad_length(client, world):
    session = _past_session(world)
    sign_in(client, world.consultant)
    url = reverse(
        "reverse-session-log", kwargs={"slug": world.program.slug, "session_id": session.pk}
    )
    page = client.post(url, {"minutes": "2000"}, follow=True)
    assert "A session of 2000 minutes is refused" in page.content.decode()
    assert not MeetingLog.objects.exists()


def test_the_change_note_is_the_consultants_alone(client, world):
    session = _book(world)
    services.change_note_save(
        session=session, text="Ten minutes for questions.", by=world.consultant
    )
    with pytest.raises(ReverseError, match="consultant's own"):
        services.change_note_save(session=session, text="Mine now.", by=world.mentor)
    assert ChangeNote.objects.get().text == "Ten minutes for questions."
    url = reverse("reverse-session", kwargs={"slug": world.program.slug, "session_id": session.pk})
    sign_in(client, world.mentor)
    assert "Ten minutes for questions." not in client.get(url).content.decode()
    sign_in(client, world.consultant)
    assert "Ten minutes for questions." in client.get(url).content.decode()


def test_an_empty_note_is_refused(world):
    session = _book(world)
    with pytest.raises(ReverseError, match="The note is empty"):
        services.change_note_save(session=session, text="  ", by=world.consultant)
    assert not ChangeNote.objects.exists()


def test_a_session_is_not_found_for_anyone_but_its_two(client, world):
    session = _book(world)
    url = reverse("reverse-session", kwargs={"slug": world.program.slug, "session_id": session.pk})
    for viewer in (world.fellows[2], world.other_consultant):
        sign_in(client, viewer)
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("minutes", [0, 1441])
def test_booking_a_session_under_a_minute_or_over_a_day_is_refused(world, minutes):
    with pytest.raises(ReverseError, match=f"A session of {minutes} minutes is refused"):
        _book(world, minutes=minutes)
    assert (Session.objects.count(), Meeting.objects.count()) == (0, 0)


def test_the_booking_page_explains_a_bad_date_and_books_nothing(client, world):
    sign_in(client, world.consultant)
    url = reverse(
        "reverse-session-book",
        kwargs={"slug": world.program.slug, "consultant_id": world.consultant.pk},
    )
    page = client.post(url, {"date": "next week", "time": "16:00", "minutes": "45"})
    assert page.status_code == 400
    assert "Give the date (YYYY-MM-DD)" in page.content.decode()
    assert not Session.objects.exists()
