"""The meeting pages: who gets what, planning and logging through the forms, and the
privacy rule: a meeting's log (length, topics) is its participants' alone; the
director sees that it happened."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from medmentor.meetings import services
from medmentor.meetings.models import Meeting, MeetingSeries
from tests.conftest import sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]


def _url(name, meeting, **extra):
    return reverse(name, kwargs={"slug": meeting.program.slug, "meeting_id": meeting.pk, **extra})


def _get(client, person, url):
    client.logout()
    if person is not None:
        sign_in(client, person)
    return client.get(url)


@pytest.fixture
def logged(past_meeting, junior):
    services.meeting_log(
        meeting=past_meeting, by=junior, minutes=45, topics="Imposter feelings on nights"
    )
    return past_meeting


def test_who_may_open_a_meeting_page(
    client, logged, junior, senior, director, other_junior, outsider, faculty
):
    url = _url("meeting-detail", logged)
    expected = {
        junior: 200,
        senior: 200,
        director: 200,
        other_junior: 404,
        faculty: 404,
        outsider: 403,
    }
    got = {person: _get(client, person, url).status_code for person in expected}
    assert got == expected
    anonymous = _get(client, None, url)
    assert anonymous.status_code == 302 and "sign-in" in anonymous["Location"]


def test_the_topics_are_the_participants_and_the_director_sees_only_that_they_met(
    client, logged, junior, senior, director
):
    for person in (junior, senior):
        page = _get(client, person, _url("meeting-detail", logged)).content.decode()
        assert "Imposter feelings on nights" in page and "45 minutes" in page
    for url in (
        _url("meeting-detail", logged),
        reverse("meetings", kwargs={"slug": "nm-must-see"}),
    ):
        page = _get(client, director, url).content.decode()
        assert "met</span>" in page
        assert "Imposter" not in page and "45 minutes" not in page
        assert "Coffee and questions" not in page  # not even the title


def test_only_participants_open_the_log_page_and_only_the_organizer_the_edit_page(
    client, one_off, junior, senior, director
):
    assert _get(client, director, _url("meeting-log", one_off)).status_code == 403
    assert _get(client, junior, _url("meeting-log", one_off)).status_code == 200
    assert _get(client, junior, _url("meeting-edit", one_off)).status_code == 403
    assert _get(client, senior, _url("meeting-edit", one_off)).status_code == 200


def test_a_mentee_plans_a_meeting_and_a_series_on_the_form(client, program, junior, senior):
    sign_in(client, junior)
    day = timezone.localdate() + datetime.timedelta(days=10)
    form = {
        "title": "First meeting",
        "participants": [junior.pk, senior.pk],
        "date": day.isoformat(),
        "start_time": "18:00",
        "duration_minutes": "45",
        "repeat": "once",
        "place": "Cafeteria",
    }
    reply = client.post(reverse("meeting-plan", kwargs={"slug": program.slug}), form)
    assert reply.status_code == 302
    meeting = Meeting.objects.get(title="First meeting")
    local = meeting.starts_at.astimezone(program.zone)
    assert (local.date(), local.hour, meeting.ends_at - meeting.starts_at) == (
        day,
        18,
        datetime.timedelta(minutes=45),
    )

    series_form = {**form, "title": "Fortnightly", "repeat": "weekly", "interval_weeks": "2"}
    series_form["until"] = (day + datetime.timedelta(weeks=8)).isoformat()
    client.post(reverse("meeting-plan", kwargs={"slug": program.slug}), series_form)
    series = MeetingSeries.objects.get(title="Fortnightly")
    assert series.meetings.count() == 5 and series.weekday == day.weekday()


def test_the_plan_form_shows_a_refusal_in_words(client, program, junior, senior):
    sign_in(client, junior)
    reply = client.post(
        reverse("meeting-plan", kwargs={"slug": program.slug}),
        {
            "title": "Too late",
            "participants": [junior.pk, senior.pk],
            "date": "2020-01-01",
            "start_time": "18:00",
            "duration_minutes": "45",
            "repeat": "once",
        },
    )
    assert reply.status_code == 200
    assert "is in the past" in reply.content.decode()
    assert not Meeting.objects.exists()


def test_logging_on_the_page_records_length_topics_and_that_they_met(client, past_meeting, senior):
    sign_in(client, senior)
    reply = client.post(
        _url("meeting-log", past_meeting), {"minutes": "30", "topics": "Research ideas"}
    )
    assert reply.status_code == 302
    past_meeting.refresh_from_db()
    assert past_meeting.happened is True
    assert (past_meeting.log.minutes, past_meeting.log.topics) == (30, "Research ideas")


def test_the_organizer_cancels_one_date_of_a_series_from_its_page(client, program, senior, junior):
    series = services.series_plan(
        program=program,
        organizer=senior,
        participants=[senior, junior],
        title="Weekly",
        weekday=2,
        local_time=datetime.time(12),
        starts_on=timezone.localdate() + datetime.timedelta(days=3),
        count=4,
    )
    second = series.meetings.order_by("starts_at")[1]
    sign_in(client, junior)
    assert client.post(_url("meeting-cancel", second)).status_code == 403
    assert series.skipped.count() == 0  # the mentee did not plan it

    client.logout()
    sign_in(client, senior)
    client.post(_url("meeting-cancel", second))
    assert list(series.skipped.values_list("on", flat=True)) == [second.occurrence_on]


def test_the_meetings_page_reads_a_fixed_number_of_queries_however_many_meetings(
    client, program, senior, junior
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def plan(count):
        start = timezone.now() + datetime.timedelta(days=3)
        for n in range(count):
            services.meeting_plan(
                program=program,
                organizer=senior,
                participants=[senior, junior],
                title=f"Meeting {n}",
                starts_at=start + datetime.timedelta(days=n),
                ends_at=start + datetime.timedelta(days=n, hours=1),
            )

    sign_in(client, junior)
    url = reverse("meetings", kwargs={"slug": program.slug})
    plan(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    plan(10)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
