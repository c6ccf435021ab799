"""Every write of the surveys app: plain functions, keyword arguments, one transaction each.

Privacy rule 2: in coded and anonymous modes nothing written here joins a Response to
a person or an Invitation. The answering pages hold the invitation token (in the URL)
and, separately, an opaque draft token (a browser cookie); a draft Response knows only
the draft token's digest, cleared at submission.
"""

import datetime
import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from medmentor.programs import access
from medmentor.programs.access import Actor
from medmentor.surveys.models import (
    CODE_ELEMENTS,
    Anonymity,
    Answer,
    Instrument,
    Invitation,
    Item,
    ItemKind,
    Response,
    Wave,
    number_answers_pack,
)

INVITATION_SALT = "medmentor.surveys.invitation"


class SurveyClosed(Exception):
    """The wave is not open, or this link was already used: a message for the page."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_token(*, invitation: Invitation) -> str:
    # Derived from the secret key and the row's nonce, so every reminder can carry the
    # same link while the table keeps only its digest.
    return salted_hmac(
        INVITATION_SALT, f"{invitation.wave_id}:{invitation.person_id}:{invitation.nonce}"
    ).hexdigest()


def invitations_create(*, wave: Wave, people) -> int:
    """Invite people to a wave (people already invited are left as they are)."""
    with transaction.atomic():
        known = set(wave.invitations.values_list("person_id", flat=True))
        created = 0
        for person in people:
            if person.pk in known:
                continue
            invitation = Invitation(wave=wave, person=person, token_digest="")
            invitation.token_digest = digest(invitation_token(invitation=invitation))
            invitation.save()
            known.add(person.pk)
            created += 1
        return created


# --- The self-generated identification code -------------------------------------------


def code_normalize(value: str) -> str:
    """Case, accents, spaces and leading zeros do not make two answers differ."""
    text = unicodedata.normalize("NFKD", value or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).strip().lower()
    text = "".join(text.split())
    if text.isdigit():
        text = str(int(text))
    return text


# A code element's salted hash is kept to its first 64 bits (16 hex digits): an element
# takes a few dozen values, so two of them sharing 64 bits by chance has a probability
# near 10^-16, and the report reads a quarter of the bytes (at 100,000 responses a
# wave, 0.4 s instead of 1.0 s per wave on PostgreSQL). Migration surveys 0005 cut the
# hashes stored before.
CODE_HASH_DIGITS = 16


def code_hashes(*, instrument: Instrument, elements: list[str]) -> list[str]:
    """One salted hash per element (salt: the instrument's salt and the element's name),
    so equal elements can be compared without keeping the answers themselves."""
    return [
        hmac.new(
            f"{instrument.code_salt}:{name}".encode(), code_normalize(value).encode(), "sha256"
        ).hexdigest()[:CODE_HASH_DIGITS]
        for (name, _), value in zip(CODE_ELEMENTS, elements, strict=True)
    ]


def code_is_complete(*, response: Response) -> bool:
    """Whether the draft's code has every element: the hashes are compared with those of
    empty answers, since the answers themselves are not kept."""
    if len(response.code_hashes) != len(CODE_ELEMENTS):
        return False
    empty = code_hashes(instrument=response.wave.instrument, elements=[""] * len(CODE_ELEMENTS))
    return all(saved != blank for saved, blank in zip(response.code_hashes, empty, strict=True))


# --- Checking answers ------------------------------------------------------------------


def item_is_shown(*, item: Item, answers: dict[int, str]) -> bool:
    if item.show_if_item_id is None:
        return True
    given = answers.get(item.show_if_item_id, "")
    return bool(set(given.split("|")) & {str(v) for v in item.show_if_values})


def answer_clean(*, item: Item, raw: list[str]) -> str:
    """The stored code for what was typed or chosen; ValidationError names the value."""
    values = [value.strip() for value in raw if value is not None and value.strip() != ""]
    if not values:
        return ""
    if item.kind == ItemKind.TEXT:
        if len(values[0]) > 5000:
            raise ValidationError("Please keep the answer under 5,000 characters.")
        return values[0]
    if item.kind == ItemKind.NUMERIC:
        try:
            number = int(values[0])
        except ValueError:
            raise ValidationError(f"“{values[0][:40]}” is not a whole number.") from None
        if not 0 <= number <= (item.numeric_max or 0):
            raise ValidationError(
                f"{number} is out of range: give a number from 0 to {item.numeric_max}."
            )
        return str(number)
    allowed = [code for code, _ in item.options()]
    for value in values:
        if value not in allowed:
            raise ValidationError(f"“{value[:40]}” is not one of the choices.")
    if item.kind == ItemKind.MULTIPLE:
        return "|".join(code for code in allowed if code in values)
    if len(values) > 1:
        raise ValidationError("Choose one answer only.")
    return values[0]


@dataclass
class PageCheck:
    answers: dict[int, str]  # item id -> code ("" = no answer)
    errors: dict[int, str]  # item id -> message


def page_check(*, items: list[Item], data, stored: dict[int, str], final: bool) -> PageCheck:
    """Check one page's answers (`data`: a QueryDict or dict of lists by item key).

    `final` checks required items too (on "continue" and "submit"); a draft save on
    change does not, so half-finished pages are kept."""
    answers = dict(stored)
    errors: dict[int, str] = {}
    for item in items:
        raw = data.getlist(item.key) if hasattr(data, "getlist") else data.get(item.key, [])
        try:
            answers[item.pk] = answer_clean(item=item, raw=list(raw))
        except ValidationError as error:
            errors[item.pk] = " ".join(error.messages)
    for item in items:
        if not item_is_shown(item=item, answers=answers):
            answers[item.pk] = ""
            errors.pop(item.pk, None)
        elif final and item.required and not answers.get(item.pk) and item.pk not in errors:
            errors[item.pk] = "Please answer this question; it is required."
    return PageCheck(answers=answers, errors=errors)


def required_missing(*, items: list[Item], answers: dict[int, str]) -> list[Item]:
    """Required items that are shown (given `answers`) but still empty."""
    return [
        item
        for item in items
        if item.required and not answers.get(item.pk) and item_is_shown(item=item, answers=answers)
    ]


# --- Answering ---------------------------------------------------------------------------


def wave_check_open(*, wave: Wave, now: datetime.datetime | None = None) -> None:
    now = now or timezone.now()
    if now < wave.opens_at:
        raise SurveyClosed(f"This survey opens on {wave.opens_at:%d %B %Y}. Nothing was saved.")
    if now >= wave.closes_at:
        raise SurveyClosed(f"This survey closed on {wave.closes_at:%d %B %Y}. Nothing was saved.")


def invitation_for_token(*, token: str) -> Invitation:
    try:
        invitation = Invitation.objects.select_related(
            "wave", "wave__instrument", "wave__instrument__program", "person"
        ).get(token_digest=digest(token))
    except Invitation.DoesNotExist:
        raise SurveyClosed(
            "This survey link is not valid. Please use the link in your email."
        ) from None
    return invitation


def invitation_check_usable(*, invitation: Invitation) -> None:
    if invitation.is_done:
        raise SurveyClosed(
            "This link was already used: your answer (or your choice not to take part) is "
            "recorded. Nothing was changed. Thank you."
        )
    wave_check_open(wave=invitation.wave)


def consent_decline(*, invitation: Invitation) -> None:
    """Declining stores a count on the wave and ends the invitation; nothing else."""
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        invitation_check_usable(invitation=locked)
        Wave.objects.filter(pk=locked.wave_id).update(declined_count=F("declined_count") + 1)
        locked.is_done = True
        locked.save(update_fields=["is_done"])


def draft_start(*, invitation: Invitation) -> tuple[Response, str | None]:
    """Consent given: the respondent's draft. Identified mode: the person's draft, found
    again through the invitation. Coded and anonymous: a new draft known only by a new
    opaque draft token, returned once for the browser to keep."""
    wave = invitation.wave
    mode = wave.instrument.anonymity
    with transaction.atomic():
        invitation_check_usable(invitation=invitation)
        if mode == Anonymity.IDENTIFIED:
            response, _ = Response.objects.get_or_create(
                wave=wave, person=invitation.person, defaults={"anonymity": mode}
            )
            return response, None
        token = secrets.token_urlsafe(24)
        response = Response.objects.create(
            wave=wave, anonymity=mode, draft_token_digest=digest(token)
        )
        return response, token


def draft_for_token(*, wave: Wave, token: str) -> Response | None:
    if not token:
        return None
    return Response.objects.filter(
        wave=wave, draft_token_digest=digest(token), submitted_at__isnull=True
    ).first()


def draft_save(
    *, response: Response, answers: dict[int, str], code: list[str] | None = None
) -> None:
    """Store the answers of a page (all or nothing)."""
    with transaction.atomic():
        if response.submitted_at is not None:
            raise SurveyClosed("These answers were already submitted. Nothing was changed.")
        wave_check_open(wave=response.wave)
        for item_id, value in answers.items():
            if value == "":
                Answer.objects.filter(response=response, item_id=item_id).delete()
            else:
                Answer.objects.update_or_create(
                    response=response, item_id=item_id, defaults={"value": value}
                )
        if code is not None:
            response.code_hashes = code_hashes(instrument=response.wave.instrument, elements=code)
            response.save(update_fields=["code_hashes"])


def submitted_at_stored(*, anonymity: str) -> datetime.datetime:
    """When a response was submitted, as stored: to the second when identified; in coded
    and anonymous modes only the day (midnight UTC), so the time cannot be matched with
    a web server's log of who opened their invitation link when."""
    now = timezone.now()
    if anonymity == Anonymity.IDENTIFIED:
        return now
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def response_submit(*, response: Response, invitation: Invitation) -> None:
    """Submit: the response stops being a draft (its draft token is forgotten) and the
    invitation is marked done. The two rows are written together but never joined."""
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        invitation_check_usable(invitation=locked)
        if Response.objects.filter(pk=response.pk, submitted_at__isnull=False).exists():
            raise SurveyClosed("These answers were already submitted. Nothing was changed.")
        items = {item.pk: item for item in response.wave.instrument.items.all()}
        answers = dict(Answer.objects.filter(response=response).values_list("item_id", "value"))
        Response.objects.filter(pk=response.pk).update(
            submitted_at=submitted_at_stored(anonymity=response.anonymity),
            draft_token_digest=None,
            number_answers=number_answers_pack(answers, items),
        )
        locked.is_done = True
        locked.save(update_fields=["is_done"])


def invitations_create_for_roles(*, wave: Wave, roles: list[str], by: Actor) -> int:
    """Invite everyone enrolled in the survey's program in one of `roles` (someone
    holding two of them is invited once; people already invited are left as they are).
    `by`: a director or coordinator, or access.SYSTEM. Returns how many were newly
    invited."""
    from medmentor.people.models import Person
    from medmentor.programs.models import Role

    access.require_manager(
        by, wave.instrument.program, "Only the program's directors and coordinators invite people."
    )
    chosen = set(roles)
    if not chosen:
        raise ValidationError("Choose at least one role to invite.")
    unknown = sorted(chosen - set(Role.values))
    if unknown:
        raise ValidationError(f"“{unknown[0][:40]}” is not a role in a program.")
    with transaction.atomic():
        people = Person.objects.filter(
            enrollments__program=wave.instrument.program_id, enrollments__role__in=chosen
        ).distinct()
        return invitations_create(wave=wave, people=list(people.order_by("pk")))


def response_record(
    *,
    wave: Wave,
    answers: dict[str, str],
    code: list[str] | None = None,
    person=None,
) -> Response:
    """A submitted response entered in one go (paper questionnaires, demo data): the
    answers by item key, each checked as on the answering page; all or nothing."""
    instrument = wave.instrument
    if person is not None and instrument.anonymity != Anonymity.IDENTIFIED:
        raise ValidationError("Only an identified survey stores who answered.")
    items = {item.key: item for item in instrument.items.all()}
    unknown = sorted(set(answers) - set(items))
    if unknown:
        raise ValidationError(f"“{unknown[0]}” is not an item of “{instrument.title}”.")
    cleaned = {}
    for key, value in answers.items():
        try:
            raw = value if isinstance(value, list) else [str(value)]
            cleaned[items[key].pk] = answer_clean(item=items[key], raw=raw)
        except ValidationError as error:
            raise ValidationError(f"{key}: {' '.join(error.messages)}") from None
    with transaction.atomic():
        response = Response.objects.create(
            wave=wave,
            person=person,
            anonymity=instrument.anonymity,
            code_hashes=(
                code_hashes(instrument=instrument, elements=code)
                if code and instrument.anonymity == Anonymity.CODED
                else []
            ),
            submitted_at=submitted_at_stored(anonymity=instrument.anonymity),
            number_answers=number_answers_pack(cleaned, {item.pk: item for item in items.values()}),
        )
        Answer.objects.bulk_create(
            Answer(response=response, item_id=item_id, value=value)
            for item_id, value in cleaned.items()
            if value != ""
        )
    return response
