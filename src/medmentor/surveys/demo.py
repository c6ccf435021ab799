"""The demo's seed-002 style evaluation: a coded pre/post survey with seeded answers.

Six respondents answer both waves; their confidence scores (0-35) go from a median of
21 to 30.5, as in seed 002 ("21 vs 31"); one of them mistyped an element of the code
in the post wave (paired tolerantly), and one answered only the pre wave. Safe to run
again: an existing demo survey is left as it is.
"""

import datetime

from django.db import transaction

from medmentor.programs import access
from medmentor.programs.models import LEARNER_ROLES, Program
from medmentor.surveys.library import REVERSE_MENTORING, instrument_create
from medmentor.surveys.models import Anonymity, Instrument, Invitation, WaveKind
from medmentor.surveys.services import invitations_create, response_record

PRE_TOTALS = [21, 20, 23, 19, 22, 21, 18]
POST_TOTALS = [31, 30, 29, 28, 33, 31]
CODES = [
    ["A", "3", "0", "M"],
    ["B", "14", "1", "H"],
    ["C", "22", "2", "S"],
    ["D", "9", "0", "K"],
    ["E", "30", "1", "P"],
    ["F", "5", "3", "R"],
    ["G", "17", "0", "L"],
]
POST_CODES = [*CODES[:5], ["F", "5", "2", "R"]]  # the sixth misremembered one element
PRE_THOUGHTS = [
    "Worried the power gradient will make honest feedback hard.",
    "I am not sure seniors want to hear from us.",
    "Could risk working relationships.",
]
POST_THOUGHTS = [
    "A different perspective from the norm; new ideas we can use on the ward.",
    "Easier than I expected to give feedback upwards.",
    "My consultant asked for more of this.",
]


def _items_for(total: int) -> dict[str, str]:
    base, extra = divmod(total, 7)
    return {f"conf_{n}": str(base + (1 if n <= extra else 0)) for n in range(1, 8)}


def survey_demo_load(*, program: Program, today: datetime.date) -> Instrument:
    """Load the demo survey, or keep an existing one current: its post wave opens on the
    Monday of the week before `today` (so any day of one week loads the same dates)."""
    monday = today - datetime.timedelta(days=today.weekday())
    start = datetime.datetime.combine(monday, datetime.time(8), tzinfo=datetime.UTC)
    existing = program.instruments.filter(title=REVERSE_MENTORING["title"]).first()
    if existing is not None:
        post = existing.waves.filter(kind=WaveKind.POST).first()
        wanted = start - datetime.timedelta(weeks=1)
        if post is not None and post.opens_at != wanted:
            shift = wanted - post.opens_at
            for wave in existing.waves.all():
                wave.opens_at += shift
                wave.closes_at += shift
                wave.save(update_fields=["opens_at", "closes_at"])
        return existing
    with transaction.atomic():
        instrument = instrument_create(
            program=program,
            spec=REVERSE_MENTORING,
            anonymity=Anonymity.CODED,
            pre_opens_at=start - datetime.timedelta(weeks=8),
            post_opens_at=start - datetime.timedelta(weeks=1),
            by=access.SYSTEM,
        )
        pre = instrument.waves.get(kind=WaveKind.PRE)
        post = instrument.waves.get(kind=WaveKind.POST)
        learners = list(
            program.enrollments.filter(role__in=LEARNER_ROLES)
            .select_related("person")
            .order_by("person__email")
        )
        people = list({e.person_id: e.person for e in learners}.values())
        for wave in (pre, post):
            invitations_create(wave=wave, people=people)
        # Those who answered are marked done, in no order that tells who they are.
        Invitation.objects.filter(wave=pre, person__in=people[: len(PRE_TOTALS)]).update(
            is_done=True
        )
        Invitation.objects.filter(wave=post, person__in=people[: len(POST_TOTALS)]).update(
            is_done=True
        )
        for n, total in enumerate(PRE_TOTALS):
            response_record(
                wave=pre,
                code=CODES[n],
                answers={
                    **_items_for(total),
                    "role_understanding": "2" if n % 2 else "3",
                    "feedback_important": "4",
                    "had_session": "0",
                    "thoughts": PRE_THOUGHTS[n] if n < len(PRE_THOUGHTS) else "",
                },
            )
        for n, total in enumerate(POST_TOTALS):
            response_record(
                wave=post,
                code=POST_CODES[n],
                answers={
                    **_items_for(total),
                    "role_understanding": "4" if n % 3 else "5",
                    "feedback_important": "5" if n % 2 else "4",
                    "had_session": "1",
                    "session_minutes": str([45, 28, 60, 45, 180, 40][n]),
                    "topics": ["1", "3"] if n % 2 else ["2", "5"],
                    "thoughts": POST_THOUGHTS[n] if n < len(POST_THOUGHTS) else "",
                },
            )
    return instrument
