"""The group's private space: the log and the thread, by members only; the thread's
digest says how many messages are new, never what they say; private mail stays off
the program's outbox page and the admin."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from medmentor.groups import services
from medmentor.groups.models import GroupLogEntry, GroupMessage, LogKind
from medmentor.messaging.models import OutboxMessage
from tests.conftest import sign_in
from tests.groups.world import group_with


def test_members_log_topics_and_achievements(program, learners):
    group = group_with(program, learners[:4])
    services.log_entry_add(group=group, by=learners[1], kind=LogKind.TOPIC, text="Saying no")
    services.log_entry_add(
        group=group, by=learners[2], kind=LogKind.ACHIEVEMENT, text="K award funded"
    )
    assert GroupLogEntry.objects.filter(group=group).count() == 2


@pytest.mark.parametrize("who", ["director", "faculty", "researcher", "outsider_learner"])
def test_no_one_outside_the_group_writes_in_it(program, learners, request, who):
    group = group_with(program, learners[:4])
    person = learners[6] if who == "outsider_learner" else request.getfixturevalue(who)
    with pytest.raises(services.GroupError):
        services.thread_post(group=group, by=person, body="Hello")
    with pytest.raises(services.GroupError):
        services.log_entry_add(group=group, by=person, kind=LogKind.TOPIC, text="x")
    assert not GroupMessage.objects.exists() and not GroupLogEntry.objects.exists()


def test_an_empty_message_is_refused(program, learners):
    group = group_with(program, learners[:4])
    with pytest.raises(services.GroupError, match="Write a message"):
        services.thread_post(group=group, by=learners[1], body="  ")
    assert not GroupMessage.objects.exists()


@pytest.mark.parametrize("who", ["director", "faculty", "researcher"])
def test_staff_cannot_open_the_group_s_page(client, program, learners, request, who):
    group = group_with(program, learners[:4])
    services.thread_post(group=group, by=learners[1], body="The secret problem")
    sign_in(client, request.getfixturevalue(who))
    response = client.get(reverse("groups-detail", args=[program.slug, group.pk]))
    assert response.status_code == 403
    assert "The secret problem" not in response.content.decode()


def test_the_digest_counts_new_messages_without_their_words(program, learners):
    group = group_with(program, learners[:4])
    services.thread_post(group=group, by=learners[1], body="The secret problem")
    services.thread_post(group=group, by=learners[2], body="Another secret")
    created = services.thread_digests_enqueue_due(
        now=timezone.now() + datetime.timedelta(minutes=1)
    )
    assert created == 4
    digest = OutboxMessage.objects.filter(key__startswith="group-digest:")
    assert digest.count() == 4
    for message in digest:
        assert "secret" not in message.text_body
        assert "2 new messages" in message.text_body
        assert message.topic.startswith("private:")
    # Nothing new: no second digest, even a day later.
    later = timezone.now() + datetime.timedelta(days=2)
    assert services.thread_digests_enqueue_due(now=later) == 0


def test_the_admin_does_not_list_private_group_mail(client, program, learners, operations):
    group = group_with(program, learners[:4])
    services.thread_post(group=group, by=learners[1], body="x")
    services.thread_digests_enqueue_due(now=timezone.now() + datetime.timedelta(minutes=1))
    sign_in(client, operations)
    page = client.get(reverse("admin:messaging_outboxmessage_changelist")).content.decode()
    assert "thread" not in page
    assert "private:" not in page
