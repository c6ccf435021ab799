"""The one-click "yes, I'll take part" / "no, thank you" links of the ask email.

A personal link (messaging/personal_links.py, kind "conference-answer", ref
``<part id>-accept`` or ``<part id>-decline``): the outbox holds a placeholder and the
worker mints the link at delivery, for the person asked only, and only while their
part is still unanswered and the session ahead; a placeholder copied into someone
else's email mints nothing of theirs.

The link is single purpose (it answers one ask, it signs no one in), signed
(django.core.signing, its own salt) and used once (a nonce row claimed by a
conditional UPDATE, as meetings' "we met" links are). Opening it records nothing (mail
programs and link scanners open links before their reader does): the page it opens
asks for one click, and that POST records the answer. Opened by a browser signed in as
someone else, it refuses and records nothing.
"""

import datetime
import secrets

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from medmentor.conferences.models import PartAnswerLink, PartStatus, SessionPart
from medmentor.conferences.services import ConferenceError, part_answer
from medmentor.people.models import Person

KIND = "conference-answer"
SALT = "medmentor.conferences.part-answer"
MAX_AGE = datetime.timedelta(days=60)
ANSWERS = {"accept": True, "decline": False}


def part_answer_ref(*, part: SessionPart, accept: bool) -> str:
    """The placeholder's ref for the link answering `part` (yes or no)."""
    return f"{part.pk}-{'accept' if accept else 'decline'}"


def part_answer_link_mint(*, person: Person, ref: str) -> str | None:
    """The link answering `person`'s part `ref`, or None when the part is not theirs,
    is answered already, or its session is cancelled or under way (the minter of kind
    "conference-answer", ConferencesConfig.ready)."""
    part_id, _, answer = ref.partition("-")
    if not part_id.isdigit() or answer not in ANSWERS:
        return None
    part = SessionPart.objects.filter(
        pk=int(part_id),
        person=person,
        status=PartStatus.ASKED,
        session__meeting__cancelled_at__isnull=True,
        session__meeting__starts_at__gt=timezone.now(),
    ).first()
    if part is None:
        return None
    link = PartAnswerLink.objects.create(
        part=part, accept=ANSWERS[answer], nonce=secrets.token_urlsafe(24)
    )
    token = signing.dumps({"n": link.nonce, "p": person.pk}, salt=SALT, compress=True)
    return settings.SITE_URL + reverse("conference-answer-link", kwargs={"token": token})


NOT_VALID = "This link is not valid: it may be cut short or mistyped."


def part_answer_link_read(*, token: str) -> PartAnswerLink:
    """The link a token names (used or not); ConferenceError when it is not one."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
        nonce, person_id = str(data["n"]), int(data["p"])
    except signing.SignatureExpired:
        raise ConferenceError(
            "This link is more than 60 days old and no longer works. Answer on the "
            "conference page instead."
        ) from None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ConferenceError(NOT_VALID) from None
    link = (
        PartAnswerLink.objects.select_related(
            "part__person", "part__session__meeting", "part__session__program"
        )
        .filter(nonce=nonce, part__person_id=person_id)
        .first()
    )
    if link is None:
        raise ConferenceError(NOT_VALID)
    return link


def part_answer_link_problem(*, link: PartAnswerLink, viewer) -> str:
    """Why the link would record nothing if used now by `viewer` (words), or ""."""
    if viewer is not None and viewer.is_authenticated and viewer.pk != link.part.person_id:
        return (
            f"This link was sent to another person, and you are signed in as "
            f"{viewer.full_name}. Nothing was recorded."
        )
    if link.used_at is not None:
        return "This link has already been used, so it records nothing more."
    if link.part.status != PartStatus.ASKED:
        return (
            "You have already answered, so this link records nothing. Change your answer on "
            "the conference page if needed."
        )
    return ""


def part_answer_link_use(
    *, token: str, viewer, now: datetime.datetime | None = None
) -> PartAnswerLink:
    """Record the answer the link carries, once. `viewer` is whoever opened it (an
    anonymous visitor is fine: the link is the proof; someone signed in as another
    person is refused). Accepting sends the short guide, as on the conference page."""
    now = now or timezone.now()
    link = part_answer_link_read(token=token)
    if problem := part_answer_link_problem(link=link, viewer=viewer):
        raise ConferenceError(problem)
    with transaction.atomic():
        claimed = PartAnswerLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
            used_at=now
        )
        if not claimed:
            raise ConferenceError("This link has already been used, so it records nothing more.")
        # Locked so two links of the same ask (yes and no) cannot both answer it.
        part = SessionPart.objects.select_for_update().get(pk=link.part_id)
        if part.status != PartStatus.ASKED:
            raise ConferenceError(
                "You have already answered, so this link records nothing. Change your "
                "answer on the conference page if needed."
            )
        part.session = link.part.session
        part.person = link.part.person
        part_answer(part=part, by=link.part.person, accept=link.accept, now=now)
    link.used_at = now
    link.part = part
    return link
