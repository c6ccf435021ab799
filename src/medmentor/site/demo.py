"""The demo: every app's demo pieces, loaded together for `medmentor load-demo`.

Each app keeps the demo data that only touches it (curriculum/demo/ the case-review
program, mentoring/demo/ the one-to-one near-peer program, reverse/demo.py the reverse
mentoring program with its pre/post survey (surveys/demo.py), conferences/demo.py the
peer-support conference, groups/demo.py the peer groups, qualitative/demo/ the focus
groups); this top floor is what puts them together, in the order they need each
other: the focus groups belong to the case-review program, and every demo person signs
in with one password.
"""

import datetime
from dataclasses import dataclass

from medmentor.conferences import demo as conference_demo
from medmentor.curriculum import demo as case_review_demo
from medmentor.groups import demo as peer_group_demo
from medmentor.mentoring import demo as near_peer_demo
from medmentor.qualitative import demo as qualitative_demo
from medmentor.reverse import demo as reverse_demo
from medmentor.surveys.models import Instrument

PASSWORD = case_review_demo.PASSWORD
TIME_ZONE = case_review_demo.TIME_ZONE


class DemoError(Exception):
    """The demo could not be loaded; the message says why."""


@dataclass(frozen=True)
class Demo:
    """What loading the demo did, for the console to print."""

    case_review: case_review_demo.DemoLoad
    near_peer: near_peer_demo.NearPeerDemoLoad
    survey: Instrument
    focus_groups: qualitative_demo.QualitativeDemo
    reverse: reverse_demo.ReverseDemoLoad
    peer_groups: peer_group_demo.PeerGroupDemoLoad
    conference: conference_demo.ConferenceDemoLoad

    @property
    def lines(self) -> list[str]:
        return [
            *self.case_review.lines,
            *self.near_peer.lines,
            *self.peer_groups.lines,
            *self.reverse.lines,
            *self.conference.lines,
            *self.focus_groups.lines,
        ]


def demo_today() -> datetime.date:
    """Today in the demo's time zone."""
    return case_review_demo.demo_today()


def demo_load(*, today: datetime.date) -> Demo:
    """Load (or bring up to date) every demo program as if today were `today`. Safe to
    run again: a second run in the same week changes nothing."""
    try:
        case_review = case_review_demo.demo_load(today=today)
        # The second program, one-to-one near-peer mentoring (seed 004): matched,
        # published and alive (meetings, goals, a series ahead) as of `today`.
        near_peer = near_peer_demo.near_peer_demo_load(
            starts_on=case_review.program.starts_on,
            institution_name=case_review_demo.INSTITUTION,
            time_zone=TIME_ZONE,
            password=PASSWORD,
            today=today,
        )
        # Reverse mentoring (seed 002), with its coded pre/post survey and seeded answers.
        reverse = reverse_demo.reverse_demo_load(
            institution_name=case_review_demo.INSTITUTION,
            starts_on=case_review.program.starts_on,
            time_zone=TIME_ZONE,
            password=PASSWORD,
            today=today,
        )
        # The peer-support conference (seed 001): two past sessions and one ahead.
        conference = conference_demo.conference_demo_load(
            institution_name=case_review_demo.INSTITUTION,
            time_zone=TIME_ZONE,
            password=PASSWORD,
            today=today,
        )
        # Focus groups (seeds 000, 004): two transcripts, two coders, the competency map.
        focus_groups = qualitative_demo.qualitative_demo_load(
            program=case_review.program, password=PASSWORD
        )
        # Small peer groups (seed 003): three groups every other Thursday, alive.
        peer_groups = peer_group_demo.peer_group_demo_load(
            starts_on=case_review.program.starts_on,
            institution_name=case_review_demo.INSTITUTION,
            time_zone=TIME_ZONE,
            password=PASSWORD,
        )
    except (
        case_review_demo.DemoError,
        peer_group_demo.PeerGroupDemoError,
        near_peer_demo.NearPeerDemoError,
        qualitative_demo.QualitativeDemoError,
        reverse_demo.ReverseDemoError,
        conference_demo.ConferenceDemoError,
    ) as error:
        raise DemoError(str(error)) from error
    return Demo(
        case_review=case_review,
        near_peer=near_peer,
        survey=reverse.survey,
        focus_groups=focus_groups,
        reverse=reverse,
        peer_groups=peer_groups,
        conference=conference,
    )
