"""Attacks on the program kinds' pages (programs.kinds): another kind's page must not
tell someone who does not run the program anything they could not see before."""

import pytest
from django.urls import reverse

from medmentor.programs.models import Role
from tests.conftest import sign_in
from tests.mentoring.matching_cohort import SLUG, one_to_one_program

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.fixture
def near_peer(institution, director):
    return one_to_one_program(institution, staff=[(director, Role.DIRECTOR)])


def test_a_learner_probing_another_kinds_pages_cannot_learn_the_programs_kind(
    client, near_peer, junior
):
    # The junior of the case-review program is not enrolled in the near-peer program;
    # a mentee of it is. Neither runs it: both get the refusal they always got.
    mentee = near_peer.ana
    for person in (junior, mentee):
        sign_in(client, person)
        for name in ("program-weeks", "schedule-import", "matching"):
            response = client.get(reverse(name, kwargs={"slug": SLUG}))
            assert response.status_code == 403, (person, name)
            assert "one-to-one" not in response.content.decode()


def test_an_api_caller_outside_the_program_cannot_learn_its_kind_from_another_kinds_call(
    client, near_peer, junior
):
    sign_in(client, junior)

    response = client.get(f"/api/programs/{SLUG}/weeks")

    assert response.status_code == 404
    assert response.json()["detail"] == f"You have no program called “{SLUG}”."
