"""Taking people out of a series: they leave its meetings still to come (past ones stay
on record), get the series' CANCEL naming them, and the others get the update without
them; only the organizer, staff or the system may take people out."""

import datetime

import icalendar
import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from medmentor.meetings import services
from medmentor.meetings.models import MeetingParticipant
from medmentor.messaging.models import OutboxMessage
from medmentor.messaging.services import outbox_deliver
from medmentor.programs.access import SYSTEM
from tests.meetings.conftest import attached_calendars

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.fixture
def series(program, senior, junior, other_junior):
    today = timezone.now().astimezone(program.zone).date()
    return services.series_plan(
        program=program,
        organizer=senior,
        participants=[senior, junior, other_junior],
        title="Every other Thursday",
        weekday=3,
        local_time=datetime.time(18, 0),
        starts_on=today + datetime.timedelta(days=1),
        interval_weeks=2,
        count=4,
    )


def test_the_person_taken_out_leaves_the_meetings_to_come_and_the_series(series, junior):
    assert services.series_participants_remove(series=series, people=[junior], by=SYSTEM) == 1

    assert not MeetingParticipant.objects.filter(person=junior).exists()
    assert not series.participants.filter(pk=junior.pk).exists()
    series.refresh_from_db()
    assert series.sequence == 1


def test_a_meeting_that_took_place_keeps_them_on_record(series, junior):
    first = series.meetings.order_by("starts_at").first()
    later = first.starts_at + datetime.timedelta(hours=2)

    services.series_participants_remove(series=series, people=[junior], by=SYSTEM, now=later)

    assert list(
        MeetingParticipant.objects.filter(person=junior).values_list("meeting", flat=True)
    ) == [first.pk]


def test_the_person_taken_out_gets_a_cancel_naming_only_them(series, junior, senior, other_junior):
    services.series_participants_remove(series=series, people=[junior], by=senior)

    cancel = attached_calendars(person=junior)[-1]
    assert cancel["METHOD"] == "CANCEL"
    (event,) = cancel.walk("VEVENT")
    assert event["UID"] == series.uid and event["SEQUENCE"] == 1 and "RRULE" in event
    assert event["STATUS"] == "CANCELLED"
    assert str(event["ATTENDEE"]) == "mailto:junior@lakeside.test"
    # The others: the update (REQUEST, SEQUENCE 1) without them.
    for person in (senior, other_junior):
        update = attached_calendars(person=person)[-1]
        assert update["METHOD"] == "REQUEST"
        (event,) = update.walk("VEVENT")
        assert event["SEQUENCE"] == 1
        attendees = sorted(str(a) for a in event.get("ATTENDEE"))
        assert "mailto:junior@lakeside.test" not in attendees


def test_the_cancel_reaches_the_person_over_smtp(smtp_server, series, junior):
    services.series_participants_remove(series=series, people=[junior], by=SYSTEM)

    outbox_deliver(worker_name="test")

    (message,) = [
        m
        for m in smtp_server.messages
        if junior.email in m["To"] and str(m["Subject"]).startswith("Cancelled:")
    ]
    assert str(message["Subject"]) == "Cancelled: Every other Thursday"
    (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "CANCEL"
    event = icalendar.Calendar.from_ical(part.get_content()).walk("VEVENT")[0]
    assert event["UID"] == series.uid


def test_taking_out_someone_not_in_the_series_changes_nothing(series, director):
    before = OutboxMessage.objects.count()
    assert services.series_participants_remove(series=series, people=[director], by=SYSTEM) == 0
    assert OutboxMessage.objects.count() == before
    series.refresh_from_db()
    assert series.sequence == 0


def test_another_participant_cannot_take_people_out(series, junior, other_junior):
    with pytest.raises(PermissionDenied):
        services.series_participants_remove(series=series, people=[other_junior], by=junior)
    assert MeetingParticipant.objects.filter(person=other_junior).count() == 4


def test_out_of_a_cancelled_series_no_more_email(series, junior, senior):
    services.series_cancel(series=series, by=senior)
    before = OutboxMessage.objects.count()

    assert services.series_participants_remove(series=series, people=[junior], by=SYSTEM) == 1

    assert OutboxMessage.objects.count() == before
