"""Every read of groups a page shows, with privacy rule 5 applied here.

- A member is someone in the group (not left) who accepted the program's current
  agreement. Until then they see nothing of the group: only the agreement to accept.
- The group's space (its meetings with attendance and presenters, the log, the
  thread) is its members' alone: not the director's, faculty's, researchers'.
- The program's staff see the groups, their members and room, and of each meeting
  only that the group met and how many came.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.utils import timezone

from medmentor.groups.models import (
    Agreement,
    AgreementAcceptance,
    FormationRun,
    FormationStatus,
    GroupAttendance,
    GroupLogEntry,
    GroupMessage,
    GroupSettings,
    Membership,
    PeerGroup,
    PresenterSwap,
    PresenterTurn,
)
from medmentor.meetings.models import Meeting
from medmentor.people.models import Person
from medmentor.programs import access
from medmentor.programs.models import Program


def agreement_latest(*, program: Program) -> Agreement | None:
    return Agreement.objects.filter(program=program).order_by("-version").first()


def has_accepted(*, program: Program, person) -> bool:
    """Whether `person` accepted the program's current agreement."""
    latest = agreement_latest(program=program)
    if latest is None or not isinstance(person, Person):
        return False
    return AgreementAcceptance.objects.filter(agreement=latest, person=person).exists()


def accepted_membership(*, group: PeerGroup, person) -> Membership | None:
    """`person`'s membership of `group` when they are a member: in it, and the current
    agreement accepted. None otherwise (the system actor is no one's member)."""
    if not isinstance(person, Person):
        return None
    membership = Membership.objects.filter(group=group, person=person, left_at__isnull=True).first()
    if membership is None or not has_accepted(program=group.program, person=person):
        return None
    return membership


def is_member(*, group: PeerGroup, person) -> bool:
    return accepted_membership(group=group, person=person) is not None


def is_facilitator(*, group: PeerGroup, person) -> bool:
    membership = accepted_membership(group=group, person=person)
    return membership is not None and membership.is_facilitator


def accepted_members(*, group: PeerGroup) -> list[Membership]:
    """The group's members who accepted the current agreement, in joining order."""
    latest = agreement_latest(program=group.program)
    if latest is None:
        return []
    return list(
        Membership.objects.filter(
            group=group,
            left_at__isnull=True,
            person__group_agreements__agreement=latest,
        )
        .select_related("person")
        .order_by("joined_at", "id")
    )


def group_meetings(*, group: PeerGroup):
    """The group's meetings (of its series), cancelled ones included."""
    if group.series_id is None:
        return Meeting.objects.none()
    return Meeting.objects.filter(series_id=group.series_id).order_by("starts_at", "id")


def settings_of(*, program: Program) -> GroupSettings:
    """The program's group settings, or the defaults when none were saved (no write)."""
    return GroupSettings.objects.filter(program=program).first() or GroupSettings(program=program)


# --- The groups page -------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingCount:
    """What staff see of a group's meeting: that it met, and how many came."""

    starts_at: datetime.datetime
    met: bool | None
    attended: int


@dataclass(frozen=True)
class StaffGroup:
    group: PeerGroup
    members: list[Membership]
    meetings: list[MeetingCount]


@dataclass(frozen=True)
class MyGroup:
    group: PeerGroup
    membership: Membership
    accepted: bool


@dataclass
class GroupsPage:
    settings: GroupSettings
    agreement: Agreement | None
    manages: bool
    staff_groups: list[StaffGroup] = field(default_factory=list)
    my_groups: list[MyGroup] = field(default_factory=list)
    joinable: list[PeerGroup] = field(default_factory=list)
    may_join: bool = False


def groups_page(*, program: Program, viewer, now: datetime.datetime | None = None) -> GroupsPage:
    now = now or timezone.now()
    standing = access.program_access(viewer, program)
    page = GroupsPage(
        settings=settings_of(program=program),
        agreement=agreement_latest(program=program),
        manages=standing.manages,
    )
    groups = list(PeerGroup.objects.filter(program=program).order_by("subgroup", "name", "id"))
    if standing.manages:
        by_group: dict[int, list[Membership]] = {g.pk: [] for g in groups}
        for m in (
            Membership.objects.filter(program=program, left_at__isnull=True)
            .select_related("person")
            .order_by("joined_at", "id")
        ):
            by_group[m.group_id].append(m)
        counts = _meeting_counts(groups=groups, now=now)
        page.staff_groups = [
            StaffGroup(group=g, members=by_group[g.pk], meetings=counts.get(g.pk, []))
            for g in groups
        ]
    if standing.joins_peer_groups:
        accepted = has_accepted(program=program, person=viewer)
        mine = list(
            Membership.objects.filter(program=program, person=viewer, left_at__isnull=True)
            .select_related("group")
            .order_by("joined_at")
        )
        page.my_groups = [MyGroup(group=m.group, membership=m, accepted=accepted) for m in mine]
        mine_ids = {m.group_id for m in mine}
        page.may_join = not (mine and page.settings.one_group_per_member)
        page.joinable = [g for g in groups if g.is_open and g.has_room and g.pk not in mine_ids]
    return page


def _meeting_counts(*, groups: list[PeerGroup], now) -> dict[int, list[MeetingCount]]:
    """Each group's past meetings: whether it met and how many came (never who)."""
    series_to_group: dict[int | None, int] = {g.series_id: g.pk for g in groups if g.series_id}
    if not series_to_group:
        return {}
    meetings = (
        Meeting.objects.filter(
            series_id__in=series_to_group, starts_at__lte=now, cancelled_at__isnull=True
        )
        .annotate(attended=Count("group_attendance", filter=Q(group_attendance__present=True)))
        .order_by("-starts_at")
    )
    out: dict[int, list[MeetingCount]] = {}
    for m in meetings:
        out.setdefault(series_to_group[m.series_id], []).append(
            MeetingCount(starts_at=m.starts_at, met=m.happened, attended=m.attended)
        )
    return out


# --- The group's own page (members only) -----------------------------------------------


@dataclass(frozen=True)
class MeetingRow:
    meeting: Meeting
    presenter: Person | None
    turn: PresenterTurn | None
    present: dict[int, bool]  # person id -> present (apologies: False before the meeting)
    is_past: bool

    @property
    def local_start(self) -> datetime.datetime:
        return self.meeting.starts_at.astimezone(self.meeting.zone)

    @property
    def attended(self) -> int:
        return sum(1 for v in self.present.values() if v)


@dataclass
class GroupSpace:
    group: PeerGroup
    membership: Membership
    members: list[Membership]
    upcoming: list[MeetingRow]
    past: list[MeetingRow]
    log: list[GroupLogEntry]
    thread: list[GroupMessage]
    swaps_for_me: list[PresenterSwap]
    swaps_asked: list[PresenterSwap]


def require_member(*, group: PeerGroup, viewer) -> Membership:
    """`viewer`'s membership; PermissionDenied with the reason otherwise."""
    membership = accepted_membership(group=group, person=viewer)
    if membership is not None:
        return membership
    if (
        isinstance(viewer, Person)
        and Membership.objects.filter(group=group, person=viewer, left_at__isnull=True).exists()
    ):
        raise PermissionDenied(
            f"Read and accept the group agreement first: until then you are not yet a member "
            f"of {group.name}."
        )
    raise PermissionDenied(f"{group.name}'s page is its members' alone.")


def group_space(*, group: PeerGroup, viewer, now: datetime.datetime | None = None) -> GroupSpace:
    now = now or timezone.now()
    membership = require_member(group=group, viewer=viewer)
    meetings = list(group_meetings(group=group).filter(cancelled_at__isnull=True))
    turns = {
        t.meeting_id: t
        for t in PresenterTurn.objects.filter(meeting__in=meetings).select_related("person")
    }
    present: dict[int, dict[int, bool]] = {}
    for row in GroupAttendance.objects.filter(meeting__in=meetings):
        present.setdefault(row.meeting_id, {})[row.person_id] = row.present
    rows = [
        MeetingRow(
            meeting=m,
            presenter=turns[m.pk].person if m.pk in turns else None,
            turn=turns.get(m.pk),
            present=present.get(m.pk, {}),
            is_past=m.starts_at <= now,
        )
        for m in meetings
    ]
    swaps = PresenterSwap.objects.filter(group=group, decided_at__isnull=True).select_related(
        "mine__meeting", "theirs__meeting", "asked_by", "asked_of"
    )
    return GroupSpace(
        group=group,
        membership=membership,
        members=accepted_members(group=group),
        upcoming=[r for r in rows if not r.is_past],
        past=[r for r in rows if r.is_past][::-1][:12],
        log=list(GroupLogEntry.objects.filter(group=group).select_related("author")[:50]),
        thread=list(
            GroupMessage.objects.filter(group=group)
            .select_related("author")
            .order_by("-created_at", "-id")[:50]
        )[::-1],
        swaps_for_me=[s for s in swaps if s.asked_of_id == viewer.pk],
        swaps_asked=[s for s in swaps if s.asked_by_id == viewer.pk],
    )


def formation_runs(*, program: Program) -> list[FormationRun]:
    return list(FormationRun.objects.filter(program=program)[:10])


# --- The home page ---------------------------------------------------------------------


def attention_items(*, person, program: Program) -> list:
    """The home page's items of a peer-group program: for a member, the agreement to
    accept or their group's page; for staff, a formation draft waiting to be published."""
    from django.urls import reverse

    from medmentor.programs.selectors import ATTENTION_WARN, AttentionItem

    standing = access.program_access(person, program)
    items = []
    if standing.joins_peer_groups:
        mine = list(
            Membership.objects.filter(program=program, person=person, left_at__isnull=True)
            .select_related("group")
            .order_by("joined_at")
        )
        if mine and not has_accepted(program=program, person=person):
            items.append(
                AttentionItem(
                    text="Read and accept your group's agreement to see your group.",
                    url=reverse("groups-agreement", kwargs={"slug": program.slug}),
                    tone=ATTENTION_WARN,
                )
            )
        elif mine:
            items.extend(
                AttentionItem(
                    text=f"Your group: {m.group.name}.",
                    url=reverse(
                        "groups-detail", kwargs={"slug": program.slug, "group_id": m.group_id}
                    ),
                )
                for m in mine
            )
    if standing.manages:
        waiting = FormationRun.objects.filter(
            program=program, published_at__isnull=True, status=FormationStatus.DRAFT
        ).count()
        if waiting:
            items.append(
                AttentionItem(
                    text=f"Groups to review before publishing: {waiting} draft(s).",
                    url=reverse("groups-formation", kwargs={"slug": program.slug}),
                )
            )
    return items
