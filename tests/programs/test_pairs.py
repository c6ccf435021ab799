"""Program weeks and the weekly junior–senior pairs derived from the service schedule."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from medmentor.people.models import Person
from medmentor.programs import selectors
from medmentor.programs.models import Enrollment, Pair, PairOrigin, ProgramWeek, ServiceBlock
from medmentor.programs.services import (
    PairError,
    pair_add,
    pair_remove,
    pairs_derive,
    program_weeks_ensure,
)
from tests.conftest import coming_monday, make_person

# The program of these tests starts next week: pairs change only in weeks not yet over
# (finished weeks are frozen; tests/programs/test_frozen_weeks.py). `nov(2)` is its
# first Monday, and `nov(day)` the day as many days later as in November 2026.
FIRST_MONDAY: datetime.date


@pytest.fixture(autouse=True)
def _program_starts_next_week(program):
    global FIRST_MONDAY
    FIRST_MONDAY = coming_monday(program)
    program.starts_on = FIRST_MONDAY
    program.save(update_fields=["starts_on"])


def nov(day: int) -> datetime.date:
    return FIRST_MONDAY + datetime.timedelta(days=day - 2)


def on_service(program, person, starts_on, ends_on):
    ServiceBlock.objects.create(
        program=program,
        person=person,
        service=program.service,
        starts_on=starts_on,
        ends_on=ends_on,
    )


def week_of(program, monday):
    return program_weeks_ensure(program=program, until=monday)[-1]


def pair_names(derivation_or_pairs):
    pairs = getattr(derivation_or_pairs, "pairs", derivation_or_pairs)
    return sorted((pair.junior.full_name, pair.senior.full_name) for pair in pairs)


def test_weeks_run_monday_to_monday_from_the_program_start(program):
    weeks = program_weeks_ensure(program=program, until=nov(18))
    assert [week.starts_on for week in weeks] == [nov(2), nov(9), nov(16)]
    again = program_weeks_ensure(program=program, until=nov(18))
    assert [week.id for week in again] == [week.id for week in weeks]
    assert ProgramWeek.objects.filter(program=program).count() == 3
    assert program_weeks_ensure(program=program, until=datetime.date(2026, 10, 1)) == []


def test_every_junior_is_paired_with_every_senior_on_service(
    program, junior, other_junior, senior, other_senior
):
    for person in (junior, other_junior, senior, other_senior):
        on_service(program, person, nov(2), nov(6))
    derivation = pairs_derive(program=program, week=week_of(program, nov(2)))
    assert pair_names(derivation) == [
        ("Jamie Junior", "Sam Senior"),
        ("Jamie Junior", "Sasha Senior"),
        ("Jo Junior", "Sam Senior"),
        ("Jo Junior", "Sasha Senior"),
    ]
    assert derivation.juniors_without_senior == []
    assert all(pair.origin == PairOrigin.SCHEDULE for pair in derivation.pairs)


def test_junior_with_no_senior_on_service_is_flagged(program, junior, other_junior, senior):
    on_service(program, junior, nov(2), nov(13))
    on_service(program, other_junior, nov(9), nov(13))
    on_service(program, senior, nov(2), nov(6))
    first = pairs_derive(program=program, week=week_of(program, nov(2)))
    second = pairs_derive(program=program, week=week_of(program, nov(9)))
    assert pair_names(first) == [("Jo Junior", "Sam Senior")]
    assert first.juniors_without_senior == []
    assert second.pairs == []
    assert second.juniors_without_senior == [other_junior, junior]  # by name


def test_a_block_covers_a_week_only_through_its_weekdays(program, junior, senior):
    on_service(program, junior, nov(2), nov(20))
    on_service(program, senior, nov(7), nov(8))  # the weekend only
    on_service(program, senior, nov(13), nov(16))  # Friday to Monday: two weeks
    weeks = program_weeks_ensure(program=program, until=nov(16))
    derived = [pairs_derive(program=program, week=week) for week in weeks]
    assert [len(derivation.pairs) for derivation in derived] == [0, 1, 1]


def test_enrollment_dates_bound_who_is_on_service(program, junior, senior):
    on_service(program, junior, nov(2), nov(13))
    on_service(program, senior, nov(2), nov(13))
    Enrollment.objects.filter(person=senior).update(left_on=nov(6))
    assert len(pairs_derive(program=program, week=week_of(program, nov(2))).pairs) == 1
    assert pairs_derive(program=program, week=week_of(program, nov(9))).pairs == []


def test_director_added_pair_survives_rederiving(program, director, junior, senior, other_senior):
    on_service(program, junior, nov(2), nov(6))
    on_service(program, senior, nov(2), nov(6))
    week = week_of(program, nov(2))
    pairs_derive(program=program, week=week)
    pair_add(week=week, junior=junior, senior=other_senior, by=director)

    again = pairs_derive(program=program, week=week)
    assert pair_names(again) == [("Jo Junior", "Sam Senior"), ("Jo Junior", "Sasha Senior")]
    assert Pair.objects.get(senior=other_senior).origin == PairOrigin.DIRECTOR


def test_director_removed_pair_is_never_added_back(program, director, junior, senior):
    on_service(program, junior, nov(2), nov(6))
    on_service(program, senior, nov(2), nov(6))
    week = week_of(program, nov(2))
    (pair,) = pairs_derive(program=program, week=week).pairs
    pair_remove(pair=pair, by=director)

    again = pairs_derive(program=program, week=week)
    assert again.pairs == []
    assert again.juniors_without_senior == [junior]
    assert Pair.objects.filter(week=week).count() == 1  # kept, marked removed
    assert selectors.pairs_for_week(week=week) == []


def test_schedule_change_removes_only_schedule_pairs(
    program, director, junior, senior, other_senior
):
    on_service(program, junior, nov(2), nov(6))
    on_service(program, senior, nov(2), nov(6))
    week = week_of(program, nov(2))
    pairs_derive(program=program, week=week)
    pair_add(week=week, junior=junior, senior=other_senior, by=director)
    ServiceBlock.objects.filter(person=senior).delete()

    again = pairs_derive(program=program, week=week)
    assert pair_names(again) == [("Jo Junior", "Sasha Senior")]
    assert again.removed == 1


def test_adding_a_removed_pair_brings_it_back_as_the_directors(
    program, coordinator, junior, senior
):
    on_service(program, junior, nov(2), nov(6))
    on_service(program, senior, nov(2), nov(6))
    week = week_of(program, nov(2))
    (pair,) = pairs_derive(program=program, week=week).pairs
    pair_remove(pair=pair, by=coordinator)
    restored = pair_add(week=week, junior=junior, senior=senior, by=coordinator)
    assert restored.pk == pair.pk
    assert (restored.is_removed, restored.origin) == (False, PairOrigin.DIRECTOR)


def test_only_directors_and_coordinators_change_pairs(
    program, faculty, researcher, senior, junior, outsider
):
    week = week_of(program, nov(2))
    for person in (faculty, researcher, senior, junior, outsider):
        with pytest.raises(PermissionDenied):
            pair_add(week=week, junior=junior, senior=senior, by=person)
    assert not Pair.objects.exists()


def test_pair_needs_a_junior_and_a_senior_of_the_program(
    program, director, junior, other_junior, senior, faculty
):
    week = week_of(program, nov(2))
    with pytest.raises(PairError, match="Fran Faculty is not a junior"):
        pair_add(week=week, junior=faculty, senior=senior, by=director)
    with pytest.raises(PairError, match="Jo Junior is not a senior"):
        pair_add(week=week, junior=other_junior, senior=junior, by=director)
    with pytest.raises(PairError, match="cannot be paired with themselves"):
        pair_add(week=week, junior=junior, senior=junior, by=director)
    assert not Pair.objects.exists()


def test_people_on_service_lists_everyone_on_the_service_that_week(
    program, junior, senior, faculty
):
    on_service(program, junior, nov(2), nov(6))
    on_service(program, senior, nov(9), nov(13))
    on_service(program, faculty, nov(2), nov(6))
    week = week_of(program, nov(2))
    assert selectors.people_on_service(program=program, week=week) == [faculty, junior]


def test_weeks_overview_takes_the_same_queries_for_one_week_or_many(program, institution):
    def overview_queries():
        with CaptureQueriesContext(connection) as queries:
            selectors.program_weeks_overview(program=program)
        return len(queries)

    first_junior = make_person("j0@lakeside.test", "J 0", "R1", institution)
    Enrollment.objects.create(program=program, person=first_junior, role="junior")
    on_service(program, first_junior, nov(2), nov(6))
    pairs_derive(program=program, week=week_of(program, nov(2)))
    small = overview_queries()

    for number in range(1, 9):
        # No password: hashing sixteen with Argon2 would be most of this test's time.
        junior = Person.objects.create_user(email=f"j{number}@lakeside.test", full_name="J")
        senior = Person.objects.create_user(email=f"s{number}@lakeside.test", full_name="S")
        Enrollment.objects.create(program=program, person=junior, role="junior")
        Enrollment.objects.create(program=program, person=senior, role="senior")
        on_service(program, junior, nov(2), nov(27))
        on_service(program, senior, nov(2), nov(27))
    for week in program_weeks_ensure(program=program, until=nov(27)):
        pairs_derive(program=program, week=week)
    assert overview_queries() == small
