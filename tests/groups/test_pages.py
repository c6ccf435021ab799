"""The peer-group pages open for those they are for, and their forms work as plain
POSTs with the refusals in words."""

import pytest
from django.urls import reverse
from django.utils import timezone

from medmentor.groups import services
from medmentor.groups.models import GroupLogEntry, GroupMessage, Membership, PeerGroup
from medmentor.meetings.models import Meeting
from tests.conftest import sign_in
from tests.groups.world import group_with, plan_series_with_past


@pytest.fixture
def running(program, learners):
    group = group_with(program, learners[:5])
    plan_series_with_past(group, learners[0])
    group.refresh_from_db()
    services.thread_post(group=group, by=learners[1], body="How do you say no?")
    services.log_entry_add(group=group, by=learners[2], kind="achievement", text="R01 funded")
    return group


def test_the_director_s_groups_page_shows_counts_not_contents(client, running, director):
    sign_in(client, director)
    page = client.get(reverse("groups", args=[running.program.slug])).content.decode()
    assert running.name in page
    assert "How do you say no?" not in page and "R01 funded" not in page


def test_the_member_s_group_page_shows_the_space(client, running, learners):
    sign_in(client, learners[0])
    page = client.get(reverse("groups-detail", args=[running.program.slug, running.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "How do you say no?" in text and "R01 funded" in text
    assert "Save attendance" in text  # the facilitator ticks


def test_a_member_posts_to_the_thread_and_the_log(client, running, learners):
    sign_in(client, learners[3])
    slug = running.program.slug
    client.post(reverse("groups-thread-post", args=[slug, running.pk]), {"body": "Thanks all"})
    client.post(
        reverse("groups-log-add", args=[slug, running.pk]), {"kind": "topic", "text": "Tenure"}
    )
    assert GroupMessage.objects.filter(body="Thanks all").exists()
    assert GroupLogEntry.objects.filter(text="Tenure").exists()


def test_the_facilitator_ticks_attendance_on_the_page(client, running, learners):
    meeting = Meeting.objects.filter(series=running.series, starts_at__lte=timezone.now()).first()
    sign_in(client, learners[0])
    response = client.post(
        reverse("groups-attendance", args=[running.program.slug, running.pk, meeting.pk]),
        {"present": [learners[0].pk, learners[1].pk]},
    )
    assert response.status_code == 302
    assert meeting.group_attendance.filter(present=True).count() == 2


def test_joining_a_full_group_says_so(client, program, learners):
    group = group_with(program, learners[:8], accept=False)
    sign_in(client, learners[9])
    response = client.post(reverse("groups-join", args=[program.slug, group.pk]), follow=True)
    assert "is full" in response.content.decode()
    assert not Membership.objects.filter(person=learners[9]).exists()


def test_the_director_creates_a_group_and_adds_a_member(client, program, director, learners):
    sign_in(client, director)
    client.post(reverse("groups-create", args=[program.slug]), {"name": "Every other Thursday"})
    group = PeerGroup.objects.get(name="Every other Thursday")
    client.post(
        reverse("groups-member-add", args=[program.slug, group.pk]),
        {"person": learners[0].pk, "is_facilitator": "on"},
    )
    assert Membership.objects.get(group=group).is_facilitator


@pytest.mark.parametrize(
    "name", ["groups", "groups-formation", "groups-profiles-import", "groups-agreement-edit"]
)
def test_staff_pages_open(client, program, director, name):
    sign_in(client, director)
    assert client.get(reverse(name, args=[program.slug])).status_code == 200


def test_the_groups_pages_are_a_404_in_a_program_of_another_kind(client, program, director):
    program.kind = "one_to_one"
    program.save(update_fields=["kind"])
    sign_in(client, director)
    assert client.get(reverse("groups", args=[program.slug])).status_code == 404


def test_the_home_page_asks_a_placed_learner_to_accept_the_agreement(client, program, learners):
    group_with(program, learners[:4], accept=False)
    sign_in(client, learners[1])
    page = client.get(reverse("home")).content.decode()
    assert "Read and accept your group" in page
    assert reverse("groups-agreement", args=[program.slug]) in page
