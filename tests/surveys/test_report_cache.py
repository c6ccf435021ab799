"""The report kept in the cache by its data version (surveys.selectors.report_data_version):
rendered again from unchanged data it comes from the cache; any change between two
renders — a response recorded, a draft submitted, a response deleted (by itself or with
its person in the admin), an item, scale, wave or survey setting edited — gives another
version, so the figures shown are always those computed from the data as it is."""

import dataclasses
import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from medmentor.programs.access import SYSTEM
from medmentor.surveys import editor_services
from medmentor.surveys.demo import survey_demo_load
from medmentor.surveys.editor_services import ItemFields, ScaleFields
from medmentor.surveys.models import Anonymity, Response, WaveKind
from medmentor.surveys.selectors import (
    report_data_version,
    survey_report,
    survey_report_compute,
)
from medmentor.surveys.services import (
    draft_save,
    draft_start,
    invitations_create,
    response_record,
    response_submit,
)
from tests.conftest import sign_in
from tests.privacy_matrix.support import content
from tests.surveys.conftest import make_survey
from tests.surveys.test_answering import _answer_all, _link

pytestmark = pytest.mark.usefixtures("fast_passwords")


def _confidence(total: int, understanding: str = "3") -> dict[str, str]:
    """The seven confidence items (0-5 each) adding up to `total`, as the demo spreads
    them, and the Likert item on role understanding."""
    base, extra = divmod(total, 7)
    answers = {f"conf_{n}": str(base + (1 if n <= extra else 0)) for n in range(1, 8)}
    return {**answers, "role_understanding": understanding}


@pytest.fixture
def demo_survey(program, junior, senior, other_junior, other_senior):
    return survey_demo_load(program=program, today=datetime.date(2026, 11, 27))


def _figures(report) -> str:
    """The report's figures and texts, written out (so that NaN equals NaN)."""
    return repr(
        (
            [(row.item.text, tuple(row.item.anchors), row.counts_by_wave) for row in report.items],
            [
                (
                    row.scale.name,
                    row.pre_n,
                    row.post_n,
                    row.alpha.alpha if row.alpha else None,
                    (row.comparison.n_pairs, row.comparison.pre.median, row.comparison.post.median)
                    if row.comparison
                    else None,
                )
                for row in report.scales
            ],
            (report.match.exact, report.match.tolerant, report.match.unmatched_post)
            if report.match
            else None,
            [(item.text, texts) for item, texts in report.open_answers],
        )
    )


def _reads_answers(read) -> bool:
    """Whether `read()` read the submitted answers (the report computed, not cached)."""
    with CaptureQueriesContext(connection) as queries:
        read()
    return any('"number_answers"' in query["sql"] for query in queries.captured_queries)


def _report_url(instrument) -> str:
    return reverse(
        "survey-report", kwargs={"slug": instrument.program.slug, "instrument_id": instrument.pk}
    )


def test_the_page_rendered_again_from_unchanged_data_comes_from_the_cache(
    client, demo_survey, researcher
):
    sign_in(client, researcher)
    url = _report_url(demo_survey)
    first = client.get(url)
    assert _reads_answers(lambda: client.get(url)) is False
    assert content(client.get(url)) == content(first)


def test_without_charts_the_report_kept_with_its_charts_serves(demo_survey):
    survey_report(instrument=demo_survey)
    assert _reads_answers(lambda: survey_report(instrument=demo_survey, with_charts=False)) is False


def _record_post(instrument):
    response_record(
        wave=instrument.waves.get(kind=WaveKind.POST),
        code=["G", "17", "0", "L"],  # the pre respondent who had not answered the post wave
        answers=_confidence(35, understanding="5"),
    )


def _delete_a_post_response_and_record_another(instrument):
    """The same number of responses afterwards."""
    Response.objects.filter(wave__instrument=instrument, wave__kind=WaveKind.POST).order_by(
        "pk"
    ).first().delete()
    _record_post(instrument)


def _edit_item_text(instrument):
    item = instrument.items.get(key="role_understanding")
    fields = ItemFields(
        text="Understanding of my role, changed",
        key=item.key,
        kind=item.kind,
        page=item.page,
        required=item.required,
        points=item.points,
        anchors=tuple(item.anchors),
    )
    editor_services.item_update(item=item, fields=fields, by=SYSTEM)


def _edit_item_anchors(instrument):
    likert = instrument.items.filter(kind="likert").first()
    fields = ItemFields(
        text=likert.text,
        key=likert.key,
        kind=likert.kind,
        page=likert.page,
        required=likert.required,
        points=likert.points,
        anchors=tuple(f"Level {n}" for n in range(1, likert.points + 1)),
    )
    editor_services.item_update(item=likert, fields=fields, by=SYSTEM)


def _edit_scale(instrument, **changes):
    scale = instrument.scales.get()
    fields = ScaleFields(
        name=scale.name,
        scoring=scale.scoring,
        item_min=scale.item_min,
        item_max=scale.item_max,
        max_missing=scale.max_missing,
        offset=scale.offset,
        members=tuple((member.item_id, member.reverse) for member in scale.scale_items.all()),
    )
    editor_services.scale_update(
        scale=scale, fields=dataclasses.replace(fields, **changes), by=SYSTEM
    )


def _scale_loses_an_item(instrument):
    scale = instrument.scales.get()
    members = tuple((member.item_id, member.reverse) for member in scale.scale_items.all())
    _edit_scale(instrument, members=members[:-1])


def _move_the_post_wave(instrument):
    post = instrument.waves.get(kind=WaveKind.POST)
    opens_on, closes_on = editor_services.wave_days(wave=post, zone=instrument.program.zone)
    editor_services.wave_update(
        wave=post,
        opens_on=opens_on - datetime.timedelta(days=1),
        closes_on=closes_on,
        by=SYSTEM,
    )


def _rename_the_survey(instrument):
    editor_services.instrument_settings_update(
        instrument=instrument,
        title="Renamed",
        introduction=instrument.introduction,
        consent_text=instrument.consent_text,
        anonymity=instrument.anonymity,
        max_reminders=instrument.max_reminders,
        reminder_every_days=instrument.reminder_every_days,
        by=SYSTEM,
    )


CHANGES = {
    "a response recorded": _record_post,
    "a response deleted and another recorded": _delete_a_post_response_and_record_another,
    "an item's wording": _edit_item_text,
    "a Likert item's anchors": _edit_item_anchors,
    "a scale's name": lambda instrument: _edit_scale(instrument, name="Renamed scale"),
    "a scale's members": _scale_loses_an_item,
    "a scale's missing-item rule": lambda instrument: _edit_scale(instrument, max_missing=2),
    "a wave's dates": _move_the_post_wave,
    "the survey's settings": _rename_the_survey,
}
# The others change no figure of this data (no answers are missing, no date is shown).
SHOWN_IN_FIGURES = [
    change
    for name, change in CHANGES.items()
    if name not in {"a scale's missing-item rule", "a wave's dates", "the survey's settings"}
]


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_change_through_the_services_between_two_renders_is_never_served_stale(
    demo_survey, change
):
    before = survey_report(instrument=demo_survey)
    version = report_data_version(instrument=demo_survey)
    change(demo_survey)
    assert report_data_version(instrument=demo_survey) != version
    assert _reads_answers(lambda: survey_report(instrument=demo_survey)) is True
    after = survey_report(instrument=demo_survey)
    assert _figures(after) == _figures(survey_report_compute(instrument=demo_survey))
    if change in SHOWN_IN_FIGURES:
        assert _figures(after) != _figures(before)


def test_a_recorded_response_shows_on_the_page_rendered_right_after(
    client, demo_survey, researcher
):
    sign_in(client, researcher)
    url = _report_url(demo_survey)
    assert "Exact: 5 · tolerant (one element differs): 1" in client.get(url).content.decode()
    _record_post(demo_survey)
    assert "Exact: 6 · tolerant (one element differs): 1" in client.get(url).content.decode()


def test_one_response_deleted_and_an_older_draft_submitted_changes_the_version(
    program, junior, senior
):
    """Same count, same largest key afterwards: the version still tells them apart."""
    survey = make_survey(program)
    pre = survey.waves.get(kind=WaveKind.PRE)
    invitations_create(wave=pre, people=[junior])
    invitation = pre.invitations.get(person=junior)
    draft, _ = draft_start(invitation=invitation)  # an older key than those recorded next
    draft_save(
        response=draft,
        answers={survey.items.get(key=k).pk: v for k, v in _confidence(14).items()},
        code=["Z", "1", "0", "Q"],
    )
    for total in (20, 21, 22):
        response_record(wave=pre, code=["A", str(total), "0", "M"], answers=_confidence(total))
    before = survey_report(instrument=survey)
    version = report_data_version(instrument=survey)
    submitted = Response.objects.filter(wave=pre, submitted_at__isnull=False).order_by("pk")
    submitted[1].delete()  # neither the first nor the largest key
    response_submit(response=draft, invitation=invitation)
    assert submitted.count() == 3
    assert report_data_version(instrument=survey) != version
    after = survey_report(instrument=survey)
    assert _figures(after) != _figures(before)
    assert _figures(after) == _figures(survey_report_compute(instrument=survey))


def test_a_draft_submitted_on_the_answering_page_changes_the_report(
    client, program, junior, researcher
):
    survey = make_survey(program)
    response_record(
        wave=survey.waves.get(kind=WaveKind.PRE), code=["A", "3", "0", "M"], answers=_confidence(7)
    )
    url = _link(survey, junior)
    respondent = Client()
    respondent.post(url, {"consent": "yes"})
    before = _figures(survey_report(instrument=survey))
    assert _answer_all(respondent, url).status_code == 200  # the thank-you page
    assert Response.objects.filter(wave__instrument=survey, submitted_at__isnull=False).count() == 2
    after = survey_report(instrument=survey)
    assert _figures(after) != before
    assert _figures(after) == _figures(survey_report_compute(instrument=survey))


def _understanding_counts(survey) -> list[int]:
    """The pre wave's answers to role understanding, per level, in the report."""
    row = next(
        r for r in survey_report(instrument=survey).items if r.item.key == "role_understanding"
    )
    return row.counts_by_wave[0][1]


def test_a_person_deleted_in_the_admin_takes_their_answers_out_of_the_next_render(
    client, program, junior, other_junior, researcher, operations
):
    """Identified survey: deleting a respondent's account in the admin deletes their
    responses, and the report rendered next no longer counts them."""
    survey = make_survey(program, anonymity=Anonymity.IDENTIFIED)
    pre = survey.waves.get(kind=WaveKind.PRE)
    for person, understanding in ((junior, "2"), (other_junior, "5")):
        response_record(wave=pre, person=person, answers=_confidence(20, understanding))
    sign_in(client, researcher)
    url = _report_url(survey)
    before = client.get(url).content
    assert _understanding_counts(survey) == [0, 1, 0, 0, 1]
    admin = Client()
    sign_in(admin, operations)
    deleted = admin.post(
        reverse("admin:people_person_delete", args=[other_junior.pk]), {"post": "yes"}
    )
    assert deleted.status_code == 302
    assert not Response.objects.filter(wave=pre, person_id=other_junior.pk).exists()
    after = client.get(url).content
    assert after != before
    assert _figures(survey_report(instrument=survey)) == _figures(
        survey_report_compute(instrument=survey)
    )
    assert _understanding_counts(survey) == [0, 1, 0, 0, 0]


def test_the_cached_report_is_still_refused_to_roles_without_reports(
    client, demo_survey, researcher, faculty, junior
):
    """The cache holds one report per survey and data version, the same for everyone who
    may see reports; who may see it is asked before the cache is read."""
    sign_in(client, researcher)
    url = _report_url(demo_survey)
    assert client.get(url).status_code == 200
    for person in (faculty, junior):
        other = Client()
        sign_in(other, person)
        assert other.get(url).status_code == 403
