"""Forming groups from a profiles file through `matching.form_groups`.

1. The profiles file (CSV or XLSX), one row per junior or senior on the roster: their
   place, specialty, interest and career stage, who they must be with or apart from,
   and a group they are locked into. The programs app's import engine reads it: every
   row checked first, errors naming row and column, then all of it or nothing.
2. A formation run: `form_groups` over the profiled people not yet in a group, similar
   on some attributes and diverse on others, optionally split into subgroups by
   place, specialty or interest first; each group's explanation kept for review.
3. Publishing: the groups and memberships in one transaction, one email per member
   through the outbox asking them to read and accept the agreement.
"""

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from medmentor.groups.models import (
    FormationRun,
    FormationStatus,
    GroupProfile,
    Membership,
    PeerGroup,
)
from medmentor.groups.services.membership import (
    GroupError,
    _locked,
    _place,
    agreement_current,
    group_settings_for,
)
from medmentor.matching.groups import GroupSpec, explain_grouping, form_groups
from medmentor.matching.model import MatchingInputError
from medmentor.messaging.personal_links import sign_in_placeholder
from medmentor.messaging.services import RenderedEmail, outbox_enqueue_many
from medmentor.people.models import Person
from medmentor.programs import access
from medmentor.programs.access import Actor
from medmentor.programs.importing import ImportResult, PreviewRow, Sheet
from medmentor.programs.models import LEARNER_ROLES, Enrollment, Program
from medmentor.programs.services.imports import _checked_email, _Plan, _RowProblems, _run_import

GROUP_PROFILE_COLUMNS = (
    "email",
    "place",
    "specialty",
    "interest",
    "career_stage",
    "together_with",
    "apart_from",
    "group",
)
GROUP_PROFILE_ALIASES = {
    "e_mail": "email",
    "email_address": "email",
    "location": "place",
    "region": "place",
    "site": "place",
    "interests": "interest",
    "stage": "career_stage",
    "locked_group": "group",
}
# What formation may group on (the profile's fields).
ATTRIBUTES = ("place", "specialty", "interest", "career_stage")
SUBGROUP_ATTRIBUTES = ("place", "specialty", "interest")
_TEXT = ("place", "specialty", "interest", "career_stage", "group")


def _emails(text: str) -> list[str]:
    return [part.strip().lower() for part in text.replace("|", ";").split(";") if part.strip()]


@dataclass
class _Row:
    preview: PreviewRow
    person: Person | None = None
    values: dict[str, object] = field(default_factory=dict)


def group_profiles_import(
    *, program: Program, file_name: str, content: bytes, apply: bool, by: Actor
) -> ImportResult:
    """Preview (apply=False) or import (apply=True) the group profiles: all or nothing."""
    access.require_manager(
        by, program, f"Only the directors and coordinators of {program.name} import group profiles."
    )
    return _run_import(
        file_name=file_name,
        content=content,
        apply=apply,
        columns=GROUP_PROFILE_COLUMNS,
        required=("email",),
        aliases=GROUP_PROFILE_ALIASES,
        plan=lambda sheet: _profiles_plan(program, sheet),
    )


def _profiles_plan(program: Program, sheet: Sheet) -> _Plan:
    learners = {
        e.person.email.lower(): e.person
        for e in Enrollment.objects.filter(program=program, role__in=LEARNER_ROLES).select_related(
            "person"
        )
    }
    existing = {p.person_id: p for p in GroupProfile.objects.filter(program=program)}
    in_file = {row.text("email").lower() for row in sheet.rows}
    seen: dict[str, int] = {}
    rows: list[_Row] = []
    for row in sheet.rows:
        problems = _RowProblems(row)
        email = _checked_email(problems, seen, duplicate_hint="List each person once")
        parsed = _Row(
            preview=PreviewRow(
                row=row.number,
                action="create",
                values={name: row.text(name) for name in sheet.columns},
            )
        )
        if email and email not in learners:
            problems.add(
                "email",
                email,
                f"{email} is not a junior or senior of {program.name}; import the roster first",
            )
        parsed.person = learners.get(email)
        for name in _TEXT:
            if name in sheet.columns:
                value = " ".join(row.text(name).split())
                if len(value) > 120:
                    problems.add(name, value[:40], "longer than 120 characters")
                parsed.values[name] = value
        for name in ("together_with", "apart_from"):
            if name in sheet.columns:
                others = _emails(row.text(name))
                for other in others:
                    if other == email:
                        problems.add(name, other, "names the person themselves")
                    elif other not in in_file:
                        problems.add(name, other, f"{other} is not a row of this file")
                parsed.values[name] = others
        parsed.preview.errors = problems.errors
        if problems.errors:
            parsed.preview.action = "error"
        elif parsed.person is not None and parsed.person.pk in existing:
            old = existing[parsed.person.pk]
            changed = any(getattr(old, k) != v for k, v in parsed.values.items())
            parsed.preview.action = "update" if changed else "unchanged"
        rows.append(parsed)
    return _Plan(rows=[r.preview for r in rows], apply=lambda: _profiles_apply(program, rows))


def _profiles_apply(program: Program, rows: list[_Row]) -> list[str]:
    # In bulk: a national network's file has tens of thousands of rows.
    existing = {p.person_id: p for p in GroupProfile.objects.filter(program=program)}
    new, changed = [], []
    for parsed in rows:
        if parsed.preview.action == "unchanged":
            continue
        assert parsed.person is not None, f"row {parsed.preview.row} has no person"
        profile = existing.get(parsed.person.pk)
        if profile is None:
            new.append(GroupProfile(program=program, person=parsed.person, **parsed.values))
            continue
        for name, value in parsed.values.items():
            setattr(profile, name, value)
        changed.append(profile)
    GroupProfile.objects.bulk_create(new, batch_size=2000)
    if changed:
        GroupProfile.objects.bulk_update(
            changed, [*_TEXT, "together_with", "apart_from"], batch_size=2000
        )
    return [f"{len(new)} profile(s) added, {len(changed)} updated."]


# --- Formation ----------------------------------------------------------------------------


# Up to this many people waiting, the web page forms (and publishes) in the request;
# more (a national network) run as background tasks with a progress page. The
# GROUPS_FORMATION_INLINE_LIMIT setting overrides it.
FORMATION_INLINE_LIMIT = 2_000


def _inline_limit() -> int:
    return int(getattr(django_settings, "GROUPS_FORMATION_INLINE_LIMIT", FORMATION_INLINE_LIMIT))


FORMATION_STEPS = 4
PUBLISH_STEPS = 2

Progress = Callable[[int, str], None]


def _formation_check(*, similar: list[str], diverse: list[str], subgroup_by: str) -> None:
    for name in [*similar, *diverse]:
        if name not in ATTRIBUTES:
            raise GroupError(
                f"“{name[:30]}” is not something groups are formed on: {', '.join(ATTRIBUTES)}."
            )
    if set(similar) & set(diverse):
        raise GroupError("An attribute is either similar or diverse within a group, not both.")
    if subgroup_by and subgroup_by not in SUBGROUP_ATTRIBUTES:
        raise GroupError(f"Subgroups are by {', '.join(SUBGROUP_ATTRIBUTES)}.")


def _waiting_profiles(program: Program) -> list[GroupProfile]:
    settings = group_settings_for(program=program)
    placed = set(
        Membership.objects.filter(program=program, left_at__isnull=True).values_list(
            "person_id", flat=True
        )
    )
    return [
        p
        for p in GroupProfile.objects.filter(program=program)
        .select_related("person")
        .order_by("person_id")
        if p.person_id not in placed or not settings.one_group_per_member
    ]


def _formation_groups(
    *,
    program: Program,
    similar: list[str],
    diverse: list[str],
    subgroup_by: str,
    seed: int,
    progress: Progress,
) -> list[dict]:
    """The draft's groups of the people waiting, with each group's explanation."""
    settings = group_settings_for(program=program)
    progress(0, "Reading the profiles of the people waiting for a group")
    profiles = _waiting_profiles(program)
    if not profiles:
        raise GroupError("No one is waiting for a group: import the group profiles first.")
    ids = [p.person_id for p in profiles]
    by_email = {p.person.email.lower(): p.person_id for p in profiles}
    columns = {name: [getattr(p, name) for p in profiles] for name in ATTRIBUTES}
    similar_all = tuple(dict.fromkeys([subgroup_by, *similar] if subgroup_by else similar))
    together = []
    apart: list[tuple[int, int]] = []
    for p in profiles:
        mates = {by_email[e] for e in p.together_with if e in by_email}
        if mates:
            together.append(frozenset({p.person_id, *mates}))
        apart.extend((p.person_id, by_email[e]) for e in p.apart_from if e in by_email)
    spec = GroupSpec(
        min_size=min(4, settings.group_size_limit),
        max_size=settings.group_size_limit,
        similar=similar_all,
        diverse=tuple(diverse),
        together=tuple(together),
        apart=tuple(apart),
        locked={p.person_id: p.group for p in profiles if p.group},
    )
    progress(1, f"Forming groups of {len(profiles):,} people, at most {spec.max_size} in each")
    try:
        grouping = form_groups(ids, columns, spec, seed=seed)
    except MatchingInputError as error:
        raise GroupError(f"These groups cannot be formed: {error}") from None
    progress(2, "Explaining each group")
    explanations = explain_grouping(grouping, columns, spec)
    progress(3, "Naming the groups and saving the draft")
    subgroup_of: dict[object, str] = (
        dict(zip(ids, columns.get(subgroup_by, [""] * len(ids)), strict=True))
        if subgroup_by
        else {}
    )
    taken = {
        n.lower() for n in PeerGroup.objects.filter(program=program).values_list("name", flat=True)
    }
    numbers: Counter[str] = Counter()
    groups = []
    for number, members in enumerate(grouping.members()):
        label = grouping.labels[number]
        subgroup = (
            Counter(subgroup_of[m] for m in members).most_common(1)[0][0] if subgroup_by else ""
        )
        if label:
            name = str(label)
        else:
            stem = subgroup or "Group"
            while True:
                numbers[stem] += 1
                name = f"{stem} {numbers[stem]}"
                if name.lower() not in taken:
                    break
        taken.add(name.lower())
        summary = explanations[number].summary.split(": ", 1)[-1]
        groups.append(
            {"name": name, "subgroup": subgroup, "members": list(members), "summary": summary}
        )
    return groups


def formation_run_create(
    *,
    program: Program,
    by: Actor,
    similar: list[str],
    diverse: list[str],
    subgroup_by: str = "",
    seed: int = 0,
    now: datetime.datetime | None = None,
    inline: bool | None = True,
) -> FormationRun:
    """Draft groups of the profiled people not yet in a group, with each group's
    explanation; nothing is published (no group, no email) until formation_publish.

    With inline=True (the console) the draft is made here; with inline=None (the web
    page) only up to FORMATION_INLINE_LIMIT people waiting: more are queued as a Django
    task (groups.tasks.formation_run_task, which `medmentor db_worker` runs) and the
    run reports its progress until it is a draft."""
    access.require_manager(
        by, program, f"Only the directors and coordinators of {program.name} form groups."
    )
    now = now or timezone.now()
    _formation_check(similar=similar, diverse=diverse, subgroup_by=subgroup_by)
    if inline is None:
        inline = GroupProfile.objects.filter(program=program).count() <= _inline_limit()
    if not inline:
        with transaction.atomic():
            run = FormationRun.objects.create(
                program=program,
                similar=list(similar),
                diverse=list(diverse),
                subgroup_by=subgroup_by,
                status=FormationStatus.QUEUED,
                step="Waiting for the task runner to start forming the groups",
                steps_total=FORMATION_STEPS,
                created_at=now,
                created_by=access.recorded_by(by),
            )
            from medmentor.groups.tasks import formation_run_task

            transaction.on_commit(lambda: formation_run_task.enqueue(run_id=run.pk))
        return run
    groups = _formation_groups(
        program=program,
        similar=similar,
        diverse=diverse,
        subgroup_by=subgroup_by,
        seed=seed,
        progress=lambda done, words: None,
    )
    return FormationRun.objects.create(
        program=program,
        similar=list(similar),
        diverse=list(diverse),
        subgroup_by=subgroup_by,
        groups=groups,
        created_at=now,
        created_by=access.recorded_by(by),
    )


def _progress_save(run_id: int, status: str, done: int, words: str) -> None:
    # Outside any transaction: the progress page reads it from another connection.
    FormationRun.objects.filter(pk=run_id).update(status=status, steps_done=done, step=words)


def formation_run_execute(*, run_id: int) -> FormationRun | None:
    """Form the groups of a queued run (the task's work), saving its progress as it
    goes; a failure is kept on the run, in words. A run not queued is left alone."""
    run = FormationRun.objects.select_related("program").filter(pk=run_id).first()
    if run is None or run.status != FormationStatus.QUEUED:
        return run
    try:
        groups = _formation_groups(
            program=run.program,
            similar=run.similar,
            diverse=run.diverse,
            subgroup_by=run.subgroup_by,
            seed=0,
            progress=lambda done, words: _progress_save(
                run.pk, FormationStatus.FORMING, done, words
            ),
        )
    except GroupError as error:
        FormationRun.objects.filter(pk=run.pk).update(
            status=FormationStatus.FAILED, error=str(error), step="Stopped"
        )
    except Exception:
        FormationRun.objects.filter(pk=run.pk).update(
            status=FormationStatus.FAILED,
            error="An unexpected error stopped the formation; nothing was saved. Try again, "
            "and tell the site's administrator if it happens again.",
            step="Stopped",
        )
        raise
    else:
        FormationRun.objects.filter(pk=run.pk).update(
            status=FormationStatus.DRAFT,
            groups=groups,
            steps_done=FORMATION_STEPS,
            step=f"Done: {len(groups):,} groups drafted",
        )
    run.refresh_from_db()
    return run


def formation_publish_queue(
    *, run: FormationRun, by: Actor, inline: bool | None = None
) -> FormationRun:
    """Publish a draft here (small: returns it published) or queue its publication as a
    Django task (large: returns it publishing); formation_publish does the work."""
    program = run.program
    access.require_manager(
        by, program, f"Only the directors and coordinators of {program.name} publish groups."
    )
    if inline is None:
        inline = sum(len(g["members"]) for g in run.groups) <= _inline_limit()
    if inline:
        formation_publish(run=run, by=by)
        run.refresh_from_db()
        return run
    with transaction.atomic():
        fresh = FormationRun.objects.select_for_update().get(pk=run.pk)
        _require_publishable(fresh)
        fresh.status = FormationStatus.PUBLISHING
        fresh.error = ""
        fresh.steps_done = 0
        fresh.steps_total = PUBLISH_STEPS
        fresh.step = "Waiting for the task runner to publish the groups"
        fresh.publish_requested_by = access.recorded_by(by)
        fresh.save()
        from medmentor.groups.tasks import formation_publish_task

        transaction.on_commit(lambda: formation_publish_task.enqueue(run_id=fresh.pk))
    return fresh


def formation_publish_execute(*, run_id: int) -> FormationRun | None:
    """Publish a run queued for publication (the task's work), as the person who asked
    (checked again now). A refusal leaves the draft as it was, with the reason."""
    run = (
        FormationRun.objects.select_related("program", "publish_requested_by")
        .filter(pk=run_id)
        .first()
    )
    if run is None or run.status != FormationStatus.PUBLISHING:
        return run
    members = sum(len(g["members"]) for g in run.groups)
    _progress_save(
        run.pk,
        FormationStatus.PUBLISHING,
        1,
        f"Creating {len(run.groups):,} groups and {members:,} memberships and queueing one "
        "email per member (all or nothing)",
    )
    try:
        by = run.publish_requested_by
        if by is None:
            raise GroupError("The person who asked to publish no longer has an account.")
        placed = formation_publish(run=run, by=by)
    except (GroupError, PermissionDenied) as error:
        FormationRun.objects.filter(pk=run.pk).update(
            status=FormationStatus.DRAFT,
            error=f"Not published: {error}",
            step="Stopped",
            steps_done=0,
        )
    except Exception:
        FormationRun.objects.filter(pk=run.pk).update(
            status=FormationStatus.DRAFT,
            error="Not published: an unexpected error stopped the publication; nothing was "
            "written. Try again, and tell the site's administrator if it happens again.",
            step="Stopped",
            steps_done=0,
        )
        raise
    else:
        FormationRun.objects.filter(pk=run.pk).update(
            steps_done=PUBLISH_STEPS,
            step=f"Done: {len(run.groups):,} groups published; {placed:,} members emailed",
        )
    run.refresh_from_db()
    return run


def _require_publishable(run: FormationRun) -> None:
    if run.published_at is not None or run.status == FormationStatus.PUBLISHED:
        raise GroupError("This draft is published already.")
    if run.status not in (FormationStatus.DRAFT, FormationStatus.PUBLISHING):
        raise GroupError(
            f"This run is {run.get_status_display().lower()}: only a draft can be published."
        )


def formation_publish(*, run: FormationRun, by: Actor, now: datetime.datetime | None = None) -> int:
    """Create the draft's groups and memberships (the first member of each new group
    its facilitator) and queue one email per member. All or nothing. Returns how many
    members were placed."""
    program = run.program
    access.require_manager(
        by, program, f"Only the directors and coordinators of {program.name} publish groups."
    )
    now = now or timezone.now()
    settings = group_settings_for(program=program)
    agreement_current(program=program)
    with transaction.atomic():
        fresh = FormationRun.objects.select_for_update().get(pk=run.pk)
        _require_publishable(fresh)
        people = Person.objects.in_bulk([pid for g in run.groups for pid in g["members"]])
        if settings.one_group_per_member:
            # Read the program's current members whole: a list of 71,000 ids is more
            # than SQLite takes in one IN (...).
            already = set(
                Membership.objects.filter(program=program, left_at__isnull=True).values_list(
                    "person_id", flat=True
                )
            ) & set(people)
            if already:
                taken = (
                    Membership.objects.filter(
                        program=program, left_at__isnull=True, person_id=min(already)
                    )
                    .select_related("person", "group")
                    .get()
                )
                raise GroupError(
                    f"{taken.person.full_name} joined {taken.group.name} since this draft was "
                    "made: form the groups again."
                )
        existing = {g.name.lower(): g for g in PeerGroup.objects.filter(program=program)}
        placed: list[tuple[Person, PeerGroup]] = []
        fresh_groups: list[tuple[PeerGroup, list[Person]]] = []
        for entry in run.groups:
            members = [people[pid] for pid in entry["members"]]
            group = existing.get(entry["name"].lower())
            if group is not None:  # a locked label naming a group that exists: join it
                locked = _locked(group)
                for person in members:
                    _place(group=locked, person=person, is_facilitator=False, now=now)
                    placed.append((person, locked))
                continue
            if len(members) > settings.group_size_limit:
                raise GroupError(
                    f"{entry['name']} would have {len(members)} members; the limit is "
                    f"{settings.group_size_limit}."
                )
            group = PeerGroup(
                program=program,
                name=entry["name"],
                subgroup=entry["subgroup"],
                capacity=settings.group_size_limit,
                member_count=len(members),
                created_at=now,
            )
            fresh_groups.append((group, members))
        # New groups and their members in bulk (the database's own check still holds
        # each group's count within its capacity).
        PeerGroup.objects.bulk_create([group for group, _ in fresh_groups], batch_size=2000)
        Membership.objects.bulk_create(
            [
                Membership(
                    group=group,
                    program=program,
                    person=person,
                    is_facilitator=k == 0,
                    joined_at=now,
                )
                for group, members in fresh_groups
                for k, person in enumerate(members)
            ],
            batch_size=2000,
        )
        placed.extend((person, group) for group, members in fresh_groups for person in members)
        fresh.published_at = now
        fresh.status = FormationStatus.PUBLISHED
        fresh.error = ""
        fresh.save(update_fields=["published_at", "status", "error"])
        outbox_enqueue_many(emails=[_formed_email(run=run, person=p, group=g) for p, g in placed])
    return len(placed)


def _formed_email(*, run: FormationRun, person: Person, group: PeerGroup) -> RenderedEmail:
    program = run.program
    return RenderedEmail(
        key=f"group-formed:{run.pk}:{person.pk}",
        to_email=person.email,
        person_id=person.pk,
        subject=" ".join(f"Your peer group in {program.name}".split()),
        text_body=render_to_string(
            "groups/formed_email.txt",
            {
                "person": person,
                "group": group,
                "program": program,
                "url": sign_in_placeholder(next_path=f"/programs/{program.slug}/groups/agreement/"),
            },
        ),
        topic=f"program:{program.pk}",
    )
