"""Commitment: a member whose attendance falls below the group's agreed level is told
privately, and the facilitators are told; never the program's staff; once per fall."""

from django.utils import timezone

from medmentor.groups import services
from medmentor.groups.models import CommitmentNotice
from medmentor.meetings.models import Meeting
from medmentor.messaging.models import OutboxMessage
from tests.groups.world import group_with, plan_series_with_past


def _take_three(group, facilitator, present):
    for meeting in Meeting.objects.filter(series=group.series, starts_at__lte=timezone.now()):
        services.attendance_take(meeting=meeting, by=facilitator, present=present)


def test_the_member_and_the_facilitator_are_told_privately(program, learners, director, faculty):
    group = group_with(program, learners[:4])
    plan_series_with_past(group, learners[0], past=3)
    _take_three(group, learners[0], [p.pk for p in learners[:3]])  # learners[3] never came
    notices = OutboxMessage.objects.filter(key__startswith="group-commitment:")
    assert {m.to_email for m in notices} == {learners[3].email, learners[0].email}
    assert all(m.topic.startswith("private:") for m in notices)
    assert not notices.filter(to_email__in=[director.email, faculty.email]).exists()
    assert "0%" in notices.get(to_email=learners[3].email).text_body


def test_a_member_is_told_once_per_fall(program, learners):
    group = group_with(program, learners[:4])
    plan_series_with_past(group, learners[0], past=3)
    _take_three(group, learners[0], [p.pk for p in learners[:3]])
    _take_three(group, learners[0], [p.pk for p in learners[:3]])
    assert CommitmentNotice.objects.count() == 1


def test_no_one_is_told_before_three_meetings(program, learners):
    group = group_with(program, learners[:4])
    plan_series_with_past(group, learners[0], past=2)
    _take_three(group, learners[0], [learners[0].pk])
    assert not CommitmentNotice.objects.exists()
