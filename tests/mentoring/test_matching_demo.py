"""The demo's second program (seed 004): a one-to-one near-peer cohort, matched and
published and alive (meetings, goals, a series ahead), that the demo director may match
again on the Matching page; loading it again changes nothing."""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from medmentor.meetings.models import Meeting, MeetingSeries
from medmentor.mentoring import demo
from medmentor.mentoring.models import (
    Goal,
    MatchingProfile,
    MatchingRun,
    Mentorship,
    Reflection,
)
from medmentor.mentoring.selectors import one_to_one_overview, pairs_needing_check_in
from medmentor.programs.models import Enrollment, Program, Role
from tests.conftest import rows_for_the_module

pytestmark = pytest.mark.usefixtures("fast_passwords")

TODAY = datetime.date(2026, 11, 27)


def load() -> str:
    out = io.StringIO()
    call_command("load_demo", "--today", TODAY.isoformat(), stdout=out)
    return out.getvalue()


def profiles() -> list[dict]:
    return sorted(
        (row for row in MatchingProfile.objects.values()), key=lambda row: row["enrollment_id"]
    )


@pytest.fixture(scope="module")
def first_load(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo loaded once into the empty database, and what that load printed; each
    test starts from exactly this (tests/conftest.py, rows_for_the_module)."""
    yield from rows_for_the_module(django_db_blocker, tmp_path_factory, load)


@pytest.fixture
def near_peer(db, first_load):
    return Program.objects.get(slug=demo.PROGRAM_SLUG), first_load


def test_the_near_peer_cohort_has_capacities_profiles_and_concordance(near_peer):
    program, output = near_peer
    roles = list(Enrollment.objects.filter(program=program).values_list("role", flat=True))

    assert program.kind == "one_to_one"
    assert sorted(set(roles)) == ["coordinator", "director", "junior", "senior"]
    assert roles.count(Role.SENIOR) == 12 and roles.count(Role.JUNIOR) == 24
    mentor_profiles = MatchingProfile.objects.filter(enrollment__role=Role.SENIOR)
    assert set(mentor_profiles.values_list("capacity", flat=True)) == {1, 2, 3}
    assert sum(mentor_profiles.values_list("capacity", flat=True)) == 24
    asked = [p.concordance for p in MatchingProfile.objects.filter(enrollment__role=Role.JUNIOR)]
    assert sum(1 for c in asked if c) >= 8
    assert re.search(r"^mentee +.* mentee\d+@demo\.medmentor\.test", output, re.M)
    assert re.search(r"^mentor +.* mentor1@demo\.medmentor\.test", output, re.M)


def test_loading_again_changes_nothing(near_peer):
    before = profiles()
    program, _ = near_peer
    history = (
        Mentorship.objects.filter(program=program).count(),
        Meeting.objects.filter(program=program).count(),
        Goal.objects.count(),
    )

    output = load()

    assert profiles() == before
    assert "Near-peer pairs: already published and living." in output
    assert (
        Mentorship.objects.filter(program=program).count(),
        Meeting.objects.filter(program=program).count(),
        Goal.objects.count(),
    ) == history
    assert "Near-peer roster: 0 added, 0 updated, 38 unchanged." in output
    assert "Matching profiles: 0 added, 0 updated, 36 unchanged." in output


def test_the_demo_director_matches_the_near_peer_program_from_the_page(client, near_peer):
    program, _ = near_peer
    # Through the sign-in page: django-axes needs the request that client.login() lacks.
    signed_in = client.post(
        reverse("sign-in"),
        {"email": "director@demo.medmentor.test", "password": "medmentor-demo"},
    )
    assert signed_in.status_code == 302
    url = reverse("matching", kwargs={"slug": program.slug})
    page = client.get(url)
    assert page.status_code == 200

    form = {
        "objective": "stable",
        "min_level_gap": "2",
        **{f"weight_{name}": "2" for name in ("specialty", "interests", "site", "language")},
        **{f"weight_{name}": "3" for name in ("gender", "urim", "first_generation")},
    }
    response = client.post(url, form)

    run = MatchingRun.objects.filter(program=program).order_by("-pk").first()
    assert response.status_code == 302
    assert run.status == "draft"
    assert run.matched == 24
    # The demo's pairs are published: matching again keeps them as they are (what a
    # director changes by unlocking pairs in the draft).
    assert run.pairs.filter(kept=True).count() == 24
    review = client.get(response["Location"]).content.decode()
    assert "(asked by mentee)" in review


def test_the_near_peer_program_is_alive_with_pairs_meetings_a_series_and_goals(near_peer):
    program, output = near_peer
    director = Enrollment.objects.get(program=program, role=Role.DIRECTOR).person

    overview = one_to_one_overview(
        program=program,
        viewer=director,
        now=datetime.datetime(2026, 11, 27, 18, tzinfo=datetime.UTC),
    )

    assert len(overview.pairs) == 24
    assert sum(count for _, count in overview.weeks) >= 10
    assert overview.never_met  # pairs that have not met yet
    last_met = [p.last_met_on for p in overview.pairs if p.last_met_on]
    assert min(last_met) == TODAY - datetime.timedelta(days=28)  # the pair to check in with
    assert overview.goals_total >= 6
    assert dict(overview.goals_by_status)["Done"] >= 1
    series = MeetingSeries.objects.get(program=program)
    assert (series.weekday, series.interval_weeks, series.local_time.hour) == (3, 2, 18)
    assert series.starts_on > TODAY
    assert "Near-peer pairs: 24 published" in output
    assert "/programs/near-peer-urim/mentoring/" in output
    # The mentor's reflection, shared with the researchers; the flagged pair is flagged.
    reflection = Reflection.objects.get(mentorship__program=program)
    assert reflection.author.email == "mentor1@demo.medmentor.test" and reflection.consent
    assert "interpersonal_communication" in reflection.competencies
    flagged = pairs_needing_check_in(program=program, viewer=director)
    assert flagged and max(row.days for row in flagged) >= 21


def test_the_demo_mentee_opens_their_pair_with_a_meeting_to_log_and_goals(client, near_peer):
    program, output = near_peer
    pair = (
        Mentorship.objects.filter(program=program, mentor__email="mentor1@demo.medmentor.test")
        .order_by("mentee__email")
        .first()
    )
    assert pair.mentee.email in output  # the printed sign-in table names this mentee
    signed_in = client.post(
        reverse("sign-in"), {"email": pair.mentee.email, "password": "medmentor-demo"}
    )
    assert signed_in.status_code == 302

    page = client.get(reverse("mentoring-pairs", kwargs={"slug": program.slug})).content.decode()

    assert "Your mentor: Aiyana Thunderbird" in page
    assert "A study plan for the anatomy block" in page
    assert "Say whether you met on" in page
    assert "Every other Thursday" in page
