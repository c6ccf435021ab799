"""The packed copy of each submitted response's number answers, which the report reads
instead of one row per answer: written at submission, equal to the answer rows, and the
report gives the same figures from either."""

import datetime
import importlib

import numpy as np
import pytest
from django.apps import apps

from medmentor.surveys.demo import survey_demo_load
from medmentor.surveys.models import NUMBER_ANSWER_DTYPE, Answer, Response
from medmentor.surveys.selectors import survey_report
from tests.surveys.test_answering import _answer_all, _consent, _link

pytestmark = pytest.mark.usefixtures("fast_passwords")


def _unpacked(response: Response) -> dict[int, int]:
    pairs = np.frombuffer(bytes(response.number_answers), dtype=NUMBER_ANSWER_DTYPE)
    return {int(item): int(value) for item, value in pairs.reshape(-1, 2)}


def _number_answer_rows(response: Response) -> dict[int, int]:
    return {
        answer.item_id: int(answer.value)
        for answer in Answer.objects.filter(response=response).select_related("item")
        if answer.item.is_number
    }


def test_submitting_on_the_answering_page_stores_every_number_answer_packed(client, survey, junior):
    url = _link(survey, junior)
    _consent(client, url)
    assert _answer_all(client, url).status_code == 200
    response = Response.objects.get(submitted_at__isnull=False)
    packed = _unpacked(response)
    assert packed == _number_answer_rows(response)
    # Seven confidence items, one Likert, yes/no, minutes; not the choices or the text.
    assert len(packed) == 10
    keys = set(survey.items.filter(pk__in=packed).values_list("key", flat=True))
    assert "topics" not in keys and "thoughts" not in keys


def test_a_draft_has_no_packed_copy_until_it_is_submitted(client, survey, junior):
    url = _link(survey, junior)
    _consent(client, url)
    client.post(url, {"page": 1, "action": "save", "conf_1": "3"})
    assert Response.objects.get().number_answers is None


@pytest.fixture
def demo_survey(program, junior, senior, other_junior, other_senior):
    return survey_demo_load(program=program, today=datetime.date(2026, 11, 27))


def _figures(instrument):
    report = survey_report(instrument=instrument, with_charts=False)
    return (
        [(item.item.pk, item.counts_by_wave) for item in report.items],
        [
            (
                scale.pre_n,
                scale.post_n,
                scale.alpha.alpha if scale.alpha else None,
                scale.comparison.wilcoxon.p_value if scale.comparison else None,
                scale.comparison.n_pairs if scale.comparison else None,
            )
            for scale in report.scales
        ],
        report.open_answers,
    )


def test_report_figures_are_the_same_from_answer_rows_when_the_packed_copy_is_missing(
    demo_survey,
):
    from_packed = _figures(demo_survey)
    assert from_packed[1][0][4] == 6  # the six seed-002 pairs
    changed = Response.objects.filter(wave__instrument=demo_survey)
    # Half the responses without the copy: both ways are read and put together.
    half = list(changed.order_by("pk").values_list("pk", flat=True))[::2]
    Response.objects.filter(pk__in=half).update(number_answers=None)
    assert _figures(demo_survey) == from_packed
    changed.update(number_answers=None)
    assert _figures(demo_survey) == from_packed


def test_migration_packs_the_answers_of_responses_submitted_before_it(demo_survey):
    responses = Response.objects.filter(submitted_at__isnull=False).order_by("pk")
    before = {response.pk: bytes(response.number_answers) for response in responses}
    assert before and all(before.values())
    responses.update(number_answers=None)
    migration = importlib.import_module("medmentor.surveys.migrations.0002_response_number_answers")
    migration.fill_number_answers(apps, None)
    after = {response.pk: bytes(response.number_answers) for response in responses}
    assert after == before


def test_the_waves_read_for_the_report_are_the_rows_the_orm_reads_and_are_counted(
    demo_survey,
):
    """The report reads each wave with one query of its own (binary on PostgreSQL): it
    must read what the ORM reads, codes included, and be logged and counted like any
    other query (query-count tests and the debug log rely on it)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from medmentor.surveys.selectors import wave_data

    for wave in demo_survey.waves.all():
        submitted = wave.responses.filter(submitted_at__isnull=False).order_by("pk")
        with CaptureQueriesContext(connection) as queries:
            data = wave_data(wave=wave)
        assert any("code_hashes" in query["sql"] for query in queries.captured_queries)
        assert data.response_pks.tolist() == list(submitted.values_list("pk", flat=True))
        assert data.codes == [r.code_hashes for r in submitted]
        assert data.person_ids == [None] * submitted.count()
        for response_row, response in enumerate(submitted):
            assert {
                item.pk: int(data.column(item)[response_row])
                for item in data.items
                if item.is_number and not np.isnan(data.column(item)[response_row])
            } == _unpacked(response)


def _stored_before_0005(instrument, code: dict) -> list[str]:
    """The code's hashes as surveys stored them before migration 0005: whole SHA-256
    hex digests (the formula of that version, written out)."""
    import hmac

    from medmentor.surveys.services import CODE_ELEMENTS, code_normalize

    return [
        hmac.new(
            f"{instrument.code_salt}:{name}".encode(), code_normalize(code[name]).encode(), "sha256"
        ).hexdigest()
        for name, _ in CODE_ELEMENTS
    ]


@pytest.mark.parametrize("migrated", [True, False])
def test_a_code_stored_before_the_hashes_were_shortened_pairs_with_the_same_code_after(
    client, survey, junior, migrated
):
    from medmentor.surveys.selectors import survey_report_compute
    from tests.surveys.test_answering import CODE

    pre_url = _link(survey, junior)
    _consent(client, pre_url)
    _answer_all(client, pre_url)
    # The pre answers as a version before migration 0005 stored them.
    Response.objects.update(code_hashes=_stored_before_0005(survey, CODE))
    if migrated:
        migration = importlib.import_module(
            "medmentor.surveys.migrations.0005_response_code_hashes_shortened"
        )
        migration.shorten_code_hashes(apps, None)
    post_url = _link(survey, junior, kind="post")
    _consent(client, post_url)
    _answer_all(client, post_url)
    stored = [r.code_hashes for r in Response.objects.order_by("pk")]
    assert all(len(element) == 16 for element in stored[1])
    match = survey_report_compute(instrument=survey, with_charts=False).match
    # Migrated: the same code pairs exactly; left as stored, the 64 digits never equal
    # the 16 of the later answer.
    assert (match.exact, stored[0] == stored[1]) == ((1, True) if migrated else (0, False))


def test_answers_are_placed_by_item_key_however_large_the_keys_are():
    """The answers' columns come from a table over the keys present: an old database's
    keys near 2^31 must neither need a table that large nor misplace an answer."""
    from medmentor.surveys.models import Item
    from medmentor.surveys.selectors import _place

    base = 2**31 - 10
    items = [
        Item(pk=base, kind="likert"),
        Item(pk=base + 2, kind="text"),
        Item(pk=base + 5, kind="numeric"),
    ]
    matrix = np.full((len(items), 3), np.nan).T  # column-major, as wave_data builds it
    item_ids = np.array([base + 5, base, base + 2, base + 7, base], dtype=NUMBER_ANSWER_DTYPE)
    _place(
        matrix,
        items,
        np.array([0, 1, 1, 2, 2]),
        item_ids,
        np.array([40, 3, 9, 9, 5], dtype=NUMBER_ANSWER_DTYPE),
    )
    # The text item's and the unknown key's answers are left out.
    assert np.array_equal(
        matrix,
        np.array([[np.nan, np.nan, 40], [3, np.nan, np.nan], [5, np.nan, np.nan]]),
        equal_nan=True,
    )
