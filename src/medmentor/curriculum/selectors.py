"""Reads of the case-review program that pages show, with privacy rule 1 applied here.

Rule 1 (docs/privacy.md): which answers a junior revealed and whether they went in
blind is the junior's alone; whether a case was reviewed or skipped is the pair's
alone. Directors, coordinators, faculty and researchers get program-level aggregates
only, and only over groups of at least `MIN_GROUP_SIZE` people. This module is the only
place that reads `CaseLearningStyle`, `AnswerReveal` and `CaseReview` for display, and
every read of them is filtered to the person asking (or aggregated, never per pair).
"""

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.urls import reverse

from medmentor.curriculum.models import (
    AnswerReveal,
    Case,
    CaseLearningStyle,
    CaseReview,
    CurriculumWeek,
    Question,
    Reading,
    ReviewStatus,
    ServiceDay,
    WeekPlan,
    case_date,
)
from medmentor.people.models import Person
from medmentor.programs import access
from medmentor.programs.models import (
    Pair,
    Program,
    ProgramKind,
    ProgramWeek,
)
from medmentor.programs.selectors import (
    ATTENTION_WARN,
    AttentionItem,
    program_today,
    program_week_containing,
    week_finished_message,
    week_has_started,
    week_is_finished,
    week_not_started_message,
)

# The smallest group a participation figure may describe (rule 1). Below it, a share
# would let a director work out what one pair or one learner did.
MIN_GROUP_SIZE = 5

# Who may open the program's dashboard, and how much they see there.
DASHBOARD_MANAGE = "manage"  # director, coordinator: weeks, pairs' names, flags, emails
DASHBOARD_AGGREGATES = "aggregates"  # faculty, researcher: counts and aggregates only


# --- Who may see what -----------------------------------------------------------------


def dashboard_access(*, person: Person, program: Program) -> str | None:
    """How much of the program's dashboard `person` may see: DASHBOARD_MANAGE,
    DASHBOARD_AGGREGATES, or None (no access; learners and outsiders)."""
    standing = access.program_access(person, program)
    if standing.manages:
        return DASHBOARD_MANAGE
    if standing.sees_aggregates:
        return DASHBOARD_AGGREGATES
    return None


def workspace_allowed(*, person: Person, program: Program) -> bool:
    """The workspace is for the program's enrolled juniors and seniors only."""
    return access.program_access(person, program).is_learner


def _pairs_planning_case(*, person: Person, case: Case) -> list[Pair]:
    """`person`'s current pairs (as junior or senior) in program weeks that teach `case`.

    Only these people may open the case, choose a style for it or mark it: no peeking
    by anyone else, however they are enrolled.
    """
    if not person.is_authenticated:
        return []
    return list(
        Pair.objects.filter(
            Q(junior=person) | Q(senior=person),
            is_removed=False,
            week__plan__curriculum_week_id=case.week_id,
        )
        .select_related("week", "junior", "senior")
        .order_by("-week__starts_on", "pk")
    )


def junior_weeks_for_case(*, person: Person, case: Case) -> list[ProgramWeek]:
    """The program weeks, latest first, in which `person` is the junior of a current
    pair and which teach `case`: whose choice and reveals on it are theirs to make."""
    return [
        pair.week
        for pair in _pairs_planning_case(person=person, case=case)
        if pair.junior_id == person.pk
    ]


def learner_pairs_opening(
    *,
    person: Person,
    pairs: list[Pair],
    today: datetime.date,
    refusal: str = "Only the juniors and seniors paired in this week see its cases.",
) -> list[Pair]:
    """Of `person`'s current `pairs` (all in weeks teaching the cases asked for), those
    through which they may open the cases: weeks that have started (from their Monday,
    in the program's time zone). PermissionDenied, saying why, when there are none.

    The one rule for learners' access to cases, used by the case page and the API
    alike, so the two always agree.
    """
    started = [pair for pair in pairs if week_has_started(week=pair.week, today=today)]
    if started:
        return started
    if pairs:
        first = min((pair.week for pair in pairs), key=lambda week: week.starts_on)
        raise PermissionDenied(week_not_started_message(week=first))
    raise PermissionDenied(refusal)


@dataclass(frozen=True)
class WorkWindow:
    """Whether progress on a case may still change, and if not, why (in words)."""

    open: bool
    note: str = ""
    finished_week: ProgramWeek | None = None  # set when it is closed because it is over


def case_work_window(*, weeks: list[ProgramWeek], today: datetime.date) -> WorkWindow:
    """Marks, a learning style and reveals change only while one of `weeks` (the
    weeks of the person's pairs for the case) is running: started and not finished. A
    finished week is frozen (docs/privacy.md); a week to come has not opened its cases."""
    if any(
        week_has_started(week=week, today=today) and not week_is_finished(week=week, today=today)
        for week in weeks
    ):
        return WorkWindow(open=True)
    finished = [week for week in weeks if week_is_finished(week=week, today=today)]
    if finished:
        last = max(finished, key=lambda week: week.starts_on)
        return WorkWindow(open=False, note=week_finished_message(week=last), finished_week=last)
    if weeks:
        first = min(weeks, key=lambda week: week.starts_on)
        return WorkWindow(open=False, note=week_not_started_message(week=first))
    return WorkWindow(open=False, note="Only the pairs of this case's week may work on it.")


# --- What a week teaches --------------------------------------------------------------


@dataclass(frozen=True)
class WeekContent:
    """What one program week teaches: its topic, readings and the daily cases."""

    program_week: ProgramWeek
    curriculum_week: CurriculumWeek
    readings: list[Reading]
    cases: list[Case]  # by day; each with `.images.all()` and `.questions.all()` prefetched

    @property
    def topic(self) -> str:
        return self.curriculum_week.topic

    @property
    def summary(self) -> str:
        return self.curriculum_week.summary

    def case_on(self, day: int) -> Case | None:
        return next((case for case in self.cases if case.day == day), None)

    def date_of(self, case: Case) -> datetime.date:
        return case_date(self.program_week.starts_on, case.day)


def _cases_with_content():
    # Case's default ordering joins its week; inside one week, the day is enough.
    return Case.objects.order_by("day").prefetch_related("images", "questions")


# How long a week's content is kept unused. Its key changes with every write of the
# content (CurriculumWeek.content_version), so this only bounds the memory it holds.
WEEK_CONTENT_CACHE_SECONDS = 7 * 24 * 3600


def _week_content_key(curriculum_week: CurriculumWeek) -> str:
    return f"curriculum:week-content:{curriculum_week.pk}:{curriculum_week.content_version}"


def curriculum_week_content(
    curriculum_week: CurriculumWeek,
) -> tuple[list[Reading], list[Case]]:
    """A curriculum week's readings and its cases by day (images and questions
    prefetched): the same for everyone it is taught to, so kept in the cache under the
    week's content version, which every write of that content changes
    (content_services.curriculum_week_content_changed). Four queries when not kept,
    none when kept. Nothing about anyone's progress is in it."""
    key = _week_content_key(curriculum_week)
    kept = cache.get(key)
    if kept is None:
        kept = (
            list(curriculum_week.readings.all()),
            list(_cases_with_content().filter(week=curriculum_week)),
        )
        cache.set(key, kept, WEEK_CONTENT_CACHE_SECONDS)
    readings, cases = kept
    # Each case and reading knows its week as read now (not kept: the topic and number
    # change without the content's version, e.g. in the admin's list of weeks).
    for row in (*readings, *cases):
        row.week = curriculum_week
    return readings, cases


def _plan_of(program_week: ProgramWeek) -> WeekPlan | None:
    """The week's plan with its curriculum week: the one read with the week (select_related
    "plan__curriculum_week") when it was, else one query."""
    if ProgramWeek.plan.is_cached(program_week):
        return getattr(program_week, "plan", None)
    return (
        WeekPlan.objects.filter(program_week=program_week).select_related("curriculum_week").first()
    )


def week_content(*, program_week: ProgramWeek) -> WeekContent | None:
    """The topic, readings and cases (with images and questions) a program week teaches,
    or None when no curriculum week is planned for it. At most five queries, whatever
    the size; none beyond the plan once the week's content is kept (see
    `curriculum_week_content`), and none at all when `program_week` was read with
    select_related("plan__curriculum_week")."""
    plan = _plan_of(program_week)
    if plan is None:
        return None
    curriculum_week = plan.curriculum_week
    readings, cases = curriculum_week_content(curriculum_week)
    return WeekContent(
        program_week=program_week,
        curriculum_week=curriculum_week,
        readings=readings,
        cases=cases,
    )


# --- The pair's workspace -------------------------------------------------------------


@dataclass(frozen=True)
class QuestionView:
    question: Question
    number: int
    answer_visible: bool
    # A junior going in blind reveals answers one at a time; True once this one is shown.
    revealed: bool = False
    can_reveal: bool = False


@dataclass(frozen=True)
class PairReview:
    """One of the viewer's pairs and what that pair marked for a case (theirs alone)."""

    pair: Pair
    partner: Person
    status: str | None
    # Set when the pair's week is over (or not begun): why the mark cannot change now.
    closed_note: str = ""

    @property
    def status_label(self) -> str:
        if self.status is None:
            return "Not marked yet"
        return ReviewStatus(self.status).label


@dataclass(frozen=True)
class CaseView:
    case: Case
    date: datetime.date
    questions: list[QuestionView]
    as_junior: bool
    # The junior's own choice (LearningStyle value), or None; always None for seniors.
    style: str | None
    reviews: list[PairReview]
    # Set when none of the junior's weeks for this case is running: why the choice and
    # the reveals cannot change now (a finished week is frozen).
    style_closed_note: str = ""

    @property
    def day_name(self) -> str:
        return ServiceDay(self.case.day).label

    @property
    def teaching_points_visible(self) -> bool:
        # Teaching points give the answers away: a junior going in blind sees them
        # once every answer is revealed.
        return all(question.answer_visible for question in self.questions) and (
            not self.as_junior or self.style is not None or bool(self.style_closed_note)
        )

    @property
    def images(self):
        return self.case.images.all()

    @property
    def open_reviews(self) -> list["PairReview"]:
        """The marks that may still change (the running week's pairs)."""
        return [review for review in self.reviews if not review.closed_note]

    @property
    def grouped_reviews(self) -> bool:
        """A junior with several seniors this week marks each case once (one case a day,
        reviewed with whichever senior they were with): one set of marks with a choice
        of senior, not one set per senior."""
        return self.as_junior and len(self.open_reviews) > 1

    @property
    def current_review(self) -> "PairReview | None":
        """Of the open marks, the one made (else the first): what the one set shows."""
        open_reviews = self.open_reviews
        return next(
            (r for r in open_reviews if r.status), open_reviews[0] if open_reviews else None
        )


@dataclass(frozen=True)
class Workspace:
    program: Program
    person: Person
    today: datetime.date
    week: ProgramWeek | None
    content: WeekContent | None
    pairs: list[Pair]
    as_junior: bool
    as_senior: bool
    today_case: CaseView | None
    today_note: str
    cases: list[CaseView] = field(default_factory=list)
    # Next week's pairs of the person (the schedule makes them ahead), and the weeks
    # they were paired in that are over, to revisit (read-only), newest first.
    next_week: ProgramWeek | None = None
    next_pairs: list[Pair] = field(default_factory=list)
    past_weeks: list["PastWeek"] = field(default_factory=list)

    @property
    def next_partners(self) -> list[Person]:
        return [
            pair.senior if pair.junior_id == self.person.pk else pair.junior
            for pair in self.next_pairs
        ]

    @property
    def next_starts_tomorrow(self) -> bool:
        return self.next_week is not None and (
            self.next_week.starts_on - self.today
        ) == datetime.timedelta(days=1)

    @property
    def partners(self) -> list[Person]:
        return [
            pair.senior if pair.junior_id == self.person.pk else pair.junior for pair in self.pairs
        ]


def _case_views(
    *,
    person: Person,
    cases: list[Case],
    pairs: list[Pair],
    week_start: datetime.date,
    today: datetime.date,
) -> list[CaseView]:
    """Each case as `person` may see it: the junior's own style and reveals (read for
    `person` only), the reviews of `person`'s own `pairs` (all of them in weeks that
    teach these cases), answers always shown to seniors. What can no longer change
    (a finished week's) is marked closed, with the reason."""
    as_junior = any(pair.junior_id == person.pk for pair in pairs)
    style_window = case_work_window(
        weeks=[pair.week for pair in pairs if pair.junior_id == person.pk], today=today
    )
    after_the_week = style_window.finished_week is not None
    closed_notes = {
        pair.pk: window.note
        for pair in pairs
        if not (window := case_work_window(weeks=[pair.week], today=today)).open
    }
    case_ids = [case.pk for case in cases]
    styles: dict[int, str] = {}
    revealed: set[int] = set()
    if as_junior and case_ids:
        styles = dict(
            CaseLearningStyle.objects.filter(junior=person, case_id__in=case_ids).values_list(
                "case_id", "style"
            )
        )
        revealed = set(
            AnswerReveal.objects.filter(junior=person, question__case_id__in=case_ids).values_list(
                "question_id", flat=True
            )
        )
    reviews: dict[tuple[int, int], str] = {}
    if pairs and case_ids:
        reviews = {
            (pair_id, case_id): status
            for pair_id, case_id, status in CaseReview.objects.filter(
                pair__in=pairs, case_id__in=case_ids
            ).values_list("pair_id", "case_id", "status")
        }
    views = []
    for case in cases:
        style = styles.get(case.pk) if as_junior else None
        questions = []
        for number, question in enumerate(case.questions.all(), start=1):
            if not as_junior:
                questions.append(
                    QuestionView(question=question, number=number, answer_visible=True)
                )
                continue
            is_revealed = question.pk in revealed
            questions.append(
                QuestionView(
                    question=question,
                    number=number,
                    # Once the junior's week is over the answers are simply shown:
                    # reading them then records nothing (reveals are frozen too).
                    answer_visible=style == "read_first"
                    or (style == "blind" and is_revealed)
                    or after_the_week,
                    revealed=is_revealed,
                    can_reveal=style == "blind" and not is_revealed and style_window.open,
                )
            )
        views.append(
            CaseView(
                case=case,
                date=case_date(week_start, case.day),
                questions=questions,
                as_junior=as_junior,
                style=style,
                reviews=[
                    PairReview(
                        pair=pair,
                        partner=pair.senior if pair.junior_id == person.pk else pair.junior,
                        status=reviews.get((pair.pk, case.pk)),
                        closed_note=closed_notes.get(pair.pk, ""),
                    )
                    for pair in pairs
                ],
                style_closed_note="" if not as_junior or style_window.open else style_window.note,
            )
        )
    return views


def _todays_case(
    content: WeekContent, views: list[CaseView], today: datetime.date
) -> tuple[CaseView | None, str]:
    weekday = today.weekday()
    day = min(weekday, ServiceDay.FRIDAY)
    view = next((view for view in views if view.case.day == day), None)
    if view is None:
        return None, "No case today."
    if weekday > ServiceDay.FRIDAY:
        return view, "No case at the weekend: here is Friday's."
    return view, ""


def workspace_for(*, person: Person, program: Program, today: datetime.date) -> Workspace:
    """`person`'s week in `program` on `today` (a date in the program's time zone): their
    pairs, today's case and the week's cases. PermissionDenied unless they are one of
    the program's juniors or seniors. The query count does not grow with the program."""
    if not workspace_allowed(person=person, program=program):
        raise PermissionDenied("This page is for the program's juniors and seniors.")
    try:
        week = program_week_containing(program=program, day=today)
    except ProgramWeek.DoesNotExist:
        week = None
    monday = today - datetime.timedelta(days=today.weekday())
    next_week, next_pairs = _next_week_pairs(person=person, program=program, monday=monday)
    past_weeks = _past_weeks(person=person, program=program, monday=monday)
    empty = Workspace(
        program=program,
        person=person,
        today=today,
        week=week,
        content=None,
        pairs=[],
        as_junior=False,
        as_senior=False,
        today_case=None,
        today_note="",
        next_week=next_week,
        next_pairs=next_pairs,
        past_weeks=past_weeks,
    )
    if week is None:
        return empty
    pairs = list(
        Pair.objects.filter(Q(junior=person) | Q(senior=person), week=week, is_removed=False)
        # The week's plan with it: the week's content is then read from the cache alone.
        .select_related("week__plan__curriculum_week", "junior", "senior")
        .order_by("pk")
    )
    content = week_content(program_week=pairs[0].week) if pairs else None
    if content is None:
        return Workspace(**{**empty.__dict__, "pairs": pairs})
    views = _case_views(
        person=person, cases=content.cases, pairs=pairs, week_start=week.starts_on, today=today
    )
    today_case, today_note = _todays_case(content, views, today)
    return Workspace(
        program=program,
        person=person,
        today=today,
        week=week,
        content=content,
        pairs=pairs,
        as_junior=any(pair.junior_id == person.pk for pair in pairs),
        as_senior=any(pair.senior_id == person.pk for pair in pairs),
        today_case=today_case,
        today_note=today_note,
        cases=views,
        next_week=next_week,
        next_pairs=next_pairs,
        past_weeks=past_weeks,
    )


@dataclass(frozen=True)
class PastWeek:
    """A finished week the person was paired in: its topic and cases, to revisit."""

    week: ProgramWeek
    topic: str
    cases: list[Case]


# How many finished weeks the workspace lists (the rest are in the curriculum anyway).
PAST_WEEKS_SHOWN = 12


def _next_week_pairs(
    *, person: Person, program: Program, monday: datetime.date
) -> tuple[ProgramWeek | None, list[Pair]]:
    """Next week's pairs of `person` (one query), with their week."""
    pairs = list(
        Pair.objects.filter(
            Q(junior=person) | Q(senior=person),
            week__program=program,
            week__starts_on=monday + datetime.timedelta(days=7),
            is_removed=False,
        )
        .select_related("week", "junior", "senior")
        .order_by("pk")
    )
    return (pairs[0].week if pairs else None), pairs


def _past_weeks(*, person: Person, program: Program, monday: datetime.date) -> list[PastWeek]:
    """The finished weeks `person` was paired in, with what they taught (two queries)."""
    weeks = list(
        ProgramWeek.objects.filter(
            program=program,
            starts_on__lt=monday,
            plan__isnull=False,
            pairs__in=Pair.objects.filter(Q(junior=person) | Q(senior=person), is_removed=False),
        )
        .distinct()
        .select_related("plan__curriculum_week")
        .order_by("-starts_on")[:PAST_WEEKS_SHOWN]
    )
    if not weeks:
        return []
    by_week: dict[int, list[Case]] = defaultdict(list)
    for case in Case.objects.filter(
        week_id__in={week.plan.curriculum_week_id for week in weeks}
    ).order_by("day"):
        by_week[case.week_id].append(case)
    return [
        PastWeek(
            week=week,
            topic=week.plan.curriculum_week.topic,
            cases=by_week[week.plan.curriculum_week_id],
        )
        for week in weeks
    ]


def case_view_for(
    *, person: Person, program: Program, case_id: int, today: datetime.date | None = None
) -> CaseView:
    """One case as `person` sees it. Case.DoesNotExist when the program has no such
    case; PermissionDenied unless `person` is paired in a week of `program` that
    teaches it and has started (no peeking by outsiders, faculty, learners of other
    weeks, or ahead of the week: the same rule as the API's, `learner_pairs_opening`)."""
    found = (
        Case.objects.filter(pk=case_id, week__curriculum__program=program)
        .select_related("week")
        .first()
    )
    if found is None:
        raise Case.DoesNotExist(f"{program.name} has no case {case_id}.")
    # The case with its images and questions, from its week's kept content (read again
    # only if a write came between the two reads).
    _, cases = curriculum_week_content(found.week)
    case = next((case for case in cases if case.pk == found.pk), None)
    if case is None:
        case = _cases_with_content().select_related("week").get(pk=found.pk)
    pairs = [
        pair
        for pair in _pairs_planning_case(person=person, case=case)
        if pair.week.program_id == program.pk
    ]
    if today is None:
        today = program_today(program=program)
    pairs = learner_pairs_opening(
        person=person,
        pairs=pairs,
        today=today,
        refusal="Only the juniors and seniors of this case's week may open it.",
    )
    # The latest week that taught the case dates it (a curriculum may cycle).
    return _case_views(
        person=person,
        cases=[case],
        pairs=pairs,
        week_start=pairs[0].week.starts_on,
        today=today,
    )[0]


# --- Program-level participation (aggregates only) ------------------------------------


@dataclass(frozen=True)
class ParticipationRow:
    """One figure: the share of case slots (cases × pairs) marked reviewed.

    `people` is the size of the group behind the figure; when it is below
    MIN_GROUP_SIZE, `shown` is False and `reviewed_share` is None: "too few to show".
    """

    label: str
    people: int
    shown: bool
    reviewed_share: float | None
    pending: bool = False  # the week is not over yet: figures appear when it ends
    has_cases: bool = True  # False when no curriculum week (or no pair) gives it cases

    @property
    def reviewed_percent(self) -> int | None:
        return None if self.reviewed_share is None else round(self.reviewed_share * 100)


@dataclass(frozen=True)
class ParticipationSummary:
    weeks: dict[int, ParticipationRow]  # by ProgramWeek id
    overall: ParticipationRow
    min_group_size: int = MIN_GROUP_SIZE


# How long a finished week's figure is kept unused. It never changes (finished weeks
# are frozen, docs/privacy.md), so this only bounds the memory it holds.
FIGURE_CACHE_SECONDS = 30 * 24 * 3600


@dataclass(frozen=True)
class _WeekFigure:
    """What one week's participation row is made of."""

    people: int  # distinct juniors and seniors in its current pairs
    slots: int  # cases taught × current pairs
    reviewed: int  # of those slots, marked reviewed


def participation_weeks(program: Program) -> QuerySet[ProgramWeek]:
    """The program's weeks in order, each with its plan and curriculum week, the number
    of its current pairs (`pairs_count`) and of the cases it teaches (`cases_count`):
    what `participation_summary` needs of them, in one query."""
    return (
        ProgramWeek.objects.filter(program=program)
        .select_related("plan__curriculum_week")
        .annotate(
            pairs_count=Count("pairs", filter=Q(pairs__is_removed=False), distinct=True),
            cases_count=Count("plan__curriculum_week__cases", distinct=True),
        )
        .order_by("starts_on")
    )


def _figure_key(week: ProgramWeek) -> str | None:
    """The cache key of a finished week's figure: the week and what it taught, with the
    taught week's content version (random per row, so a database restored from a backup,
    or a test's rolled-back transaction, never meets a figure kept for other rows that
    had the same ids). None when the week taught nothing (no figure to keep)."""
    plan = getattr(week, "plan", None)
    if plan is None:
        return None
    taught = plan.curriculum_week
    return f"curriculum:week-figure:{week.pk}:{taught.pk}:{taught.content_version}"


def _week_figures(
    weeks: list[ProgramWeek],
    ids: set[int],
    over: set[int],
    current_pairs: Sequence[Pair] | None = None,
) -> dict[int, _WeekFigure]:
    """The figures of the weeks `ids` from the database: two queries, one when none of
    them is `over` (the marks of a week not over are not counted: it shows no figure)
    or when the program's `current_pairs` are given, none when both."""
    if not ids:
        return {}
    people: dict[int, set[int]] = defaultdict(set)
    rows: Iterable[tuple[int, int, int]]
    if current_pairs is None:
        rows = Pair.objects.filter(week_id__in=ids, is_removed=False).values_list(
            "week_id", "junior_id", "senior_id"
        )
    else:
        rows = [(pair.week_id, pair.junior_id, pair.senior_id) for pair in current_pairs]
    # Someone junior in one pair and senior in another the same week counts once.
    for week_id, junior_id, senior_id in rows:
        people[week_id].update((junior_id, senior_id))
    reviewed = dict(
        CaseReview.objects.filter(
            pair__week_id__in=ids & over,
            pair__is_removed=False,
            status=ReviewStatus.REVIEWED,
            # Only marks of the cases that week actually taught.
            case__week_id=F("pair__week__plan__curriculum_week_id"),
        )
        .values("pair__week_id")
        .annotate(n=Count("id"))
        .values_list("pair__week_id", "n")
        if ids & over
        else ()
    )
    return {
        week.pk: _WeekFigure(
            people=len(people.get(week.pk, ())),
            slots=week.cases_count * week.pairs_count,  # type: ignore[attr-defined]
            reviewed=reviewed.get(week.pk, 0),
        )
        for week in weeks
        if week.pk in ids
    }


def participation_summary(
    *,
    program: Program,
    today: datetime.date | None = None,
    weeks: Sequence[ProgramWeek] | None = None,
    current_pairs: Sequence[Pair] | None = None,
) -> ParticipationSummary:
    """Per program week and overall, the share of case slots the pairs marked reviewed.

    Privacy (rule 1): a figure is shown only over at least MIN_GROUP_SIZE distinct
    people; a week's figure appears only once the week is over (a live count would
    show a director the moment one pair marks a case); the overall figure adds up only
    the weeks that are shown themselves, so no hidden week can be worked out by
    subtracting. Skips are not reported at all, and nothing about learning styles or
    revealed answers is read here.

    A finished week is frozen (no pair added or removed, no mark changed, its plan and
    the content it taught kept: docs/privacy.md), so its figure is computed once and kept
    in the cache; only the weeks not over are read each time. `weeks` are the program's
    weeks as `participation_weeks` reads them, and `current_pairs` all the program's
    pairs not removed, when the caller has them already. At most four queries (the
    weeks, the people and the reviewed marks of the weeks not kept, the people of the
    shown weeks together), whatever the size of the program; once the finished weeks
    are kept, one (none when given both).
    """
    if today is None:
        today = datetime.datetime.now(program.zone).date()
    if weeks is None:
        weeks = list(participation_weeks(program))
    over = {week.pk for week in weeks if week.starts_on + datetime.timedelta(days=6) < today}
    keys = {week.pk: key for week in weeks if week.pk in over and (key := _figure_key(week))}
    kept = cache.get_many(keys.values()) if keys else {}
    figures = {pk: kept[key] for pk, key in keys.items() if key in kept}
    read = _week_figures(
        list(weeks), {week.pk for week in weeks} - set(figures), over, current_pairs
    )
    figures.update(read)
    cache.set_many(
        {keys[pk]: figure for pk, figure in read.items() if pk in keys}, FIGURE_CACHE_SECONDS
    )
    shown_weeks: list[int] = []
    rows: dict[int, ParticipationRow] = {}
    total_slots = total_reviewed = 0
    for week in weeks:
        figure = figures[week.pk]
        is_over = week.pk in over
        shown = is_over and figure.people >= MIN_GROUP_SIZE and figure.slots > 0
        rows[week.pk] = ParticipationRow(
            label=f"Week of {week.starts_on:%d %b %Y}",
            people=figure.people,
            shown=shown,
            reviewed_share=figure.reviewed / figure.slots if shown else None,
            pending=not is_over,
            has_cases=figure.slots > 0,
        )
        if shown:
            shown_weeks.append(week.pk)
            total_slots += figure.slots
            total_reviewed += figure.reviewed
    overall_people = _people_in_weeks(week_ids=shown_weeks, keys=[keys[pk] for pk in shown_weeks])
    overall_shown = overall_people >= MIN_GROUP_SIZE and total_slots > 0
    overall = ParticipationRow(
        label="Whole program so far",
        people=overall_people,
        shown=overall_shown,
        reviewed_share=total_reviewed / total_slots if overall_shown else None,
    )
    return ParticipationSummary(weeks=rows, overall=overall)


def _people_in_weeks(*, week_ids: list[int], keys: list[str]) -> int:
    """Distinct people in the current pairs of the (finished, shown) weeks `week_ids`,
    whose figures' cache `keys` are given: kept as they are, since those weeks are frozen
    (one query the first time for a set of weeks)."""
    if not week_ids:
        return 0
    key = "curriculum:people-in-weeks:" + hashlib.sha256(" ".join(keys).encode()).hexdigest()
    people = cache.get(key)
    if people is None:
        in_weeks = Pair.objects.filter(week__in=week_ids, is_removed=False)
        people = Person.objects.filter(
            Exists(in_weeks.filter(junior=OuterRef("pk")))
            | Exists(in_weeks.filter(senior=OuterRef("pk")))
        ).count()
        cache.set(key, people, FIGURE_CACHE_SECONDS)
    return people


# --- Reads for the REST API (medmentor.api) ------------------------------------------


def program_weeks_with_topics(*, program: Program, viewer: Person) -> QuerySet[ProgramWeek]:
    """The program's weeks in order, each with `curriculum_week_number` and `topic`
    (None when no curriculum week is planned). Anyone enrolled may see them: a topic
    says nothing about anyone's progress."""
    access.require_enrolled(
        viewer, program, "Only people enrolled in the program may see its weeks."
    )
    return (
        ProgramWeek.objects.filter(program=program)
        .annotate(
            curriculum_week_number=F("plan__curriculum_week__number"),
            topic=F("plan__curriculum_week__topic"),
        )
        .order_by("starts_on")
    )


def week_cases_for(
    *, program_week: ProgramWeek, viewer: Person, today: datetime.date | None = None
) -> list[Case]:
    """The cases a week teaches (images and questions prefetched, answers included) for
    whoever may open them: directors and coordinators always; a junior or senior only in
    a week they are paired in, and from its Monday on (in the program's time zone), when
    the weekly email announces them. Faculty and researchers: PermissionDenied, as on the
    pages. Nobody's progress is read here."""
    program = program_week.program
    standing = access.program_access(viewer, program)
    if not standing.manages:
        if not standing.is_learner:
            raise PermissionDenied(
                "Faculty and researchers see program-level aggregates only, not the cases."
            )
        if today is None:
            today = program_today(program=program)
        learner_pairs_opening(
            person=viewer,
            pairs=list(
                Pair.objects.filter(
                    Q(junior=viewer) | Q(senior=viewer), week=program_week, is_removed=False
                ).select_related("week")
            ),
            today=today,
        )
    content = week_content(program_week=program_week)
    return content.cases if content is not None else []


def participation_visible_to(
    *, program: Program, viewer: Person, today: datetime.date | None = None
) -> ParticipationSummary:
    """The program-level participation figures, for those the dashboard shows them to
    (directors, coordinators, faculty, researchers); PermissionDenied for learners. The
    figures themselves keep rule 1 (see `participation_summary`)."""
    if dashboard_access(person=viewer, program=program) is None:
        raise PermissionDenied(
            "Participation figures are for the program's staff, faculty and researchers."
        )
    return participation_summary(program=program, today=today)


# --- The home page's attention list (asked by site.selectors.home_cards) -----------


def attention_items(*, person: Person, program: Program) -> list[AttentionItem]:
    """For the directors and coordinators of a case-review program: this week is a
    program week but teaches nothing yet (no curriculum week planned for it)."""
    if program.kind != ProgramKind.CASE_REVIEW:
        return []
    if not access.program_access(person, program).manages:
        return []
    today = program_today(program=program)
    monday = today - datetime.timedelta(days=today.weekday())
    unplanned = ProgramWeek.objects.filter(
        program=program, starts_on=monday, plan__isnull=True
    ).exists()
    if not unplanned:
        return []
    return [
        AttentionItem(
            text=f"This week (from {monday:%-d %b}) has no curriculum plan.",
            url=reverse("curriculum-overview", kwargs={"slug": program.slug}),
            tone=ATTENTION_WARN,
        )
    ]
