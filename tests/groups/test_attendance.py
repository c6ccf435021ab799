"""Attendance at each meeting: the facilitator ticks who came, or each member says so
with one click; not before the meeting starts. Staff learn that the group met and how
many came, never who."""

import pytest
from django.utils import timezone

from medmentor.groups import selectors, services
from medmentor.groups.models import GroupAttendance
from medmentor.meetings.models import Meeting
from tests.groups.world import group_with, plan_series_with_past


@pytest.fixture
def group(program, learners):
    group = group_with(program, learners[:5])
    plan_series_with_past(group, learners[0])
    group.refresh_from_db()
    return group


def _past(group):
    return list(Meeting.objects.filter(series=group.series, starts_at__lte=timezone.now()))


def _future(group):
    return list(Meeting.objects.filter(series=group.series, starts_at__gt=timezone.now()))


def test_the_facilitator_ticks_who_came(group, learners):
    meeting = _past(group)[0]
    came = services.attendance_take(
        meeting=meeting, by=learners[0], present=[learners[0].pk, learners[2].pk]
    )
    assert came == 2
    rows = dict(GroupAttendance.objects.filter(meeting=meeting).values_list("person_id", "present"))
    assert rows[learners[2].pk] is True and rows[learners[1].pk] is False
    meeting.refresh_from_db()
    assert meeting.happened is True


def test_a_member_says_they_came_with_one_click(group, learners):
    meeting = _past(group)[0]
    services.attendance_mark_self(meeting=meeting, by=learners[3])
    assert GroupAttendance.objects.get(meeting=meeting, person=learners[3]).present


def test_attendance_before_the_meeting_is_refused(group, learners):
    meeting = _future(group)[0]
    with pytest.raises(services.GroupError, match="has not started"):
        services.attendance_take(meeting=meeting, by=learners[0], present=[learners[0].pk])
    assert not GroupAttendance.objects.exists()


def test_a_member_cannot_take_everyone_s_attendance(group, learners):
    with pytest.raises(services.GroupError, match="facilitators take attendance"):
        services.attendance_take(meeting=_past(group)[0], by=learners[1], present=[])
    assert not GroupAttendance.objects.exists()


def test_someone_outside_the_group_cannot_be_ticked(group, learners):
    with pytest.raises(services.GroupError, match="Only the group's members"):
        services.attendance_take(meeting=_past(group)[0], by=learners[0], present=[learners[8].pk])
    assert not GroupAttendance.objects.exists()


def test_staff_see_that_the_group_met_and_how_many_came(group, learners, director):
    services.attendance_take(
        meeting=_past(group)[0], by=learners[0], present=[p.pk for p in learners[:3]]
    )
    page = selectors.groups_page(program=group.program, viewer=director)
    counts = page.staff_groups[0].meetings
    assert [c.attended for c in counts][-1] == 3
    assert counts[-1].met is True


def test_apologies_are_sent_ahead_only(group, learners):
    with pytest.raises(services.GroupError, match="ahead of a meeting"):
        services.apologies_send(meeting=_past(group)[0], by=learners[1])
    services.apologies_send(meeting=_future(group)[0], by=learners[1])
    assert not GroupAttendance.objects.get(person=learners[1]).present
