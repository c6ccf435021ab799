"""The meeting cycle of a group: its series (through `medmentor.meetings`), attendance,
the presenter rotation and swaps, and the commitment notices.

The group's meetings are a meetings series whose participants are its members who
accepted the agreement; someone who accepts later joins the series' meetings still to
come (meetings.services.series_participants_add, by the system: the group's rule adds
them, not a person acting as another).
"""

import datetime

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from medmentor.groups.models import (
    CommitmentNotice,
    GroupAttendance,
    Membership,
    PeerGroup,
    PresenterSwap,
    PresenterTurn,
)
from medmentor.groups.services.membership import GroupError
from medmentor.meetings import services as meetings
from medmentor.meetings.models import Meeting, MeetingAnswer, MeetingSeries
from medmentor.meetings.services import MeetingError
from medmentor.messaging.services import RenderedEmail, outbox_enqueue_many
from medmentor.people.models import Person
from medmentor.programs import access


# Emails about one group's private life (commitment, presenter, thread) carry this
# topic: the program's outbox page lists only its "program:<id>" mail, and the admin
# leaves "private:" mail out (messaging/admin.py).
def private_topic(group: PeerGroup) -> str:
    return f"private:group:{group.pk}"


# A rate over fewer meetings than this says nothing yet about commitment.
COMMITMENT_MEETINGS = 3


def _require_facilitator(*, group: PeerGroup, by, what: str) -> None:
    from medmentor.groups.selectors import is_facilitator

    if not is_facilitator(group=group, person=by):
        raise GroupError(f"Only {group.name}'s facilitators {what}.")


def _require_member(*, group: PeerGroup, by, what: str):
    from medmentor.groups.selectors import accepted_membership

    membership = accepted_membership(group=group, person=by)
    if membership is None:
        raise GroupError(f"Only {group.name}'s members {what}.")
    return membership


def _group_of_meeting(meeting: Meeting) -> PeerGroup:
    group = PeerGroup.objects.filter(series_id=meeting.series_id).select_related("program").first()
    if meeting.series_id is None or group is None:
        raise GroupError("That meeting is not a group meeting.")
    return group


def member_joined_meetings(*, group: PeerGroup, person: Person, now: datetime.datetime) -> None:
    """Once `person` is a member (placed and agreement accepted), invite them to the
    group's meetings still to come and give them their place in the rotation."""
    from medmentor.groups.selectors import is_member

    if group.series_id is None or not is_member(group=group, person=person):
        return
    series = MeetingSeries.objects.select_related("program").get(pk=group.series_id)
    if series.cancelled_at is None:
        meetings.series_participants_add(series=series, people=[person], by=access.SYSTEM, now=now)
    rotation_refresh(group=group, now=now)


def group_series_plan(
    *,
    group: PeerGroup,
    by: Person,
    weekday: int,
    local_time: datetime.time,
    starts_on: datetime.date,
    interval_weeks: int = 2,
    count: int = 12,
    duration_minutes: int = 90,
    place: str = "",
    video_url: str = "",
    now: datetime.datetime | None = None,
) -> MeetingSeries:
    """A facilitator plans the group's meetings ("every other Thursday"): one series
    for its members, each invited once with the .ics; then the rotation is drawn."""
    from medmentor.groups.selectors import accepted_members

    now = now or timezone.now()
    _require_facilitator(group=group, by=by, what="plan its meetings")
    current = group.series
    if current is not None and current.cancelled_at is None:
        raise GroupError(
            f"{group.name} already meets ({current.title}); cancel that series before "
            "planning another."
        )
    people = [m.person for m in accepted_members(group=group)]
    try:
        with transaction.atomic():
            series = meetings.series_plan(
                program=group.program,
                organizer=by,
                participants=people,
                title=f"{group.name} meeting",
                weekday=weekday,
                local_time=local_time,
                starts_on=starts_on,
                interval_weeks=interval_weeks,
                duration_minutes=duration_minutes,
                count=count,
                place=place,
                video_url=video_url,
                now=now,
            )
            PeerGroup.objects.filter(pk=group.pk).update(series=series)
            group.series = series
            rotation_refresh(group=group, now=now)
    except MeetingError as error:
        raise GroupError(str(error)) from None
    return series


def group_meeting_cancel(
    *, meeting: Meeting, by: Person, now: datetime.datetime | None = None
) -> None:
    """A facilitator cancels one meeting (the series' update with one more skipped
    date); the rotation moves on to the next meeting."""
    now = now or timezone.now()
    group = _group_of_meeting(meeting)
    _require_facilitator(group=group, by=by, what="cancel its meetings")
    try:
        with transaction.atomic():
            meetings.meeting_cancel(meeting=meeting, by=by, now=now)
            PresenterTurn.objects.filter(meeting=meeting).delete()
            rotation_refresh(group=group, now=now)
    except MeetingError as error:
        raise GroupError(str(error)) from None


# --- Attendance ---------------------------------------------------------------------------


def _require_started(meeting: Meeting, now) -> None:
    if meeting.is_cancelled:
        raise GroupError("That meeting was cancelled: there is no attendance to take.")
    if meeting.starts_at > now:
        local = meeting.starts_at.astimezone(meeting.zone)
        raise GroupError(
            f"The meeting of {local:%A %d %B %Y %H:%M} has not started: attendance is taken "
            "once it has (send apologies instead if you cannot come)."
        )


def attendance_take(
    *, meeting: Meeting, by: Person, present: list[int], now: datetime.datetime | None = None
) -> int:
    """A facilitator ticks who came (person ids in `present`); every other member is
    recorded absent. Returns how many came."""
    from medmentor.groups.selectors import accepted_members

    now = now or timezone.now()
    group = _group_of_meeting(meeting)
    _require_facilitator(group=group, by=by, what="take attendance")
    _require_started(meeting, now)
    members = {m.person_id: m.person for m in accepted_members(group=group)}
    stray = set(present) - set(members)
    if stray:
        raise GroupError("Only the group's members can be ticked present.")
    with transaction.atomic():
        for person_id in members:
            GroupAttendance.objects.update_or_create(
                meeting=meeting,
                person_id=person_id,
                defaults={
                    "group": group,
                    "present": person_id in present,
                    "recorded_by": by,
                    "recorded_at": now,
                },
            )
        _meeting_happened(meeting=meeting, by=by, met=bool(present), now=now)
        commitment_check(group=group, now=now)
    return len(set(present))


def attendance_mark_self(
    *, meeting: Meeting, by: Person, now: datetime.datetime | None = None
) -> None:
    """A member says, with one click, that they came."""
    now = now or timezone.now()
    group = _group_of_meeting(meeting)
    _require_member(group=group, by=by, what="mark their attendance")
    _require_started(meeting, now)
    with transaction.atomic():
        GroupAttendance.objects.update_or_create(
            meeting=meeting,
            person=by,
            defaults={"group": group, "present": True, "recorded_by": by, "recorded_at": now},
        )
        _meeting_happened(meeting=meeting, by=by, met=True, now=now)
        commitment_check(group=group, now=now)


def apologies_send(*, meeting: Meeting, by: Person, now: datetime.datetime | None = None) -> None:
    """A member says ahead of a meeting that they cannot come: the rotation skips them."""
    now = now or timezone.now()
    group = _group_of_meeting(meeting)
    _require_member(group=group, by=by, what="send apologies")
    if meeting.is_cancelled:
        raise GroupError("That meeting was cancelled already.")
    if meeting.starts_at <= now:
        raise GroupError("That meeting has started: apologies are sent ahead of a meeting.")
    with transaction.atomic():
        GroupAttendance.objects.update_or_create(
            meeting=meeting,
            person=by,
            defaults={"group": group, "present": False, "recorded_by": by, "recorded_at": now},
        )
        rotation_refresh(group=group, now=now)


def _meeting_happened(*, meeting: Meeting, by: Person, met: bool, now) -> None:
    # What staff may know of it (meetings: "happened"), said by the one who recorded.
    if meeting.attendance.filter(person=by).exists():
        meetings.meeting_answer_record(
            meeting=meeting,
            person=by,
            answer=MeetingAnswer.MET if met else MeetingAnswer.NOT_MET,
            now=now,
        )


# --- The presenter rotation ---------------------------------------------------------------


def _absent(group: PeerGroup, meeting_ids) -> set[tuple[int, int]]:
    return set(
        GroupAttendance.objects.filter(meeting_id__in=meeting_ids, present=False).values_list(
            "meeting_id", "person_id"
        )
    )


def rotation_refresh(*, group: PeerGroup, now: datetime.datetime | None = None) -> None:
    """Give each meeting to come its presenter, in a fair order: whoever presented
    least goes first (then the longest in the group), skipping members who sent
    apologies for that meeting. Swapped turns stay as the two people agreed."""
    from medmentor.groups.selectors import accepted_members, group_meetings

    now = now or timezone.now()
    members = accepted_members(group=group)
    all_meetings = list(group_meetings(group=group).filter(cancelled_at__isnull=True))
    upcoming = [m for m in all_meetings if m.starts_at > now]
    if not upcoming:
        return
    order = {m.person_id: k for k, m in enumerate(members)}
    counts = dict.fromkeys(order, 0)
    for person_id in PresenterTurn.objects.filter(
        group=group, meeting__starts_at__lte=now, meeting__cancelled_at__isnull=True
    ).values_list("person_id", flat=True):
        if person_id in counts:
            counts[person_id] += 1
    absent = _absent(group, [m.pk for m in upcoming])
    turns = {t.meeting_id: t for t in PresenterTurn.objects.filter(meeting__in=upcoming)}
    # The turns two people swapped are theirs: counted first, so the fair order of the
    # other meetings already knows who presents later.
    kept = {
        meeting.pk: turns[meeting.pk].person_id
        for meeting in upcoming
        if meeting.pk in turns
        and turns[meeting.pk].swapped
        and turns[meeting.pk].person_id in counts
        and (meeting.pk, turns[meeting.pk].person_id) not in absent
    }
    for person_id in kept.values():
        counts[person_id] += 1
    for meeting in upcoming:
        if meeting.pk in kept:
            continue
        turn = turns.get(meeting.pk)
        free = [p for p in order if (meeting.pk, p) not in absent]
        if not free:
            if turn is not None:
                turn.delete()
            continue
        chosen = min(free, key=lambda p: (counts[p], order[p]))
        counts[chosen] += 1
        if turn is None:
            PresenterTurn.objects.create(group=group, meeting=meeting, person_id=chosen)
        elif turn.person_id != chosen or turn.swapped:
            turn.person_id, turn.swapped = chosen, False
            turn.save(update_fields=["person", "swapped"])


def presenter_swap_ask(
    *, mine: PresenterTurn, theirs: PresenterTurn, by: Person, now: datetime.datetime | None = None
) -> PresenterSwap:
    """`by`, who presents at `mine`, asks the presenter of `theirs` to swap turns."""
    now = now or timezone.now()
    group = mine.group
    _require_member(group=group, by=by, what="swap turns")
    _swap_check(mine=mine, theirs=theirs, asker_id=by.pk, now=now)
    return PresenterSwap.objects.create(
        group=group, mine=mine, theirs=theirs, asked_by=by, asked_of=theirs.person, created_at=now
    )


def _swap_check(*, mine: PresenterTurn, theirs: PresenterTurn, asker_id: int, now) -> None:
    from medmentor.groups.selectors import is_member

    if mine.group_id != theirs.group_id:
        raise GroupError("Turns are swapped inside one group.")
    if mine.person_id != asker_id:
        raise GroupError("You can offer only your own turn (the rotation may have changed).")
    if theirs.person_id == asker_id:
        raise GroupError("That turn is already yours.")
    other = theirs.person
    if not is_member(group=mine.group, person=other):
        raise GroupError(f"{other.full_name} is not a member of {mine.group.name} now.")
    for turn in (mine, theirs):
        if turn.meeting.starts_at <= now or turn.meeting.is_cancelled:
            raise GroupError("Only turns at meetings still to come can be swapped.")
    absent = _absent(mine.group, [mine.meeting_id, theirs.meeting_id])
    if (theirs.meeting_id, asker_id) in absent:
        local = theirs.meeting.starts_at.astimezone(theirs.meeting.zone)
        raise GroupError(
            f"You sent apologies for the meeting of {local:%A %d %B}, so cannot present then."
        )
    if (mine.meeting_id, other.pk) in absent:
        local = mine.meeting.starts_at.astimezone(mine.meeting.zone)
        raise GroupError(
            f"{other.full_name} sent apologies for the meeting of {local:%A %d %B}, so cannot "
            "present then: choose another turn."
        )


def presenter_swap_answer(
    *, swap: PresenterSwap, by: Person, accept: bool, now: datetime.datetime | None = None
) -> PresenterSwap:
    """The member asked accepts (the two turns change hands) or declines."""
    now = now or timezone.now()
    if swap.asked_of_id != by.pk:
        raise GroupError("Only the member asked answers a swap.")
    if swap.decided_at is not None:
        raise GroupError("That swap was answered already.")
    with transaction.atomic():
        if accept:
            mine = PresenterTurn.objects.select_for_update().get(pk=swap.mine_id)
            theirs = PresenterTurn.objects.select_for_update().get(pk=swap.theirs_id)
            if theirs.person_id != by.pk:
                raise GroupError("The rotation changed since the swap was asked: ask again.")
            _swap_check(mine=mine, theirs=theirs, asker_id=swap.asked_by_id, now=now)
            mine.person_id, theirs.person_id = theirs.person_id, mine.person_id
            mine.swapped = theirs.swapped = True
            mine.save(update_fields=["person", "swapped"])
            theirs.save(update_fields=["person", "swapped"])
        swap.decided_at, swap.accepted = now, accept
        swap.save(update_fields=["decided_at", "accepted"])
    return swap


# --- Commitment ----------------------------------------------------------------------------


def attendance_percent(*, group: PeerGroup, membership: Membership, now) -> tuple[int, int] | None:
    """(percent, meetings) of the meetings with attendance taken that the member was
    invited to (a participant of); None when fewer than COMMITMENT_MEETINGS."""
    taken = (
        GroupAttendance.objects.filter(
            group=group,
            meeting__starts_at__lte=now,
            meeting__cancelled_at__isnull=True,
            meeting__attendance__person_id=membership.person_id,
        )
        .values_list("meeting_id", flat=True)
        .distinct()
    )
    held = set(taken)
    if len(held) < COMMITMENT_MEETINGS:
        return None
    came = GroupAttendance.objects.filter(
        meeting_id__in=held, person_id=membership.person_id, present=True
    ).count()
    return round(100 * came / len(held)), len(held)


def commitment_check(*, group: PeerGroup, now: datetime.datetime | None = None) -> int:
    """Tell each member whose attendance fell below the group's agreed level, privately,
    and the group's facilitators; never the program's staff. Once per fall. Returns how
    many were told."""
    from medmentor.groups.selectors import accepted_members, settings_of

    now = now or timezone.now()
    level = settings_of(program=group.program).attendance_level_percent
    members = accepted_members(group=group)
    facilitators = [m.person for m in members if m.is_facilitator]
    told = 0
    emails = []
    for membership in members:
        rate = attendance_percent(group=group, membership=membership, now=now)
        open_notice = CommitmentNotice.objects.filter(
            membership=membership, cleared_at__isnull=True
        ).first()
        if rate is None:
            continue
        percent, held = rate
        if percent >= level:
            if open_notice is not None:
                open_notice.cleared_at = now
                open_notice.save(update_fields=["cleared_at"])
            continue
        if open_notice is not None:
            continue
        notice = CommitmentNotice.objects.create(
            membership=membership, percent=percent, sent_at=now
        )
        told += 1
        context = {
            "group": group,
            "member": membership.person,
            "percent": percent,
            "held": held,
            "level": level,
        }
        emails.append(
            RenderedEmail(
                key=f"group-commitment:{notice.pk}:{membership.person_id}",
                to_email=membership.person.email,
                person_id=membership.person_id,
                subject=f"Your attendance at {group.name}",
                text_body=render_to_string("groups/commitment_member_email.txt", context),
                topic=private_topic(group),
            )
        )
        for facilitator in facilitators:
            if facilitator.pk == membership.person_id:
                continue
            emails.append(
                RenderedEmail(
                    key=f"group-commitment:{notice.pk}:{facilitator.pk}",
                    to_email=facilitator.email,
                    person_id=facilitator.pk,
                    subject=f"Attendance at {group.name}",
                    text_body=render_to_string(
                        "groups/commitment_facilitator_email.txt",
                        {**context, "facilitator": facilitator},
                    ),
                    topic=private_topic(group),
                )
            )
    if emails:
        outbox_enqueue_many(emails=emails)
    return told
