"""The group agreement: versioned text the director edits; a member who has not
accepted the current version is not a member yet and sees nothing of the group."""

import pytest
from django.urls import reverse

from medmentor.groups import selectors, services
from medmentor.groups.models import AgreementAcceptance
from tests.conftest import sign_in
from tests.groups.world import group_with


def test_a_member_who_has_not_accepted_sees_nothing_of_the_group(client, program, learners):
    group = group_with(program, learners[:4], accept=False)
    sign_in(client, learners[1])
    response = client.get(reverse("groups-detail", args=[program.slug, group.pk]))
    assert response.status_code == 403
    assert "accept the group agreement first" in response.content.decode()


def test_accepting_makes_them_a_member(client, program, learners):
    group = group_with(program, learners[:4], accept=False)
    sign_in(client, learners[1])
    agreement = services.agreement_current(program=program)
    response = client.post(
        reverse("groups-agreement", args=[program.slug]), {"agreement": agreement.pk}
    )
    assert response.status_code == 302
    assert selectors.is_member(group=group, person=learners[1])
    assert client.get(reverse("groups-detail", args=[program.slug, group.pk])).status_code == 200


def test_a_new_version_must_be_accepted_again(program, director, learners):
    group = group_with(program, learners[:4])
    services.agreement_update(program=program, by=director, text="We keep it in the room.")
    assert not selectors.is_member(group=group, person=learners[1])
    with pytest.raises(services.GroupError):
        services.thread_post(group=group, by=learners[1], body="Hello")


def test_accepting_an_old_version_is_refused(program, director, learners):
    group_with(program, learners[:4], accept=False)
    old = services.agreement_current(program=program)
    services.agreement_update(program=program, by=director, text="Version two.")
    with pytest.raises(services.GroupError, match="version 2"):
        services.agreement_accept(program=program, agreement=old, by=learners[1])
    assert not AgreementAcceptance.objects.filter(person=learners[1]).exists()


def test_someone_in_no_group_cannot_accept(program, learners):
    agreement = services.agreement_current(program=program)
    with pytest.raises(services.GroupError, match="not in a group"):
        services.agreement_accept(program=program, agreement=agreement, by=learners[0])
    assert not AgreementAcceptance.objects.exists()


def test_only_staff_edit_the_agreement(client, program, junior):
    sign_in(client, junior)
    response = client.post(
        reverse("groups-agreement-edit", args=[program.slug]), {"text": "Anything goes."}
    )
    assert response.status_code == 403
    assert services.agreement_current(program=program).version == 1


def test_an_empty_agreement_is_refused(program, director):
    with pytest.raises(services.GroupError, match="needs its text"):
        services.agreement_update(program=program, by=director, text="   ")
    assert services.agreement_current(program=program).version == 1
