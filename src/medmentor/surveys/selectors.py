"""Reads of the surveys app that pages and the API show; privacy rules are applied here.

- Directors, coordinators, faculty and researchers see a program's surveys and response
  rates: counts per wave, never who answered (faculty never see participation per
  person; nobody does in coded or anonymous modes).
- The report (answers, statistics, open-ended answers) and the exports are for
  directors, coordinators and researchers.
"""

import gc
import hashlib
import json
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, NamedTuple

import numpy as np
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery, Sum, TextField
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils import timezone

from medmentor import stats
from medmentor.people.models import Person
from medmentor.programs import access
from medmentor.programs.models import Program, Role
from medmentor.programs.selectors import (
    ATTENTION_INFO,
    ATTENTION_WARN,
    AttentionItem,
    program_today,
)
from medmentor.surveys.charts import likert_diverging_svg, scale_change_svg
from medmentor.surveys.models import (
    NUMBER_ANSWER_DTYPE,
    Anonymity,
    Answer,
    Instrument,
    Invitation,
    Item,
    ItemKind,
    Response,
    Scale,
    ScaleItem,
    Wave,
    WaveKind,
)
from medmentor.surveys.pairing import CodeMatch, codes_pair
from medmentor.surveys.services import invitation_token

# Who may open which survey page is programs.access's to say: the list (counts only)
# `sees_aggregates`, the reports and exports `sees_reports`, the editor `manages`.
SURVEY_PAGE_REFUSED = "Your role in this program may not open this survey page."


def instrument_for_viewer(*, person: Person, program: Program, pk: int, report: bool) -> Instrument:
    access.require(
        person, program, "sees_reports" if report else "sees_aggregates", SURVEY_PAGE_REFUSED
    )
    return Instrument.objects.get(program=program, pk=pk)


@dataclass(frozen=True)
class WaveCounts:
    wave: Wave
    invited: int
    submitted: int
    declined: int

    @property
    def rate(self) -> float | None:
        """Answers per invitation; None when it means nothing: no invitations, or more
        answers than invitations (answers entered on paper, without an invitation)."""
        if not self.invited or self.submitted > self.invited:
            return None
        return self.submitted / self.invited

    @property
    def rate_text(self) -> str:
        if self.rate is not None:
            return f"{round(100 * self.rate)} %"
        if not self.invited:
            return "— (no invitations)"
        return "— (more answers than invitations: some were entered without one)"


def _with_counts(waves: QuerySet[Wave]) -> QuerySet[Any]:
    """Waves with `n_invited` and `n_submitted`, each counted in its own subquery: two
    counts over one join would pair every invitation of a wave with every response
    (10^10 rows for 100,000 of each), to be thinned out again by DISTINCT."""
    invited = (
        Invitation.objects.filter(wave=OuterRef("pk"))
        .order_by()
        .values("wave")
        .annotate(n=Count("pk"))
        .values("n")
    )
    submitted = (
        Response.objects.filter(wave=OuterRef("pk"), submitted_at__isnull=False)
        .order_by()
        .values("wave")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return waves.annotate(
        n_invited=Coalesce(Subquery(invited), 0), n_submitted=Coalesce(Subquery(submitted), 0)
    )


def wave_counts(*, instrument: Instrument) -> list[WaveCounts]:
    """Per wave: how many were invited, submitted, declined — counts only."""
    waves = _with_counts(instrument.waves.all()).order_by("opens_at", "pk")
    return [
        WaveCounts(wave=w, invited=w.n_invited, submitted=w.n_submitted, declined=w.declined_count)
        for w in waves
    ]


@dataclass(frozen=True)
class InvitableRole:
    role: str
    label: str
    enrolled: int
    invited: int  # of them, already invited to the wave


def invitable_roles(*, wave: Wave) -> list[InvitableRole]:
    """The roles held in the survey's program, each with how many people hold it and
    how many of them the wave already invited — counts only, for the invite page."""
    program = wave.instrument.program
    invited = set(wave.invitations.values_list("person_id", flat=True))
    people: dict[str, set[int]] = {}
    for role, person_id in program.enrollments.values_list("role", "person_id"):
        people.setdefault(role, set()).add(person_id)
    return [
        InvitableRole(
            role=role,
            label=label,
            enrolled=len(people[role]),
            invited=len(people[role] & invited),
        )
        for role, label in Role.choices
        if role in people
    ]


def instruments_of_program(*, program: Program) -> list[tuple[Instrument, list[WaveCounts]]]:
    return [
        (instrument, wave_counts(instrument=instrument)) for instrument in program.instruments.all()
    ]


@dataclass(frozen=True)
class InstrumentEditorContents:
    """What the survey editor lists: waves with their submitted counts (`n_submitted`),
    items in order with their submitted answers (`n_answers`), scales with members."""

    waves: Sequence[Wave]
    items: Sequence[Item]
    scales: list[tuple[Scale, list]]
    submitted: int


def wave_kinds_missing(*, instrument: Instrument) -> list[str]:
    """The kinds of wave (pre, post, follow-up) the survey does not have yet."""
    present = set(instrument.waves.values_list("kind", flat=True))
    return [kind for kind in WaveKind.values if kind not in present]


def new_item_defaults(*, instrument: Instrument) -> dict:
    """A new item's page (the last item's) and a free variable name, item_<n>."""
    last = instrument.items.order_by("-order").first()
    keys = set(instrument.items.values_list("key", flat=True))
    number = len(keys) + 1
    while f"item_{number}" in keys:
        number += 1
    return {"page": last.page if last else 1, "key": f"item_{number}"}


def instrument_editor_contents(*, instrument: Instrument) -> InstrumentEditorContents:
    """For the program's staff (the editor's views check the role): counts only."""
    # Ordered explicitly: Django leaves Meta.ordering out of a query with GROUP BY (the
    # counts), and PostgreSQL then returns the rows in any order (SQLite happened to
    # keep the table's). Found by the privacy matrix: two renders listed items apart.
    waves = list(
        instrument.waves.annotate(
            n_submitted=Count("responses", filter=Q(responses__submitted_at__isnull=False))
        ).order_by("opens_at", "pk")
    )
    items = list(
        instrument.items.select_related("show_if_item")
        .annotate(
            n_answers=Count("answers", filter=Q(answers__response__submitted_at__isnull=False))
        )
        .order_by("order", "pk")
    )
    scales = [
        (scale, list(scale.scale_items.all()))
        for scale in instrument.scales.prefetch_related("scale_items__item")
    ]
    return InstrumentEditorContents(
        waves=waves, items=items, scales=scales, submitted=sum(w.n_submitted for w in waves)
    )


# --- The report ------------------------------------------------------------------------


@dataclass
class WaveData:
    """A wave's submitted responses, column by column: keys, respondents and codes in
    key order, closed answers as a float matrix (responses x items, NaN where
    unanswered), free texts apart. Read in one query per kind of answer and placed with
    numpy, with no Python object per response but its code: a report over 100,000
    responses does no Python work per answer."""

    wave: Wave
    response_pks: np.ndarray  # int64, in key order
    person_ids: list[int | None]  # identified mode; None in the others
    codes: list[list[str]]  # coded mode: each response's element hashes; [] otherwise
    items: list[Item]
    matrix: np.ndarray
    texts: dict[int, list[tuple[int, str]]]  # item id -> [(response row, text)]

    def __post_init__(self) -> None:
        # By key: list.index compared model instances one by one (80 columns a report).
        self._column_of = {item.pk: n for n, item in enumerate(self.items)}

    def column(self, item: Item) -> np.ndarray:
        return self.matrix[:, self._column_of[item.pk]]


def _submitted_rows(wave: Wave) -> list[tuple]:
    """(key, person, code as JSON text, packed number answers) of the wave's submitted
    responses, in key order."""
    # Unordered: sorting 100,000 rows by key spilled to disk on PostgreSQL (0.1 s a
    # wave); they are put in key order here instead, in a few milliseconds. The ORM
    # writes the query; the codes come as their JSON text (one parse of them all below
    # instead of one per response by Django's converters).
    submitted = wave.responses.filter(submitted_at__isnull=False).order_by()
    sql, params = (
        submitted.annotate(code_text=Cast("code_hashes", TextField()))
        .values_list("pk", "person_id", "code_text", "number_answers")
        .query.sql_with_params()
    )
    if connection.vendor == "postgresql":
        # PostgreSQL's binary format: the packed answers arrive as bytes instead of hex
        # text to decode (measured at 100,000 responses: 0.5 s a wave instead of 0.65 to
        # 0.9 s). Django's own cursors bind parameters on the client, which cannot ask
        # for binary results, so this one query uses psycopg's server-binding cursor on
        # the same connection and transaction, wrapped as Django wraps its cursors (the
        # query is logged and counted like any other).
        import psycopg

        connection.ensure_connection()
        # Typed Any: Django's wrappers take the driver's cursor (django-stubs says
        # CursorWrapper, which is what they return).
        raw: Any = psycopg.Cursor(connection.connection)
        raw.format = psycopg.pq.Format.BINARY
        cursor = (
            connection.make_debug_cursor(raw)
            if connection.queries_logged
            else connection.make_cursor(raw)
        )
    else:
        cursor = connection.cursor()
    with cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    rows.sort(key=itemgetter(0))
    return rows


def wave_data(*, wave: Wave, items: list[Item] | None = None) -> WaveData:
    items = items if items is not None else list(wave.instrument.items.all())
    rows = _submitted_rows(wave)
    keys, person_ids, code_texts, packed = (
        (list(column) for column in zip(*rows, strict=True)) if rows else ([], [], [], [])
    )
    response_pks = np.array(keys, dtype=np.int64)
    codes: list[list[str]] = [[] for _ in keys]
    if wave.instrument.anonymity == Anonymity.CODED and keys:
        # One parse of one JSON array instead of one per response.
        codes = json.loads("[" + ",".join(code_texts) + "]")
    if wave.instrument.anonymity != Anonymity.IDENTIFIED:
        person_ids = [None] * len(keys)
    # Column-major: each item's answers lie together, for the counts, scales and
    # charts that read item by item (a strided column was ten times slower to count).
    matrix = np.full((len(items), len(keys)), np.nan).T
    number_ids = [item.pk for item in items if item.is_number]
    unpacked = [key for key, p in zip(keys, packed, strict=True) if p is None]
    if unpacked:
        packed = [p if p is not None else b"" for p in packed]
    # Every response's packed answers in one buffer; row_of says whose each pair is.
    lengths = np.fromiter(map(len, packed), dtype=np.int64, count=len(keys))
    pairs = np.frombuffer(b"".join(packed), dtype=NUMBER_ANSWER_DTYPE).reshape(-1, 2)
    row_of = np.repeat(np.arange(len(keys)), lengths // (2 * NUMBER_ANSWER_DTYPE.itemsize))
    _place(matrix, items, row_of, pairs[:, 0], pairs[:, 1])
    for start in range(0, len(unpacked), 900):
        # Responses stored without the packed copy: read their answer rows.
        triples = np.array(
            Answer.objects.filter(
                response_id__in=unpacked[start : start + 900],
                item_id__in=number_ids,
            ).values_list("response_id", "item_id", "value"),
            dtype=np.int64,
        ).reshape(-1, 3)
        _place(
            matrix,
            items,
            np.searchsorted(response_pks, triples[:, 0]),
            triples[:, 1],
            triples[:, 2],
        )
    texts: dict[int, list[tuple[int, str]]] = {}
    text_ids = [item.pk for item in items if item.kind == ItemKind.TEXT]
    if text_ids:
        answers = Answer.objects.filter(response__wave=wave, response__submitted_at__isnull=False)
        for response_id, item_id, value in answers.filter(item_id__in=text_ids).values_list(
            "response_id", "item_id", "value"
        ):
            row = int(np.searchsorted(response_pks, response_id))
            texts.setdefault(item_id, []).append((row, value))
    return WaveData(
        wave=wave,
        response_pks=response_pks,
        person_ids=person_ids,
        codes=codes,
        items=items,
        matrix=matrix,
        texts=texts,
    )


def _place(matrix, items, rows, item_ids, values) -> None:
    """Put answers (row, item key, value) of the number items among `items` into the
    matrix; answers to other items are left out."""
    # Each answer's column by a lookup table over the item keys, then one assignment
    # through flat positions: a few passes over millions of answers, no search. The
    # table spans the keys present, from the lowest: an instrument's items are made
    # together, so it is a few hundred entries however old the database's keys are.
    if not len(item_ids) or not items:
        return
    keys = [item.pk for item in items]
    low = min(min(keys), int(item_ids.min()))
    column_of = np.full(max(max(keys), int(item_ids.max())) - low + 1, -1, dtype=np.int64)
    for n, item in enumerate(items):
        if item.is_number:
            column_of[item.pk - low] = n
    columns = column_of[item_ids - low]
    # The matrix is column-major (see wave_data): its transpose is the row-major array
    # the flat positions index.
    by_item = matrix.T
    assert by_item.flags.c_contiguous, "wave_data builds the matrix column-major"
    flat = columns * matrix.shape[0] + np.asarray(rows, dtype=np.int64)
    wanted = columns >= 0
    np.put(by_item, flat[wanted], values[wanted])


@dataclass
class ItemReport:
    item: Item
    counts_by_wave: list[tuple[str, list[int]]]
    chart_svg: str


@dataclass
class ScaleReport:
    scale: Scale
    score_range: tuple[float, float]
    alpha: stats.CronbachAlpha | None
    comparison: stats.PairedComparison | None
    unpaired: stats.MannWhitneyTest | None
    pre_n: int
    post_n: int
    warnings: list[str] = field(default_factory=list)
    follow_up: stats.PairedComparison | None = None  # pre vs follow-up, when paired
    chart_svg: str = ""  # the waves' medians, means and quartiles, when compared

    def chart_rows(self) -> list[tuple[str, stats.WaveSummary]]:
        """The waves the chart draws, each over its own paired respondents."""
        rows = []
        if self.comparison:
            n = self.comparison.n_pairs
            rows += [
                (f"Pre ({n} pairs)", self.comparison.pre),
                (f"Post ({n})", self.comparison.post),
            ]
        if self.follow_up:
            n = self.follow_up.n_pairs
            rows += [
                (f"Pre ({n} follow-up pairs)", self.follow_up.pre),
                (f"Follow-up ({n})", self.follow_up.post),
            ]
        return rows

    def chart_title(self) -> str:
        return f"{self.scale.name}: scores per wave"

    def chart_text(self) -> str:
        """The chart in words, for its caption and screen readers."""
        return "; ".join(
            f"{label}: median {s.median:g} (quartiles {s.q1:g}–{s.q3:g}), mean {s.mean:.1f}"
            for label, s in self.chart_rows()
        )


@dataclass
class SurveyReport:
    instrument: Instrument
    counts: list[WaveCounts]
    items: list[ItemReport]
    scales: list[ScaleReport]
    match: CodeMatch | None
    pairing: str
    open_answers: list[tuple[Item, list[tuple[str, str]]]]  # item, [(wave, text)]
    follow_up_match: CodeMatch | None = None  # pre vs follow-up codes, when coded


def _scale_matrix(scale_items: list, scale: Scale, data: WaveData) -> np.ndarray:
    """The scale's items as scores: one column per item, the stored code plus the offset."""
    columns = [data.column(si.item) + scale.offset for si in scale_items]
    return np.column_stack(columns) if columns else np.empty((len(data.response_pks), 0))


def scale_scores_for(*, scale: Scale, data: WaveData) -> stats.ScaleScores:
    scale_items = list(scale.scale_items.select_related("item"))
    matrix = _scale_matrix(scale_items, scale, data)
    return stats.scale_scores(
        matrix,
        item_min=scale.item_min,
        item_max=scale.item_max,
        reverse=[i for i, si in enumerate(scale_items) if si.reverse],
        scoring=scale.scoring,
        max_missing=scale.max_missing,
        name=scale.name,
    )


def _pairs(
    instrument: Instrument, pre: WaveData, post: WaveData
) -> tuple[list, CodeMatch | None, str]:
    if instrument.anonymity == Anonymity.IDENTIFIED:
        post_by_person = {person: j for j, person in enumerate(post.person_ids)}
        pairs = [
            (i, post_by_person[person])
            for i, person in enumerate(pre.person_ids)
            if person in post_by_person
        ]
        return pairs, None, "Pre and post answers paired by respondent (identified survey)."
    if instrument.anonymity == Anonymity.CODED:
        match = codes_pair(
            pre.codes,
            post.codes,
            tolerance=1,
        )
        return (
            match.pairs,
            match,
            (
                "Pre and post answers paired by the self-generated code, exactly or with one "
                "differing element; ambiguous codes left unpaired."
            ),
        )
    return [], None, "Anonymous survey: waves compared as independent groups (Mann–Whitney U)."


@contextmanager
def _without_cycle_collection():
    """Pause Python's cyclic garbage collector while hundreds of thousands of small
    objects (rows, codes) are made: it ran over and over during the report's reads.
    Measured again on 2026-12-07 at 100,000 responses a wave (benchmarks/README.md):
    2.7 s of CPU with it paused, 3.5 s without. These objects hold no cycles, so
    reference counting still frees them; the collector resumes afterwards (and is left
    off if something else had turned it off). Fewer Python objects per response (codes
    kept as arrays from the database to the pairing) would make this unnecessary."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --- The report's data version and its cache ----------------------------------------------
# The report is kept in Django's cache under a version of the data it was computed from,
# read again on every request: a report re-rendered from unchanged data comes from the
# cache, and any change to what it is computed from gives a new version, so a figure
# computed from other data is never shown.

# Bump when SurveyReport's shape or the code computing a figure changes: a deployed
# change then never serves reports kept by the code before it.
REPORT_FORMAT = 1
REPORT_CACHE_SECONDS = 7 * 24 * 3600
# Each response's key mixed into a number below 2**32 (a multiplicative hash), so that the
# version also depends on which keys were added and removed, not only on their sum.
_KEY_MIX, _KEY_PRIME = 2654435761, 4294967291


def _table_rows(queryset) -> list[tuple]:
    """Every stored column of every row, in key order."""
    names = [f.attname for f in queryset.model._meta.concrete_fields]
    return list(queryset.order_by("pk").values_list(*names))


def report_data_version(*, instrument: Instrument) -> str:
    """A digest of everything `survey_report` is computed from, in a few small queries.

    - The survey, its waves, items, scales and scale members: every column of every row
      (tens of rows; an edit of a wording, a code, a scale member or a wave's dates
      changes the version).
    - The submitted responses, per wave: how many, the largest key, the sum of the keys
      and of the keys mixed by a hash (the index on wave and submission time answers
      these without reading a response). Keys are never reused (AUTOINCREMENT on SQLite,
      a sequence on PostgreSQL), so a new response, or a response deleted (a person
      deleted in the admin takes their identified responses with them) changes the count
      or the largest key; a response deleted and an older draft submitted leaves both
      but changes the sum; only several such swaps at once whose keys add up to the
      same sum AND the same hashed sum would go unseen (the hashed sum of a changed set
      of keys coincides with chance about 1 in 2^32 per pair of sets; a respondent
      cannot choose keys). A submitted response is never changed in place: the
      answering services refuse (answers and codes are fixed at submission,
      `response_submit`), the editor refuses an item change that would alter submitted
      answers' meaning, and the admin has no page for responses or answers.

    The response rate table (invitations, declines) is not in it: `survey_report` reads
    those counts afresh for every request.
    """
    waves = _table_rows(Wave.objects.filter(instrument=instrument))
    # One query per wave: the index is read in order, with no grouping (a GROUP BY over
    # the waves took twice as long on SQLite at 100,000 responses a wave).
    responses = [
        Response.objects.filter(wave_id=wave[0], submitted_at__isnull=False).aggregate(
            n=Count("pk"),
            last=Max("pk"),
            total=Sum("pk"),
            mixed=Sum(F("pk") * _KEY_MIX % _KEY_PRIME),
        )
        for wave in waves
    ]
    parts = [
        REPORT_FORMAT,
        _table_rows(Instrument.objects.filter(pk=instrument.pk)),
        waves,
        _table_rows(Item.objects.filter(instrument=instrument)),
        _table_rows(Scale.objects.filter(instrument=instrument)),
        _table_rows(ScaleItem.objects.filter(scale__instrument=instrument)),
        [tuple(int(number or 0) for number in row.values()) for row in responses],
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _report_cache_key(instrument: Instrument, version: str, *, with_charts: bool) -> str:
    return f"surveys:report:{instrument.pk}:{'charts' if with_charts else 'figures'}:{version}"


def survey_report(*, instrument: Instrument, with_charts: bool = True) -> SurveyReport:
    """The survey's report (statistics, counts per item, charts), from the cache when its
    data version (`report_data_version`) has not changed since it was computed; the
    response rates are read afresh. Without charts (the CSV), a report kept with its
    charts serves as well.

    One report per survey and data version, the same for everyone who may see reports:
    it holds nothing that depends on the viewer, and who may see it is asked before this
    is called (`instrument_for_viewer`, the API's and the command's own checks).

    A report is kept only when the version read after computing it is the one read
    before: a response submitted while it was computed (and deleted again later, which
    would bring the first version back) never leaves its figures under a version that
    does not count it."""
    version = report_data_version(instrument=instrument)
    key = _report_cache_key(instrument, version, with_charts=with_charts)
    report = None
    if not with_charts:
        report = cache.get(_report_cache_key(instrument, version, with_charts=True))
    if report is None:
        report = cache.get(key)
    if report is None:
        report = survey_report_compute(instrument=instrument, with_charts=with_charts)
        if report_data_version(instrument=instrument) == version:
            cache.set(key, report, REPORT_CACHE_SECONDS)
    report.instrument = instrument
    report.counts = wave_counts(instrument=instrument)
    return report


def survey_report_compute(*, instrument: Instrument, with_charts: bool = True) -> SurveyReport:
    """The report computed from the database, without the cache."""
    with _without_cycle_collection():
        return _survey_report(instrument=instrument, with_charts=with_charts)


def _counts(column: np.ndarray, points: int) -> list[int]:
    """How many answered each point 1..points of a Likert item (one pass, not one per
    point)."""
    answered = column[(column >= 1) & (column <= points)].astype(np.int64)
    return np.bincount(answered, minlength=points + 1)[1:].tolist()


def _survey_report(*, instrument: Instrument, with_charts: bool) -> SurveyReport:
    waves = list(instrument.waves.all())
    items = list(instrument.items.all())
    data = {wave.kind: wave_data(wave=wave, items=items) for wave in waves}
    item_reports = []
    for item in items:
        if item.kind != ItemKind.LIKERT:
            continue
        labels = [label for _, label in item.options()]
        rows = []
        for wave in waves:
            column = data[wave.kind].column(item)
            rows.append(
                (
                    wave.get_kind_display(),
                    _counts(column, len(labels)),
                )
            )
        svg = likert_diverging_svg(rows=rows, labels=labels, title=item.text) if with_charts else ""
        item_reports.append(ItemReport(item=item, counts_by_wave=rows, chart_svg=svg))

    pre, post = data.get(WaveKind.PRE), data.get(WaveKind.POST)
    pairs: list = []
    match: CodeMatch | None = None
    pairing = "No pre and post waves to compare."
    if pre and post:
        pairs, match, pairing = _pairs(instrument, pre, post)
    follow = data.get(WaveKind.FOLLOW_UP)
    follow_pairs, follow_match = (
        _pairs(instrument, pre, follow)[:2] if pre and follow else ([], None)
    )
    # The pairs' rows in each wave as index arrays, to take every scale's pairs at once.
    pair_rows = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    follow_rows = np.asarray(follow_pairs, dtype=np.int64).reshape(-1, 2)
    scale_reports = []
    for scale in instrument.scales.all():
        n_items = scale.scale_items.count()
        if scale.scoring == "sum":
            score_range = (scale.item_min * n_items, scale.item_max * n_items)
        else:
            score_range = (scale.item_min, scale.item_max)
        report = ScaleReport(
            scale=scale,
            score_range=score_range,
            alpha=None,
            comparison=None,
            unpaired=None,
            pre_n=0,
            post_n=0,
        )
        try:
            pre_scores = scale_scores_for(scale=scale, data=pre) if pre else None
            post_scores = scale_scores_for(scale=scale, data=post) if post else None
            first = pre_scores or post_scores
            if first is not None and n_items >= 2:
                source = pre if pre_scores is not None else post
                assert source is not None, "the scores came from one of the two waves"
                items_matrix = _scale_matrix(
                    list(scale.scale_items.select_related("item")), scale, source
                )
                reversed_ = [i for i, si in enumerate(scale.scale_items.all()) if si.reverse]
                if reversed_:
                    items_matrix = stats.reverse_items(
                        items_matrix,
                        columns=reversed_,
                        item_min=scale.item_min,
                        item_max=scale.item_max,
                    )
                if len(items_matrix) >= 2:
                    report.alpha = stats.cronbach_alpha(items_matrix)
            if pre_scores is not None and post_scores is not None:
                report.pre_n, report.post_n = pre_scores.n_scored, post_scores.n_scored
                if pairs:
                    report.comparison = stats.paired_comparison(
                        pre_scores.scores[pair_rows[:, 0]],
                        post_scores.scores[pair_rows[:, 1]],
                        name=scale.name,
                    )
                elif instrument.anonymity == Anonymity.ANONYMOUS:
                    report.unpaired = stats.mann_whitney_u(post_scores.scores, pre_scores.scores)
                else:
                    report.warnings.append("No pre and post answers could be paired yet.")
            if pre_scores is not None and follow is not None and follow_pairs:
                follow_scores = scale_scores_for(scale=scale, data=follow)
                report.follow_up = stats.paired_comparison(
                    pre_scores.scores[follow_rows[:, 0]],
                    follow_scores.scores[follow_rows[:, 1]],
                    name=f"{scale.name} (pre vs follow-up)",
                )
        except ValueError as error:
            report.warnings.append(str(error))
        if with_charts and report.chart_rows():
            report.chart_svg = scale_change_svg(
                title=report.chart_title(),
                score_range=score_range,
                rows=report.chart_rows(),
                text=f"{report.chart_title()}. {report.chart_text()}",
            )
        scale_reports.append(report)

    open_answers = []
    for item in items:
        if item.kind != ItemKind.TEXT:
            continue
        texts = []
        for wave in waves:
            texts += [
                (wave.get_kind_display(), text)
                for _, text in sorted(data[wave.kind].texts.get(item.pk, []))
            ]
        open_answers.append((item, texts))
    return SurveyReport(
        instrument=instrument,
        counts=wave_counts(instrument=instrument),
        items=item_reports,
        scales=scale_reports,
        match=match,
        pairing=pairing,
        open_answers=open_answers,
        follow_up_match=follow_match,
    )


def item_comparisons(*, instrument: Instrument) -> list[tuple[Item, stats.PairedComparison | None]]:
    """Pre vs post of each Likert item, over the respondents paired as for the scales:
    the item rows of a table like seed 002's ("understanding of the role, 2.5/5 vs 4/5,
    p = 0.024"). None for an item whose answers cannot be compared (no pairs yet, an
    anonymous survey, too few answers)."""
    waves = {wave.kind: wave for wave in instrument.waves.all()}
    pre_wave, post_wave = waves.get(WaveKind.PRE), waves.get(WaveKind.POST)
    items = [item for item in instrument.items.all() if item.kind == ItemKind.LIKERT]
    if pre_wave is None or post_wave is None or not items:
        return []
    pre, post = wave_data(wave=pre_wave, items=items), wave_data(wave=post_wave, items=items)
    pairs = _pairs(instrument, pre, post)[0]
    rows: list[tuple[Item, stats.PairedComparison | None]] = []
    for item in items:
        comparison = None
        if pairs:
            before, after = pre.column(item), post.column(item)
            try:
                comparison = stats.paired_comparison(
                    [before[i] for i, _ in pairs], [after[j] for _, j in pairs], name=item.text
                )
            except ValueError:
                comparison = None
        rows.append((item, comparison))
    return rows


def answers_by_response(*, instrument: Instrument) -> list[tuple[Wave, Response, dict[int, str]]]:
    """Submitted responses with their answers, for the exports (no person in them)."""
    rows = []
    for wave in instrument.waves.all():
        responses = list(wave.responses.filter(submitted_at__isnull=False).order_by("pk"))
        answers: dict[int, dict[int, str]] = {response.pk: {} for response in responses}
        for response_id, item_id, value in Answer.objects.filter(
            response__wave=wave, response__submitted_at__isnull=False
        ).values_list("response_id", "item_id", "value"):
            answers[response_id][item_id] = value
        rows += [(wave, response, answers[response.pk]) for response in responses]
    return rows


# --- The home page's attention list (asked by site.selectors.home_cards) -----------

# A wave closing within this many days is flagged, so staff can send a last reminder.
CLOSING_SOON_DAYS = 3


def _closes_in_words(*, wave: Wave, program: Program) -> tuple[str, int]:
    """When `wave` closes, in words, and in whole days from today (program's time zone)."""
    closes_on = timezone.localdate(wave.closes_at, timezone=program.zone)
    days = (closes_on - program_today(program=program)).days
    if days <= 0:
        return "closes today", 0
    if days == 1:
        return "closes tomorrow", 1
    return f"{days} days left", days


def attention_items(*, person: Person, program: Program) -> list[AttentionItem]:
    """Open survey waves: for the roles that see the survey list, each wave open now with
    its response rate so far (counts only) and the days left, flagged when it closes
    within CLOSING_SOON_DAYS; for anyone, their own invitations to open waves that they
    have not answered or declined yet. Nothing about anyone's answers."""
    now = timezone.now()
    items: list[AttentionItem] = []
    if access.program_access(person, program).sees_aggregates:
        waves = _with_counts(
            Wave.objects.filter(instrument__program=program, opens_at__lte=now, closes_at__gt=now)
            .select_related("instrument")
            .order_by("closes_at", "pk")
        )
        for wave in waves:
            counts = WaveCounts(
                wave=wave,
                invited=wave.n_invited,
                submitted=wave.n_submitted,
                declined=wave.declined_count,
            )
            when, days = _closes_in_words(wave=wave, program=program)
            soon = days <= CLOSING_SOON_DAYS
            items.append(
                AttentionItem(
                    text=f"{wave.instrument.title} ({wave.get_kind_display()}) is open: "
                    f"{counts.submitted} of {counts.invited} invited answered "
                    f"({counts.rate_text}); {when}" + (" — closing soon." if soon else "."),
                    url=reverse("survey-list", kwargs={"slug": program.slug}),
                    tone=ATTENTION_WARN if soon else ATTENTION_INFO,
                )
            )
    invitations = (
        Invitation.objects.filter(
            person=person,
            is_done=False,
            wave__instrument__program=program,
            wave__opens_at__lte=now,
            wave__closes_at__gt=now,
        )
        .select_related("wave__instrument")
        .order_by("wave__closes_at", "pk")
    )
    for invitation in invitations:
        when, _ = _closes_in_words(wave=invitation.wave, program=program)
        token = invitation_token(invitation=invitation)
        items.append(
            AttentionItem(
                text=f"A survey is waiting for you: {invitation.wave.instrument.title} "
                f"({invitation.wave.get_kind_display()}), {when}.",
                url=reverse("survey-answer", kwargs={"token": token}),
                tone=ATTENTION_WARN,
            )
        )
    return items


# --- Open answers for the qualitative app ------------------------------------------------
# Qualitative analysis makes a document of one free-text question's answers. These two
# reads give it only the answer texts, never who gave them or when; the caller has
# checked that the viewer may read them (qualitative: the program's researchers).


class OpenItemAnswered(NamedTuple):
    wave_id: int
    wave_kind: str
    item_id: int
    item_text: str
    instrument_title: str
    answers: int


def open_items_answered(*, program: Program) -> list[OpenItemAnswered]:
    """The free-text questions of `program`'s surveys with submitted answers, one row per
    wave, ordered by survey, question and wave."""
    rows = (
        Answer.objects.filter(
            item__instrument__program=program,
            item__kind=ItemKind.TEXT,
            response__submitted_at__isnull=False,
        )
        .values_list(
            "response__wave_id",
            "response__wave__kind",
            "item_id",
            "item__text",
            "item__instrument__title",
        )
        .annotate(n=Count("id"))
        .order_by("item__instrument__title", "item__order", "response__wave__kind")
    )
    return [OpenItemAnswered(*row) for row in rows]


@dataclass(frozen=True)
class OpenAnswers:
    wave: Wave
    item: Item
    texts: list[str]


def open_answers(*, program: Program, wave_id: int, item_id: int) -> OpenAnswers | None:
    """The submitted, non-blank answers to one free-text question in one wave of
    `program`'s surveys, each on one line, ordered by their text — never by who or when,
    so they cannot be lined up with the survey's invitations. None when the wave or the
    question is not one of the program's free-text questions."""
    try:
        wave = Wave.objects.select_related("instrument").get(
            pk=wave_id, instrument__program=program
        )
        item = Item.objects.get(pk=item_id, instrument=wave.instrument, kind=ItemKind.TEXT)
    except (Wave.DoesNotExist, Item.DoesNotExist):
        return None
    texts = sorted(
        " ".join(value.split())
        for value in Answer.objects.filter(
            item=item, response__wave=wave, response__submitted_at__isnull=False
        ).values_list("value", flat=True)
        if value.strip()
    )
    return OpenAnswers(wave=wave, item=item, texts=texts)
