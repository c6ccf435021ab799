"""The peer-group demo: three groups (one full at eight, one with a new member who
joined and has yet to accept), meetings behind and ahead, a rotation, a log, a thread."""

from django.utils import timezone

from medmentor.groups.demo import peer_group_demo_load
from medmentor.groups.models import GroupLogEntry, GroupMessage, PeerGroup, PresenterTurn
from medmentor.groups.selectors import accepted_members
from medmentor.meetings.models import Meeting


def _load():
    return peer_group_demo_load(
        starts_on=timezone.now().date(),
        institution_name="Lakeside University Hospital",
        time_zone="America/Denver",
        password="demo password 1",
    )


def test_the_demo_has_three_living_groups(db, fast_passwords):
    demo = _load()
    groups = list(PeerGroup.objects.filter(program=demo.program).order_by("name"))
    assert len(groups) == 3
    assert any(g.member_count == 8 == g.capacity for g in groups)
    newcomers = [g for g in groups if len(accepted_members(group=g)) < g.member_count]
    assert len(newcomers) == 1
    now = timezone.now()
    for group in groups:
        meetings = Meeting.objects.filter(series=group.series)
        assert meetings.filter(starts_at__lte=now).exists()
        assert meetings.filter(starts_at__gt=now).exists()
        assert PresenterTurn.objects.filter(group=group, meeting__starts_at__gt=now).exists()
        assert GroupLogEntry.objects.filter(group=group).exists()
        assert GroupMessage.objects.filter(group=group).exists()


def test_loading_the_demo_twice_changes_nothing(db, fast_passwords):
    _load()
    before = PeerGroup.objects.count(), GroupMessage.objects.count()
    _load()
    assert (PeerGroup.objects.count(), GroupMessage.objects.count()) == before


def test_the_demo_s_sign_in_lines_name_a_facilitator_and_a_member(db, fast_passwords):
    demo = _load()
    group = PeerGroup.objects.get(program=demo.program, name="Denver Thursday")
    roles = {m.person.email: m.is_facilitator for m in accepted_members(group=group)}
    assert roles["peer01@demo.medmentor.test"] is True
    assert roles["peer02@demo.medmentor.test"] is False
    assert any("peer01@demo.medmentor.test (facilitator)" in line for line in demo.lines)
