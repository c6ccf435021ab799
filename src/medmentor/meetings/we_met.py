"""The one-click "we met" / "we didn't meet" links of the after-meeting email.

A personal link (messaging/personal_links.py, kind "we-met", ref
``<meeting id>-met`` or ``<meeting id>-not_met``): the outbox holds a placeholder and
the worker mints the link at delivery, for the recipient only — and only when they are
a participant of that meeting, so a placeholder copied into someone else's email
mints nothing of theirs.

The link is single purpose (it records one answer to one meeting, it signs no one
in), signed (django.core.signing, its own salt) and used once (a nonce row claimed by
a conditional UPDATE, as sign_in_link_consume does). Opened by a browser signed in as
someone else, it refuses and records nothing.
"""

import datetime
import secrets

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from medmentor.meetings.models import Meeting, MeetingAnswer, WeMetLink
from medmentor.meetings.services import MeetingError, meeting_answer_record
from medmentor.people.models import Person

SALT = "medmentor.meetings.we-met"
MAX_AGE = datetime.timedelta(days=60)


def we_met_link_mint(*, person: Person, ref: str) -> str | None:
    """The link recording `person`'s answer about meeting `ref`, or None when the
    meeting is not theirs (the minter of kind "we-met", MeetingsConfig.ready)."""
    meeting_id, _, answer = ref.partition("-")
    if not meeting_id.isdigit() or answer not in MeetingAnswer.values:
        return None
    meeting = Meeting.objects.filter(
        pk=int(meeting_id), attendance__person=person, cancelled_at__isnull=True
    ).first()
    if meeting is None:
        return None
    link = WeMetLink.objects.create(
        meeting=meeting, person=person, answer=answer, nonce=secrets.token_urlsafe(24)
    )
    token = signing.dumps({"n": link.nonce, "p": person.pk}, salt=SALT, compress=True)
    return settings.SITE_URL + reverse("meeting-we-met", kwargs={"token": token})


def we_met_link_read(*, token: str) -> WeMetLink:
    """The link a token names (not yet used or used); MeetingError when it is not one."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
        nonce, person_id = str(data["n"]), int(data["p"])
    except signing.SignatureExpired:
        raise MeetingError(
            "This link is more than 60 days old and no longer works. Log the meeting "
            "from its page instead."
        ) from None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise MeetingError("This link is not valid: it may be cut short or mistyped.") from None
    link = (
        WeMetLink.objects.select_related("meeting", "meeting__program", "person")
        .filter(nonce=nonce, person_id=person_id)
        .first()
    )
    if link is None:
        raise MeetingError("This link is not valid: it may be cut short or mistyped.")
    return link


def we_met_link_use(*, token: str, viewer, now: datetime.datetime | None = None) -> WeMetLink:
    """Record the answer the link carries, once. `viewer` is whoever opened it (an
    anonymous visitor is fine: the link is the proof; someone signed in as another
    person is refused)."""
    now = now or timezone.now()
    link = we_met_link_read(token=token)
    if viewer is not None and viewer.is_authenticated and viewer.pk != link.person_id:
        raise MeetingError(
            f"This link was sent to another person, and you are signed in as "
            f"{viewer.full_name}. Nothing was recorded."
        )
    with transaction.atomic():
        claimed = WeMetLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=now)
        if not claimed:
            raise MeetingError(
                "This link has already been used, so it records nothing more. Change your "
                "answer on the meeting's page if needed."
            )
        answered = link.meeting.attendance.filter(person_id=link.person_id).exclude(answer="")
        if answered.exists():
            raise MeetingError(
                "You have already answered for this meeting, so this link records nothing. "
                "Change your answer on the meeting's page if needed."
            )
        meeting_answer_record(meeting=link.meeting, person=link.person, answer=link.answer, now=now)
    link.used_at = now
    return link
