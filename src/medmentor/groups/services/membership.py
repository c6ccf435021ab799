"""Writes of a program's groups: settings, the agreement, groups and their members.

The size limit is never exceeded by any path: every placement locks the group's row
(`select_for_update`), re-reads its count, raises it with a conditional UPDATE that
touches no row once the group is full, and the database's own check
(`member_count <= capacity`) refuses whatever slips past the first two.
"""

import datetime
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from medmentor.groups.models import (
    DEFAULT_GROUP_SIZE_LIMIT,
    LARGEST_GROUP,
    Agreement,
    AgreementAcceptance,
    GroupSettings,
    Membership,
    PeerGroup,
)
from medmentor.meetings.models import MeetingSeries
from medmentor.meetings.services import (
    MeetingError,
    series_organizer_change,
    series_participants_remove,
)
from medmentor.people.models import Person
from medmentor.programs import access
from medmentor.programs.access import Actor
from medmentor.programs.models import Program

DEFAULT_AGREEMENT = (
    "What is said in the group stays in the group: I will not repeat anything a member "
    "shares, or who shared it, outside our meetings and thread.\n"
    "I will come to our meetings, every other week, and send apologies ahead when I "
    "cannot; I will bring a problem when it is my turn, and listen when it is not."
)


class GroupError(ValueError):
    """A refused change to a group; the message says what and why, in plain words."""


def _require_forms_groups(by: Actor, program: Program, what: str) -> None:
    access.require_manager(
        by, program, f"Only the directors and coordinators of {program.name} {what}."
    )


def group_settings_for(*, program: Program) -> GroupSettings:
    """The program's group settings (saved with their defaults on first use)."""
    found = GroupSettings.objects.filter(program=program).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return GroupSettings.objects.create(program=program)
    except IntegrityError:  # created at the same moment by another request
        return GroupSettings.objects.get(program=program)


def group_settings_update(
    *,
    program: Program,
    by: Actor,
    group_size_limit: int = DEFAULT_GROUP_SIZE_LIMIT,
    one_group_per_member: bool = True,
    attendance_level_percent: int = 75,
    meeting_interval_weeks: int | None = None,
) -> GroupSettings:
    """Change the program's group rules. A size limit below a group's current number of
    members is refused (no one is pushed out); the groups' capacity follows the limit.
    `meeting_interval_weeks` (the cadence the groups' meetings are planned at by
    default): None leaves it as it is."""
    _require_forms_groups(by, program, "change its group rules")
    if not 2 <= group_size_limit <= LARGEST_GROUP:
        raise GroupError(
            f"A group size limit of {group_size_limit} is refused: 2 to {LARGEST_GROUP}."
        )
    if not 0 <= attendance_level_percent <= 100:
        raise GroupError(
            f"An attendance level of {attendance_level_percent}% is refused: 0 to 100."
        )
    if meeting_interval_weeks is not None and not 1 <= meeting_interval_weeks <= 8:
        raise GroupError(
            f"Meeting every {meeting_interval_weeks} weeks is refused: every 1 to 8 weeks."
        )
    with transaction.atomic():
        group_settings_for(program=program)
        settings = GroupSettings.objects.select_for_update().get(program=program)
        largest = (
            PeerGroup.objects.select_for_update()
            .filter(program=program, member_count__gt=group_size_limit)
            .order_by("-member_count")
            .first()
        )
        if largest is not None:
            raise GroupError(
                f"{largest.name} has {largest.member_count} members: the limit cannot go below "
                f"that ({group_size_limit} asked)."
            )
        if one_group_per_member and not settings.one_group_per_member:
            twice = _someone_in_two_groups(program)
            if twice is not None:
                raise GroupError(
                    f"{twice.full_name} is in two groups of {program.name}; leave one before "
                    "allowing one group per member."
                )
        settings.group_size_limit = group_size_limit
        settings.one_group_per_member = one_group_per_member
        settings.attendance_level_percent = attendance_level_percent
        if meeting_interval_weeks is not None:
            settings.meeting_interval_weeks = meeting_interval_weeks
        settings.save()
        PeerGroup.objects.filter(program=program).update(capacity=group_size_limit)
    return settings


def group_settings_for_new_program(
    *, program: Program, by: Actor, answers: Mapping[str, Any]
) -> GroupSettings:
    """The group rules asked on the "new program" page (kinds.register_creation's
    after_create, inside the transaction that creates the program): `answers` holds
    group_size_limit, one_group_per_member and meeting_interval_weeks, as asked."""
    return group_settings_update(
        program=program,
        by=by,
        group_size_limit=answers.get("group_size_limit") or DEFAULT_GROUP_SIZE_LIMIT,
        one_group_per_member=answers.get("one_group_per_member", True),
        meeting_interval_weeks=answers.get("meeting_interval_weeks") or 2,
    )


def _someone_in_two_groups(program: Program) -> Person | None:
    from django.db.models import Count

    row = (
        Membership.objects.filter(program=program, left_at__isnull=True)
        .values("person")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .first()
    )
    return Person.objects.get(pk=row["person"]) if row else None


# --- The agreement ---------------------------------------------------------------------


def agreement_current(*, program: Program) -> Agreement:
    """The program's current agreement (version 1, the default text, on first use)."""
    found = Agreement.objects.filter(program=program).order_by("-version").first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Agreement.objects.create(program=program, version=1, text=DEFAULT_AGREEMENT)
    except IntegrityError:
        return Agreement.objects.filter(program=program).order_by("-version").first()  # type: ignore[return-value]


def agreement_update(*, program: Program, by: Actor, text: str) -> Agreement:
    """A new version of the agreement: every member accepts it again before they see
    their group again."""
    _require_forms_groups(by, program, "edit the group agreement")
    text = text.strip()
    if not text:
        raise GroupError("The agreement needs its text: what members agree to.")
    if len(text) > 10_000:
        raise GroupError(f"The agreement is {len(text):,} characters long; at most 10,000 fit.")
    with transaction.atomic():
        current = agreement_current(program=program)
        if current.text == text:
            return current
        return Agreement.objects.create(
            program=program,
            version=current.version + 1,
            text=text,
            created_by=access.recorded_by(by),
        )


def agreement_accept(
    *, program: Program, agreement: Agreement, by: Person, now: datetime.datetime | None = None
) -> AgreementAcceptance:
    """`by` accepts `agreement`, the program's current one; from now on they are a
    member of their groups: invited to their meetings and in their rotation."""
    from medmentor.groups.services.cycle import member_joined_meetings

    now = now or timezone.now()
    if agreement.program_id != program.pk:
        raise GroupError("That agreement is not this program's.")
    current = agreement_current(program=program)
    if agreement.pk != current.pk:
        raise GroupError(
            f"The agreement changed (version {current.version} now); read the new version "
            "and accept it."
        )
    memberships = list(
        Membership.objects.filter(program=program, person=by, left_at__isnull=True).select_related(
            "group"
        )
    )
    if not memberships:
        raise GroupError(f"{by.full_name} is not in a group of {program.name}.")
    with transaction.atomic():
        acceptance, _ = AgreementAcceptance.objects.get_or_create(
            agreement=agreement, person=by, defaults={"accepted_at": now}
        )
        for membership in memberships:
            member_joined_meetings(group=membership.group, person=by, now=now)
    return acceptance


# --- Groups and members ----------------------------------------------------------------


def group_create(
    *,
    program: Program,
    by: Actor,
    name: str,
    subgroup: str = "",
    capacity: int | None = None,
    now: datetime.datetime | None = None,
) -> PeerGroup:
    """A new, open, empty group; its capacity is the program's limit unless smaller."""
    _require_forms_groups(by, program, "create groups")
    now = now or timezone.now()
    name, subgroup = " ".join(name.split()), " ".join(subgroup.split())
    if not name:
        raise GroupError("A group needs a name (e.g. “Thursday group”).")
    if len(name) > 120 or len(subgroup) > 120:
        raise GroupError("A group's name and subgroup fit in 120 characters each.")
    limit = group_settings_for(program=program).group_size_limit
    capacity = limit if capacity is None else capacity
    if not 2 <= capacity <= limit:
        raise GroupError(
            f"A group of {capacity} is refused: {program.name}'s groups have 2 to {limit} members."
        )
    if PeerGroup.objects.filter(program=program, name__iexact=name).exists():
        raise GroupError(f"{program.name} already has a group called “{name}”.")
    agreement_current(program=program)
    return PeerGroup.objects.create(
        program=program, name=name, subgroup=subgroup, capacity=capacity, created_at=now
    )


def _refuse_placement(*, group: PeerGroup, person: Person, settings: GroupSettings) -> None:
    if not access.program_access(person, group.program).joins_peer_groups:
        raise GroupError(
            f"{person.full_name} is not a junior or senior of {group.program.name}, so cannot "
            "be in its groups."
        )
    if Membership.objects.filter(group=group, person=person, left_at__isnull=True).exists():
        raise GroupError(f"{person.full_name} is already in {group.name}.")
    if settings.one_group_per_member:
        other = (
            Membership.objects.filter(program=group.program, person=person, left_at__isnull=True)
            .select_related("group")
            .first()
        )
        if other is not None:
            raise GroupError(
                f"{person.full_name} is already in {other.group.name}, and {group.program.name} "
                "allows one group per member."
            )
    if group.member_count >= group.capacity:
        raise GroupError(
            f"{group.name} is full ({group.member_count} of {group.capacity}): choose a group "
            "with room."
        )


def _place(
    *, group: PeerGroup, person: Person, is_facilitator: bool, now: datetime.datetime
) -> Membership:
    """Put `person` in `group`, inside the caller's transaction (the group row locked)."""
    from medmentor.groups.services.cycle import member_joined_meetings

    settings = group_settings_for(program=group.program)
    _refuse_placement(group=group, person=person, settings=settings)
    raised = PeerGroup.objects.filter(pk=group.pk, member_count__lt=F("capacity")).update(
        member_count=F("member_count") + 1
    )
    if not raised:
        raise GroupError(f"{group.name} is full: choose a group with room.")
    group.member_count += 1
    membership = Membership.objects.create(
        group=group,
        program=group.program,
        person=person,
        is_facilitator=is_facilitator,
        joined_at=now,
    )
    member_joined_meetings(group=group, person=person, now=now)
    return membership


def _locked(group: PeerGroup) -> PeerGroup:
    # Only the group's row is locked: PostgreSQL refuses FOR UPDATE on the nullable side
    # of the outer join to its series (a group without meetings yet).
    return (
        PeerGroup.objects.select_for_update(of=("self",))
        .select_related("program", "series")
        .get(pk=group.pk)
    )


def group_member_add(
    *,
    group: PeerGroup,
    person: Person,
    by: Actor,
    is_facilitator: bool = False,
    now: datetime.datetime | None = None,
) -> Membership:
    """A director or coordinator puts `person` in `group` (closed groups too: closing
    stops people joining by themselves). Refused when the group is full or the program
    allows one group per member and they are in another."""
    _require_forms_groups(by, group.program, "add members to its groups")
    now = now or timezone.now()
    try:
        with transaction.atomic():
            return _place(
                group=_locked(group), person=person, is_facilitator=is_facilitator, now=now
            )
    except IntegrityError:
        raise GroupError(
            f"{group.name} is full or {person.full_name} was just added: reload the page."
        ) from None


def group_join(*, group: PeerGroup, by: Person, now: datetime.datetime | None = None) -> Membership:
    """`by`, a junior or senior of the program, joins an open group with room."""
    now = now or timezone.now()
    access.require(by, group.program, "joins_peer_groups")
    try:
        with transaction.atomic():
            locked = _locked(group)
            if not locked.is_open:
                raise GroupError(f"{locked.name} is closed to new members.")
            return _place(group=locked, person=by, is_facilitator=False, now=now)
    except IntegrityError:
        raise GroupError(
            f"{group.name} filled up a moment ago: choose a group with room."
        ) from None


def group_open_set(*, group: PeerGroup, by: Actor, is_open: bool) -> PeerGroup:
    """Open `group` to new members, or close it. The program's staff, or a facilitator
    of the group who accepted the agreement."""
    from medmentor.groups.selectors import is_facilitator

    if not (
        access.program_access(by, group.program).manages or is_facilitator(group=group, person=by)
    ):
        raise GroupError(
            f"Only {group.name}'s facilitators and the program's staff open or close it."
        )
    PeerGroup.objects.filter(pk=group.pk).update(is_open=is_open)
    group.is_open = is_open
    return group


def group_facilitator_change(
    *, group: PeerGroup, person: Person, by: Actor, now: datetime.datetime | None = None
) -> Membership:
    """The program's staff make `person`, a member of `group` (placed and the current
    agreement accepted), its facilitator in place of the current one(s). The group's
    meetings to come pass to them (meetings.series_organizer_change), so they can
    change and cancel them; the members get the series' update."""
    from medmentor.groups.selectors import accepted_membership

    now = now or timezone.now()
    _require_forms_groups(by, group.program, "change a group's facilitator")
    with transaction.atomic():
        locked = _locked(group)
        membership = accepted_membership(group=locked, person=person)
        if membership is None:
            placed = Membership.objects.filter(
                group=locked, person=person, left_at__isnull=True
            ).exists()
            raise GroupError(
                f"{person.full_name} has not accepted the group agreement yet, so is not a "
                f"member of {locked.name}: only a member facilitates it."
                if placed
                else f"{person.full_name} is not a member of {locked.name}: only a member "
                "facilitates it."
            )
        others = Membership.objects.filter(
            group=locked, left_at__isnull=True, is_facilitator=True
        ).exclude(pk=membership.pk)
        if membership.is_facilitator and not others.exists():
            raise GroupError(f"{person.full_name} already facilitates {locked.name}.")
        others.update(is_facilitator=False)
        Membership.objects.filter(pk=membership.pk).update(is_facilitator=True)
        membership.is_facilitator = True
        series = locked.series
        if series is not None and series.cancelled_at is None:
            try:
                series_organizer_change(series=series, organizer=person, by=access.SYSTEM, now=now)
            except MeetingError as error:
                raise GroupError(str(error)) from None
    return membership


def membership_end(
    *, membership: Membership, by: Actor, now: datetime.datetime | None = None
) -> None:
    """`membership` ends (the member leaves, or staff take them out): their place frees."""
    now = now or timezone.now()
    group = membership.group
    if not (
        access.program_access(by, group.program).manages
        or (isinstance(by, Person) and by.pk == membership.person_id)
    ):
        raise GroupError("Members leave a group themselves, or the program's staff take them out.")
    with transaction.atomic():
        locked = _locked(group)
        ended = Membership.objects.filter(pk=membership.pk, left_at__isnull=True).update(
            left_at=now
        )
        if ended:
            PeerGroup.objects.filter(pk=locked.pk).update(member_count=F("member_count") - 1)
            # Their turns to come pass to the others (the fair order, drawn again).
            from medmentor.groups.services.cycle import rotation_refresh

            rotation_refresh(group=locked, now=now)
            # And the group's invitations stop: their calendar drops the meetings to come.
            if locked.series_id is not None:
                series_participants_remove(
                    series=MeetingSeries.objects.select_related("program").get(pk=locked.series_id),
                    people=[membership.person],
                    by=access.SYSTEM,
                    now=now,
                )
