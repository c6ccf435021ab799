"""The presenter rotation: a fair order that skips the absent; swaps by the two people
concerned; the presenter's reminder ahead of the meeting."""

import datetime

import pytest
from django.utils import timezone

from medmentor.groups import services
from medmentor.groups.models import PresenterSwap, PresenterTurn
from medmentor.groups.tasks import presenter_reminders_enqueue_due
from medmentor.meetings.models import Meeting
from medmentor.messaging.models import OutboxMessage
from medmentor.programs.access import SYSTEM
from tests.groups.world import group_with, plan_series


def _turns(group):
    return [
        t.person for t in PresenterTurn.objects.filter(group=group).order_by("meeting__starts_at")
    ]


def test_each_member_presents_once_before_anyone_twice(program, learners):
    group = group_with(program, learners[:4])
    plan_series(group, learners[0], count=8)
    turns = _turns(group)
    assert turns[:4] == learners[:4]
    assert turns[4:] == learners[:4]


def test_the_rotation_skips_a_member_who_sent_apologies(program, learners):
    group = group_with(program, learners[:4])
    series = plan_series(group, learners[0], count=4)
    first = Meeting.objects.filter(series=series).first()
    services.apologies_send(meeting=first, by=learners[0])
    turns = _turns(group)
    assert turns[0] == learners[1]
    assert learners[0] in turns


def test_two_members_swap_when_the_other_accepts(program, learners):
    group = group_with(program, learners[:4])
    plan_series(group, learners[0], count=4)
    turns = list(PresenterTurn.objects.filter(group=group).order_by("meeting__starts_at"))
    swap = services.presenter_swap_ask(mine=turns[0], theirs=turns[2], by=learners[0])
    assert _turns(group)[0] == learners[0]  # nothing moves until the other accepts
    services.presenter_swap_answer(swap=swap, by=learners[2], accept=True)
    assert _turns(group)[:3] == [learners[2], learners[1], learners[0]]
    # The fair order keeps the two people's choice when it is drawn again.
    services.rotation_refresh(group=group)
    assert _turns(group)[:3] == [learners[2], learners[1], learners[0]]


def test_only_the_member_asked_answers_a_swap(program, learners):
    group = group_with(program, learners[:4])
    plan_series(group, learners[0], count=4)
    turns = list(PresenterTurn.objects.filter(group=group).order_by("meeting__starts_at"))
    swap = services.presenter_swap_ask(mine=turns[0], theirs=turns[2], by=learners[0])
    with pytest.raises(services.GroupError, match="Only the member asked"):
        services.presenter_swap_answer(swap=swap, by=learners[1], accept=True)
    assert _turns(group)[0] == learners[0]


def test_a_swap_with_someone_absent_that_day_is_refused(program, learners):
    group = group_with(program, learners[:4])
    series = plan_series(group, learners[0], count=4)
    first = Meeting.objects.filter(series=series).first()
    turns = list(PresenterTurn.objects.filter(group=group).order_by("meeting__starts_at"))
    services.apologies_send(meeting=first, by=learners[2])
    turns = list(PresenterTurn.objects.filter(group=group).order_by("meeting__starts_at"))
    theirs = next(t for t in turns if t.person_id == learners[2].pk)
    mine = next(t for t in turns if t.meeting_id == first.pk)
    with pytest.raises(services.GroupError, match="sent apologies.*choose another turn"):
        services.presenter_swap_ask(mine=mine, theirs=theirs, by=mine.person)
    assert not PresenterSwap.objects.exists()


def test_a_swap_with_someone_who_left_is_refused(program, learners):
    group = group_with(program, learners[:4])
    plan_series(group, learners[0], count=4)
    turns = list(PresenterTurn.objects.filter(group=group).order_by("meeting__starts_at"))
    from medmentor.groups.models import Membership

    services.membership_end(
        membership=Membership.objects.get(group=group, person=learners[2]), by=SYSTEM
    )
    with pytest.raises(services.GroupError, match="not a member"):
        services.presenter_swap_ask(mine=turns[0], theirs=turns[2], by=learners[0])
    assert not PresenterSwap.objects.exists()


def test_the_presenter_is_reminded_three_days_ahead_once(program, learners):
    group = group_with(program, learners[:4])
    series = plan_series(group, learners[0], count=4)
    first = Meeting.objects.filter(series=series).first()
    when = first.starts_at - datetime.timedelta(days=2)
    assert presenter_reminders_enqueue_due(now=when) == 1
    assert presenter_reminders_enqueue_due(now=when) == 0
    reminder = OutboxMessage.objects.get(key__startswith="group-presenter:")
    assert reminder.to_email == learners[0].email
    assert reminder.topic.startswith("private:")
    assert presenter_reminders_enqueue_due(now=timezone.now() - datetime.timedelta(days=30)) == 0


def test_a_member_who_leaves_gives_their_turns_to_the_others(program, learners):
    from medmentor.groups.models import Membership

    group = group_with(program, learners[:4])
    plan_series(group, learners[0], count=4)
    services.membership_end(
        membership=Membership.objects.get(group=group, person=learners[3]), by=learners[3]
    )
    assert learners[3] not in _turns(group)
    assert len(_turns(group)) == 4
