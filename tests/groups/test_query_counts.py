"""The busy peer-group pages ask a fixed number of queries, whatever the number of
groups, members, meetings, log entries and messages (zulip's pinned counts)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from medmentor.groups import services
from tests.conftest import sign_in
from tests.groups.world import group_with, make_learners, plan_series_with_past


def _world(program, groups: int, first: int = 0):
    made = []
    for k in range(first, first + groups):
        people = make_learners(program, 6, start=1, prefix=f"g{k}m")
        group = group_with(program, people, name=f"Group {k}")
        plan_series_with_past(group, people[0], past=2, ahead=2)
        group.refresh_from_db()
        for person in people:
            services.thread_post(group=group, by=person, body="Hello")
            services.log_entry_add(group=group, by=person, kind="topic", text="A topic")
        made.append((group, people))
    return made


# Pinned: a change here is a decision, not a drift.
PINNED = {"groups": 13, "groups-detail": 16}


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["groups", "groups-detail"])
def test_the_pages_ask_as_many_queries_for_four_groups_as_for_two(client, program, director, page):
    small = _world(program, 2)
    group, people = small[0]
    who = director if page == "groups" else people[1]
    sign_in(client, who)
    args = [program.slug] if page == "groups" else [program.slug, group.pk]
    before = _count(client, reverse(page, args=args))
    _world(program, 2, first=2)  # two more groups of the same size
    for person in people:
        services.thread_post(group=group, by=person, body="More")
    after = _count(client, reverse(page, args=args))
    assert after == before == PINNED[page]
