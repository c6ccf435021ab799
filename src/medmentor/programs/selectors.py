"""Reads about programs that pages and the API show; privacy rules are applied here."""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse

from medmentor.people.models import Person
from medmentor.programs import access, kinds
from medmentor.programs.models import (
    Enrollment,
    Pair,
    Program,
    ProgramKind,
    ProgramWeek,
    Role,
    ServiceBlock,
)


@dataclass(frozen=True)
class ProgramLink:
    program: Program
    roles: tuple[str, ...]
    url: str


def programs_for_person(*, person: Person) -> list[ProgramLink]:
    """The programs `person` is enrolled in, each with the page their main role opens."""
    by_program: dict[int, list[str]] = {}
    programs: dict[int, Program] = {}
    for enrollment in Enrollment.objects.filter(person=person).select_related("program"):
        if not access.enrollment_is_current(left_on=enrollment.left_on, program=enrollment.program):
            continue  # an ended enrollment is history, not a program of theirs
        by_program.setdefault(enrollment.program_id, []).append(enrollment.role)
        programs[enrollment.program_id] = enrollment.program
    links = []
    for program_id, roles in by_program.items():
        program = programs[program_id]
        standing = access.for_roles(program, roles)
        if standing.is_learner:
            url = reverse(kinds.learner_landing(program), kwargs={"slug": program.slug})
        elif standing.sees_aggregates:
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
    """The programs `person` is enrolled in now, each with `viewer_enrollments` (their
    current ones: an ended enrollment is history, not a program of theirs)."""
    current = [
        enrollment
        for enrollment in Enrollment.objects.filter(person=person).select_related("program")
        if access.enrollment_is_current(left_on=enrollment.left_on, program=enrollment.program)
    ]
    return (
        Program.objects.filter(pk__in={enrollment.program_id for enrollment in current})
        .select_related("institution", "service")
        .prefetch_related(
            Prefetch(
                "enrollments",
                queryset=Enrollment.objects.filter(pk__in=[e.pk for e in current]),
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
    access.require_manager(
        viewer, program, "Only the program's directors and coordinators may see who is enrolled."
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


# --- The people page: who is enrolled, for the staff who run the program --------------

PEOPLE_STATUSES = {
    "current": "Enrolled now",
    "ended": "Left the program",
    "all": "Everyone, now and before",
}


@dataclass(frozen=True)
class PersonInProgram:
    """One person of a program as the people page shows them: their current roles and
    every enrollment of theirs in it (ended ones too, as history)."""

    person: Person
    enrollments: tuple[Enrollment, ...]
    current_roles: tuple[str, ...]
    # The program's words for each role (kinds.role_labels), e.g. "Fellow (mentor)".
    role_labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_current(self) -> bool:
        return bool(self.current_roles)

    @property
    def current_role_labels(self) -> list[str]:
        return [self.role_labels.get(role) or Role(role).label for role in self.current_roles]

    @property
    def enrollments_labelled(self) -> list[tuple[str, Enrollment]]:
        """Every enrollment with its role in the program's words."""
        return [(self.role_labels.get(e.role) or Role(e.role).label, e) for e in self.enrollments]

    @property
    def ended_enrollments(self) -> list[Enrollment]:
        return [e for e in self.enrollments if e.role not in self.current_roles]

    @property
    def joined_on(self) -> datetime.date | None:
        days = [e.joined_on for e in self.enrollments if e.joined_on]
        return min(days) if days else None

    @property
    def last_day(self) -> datetime.date | None:
        """The last day of their last role, once every role has ended."""
        if self.is_current:
            return None
        days = [e.left_on for e in self.enrollments if e.left_on]
        return max(days) if days else None


def _person_in_program(program: Program, person: Person) -> PersonInProgram:
    enrollments = tuple(person.program_enrollments)  # type: ignore[attr-defined]
    current = tuple(
        sorted(
            e.role
            for e in enrollments
            if access.enrollment_is_current(left_on=e.left_on, program=program)
        )
    )
    return PersonInProgram(
        person=person,
        enrollments=enrollments,
        current_roles=current,
        role_labels=kinds.role_labels(program),
    )


def program_people_page(
    *,
    program: Program,
    viewer: Person,
    search: str = "",
    role: str = "",
    level: str = "",
    status: str = "current",
) -> list[PersonInProgram]:
    """The program's people for its directors and coordinators (PermissionDenied for
    anyone else: faculty and researchers see counts, learners their own pairs), found
    by a word of their name or email, a role they hold, their training level, and
    whether they are enrolled now, left, or either. By name."""
    people = program_people(program=program, viewer=viewer).select_related("institution")
    search = search.strip()
    if search:
        people = people.filter(Q(full_name__icontains=search) | Q(email__icontains=search))
    if level:
        people = people.filter(training_level=level)
    rows = [_person_in_program(program, person) for person in people]
    if status == "current":
        rows = [row for row in rows if row.is_current]
    elif status == "ended":
        rows = [row for row in rows if not row.is_current]
    if role:
        rows = [
            row
            for row in rows
            if (role in row.current_roles)
            or (not row.is_current and any(e.role == role for e in row.enrollments))
        ]
    return rows


def program_person_for_staff(
    *, program: Program, person_id: int, viewer: Person
) -> PersonInProgram:
    """One person enrolled in `program` now or before, for its directors and
    coordinators (PermissionDenied for anyone else); Person.DoesNotExist when nobody
    with that id was ever enrolled in it."""
    person = program_people(program=program, viewer=viewer).filter(pk=person_id).first()
    if person is None:
        raise Person.DoesNotExist(f"Nobody with id {person_id} is enrolled in {program.name}.")
    return _person_in_program(program, person)


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
    standing = access.program_access(viewer, week.program)
    pairs = (
        Pair.objects.filter(week=week, is_removed=False)
        .select_related("week", "junior", "senior")
        .order_by("junior__full_name", "senior__full_name", "pk")
    )
    if standing.manages:
        return pairs
    if standing.is_learner:
        return pairs.filter(Q(junior=viewer) | Q(senior=viewer))
    raise PermissionDenied(
        "Faculty and researchers see program-level aggregates only, not who is paired."
    )


def pair_in_week(*, week: ProgramWeek, pair_id: int, viewer: Person) -> Pair:
    """One current pair of `week` for the staff who may change it."""
    access.require_manager(
        viewer, week.program, "Only the program's directors and coordinators may change pairs."
    )
    pair = pairs_visible_to(week=week, viewer=viewer).filter(pk=pair_id).first()
    if pair is None:
        raise Pair.DoesNotExist(f"The week of {week.starts_on.isoformat()} has no pair {pair_id}.")
    return pair


def person_in_program_for_staff(*, program: Program, person_id: int, viewer: Person) -> Person:
    """A person enrolled in `program`, looked up by id for the staff who pair people;
    PermissionDenied for anyone else (no probing who is enrolled), Person.DoesNotExist
    when nobody with that id is enrolled."""
    access.require_manager(
        viewer, program, "Only the program's directors and coordinators may change pairs."
    )
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
    # Set once the week is over: why its pairs can no longer change (docs/privacy.md).
    finished_note: str = ""


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
    today = program_today(program=program)
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
                finished_note=(
                    week_finished_message(week=week)
                    if week_is_finished(week=week, today=today)
                    else ""
                ),
            )
        )
    return overview


def program_people_with_roles(*, program: Program, roles: Iterable[str]) -> QuerySet[Person]:
    """The program's people holding any of `roles`, by name: the choices of the pages'
    person pickers (a queryset, as a form's ModelChoiceField takes it)."""
    return (
        Person.objects.filter(enrollments__program=program, enrollments__role__in=list(roles))
        .distinct()
        .order_by("full_name", "email")
    )


def program_people_in_role(*, program: Program, role: str) -> list[Person]:
    """The program's people holding `role`, by name (the director's pair-override choices)."""
    return list(program_people_with_roles(program=program, roles=[role]))


# --- The home page: what needs the person, per program --------------------------------
# Each app that knows something a person should act on offers a provider (a selector
# `attention_items(*, person, program)`); the home page in `site` (the top floor) imports
# each one, so programs never imports the apps above it. Each provider applies its own
# privacy rules: counts for staff, a learner's own pair and invitations for the learner.

ATTENTION_WARN = "warn"
ATTENTION_INFO = "info"


@dataclass(frozen=True)
class AttentionItem:
    """One thing that needs the person, in words, with the page where they act on it."""

    text: str
    url: str = ""
    tone: str = ATTENTION_INFO  # ATTENTION_WARN or ATTENTION_INFO


def program_today(*, program: Program) -> datetime.date:
    """Today in the program's time zone (its weeks run Monday to Sunday there)."""
    return datetime.datetime.now(tz=program.zone).date()


def week_is_finished(*, week: ProgramWeek, today: datetime.date | None = None) -> bool:
    """True once `week` is over: its Sunday has passed in the program's time zone.

    A finished week is frozen (docs/privacy.md): its pairs and marks never change, so
    its participation figure, shown from then on, never moves. The dashboard's
    "finished" and every write's refusal use this one test.
    """
    if today is None:
        today = program_today(program=week.program)
    return week.ends_on < today


def week_has_started(*, week: ProgramWeek, today: datetime.date | None = None) -> bool:
    """True from the Monday of `week` on, in the program's time zone."""
    if today is None:
        today = program_today(program=week.program)
    return week.starts_on <= today


def _day_month(day: datetime.date) -> str:
    return f"{day.day} {day:%b}"


def week_finished_message(*, week: ProgramWeek) -> str:
    """Why a change to a finished week is refused, in words."""
    return (
        f"Week of {_day_month(week.starts_on)} ended on {_day_month(week.ends_on)}; "
        "finished weeks are kept as they were so the program's figures never move."
    )


def week_not_started_message(*, week: ProgramWeek) -> str:
    """Why a learner may not open or mark the cases of a week to come, in words."""
    return (
        f"The cases of the week of {_day_month(week.starts_on)} open on its Monday, "
        f"{_day_month(week.starts_on)} {week.starts_on:%Y}."
    )


def plural(count: int, singular: str, plural_form: str = "") -> str:
    """`count` with its noun: "1 junior", "3 juniors"."""
    return f"{count} {singular if count == 1 else plural_form or singular + 's'}"


def _this_week(*, program: Program) -> ProgramWeek | None:
    today = program_today(program=program)
    monday = today - datetime.timedelta(days=today.weekday())
    return ProgramWeek.objects.filter(program=program, starts_on=monday).first()


def _case_review_staff_items(*, program: Program) -> list[AttentionItem]:
    week = _this_week(program=program)
    if week is None:
        return []
    juniors = on_service_by_week(program=program, weeks=[week])[week.id].juniors
    paired = set(
        Pair.objects.filter(week=week, is_removed=False).values_list("junior_id", flat=True)
    )
    without = sum(1 for junior in juniors if junior.id not in paired)
    if not without:
        return []
    return [
        AttentionItem(
            text=f"{plural(without, 'junior')} on service this week "
            f"{'has' if without == 1 else 'have'} no senior.",
            url=reverse("program-weeks", kwargs={"slug": program.slug}),
            tone=ATTENTION_WARN,
        )
    ]


def _own_pair_items(*, person: Person, program: Program) -> list[AttentionItem]:
    """This week's pairs of `person` only — never anyone else's — as one item: a junior
    paired with three seniors reads one line naming all three, not three lines."""
    today = program_today(program=program)
    monday = today - datetime.timedelta(days=today.weekday())
    pairs = (
        Pair.objects.filter(Q(junior=person) | Q(senior=person))
        .filter(week__program=program, week__starts_on=monday, is_removed=False)
        .select_related("junior", "senior")
        .order_by("pk")
    )
    names = [
        (pair.senior if pair.junior_id == person.pk else pair.junior).full_name for pair in pairs
    ]
    if not names:
        return []
    together = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return [
        AttentionItem(
            text=f"This week: you and {together}.",
            url=reverse("workspace", kwargs={"slug": program.slug}),
        )
    ]


def attention_items(*, person: Person, program: Program) -> list[AttentionItem]:
    """What the programs app knows needs `person` in `program`: for directors and
    coordinators, juniors on service without a senior this week (a count); for juniors
    and seniors, their own pair this week (failed emails: site.selectors, which may read
    the outbox). What a program's kind
    adds (e.g. a one-to-one program's unmatched mentees) comes from the kind registry,
    `programs.kinds.home_items`."""
    standing = access.program_access(person, program)
    items: list[AttentionItem] = []
    if standing.manages and program.kind == ProgramKind.CASE_REVIEW:
        items += _case_review_staff_items(program=program)
    if standing.is_learner and program.kind == ProgramKind.CASE_REVIEW:
        items += _own_pair_items(person=person, program=program)
    return items
