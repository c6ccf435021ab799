"""The director changes a group's facilitator after publishing: only to a member who
accepted the agreement; the group's meetings to come pass to the new facilitator."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from medmentor.groups import services
from medmentor.groups.models import Membership
from medmentor.meetings.models import Meeting
from medmentor.messaging.models import OutboxAttachment
from medmentor.programs.access import SYSTEM
from tests.conftest import sign_in
from tests.groups.world import group_with, plan_series


def _facilitators(group) -> list[int]:
    return list(
        Membership.objects.filter(group=group, left_at__isnull=True, is_facilitator=True)
        .order_by("person_id")
        .values_list("person_id", flat=True)
    )


def test_the_director_makes_another_member_the_facilitator(program, learners, director):
    group = group_with(program, learners[:4])

    services.group_facilitator_change(group=group, person=learners[2], by=director)

    assert _facilitators(group) == [learners[2].pk]


def test_the_new_facilitator_organizes_the_meetings_to_come_and_may_cancel_one(
    program, learners, director
):
    group = group_with(program, learners[:4])
    series = plan_series(group, learners[0], count=4)
    before = OutboxAttachment.objects.count()

    services.group_facilitator_change(group=group, person=learners[2], by=director)

    series.refresh_from_db()
    assert series.organizer_id == learners[2].pk and series.sequence == 1
    assert set(Meeting.objects.filter(series=series).values_list("organizer", flat=True)) == {
        learners[2].pk
    }
    # The members' update names the new organizer.
    assert OutboxAttachment.objects.count() == before + 4
    update = OutboxAttachment.objects.order_by("-id").first()
    assert b"ORGANIZER" in update.content and learners[2].email.encode() in update.content
    meeting = Meeting.objects.filter(series=series).order_by("starts_at").first()
    services.group_meeting_cancel(meeting=meeting, by=learners[2])
    meeting.refresh_from_db()
    assert meeting.cancelled_at is not None


def test_someone_who_has_not_accepted_the_agreement_is_refused(program, learners, director):
    group = group_with(program, learners[:4])
    services.group_member_add(group=group, person=learners[5], by=SYSTEM)

    with pytest.raises(services.GroupError, match="has not accepted the group agreement yet"):
        services.group_facilitator_change(group=group, person=learners[5], by=director)

    assert _facilitators(group) == [learners[0].pk]


def test_someone_outside_the_group_is_refused(program, learners, director):
    group = group_with(program, learners[:4])

    with pytest.raises(services.GroupError, match="is not a member of Thursday group"):
        services.group_facilitator_change(group=group, person=learners[6], by=director)

    assert _facilitators(group) == [learners[0].pk]


def test_a_member_cannot_make_themselves_the_facilitator(program, learners):
    group = group_with(program, learners[:4])

    with pytest.raises(PermissionDenied):
        services.group_facilitator_change(group=group, person=learners[1], by=learners[1])

    assert _facilitators(group) == [learners[0].pk]


def test_the_director_changes_the_facilitator_from_the_page(client, program, learners, director):
    group = group_with(program, learners[:4])
    url = reverse("groups-facilitator", kwargs={"slug": program.slug, "group_id": group.pk})
    sign_in(client, director)

    page = client.get(url).content.decode()
    assert "Now: Member Member 01." in page
    assert f'<option value="{learners[3].pk}">{learners[3].full_name}</option>' in page

    response = client.post(url, {"person": learners[3].pk})

    assert response.status_code == 302
    assert _facilitators(group) == [learners[3].pk]


def test_the_page_says_in_words_why_a_person_is_refused(client, program, learners, director):
    group = group_with(program, learners[:4])
    services.group_member_add(group=group, person=learners[5], by=SYSTEM)
    url = reverse("groups-facilitator", kwargs={"slug": program.slug, "group_id": group.pk})
    sign_in(client, director)

    response = client.post(url, {"person": learners[5].pk})

    assert response.status_code == 400
    assert "has not accepted the group agreement yet" in response.content.decode()
    assert _facilitators(group) == [learners[0].pk]
