"""Finished weeks are frozen, and re-deriving pairs never deletes one (docs/privacy.md)."""

import datetime

import pytest
from django.urls import reverse

from medmentor.programs import selectors
from medmentor.programs.access import SYSTEM
from medmentor.programs.models import Pair, PairOrigin, PairRemoval, ProgramWeek, ServiceBlock
from medmentor.programs.services import (
    WeekFinishedError,
    pair_add,
    pair_remove,
    pairs_derive,
    program_weeks_ensure,
    schedule_import,
)
from tests.conftest import coming_monday
from tests.programs.files import schedule

FINISHED = "Week of 2 Nov ended on 8 Nov; finished weeks are kept as they were"


def on_service(program, person, starts_on, ends_on):
    ServiceBlock.objects.create(
        program=program,
        person=person,
        service=program.service,
        starts_on=starts_on,
        ends_on=ends_on,
    )


@pytest.fixture
def first_week(program):
    """The program's first week, 2 to 8 November 2026: over (the clock is past it)."""
    week = program_weeks_ensure(program=program, until=program.starts_on)[0]
    assert week.starts_on == datetime.date(2026, 11, 2)
    assert selectors.week_is_finished(week=week)
    return week


@pytest.fixture
def next_week(program):
    return program_weeks_ensure(program=program, until=coming_monday(program))[-1]


def test_a_week_is_finished_after_its_sunday_in_the_program_time_zone(first_week):
    sunday = first_week.ends_on
    assert not selectors.week_is_finished(week=first_week, today=sunday)
    assert selectors.week_is_finished(week=first_week, today=sunday + datetime.timedelta(1))
    assert not selectors.week_has_started(
        week=first_week, today=first_week.starts_on - datetime.timedelta(1)
    )
    assert selectors.week_has_started(week=first_week, today=first_week.starts_on)


def test_the_refusal_says_which_week_ended_when_and_why(first_week):
    assert selectors.week_finished_message(week=first_week) == (
        "Week of 2 Nov ended on 8 Nov; finished weeks are kept as they were so the "
        "program's figures never move."
    )


def test_adding_a_pair_to_a_finished_week_is_refused(first_week, director, junior, senior):
    with pytest.raises(WeekFinishedError, match=FINISHED) as refused:
        pair_add(week=first_week, junior=junior, senior=senior, by=director)
    assert refused.value.messages == [selectors.week_finished_message(week=first_week)]
    assert not Pair.objects.exists()


def test_removing_a_pair_of_a_finished_week_is_refused(first_week, director, junior, senior):
    pair = Pair.objects.create(week=first_week, junior=junior, senior=senior)
    with pytest.raises(WeekFinishedError, match=FINISHED):
        pair_remove(pair=pair, by=director)
    pair.refresh_from_db()
    assert not pair.is_removed


def test_deriving_a_finished_week_is_refused_and_changes_nothing(
    program, first_week, junior, senior, other_senior
):
    on_service(program, junior, first_week.starts_on, first_week.ends_on)
    on_service(program, senior, first_week.starts_on, first_week.ends_on)
    kept = Pair.objects.create(week=first_week, junior=junior, senior=other_senior)
    with pytest.raises(WeekFinishedError, match=FINISHED):
        pairs_derive(program=program, week=first_week)
    assert list(Pair.objects.values_list("pk", "is_removed")) == [(kept.pk, False)]


def test_a_schedule_import_keeps_the_pairs_of_finished_weeks(
    program, first_week, next_week, junior, senior, other_senior
):
    kept = Pair.objects.create(week=first_week, junior=junior, senior=other_senior)
    content = schedule(
        [junior.email, "", "2026-11-02", (next_week.starts_on + datetime.timedelta(4)).isoformat()],
        [senior.email, "", "2026-11-02", (next_week.starts_on + datetime.timedelta(4)).isoformat()],
    )
    result = schedule_import(
        program=program, file_name="s.csv", content=content, apply=True, by=SYSTEM
    )
    assert result.applied
    assert any("finished week" in note and "kept as they were" in note for note in result.notes)
    assert list(Pair.objects.filter(week=first_week).values_list("pk", "is_removed")) == [
        (kept.pk, False)
    ]
    assert Pair.objects.filter(week=next_week, junior=junior, senior=senior).exists()


def test_a_pair_off_the_schedule_is_marked_removed_and_comes_back_as_the_same_row(
    program, next_week, junior, senior
):
    on_service(program, junior, next_week.starts_on, next_week.ends_on)
    block = ServiceBlock.objects.create(
        program=program,
        person=senior,
        service=program.service,
        starts_on=next_week.starts_on,
        ends_on=next_week.ends_on,
    )
    (pair,) = pairs_derive(program=program, week=next_week).pairs

    block.delete()
    gone = pairs_derive(program=program, week=next_week)
    pair.refresh_from_db()
    assert gone.pairs == [] and gone.removed == 1
    assert (pair.is_removed, pair.removed_by) == (True, PairRemoval.SCHEDULE)
    assert pair.removed_at is not None

    on_service(program, senior, next_week.starts_on, next_week.ends_on)
    back = pairs_derive(program=program, week=next_week)
    assert [p.pk for p in back.pairs] == [pair.pk]
    assert (back.added, back.restored) == (0, 1)
    pair.refresh_from_db()
    assert (pair.is_removed, pair.removed_by, pair.removed_at) == (False, "", None)
    assert Pair.objects.count() == 1


def test_a_pair_the_director_removed_stays_removed_when_the_schedule_has_it(
    program, next_week, director, junior, senior
):
    on_service(program, junior, next_week.starts_on, next_week.ends_on)
    on_service(program, senior, next_week.starts_on, next_week.ends_on)
    (pair,) = pairs_derive(program=program, week=next_week).pairs
    pair_remove(pair=pair, by=director)
    pair.refresh_from_db()
    assert (pair.is_removed, pair.removed_by) == (True, PairRemoval.DIRECTOR)
    assert pairs_derive(program=program, week=next_week).pairs == []
    assert Pair.objects.count() == 1


def test_adding_a_pair_the_schedule_removed_brings_back_the_same_row(
    program, next_week, director, junior, senior
):
    pair = Pair.objects.create(
        week=next_week,
        junior=junior,
        senior=senior,
        is_removed=True,
        removed_by=PairRemoval.SCHEDULE,
    )
    again = pair_add(week=next_week, junior=junior, senior=senior, by=director)
    assert again.pk == pair.pk
    assert (again.is_removed, again.removed_by, again.origin) == (False, "", PairOrigin.DIRECTOR)


# --- the admin -----------------------------------------------------------------------


@pytest.fixture
def admin_client(client, operations):
    """Signed in as the operations superuser (no enrollment: the admin's only users)."""
    client.force_login(operations)
    return client


def test_the_admin_shows_a_finished_weeks_pair_read_only_and_never_deletes_pairs(
    admin_client, first_week, next_week, junior, senior, other_senior
):
    finished = Pair.objects.create(week=first_week, junior=junior, senior=senior)
    current = Pair.objects.create(week=next_week, junior=junior, senior=senior)
    change = reverse("admin:programs_pair_change", args=[finished.pk])
    page = admin_client.get(change).content.decode()
    assert 'name="_save"' not in page
    refused = admin_client.post(
        change,
        {
            "week": first_week.pk,
            "junior": junior.pk,
            "senior": other_senior.pk,
            "origin": "director",
        },
    )
    assert refused.status_code == 403
    finished.refresh_from_db()
    assert finished.senior == senior

    assert (
        'name="_save"'
        in admin_client.get(
            reverse("admin:programs_pair_change", args=[current.pk])
        ).content.decode()
    )
    for pair in (finished, current):
        url = reverse("admin:programs_pair_delete", args=[pair.pk])
        assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Pair.objects.count() == 2
    # Nor through a week's page: deleting the finished week would take its pairs.
    week_delete = reverse("admin:programs_programweek_delete", args=[first_week.pk])
    admin_client.post(week_delete, {"post": "yes"})
    assert ProgramWeek.objects.filter(pk=first_week.pk).exists()


def test_the_admin_refuses_a_new_pair_in_a_finished_week(admin_client, first_week, junior, senior):
    response = admin_client.post(
        reverse("admin:programs_pair_add"),
        {"week": first_week.pk, "junior": junior.pk, "senior": senior.pk, "origin": "director"},
    )
    assert response.status_code == 200
    assert "Week of 2 Nov ended on 8 Nov" in response.content.decode()
    assert not Pair.objects.exists()


def test_the_admin_never_moves_a_week(admin_client, first_week, next_week):
    for week in (first_week, next_week):
        url = reverse("admin:programs_programweek_change", args=[week.pk])
        admin_client.post(
            url,
            {
                "program": week.program_id,
                "starts_on": "2030-01-07",
                "pairs-TOTAL_FORMS": "0",
                "pairs-INITIAL_FORMS": "0",
            },
        )
        week.refresh_from_db()
        assert week.starts_on != datetime.date(2030, 1, 7)
