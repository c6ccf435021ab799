"""A large network's formation in a browser, on a phone, axe-clean: the run's page shows
the progress in words and a bar and updates itself (htmx) into the draft once the task
runner has formed the groups; the director changes a group's facilitator."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from medmentor.groups import services
from medmentor.groups.models import Membership
from medmentor.programs.models import ProgramKind
from tests.browser.conftest import PHONE, assert_accessible
from tests.groups.test_formation import _csv, _import
from tests.groups.world import group_with, make_learners

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_passwords")]


@pytest.fixture
def peer_program(program):
    program.kind = ProgramKind.PEER_GROUP
    program.name = "National network"
    program.save(update_fields=["kind", "name"])
    return program


def check(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url
    assert_accessible(page)


def test_the_progress_page_turns_into_the_draft_when_the_task_is_done(
    signed_in, live_server, peer_program, director
):
    assert _import(peer_program, _csv(make_learners(peer_program, 16, prefix="p"))).applied
    run = services.formation_run_create(
        program=peer_program, by=director, similar=[], diverse=["specialty"], inline=False
    )
    page = signed_in(director, viewport=PHONE)
    page.goto(live_server.url + reverse("groups-formation-run", args=[peer_program.slug, run.pk]))
    page.get_by_text("Step 1 of 4: Waiting for the task runner").wait_for()
    assert page.get_by_role("progressbar").count() == 1
    check(page)

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    # The page polls every 3 s and shows the draft by itself.
    page.get_by_role("button", name="Publish").wait_for(timeout=15_000)
    assert page.get_by_role("heading", level=1).inner_text().startswith(f"Draft #{run.pk}:")
    assert page.get_by_role("progressbar").count() == 0
    check(page)


def test_director_changes_a_groups_facilitator_on_a_phone(
    signed_in, live_server, peer_program, director
):
    people = make_learners(peer_program, 4)
    group = group_with(peer_program, people)
    page = signed_in(director, viewport=PHONE)
    page.goto(live_server.url + reverse("groups", args=[peer_program.slug]))
    page.get_by_role("link", name=f"Change {group.name}'s facilitator").click()
    check(page)
    page.get_by_label("New facilitator").select_option(label=people[2].full_name)
    page.get_by_role("button", name="Make them the facilitator").click()
    page.get_by_text(f"{people[2].full_name} facilitates {group.name} from now on").wait_for()
    check(page)
    assert Membership.objects.get(group=group, is_facilitator=True).person == people[2]
