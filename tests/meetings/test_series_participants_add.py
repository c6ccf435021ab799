"""Adding people to a series: they join its meetings still to come and every
participant gets the update; only the organizer, staff or the system may add."""

import datetime

import pytest
from django.utils import timezone

from medmentor.meetings import services
from medmentor.meetings.models import Meeting, MeetingParticipant
from medmentor.messaging.models import OutboxMessage
from medmentor.programs.access import SYSTEM


@pytest.fixture
def series(program, senior, junior):
    today = timezone.now().astimezone(program.zone).date()
    return services.series_plan(
        program=program,
        organizer=senior,
        participants=[senior, junior],
        title="Every other Thursday",
        weekday=3,
        local_time=datetime.time(18, 0),
        starts_on=today + datetime.timedelta(days=1),
        interval_weeks=2,
        count=4,
    )


def test_the_added_person_joins_the_meetings_to_come(series, other_junior, senior):
    before = OutboxMessage.objects.count()
    assert services.series_participants_add(series=series, people=[other_junior], by=senior) == 1
    assert MeetingParticipant.objects.filter(person=other_junior).count() == 4
    assert OutboxMessage.objects.count() == before + 3  # the update, to all three
    series.refresh_from_db()
    assert series.sequence == 1


def test_adding_someone_already_in_changes_nothing(series, junior):
    before = OutboxMessage.objects.count()
    assert services.series_participants_add(series=series, people=[junior], by=SYSTEM) == 0
    assert OutboxMessage.objects.count() == before


def test_another_participant_cannot_add_people(series, junior, other_junior):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.series_participants_add(series=series, people=[other_junior], by=junior)
    assert not Meeting.objects.filter(attendance__person=other_junior).exists()


def test_someone_outside_the_program_is_refused(series, outsider):
    with pytest.raises(services.MeetingError, match="is not in"):
        services.series_participants_add(series=series, people=[outsider], by=SYSTEM)
    assert not MeetingParticipant.objects.filter(person=outsider).exists()
