"""Groups and members: the size limit (per program, default 8) is never exceeded by any
path; one group per member where the program says so; open and closed groups."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse

from medmentor.groups import services
from medmentor.groups.models import GroupSettings, Membership, PeerGroup
from medmentor.meetings.models import MeetingParticipant
from medmentor.programs.access import SYSTEM
from tests.conftest import sign_in
from tests.groups.world import group_with, plan_series


def test_a_program_s_groups_hold_eight_by_default(program):
    group = services.group_create(program=program, by=SYSTEM, name="Thursday group")
    assert group.capacity == 8
    assert GroupSettings.objects.get(program=program).group_size_limit == 8


def test_the_size_limit_is_the_program_s_own(program, director):
    services.group_settings_update(program=program, by=director, group_size_limit=6)
    assert services.group_create(program=program, by=director, name="Six").capacity == 6


def test_a_ninth_member_is_refused_and_nothing_is_written(program, learners):
    group = group_with(program, learners[:8], accept=False)
    with pytest.raises(services.GroupError, match=r"full \(8 of 8\)"):
        services.group_member_add(group=group, person=learners[8], by=SYSTEM)
    group.refresh_from_db()
    assert group.member_count == 8
    assert not Membership.objects.filter(person=learners[8]).exists()


def test_two_joins_for_the_last_place_let_one_in(program, learners):
    """Both joiners read the group when it had one place left (a stale row, as two
    requests at once would): the second is refused by the locked re-read."""
    group = group_with(program, learners[:7], accept=False)
    first_view = PeerGroup.objects.get(pk=group.pk)
    second_view = PeerGroup.objects.get(pk=group.pk)
    services.group_join(group=first_view, by=learners[7])
    with pytest.raises(services.GroupError, match="full"):
        services.group_join(group=second_view, by=learners[8])
    assert PeerGroup.objects.get(pk=group.pk).member_count == 8
    assert not Membership.objects.filter(person=learners[8]).exists()


def test_the_database_refuses_a_count_above_capacity(program, learners):
    group = group_with(program, learners[:8], accept=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        PeerGroup.objects.filter(pk=group.pk).update(member_count=9)


def test_a_limit_below_a_group_s_members_is_refused(program, director, learners):
    group_with(program, learners[:6], accept=False)
    with pytest.raises(services.GroupError, match="has 6 members"):
        services.group_settings_update(program=program, by=director, group_size_limit=5)
    assert GroupSettings.objects.get(program=program).group_size_limit == 8


def test_a_member_of_one_group_is_refused_a_second_when_the_program_forbids_it(program, learners):
    group_with(program, learners[:4], name="First", accept=False)
    second = services.group_create(program=program, by=SYSTEM, name="Second")
    with pytest.raises(services.GroupError, match="already in First.*one group per member"):
        services.group_member_add(group=second, person=learners[0], by=SYSTEM)
    assert Membership.objects.filter(person=learners[0]).count() == 1
    assert PeerGroup.objects.get(pk=second.pk).member_count == 0


def test_two_groups_are_allowed_when_the_program_allows_them(program, director, learners):
    services.group_settings_update(program=program, by=director, one_group_per_member=False)
    group_with(program, learners[:4], name="First", accept=False)
    second = services.group_create(program=program, by=SYSTEM, name="Second")
    services.group_member_add(group=second, person=learners[0], by=SYSTEM)
    assert Membership.objects.filter(person=learners[0]).count() == 2


def test_a_closed_group_takes_no_one_who_asks_to_join(program, learners):
    group = group_with(program, learners[:3], accept=False)
    services.group_open_set(group=group, by=SYSTEM, is_open=False)
    with pytest.raises(services.GroupError, match="closed to new members"):
        services.group_join(group=group, by=learners[5])
    assert PeerGroup.objects.get(pk=group.pk).member_count == 3


def test_a_learner_joins_an_open_group_with_room(program, learners):
    group = group_with(program, learners[:3], accept=False)
    services.group_join(group=group, by=learners[5])
    assert PeerGroup.objects.get(pk=group.pk).member_count == 4


def test_faculty_cannot_be_placed_in_a_group(program, faculty, learners):
    group = group_with(program, learners[:3], accept=False)
    with pytest.raises(services.GroupError, match="not a junior or senior"):
        services.group_member_add(group=group, person=faculty, by=SYSTEM)


def test_faculty_cannot_join_a_group(program, faculty, learners):
    group = group_with(program, learners[:3], accept=False)
    with pytest.raises(PermissionDenied):
        services.group_join(group=group, by=faculty)


def test_only_staff_create_groups(program, junior):
    with pytest.raises(PermissionDenied):
        services.group_create(program=program, by=junior, name="Ours")
    assert not PeerGroup.objects.exists()


def test_leaving_frees_the_place(program, learners):
    group = group_with(program, learners[:8], accept=False)
    membership = Membership.objects.get(group=group, person=learners[2])
    services.membership_end(membership=membership, by=learners[2])
    services.group_member_add(group=group, person=learners[8], by=SYSTEM)
    assert PeerGroup.objects.get(pk=group.pk).member_count == 8


def test_a_member_leaves_from_the_group_page_and_the_invitations_stop(client, program, learners):
    group = group_with(program, learners[:4])
    series = plan_series(group, learners[0], count=4)
    sign_in(client, learners[3])
    detail = reverse("groups-detail", kwargs={"slug": program.slug, "group_id": group.pk})
    assert "Leave Thursday group" in client.get(detail).content.decode()

    response = client.post(
        reverse("groups-leave", kwargs={"slug": program.slug, "group_id": group.pk})
    )

    assert response.status_code == 302
    assert Membership.objects.get(group=group, person=learners[3]).left_at is not None
    assert not series.participants.filter(pk=learners[3].pk).exists()
    assert not MeetingParticipant.objects.filter(person=learners[3]).exists()
    assert client.get(detail).status_code == 403


def test_someone_not_in_the_group_cannot_leave_it(client, program, learners):

    group = group_with(program, learners[:4])
    sign_in(client, learners[6])

    response = client.post(
        reverse("groups-leave", kwargs={"slug": program.slug, "group_id": group.pk})
    )

    assert response.status_code == 403
    group.refresh_from_db()
    assert group.member_count == 4
