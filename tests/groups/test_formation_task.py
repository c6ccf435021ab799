"""A large network's formation and publication run as Django tasks (django-tasks-db's
db_worker runs them; `medmentor worker` does not): the run's page shows the progress in
words and a bar, polling until the draft (or the reason it stopped) is there."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse

from medmentor.groups import services
from medmentor.groups.models import FormationRun, FormationStatus, Membership, PeerGroup
from medmentor.groups.tasks import formation_run_task
from medmentor.messaging.models import OutboxMessage
from medmentor.programs.access import SYSTEM
from medmentor.programs.models import Enrollment
from tests.conftest import sign_in
from tests.groups.test_formation import _csv, _import
from tests.groups.world import make_learners

# db_worker closes the database connection between tasks: the rows must be committed.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fast_passwords")]


def _run_tasks() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


@pytest.fixture
def profiled(program):
    people = make_learners(program, 16, prefix="p")
    assert _import(program, _csv(people)).applied
    return people


def _queue(program, by):
    return services.formation_run_create(
        program=program, by=by, similar=[], diverse=["specialty"], inline=False
    )


def _page(client, program, run) -> str:
    url = reverse("groups-formation-run", kwargs={"slug": program.slug, "run_id": run.pk})
    return client.get(url).content.decode()


def test_a_queued_formation_shows_its_progress_and_polls(client, program, director, profiled):
    run = _queue(program, director)
    assert run.status == FormationStatus.QUEUED and run.groups == []
    sign_in(client, director)

    page = _page(client, program, run)

    assert "Step 1 of 4: Waiting for the task runner to start forming the groups" in page
    assert '<progress max="100" value="0"' in page
    assert 'hx-trigger="every 3s"' in page
    assert "Publish" not in page


def test_the_task_forms_the_draft_and_the_page_shows_it_without_polling(
    client, program, director, profiled
):
    run = _queue(program, director)
    sign_in(client, director)

    _run_tasks()

    run.refresh_from_db()
    assert run.status == FormationStatus.DRAFT
    assert (run.steps_done, run.steps_total) == (4, 4)
    assert sum(len(g["members"]) for g in run.groups) == 16
    page = _page(client, program, run)
    assert "hx-trigger" not in page
    assert f"Draft #{run.pk}: {len(run.groups)} groups" in page
    assert f"Publish {len(run.groups)} groups and email every member" in page
    assert not PeerGroup.objects.exists()


def test_the_formation_task_returns_the_runs_status(program, director, profiled):
    run = FormationRun.objects.create(
        program=program, diverse=["specialty"], status=FormationStatus.QUEUED, steps_total=4
    )
    result = formation_run_task.enqueue(run_id=run.pk)

    _run_tasks()

    result.refresh()
    assert result.return_value == "draft"


def test_a_formation_that_cannot_be_done_says_why_in_words(client, program, director):
    run = _queue(program, director)  # no profiles imported
    sign_in(client, director)

    _run_tasks()

    run.refresh_from_db()
    assert run.status == FormationStatus.FAILED
    page = _page(client, program, run)
    assert "The groups could not be formed" in page
    assert "No one is waiting for a group: import the group profiles first." in page
    assert "hx-trigger" not in page


def test_a_queued_publication_shows_its_progress_then_the_published_groups(
    client, program, director, profiled
):
    run = services.formation_run_create(program=program, by=director, similar=[], diverse=[])
    sign_in(client, director)

    run = services.formation_publish_queue(run=run, by=director, inline=False)

    assert run.status == FormationStatus.PUBLISHING
    page = _page(client, program, run)
    assert "Step 1 of 2: Waiting for the task runner to publish the groups" in page
    assert 'hx-trigger="every 3s"' in page
    assert not Membership.objects.exists()

    _run_tasks()

    run.refresh_from_db()
    assert run.status == FormationStatus.PUBLISHED and run.published_at is not None
    assert Membership.objects.filter(program=program).count() == 16
    assert OutboxMessage.objects.filter(key__startswith=f"group-formed:{run.pk}:").count() == 16
    page = _page(client, program, run)
    assert "Published" in page and "16 members emailed" in page
    assert "hx-trigger" not in page and "Publish " not in page


def test_the_publication_task_refuses_someone_who_no_longer_manages_the_program(
    client, program, director, profiled
):
    run = services.formation_run_create(program=program, by=director, similar=[], diverse=[])
    services.formation_publish_queue(run=run, by=director, inline=False)
    Enrollment.objects.filter(program=program, person=director).delete()

    _run_tasks()

    run.refresh_from_db()
    assert run.status == FormationStatus.DRAFT and run.published_at is None
    assert run.error.startswith("Not published: Only the directors and coordinators")
    assert not Membership.objects.exists() and not OutboxMessage.objects.exists()


def test_a_learner_may_neither_queue_a_formation_nor_publish_one(program, junior, profiled):
    run = services.formation_run_create(program=program, by=SYSTEM, similar=[], diverse=[])
    with pytest.raises(PermissionDenied):
        _queue(program, junior)
    with pytest.raises(PermissionDenied):
        services.formation_publish_queue(run=run, by=junior, inline=False)
    assert FormationRun.objects.count() == 1
    assert FormationRun.objects.get().status == FormationStatus.DRAFT


def test_a_director_publishing_a_small_draft_from_the_page_publishes_at_once(
    client, program, director, profiled
):
    run = services.formation_run_create(program=program, by=director, similar=[], diverse=[])
    sign_in(client, director)
    url = reverse("groups-formation-publish", kwargs={"slug": program.slug, "run_id": run.pk})

    response = client.post(url)

    assert response.status_code == 302
    assert response.url == reverse("groups", kwargs={"slug": program.slug})
    run.refresh_from_db()
    assert run.status == FormationStatus.PUBLISHED


def test_on_the_page_a_network_above_the_inline_limit_is_queued_with_its_progress(
    client, program, director, profiled, settings
):
    settings.GROUPS_FORMATION_INLINE_LIMIT = 10  # 16 people wait
    sign_in(client, director)

    response = client.post(
        reverse("groups-formation", kwargs={"slug": program.slug}), {"diverse": ["specialty"]}
    )

    run = FormationRun.objects.get()
    assert response.url == reverse(
        "groups-formation-run", kwargs={"slug": program.slug, "run_id": run.pk}
    )
    assert run.status == FormationStatus.QUEUED
    _run_tasks()
    publish = reverse("groups-formation-publish", kwargs={"slug": program.slug, "run_id": run.pk})
    response = client.post(publish)
    assert response.url == reverse(
        "groups-formation-run", kwargs={"slug": program.slug, "run_id": run.pk}
    )
    run.refresh_from_db()
    assert run.status == FormationStatus.PUBLISHING
    assert "Step 1 of 2: Waiting for the task runner to publish" in _page(client, program, run)
    _run_tasks()
    run.refresh_from_db()
    assert run.status == FormationStatus.PUBLISHED
    assert Membership.objects.filter(program=program).count() == 16
