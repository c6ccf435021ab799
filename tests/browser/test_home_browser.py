"""The home page on a phone: a director and a junior each see what needs them, tap it,
and land on the page where they act; axe-clean."""

import datetime

import pytest
from django.urls import reverse

from medmentor.messaging.models import OutboxMessage, OutboxStatus
from medmentor.programs.models import Enrollment, Role, ServiceBlock
from tests.browser.conftest import PHONE, assert_accessible
from tests.conftest import make_person

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_passwords")]


def _fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def needs_the_director(program, institution, case_week):
    """A junior on service this week without a senior, and an email that gave up."""
    person = make_person("lone@lakeside.test", "Lee Lonely", "R1", institution)
    Enrollment.objects.create(program=program, person=person, role=Role.JUNIOR)
    ServiceBlock.objects.create(
        program=program,
        person=person,
        service=program.service,
        starts_on=case_week.week.starts_on,
        ends_on=case_week.week.starts_on + datetime.timedelta(days=4),
    )
    OutboxMessage.objects.create(
        key="weekly:gave-up",
        to_email=person.email,
        subject="This week",
        text_body=".",
        topic=f"program:{program.pk}",
        status=OutboxStatus.GAVE_UP,
    )


def test_director_sees_what_needs_them_on_a_phone_and_opens_the_weeks_page(
    signed_in, live_server, program, director, needs_the_director
):
    page = signed_in(director, viewport=PHONE)
    page.goto(live_server.url + reverse("home"))
    card = page.get_by_role("region", name=program.name)
    assert card.get_by_role("link", name="In the outbox: 1 email gave up.").count() == 1
    assert "Lee Lonely" not in card.inner_text()
    assert _fits_the_phone(page)
    assert_accessible(page)

    card.get_by_role("link", name="1 junior on service this week has no senior.").click()
    page.wait_for_url(f"**{reverse('program-weeks', args=[program.slug])}")


def test_junior_sees_their_pair_on_a_phone_and_opens_the_workspace(
    signed_in, live_server, program, case_week, junior, senior, other_senior
):
    page = signed_in(junior, viewport=PHONE)
    page.goto(live_server.url + reverse("home"))
    card = page.get_by_role("region", name=program.name)
    assert other_senior.full_name not in card.inner_text()
    assert _fits_the_phone(page)
    assert_accessible(page)

    card.get_by_role("link", name=f"This week: you and {senior.full_name}.").click()
    page.wait_for_url(f"**{reverse('workspace', args=[program.slug])}")
    assert page.get_by_role("heading", level=1).inner_text() == "This week"
