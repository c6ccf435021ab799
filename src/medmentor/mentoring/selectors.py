"""Reads of one-to-one programs that pages, the API and the home page show; the privacy
rules are applied here: matching runs, drafts, the cohort and conflicts are for the
program's directors and coordinators only."""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from medmentor.meetings.models import Meeting
from medmentor.mentoring.models import (
    MatchingConflict,
    MatchingPair,
    MatchingProfile,
    MatchingRun,
    MatchingRunStatus,
    MatchingUnmatched,
    MentoringSettings,
    Mentorship,
    PairCheck,
    PairCheckAnswer,
    Reflection,
)
from medmentor.people.models import Person
from medmentor.programs import access
from medmentor.programs.models import Enrollment, Program, Role
from medmentor.programs.selectors import (
    ATTENTION_WARN,
    AttentionItem,
    plural,
    program_today,
)

# --- Matching: runs, drafts and conflicts, for the program's staff only ---------------


def _require_staff(*, program: Program, viewer: Person, what: str) -> None:
    access.require_manager(
        viewer, program, f"Only the program's directors and coordinators may see {what}."
    )


def matching_runs_for_staff(*, program: Program, viewer: Person, limit: int = 10):
    """The program's latest matching runs, newest first."""
    _require_staff(program=program, viewer=viewer, what="matching runs")
    return list(
        MatchingRun.objects.filter(program=program)
        .select_related("created_by")
        .order_by("-created_at", "-id")[:limit]
    )


def matching_run_for_staff(*, program: Program, run_id: int, viewer: Person) -> MatchingRun:
    """One matching run of `program`; MatchingRun.DoesNotExist when it has none by that id."""
    _require_staff(program=program, viewer=viewer, what="matching runs")
    run = (
        MatchingRun.objects.filter(program=program, pk=run_id)
        .select_related("program", "created_by")
        .first()
    )
    if run is None:
        raise MatchingRun.DoesNotExist(f"{program.name} has no matching run {run_id}.")
    return run


@dataclass(frozen=True)
class MatchingReview:
    """A run as the review page and the API show it."""

    run: MatchingRun
    pairs: list[MatchingPair]
    unmatched: list[MatchingUnmatched]

    @property
    def tradeoff(self) -> list[tuple[str, dict]]:
        return [
            (name, self.run.tradeoff[name])
            for name in ("stable", "optimal")
            if name in self.run.tradeoff
        ]

    @property
    def difference(self) -> dict[str, float] | None:
        """Optimal minus stable, for the sentence under the trade-off table."""
        stable, optimal = self.run.tradeoff.get("stable"), self.run.tradeoff.get("optimal")
        if not stable or not optimal:
            return None
        return {
            "score": round(optimal["total_score"] - stable["total_score"], 2),
            "matched": optimal["matched"] - stable["matched"],
            "blocking": optimal["blocking_pairs"] - stable["blocking_pairs"],
        }


def matching_review(*, run: MatchingRun, viewer: Person) -> MatchingReview:
    _require_staff(program=run.program, viewer=viewer, what="matching drafts")
    return MatchingReview(
        run=run,
        pairs=list(
            run.pairs.select_related("mentor", "mentee").order_by(
                "mentor__full_name", "mentee__full_name", "pk"
            )
        ),
        unmatched=list(
            run.unmatched_people.select_related("person").order_by(
                "side", "person__full_name", "pk"
            )
        ),
    )


@dataclass(frozen=True)
class MatchingCohortSummary:
    mentees: int
    mentors: int
    places: int
    profiles: int
    current_mentorships: int


def matching_cohort_summary(*, program: Program, viewer: Person) -> MatchingCohortSummary:
    """How many mentees, mentors and mentor places the next run will see."""
    _require_staff(program=program, viewer=viewer, what="the matching cohort")
    today = program_today(program=program)
    current = Enrollment.objects.filter(program=program).exclude(left_on__lt=today)
    mentors = current.filter(role=Role.SENIOR)
    places = sum(
        profile_capacity if profile_capacity is not None else 1
        for profile_capacity in mentors.values_list("matching_profile__capacity", flat=True)
    )
    return MatchingCohortSummary(
        mentees=current.filter(role=Role.JUNIOR).count(),
        mentors=mentors.count(),
        places=places,
        profiles=MatchingProfile.objects.filter(enrollment__in=current).count(),
        current_mentorships=Mentorship.objects.filter(
            program=program, ended_on__isnull=True
        ).count(),
    )


def matching_conflicts_for_staff(*, program: Program, viewer: Person) -> list[MatchingConflict]:
    _require_staff(program=program, viewer=viewer, what="matching conflicts")
    return list(
        MatchingConflict.objects.filter(program=program)
        .select_related("mentor", "mentee")
        .order_by("mentor__full_name", "mentee__full_name")
    )


# --- The home page: what needs the person in a one-to-one program ---------------------


def _staff_items(*, program: Program) -> list[AttentionItem]:
    today = program_today(program=program)
    matching_url = reverse("matching", kwargs={"slug": program.slug})
    items = []
    mentees = (
        Enrollment.objects.filter(program=program, role=Role.JUNIOR)
        .exclude(left_on__lt=today)
        .exclude(
            person__in=Mentorship.objects.filter(program=program, ended_on__isnull=True).values(
                "mentee"
            )
        )
        .values("person")
        .distinct()
        .count()
    )
    if mentees:
        items.append(
            AttentionItem(
                text=f"{plural(mentees, 'mentee')} without a published match.",
                url=matching_url,
                tone=ATTENTION_WARN,
            )
        )
    latest = MatchingRun.objects.filter(program=program).order_by("-created_at", "-id").first()
    if latest is not None and latest.status == MatchingRunStatus.DRAFT:
        items.append(
            AttentionItem(
                text="A matching run is drafted but not published.",
                url=reverse("matching-run", kwargs={"slug": program.slug, "run_id": latest.pk}),
            )
        )
    return items


def attention_items(*, person: Person, program: Program) -> list[AttentionItem]:
    """What needs `person` in the one-to-one `program` (the kind's home-page items, see
    mentoring.apps): for directors and coordinators, mentees without a published match
    (a count), a matching run drafted but not published, pairs that need a check-in and
    pairs that asked for help (counts); for a mentor or mentee, their private check
    when it waits for an answer."""
    standing = access.program_access(person, program)
    items = []
    if standing.manages:
        items += _staff_items(program=program)
        items += health_attention_items(program=program, viewer=person)
    if standing.is_learner and open_checks_of(program=program, person=person):
        items.append(
            AttentionItem(
                text="A private question about your pairing waits for your answer.",
                url=reverse("mentoring-check", kwargs={"slug": program.slug}),
                tone=ATTENTION_WARN,
            )
        )
    return items


# --- Relationship health: staff see that pairs met and that a pair asked for help ------
# (never what anyone answered, nor who of the two; never a note or a reflection).


@dataclass(frozen=True)
class PairHealth:
    """A current pair as the health list shows it: when they last met (a meeting logged
    as happened, with both of them in it) and for how many days they have not."""

    mentorship: Mentorship
    last_met: datetime.date | None
    days: int


def _last_met_subquery():
    return (
        Meeting.objects.filter(
            program=OuterRef("program"),
            happened=True,
            cancelled_at__isnull=True,
            attendance__person=OuterRef("mentor"),
        )
        .filter(attendance__person=OuterRef("mentee"))
        .order_by("-starts_at")
        .values("starts_at")[:1]
    )


def check_in_days_of(*, program: Program) -> int:
    row = MentoringSettings.objects.filter(program=program).first()
    return row.check_in_days if row else MentoringSettings._meta.get_field("check_in_days").default


def _pairs_needing_check_in(program: Program) -> list[PairHealth]:
    today = program_today(program=program)
    limit = check_in_days_of(program=program)
    found = []
    for mentorship in (
        Mentorship.objects.filter(program=program, ended_on__isnull=True)
        .annotate(last_met_at=Subquery(_last_met_subquery()))
        .select_related("mentor", "mentee")
        .order_by("mentor__full_name", "mentee__full_name", "pk")
    ):
        last_met = (
            mentorship.last_met_at.astimezone(program.zone).date()
            if mentorship.last_met_at
            else None
        )
        days = (today - (last_met or mentorship.started_on)).days
        if days >= limit:
            found.append(PairHealth(mentorship=mentorship, last_met=last_met, days=days))
    return found


def pairs_needing_check_in(*, program: Program, viewer: Person) -> list[PairHealth]:
    """Current pairs with no meeting logged as happened for the program's check-in days
    (counted from their start when they never met), for directors and coordinators."""
    _require_staff(program=program, viewer=viewer, what="which pairs need a check-in")
    return _pairs_needing_check_in(program)


def _help_pairs(program: Program) -> list[Mentorship]:
    asking = PairCheck.objects.filter(
        mentorship__program=program,
        mentorship__ended_on__isnull=True,
        answer=PairCheckAnswer.HELP,
        resolved_at__isnull=True,
    ).values("mentorship")
    return list(
        Mentorship.objects.filter(pk__in=asking)
        .select_related("mentor", "mentee")
        .order_by("mentor__full_name", "mentee__full_name", "pk")
    )


def pairs_asking_for_help(*, program: Program, viewer: Person) -> list[Mentorship]:
    """Current pairs of which at least one side answered the private check "I'd like
    help": the pair, never which side nor what either said."""
    _require_staff(program=program, viewer=viewer, what="which pairs asked for help")
    return _help_pairs(program)


@dataclass(frozen=True)
class HealthOverview:
    """The health card of the director's one-to-one overview (mentoring/_health.html)."""

    program: Program
    check_in_days: int
    mid_check_on: datetime.date | None
    mid_check_sent_for: datetime.date | None
    needing_check_in: list[PairHealth]
    asking_for_help: list[Mentorship]
    current_pairs: int


def health_overview(*, program: Program, viewer: Person) -> HealthOverview:
    """Everything the health card shows, for directors and coordinators."""
    _require_staff(program=program, viewer=viewer, what="the pairs' health")
    row = MentoringSettings.objects.filter(program=program).first()
    return HealthOverview(
        program=program,
        check_in_days=check_in_days_of(program=program),
        mid_check_on=row.mid_check_on if row else None,
        mid_check_sent_for=row.mid_check_sent_for if row else None,
        needing_check_in=_pairs_needing_check_in(program),
        asking_for_help=_help_pairs(program),
        current_pairs=Mentorship.objects.filter(program=program, ended_on__isnull=True).count(),
    )


def health_attention_items(*, program: Program, viewer: Person) -> list[AttentionItem]:
    """The home page's health items for staff: how many pairs need a check-in and how
    many asked for help (counts), read in one query."""
    _require_staff(program=program, viewer=viewer, what="the pairs' health")
    default_days = MentoringSettings._meta.get_field("check_in_days").default
    today = program_today(program=program)
    rows = (
        Mentorship.objects.filter(program=program, ended_on__isnull=True)
        .annotate(
            last_met_at=Subquery(_last_met_subquery()),
            days_setting=Subquery(
                MentoringSettings.objects.filter(program=OuterRef("program")).values(
                    "check_in_days"
                )[:1]
            ),
            asked_help=Exists(
                PairCheck.objects.filter(
                    mentorship=OuterRef("pk"),
                    answer=PairCheckAnswer.HELP,
                    resolved_at__isnull=True,
                )
            ),
        )
        .values_list("started_on", "last_met_at", "days_setting", "asked_help")
    )
    needing = helping = 0
    for started_on, last_met_at, days_setting, asked_help in rows:
        since = last_met_at.astimezone(program.zone).date() if last_met_at else started_on
        needing += (today - since).days >= (days_setting or default_days)
        helping += bool(asked_help)
    url = reverse("mentoring-health", kwargs={"slug": program.slug})
    items = []
    if needing:
        items.append(
            AttentionItem(
                text=f"{plural(needing, 'pair')} need{'s' if needing == 1 else ''} a check-in.",
                url=url,
                tone=ATTENTION_WARN,
            )
        )
    if helping:
        items.append(
            AttentionItem(
                text=f"{plural(helping, 'pair')} asked for help.", url=url, tone=ATTENTION_WARN
            )
        )
    return items


def open_checks_of(*, program: Program, person: Person) -> list[PairCheck]:
    """`person`'s own checks of their current pairs, the latest asked of each pair
    (answered or not); a check waits when its answer is blank."""
    latest: dict[int, PairCheck] = {}
    for check in (
        PairCheck.objects.filter(
            person=person, mentorship__program=program, mentorship__ended_on__isnull=True
        )
        .select_related("mentorship__mentor", "mentorship__mentee")
        .order_by("asked_on", "pk")
    ):
        latest[check.mentorship_id] = check
    return [check for check in latest.values() if not check.answer]


def checks_of(*, program: Program, person: Person) -> list[PairCheck]:
    """`person`'s own latest check of each current pair, for their check page."""
    latest: dict[int, PairCheck] = {}
    for check in (
        PairCheck.objects.filter(
            person=person, mentorship__program=program, mentorship__ended_on__isnull=True
        )
        .select_related("mentorship__mentor", "mentorship__mentee")
        .order_by("asked_on", "pk")
    ):
        latest[check.mentorship_id] = check
    return list(latest.values())


def check_of(*, program: Program, person: Person, check_id: int) -> PairCheck:
    """One of `person`'s own checks; PairCheck.DoesNotExist for anyone else's."""
    return PairCheck.objects.select_related(
        "mentorship__mentor", "mentorship__mentee", "mentorship__program"
    ).get(pk=check_id, person=person, mentorship__program=program)


# --- Mentor reflections: their author's alone, until consented and exported -----------


def mentorships_as_mentor(*, program: Program, person: Person) -> list[Mentorship]:
    return list(
        Mentorship.objects.filter(program=program, mentor=person)
        .select_related("mentee")
        .order_by("ended_on", "mentee__full_name", "pk")
    )


def reflections_of(*, program: Program, author: Person) -> list[Reflection]:
    """The reflections `author` wrote in `program`, newest first (theirs alone)."""
    return list(
        Reflection.objects.filter(mentorship__program=program, author=author).select_related(
            "mentorship__mentee", "meeting"
        )
    )


def past_meetings_of_pair(*, mentorship: Mentorship) -> list[Meeting]:
    """Meetings of the pair that have started and were not cancelled, newest first."""
    return list(
        Meeting.objects.filter(
            program=mentorship.program,
            cancelled_at__isnull=True,
            attendance__person=mentorship.mentor,
            starts_at__lte=timezone.now(),
        )
        .filter(attendance__person=mentorship.mentee)
        .order_by("-starts_at")[:20]
    )


def reflections_waiting_count(*, program: Program, viewer: Person) -> int:
    """How many consented reflections wait to be taken in (a count, for researchers)."""
    access.require_researcher(
        viewer, program, "Only the program's researchers see mentor reflections."
    )
    return Reflection.objects.filter(
        mentorship__program=program, consent=True, exported_at__isnull=True
    ).count()
