"""The admin is no back door around privacy rule 5: the group's private models have no
admin page, and with the group's attendance, rotation, log and thread one way and then
another, every admin page of the groups app (and the outbox's) is the same."""

import datetime
import re

import pytest
from django.contrib import admin
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone

from medmentor.admin_site import MedmentorAdminSite
from medmentor.groups import services
from medmentor.groups.models import (
    CommitmentNotice,
    GroupAttendance,
    GroupDigest,
    GroupLogEntry,
    GroupMessage,
    PresenterSwap,
    PresenterTurn,
)
from medmentor.meetings.models import Meeting
from tests.conftest import sign_in
from tests.groups.world import group_with, plan_series_with_past

PRIVATE = [
    GroupAttendance,
    PresenterTurn,
    PresenterSwap,
    GroupLogEntry,
    GroupMessage,
    GroupDigest,
    CommitmentNotice,
]
_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


@pytest.mark.parametrize("model", PRIVATE, ids=lambda model: model.__name__)
def test_the_admin_site_refuses_the_group_s_private_models(model):
    with pytest.raises(ImproperlyConfigured, match="private to its owner"):
        MedmentorAdminSite(name="probe").register(model)
    assert model not in admin.site._registry


def _pages(group):
    pages = []
    for model in admin.site._registry:
        opts = model._meta
        if opts.app_label not in ("groups", "messaging"):
            continue
        name = f"admin:{opts.app_label}_{opts.model_name}"
        pages.append(reverse(f"{name}_changelist"))
        row = model.objects.first()
        if row is not None:
            pages += [
                reverse(f"{name}_change", args=[row.pk]),
                reverse(f"{name}_delete", args=[row.pk]),
            ]
    return pages


def _fetch(client, pages):
    return {url: _CSRF.sub(r"\1…", client.get(url).content.decode()) for url in pages}


def test_no_admin_page_shows_the_group_s_private_life(client, program, learners, operations):
    group = group_with(program, learners[:4])
    plan_series_with_past(group, learners[0])
    group.refresh_from_db()
    sign_in(client, operations)
    pages = _pages(group)
    before = _fetch(client, pages)

    for meeting in Meeting.objects.filter(series=group.series, starts_at__lte=timezone.now()):
        services.attendance_take(meeting=meeting, by=learners[0], present=[learners[0].pk])
    services.log_entry_add(group=group, by=learners[1], kind="topic", text="Burnout")
    services.thread_post(group=group, by=learners[2], body="Call me")
    services.thread_digests_enqueue_due(now=timezone.now() + datetime.timedelta(minutes=1))
    after_life = _fetch(client, pages)
    # Meetings that happened are the staff's to know (meetings app), not shown here.
    assert [url for url in pages if before[url] != after_life[url]] == []
