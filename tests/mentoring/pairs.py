"""The near-peer cohort of matching_cohort.py with its matching published: Ana with
Mara, Ben with Nate, Cy with Mara (Mara has two mentees); Olu has none."""

import datetime
import io

from django.utils import timezone
from PIL import Image

from medmentor.meetings.services import meeting_plan
from medmentor.mentoring.models import Mentorship
from medmentor.mentoring.services import matching_run_create, matching_run_publish
from medmentor.programs.models import Role
from tests.mentoring.matching_cohort import one_to_one_program


def published_cohort(institution, *, director, staff=()):
    cohort = one_to_one_program(institution, staff=[(director, Role.DIRECTOR), *staff])
    run = matching_run_create(program=cohort.program, objective="stable", by=director)
    matching_run_publish(run=run, by=director)
    current = Mentorship.objects.filter(program=cohort.program, ended_on__isnull=True)
    cohort.ana_pair = current.get(mentee=cohort.ana)
    cohort.ben_pair = current.get(mentee=cohort.ben)
    cohort.cy_pair = current.get(mentee=cohort.cy)
    return cohort


def pair_meeting(program, organizer, other, *, days: float, title="Pair meeting"):
    """A meeting of `organizer` and `other` starting `days` from now (negative: past,
    planned as if from two months ago)."""
    start = timezone.now() + datetime.timedelta(days=days)
    return meeting_plan(
        program=program,
        organizer=organizer,
        participants=[organizer, other],
        title=title,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        now=start - datetime.timedelta(days=60),
    )


def image_bytes(kind="PNG", size=(800, 600), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=kind)
    return out.getvalue()
