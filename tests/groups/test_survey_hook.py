"""Evaluation: a survey wave sent to a program's group members (the agreement accepted)."""

import datetime

from django.utils import timezone

from medmentor.groups import services
from medmentor.groups.services.evaluation import group_members_invite
from medmentor.programs.access import SYSTEM
from medmentor.surveys.library import PEER_GROUP, instrument_create
from medmentor.surveys.models import Invitation
from tests.groups.world import group_with


def test_a_wave_reaches_the_members_of_every_group(program, learners, director):
    group_with(program, learners[:4], name="One")
    second = group_with(program, learners[4:7], name="Two")
    services.group_member_add(group=second, person=learners[8], by=SYSTEM)  # not accepted
    now = timezone.now()
    instrument = instrument_create(
        program=program,
        spec=PEER_GROUP,
        pre_opens_at=now,
        post_opens_at=now + datetime.timedelta(days=90),
        by=director,
    )
    wave = instrument.waves.get(kind="pre")
    assert group_members_invite(wave=wave, by=director) == 7
    invited = set(Invitation.objects.filter(wave=wave).values_list("person_id", flat=True))
    assert invited == {p.pk for p in learners[:7]}
