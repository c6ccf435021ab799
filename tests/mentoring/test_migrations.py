"""The matching models moved from programs to mentoring without touching a row.

A database at the state before the move (programs 0003, no mentoring app) gets rows in
every matching table through the historical models; migrating it forward through
mentoring 0001_initial and programs 0004_move_matching_to_mentoring keeps every row,
readable through the mentoring models, and the models' content types follow them.
"""

import datetime

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from medmentor.mentoring.models import (
    MatchingConflict,
    MatchingPair,
    MatchingProfile,
    MatchingRun,
    MatchingUnmatched,
    Mentorship,
)
from medmentor.programs.models import Enrollment, Role
from tests.mentoring.matching_cohort import one_to_one_program

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fast_passwords")]

BEFORE_THE_MOVE = [("mentoring", None)]  # also unapplies programs 0004, which needs it
MOVED = ["matchingprofile", "matchingrun", "matchingunmatched", "matchingconflict"]
MOVED += ["matchingpair", "mentorship"]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


def _latest():
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.fixture
def before_the_move():
    """The database as it was before the move; migrated to the latest state afterwards
    whatever the test did, so the tests after it find the tables they expect."""
    if not isinstance(settings.MIGRATION_MODULES, dict):  # pytest --no-migrations
        pytest.skip("the test database was made without migrations")
    executor = _migrate(BEFORE_THE_MOVE)
    executor.loader.build_graph()
    yield executor.loader.project_state([("programs", "0003_pair_removed_by")]).apps
    _latest()


def test_migrating_through_the_move_keeps_every_matching_row(before_the_move, institution):
    old = before_the_move
    assert "mentoring" not in {model._meta.app_label for model in old.get_models()}
    cohort = one_to_one_program(institution)  # people, program, enrollments: not moved
    program_id, mara, ana, ben = cohort.program.pk, cohort.mara, cohort.ana, cohort.ben
    # MatchingProfile rows: matching_cohort.py made them through the current model,
    # whose table is the same one; count them through the historical model too.
    profiles = old.get_model("programs", "MatchingProfile").objects.count()
    run = old.get_model("programs", "MatchingRun").objects.create(
        program_id=program_id, objective="stable", status="published", matched=1, mentees=2
    )
    old.get_model("programs", "MatchingPair").objects.create(
        run=run, mentor_id=mara.pk, mentee_id=ana.pk, score=3.5, locked=True
    )
    old.get_model("programs", "MatchingUnmatched").objects.create(
        run=run, person_id=ben.pk, side="mentee", code="no_mentor", reason="No place left."
    )
    old.get_model("programs", "MatchingConflict").objects.create(
        program_id=program_id, mentor_id=mara.pk, mentee_id=ben.pk, reason="supervises"
    )
    old.get_model("programs", "Mentorship").objects.create(
        program_id=program_id,
        mentor_id=mara.pk,
        mentee_id=ana.pk,
        started_on=datetime.date(2026, 8, 3),
        run=run,
    )

    _latest()

    moved_run = MatchingRun.objects.get(pk=run.pk)
    assert (moved_run.program_id, moved_run.status, moved_run.matched) == (
        program_id,
        "published",
        1,
    )
    pair = MatchingPair.objects.get(run=moved_run)
    assert (pair.mentor, pair.mentee, pair.score, pair.locked) == (mara, ana, 3.5, True)
    assert MatchingUnmatched.objects.get(run=moved_run).reason == "No place left."
    assert MatchingConflict.objects.get().reason == "supervises"
    mentorship = Mentorship.objects.get()
    assert (mentorship.mentor, mentorship.mentee, mentorship.run) == (mara, ana, moved_run)
    assert profiles == MatchingProfile.objects.count() > 0
    enrollment = Enrollment.objects.get(program_id=program_id, person=mara, role=Role.SENIOR)
    assert enrollment.matching_profile.capacity == 2
    # The tables kept their names: nothing was copied or renamed.
    assert MatchingRun._meta.db_table == "programs_matchingrun"


def test_the_moved_models_content_types_follow_them_and_come_back_on_the_way_down(
    before_the_move,
):
    ContentType.objects.clear_cache()
    stale = ContentType.objects.filter(app_label="programs", model__in=MOVED)
    for model in MOVED:  # a database made before the move has them under programs
        ContentType.objects.filter(app_label="mentoring", model=model).delete()
        ContentType.objects.get_or_create(app_label="programs", model=model)

    _latest()

    assert not stale.exists()
    assert set(
        ContentType.objects.filter(app_label="mentoring", model__in=MOVED).values_list(
            "model", flat=True
        )
    ) == set(MOVED)

    _migrate(BEFORE_THE_MOVE)

    assert set(stale.values_list("model", flat=True)) == set(MOVED)
