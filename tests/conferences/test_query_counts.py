"""The busy pages ask as many queries for a program of 40 residents as for one of 4."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from medmentor.meetings.models import MeetingParticipant
from medmentor.programs.models import Enrollment, Role
from tests.conftest import make_person, sign_in


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_run_page_and_the_residents_page_do_not_grow_with_the_residents(
    client, session, people, program, institution
):
    sign_in(client, people["senior"])
    run = reverse("conference-session", kwargs={"slug": program.slug, "session_id": session.pk})
    home = reverse("conference-home", kwargs={"slug": program.slug})
    before = (_queries(client, run), _queries(client, home))
    for n in range(36):
        person = make_person(f"resident{n}@lakeside.test", f"Resident {n}", "R1", institution)
        Enrollment.objects.create(program=program, person=person, role=Role.JUNIOR)
        MeetingParticipant.objects.create(meeting=session.meeting, person=person)
    assert (_queries(client, run), _queries(client, home)) == before
