"""The case-review program's dashboard: the director's and faculty's program page.

Its participation figures come from `curriculum.selectors` (rule 1: aggregates over at
least MIN_GROUP_SIZE people, the private progress tables read only there); this module
adds the weeks, pairs, juniors without a senior and the outbox counts around them.
"""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from medmentor.curriculum.selectors import (
    DASHBOARD_MANAGE,
    MIN_GROUP_SIZE,
    ParticipationRow,
    dashboard_access,
    participation_summary,
    participation_weeks,
)
from medmentor.messaging.selectors import outbox_summary
from medmentor.people.models import Person
from medmentor.programs.models import Enrollment, Pair, Program, ProgramWeek, Role, ServiceBlock

# --- The director's dashboard ---------------------------------------------------------


@dataclass(frozen=True)
class EmailCounts:
    sent: int
    failed: int
    waiting: int


def _outbox_counts(*, program: Program) -> EmailCounts:
    """Emails of the program sent, failed (retrying or given up) and waiting."""
    summary = outbox_summary(topic=f"program:{program.pk}")
    return EmailCounts(
        sent=summary.get("sent", 0),
        failed=summary.get("failed", 0) + summary.get("gave_up", 0),
        waiting=summary.get("queued", 0) + summary.get("sending", 0),
    )


@dataclass(frozen=True)
class DashboardWeek:
    week: ProgramWeek
    topic: str | None
    pairs_count: int
    participation: ParticipationRow
    is_current: bool
    # Schedule facts for directors and coordinators only; None for faculty/researchers.
    pairs: list[Pair] | None = None
    juniors_without_senior: list[Person] | None = None


@dataclass(frozen=True)
class Dashboard:
    program: Program
    access: str
    today: datetime.date
    weeks: list[DashboardWeek]
    overall: ParticipationRow
    emails: EmailCounts | None  # directors and coordinators only
    min_group_size: int = MIN_GROUP_SIZE

    @property
    def manages(self) -> bool:
        return self.access == DASHBOARD_MANAGE

    @property
    def focus_weeks(self) -> list[DashboardWeek]:
        """This week and the next, whose pairs a director needs to see by name."""
        upcoming = [row for row in self.weeks if row.week.ends_on >= self.today]
        return upcoming[:2]


def _juniors_without_senior(
    *, program: Program, weeks: Sequence[ProgramWeek], active_pairs: list[Pair]
) -> dict[int, list[Person]]:
    """Per week, the program's juniors on service (Monday to Friday overlap) who have no
    current pair that week — the flag a director acts on. Three queries in all."""
    if not weeks:
        return {}
    first, last = weeks[0].starts_on, weeks[-1].starts_on + datetime.timedelta(days=4)
    blocks = ServiceBlock.objects.filter(
        program=program,
        starts_on__lte=last,
        ends_on__gte=first,
        person__in=Enrollment.objects.filter(program=program, role=Role.JUNIOR).values("person"),
    ).select_related("person")
    if program.service_id:
        blocks = blocks.filter(service_id=program.service_id)
    paired = {(pair.week_id, pair.junior_id) for pair in active_pairs}
    flagged: dict[int, dict[int, Person]] = {week.pk: {} for week in weeks}
    block_rows = list(blocks)
    for week in weeks:
        friday = week.starts_on + datetime.timedelta(days=4)
        for block in block_rows:
            on_service = block.starts_on <= friday and block.ends_on >= week.starts_on
            if on_service and (week.pk, block.person_id) not in paired:
                flagged[week.pk][block.person_id] = block.person
    return {
        week_id: sorted(people.values(), key=lambda person: person.full_name)
        for week_id, people in flagged.items()
    }


def program_dashboard(*, person: Person, program: Program, today: datetime.date) -> Dashboard:
    """The program's page for its director, coordinator, faculty and researchers.

    Directors and coordinators see the weeks, who is paired (schedule facts, not
    performance), juniors without a senior and the email counts; faculty and
    researchers see counts and participation aggregates only. Nobody sees any pair's or
    any learner's progress here (rule 1). PermissionDenied for everyone else. The
    number of queries does not grow with the program.
    """
    seen = dashboard_access(person=person, program=program)
    if seen is None:
        raise PermissionDenied(
            "This page is for the program's directors, coordinators and faculty."
        )
    manages = seen == DASHBOARD_MANAGE
    weeks = list(participation_weeks(program))
    pairs_by_week: dict[int, list[Pair]] = defaultdict(list)
    flagged: dict[int, list[Person]] = {}
    active_pairs: list[Pair] | None = None
    if manages:
        active_pairs = list(
            Pair.objects.filter(week__program=program, is_removed=False)
            .select_related("junior", "senior")
            .order_by("junior__full_name", "senior__full_name", "pk")
        )
    participation = participation_summary(
        program=program, today=today, weeks=weeks, current_pairs=active_pairs
    )
    if active_pairs is not None:
        for pair in active_pairs:
            pairs_by_week[pair.week_id].append(pair)
        flagged = _juniors_without_senior(program=program, weeks=weeks, active_pairs=active_pairs)
    rows = []
    for week in weeks:
        plan = getattr(week, "plan", None)
        rows.append(
            DashboardWeek(
                week=week,
                topic=plan.curriculum_week.topic if plan else None,
                pairs_count=week.pairs_count,  # type: ignore[attr-defined]
                participation=participation.weeks[week.pk],
                is_current=week.starts_on <= today <= week.ends_on,
                pairs=pairs_by_week.get(week.pk, []) if manages else None,
                juniors_without_senior=flagged.get(week.pk, []) if manages else None,
            )
        )
    return Dashboard(
        program=program,
        access=seen,
        today=today,
        weeks=rows,
        overall=participation.overall,
        emails=_outbox_counts(program=program) if manages else None,
    )
