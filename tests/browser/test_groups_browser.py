"""Small peer groups in a browser, on a phone, axe-clean: the director forms groups from
a profiles file and publishes them; a member runs a meeting cycle (the agreement, the
invitation, attendance, the rotation, the log, the thread)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from medmentor.groups.models import (
    GroupAttendance,
    GroupLogEntry,
    GroupMessage,
    Membership,
    PeerGroup,
    PresenterTurn,
)
from medmentor.groups.selectors import is_member
from medmentor.meetings.models import Meeting
from medmentor.messaging.models import OutboxAttachment, OutboxMessage
from medmentor.programs.access import SYSTEM
from medmentor.programs.models import ProgramKind
from tests.browser.conftest import PHONE, assert_accessible
from tests.groups.world import group_with, make_learners, plan_series_with_past

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_passwords")]


@pytest.fixture
def peer_program(program):
    program.kind = ProgramKind.PEER_GROUP
    program.name = "SWIMS peer mentoring"
    program.save(update_fields=["kind", "name"])
    return program


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def check(page):
    assert fits(page), page.url
    assert_accessible(page)


def test_director_forms_and_publishes_groups_on_a_phone(
    signed_in, live_server, peer_program, director
):
    people = make_learners(peer_program, 12)
    rows = ["email,place,specialty"] + [
        f"{p.email},{'Denver' if k % 2 else 'Aurora'},{['Peds', 'Endo', 'Psych'][k % 3]}"
        for k, p in enumerate(people)
    ]
    page = signed_in(director, viewport=PHONE)
    page.goto(live_server.url + reverse("groups", args=[peer_program.slug]))
    check(page)
    page.get_by_role("link", name="Form groups from a profiles file").click()
    check(page)
    page.get_by_role("link", name="Import the group profiles").click()
    check(page)
    page.get_by_label("Spreadsheet file (.xlsx or .csv)").set_input_files(
        files=[{"name": "p.csv", "mimeType": "text/csv", "buffer": "\n".join(rows).encode()}]
    )
    page.get_by_role("button", name="Preview").click()
    page.locator("#import-summary").wait_for()
    check(page)
    page.get_by_role("button", name="Confirm and import").click()
    page.get_by_role("heading", name="Form groups").wait_for()

    page.get_by_label("Specialty").nth(1).check()  # varied within a group
    page.get_by_label("Subgroups by").select_option("place")
    page.get_by_role("button", name="Draft the groups").click()
    page.get_by_role("heading", level=1).filter(has_text="Draft #").wait_for()
    explanations = page.locator(".explanation").all_inner_texts()
    assert len(explanations) == 2 and all(
        "Specialty" in t or "specialty" in t for t in explanations
    )
    check(page)
    assert not PeerGroup.objects.exists()

    page.get_by_role("button", name="Publish 2 groups and email every member").click()
    page.get_by_role("heading", name="Groups", exact=True).wait_for()
    check(page)
    assert PeerGroup.objects.count() == 2
    assert Membership.objects.count() == 12
    assert OutboxMessage.objects.filter(key__startswith="group-formed:").count() == 12
    assert "Denver" in page.locator("main").inner_text()


def test_a_member_runs_a_meeting_cycle_on_a_phone(
    signed_in, live_server, peer_program, senior, junior
):
    extras = make_learners(peer_program, 2)
    group = group_with(peer_program, [senior, *extras], name="Every other Thursday")
    plan_series_with_past(group, senior, past=2, ahead=4)
    from medmentor.groups import services

    services.group_member_add(group=group, person=junior, by=SYSTEM)
    slug = peer_program.slug

    # The agreement: not a member until accepted.
    page = signed_in(junior, viewport=PHONE)
    page.goto(live_server.url + reverse("groups", args=[slug]))
    check(page)
    page.get_by_role("link", name="Read the agreement").click()
    check(page)
    page.get_by_role("button", name="I accept the agreement").click()
    page.get_by_role("link", name="Open Every other Thursday").click()
    assert is_member(group=group, person=junior)
    check(page)

    # The invitation: the series' meetings to come, with the .ics, and a turn for her.
    assert OutboxAttachment.objects.filter(message__to_email=junior.email).exists()
    assert PresenterTurn.objects.filter(person=junior).exists()

    # Attendance: one click for the last meeting.
    page.get_by_role("button", name="I was there").first.click()
    page.get_by_text("You are marked present.").wait_for()
    assert GroupAttendance.objects.filter(person=junior, present=True).count() == 1

    # The rotation: she asks the facilitator to swap; he accepts on his phone.
    theirs = page.locator("#theirs option", has_text=senior.full_name).first
    page.get_by_label("Swap with").select_option(theirs.get_attribute("value"))
    page.get_by_role("button", name="Ask to swap").click()
    page.get_by_text("Swap asked").wait_for()
    check(page)
    facilitator = signed_in(senior, viewport=PHONE)
    facilitator.goto(live_server.url + reverse("groups-detail", args=[slug, group.pk]))
    check(facilitator)
    mine_before = set(PresenterTurn.objects.filter(person=junior).values_list("pk", flat=True))
    facilitator.get_by_role("button", name="Accept the swap").click()
    facilitator.get_by_text("Your answer is saved.").wait_for()
    assert set(PresenterTurn.objects.filter(person=junior).values_list("pk", flat=True)) != (
        mine_before
    )

    # The facilitator ticks who came at the first meeting.
    first = Meeting.objects.filter(series=group.series, starts_at__lte=timezone.now()).first()
    boxes = facilitator.get_by_role(
        "group", name=f"Who came on {first.starts_at.astimezone(first.zone):%-d %B}"
    )
    boxes.get_by_label(junior.full_name).check()
    boxes.get_by_label(senior.full_name).check()
    boxes.locator("xpath=..").get_by_role("button", name="Save attendance").click()
    facilitator.get_by_text("Attendance is saved.").wait_for()
    assert GroupAttendance.objects.filter(meeting=first, present=True).count() == 2

    # The log and the thread.
    page.goto(live_server.url + reverse("groups-detail", args=[slug, group.pk]))
    page.get_by_label("Kind").select_option("achievement")
    page.get_by_label("Entry").fill("First paper accepted")
    page.get_by_role("button", name="Add to the log").click()
    page.get_by_text("First paper accepted").wait_for()
    page.get_by_label("Message").fill("Thank you for Thursday")
    page.get_by_role("button", name="Send to the group").click()
    page.get_by_text("Thank you for Thursday").wait_for()
    check(page)
    assert GroupLogEntry.objects.filter(group=group, author=junior).exists()
    assert GroupMessage.objects.filter(group=group, author=junior).exists()
