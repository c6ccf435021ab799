"""Pre vs post of each Likert item over the paired respondents: the item rows of a
table like seed 002's ("understanding of the role, 2.5/5 vs 4/5")."""

import datetime

import pytest

from medmentor.programs.access import SYSTEM
from medmentor.surveys.demo import survey_demo_load
from medmentor.surveys.library import REVERSE_MENTORING, instrument_create
from medmentor.surveys.selectors import item_comparisons

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.fixture
def demo_survey(program, junior, senior, other_junior, other_senior):
    return survey_demo_load(program=program, today=datetime.date(2026, 11, 27))


def test_each_likert_item_is_compared_over_the_paired_respondents(demo_survey):
    rows = {item.key: comparison for item, comparison in item_comparisons(instrument=demo_survey)}
    assert set(rows) == {"role_understanding", "feedback_important"}
    understanding = rows["role_understanding"]
    assert understanding.n_pairs == 6
    assert (understanding.pre.median, understanding.post.median) == (2.5, 4.0)


def test_a_survey_without_answers_has_nothing_to_compare(program):
    now = datetime.datetime(2026, 11, 2, 8, tzinfo=datetime.UTC)
    instrument = instrument_create(
        program=program,
        spec=REVERSE_MENTORING,
        pre_opens_at=now,
        post_opens_at=now + datetime.timedelta(weeks=8),
        by=SYSTEM,
    )
    assert [comparison for _, comparison in item_comparisons(instrument=instrument)] == [
        None,
        None,
    ]
