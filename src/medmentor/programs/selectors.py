"""Reads about programs that pages and the API show; privacy rules are applied here."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse

from medmentor.people.models import Person
from medmentor.programs.models import (
    STAFF_ROLES,
    Enrollment,
    MatchingConflict,
    MatchingPair,
    MatchingProfile,
    MatchingRun,
    MatchingUnmatched,
    Mentorship,
    Pair,
    Program,
    ProgramWeek,
    Role,
    ServiceBlock,
)


@dataclass(frozen=True)
class ProgramLink:
    program: Program
    roles: tuple[str, ...]
    url: str


def roles_in_program(*, person: Person, program: Program) -> set[str]:
    if not person.is_authenticated:
        return set()
    return set(
        Enrollment.objects.filter(program=program, person=person).values_list("role", flat=True)
    )


def programs_for_person(*, person: Person) -> list[ProgramLink]:
    """The programs `person` is enrolled in, each with the page their main role opens."""
    by_program: dict[int, list[str]] = {}
    programs: dict[int, Program] = {}
    for enrollment in Enrollment.objects.filter(person=person).select_related("program"):
        by_program.setdefault(enrollment.program_id, []).append(enrollment.role)
        programs[enrollment.program_id] = enrollment.program
    links = []
    for program_id, roles in by_program.items():
        program = programs[program_id]
        if set(roles) & {Role.SENIOR, Role.JUNIOR}:
            url = reverse("workspace", kwargs={"slug": program.slug})
        elif set(roles) & {*STAFF_ROLES, Role.FACULTY, Role.RESEARCHER}:
            url = reverse("program-detail", kwargs={"slug": program.slug})
        else:
            continue
        links.append(ProgramLink(program=program, roles=tuple(sorted(roles)), url=url))
    return sorted(links, key=lambda link: link.program.name)


# --- Reads for the REST API (medmentor.api) ------------------------------------------
# Each takes the viewer and applies the privacy rule itself: a program the viewer is
# not enrolled in does not exist for them (DoesNotExist, shown as 404); a list their
# role may not see raises PermissionDenied (403).


def programs_of_person(*, person: Person) -> QuerySet[Program]:
    """The programs `person` is enrolled in, each with `viewer_enrollments`."""
    return (
        Program.objects.filter(enrollments__person=person)
        .distinct()
        .select_related("institution", "service")
        .prefetch_related(
            Prefetch(
                "enrollments",
                queryset=Enrollment.objects.filter(person=person),
                to_attr="viewer_enrollments",
            )
        )
        .order_by("name", "pk")
    )


def program_of_person(*, person: Person, slug: str) -> Program:
    """The program called `slug` if `person` is enrolled in it; else Program.DoesNotExist."""
    program = programs_of_person(person=person).filter(slug=slug).first()
    if program is None:
        raise Program.DoesNotExist(f"You have no program called “{slug}”.")
    return program


def program_people(*, program: Program, viewer: Person) -> QuerySet[Person]:
    """Everyone enrolled in `program`, each with `program_enrollments`; for directors and
    coordinators only. Faculty and researchers see program-level aggregates, never the
    roster; learners see their own pairs, not everyone's."""
    if not roles_in_program(person=viewer, program=program) & set(STAFF_ROLES):
        raise PermissionDenied(
            "Only the program's directors and coordinators may see who is enrolled."
        )
    return (
        Person.objects.filter(enrollments__program=program)
        .distinct()
        .prefetch_related(
            Prefetch(
                "enrollments",
                queryset=Enrollment.objects.filter(program=program).order_by("role"),
                to_attr="program_enrollments",
            )
        )
        .order_by("full_name", "pk")
    )


def program_week_containing(*, program: Program, day: datetime.date) -> ProgramWeek:
    """The program week (Monday to Sunday) holding `day`; else ProgramWeek.DoesNotExist."""
    monday = day - datetime.timedelta(days=day.weekday())
    week = ProgramWeek.objects.filter(program=program, starts_on=monday).first()
    if week is None:
        raise ProgramWeek.DoesNotExist(
            f"{program.name} has no week starting on {monday.isoformat()}."
        )
    return week


def pairs_visible_to(*, week: ProgramWeek, viewer: Person) -> QuerySet[Pair]:
    """The week's pairs that `viewer` may see: all of them for directors and
    coordinators, only their own for seniors and juniors; PermissionDenied for faculty
    and researchers, who see program-level aggregates only."""
    roles = roles_in_program(person=viewer, program=week.program)
    pairs = (
        Pair.objects.filter(week=week, is_removed=False)
        .select_related("week", "junior", "senior")
        .order_by("junior__full_name", "senior__full_name", "pk")
    )
    if roles & set(STAFF_ROLES):
        return pairs
    if roles & {Role.SENIOR, Role.JUNIOR}:
        return pairs.filter(Q(junior=viewer) | Q(senior=viewer))
    raise PermissionDenied(
        "Faculty and researchers see program-level aggregates only, not who is paired."
    )


def pair_in_week(*, week: ProgramWeek, pair_id: int, viewer: Person) -> Pair:
    """One current pair of `week` for the staff who may change it."""
    if not roles_in_program(person=viewer, program=week.program) & set(STAFF_ROLES):
        raise PermissionDenied("Only the program's directors and coordinators may change pairs.")
    pair = pairs_visible_to(week=week, viewer=viewer).filter(pk=pair_id).first()
    if pair is None:
        raise Pair.DoesNotExist(f"The week of {week.starts_on.isoformat()} has no pair {pair_id}.")
    return pair


def person_in_program_for_staff(*, program: Program, person_id: int, viewer: Person) -> Person:
    """A person enrolled in `program`, looked up by id for the staff who pair people;
    PermissionDenied for anyone else (no probing who is enrolled), Person.DoesNotExist
    when nobody with that id is enrolled."""
    if not roles_in_program(person=viewer, program=program) & set(STAFF_ROLES):
        raise PermissionDenied("Only the program's directors and coordinators may change pairs.")
    person = Person.objects.filter(pk=person_id, enrollments__program=program).first()
    if person is None:
        raise Person.DoesNotExist(f"Nobody with id {person_id} is enrolled in {program.name}.")
    return person


# --- The service schedule, weeks and pairs -------------------------------------------


@dataclass(frozen=True)
class OnService:
    """Who is on the program's service in one week, by program role."""

    people: list[Person]
    juniors: list[Person]
    seniors: list[Person]


@dataclass(frozen=True)
class WeekOverview:
    """One program week as the director's weeks-and-pairs page shows it."""

    week: ProgramWeek
    pairs: list[Pair]
    juniors_without_senior: list[Person]
    on_service: list[Person]


def service_days(*, week: ProgramWeek) -> tuple[datetime.date, datetime.date]:
    """Monday and Friday of `week`: a block covers a week when it overlaps these days."""
    return week.starts_on, week.starts_on + datetime.timedelta(days=4)


def on_service_by_week(*, program: Program, weeks: list[ProgramWeek]) -> dict[int, OnService]:
    """Who is on the program's service in each of `weeks` (two queries, any number of weeks).

    A person is on service in a week when one of their blocks on the program's service
    overlaps a weekday (Monday to Friday) of it and their enrollment in the program is
    current then (joined_on / left_on, when set, bound it).
    """
    if not weeks:
        return {}
    empty = OnService(people=[], juniors=[], seniors=[])
    if program.service_id is None:
        return {week.id: empty for week in weeks}
    first_day = min(week.starts_on for week in weeks)
    last_day = max(service_days(week=week)[1] for week in weeks)
    blocks = list(
        ServiceBlock.objects.filter(
            program=program,
            service_id=program.service_id,
            starts_on__lte=last_day,
            ends_on__gte=first_day,
        ).select_related("person")
    )
    enrollments: dict[int, list[Enrollment]] = {}
    for enrollment in Enrollment.objects.filter(
        program=program, person_id__in={block.person_id for block in blocks}
    ):
        enrollments.setdefault(enrollment.person_id, []).append(enrollment)

    result: dict[int, OnService] = {}
    for week in weeks:
        monday, friday = service_days(week=week)
        people: dict[int, Person] = {}
        roles: dict[int, set[str]] = {}
        for block in blocks:
            if block.starts_on > friday or block.ends_on < monday:
                continue
            for enrollment in enrollments.get(block.person_id, []):
                if enrollment.joined_on and enrollment.joined_on > friday:
                    continue
                if enrollment.left_on and enrollment.left_on < monday:
                    continue
                people[block.person_id] = block.person
                roles.setdefault(block.person_id, set()).add(enrollment.role)

        def by_name(person: Person) -> tuple[str, str]:
            return (person.full_name.lower(), person.email)

        everyone = sorted(people.values(), key=by_name)
        result[week.id] = OnService(
            people=everyone,
            juniors=[person for person in everyone if Role.JUNIOR in roles[person.id]],
            seniors=[person for person in everyone if Role.SENIOR in roles[person.id]],
        )
    return result


def people_on_service(*, program: Program, week: ProgramWeek) -> list[Person]:
    """Everyone in the program on its service in `week` (all roles), by name."""
    return on_service_by_week(program=program, weeks=[week])[week.id].people


def pairs_for_week(*, week: ProgramWeek) -> list[Pair]:
    """The week's pairs in force (not removed by the director), by junior then senior."""
    return list(
        Pair.objects.filter(week=week, is_removed=False)
        .select_related("junior", "senior")
        .order_by("junior__full_name", "senior__full_name")
    )


def program_weeks_overview(*, program: Program) -> list[WeekOverview]:
    """Every week of the program with its pairs and the juniors who have no senior.

    A fixed number of queries however many weeks and people the program has.
    """
    weeks = list(ProgramWeek.objects.filter(program=program).order_by("starts_on"))
    on_service = on_service_by_week(program=program, weeks=weeks)
    pairs_by_week: dict[int, list[Pair]] = {week.id: [] for week in weeks}
    for pair in (
        Pair.objects.filter(week__program=program, is_removed=False)
        .select_related("junior", "senior")
        .order_by("junior__full_name", "senior__full_name")
    ):
        pairs_by_week[pair.week_id].append(pair)
    overview = []
    for week in weeks:
        with_senior = {pair.junior_id for pair in pairs_by_week[week.id]}
        overview.append(
            WeekOverview(
                week=week,
                pairs=pairs_by_week[week.id],
                juniors_without_senior=[
                    junior for junior in on_service[week.id].juniors if junior.id not in with_senior
                ],
                on_service=on_service[week.id].people,
            )
        )
    return overview


def program_people_in_role(*, program: Program, role: str) -> list[Person]:
    """The program's people holding `role`, by name (the director's pair-override choices)."""
    return list(
        Person.objects.filter(enrollments__program=program, enrollments__role=role)
        .distinct()
        .order_by("full_name", "email")
    )


# --- One-to-one matching: runs, drafts and conflicts, for the program's staff only ----


def _require_staff(*, program: Program, viewer: Person, what: str) -> None:
    if not roles_in_program(person=viewer, program=program) & set(STAFF_ROLES):
        raise PermissionDenied(f"Only the program's directors and coordinators may see {what}.")


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
    today = datetime.datetime.now(tz=program.zone).date()
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
