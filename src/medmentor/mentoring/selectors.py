"""Reads of one-to-one programs that pages, the API and the home page show; the privacy
rules are applied here: matching runs, drafts, the cohort and conflicts are for the
program's directors and coordinators only."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from medmentor.meetings.models import Meeting, MeetingParticipant
from medmentor.meetings.selectors import meetings_for_viewer
from medmentor.mentoring.models import (
    Goal,
    GoalStatus,
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
from medmentor.people.models import Person, Profile
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


def _pair_items(*, person: Person, program: Program) -> list[AttentionItem]:
    """A mentor's or mentee's pairs: each links to the pair's page; a pair with no
    meeting planned or held yet asks for a first one. Two queries, however many pairs."""
    mentorships = current_mentorships_of(program=program, person=person)
    if not mentorships:
        return []
    met_with = set(
        MeetingParticipant.objects.filter(
            meeting__program=program,
            meeting__cancelled_at__isnull=True,
            meeting__attendance__person=person,
        )
        .exclude(person=person)
        .values_list("person_id", flat=True)
    )
    url = reverse("mentoring-pairs", kwargs={"slug": program.slug})
    items = []
    for mentorship in mentorships:
        is_mentor = mentorship.mentor_id == person.pk
        other = mentorship.mentee if is_mentor else mentorship.mentor
        if other.pk in met_with:
            role = "mentee" if is_mentor else "mentor"
            items.append(
                AttentionItem(text=f"Your {role} {other.full_name}: goals and meetings.", url=url)
            )
        else:
            items.append(
                AttentionItem(
                    text=f"Plan your first meeting with {other.full_name}.",
                    url=url,
                    tone=ATTENTION_WARN,
                )
            )
    return items


def attention_items(*, person: Person, program: Program) -> list[AttentionItem]:
    """What needs `person` in the one-to-one `program` (the kind's home-page items, see
    mentoring.apps): for directors and coordinators, mentees without a published match
    (a count), a matching run drafted but not published, pairs that need a check-in and
    pairs that asked for help (counts); for mentors and mentees, their pairs (a first
    meeting to plan) and their private check when it waits for an answer."""
    standing = access.program_access(person, program)
    items = _pair_items(person=person, program=program) if standing.is_learner else []
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


# --- The pair's home and the director's one-to-one view ---------------------------------


@dataclass(frozen=True)
class PairPerson:
    """The other side of a pair as the pair page shows them: matching profile facts and
    what they wrote themselves."""

    person: Person
    role: str  # "mentor" or "mentee"
    level: str
    specialty: str
    interests: list[str]
    languages: list[str]
    bio: str
    contact_preference: str
    has_photo: bool


@dataclass(frozen=True)
class PairHome:
    mentorship: Mentorship
    me_role: str
    other: PairPerson
    goals: list[Goal]
    upcoming: list
    past: list
    next_steps: list[AttentionItem]


def _pair_person(*, person: Person, program: Program, role: str) -> PairPerson:
    profile = (
        MatchingProfile.objects.filter(enrollment__program=program, enrollment__person=person)
        .select_related("enrollment")
        .first()
    )
    own = Profile.objects.filter(person=person).first()
    return PairPerson(
        person=person,
        role=role,
        level=person.get_training_level_display() if person.training_level else "",
        specialty=(profile.specialty if profile else "") or person.specialty,
        interests=list(profile.interests) if profile else [],
        # The languages the matching profile lists, else those the person lists.
        languages=list((profile.languages if profile else None) or (own.languages if own else [])),
        bio=own.bio if own else "",
        contact_preference=own.contact_preference if own else "",
        has_photo=bool(own and own.photo),
    )


def current_mentorships_of(*, program: Program, person: Person) -> list[Mentorship]:
    """`person`'s current pairs in `program`, as mentor or mentee."""
    return list(
        Mentorship.objects.filter(program=program, ended_on__isnull=True)
        .filter(Q(mentor=person) | Q(mentee=person))
        .select_related("mentor", "mentee")
        .order_by("mentee__full_name", "pk")
    )


def _next_steps(*, program: Program, mentorship: Mentorship, upcoming, past, goals, other):
    plan_url = reverse("meeting-plan", kwargs={"slug": program.slug}) + f"?with={other.pk}"
    steps = []
    if not upcoming and not past:
        steps.append(
            AttentionItem(
                text=f"Plan your first meeting with {other.full_name}.",
                url=plan_url,
                tone=ATTENTION_WARN,
            )
        )
    elif not upcoming:
        steps.append(
            AttentionItem(text=f"Plan your next meeting with {other.full_name}.", url=plan_url)
        )
    unlogged = [view for view in past if view.meeting.happened is None]
    if unlogged:
        steps.append(
            AttentionItem(
                text=f"Say whether you met on {unlogged[0].local_start:%d %B}.",
                url=reverse(
                    "meeting-log",
                    kwargs={"slug": program.slug, "meeting_id": unlogged[0].meeting.pk},
                ),
                tone=ATTENTION_WARN,
            )
        )
    if not goals:
        steps.append(
            AttentionItem(text="Set a first goal together.", url="#goal-form-" + str(mentorship.pk))
        )
    return steps


def pair_homes_for_person(*, program: Program, viewer: Person, now=None) -> list[PairHome]:
    """Each current pair of `viewer` in `program`, whole: the other person, the pair's
    goals and meetings and what to do next. Only the pair's own people get here: the
    selector starts from the viewer's own mentorships, so nobody else's pair is read."""
    mentorships = current_mentorships_of(program=program, person=viewer)
    if not mentorships:
        return []
    page = meetings_for_viewer(program=program, viewer=viewer, now=now)
    homes = []
    for mentorship in mentorships:
        is_mentor = mentorship.mentor_id == viewer.pk
        other = mentorship.mentee if is_mentor else mentorship.mentor

        def with_other(views, other=other):
            return [v for v in views if any(p.pk == other.pk for p in v.participants)]

        upcoming, past = with_other(page.upcoming), with_other(page.past)
        goals = list(mentorship.goals.all())
        homes.append(
            PairHome(
                mentorship=mentorship,
                me_role="mentor" if is_mentor else "mentee",
                other=_pair_person(
                    person=other, program=program, role="mentee" if is_mentor else "mentor"
                ),
                goals=goals,
                upcoming=upcoming[:5],
                past=past[:5],
                next_steps=_next_steps(
                    program=program,
                    mentorship=mentorship,
                    upcoming=upcoming,
                    past=past,
                    goals=goals,
                    other=other,
                ),
            )
        )
    return homes


def goal_for_pair_member(*, goal_id: int, program: Program, viewer: Person) -> Goal:
    """A goal of one of `viewer`'s current pairs; Goal.DoesNotExist for anyone else (a
    404: nobody outside the pair learns a goal exists)."""
    return (
        Goal.objects.select_related("mentorship")
        .filter(mentorship__program=program, mentorship__ended_on__isnull=True)
        .filter(Q(mentorship__mentor=viewer) | Q(mentorship__mentee=viewer))
        .get(pk=goal_id)
    )


def mentorship_for_pair_member(*, mentorship_id: int, program: Program, viewer: Person):
    """One of `viewer`'s current pairs; Mentorship.DoesNotExist for anyone else."""
    return (
        Mentorship.objects.filter(program=program, ended_on__isnull=True)
        .filter(Q(mentor=viewer) | Q(mentee=viewer))
        .get(pk=mentorship_id)
    )


def photo_for_viewer(*, program: Program, person_id: int, viewer: Person) -> Profile:
    """The photo of `person_id` if `viewer` is that person or in a current pair of
    `program` with them; Profile.DoesNotExist otherwise — staff included: a
    photo is shared with the pair, not with the program."""
    if person_id != viewer.pk:
        partners = Mentorship.objects.filter(program=program, ended_on__isnull=True).filter(
            Q(mentor=viewer, mentee_id=person_id) | Q(mentee=viewer, mentor_id=person_id)
        )
        if not partners.exists():
            raise Profile.DoesNotExist("No pair of yours has this person.")
    profile = Profile.objects.filter(person_id=person_id).exclude(photo="").first()
    if profile is None:
        raise Profile.DoesNotExist("No photo.")
    return profile


def own_mentoring_profile(*, person: Person) -> Profile | None:
    """`person`'s own profile (people.Profile), as their pair sees it."""
    return Profile.objects.filter(person=person).first()


@dataclass(frozen=True)
class OverviewPair:
    mentorship: Mentorship
    meetings_logged: int
    last_met_on: datetime.date | None


@dataclass(frozen=True)
class OneToOneOverview:
    """The director's view of a one-to-one program: who is paired with whom, how many
    meetings took place per week, which pairs never met, and goals by status — counts
    only, never a goal's words, a meeting's topics or anyone's photo."""

    pairs: list[OverviewPair]
    weeks: list[tuple[datetime.date, int]]  # Monday of the week, meetings that took place
    never_met: list[OverviewPair]
    goals_by_status: list[tuple[str, int]]
    goals_total: int


OVERVIEW_WEEKS = 8


def one_to_one_overview(*, program: Program, viewer: Person, now=None) -> OneToOneOverview:
    _require_staff(program=program, viewer=viewer, what="the pairs' overview")
    now = now or timezone.now()
    mentorships = list(
        Mentorship.objects.filter(program=program, ended_on__isnull=True).select_related(
            "mentor", "mentee"
        )
    )
    # Meetings that took place ("we met" or logged): per pair, by its two people.
    met = list(
        Meeting.objects.filter(program=program, happened=True, cancelled_at__isnull=True)
        .prefetch_related("attendance")
        .only("pk", "starts_at", "time_zone")
    )
    people_of = {m.pk: {a.person_id for a in m.attendance.all()} for m in met}
    pairs = []
    for mentorship in mentorships:
        theirs = [m for m in met if {mentorship.mentor_id, mentorship.mentee_id} <= people_of[m.pk]]
        last = max((m.starts_at for m in theirs), default=None)
        pairs.append(
            OverviewPair(
                mentorship=mentorship,
                meetings_logged=len(theirs),
                last_met_on=last.astimezone(program.zone).date() if last else None,
            )
        )
    today = now.astimezone(program.zone).date()
    this_monday = today - datetime.timedelta(days=today.weekday())
    mondays = [this_monday - datetime.timedelta(weeks=n) for n in range(OVERVIEW_WEEKS)][::-1]
    per_week = dict.fromkeys(mondays, 0)
    for meeting in met:
        day = meeting.starts_at.astimezone(program.zone).date()
        monday = day - datetime.timedelta(days=day.weekday())
        if monday in per_week:
            per_week[monday] += 1
    counts = {
        row["status"]: row["n"]
        for row in Goal.objects.filter(mentorship__in=mentorships)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    }
    return OneToOneOverview(
        pairs=pairs,
        weeks=list(per_week.items()),
        never_met=[pair for pair in pairs if not pair.meetings_logged],
        goals_by_status=[(label, counts.get(value, 0)) for value, label in GoalStatus.choices],
        goals_total=sum(counts.values()),
    )


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
