"""The service schedule import: rotation blocks that say who is on which service when.

Each row puts a person already on the roster on a service for a span of days; a row
replaces the blocks of the same person and service whose dates it overlaps. After an
import the pairs of every week the change touches are derived again (through `weeks`),
except in finished weeks, which stay as they were. The reading, preview and
one-transaction write come from the shared engine in `imports`.
"""

import datetime
from dataclasses import dataclass, field

from medmentor.people.models import Person, Service
from medmentor.programs import access, selectors
from medmentor.programs.access import Actor
from medmentor.programs.importing import Change, ImportResult, PreviewRow, RowError, Sheet, SheetRow
from medmentor.programs.models import Program, ServiceBlock
from medmentor.programs.services.imports import (
    _checked_email,
    _column_mapping_of,
    _Plan,
    _RowProblems,
    _run_import,
)
from medmentor.programs.services.weeks import pairs_derive, program_weeks_ensure

SCHEDULE_COLUMNS = ("email", "service", "start_date", "end_date")
SCHEDULE_REQUIRED = ("email", "start_date", "end_date")
SCHEDULE_ALIASES = {
    "e_mail": "email",
    "email_address": "email",
    "rotation": "service",
    "start": "start_date",
    "starts_on": "start_date",
    "from": "start_date",
    "end": "end_date",
    "ends_on": "end_date",
    "to": "end_date",
}


@dataclass(frozen=True)
class _Block:
    """What a row asks for once every part of it was read: who, where, from, to."""

    person: Person
    service: Service
    starts_on: datetime.date
    ends_on: datetime.date


@dataclass
class _ScheduleRow:
    preview: PreviewRow
    person: Person | None = None
    service: Service | None = None
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    keep: ServiceBlock | None = None
    replaces: list[ServiceBlock] = field(default_factory=list)

    @property
    def block(self) -> _Block | None:
        """The block, when the person, service and both dates were all read."""
        if self.person and self.service and self.starts_on and self.ends_on:
            return _Block(self.person, self.service, self.starts_on, self.ends_on)
        return None

    @property
    def checked_block(self) -> _Block:
        """The block of a row without errors (reading reports every missing part)."""
        block = self.block
        assert block is not None, f"row {self.preview.row} has no errors but no block"
        return block


def schedule_import(
    *, program: Program, file_name: str, content: bytes, apply: bool, by: Actor
) -> ImportResult:
    """Preview (apply=False) or import (apply=True) rotation blocks of the service schedule.

    Each row puts a person already on the program's roster on a service from
    start_date to end_date (both included). A row replaces any block already stored
    for the same person and service whose dates overlap it; other blocks are kept.
    After an import the pairs of every week the change touches are derived again.
    `by` (a director or coordinator, or access.SYSTEM) is checked before the file is read.
    """
    access.require_manager(
        by,
        program,
        f"Only the directors and coordinators of {program.name} may import its schedule.",
    )
    return _run_import(
        file_name=file_name,
        content=content,
        apply=apply,
        columns=SCHEDULE_COLUMNS,
        required=SCHEDULE_REQUIRED,
        aliases=SCHEDULE_ALIASES,
        plan=lambda sheet: _schedule_plan(program, sheet),
        mapping=_column_mapping_of(program, "schedule"),
    )


def _block_dates(starts_on: datetime.date, ends_on: datetime.date) -> str:
    return f"{starts_on.isoformat()} to {ends_on.isoformat()}"


def _schedule_read_row(
    program: Program,
    row: SheetRow,
    on_roster: dict[str, Person],
    services: dict[str, Service],
) -> _ScheduleRow:
    problems = _RowProblems(row)
    parsed = _ScheduleRow(preview=PreviewRow(row=row.number, action="", values={}))
    email = _checked_email(problems)
    if email:
        parsed.person = on_roster.get(email)
        if parsed.person is None:
            problems.add(
                "email",
                email,
                f"unknown person: {email} is not on this program's roster; import them "
                "with the roster first",
            )

    service_text = row.text("service")
    if service_text:
        parsed.service = services.get(service_text.lower())
        if parsed.service is None:
            known = sorted({service.name for service in services.values()})
            problems.add(
                "service",
                service_text,
                f"unknown service “{service_text}” at {program.institution.name}; known "
                f"services: {', '.join(known) or 'none'}. Add it in the admin first, or leave "
                "the cell blank for the program's own service",
            )
    elif program.service is not None:
        parsed.service = program.service
    else:
        problems.add(
            "service", "", "missing service: this program has no service of its own to assume"
        )

    parsed.starts_on = problems.date("start_date", required=True)
    parsed.ends_on = problems.date("end_date", required=True)
    if parsed.starts_on and parsed.ends_on and parsed.ends_on < parsed.starts_on:
        problems.add(
            "end_date",
            row.text("end_date"),
            f"end before start: the block ends on {parsed.ends_on} but starts on "
            f"{parsed.starts_on}",
        )

    values = {name: row.text(name) for name in SCHEDULE_COLUMNS if name in row.cells}
    values["email"] = email or values.get("email", "")
    if parsed.service is not None:
        values["service"] = parsed.service.name
    if parsed.starts_on:
        values["start_date"] = parsed.starts_on.isoformat()
    if parsed.ends_on:
        values["end_date"] = parsed.ends_on.isoformat()
    parsed.preview.values = values
    parsed.preview.errors = problems.errors
    return parsed


def _schedule_check_overlaps(parsed_rows: list[_ScheduleRow]) -> None:
    by_person_service: dict[tuple[int, int], list[tuple[_Block, _ScheduleRow]]] = {}
    for parsed in parsed_rows:
        if block := parsed.block:
            key = (block.person.id, block.service.id)
            by_person_service.setdefault(key, []).append((block, parsed))
    for group in by_person_service.values():
        group.sort(key=lambda pair: (pair[0].starts_on, pair[1].preview.row))
        latest_end: tuple[_Block, _ScheduleRow] | None = None
        for block, parsed in group:
            if latest_end is not None and block.starts_on <= latest_end[0].ends_on:
                earlier, earlier_row = latest_end
                parsed.preview.errors.append(
                    RowError(
                        row=parsed.preview.row,
                        column="start_date",
                        value=block.starts_on.isoformat(),
                        reason=(
                            f"overlapping blocks: {block.person.email} is already on "
                            f"{block.service.name} from "
                            f"{_block_dates(earlier.starts_on, earlier.ends_on)} "
                            f"(row {earlier_row.preview.row})"
                        ),
                    )
                )
            if latest_end is None or block.ends_on > latest_end[0].ends_on:
                latest_end = (block, parsed)


def _schedule_plan(program: Program, sheet: Sheet) -> _Plan:
    on_roster = {
        person.email.lower(): person
        for person in Person.objects.filter(enrollments__program=program).distinct()
    }
    services: dict[str, Service] = {
        service.name.lower(): service
        for service in Service.objects.filter(institution=program.institution)
    }
    if program.service is not None:
        services.setdefault(program.service.name.lower(), program.service)
    parsed_rows = [_schedule_read_row(program, row, on_roster, services) for row in sheet.rows]
    _schedule_check_overlaps(parsed_rows)

    stored: dict[tuple[int, int], list[ServiceBlock]] = {}
    for block in ServiceBlock.objects.filter(
        program=program, person__in={parsed.person for parsed in parsed_rows if parsed.person}
    ):
        stored.setdefault((block.person_id, block.service_id), []).append(block)

    for parsed in parsed_rows:
        if parsed.preview.errors:
            parsed.preview.action = "error"
            continue
        wanted = parsed.checked_block
        for block in stored.get((wanted.person.id, wanted.service.id), []):
            if block.starts_on == wanted.starts_on and block.ends_on == wanted.ends_on:
                parsed.keep = block
            elif block.starts_on <= wanted.ends_on and block.ends_on >= wanted.starts_on:
                parsed.replaces.append(block)
        if parsed.replaces:
            parsed.preview.action = "update"
            parsed.preview.changes = [
                Change(
                    "dates",
                    "; ".join(_block_dates(b.starts_on, b.ends_on) for b in parsed.replaces),
                    _block_dates(wanted.starts_on, wanted.ends_on),
                )
            ]
        else:
            parsed.preview.action = "unchanged" if parsed.keep else "create"
    return _Plan(
        rows=[parsed.preview for parsed in parsed_rows],
        apply=lambda: _schedule_apply(program, parsed_rows),
    )


def _schedule_apply(program: Program, parsed_rows: list[_ScheduleRow]) -> list[str]:
    # Applied only when no row has errors, so every row has its block.
    wanted = [(parsed, parsed.checked_block) for parsed in parsed_rows]
    replaced = {block.id: block for parsed in parsed_rows for block in parsed.replaces}
    ServiceBlock.objects.filter(id__in=replaced).delete()
    new_blocks = [
        ServiceBlock(
            program=program,
            person=block.person,
            service=block.service,
            starts_on=block.starts_on,
            ends_on=block.ends_on,
        )
        for parsed, block in wanted
        if parsed.keep is None
    ]
    ServiceBlock.objects.bulk_create(new_blocks)
    notes = [f"{len(new_blocks)} blocks added, {len(replaced)} replaced."]

    # Pairs follow the schedule: derive them again for every week the file covers
    # (its unchanged rows too: roles may have changed since) and every week a
    # replaced block covered.
    if program.service_id is None:
        return notes
    touched = [
        (block.starts_on, block.ends_on)
        for _, block in wanted
        if block.service.id == program.service_id
    ] + [
        (block.starts_on, block.ends_on)
        for block in replaced.values()
        if block.service_id == program.service_id
    ]
    if not touched:
        return notes
    first_day = min(start for start, _ in touched)
    last_day = max(end for _, end in touched)
    weeks = [
        week
        for week in program_weeks_ensure(program=program, until=last_day)
        if week.ends_on >= first_day
    ]
    # Finished weeks keep their pairs (docs/privacy.md): the blocks are stored, the
    # pairs those weeks had stay as they were.
    today = selectors.program_today(program=program)
    finished = [week for week in weeks if selectors.week_is_finished(week=week, today=today)]
    weeks = [week for week in weeks if week not in finished]
    weeks_with_lone_junior = 0
    for week in weeks:
        if pairs_derive(program=program, week=week).juniors_without_senior:
            weeks_with_lone_junior += 1
    notes.append(f"Pairs derived again for {_count(len(weeks), 'week')}.")
    if finished:
        notes.append(
            f"The pairs of {_count(len(finished), 'finished week')} were kept as they were: "
            "finished weeks never change, so the program's figures never move."
        )
    if weeks_with_lone_junior:
        notes.append(
            f"In {_count(weeks_with_lone_junior, 'week')} a junior has no senior on service; "
            "see the weeks and pairs page."
        )
    return notes


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
