"""Reads of one-to-one programs that pages, the API and the home page show; the privacy
rules are applied here: matching runs, drafts, the cohort and conflicts are for the
program's directors and coordinators only."""

from dataclasses import dataclass

from django.urls import reverse

from medmentor.mentoring.models import (
    MatchingConflict,
    MatchingPair,
    MatchingProfile,
    MatchingRun,
    MatchingRunStatus,
    MatchingUnmatched,
    Mentorship,
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
        """Stable and optimal as solved, then ("draft") the draft as it is after the
        director's swaps, once there were any."""
        return [
            (name, self.run.tradeoff[name])
            for name in ("stable", "optimal", "draft")
            if name in self.run.tradeoff
        ]

    @property
    def edited(self) -> bool:
        """Whether the draft was changed by hand (swaps) since it was solved."""
        return "draft" in self.run.tradeoff

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
    (a count) and a matching run drafted but not published."""
    if not access.program_access(person, program).manages:
        return []
    return _staff_items(program=program)
