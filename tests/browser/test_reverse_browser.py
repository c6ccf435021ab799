"""Reverse mentoring on a phone (issue 15): a fellow gives feedback in the seven
domains; a consultant reads their released pooled feedback and books a session; the
director reads the evaluation. Axe-clean, and no page wider than the phone."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from medmentor.reverse.models import DomainAnswer, Session
from tests.browser.conftest import PHONE, assert_accessible
from tests.reverse.world import give_all, make_reverse_world, review_and_release

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_passwords")]


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def world(db):
    return make_reverse_world()


def _home(live_server, world) -> str:
    return live_server.url + reverse("reverse-home", kwargs={"slug": world.program.slug})


def test_a_fellow_gives_feedback_in_the_seven_domains_on_a_phone(signed_in, live_server, world):
    page = signed_in(world.fellows[2], viewport=PHONE)
    page.goto(_home(live_server, world))
    page.get_by_role("heading", name="As Fellow (mentor): the consultants you work with").wait_for()
    assert_accessible(page)
    assert fits_the_phone(page)

    page.get_by_role("link", name="Give feedback on Dr Hugh Morton").click()
    page.get_by_role("heading", name="Your feedback on Dr Hugh Morton").wait_for()
    assert_accessible(page)
    assert fits_the_phone(page)
    page.get_by_label("Rating for approachability").select_option("4")
    page.get_by_label("Your words on approachability").fill("Easy to call overnight.")
    page.get_by_label("Strengths").fill("Teaches at the bedside.")
    page.get_by_role("button", name="Save my feedback").click()
    page.get_by_text("Your feedback on Dr Hugh Morton is saved.").wait_for()
    answers = {a.domain: (a.rating, a.text) for a in DomainAnswer.objects.all()}
    assert answers == {
        "approachability": (4, "Easy to call overnight."),
        "strengths": (None, "Teaches at the bedside."),
    }
    assert_accessible(page)
    assert fits_the_phone(page)


def test_a_consultant_reads_the_pooled_feedback_and_books_a_session_on_a_phone(
    signed_in, live_server, world
):
    give_all(world, text="Pooled words {n}")
    review_and_release(world)
    page = signed_in(world.consultant, viewport=PHONE)
    page.goto(_home(live_server, world))
    page.get_by_role("link", name="Your pooled feedback").click()
    page.get_by_role("heading", name="Your pooled feedback").wait_for()
    assert page.get_by_text("Pooled from 4 fellows.").is_visible()
    assert page.get_by_text("Pooled words 3").is_visible()
    assert_accessible(page)
    assert fits_the_phone(page)

    page.get_by_role("link", name="Book a session").click()
    page.get_by_role("heading", name="Book a 1-2-1 session").wait_for()
    assert_accessible(page)
    assert fits_the_phone(page)
    day = (timezone.now() + datetime.timedelta(days=7)).date()
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Time").fill("16:00")
    page.get_by_label("Where (optional)").fill("Education centre")
    page.get_by_role("button", name="Book the session").click()
    page.get_by_text("The session is booked").wait_for()
    session = Session.objects.get()
    assert (session.consultant, session.fellow) == (world.consultant, world.mentor)
    assert page.get_by_text("Pooled words 0").is_visible()  # the agenda
    assert_accessible(page)
    assert fits_the_phone(page)


def test_the_director_reads_the_evaluation_on_a_phone(signed_in, live_server, world):
    from medmentor.programs import access
    from medmentor.reverse import services
    from medmentor.surveys.demo import survey_demo_load

    give_all(world)
    review_and_release(world)
    for n, minutes in enumerate([45, 28, 180, 45, 60]):
        starts_at = timezone.now() - datetime.timedelta(days=n + 1)
        session = services.session_book(
            program=world.program,
            consultant=world.consultant,
            starts_at=starts_at,
            by=world.consultant,
            now=starts_at - datetime.timedelta(days=1),
        )
        services.session_log(session=session, minutes=minutes, by=world.mentor)
    assert access.program_access(world.director, world.program).manages
    survey_demo_load(program=world.program, today=datetime.date(2026, 11, 27))
    page = signed_in(world.director, viewport=PHONE)
    page.goto(_home(live_server, world))
    page.get_by_role("heading", name="Consultants (counts only)").wait_for()
    assert_accessible(page)
    assert fits_the_phone(page)

    page.get_by_role("link", name="The evaluation").click()
    page.get_by_role("heading", name="Reverse mentoring: evaluation").wait_for()
    assert page.get_by_text("median 45 minutes (range 28–180)").is_visible()
    assert page.get_by_role("cell", name="30.5").is_visible()
    assert_accessible(page)
    assert fits_the_phone(page)
