"""Every write of reverse mentoring: keyword-only functions, one transaction each, each
checking who acts (`by`) through programs.access.

Refusals raise ReverseError with a message naming what was refused and why; nothing is
written then.
"""

import datetime
import re

from django.db import transaction
from django.urls import reverse as url_for
from django.utils import timezone

from medmentor.meetings import services as meetings
from medmentor.meetings.models import MeetingLog
from medmentor.people.models import Person
from medmentor.programs import access
from medmentor.programs.access import Actor
from medmentor.programs.models import Program, ProgramKind
from medmentor.qualitative import deidentify
from medmentor.reverse.models import (
    RATED_DOMAINS,
    RATING_MAX,
    RELEASE_THRESHOLD,
    ChangeNote,
    Consent,
    Domain,
    DomainAnswer,
    Facilitator,
    Feedback,
    FeedbackContributor,
    Release,
    Session,
    WorkingRelationship,
)
from medmentor.surveys.library import REVERSE_MENTORING, instrument_create
from medmentor.surveys.services import invitations_create_for_roles

TEXT_MOST = 2000
NOTE_MOST = 2000
SESSION_MOST_MINUTES = 24 * 60

# Phrases that may point at one fellow (their own experience, a unique role, a day):
# not replaced, but flagged for the facilitator's review before release.
POINTING = re.compile(
    r"\b(?:I|I'm|I've|I'd|me|my|mine|myself|the only|only one|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|last week|"
    r"ST\d|FY\d|CT\d|SpR|registrar|night shift)\b",
    re.IGNORECASE,
)
PLACEHOLDERS = {"name": "[name]", "email": "[email]", "phone": "[phone]", "speaker": "[name]"}


class ReverseError(ValueError):
    """A refused change; the message says what and why, in plain words."""


# --- Checks ----------------------------------------------------------------------------


def _require_reverse(program: Program) -> None:
    if program.kind != ProgramKind.REVERSE:
        raise ReverseError(f"{program.name} is not a reverse mentoring program.")


def _require_fellow(program: Program, person: Person) -> None:
    if not access.program_access(person, program).is_senior:
        raise ReverseError(f"{person.full_name} is not a fellow (mentor) in {program.name}.")


def _require_consultant(program: Program, person: Person) -> None:
    if not access.program_access(person, program).is_junior:
        raise ReverseError(f"{person.full_name} is not a consultant (mentee) in {program.name}.")


def _require_consent(program: Program, consultant: Person, what: str) -> None:
    if not Consent.objects.filter(
        program=program, consultant=consultant, withdrawn_at__isnull=True
    ).exists():
        raise ReverseError(
            f"{consultant.full_name} has not consented to reverse mentoring, so {what}. "
            "They can consent on their reverse mentoring page."
        )


def _require_works_with(program: Program, fellow: Person, consultant: Person) -> None:
    if not WorkingRelationship.objects.filter(
        program=program, fellow=fellow, consultant=consultant
    ).exists():
        raise ReverseError(
            f"{fellow.full_name} does not work with {consultant.full_name} in {program.name}: "
            "feedback is given only on consultants you work with."
        )


def is_facilitator(*, program: Program, person: Actor) -> bool:
    """Whether `person` is one of the program's facilitators (the system actor is)."""
    if isinstance(person, access.SystemActor):
        return True
    return Facilitator.objects.filter(program=program, person=person).exists()


def _require_facilitator(program: Program, by: Actor) -> None:
    if not is_facilitator(program=program, person=by):
        raise ReverseError("Only the program's facilitator may do this.")


def mentor_of(*, program: Program, consultant: Person) -> Person | None:
    relationship = (
        WorkingRelationship.objects.filter(program=program, consultant=consultant, is_mentor=True)
        .select_related("fellow")
        .first()
    )
    return relationship.fellow if relationship else None


def contributors_count(*, program: Program, consultant: Person) -> int:
    """How many distinct fellows' words are in the feedback on `consultant`."""
    return (
        FeedbackContributor.objects.filter(
            feedback__program=program, feedback__consultant=consultant
        )
        .values("fellow")
        .distinct()
        .count()
    )


# --- Set-up: who works with whom, the facilitator ---------------------------------------


def relationship_add(
    *,
    program: Program,
    fellow: Person,
    consultant: Person,
    consultant_supervises: bool = True,
    is_mentor: bool = False,
    by: Actor,
) -> WorkingRelationship:
    """Record that `fellow` works with `consultant` (the director or a coordinator)."""
    access.require_manager(by, program, "Only the program's directors and coordinators set this.")
    _require_reverse(program)
    _require_fellow(program, fellow)
    _require_consultant(program, consultant)
    if is_mentor and mentor_of(program=program, consultant=consultant) not in (None, fellow):
        raise ReverseError(f"{consultant.full_name} already has a reverse mentor.")
    with transaction.atomic():
        relationship, _ = WorkingRelationship.objects.update_or_create(
            program=program,
            fellow=fellow,
            consultant=consultant,
            defaults={"consultant_supervises": consultant_supervises, "is_mentor": is_mentor},
        )
    return relationship


def facilitator_add(*, program: Program, person: Person, by: Actor) -> Facilitator:
    """Name a facilitator: enrolled, never a consultant (they supervise the fellows) nor
    a director (who sees counts only)."""
    access.require(by, program, "directs", "Only the program's director names its facilitator.")
    _require_reverse(program)
    standing = access.program_access(person, program)
    if not standing.is_enrolled:
        raise ReverseError(f"{person.full_name} is not in {program.name}.")
    if standing.is_junior or standing.is_director:
        raise ReverseError(
            f"{person.full_name} cannot facilitate: consultants supervise the fellows and the "
            "director sees counts only, so neither may read the feedback before it is pooled."
        )
    with transaction.atomic():
        facilitator, _ = Facilitator.objects.get_or_create(program=program, person=person)
    return facilitator


# --- Consent -----------------------------------------------------------------------------


def consent_give(*, program: Program, by: Person, now: datetime.datetime | None = None) -> Consent:
    """The consultant `by` agrees to take part (again, after withdrawing)."""
    now = now or timezone.now()
    _require_reverse(program)
    _require_consultant(program, by)
    with transaction.atomic():
        consent, _ = Consent.objects.update_or_create(
            program=program, consultant=by, defaults={"consented_at": now, "withdrawn_at": None}
        )
    return consent


def consent_withdraw(*, program: Program, by: Person, now: datetime.datetime | None = None) -> None:
    """The consultant `by` withdraws: nothing more is collected on them nor shown."""
    now = now or timezone.now()
    _require_consultant(program, by)
    with transaction.atomic():
        updated = Consent.objects.filter(
            program=program, consultant=by, withdrawn_at__isnull=True
        ).update(withdrawn_at=now)
    if not updated:
        raise ReverseError("You have not consented, so there is nothing to withdraw.")


# --- Phase 1: feedback -------------------------------------------------------------------


def _roster(program: Program) -> list[deidentify.RosterEntry]:
    people = Person.objects.filter(enrollments__program=program).distinct()
    return [deidentify.RosterEntry(p.pk, p.full_name, p.email) for p in people]


def deidentified(text: str, roster: list[deidentify.RosterEntry]) -> tuple[str, bool]:
    """`text` with names, emails and phone numbers replaced (the qualitative module's
    de-identification), and whether the facilitator must review it before release: it
    held a name, or a phrase that may point at one fellow."""
    found = deidentify.candidates_find(text=text, roster=roster, speaker_labels=[])
    replaced, _ = deidentify.apply(
        text, [(c.start, c.end, PLACEHOLDERS.get(c.kind, "[name]")) for c in found]
    )
    return replaced, bool(found) or bool(POINTING.search(text))


def _clean_answers(answers: dict) -> dict[str, tuple[int | None, str]]:
    """The answers as {domain: (rating or None, text)}, or ReverseError naming the domain."""
    cleaned: dict[str, tuple[int | None, str]] = {}
    for domain, (rating, text) in answers.items():
        if domain not in Domain.values:
            raise ReverseError(f"“{domain}” is not one of the seven domains.")
        label = Domain(domain).label
        text = (text or "").strip()
        if len(text) > TEXT_MOST:
            raise ReverseError(
                f"{label}: the text is {len(text):,} characters long; at most {TEXT_MOST:,} fit."
            )
        if rating in ("", None):
            rating = None
        else:
            if domain not in RATED_DOMAINS:
                raise ReverseError(f"{label} takes words, not a rating.")
            try:
                rating = int(rating)
            except (TypeError, ValueError):
                raise ReverseError(f"{label}: the rating “{rating}” is not a number.") from None
            if not 1 <= rating <= RATING_MAX:
                raise ReverseError(f"{label}: the rating {rating} is refused: 1 to {RATING_MAX}.")
        if rating is not None or text:
            cleaned[domain] = (rating, text)
    if not cleaned:
        raise ReverseError("The feedback is empty: give a rating or some words in one domain.")
    return cleaned


def _answers_write(feedback: Feedback, cleaned: dict, program: Program) -> None:
    roster = _roster(program)
    existing = {a.domain: a for a in feedback.answers.all()}
    feedback.answers.exclude(domain__in=list(cleaned)).delete()
    for domain, (rating, text) in cleaned.items():
        shown, flagged = deidentified(text, roster)
        answer = existing.get(domain)
        if answer is not None and answer.text == text:
            if answer.rating != rating:
                answer.rating = rating
                answer.save(update_fields=["rating"])
            continue
        DomainAnswer.objects.update_or_create(
            feedback=feedback,
            domain=domain,
            defaults={
                "rating": rating,
                "text": text,
                "shown_text": shown,
                "needs_review": flagged,
                "reviewed_at": None,
            },
        )


def feedback_give(
    *,
    program: Program,
    consultant: Person,
    answers: dict,
    by: Person,
    now: datetime.datetime | None = None,
) -> Feedback:
    """The fellow `by` gives (or changes) their feedback on `consultant`: `answers` maps
    a domain to (rating or None, text)."""
    now = now or timezone.now()
    _require_reverse(program)
    _require_fellow(program, by)
    _require_consultant(program, consultant)
    _require_works_with(program, by, consultant)
    _require_consent(program, consultant, "no feedback is collected on them")
    cleaned = _clean_answers(answers)
    with transaction.atomic():
        feedback, created = Feedback.objects.get_or_create(
            program=program,
            consultant=consultant,
            fellow=by,
            defaults={"recorded_by": by, "created_at": now, "updated_at": now},
        )
        if not created:
            feedback.updated_at = now
            feedback.save(update_fields=["updated_at"])
        FeedbackContributor.objects.get_or_create(feedback=feedback, fellow=by)
        _answers_write(feedback, cleaned, program)
    return feedback


def feedback_withdraw(*, program: Program, consultant: Person, by: Person) -> None:
    """The fellow `by` takes their feedback on `consultant` back: their words leave the
    pooled feedback (below the threshold nothing is shown any more)."""
    _require_fellow(program, by)
    with transaction.atomic():
        deleted, _ = Feedback.objects.filter(
            program=program, consultant=consultant, fellow=by
        ).delete()
    if not deleted:
        raise ReverseError(f"You gave no feedback on {consultant.full_name} to withdraw.")


def group_feedback_record(
    *,
    program: Program,
    consultant: Person,
    fellows: list[Person],
    answers: dict,
    by: Actor,
    now: datetime.datetime | None = None,
) -> Feedback:
    """The facilitator records a group session's feedback on `consultant`; `fellows`
    are those present, each counted once towards the release threshold."""
    now = now or timezone.now()
    _require_reverse(program)
    _require_facilitator(program, by)
    _require_consultant(program, consultant)
    fellows = list(dict.fromkeys(fellows))
    if not fellows:
        raise ReverseError("Tick the fellows who were at the group session.")
    for fellow in fellows:
        _require_fellow(program, fellow)
        _require_works_with(program, fellow, consultant)
    _require_consent(program, consultant, "no feedback is collected on them")
    cleaned = _clean_answers(answers)
    with transaction.atomic():
        feedback = Feedback.objects.create(
            program=program,
            consultant=consultant,
            fellow=None,
            recorded_by=access.recorded_by(by),
            created_at=now,
            updated_at=now,
        )
        FeedbackContributor.objects.bulk_create(
            FeedbackContributor(feedback=feedback, fellow=fellow) for fellow in fellows
        )
        _answers_write(feedback, cleaned, program)
    return feedback


def answer_review(
    *, answer: DomainAnswer, shown_text: str, by: Actor, now: datetime.datetime | None = None
) -> DomainAnswer:
    """The facilitator settles a flagged text: the words shown on release."""
    now = now or timezone.now()
    program = answer.feedback.program
    _require_facilitator(program, by)
    shown_text = shown_text.strip()
    if len(shown_text) > TEXT_MOST:
        raise ReverseError(f"The text is {len(shown_text):,} characters; at most {TEXT_MOST:,}.")
    with transaction.atomic():
        answer.shown_text, answer.reviewed_at = shown_text, now
        answer.save(update_fields=["shown_text", "reviewed_at"])
    return answer


def feedback_release(
    *, program: Program, consultant: Person, by: Actor, now: datetime.datetime | None = None
) -> Release:
    """Release the pooled feedback on `consultant` to them and their mentor: only from
    at least 3 fellows, with every flagged text reviewed."""
    now = now or timezone.now()
    _require_reverse(program)
    if not (
        is_facilitator(program=program, person=by) or access.program_access(by, program).manages
    ):
        raise ReverseError("Only the facilitator, the director or a coordinator releases feedback.")
    _require_consultant(program, consultant)
    _require_consent(program, consultant, "their feedback cannot be released")
    count = contributors_count(program=program, consultant=consultant)
    if count < RELEASE_THRESHOLD:
        raise ReverseError(
            f"Feedback on {consultant.full_name} comes from {count} fellow"
            f"{'' if count == 1 else 's'}: it is released only when at least "
            f"{RELEASE_THRESHOLD} fellows gave it, so no one's words can be told apart."
        )
    waiting = DomainAnswer.objects.filter(
        feedback__program=program,
        feedback__consultant=consultant,
        needs_review=True,
        reviewed_at__isnull=True,
    ).count()
    if waiting:
        raise ReverseError(
            f"{waiting} text{'' if waiting == 1 else 's'} on {consultant.full_name} "
            f"{'waits' if waiting == 1 else 'wait'} for the facilitator's review (a name or "
            "a phrase that may point at one fellow): review them first."
        )
    with transaction.atomic():
        release, _ = Release.objects.get_or_create(
            program=program,
            consultant=consultant,
            defaults={"released_at": now, "released_by": access.recorded_by(by)},
        )
    return release


# --- Phase 2: sessions -------------------------------------------------------------------


def _agenda(program: Program, consultant: Person) -> str:
    # The words stay in medmentor: the invitation email sits in the outbox, which the
    # director can read, and the director sees counts only.
    domains = "; ".join(label for _, label in Domain.choices)
    return (
        "Reverse mentoring session: the pooled feedback of the fellows in seven domains "
        f"({domains}). Read it in medmentor: "
        + url_for("reverse-home", kwargs={"slug": program.slug})
    )


def session_book(
    *,
    program: Program,
    consultant: Person,
    starts_at: datetime.datetime,
    minutes: int = 45,
    place: str = "",
    by: Person,
    now: datetime.datetime | None = None,
) -> Session:
    """Book a 1-2-1 session of `consultant` and their fellow mentor (either of them
    books it) through the meetings app; its agenda is the pooled feedback."""
    _require_reverse(program)
    _require_consultant(program, consultant)
    mentor = mentor_of(program=program, consultant=consultant)
    if mentor is None:
        raise ReverseError(f"{consultant.full_name} has no fellow mentor yet.")
    if by.pk not in (consultant.pk, mentor.pk):
        raise ReverseError("Only the consultant and their fellow mentor book their sessions.")
    _require_consent(program, consultant, "no session can be booked")
    if not 1 <= minutes <= SESSION_MOST_MINUTES:
        raise ReverseError(f"A session of {minutes} minutes is refused: 1 minute to 1 day.")
    with transaction.atomic():
        try:
            meeting = meetings.meeting_plan(
                program=program,
                organizer=by,
                participants=[consultant, mentor],
                title=f"Reverse mentoring: {consultant.full_name} with {mentor.full_name}",
                starts_at=starts_at,
                ends_at=starts_at + datetime.timedelta(minutes=minutes),
                place=place,
                agenda=_agenda(program, consultant),
                now=now,
            )
        except meetings.MeetingError as error:
            raise ReverseError(str(error)) from error
        session = Session.objects.create(
            program=program, meeting=meeting, fellow=mentor, consultant=consultant
        )
    return session


def session_log(
    *, session: Session, minutes: int, by: Person, now: datetime.datetime | None = None
) -> MeetingLog:
    """Record how long the session lasted (1 minute to 1 day), by one of its two."""
    if by.pk not in (session.consultant_id, session.fellow_id):
        raise ReverseError("Only the consultant and their fellow mentor log their session.")
    if not 1 <= minutes <= SESSION_MOST_MINUTES:
        raise ReverseError(
            f"A session of {minutes} minutes is refused: from 1 minute to 1 day (1,440 minutes)."
        )
    try:
        return meetings.meeting_log(meeting=session.meeting, by=by, minutes=minutes, now=now)
    except meetings.MeetingError as error:
        raise ReverseError(str(error)) from error


def change_note_save(
    *, session: Session, text: str, by: Person, now: datetime.datetime | None = None
) -> ChangeNote:
    """The consultant's own "what will you change" note on a session: theirs alone."""
    now = now or timezone.now()
    if by.pk != session.consultant_id:
        raise ReverseError("The “what will you change” note is the consultant's own.")
    text = text.strip()
    if not text:
        raise ReverseError("The note is empty: write what you will change.")
    if len(text) > NOTE_MOST:
        raise ReverseError(f"The note is {len(text):,} characters long; at most {NOTE_MOST:,}.")
    with transaction.atomic():
        note, _ = ChangeNote.objects.update_or_create(
            session=session, defaults={"text": text, "updated_at": now}
        )
    return note


# --- The evaluation ----------------------------------------------------------------------

# The pre/post survey for each side, from the survey library's instrument: the seed
# asked fellows and consultants apart ("juniors became more confident…", "seniors became
# more aware…"), so each side answers its own copy and the report shows each its table.
EVALUATION_SIDES = (
    ("fellows (mentors)", "senior"),
    ("consultants (mentees)", "junior"),
)


def evaluation_setup(
    *,
    program: Program,
    pre_opens_at: datetime.datetime,
    post_opens_at: datetime.datetime,
    by: Actor,
) -> list:
    """Copy the survey library's reverse mentoring instrument once for each side, with a
    pre and a post wave, and invite the fellows and the consultants to their own."""
    access.require_manager(by, program, "Only the directors and coordinators set up the survey.")
    _require_reverse(program)
    if post_opens_at <= pre_opens_at:
        raise ReverseError(
            f"The post wave ({post_opens_at:%d %B %Y}) must open after the pre wave "
            f"({pre_opens_at:%d %B %Y})."
        )
    titles = [f"{REVERSE_MENTORING['title']} — {side}" for side, _ in EVALUATION_SIDES]
    if program.instruments.filter(title__in=titles).exists():
        raise ReverseError("The pre and post survey of both sides is already set up.")
    instruments = []
    with transaction.atomic():
        for title, (_, role) in zip(titles, EVALUATION_SIDES, strict=True):
            instrument = instrument_create(
                program=program,
                spec={**REVERSE_MENTORING, "title": title},
                pre_opens_at=pre_opens_at,
                post_opens_at=post_opens_at,
                by=by,
            )
            for wave in instrument.waves.all():
                invitations_create_for_roles(wave=wave, roles=[role], by=by)
            instruments.append(instrument)
    return instruments
