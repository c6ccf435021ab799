"""The demo program: the near-peer "must-see case" program of seed 000, ready to try.

Everything is loaded through the same doors a director uses:

- `roster.csv` through `programs.services.roster_import` — a director, a coordinator,
  a faculty member, a researcher, 4 R1 juniors and 10 seniors (R3–R5 and fellows);
- `schedule.csv` through `programs.services.schedule_import` — each R1 has a 4-week
  Nuclear Medicine rotation with 2–3 seniors on service each week, except one
  holiday week where an R1 is on service with no senior (the flag the director sees);
- `curriculum/` (curriculum.yaml and images/) zipped and read by
  `curriculum.package.curriculum_package_import` — six weeks of cases.

The files are written for a program that starts on `REFERENCE_START`. The demo keeps
current by moving every date: the program starts `WEEKS_BEFORE_TODAY` weeks before
the week holding today, so today is in its fourth week and four more follow.
Loading twice in one week changes nothing; loading in a later week moves the demo
program (its weeks, blocks and pairs) to the new dates.
"""

import csv
import datetime
import io
import random
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q

from medmentor.curriculum.models import CaseReview, ReviewStatus, WeekPlan, case_date
from medmentor.curriculum.package import (
    curriculum_of,
    curriculum_package_import,
)
from medmentor.curriculum.services import case_review_mark, week_plans_assign
from medmentor.people.models import Institution, Person
from medmentor.programs import access
from medmentor.programs import services as program_services
from medmentor.programs.models import Pair, Program, ProgramWeek, Role, ServiceBlock

DEMO_FOLDER = Path(__file__).resolve().parent
CURRICULUM_FOLDER = DEMO_FOLDER / "curriculum"
ROSTER_FILE = DEMO_FOLDER / "roster.csv"
SCHEDULE_FILE = DEMO_FOLDER / "schedule.csv"

PASSWORD = "medmentor-demo"  # noqa: S105 - the demo's published password, printed on purpose
# The operations account (admin site only), separate from every program's people.
OPERATIONS_EMAIL = "ops@demo.medmentor.test"
OPERATIONS_NAME = "Demo Operations"
INSTITUTION = "Riverbend University Medical Center"
SERVICE = "Nuclear Medicine"
PROGRAM_NAME = "Nuclear Medicine near-peer must-see case"
PROGRAM_SLUG = "nm-must-see"
TIME_ZONE = "America/New_York"
PROGRAM_DESCRIPTION = (
    "Welcome to the Nuclear Medicine service. In this near-peer program, every service "
    "day the senior on service (R3 to fellow) reviews a must-see case with the R1: the "
    "cases follow this week's topic and recommended reading, and each comes with a few "
    "questions and their answers. Juniors and seniors can see the questions and answers "
    "from the start of the week. Juniors choose how to learn: read the answers first and "
    "then review with your senior, or go in blind and answer together for the first "
    "time. This is a safe learning space — seniors do not report to faculty how a junior "
    "did — and clinical work always comes first: skip a day whenever patient care needs "
    "you."
)
# The dates in schedule.csv are written for a program starting on this Monday.
REFERENCE_START = datetime.date(2026, 11, 2)
WEEKS_BEFORE_TODAY = 3


class DemoError(Exception):
    """The demo could not be loaded; the message says why (nothing was kept)."""


@dataclass
class DemoLoad:
    """What loading the demo did, for the console to print."""

    program: Program
    lines: list[str] = field(default_factory=list)
    people: list[tuple[str, Person]] = field(default_factory=list)
    operations: Person | None = None


def _monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def demo_start_for(today: datetime.date) -> datetime.date:
    """The Monday the demo program starts on, when loaded on `today`."""
    return _monday_of(today) - datetime.timedelta(weeks=WEEKS_BEFORE_TODAY)


def demo_schedule(*, starts_on: datetime.date) -> bytes:
    """schedule.csv with every date moved to a program that starts on `starts_on`."""
    shift = starts_on - REFERENCE_START
    rows = list(csv.DictReader(io.StringIO(SCHEDULE_FILE.read_text(encoding="utf-8"))))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        for column in ("start_date", "end_date"):
            row[column] = (datetime.date.fromisoformat(row[column]) + shift).isoformat()
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def demo_curriculum_package() -> bytes:
    """The demo curriculum folder as a package (zip bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(CURRICULUM_FOLDER.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(CURRICULUM_FOLDER).as_posix())
    return buffer.getvalue()


def _check(result, file_name: str, nouns: tuple[str, str, str]) -> str:
    """The import's outcome in one line, from its row counts; raise when it was refused."""
    if result.errors or not result.applied:
        problems = "; ".join(str(error) for error in result.errors[:5])
        raise DemoError(f"The demo's {file_name} was refused: {problems or 'not applied'}")
    counts = result.counts
    added, changed, kept = nouns
    return (
        f"{counts['create']} {added}, {counts['update']} {changed}, {counts['unchanged']} {kept}."
    )


def _move_program(program: Program, starts_on: datetime.date) -> None:
    """Re-date the demo program: its old weeks (with their pairs and plans) and blocks go."""
    ServiceBlock.objects.filter(program=program).delete()
    ProgramWeek.objects.filter(program=program).delete()
    program.starts_on = starts_on
    program.save(update_fields=["starts_on"])


def demo_today() -> datetime.date:
    """Today in the demo program's time zone."""
    return datetime.datetime.now(tz=ZoneInfo(TIME_ZONE)).date()


def demo_load(*, today: datetime.date) -> DemoLoad:
    """Create (or bring up to date) the demo program; safe to run any number of times."""
    starts_on = demo_start_for(today)
    with transaction.atomic():
        program = Program.objects.filter(slug=PROGRAM_SLUG).first()
        lines = []
        if program is None:
            institution_new = not Institution.objects.filter(name=INSTITUTION).exists()
            program = program_services.program_create(
                name=PROGRAM_NAME,
                slug=PROGRAM_SLUG,
                institution_name=INSTITUTION,
                service_name=SERVICE,
                starts_on=starts_on,
                time_zone=TIME_ZONE,
                description=PROGRAM_DESCRIPTION,
            )
            if institution_new:
                lines.append(f"Created the institution {INSTITUTION} with its {SERVICE} service.")
            lines.append(f"Created the program “{PROGRAM_NAME}” ({PROGRAM_SLUG}).")
        elif program.starts_on != starts_on:
            lines.append(
                f"Moved the program from {program.starts_on:%d %b %Y} to start on "
                f"{starts_on:%d %b %Y}, so that this week is its week {WEEKS_BEFORE_TODAY + 1}."
            )
            _move_program(program, starts_on)
        else:
            lines.append(f"The program “{PROGRAM_NAME}” is already loaded and current.")

        roster = program_services.roster_import(
            program=program,
            file_name=ROSTER_FILE.name,
            content=ROSTER_FILE.read_bytes(),
            apply=True,
            by=access.SYSTEM,  # the demo loader runs at the operations console
        )
        lines.append(
            "Roster: " + _check(roster, ROSTER_FILE.name, ("people added", "updated", "unchanged"))
        )
        people = _demo_people(program)
        lines.append(_set_passwords([person for _, person in people]))
        operations = _operations_account()

        schedule = program_services.schedule_import(
            program=program,
            file_name=SCHEDULE_FILE.name,
            content=demo_schedule(starts_on=starts_on),
            apply=True,
            by=access.SYSTEM,
        )
        lines.append(
            "Schedule: "
            + _check(
                schedule, SCHEDULE_FILE.name, ("rotation blocks added", "replaced", "unchanged")
            )
        )

        last_day = max(
            ServiceBlock.objects.filter(program=program).values_list("ends_on", flat=True)
        )
        weeks = program_services.program_weeks_ensure(program=program, until=last_day)
        flagged = []
        pair_count = 0
        for week in weeks:
            # The demo writes the history of its past weeks as of their own time
            # (finished weeks are frozen for everyone else).
            derivation = program_services.pairs_derive(
                program=program, week=week, today=week.starts_on
            )
            pair_count += len(derivation.pairs)
            flagged += [
                f"{junior.full_name} in the week of {week.starts_on:%d %b}"
                for junior in derivation.juniors_without_senior
            ]
        lines.append(
            f"Weeks: {len(weeks)} ({weeks[0].starts_on:%d %b} to {weeks[-1].ends_on:%d %b %Y}), "
            f"{pair_count} junior–senior pairs."
        )
        if flagged:
            lines.append("No senior on service (flagged to the director): " + "; ".join(flagged))

        if curriculum_of(program=program) is None:
            curriculum = curriculum_package_import(
                program=program, content=demo_curriculum_package()
            )
            lines.append(
                f"Curriculum: imported “{curriculum.title}” ({curriculum.weeks.count()} weeks)."
            )
        else:
            lines.append("Curriculum: already there, left as it is.")
        week_plans_assign(program=program, today=program.starts_on)
        taught = [
            plan.curriculum_week.number
            for plan in WeekPlan.objects.filter(program_week__program=program)
            .select_related("curriculum_week")
            .order_by("program_week__starts_on")
        ]
        lines.append(
            f"Week plans: the {len(taught)} program weeks teach curriculum weeks "
            + ", ".join(str(number) for number in taught)
            + "."
        )
        lines.append(_seed_case_reviews(program=program, today=today))
    return DemoLoad(program=program, lines=lines, people=people, operations=operations)


def _seed_case_reviews(*, program: Program, today: datetime.date) -> str:
    """Reviewed and skipped marks for the weeks already over, as pairs would have left
    them, so the director's page has participation figures to show on the first visit.
    Only when the program has none yet: a second run (or real use) is left alone."""
    pairs = list(
        Pair.objects.filter(
            week__program=program,
            week__starts_on__lte=today - datetime.timedelta(days=7),
            is_removed=False,
        )
        .select_related("week", "junior")
        .order_by("week__starts_on", "junior__email", "senior__email")
    )
    if CaseReview.objects.filter(pair__in=pairs).exists():
        return "Case reviews: already there, left as they are."
    plans = {
        plan.program_week_id: list(plan.curriculum_week.cases.order_by("day", "pk"))
        for plan in WeekPlan.objects.filter(program_week__program=program).select_related(
            "curriculum_week"
        )
    }
    # A fixed seed: the same marks on every fresh load.
    chance = random.Random(2026)
    marked = 0
    for pair in pairs:
        for case in plans.get(pair.week_id, []):
            roll = chance.random()
            if roll < 0.15:
                continue  # not marked yet
            status = ReviewStatus.SKIPPED if roll < 0.3 else ReviewStatus.REVIEWED
            case_review_mark(
                pair=pair,
                case=case,
                status=status,
                by=pair.junior,
                today=case_date(pair.week.starts_on, case.day),
            )
            marked += 1
    return f"Case reviews: {marked} marks (reviewed or skipped) in the weeks already over."


def _demo_people(program: Program) -> list[tuple[str, Person]]:
    """Each demo person with the role they sign in as, in the roster's order."""
    emails = [
        row["email"] for row in csv.DictReader(io.StringIO(ROSTER_FILE.read_text(encoding="utf-8")))
    ]
    by_email = {person.email: person for person in Person.objects.filter(email__in=emails)}
    people = []
    for email in emails:
        person = by_email[email]
        roles = access.program_access(person, program).roles
        role = next((role for role in Role.values if role in roles), "")
        people.append((role, person))
    return people


def _set_passwords(people: list[Person]) -> str:
    """Give demo people without a password the demo's published one.

    People the roster just created have none; a person who already has one (the demo
    password, or one they chose) keeps it, so a second run changes nothing. One hash
    serves everyone: Argon2 is slow on purpose, and this password is public anyway.
    """
    without = [person for person in people if not person.has_usable_password()]
    if without:
        hashed = make_password(PASSWORD)
        Person.objects.filter(pk__in=[person.pk for person in without]).update(password=hashed)
    # Program people are never staff or superusers (docs/privacy.md): the director runs
    # the program from its pages. An older demo made its director a superuser; undo it.
    Person.objects.filter(pk__in=[person.pk for person in people]).filter(
        Q(is_staff=True) | Q(is_superuser=True)
    ).update(is_staff=False, is_superuser=False)
    if without:
        return f"Passwords: set “{PASSWORD}” for {len(without)} demo people."
    return "Passwords: every demo person already has one (the demo's is “medmentor-demo”)."


def _operations_account() -> Person:
    """The demo's operations superuser: a separate account with no enrollment, for the
    admin site only (docs/deploy.md). Even it cannot open a learner's private progress,
    set anyone's password or see when a learner last signed in."""
    person = Person.objects.filter(email=OPERATIONS_EMAIL).first()
    if person is None:
        person = Person.objects.create_superuser(
            email=OPERATIONS_EMAIL, password=PASSWORD, full_name=OPERATIONS_NAME
        )
    return person
