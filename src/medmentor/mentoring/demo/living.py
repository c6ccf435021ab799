"""The near-peer demo program, alive: its cohort matched and published, pairs that met
(some logged, some only "we met"), one pair with no meeting for four weeks, a series
ahead (every other Thursday 18:00), goals with progress and a few profiles — so a
newcomer signing in as a mentor, a mentee or the director sees a program that runs.

Every row is written through the services a director, a mentor or a mentee uses
(access.SYSTEM for the director's matching, the pair's own people for the rest), each
with `now` set from the demo's `today`, so the same load gives the same program on any
day it runs. Loaded once: a program that already has pairs is left as it is.
"""

import datetime
from dataclasses import dataclass

from medmentor.meetings.models import local_datetime
from medmentor.meetings.services import (
    meeting_answer_record,
    meeting_log,
    meeting_plan,
    series_plan,
)
from medmentor.mentoring.models import Mentorship
from medmentor.mentoring.services import (
    goal_create,
    goal_update,
    matching_run_create,
    matching_run_publish,
    mentoring_profile_update,
    reflection_write,
)
from medmentor.people.models import Person
from medmentor.programs import access
from medmentor.programs.models import Program

MEETING_TIME = datetime.time(17, 0)
SERIES_TIME = datetime.time(18, 0)
THURSDAY = 3
FLAGGED_DAYS = 28  # the pair with no meeting for longer than the 21 days of issue 11

PROFILES = {
    "mentor1@demo.medmentor.test": (
        "MS3 from Cass Lake. I nearly left in my first semester; ask me about study groups, "
        "the anatomy lab and finding your people in Duluth.",
        "Text me after 17:00; email on weekends.",
    ),
}
MENTEE_BIO = (
    "Incoming MS1 from a small town up north. First in my family in medical school; "
    "interested in rural family medicine.",
    "Email, I reply within a day.",
)


@dataclass(frozen=True)
class LivingProgram:
    pairs: int
    featured_mentor: Person
    featured_mentee: Person
    flagged: Mentorship
    lines: list[str]


def _at(program: Program, day: datetime.date, time=MEETING_TIME) -> datetime.datetime:
    return local_datetime(day, time, program.zone)


def _met(program, pair, *, day, now, logged, topics: str = "", title="Mentoring meeting"):
    """A meeting of `pair` on `day`: logged by the mentee (True), marked "we met" by the
    mentor (False), or not yet answered by anyone (None)."""
    start = _at(program, day)
    meeting = meeting_plan(
        program=program,
        organizer=pair.mentor,
        participants=[pair.mentor, pair.mentee],
        title=title,
        starts_at=start,
        ends_at=start + datetime.timedelta(minutes=45),
        place="Library, 2nd floor",
        now=start - datetime.timedelta(days=3),
    )
    if logged:
        meeting_log(meeting=meeting, by=pair.mentee, minutes=45, topics=topics, now=now)
    elif logged is False:
        meeting_answer_record(meeting=meeting, person=pair.mentor, answer="met", now=now)
    return meeting


def near_peer_bring_to_life(*, program: Program, today: datetime.date) -> LivingProgram | None:
    """Match and publish the cohort and give its pairs a history; None (and nothing
    written) when the program already has pairs."""
    if Mentorship.objects.filter(program=program).exists():
        return None
    now = _at(program, today, datetime.time(12, 0))
    run = matching_run_create(program=program, objective="stable", by=access.SYSTEM)
    matching_run_publish(run=run, by=access.SYSTEM)
    pairs = list(
        Mentorship.objects.filter(program=program, ended_on__isnull=True)
        .select_related("mentor", "mentee")
        .order_by("mentor__email", "mentee__email")
    )
    # Mentor 1 and their first mentee are the demo's mentor and mentee.
    featured = next(p for p in pairs if p.mentor.email.startswith("mentor1@"))
    mentor1_others = [p for p in pairs if p.mentor_id == featured.mentor_id and p != featured]
    days = lambda n: today - datetime.timedelta(days=n)  # noqa: E731

    # The featured pair: a logged first meeting, a second one not yet logged (what to do
    # next: "say whether you met"), a series ahead, two goals, both profiles.
    first = _met(
        program, featured, day=days(15), now=now, logged=True, topics="Settling in; housing"
    )
    # The mentor's reflection after it (seed 004: mentors grow toward the ACGME
    # competencies), shared with the researchers by the mentor's own choice.
    reflection_write(
        mentorship=featured,
        by=featured.mentor,
        meeting=first,
        text=(
            "I talked less and asked more this time; they opened up about housing once I "
            "shared my own first month. Next time I will bring the study-plan template."
        ),
        competencies=["interpersonal_communication", "professionalism"],
        consent=True,
        now=now,
    )
    _met(program, featured, day=days(4), now=now, logged=None)
    next_thursday = today + datetime.timedelta(days=(THURSDAY - today.weekday()) % 7 or 7)
    series_plan(
        program=program,
        organizer=featured.mentor,
        participants=[featured.mentor, featured.mentee],
        title="Every other Thursday",
        weekday=THURSDAY,
        local_time=SERIES_TIME,
        starts_on=next_thursday,
        interval_weeks=2,
        duration_minutes=45,
        count=8,
        place="Library, 2nd floor",
        now=now,
    )
    goal = goal_create(
        mentorship=featured, by=featured.mentee, title="A study plan for the anatomy block"
    )
    goal_update(goal=goal, by=featured.mentor, status="in_progress", progress=40)
    goal_create(
        mentorship=featured,
        by=featured.mentor,
        title="Shadow a day in the rural family medicine clinic",
        due_on=today + datetime.timedelta(days=60),
    )
    mentoring_profile_update(
        person=featured.mentor,
        bio=PROFILES["mentor1@demo.medmentor.test"][0],
        contact_preference=PROFILES["mentor1@demo.medmentor.test"][1],
    )
    mentoring_profile_update(
        person=featured.mentee, bio=MENTEE_BIO[0], contact_preference=MENTEE_BIO[1]
    )
    # Mentor 1's other mentees: one met last week, the others have not met yet.
    if mentor1_others:
        _met(program, mentor1_others[0], day=days(8), now=now, logged=True, topics="Exams")

    # The other pairs: a third logged, a third "we met", a third not met yet; one pair
    # last met four weeks ago (the one the director should check in with).
    others = [p for p in pairs if p.mentor_id != featured.mentor_id]
    flagged = others[0]
    _met(program, flagged, day=days(FLAGGED_DAYS), now=now, logged=True, topics="First talk")
    for index, pair in enumerate(others[1:]):
        if index % 3 == 2:
            continue
        _met(program, pair, day=days(3 + index % 12), now=now, logged=index % 3 == 0)
        if index % 4 == 0:
            done = goal_create(mentorship=pair, by=pair.mentee, title="Find a study group")
            goal_update(goal=done, by=pair.mentee, status="done", progress=100)
        if index % 4 == 1:
            goal_create(mentorship=pair, by=pair.mentor, title="Meet the learning specialist")
    lines = [
        f"Near-peer pairs: {len(pairs)} published, with meetings in the past six weeks "
        f"(one pair last met {FLAGGED_DAYS} days ago), goals, and a series every other "
        f"Thursday 18:00 for {featured.mentor.full_name} and {featured.mentee.full_name} "
        "(and the mentor's reflection on their first meeting, shared with the researchers)."
    ]
    return LivingProgram(
        pairs=len(pairs),
        featured_mentor=featured.mentor,
        featured_mentee=featured.mentee,
        flagged=flagged,
        lines=lines,
    )
