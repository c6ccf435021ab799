"""A published one-to-one program for the relationship-health and reflection tests.

The near-peer cohort (tests/mentoring/matching_cohort.py) matched with a seniority gap
of 1, so Olu (MS2) may take a mentee too: re-pairing has someone free to turn to. The
case-review program's director, coordinator, researcher and faculty are enrolled in
it with the same roles.
"""

import datetime
from types import SimpleNamespace

from medmentor.meetings.services import meeting_answer_record, meeting_plan
from medmentor.mentoring.models import Mentorship
from medmentor.mentoring.services import matching_run_create, matching_run_publish
from medmentor.programs.models import Role
from tests.mentoring.matching_cohort import one_to_one_program


def published_world(institution, *, director, coordinator, researcher, faculty=None):
    staff = [(director, Role.DIRECTOR), (coordinator, Role.COORDINATOR)]
    staff.append((researcher, Role.RESEARCHER))
    if faculty is not None:
        staff.append((faculty, Role.FACULTY))
    cohort = one_to_one_program(institution, staff=staff)
    run = matching_run_create(
        program=cohort.program, objective="stable", rules={"min_level_gap": 1}, by=director
    )
    matching_run_publish(run=run, by=director)
    pairs = {
        m.mentee.full_name.split()[0].lower(): m
        for m in Mentorship.objects.filter(
            program=cohort.program, ended_on__isnull=True
        ).select_related("mentor", "mentee", "program")
    }
    return SimpleNamespace(
        program=cohort.program,
        director=director,
        coordinator=coordinator,
        researcher=researcher,
        faculty=faculty,
        pairs=pairs,
        run=run,
    )


def started_days_ago(mentorship, days: int) -> None:
    """The pair was published `days` ago (the test's setting, not a write of ours)."""
    Mentorship.objects.filter(pk=mentorship.pk).update(
        started_on=datetime.date.today() - datetime.timedelta(days=days)
    )
    mentorship.refresh_from_db()


def met_days_ago(mentorship, days: int, *, people=None) -> None:
    """A meeting of the pair (or of `people`) `days` ago, answered "we met"."""
    now = datetime.datetime.now(tz=datetime.UTC)
    starts = now - datetime.timedelta(days=days)
    participants = people or [mentorship.mentor, mentorship.mentee]
    meeting = meeting_plan(
        program=mentorship.program,
        organizer=participants[0],
        participants=participants,
        title="Coffee",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        now=starts - datetime.timedelta(days=1),
    )
    meeting_answer_record(meeting=meeting, person=participants[0], answer="met", now=now)
    return meeting
