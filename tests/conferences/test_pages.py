import datetime

from django.urls import reverse
from django.utils import timezone

from medmentor.conferences import services
from medmentor.conferences.models import ConferenceSession, HelpResource, PartKind, PartStatus
from medmentor.programs.models import Enrollment, Role
from tests.conftest import make_program, make_service, sign_in


def _url(name, program, **kwargs):
    return reverse(name, kwargs={"slug": program.slug, **kwargs})


def test_the_residents_page_shows_the_safety_promise_the_session_and_help(
    client, session, people, program
):
    services.help_resources_save(
        program=program,
        by=people["director"],
        resources=[services.ResourceFields(title="Employee assistance", detail="24 h: 555-0100")],
    )
    sign_in(client, people["junior"])
    page = client.get(_url("conference-home", program)).content.decode()
    assert "What is shared stays in the room" in page
    assert "never recorded" in page
    assert "Nothing is written down about what anyone said" in page
    assert "Afternoon report: peer support" in page
    assert "Employee assistance" in page
    assert "Welcome (5 min)" in page
    assert "Run this session" not in page


def test_a_resident_checks_in_from_the_page_when_the_session_is_on(client, program, people):
    soon = timezone.now() + datetime.timedelta(minutes=10)
    session = services.session_plan(
        program=program,
        by=people["director"],
        facilitator=people["senior"],
        title="Now",
        starts_at=soon,
        minutes=60,
        video_url="https://zoom.example.test/j/5",
    )
    sign_in(client, people["junior"])
    page = client.get(_url("conference-home", program)).content.decode()
    assert "check in" in page
    response = client.post(_url("conference-check-in", program, session_id=session.pk), follow=True)
    assert "You are checked in" in response.content.decode()
    assert session.attendance.count() == 1


def test_a_storyteller_accepts_on_the_page(client, session, people, program):
    part = services.part_ask(
        session=session, by=people["senior"], person=people["junior"], kind=PartKind.STORYTELLER
    )
    sign_in(client, people["junior"])
    assert "To tell a story" in client.get(_url("conference-home", program)).content.decode()
    client.post(_url("conference-answer", program, part_id=part.pk), {"answer": "accept"})
    part.refresh_from_db()
    assert part.status == PartStatus.ACCEPTED


def test_nobody_answers_for_someone_else(client, session, people, program):
    part = services.part_ask(
        session=session, by=people["senior"], person=people["junior"], kind=PartKind.STORYTELLER
    )
    sign_in(client, people["other_junior"])
    response = client.post(
        _url("conference-answer", program, part_id=part.pk), {"answer": "accept"}
    )
    assert response.status_code == 404
    part.refresh_from_db()
    assert part.status == PartStatus.ASKED


def test_the_ask_page_says_when_a_storyteller_was_asked_twice(client, session, people, program):
    sign_in(client, people["senior"])
    url = _url("conference-ask", program, session_id=session.pk)
    data = {"kind": "storyteller", "person": people["junior"].pk}
    client.post(url, data)
    page = client.post(url, data, follow=True).content.decode()
    assert "Jo Junior was already asked to be a storyteller" in page


def test_planning_a_session_in_the_past_from_the_page_explains_and_writes_nothing(
    client, program, people
):
    sign_in(client, people["director"])
    yesterday = timezone.now().astimezone(program.zone).date() - datetime.timedelta(days=1)
    response = client.post(
        _url("conference-plan", program),
        {
            "title": "Too late",
            "facilitator": people["senior"].pk,
            "date": yesterday.isoformat(),
            "start_time": "12:00",
            "minutes": "60",
            "video_url": "https://zoom.example.test/j/1",
            "repeat": "once",
        },
    )
    assert response.status_code == 200
    assert "is in the past" in response.content.decode()
    assert not ConferenceSession.objects.exists()


def test_planning_a_session_from_the_page(client, program, people):
    sign_in(client, people["director"])
    day = timezone.now().astimezone(program.zone).date() + datetime.timedelta(days=8)
    response = client.post(
        _url("conference-plan", program),
        {
            "title": "Peer support",
            "facilitator": people["senior"].pk,
            "date": day.isoformat(),
            "start_time": "12:00",
            "minutes": "60",
            "place": "Room 4B",
            "repeat": "once",
        },
    )
    session = ConferenceSession.objects.get()
    assert response.status_code == 302
    assert session.meeting.place == "Room 4B"


def test_the_director_edits_where_to_get_help(client, program, people):
    sign_in(client, people["director"])
    client.post(
        _url("conference-help", program),
        {"title_1": "Chaplain", "detail_1": "Pager 4411", "title_2": "", "url_3": ""},
    )
    assert list(HelpResource.objects.values_list("title", flat=True)) == ["Chaplain"]


def test_a_bad_help_address_is_refused_by_its_row(client, program, people):
    sign_in(client, people["director"])
    page = client.post(
        _url("conference-help", program), {"title_1": "Crisis line", "url_1": "not a link"}
    ).content.decode()
    assert "Resource 1:" in page
    assert not HelpResource.objects.exists()


def test_only_the_director_edits_the_help_list(client, program, people, coordinator):
    sign_in(client, coordinator)
    assert client.get(_url("conference-help", program)).status_code == 403


def test_conference_pages_are_not_in_other_kinds_of_programs(client, institution, people):
    other = make_program(institution, make_service(institution))
    Enrollment.objects.create(program=other, person=people["director"], role=Role.DIRECTOR)
    sign_in(client, people["director"])
    assert client.get(_url("conference-home", other)).status_code == 404


def test_a_sessions_meeting_page_offers_no_log(client, session, people):
    sign_in(client, people["junior"])
    kwargs = {"slug": session.program.slug, "meeting_id": session.meeting.pk}
    page = client.get(reverse("meeting-detail", kwargs=kwargs)).content.decode()
    assert "Log this meeting" not in page
    assert client.get(reverse("meeting-log", kwargs=kwargs)).status_code == 403


def test_the_home_page_sends_residents_to_the_conference_page_and_names_their_ask(
    client, session, people, program
):
    services.part_ask(
        session=session, by=people["senior"], person=people["junior"], kind=PartKind.STORYTELLER
    )
    sign_in(client, people["junior"])
    page = client.get(reverse("home")).content.decode()
    assert _url("conference-home", program) in page
    assert "asked to take a part" in page


def test_a_series_is_planned_from_the_page(client, program, people):
    sign_in(client, people["director"])
    day = timezone.now().astimezone(program.zone).date() + datetime.timedelta(days=8)
    client.post(
        _url("conference-plan", program),
        {
            "title": "Monthly peer support",
            "facilitator": people["senior"].pk,
            "date": day.isoformat(),
            "start_time": "12:00",
            "minutes": "60",
            "video_url": "https://zoom.example.test/j/3",
            "repeat": "series",
            "interval_weeks": "4",
            "count": "3",
        },
    )
    assert ConferenceSession.objects.count() == 3
