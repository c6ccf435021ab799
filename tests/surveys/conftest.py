"""A seed-002 style survey on the shared `program`, both waves open now."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from medmentor.programs.access import SYSTEM
from medmentor.surveys.library import REVERSE_MENTORING, instrument_create
from medmentor.surveys.models import Anonymity


def make_survey(program, anonymity=Anonymity.CODED):
    now = timezone.now()
    return instrument_create(
        program=program,
        spec=REVERSE_MENTORING,
        anonymity=anonymity,
        pre_opens_at=now - datetime.timedelta(days=1),
        post_opens_at=now - datetime.timedelta(hours=1),
        by=SYSTEM,
    )


@pytest.fixture
def survey(program):
    return make_survey(program)


@pytest.fixture(autouse=True)
def _report_cache_empty():
    """Each test starts with an empty cache: the in-memory cache outlives a test's
    rolled-back database, whose keys the next test gets again."""
    cache.clear()
