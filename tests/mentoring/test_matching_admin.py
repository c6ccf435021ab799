"""The admin shows matching data to staff: profiles, conflicts, runs (read-only), mentorships."""

import pytest
from django.urls import reverse

from medmentor.mentoring.models import MatchingConflict
from medmentor.mentoring.services import matching_run_create, matching_run_publish
from medmentor.programs.models import Role
from tests.conftest import sign_in
from tests.mentoring.matching_cohort import one_to_one_program

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.mark.parametrize(
    "model", ["matchingprofile", "matchingconflict", "matchingrun", "mentorship"]
)
def test_staff_open_every_matching_admin_page(client, institution, director, operations, model):
    cohort = one_to_one_program(institution, staff=[(director, Role.DIRECTOR)])
    MatchingConflict.objects.create(program=cohort.program, mentor=cohort.nate, mentee=cohort.cy)
    run = matching_run_create(program=cohort.program, objective="stable", by=director)
    matching_run_publish(run=run, by=director)
    sign_in(client, operations)  # the admin is for operations; directors are not staff

    changelist = client.get(reverse(f"admin:mentoring_{model}_changelist"))

    assert changelist.status_code == 200
    first = changelist.context["cl"].result_list[0]
    change = reverse(f"admin:mentoring_{model}_change", args=[first.pk])
    assert client.get(change).status_code == 200


def test_runs_are_not_added_by_hand(client, operations):
    sign_in(client, operations)

    assert client.get(reverse("admin:mentoring_matchingrun_add")).status_code == 403
