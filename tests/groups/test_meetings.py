"""The group's meetings through the meetings app: a series "every other Thursday" for
its members, with invitations (.ics) and the feed; cancellations; a meeting in the
past refused; a member who accepts later joins the meetings to come."""

import datetime

import pytest
from django.utils import timezone

from medmentor.groups import services
from medmentor.meetings.models import Meeting, MeetingSeries
from medmentor.messaging.models import OutboxAttachment, OutboxMessage
from medmentor.programs.access import SYSTEM
from tests.groups.world import group_with, next_weekday, plan_series


def test_the_facilitator_plans_every_other_thursday_for_the_members(program, learners):
    group = group_with(program, learners[:5])
    series = plan_series(group, learners[0], count=6)
    assert series.interval_weeks == 2 and series.weekday == 3
    assert Meeting.objects.filter(series=series).count() == 6
    assert set(series.participants.all()) == set(learners[:5])
    invitations = OutboxAttachment.objects.filter(
        message__to_email__in=[p.email for p in learners[:5]]
    )
    assert invitations.count() == 5
    rule = next(
        line for line in invitations.first().content.split(b"\r\n") if line.startswith(b"RRULE:")
    )
    assert b"FREQ=WEEKLY" in rule and b"INTERVAL=2" in rule and b"BYDAY=TH" in rule


def test_members_who_have_not_accepted_are_not_invited(program, learners):
    group = group_with(program, learners[:4])
    services.group_member_add(group=group, person=learners[5], by=SYSTEM)
    series = plan_series(group, learners[0])
    assert learners[5] not in series.participants.all()


def test_a_member_who_accepts_later_joins_the_meetings_to_come(program, learners):
    group = group_with(program, learners[:4])
    series = plan_series(group, learners[0])
    services.group_member_add(group=group, person=learners[5], by=SYSTEM)
    services.agreement_accept(
        program=program, agreement=services.agreement_current(program=program), by=learners[5]
    )
    assert learners[5] in series.participants.all()
    assert Meeting.objects.filter(series=series, attendance__person=learners[5]).count() == 6
    assert OutboxAttachment.objects.filter(message__to_email=learners[5].email).exists()


def test_a_member_who_is_not_facilitator_cannot_plan(program, learners):
    group = group_with(program, learners[:4])
    with pytest.raises(services.GroupError, match="facilitators plan"):
        plan_series(group, learners[1])
    assert not MeetingSeries.objects.exists()


def test_a_series_starting_in_the_past_is_refused(program, learners):
    group = group_with(program, learners[:4])
    last_week = timezone.now().date() - datetime.timedelta(days=7)
    with pytest.raises(services.GroupError, match="in the past"):
        plan_series(group, learners[0], starts_on=last_week)
    assert not MeetingSeries.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_the_facilitator_cancels_one_meeting_and_everyone_hears(program, learners):
    group = group_with(program, learners[:4])
    series = plan_series(group, learners[0])
    first = Meeting.objects.filter(series=series).first()
    before = OutboxMessage.objects.count()
    services.group_meeting_cancel(meeting=first, by=learners[0])
    first.refresh_from_db()
    assert first.is_cancelled
    assert OutboxMessage.objects.count() == before + 4


def test_a_member_cannot_cancel(program, learners):
    group = group_with(program, learners[:4])
    series = plan_series(group, learners[0])
    first = Meeting.objects.filter(series=series).first()
    with pytest.raises(services.GroupError, match="facilitators cancel"):
        services.group_meeting_cancel(meeting=first, by=learners[1])
    first.refresh_from_db()
    assert not first.is_cancelled


def test_a_second_series_waits_for_the_first_to_be_cancelled(program, learners):
    group = group_with(program, learners[:4])
    plan_series(group, learners[0])
    group.refresh_from_db()
    with pytest.raises(services.GroupError, match="already meets"):
        plan_series(group, learners[0], starts_on=next_weekday(program, 3, weeks_ahead=3))
    assert MeetingSeries.objects.count() == 1


def test_a_member_who_leaves_gets_the_series_cancel_and_no_more_invitations(
    smtp_server, program, learners
):
    from medmentor.groups.models import Membership
    from medmentor.meetings.models import MeetingParticipant
    from medmentor.meetings.services import series_update
    from medmentor.messaging.services import outbox_deliver

    group = group_with(program, learners[:4])
    series = plan_series(group, learners[0], count=4)
    leaver = learners[3]

    services.membership_end(
        membership=Membership.objects.get(group=group, person=leaver), by=leaver
    )
    outbox_deliver(worker_name="test")

    to_leaver = [m for m in smtp_server.messages if leaver.email in m["To"]]
    assert [str(m["Subject"]) for m in to_leaver] == [
        f"Invitation: {series.title}",
        f"Cancelled: {series.title}",
    ]
    (part,) = [
        p for p in to_leaver[-1].iter_attachments() if p.get_content_type() == "text/calendar"
    ]
    assert part.get_param("method") == "CANCEL"
    assert series.uid in part.get_content()
    assert not MeetingParticipant.objects.filter(person=leaver).exists()
    # A later change of the series reaches the members, not them.
    series.refresh_from_db()
    series_update(
        series=series,
        by=learners[0],
        title=series.title,
        local_time=series.local_time,
        duration_minutes=60,
    )
    outbox_deliver(worker_name="test")
    assert len([m for m in smtp_server.messages if leaver.email in m["To"]]) == 2
    assert any(
        learners[1].email in m["To"] and str(m["Subject"]).startswith("Changed:")
        for m in smtp_server.messages
    )
