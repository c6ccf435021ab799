"""load-demo brings the seed-002 style evaluation: a pre and a post wave with answers."""

import datetime
import io

import pytest
from django.core.management import call_command

from medmentor.programs.models import ProgramKind
from medmentor.surveys.models import Answer, Instrument, Response, Wave
from medmentor.surveys.selectors import survey_report
from tests.conftest import rows_for_the_module

TODAY = datetime.date(2026, 11, 27)


def _load(today=TODAY) -> str:
    out = io.StringIO()
    call_command("load_demo", "--today", today.isoformat(), stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def first_load(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo loaded once into the empty database, and what that load printed; each
    test starts from exactly this (tests/conftest.py, rows_for_the_module)."""
    yield from rows_for_the_module(django_db_blocker, tmp_path_factory, _load)


@pytest.mark.django_db
def test_load_demo_brings_a_survey_whose_report_has_the_paired_table(first_load):
    output = first_load
    # The reverse mentoring program's survey (the conference's sessions have their feedback).
    instrument = Instrument.objects.get(program__kind=ProgramKind.REVERSE)
    assert f"/surveys/{instrument.pk}/" in output
    row = survey_report(instrument=instrument).scales[0].comparison
    assert (row.n_pairs, row.pre.median, row.post.median) == (6, 21.0, 30.5)
    # The fellows and consultants of the reverse mentoring program (6 + 5).
    assert instrument.program.slug == "reverse-mentoring"
    assert all(wave.invitations.count() == 11 for wave in instrument.waves.all())


@pytest.mark.django_db
def test_loading_again_adds_nothing_and_a_later_week_moves_the_waves(first_load):
    counts = (Instrument.objects.count(), Response.objects.count(), Answer.objects.count())
    pre_opens = Wave.objects.get(kind="pre", instrument__program__kind=ProgramKind.REVERSE).opens_at
    _load(TODAY - datetime.timedelta(days=2))
    assert (Instrument.objects.count(), Response.objects.count(), Answer.objects.count()) == counts
    assert (
        Wave.objects.get(kind="pre", instrument__program__kind=ProgramKind.REVERSE).opens_at
        == pre_opens
    )
    _load(TODAY + datetime.timedelta(weeks=2))
    assert Wave.objects.get(
        kind="pre", instrument__program__kind=ProgramKind.REVERSE
    ).opens_at == pre_opens + datetime.timedelta(weeks=2)
