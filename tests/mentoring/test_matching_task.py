"""A large cohort's run is queued as a Django task and solved by django-tasks-db's
db_worker (`medmentor worker` does not run tasks); the page says so meanwhile."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from medmentor.mentoring.models import MatchingProfile, MatchingRun, MatchingRunStatus
from medmentor.mentoring.services import matching_run_create
from medmentor.programs.models import Role
from tests.conftest import sign_in
from tests.mentoring.matching_cohort import SLUG, one_to_one_program

# db_worker closes the database connection between tasks: the rows must be committed.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fast_passwords")]


def test_a_queued_run_says_queued_until_the_task_runner_solves_it(client, institution, director):
    cohort = one_to_one_program(institution, staff=[(director, Role.DIRECTOR)])

    run = matching_run_create(
        program=cohort.program, objective="optimal", by=director, inline=False
    )

    assert run.status == MatchingRunStatus.QUEUED
    sign_in(client, director)
    url = reverse("matching-run", kwargs={"slug": SLUG, "run_id": run.pk})
    page = client.get(url).content.decode()
    assert "Queued: this cohort is large" in page
    assert 'hx-trigger="every 3s"' in page

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    run.refresh_from_db()
    assert (run.status, run.matched) == (MatchingRunStatus.DRAFT, 3)
    assert "hx-trigger" not in client.get(url).content.decode()


def test_a_queued_run_that_cannot_be_solved_keeps_the_reason(institution, director):
    cohort = one_to_one_program(institution, staff=[(director, Role.DIRECTOR)])
    run = matching_run_create(program=cohort.program, objective="stable", by=director, inline=False)
    MatchingProfile.objects.filter(enrollment__person=cohort.mara).update(capacity=-1)

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    run = MatchingRun.objects.get(pk=run.pk)
    assert run.status == MatchingRunStatus.FAILED
    assert run.error == "Mara Mentor (mentor): the capacity must be 0 or more mentees, got -1."
