import datetime

import pytest
from django.urls import reverse

from medmentor.conferences import services
from medmentor.conferences.models import Attendance, CheckInWay
from tests.conferences.conftest import during
from tests.conftest import sign_in


def test_a_resident_checks_in_during_the_session_once(session, people):
    assert services.check_in(session=session, by=people["junior"], now=during(session)) is True
    assert services.check_in(session=session, by=people["junior"], now=during(session)) is False
    assert Attendance.objects.get().way == CheckInWay.SELF


def test_check_in_opens_half_an_hour_before(session, people):
    early = session.meeting.starts_at - datetime.timedelta(hours=2)
    with pytest.raises(services.ConferenceError, match="Check-in opens half an hour before"):
        services.check_in(session=session, by=people["junior"], now=early)
    assert not Attendance.objects.exists()


def test_check_in_closes_when_the_session_ends(session, people):
    late = session.meeting.ends_at + datetime.timedelta(minutes=1)
    with pytest.raises(services.ConferenceError, match="check-in has closed"):
        services.check_in(session=session, by=people["junior"], now=late)


def test_the_facilitator_ticks_people_and_each_counts_once(session, people):
    services.check_in(session=session, by=people["junior"], now=during(session))
    added = services.attendance_tick(
        session=session,
        by=people["senior"],
        people=[people["junior"], people["other_junior"], people["faculty"]],
        now=during(session),
    )
    assert added == 2
    assert session.attendance.count() == 3


def test_ticking_someone_not_invited_ticks_nobody(session, people, outsider):
    with pytest.raises(services.ConferenceError, match="is not invited"):
        services.attendance_tick(
            session=session,
            by=people["senior"],
            people=[people["junior"], outsider],
            now=during(session),
        )
    assert not Attendance.objects.exists()


def test_a_resident_cannot_tick_others(session, people):
    with pytest.raises(services.ConferenceError, match="Only the session's facilitator"):
        services.attendance_tick(
            session=session, by=people["junior"], people=[people["junior"]], now=during(session)
        )


def test_the_run_page_shows_a_count_not_names(client, session, people, program):
    services.check_in(session=session, by=people["junior"], now=during(session))
    sign_in(client, people["senior"])
    page = client.get(
        reverse("conference-session", kwargs={"slug": program.slug, "session_id": session.pk})
    ).content.decode()
    assert "<strong>1</strong> came" in page
