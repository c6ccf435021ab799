"""Adding people to a one-off meeting still ahead: each new one gets the invitation,
those already in get nothing; only the organizer, staff or the system may add."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from medmentor.meetings import services
from medmentor.meetings.models import MeetingParticipant
from medmentor.messaging.models import OutboxMessage
from medmentor.programs.access import SYSTEM


@pytest.fixture
def meeting(program, senior, junior):
    starts = timezone.now() + datetime.timedelta(days=2)
    return services.meeting_plan(
        program=program,
        organizer=senior,
        participants=[senior, junior],
        title="Case chat",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        place="Reading room",
    )


def test_the_added_person_gets_the_invitation_and_nobody_else_an_email(
    meeting, other_junior, senior
):
    known = set(OutboxMessage.objects.values_list("pk", flat=True))
    assert services.meeting_participants_add(meeting=meeting, people=[other_junior], by=senior) == 1
    assert MeetingParticipant.objects.filter(meeting=meeting, person=other_junior).exists()
    sent = OutboxMessage.objects.exclude(pk__in=known)
    assert [message.person_id for message in sent] == [other_junior.pk]


def test_adding_someone_already_in_changes_nothing(meeting, junior):
    before = OutboxMessage.objects.count()
    assert services.meeting_participants_add(meeting=meeting, people=[junior], by=SYSTEM) == 0
    assert OutboxMessage.objects.count() == before


def test_another_participant_cannot_add_people(meeting, junior, other_junior):
    with pytest.raises(PermissionDenied):
        services.meeting_participants_add(meeting=meeting, people=[other_junior], by=junior)
    assert not MeetingParticipant.objects.filter(person=other_junior).exists()


def test_nobody_is_added_once_the_meeting_started(meeting, other_junior):
    with pytest.raises(services.MeetingError, match="has started"):
        services.meeting_participants_add(
            meeting=meeting,
            people=[other_junior],
            by=SYSTEM,
            now=meeting.starts_at + datetime.timedelta(minutes=1),
        )
    assert not MeetingParticipant.objects.filter(person=other_junior).exists()


def test_someone_outside_the_program_is_refused(meeting, outsider):
    with pytest.raises(services.MeetingError, match="is not in"):
        services.meeting_participants_add(meeting=meeting, people=[outsider], by=SYSTEM)
    assert not MeetingParticipant.objects.filter(person=outsider).exists()
