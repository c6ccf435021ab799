"""The meetings' emails, rendered for the outbox (messaging knows only people: it gets
the subject, bodies and the .ics attachment ready-made).

- invitation / update / cancellation: a text part and the calendar file
  (``text/calendar; method=REQUEST`` or ``method=CANCEL``), one per participant, keyed
  by the event's UID and SEQUENCE, so a change is one new email and a rerun none;
- reminder, a day before: keyed by the meeting, person and start, so a moved meeting
  is reminded of again;
- after the meeting: "we met" / "we didn't meet" links, held as placeholders (kind
  "we-met"): the worker mints them at delivery for the recipient alone.
"""

import datetime

from django.template.loader import render_to_string

from medmentor.meetings import calendar_files as ics
from medmentor.meetings.events import meeting_page_url
from medmentor.meetings.models import Meeting, MeetingAnswer
from medmentor.messaging.personal_links import personal_link_placeholder
from medmentor.messaging.services import Attachment, RenderedEmail


def _when(event: ics.CalendarEvent) -> str:
    start = event.starts_at
    text = f"{start:%A %d %B %Y, %H:%M}–{event.ends_at:%H:%M} ({event.time_zone})"
    if event.recurrence is not None:
        every = (
            "every week"
            if event.recurrence.interval_weeks == 1
            else f"every {event.recurrence.interval_weeks} weeks"
        )
        end = (
            f"until {event.recurrence.until:%d %B %Y}"
            if event.recurrence.until
            else f"{event.recurrence.count} times"
        )
        text = (
            f"{every} on {start:%A} at {start:%H:%M} ({event.time_zone}), "
            f"from {start:%d %B %Y}, {end}"
        )
    return text


def calendar_emails(
    *, event: ics.CalendarEvent, people, program_id: int, cancelled: bool = False
) -> list[RenderedEmail]:
    """One email per person in `people` with the event's invitation, update or
    cancellation attached."""
    method = "CANCEL" if cancelled else "REQUEST"
    body = ics.cancellation_ics(event=event) if cancelled else ics.invitation_ics(event=event)
    if cancelled:
        subject = f"Cancelled: {event.title}"
    elif event.sequence:
        subject = f"Changed: {event.title}"
    else:
        subject = f"Invitation: {event.title}"
    skipped = [f"{day:%A %d %B %Y}" for day in event.skipped]
    emails = []
    for person in people:
        context = {
            "person": person.full_name,
            "event": event,
            "when": _when(event),
            "cancelled": cancelled,
            "changed": bool(event.sequence) and not cancelled,
            "skipped": skipped,
        }
        emails.append(
            RenderedEmail(
                key=f"meeting-ics:{event.uid}:{event.sequence}:{person.pk}"[:200],
                to_email=person.email,
                person_id=person.pk,
                subject=" ".join(subject.split())[:300],
                text_body=render_to_string("meetings/calendar_email.txt", context),
                topic=f"program:{program_id}",
                attachments=(
                    Attachment(
                        filename="invite.ics" if not cancelled else "cancel.ics",
                        content_type=f"text/calendar; method={method}",
                        content=body,
                    ),
                ),
            )
        )
    return emails


def reminder_email(*, meeting: Meeting, person) -> RenderedEmail:
    local = meeting.starts_at.astimezone(meeting.zone)
    context = {
        "person": person.full_name,
        "meeting": meeting,
        "when": f"{local:%A %d %B %Y, %H:%M} ({meeting.time_zone})",
        "url": meeting_page_url(meeting),
    }
    return RenderedEmail(
        key=f"meeting-reminder:{meeting.pk}:{person.pk}:{meeting.starts_at:%Y%m%dT%H%M}",
        to_email=person.email,
        person_id=person.pk,
        subject=" ".join(f"Reminder: {meeting.title}, {local:%a %d %b %H:%M}".split())[:300],
        text_body=render_to_string("meetings/reminder_email.txt", context),
        topic=f"program:{meeting.program_id}",
    )


def after_meeting_key(*, meeting_id: int, person_id: int) -> str:
    return f"meeting-after:{meeting_id}:{person_id}"


def after_meeting_email(*, meeting: Meeting, person) -> RenderedEmail:
    local = meeting.starts_at.astimezone(meeting.zone)
    context = {
        "person": person.full_name,
        "meeting": meeting,
        "when": f"{local:%A %d %B %Y, %H:%M}",
        "met_url": personal_link_placeholder(
            kind="we-met", ref=f"{meeting.pk}-{MeetingAnswer.MET}"
        ),
        "not_met_url": personal_link_placeholder(
            kind="we-met", ref=f"{meeting.pk}-{MeetingAnswer.NOT_MET}"
        ),
        "url": meeting_page_url(meeting),
    }
    return RenderedEmail(
        key=after_meeting_key(meeting_id=meeting.pk, person_id=person.pk),
        to_email=person.email,
        person_id=person.pk,
        subject=" ".join(f"Did you meet? {meeting.title}, {local:%a %d %b}".split())[:300],
        text_body=render_to_string("meetings/after_meeting_email.txt", context),
        html_body=render_to_string("meetings/after_meeting_email.html", context),
        topic=f"program:{meeting.program_id}",
    )


def reminder_window() -> datetime.timedelta:
    return datetime.timedelta(hours=24)
