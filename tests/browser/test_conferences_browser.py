"""A facilitator sets up and runs a peer-support session on a phone, a resident
accepts to tell a story, checks in and answers the anonymous feedback; every page
axe-clean at 390 px."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from medmentor.conferences.models import ConferenceSession, PartStatus, SessionPart
from medmentor.conferences.tasks import conference_work_due
from medmentor.surveys.models import Invitation, Response, Wave
from medmentor.surveys.services import invitation_token
from tests.browser.conftest import PHONE, assert_accessible
from tests.conferences.conftest import make_conference_program

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_passwords")]


@pytest.fixture
def program(institution):
    return make_conference_program(institution)


def _fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _checked(page) -> None:
    assert _fits_the_phone(page)
    assert_accessible(page)


def test_a_facilitator_runs_a_session_and_a_resident_attends_and_answers_the_feedback(
    signed_in, live_server, program, director, faculty, senior, junior, other_junior
):
    # The facilitator (the senior resident) plans a session starting in ten minutes.
    start = (timezone.now() + datetime.timedelta(minutes=10)).astimezone(program.zone)
    facilitator = signed_in(senior, viewport=PHONE)
    facilitator.goto(reverse("conference-home", kwargs={"slug": program.slug}))
    _checked(facilitator)
    facilitator.get_by_role("link", name="Plan a session").click()
    _checked(facilitator)
    facilitator.get_by_label("Title").fill("Afternoon report: peer support")
    facilitator.get_by_label("Date").fill(start.date().isoformat())
    facilitator.get_by_label("Start time").fill(start.strftime("%H:%M"))
    facilitator.get_by_label("Length (minutes)").fill("60")
    facilitator.get_by_label("Video link").fill("https://zoom.example.test/j/42")
    facilitator.get_by_role("button", name="Plan and invite").click()
    facilitator.get_by_role("heading", name="Run sheet").wait_for()
    session = ConferenceSession.objects.get()
    _checked(facilitator)

    # A run sheet longer than the session: refused in words, nothing saved.
    facilitator.get_by_label("Minutes").nth(1).fill("50")
    facilitator.get_by_role("button", name="Save the run sheet").click()
    facilitator.get_by_text("add up to 90 minutes").wait_for()
    assert session.segments.get(position=2).minutes == 20
    _checked(facilitator)
    facilitator.get_by_label("Minutes").nth(1).fill("15")
    facilitator.get_by_role("button", name="Save the run sheet").click()
    facilitator.get_by_text("Run sheet saved.").wait_for()
    assert session.segments.get(position=2).minutes == 15

    # The junior is asked to tell a story.
    facilitator.get_by_label("Ask a resident to tell a story").select_option(label="Jo Junior")
    facilitator.get_by_role("button", name="Ask", exact=True).click()
    facilitator.get_by_text("Jo Junior is asked").wait_for()
    _checked(facilitator)

    # The resident accepts and, the session about to start, checks in.
    resident = signed_in(junior, viewport=PHONE)
    resident.goto(reverse("conference-home", kwargs={"slug": program.slug}))
    assert "What is shared stays in the room" in resident.content()
    _checked(resident)
    resident.get_by_role("button", name="Yes, I will").click()
    resident.get_by_text("a short guide is on its way").wait_for()
    assert SessionPart.objects.get().status == PartStatus.ACCEPTED
    resident.get_by_role("button", name="I'm here: check in").click()
    resident.get_by_text("You are checked in", exact=False).first.wait_for()
    _checked(resident)

    # The facilitator ticks another resident; the page shows only the count.
    facilitator.reload()
    facilitator.get_by_label("Jamie Junior").check()
    facilitator.get_by_role("button", name="Count them").click()
    facilitator.get_by_text("Attendance counted.").wait_for()
    assert "<strong>2</strong> came" in facilitator.content()
    _checked(facilitator)

    # After the session the worker sends the anonymous feedback form.
    conference_work_due(now=session.meeting.ends_at + datetime.timedelta(minutes=30))
    # The session is over in this story, but not on the clock: open its wave now.
    Wave.objects.update(opens_at=timezone.now() - datetime.timedelta(minutes=1))
    invitation = Invitation.objects.get(person=junior)
    resident.goto(
        reverse("survey-answer", kwargs={"token": invitation_token(invitation=invitation)})
    )
    _checked(resident)
    resident.get_by_label("Yes, I agree to take part").check()
    resident.get_by_role("button", name="Continue").click()
    group = resident.get_by_role("group", name="The session was worth my time.")
    group.wait_for()
    _checked(resident)
    group.get_by_label("Agree", exact=True).check()
    resident.get_by_role(
        "group", name="I feel more connected to my fellow residents."
    ).get_by_label("Strongly agree").check()
    resident.get_by_role("button", name="Submit answers").click()
    resident.get_by_text("Your answers are submitted").wait_for()
    _checked(resident)
    response = Response.objects.get(submitted_at__isnull=False)
    assert response.person_id is None

    # The director's report: counts, and too few answers to show an average.
    report = signed_in(director, viewport=PHONE)
    report.goto(reverse("conference-report", kwargs={"slug": program.slug}))
    assert "too few to show" in report.content()
    _checked(report)


def test_a_storyteller_answers_from_the_ask_emails_link_on_a_phone_without_signing_in(
    browser, live_server, smtp_server, settings, program, director, senior, junior
):
    import re

    from medmentor.conferences import services
    from medmentor.conferences.models import PartKind
    from medmentor.messaging.services import outbox_deliver

    settings.SITE_URL = live_server.url  # the minted link points at this server
    session = services.session_plan(
        program=program,
        by=director,
        facilitator=senior,
        title="Afternoon report: peer support",
        starts_at=timezone.now() + datetime.timedelta(days=7),
        minutes=60,
        video_url="https://zoom.example.test/j/42",
    )
    part = services.part_ask(session=session, by=senior, person=junior, kind=PartKind.STORYTELLER)
    outbox_deliver(worker_name="test")
    (message,) = [m for m in smtp_server.messages if str(m["Subject"]).startswith("Would you")]
    link = re.search(r"Yes, I'll take part:\s+(\S+)", message.get_body(("plain",)).get_content())[1]

    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(link)
        page.get_by_role("button", name="Yes, I'll take part").wait_for()
        _checked(page)
        part.refresh_from_db()
        assert part.status == PartStatus.ASKED  # opening it records nothing
        page.get_by_role("button", name="Yes, I'll take part").click()
        page.get_by_text("a short guide is on its way").wait_for()
        _checked(page)
    finally:
        context.close()
    part.refresh_from_db()
    assert part.status == PartStatus.ACCEPTED
