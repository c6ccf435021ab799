"""Every read of reverse mentoring that a page shows, with privacy rule 3 applied here.

- A fellow sees their own feedback and the consultants they work with.
- A consultant and their fellow mentor see the consultant's feedback only pooled over
  at least RELEASE_THRESHOLD fellows, after the facilitator released it; free text is
  the de-identified text, sorted by its words (no author, order or time), ratings as
  counts per value. Fewer fellows (one withdrew): nothing.
- Nobody else sees one fellow's feedback: not a supervising consultant (they see only
  their own pooled feedback), not the director, who sees counts only.
- The facilitator sees the flagged texts, de-identified and without their author.
- The "what will you change" note is the consultant's alone.
"""

import statistics
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.utils import timezone

from medmentor.meetings.models import MeetingLog
from medmentor.people.models import Person
from medmentor.programs import access
from medmentor.programs.models import Program, Role
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
from medmentor.reverse.services import contributors_count, is_facilitator, mentor_of
from medmentor.surveys.library import REVERSE_MENTORING
from medmentor.surveys.selectors import item_comparisons, survey_report

# Session lengths are reported (median, range) over at least this many sessions, as
# every program-level aggregate (privacy rule 1): fewer would show one pair's length.
SESSIONS_SHOWN_FROM = 5

FELLOW_LABEL = "Fellow (mentor)"
CONSULTANT_LABEL = "Consultant (mentee)"


def _has_consent(program: Program, consultant: Person) -> bool:
    return Consent.objects.filter(
        program=program, consultant=consultant, withdrawn_at__isnull=True
    ).exists()


# --- The pooled feedback -----------------------------------------------------------------


@dataclass(frozen=True)
class PooledDomain:
    label: str
    rated: bool
    rating_counts: list[tuple[int, int]]  # (rating, how many), 1..RATING_MAX
    texts: list[str]  # sorted by their words: no author, order or time

    @property
    def n_ratings(self) -> int:
        return sum(n for _, n in self.rating_counts)


@dataclass(frozen=True)
class PooledFeedback:
    consultant: Person
    n_fellows: int
    domains: list[PooledDomain]

    def as_text(self) -> str:
        lines = [f"Feedback pooled from {self.n_fellows} fellows"]
        for domain in self.domains:
            lines.append(f"\n{domain.label}")
            if domain.n_ratings:
                lines.append(
                    "Ratings: "
                    + ", ".join(f"{n} × {rating}" for rating, n in domain.rating_counts if n)
                )
            lines += [f"- {text}" for text in domain.texts]
        return "\n".join(lines)


def may_read_pooled(*, program: Program, consultant: Person, viewer: Person) -> bool:
    """The consultant themselves and their fellow mentor."""
    if viewer.pk == consultant.pk:
        return True
    mentor = mentor_of(program=program, consultant=consultant)
    return mentor is not None and mentor.pk == viewer.pk


def released_feedback(
    *, program: Program, consultant: Person, viewer: Person
) -> PooledFeedback | None:
    """The pooled feedback on `consultant` as `viewer` may read it: None when it is not
    released, the consultant's consent is withdrawn, or fewer than the threshold of
    fellows' words remain; PermissionDenied for anyone but the consultant and their
    mentor."""
    if not may_read_pooled(program=program, consultant=consultant, viewer=viewer):
        raise PermissionDenied(
            "The pooled feedback is for the consultant and their fellow mentor only."
        )
    if not _has_consent(program, consultant):
        return None
    if not Release.objects.filter(program=program, consultant=consultant).exists():
        return None
    n_fellows = contributors_count(program=program, consultant=consultant)
    if n_fellows < RELEASE_THRESHOLD:
        return None
    answers = DomainAnswer.objects.filter(
        feedback__program=program, feedback__consultant=consultant
    ).values_list("domain", "rating", "shown_text", "needs_review", "reviewed_at")
    ratings: dict[str, list[int]] = {d: [] for d in Domain.values}
    texts: dict[str, list[str]] = {d: [] for d in Domain.values}
    for domain, rating, shown, needs_review, reviewed_at in answers:
        if rating is not None:
            ratings[domain].append(rating)
        # A flagged text the facilitator has not reviewed yet (changed since) waits.
        if shown and (not needs_review or reviewed_at is not None):
            texts[domain].append(shown)
    domains = [
        PooledDomain(
            label=label,
            rated=value in RATED_DOMAINS,
            rating_counts=[(r, ratings[value].count(r)) for r in range(1, RATING_MAX + 1)],
            texts=sorted(texts[value], key=lambda text: (text.casefold(), text)),
        )
        for value, label in Domain.choices
    ]
    return PooledFeedback(consultant=consultant, n_fellows=n_fellows, domains=domains)


# --- Home pages --------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsultantRow:
    """A consultant the fellow works with, from the fellow's side."""

    consultant: Person
    has_consent: bool
    gave_feedback: bool
    is_mentee: bool
    released: bool


@dataclass(frozen=True)
class SessionRow:
    session: Session
    other: Person
    minutes: int | None
    is_past: bool


@dataclass
class ReverseHome:
    is_fellow: bool = False
    is_consultant: bool = False
    is_facilitator: bool = False
    manages: bool = False
    consultants: list[ConsultantRow] = field(default_factory=list)
    has_consent: bool = False
    mentor: Person | None = None
    pooled_available: bool = False
    sessions: list[SessionRow] = field(default_factory=list)


def _sessions_of(program: Program, person: Person) -> list[SessionRow]:
    now = timezone.now()
    sessions = (
        Session.objects.filter(program=program, meeting__cancelled_at__isnull=True)
        .filter(Q(fellow=person) | Q(consultant=person))
        .select_related("meeting", "fellow", "consultant")
    )
    logs = dict(
        MeetingLog.objects.filter(meeting__reverse_session__in=sessions).values_list(
            "meeting_id", "minutes"
        )
    )
    return [
        SessionRow(
            session=s,
            other=s.consultant if s.fellow_id == person.pk else s.fellow,
            minutes=logs.get(s.meeting_id),
            is_past=s.meeting.starts_at <= now,
        )
        for s in sessions
    ]


def reverse_home(*, program: Program, viewer: Person) -> ReverseHome:
    standing = access.program_access(viewer, program)
    home = ReverseHome(
        is_fellow=standing.is_senior,
        is_consultant=standing.is_junior,
        is_facilitator=is_facilitator(program=program, person=viewer),
        manages=standing.manages,
    )
    if home.is_fellow:
        relationships = WorkingRelationship.objects.filter(
            program=program, fellow=viewer
        ).select_related("consultant")
        consultant_ids = [r.consultant_id for r in relationships]
        consenting = set(
            Consent.objects.filter(
                program=program, consultant__in=consultant_ids, withdrawn_at__isnull=True
            ).values_list("consultant_id", flat=True)
        )
        given = set(
            Feedback.objects.filter(program=program, fellow=viewer).values_list(
                "consultant_id", flat=True
            )
        )
        home.consultants = [
            ConsultantRow(
                consultant=r.consultant,
                has_consent=r.consultant_id in consenting,
                gave_feedback=r.consultant_id in given,
                is_mentee=r.is_mentor,
                released=r.is_mentor
                and released_feedback(program=program, consultant=r.consultant, viewer=viewer)
                is not None,
            )
            for r in relationships
        ]
    if home.is_consultant:
        home.has_consent = _has_consent(program, viewer)
        home.mentor = mentor_of(program=program, consultant=viewer)
        home.pooled_available = (
            released_feedback(program=program, consultant=viewer, viewer=viewer) is not None
        )
    if home.is_fellow or home.is_consultant:
        home.sessions = _sessions_of(program, viewer)
    return home


def own_feedback(*, program: Program, consultant: Person, fellow: Person) -> dict[str, tuple]:
    """The fellow's own answers on `consultant`: {domain: (rating, text)}."""
    feedback = Feedback.objects.filter(
        program=program, consultant=consultant, fellow=fellow
    ).first()
    if feedback is None:
        return {}
    return {a.domain: (a.rating, a.text) for a in feedback.answers.all()}


def consultant_for_fellow(*, program: Program, fellow: Person, consultant_id: int) -> Person:
    """A consultant the fellow works with; Person.DoesNotExist otherwise."""
    relationship = WorkingRelationship.objects.select_related("consultant").get(
        program=program, fellow=fellow, consultant_id=consultant_id
    )
    return relationship.consultant


def consultant_in_program(*, program: Program, consultant_id: int) -> Person:
    return Person.objects.get(
        pk=consultant_id, enrollments__program=program, enrollments__role=Role.JUNIOR
    )


# --- Counts for the director -------------------------------------------------------------


@dataclass(frozen=True)
class CountRow:
    consultant: Person
    has_consent: bool
    n_fellows: int
    released: bool
    shown: bool
    sessions: int
    sessions_logged: int


def director_counts(*, program: Program, viewer: access.Actor) -> list[CountRow]:
    """Per consultant: consent, how many fellows gave feedback, whether it is released
    and shown, sessions booked and logged. Counts only, never words or ratings."""
    access.require_manager(viewer, program, "The counts are for the directors and coordinators.")
    counts = dict(
        FeedbackContributor.objects.filter(feedback__program=program)
        .values("feedback__consultant")
        .annotate(n=Count("fellow", distinct=True))
        .values_list("feedback__consultant", "n")
    )
    consenting = set(
        Consent.objects.filter(program=program, withdrawn_at__isnull=True).values_list(
            "consultant_id", flat=True
        )
    )
    released = set(Release.objects.filter(program=program).values_list("consultant_id", flat=True))
    sessions = Session.objects.filter(program=program, meeting__cancelled_at__isnull=True)
    booked: dict[int, int] = {}
    logged: dict[int, int] = {}
    for consultant_id, has_log in sessions.values_list("consultant_id", "meeting__log__id"):
        booked[consultant_id] = booked.get(consultant_id, 0) + 1
        if has_log is not None:
            logged[consultant_id] = logged.get(consultant_id, 0) + 1
    consultants = Person.objects.filter(
        enrollments__program=program, enrollments__role=Role.JUNIOR
    ).order_by("full_name")
    return [
        CountRow(
            consultant=c,
            has_consent=c.pk in consenting,
            n_fellows=counts.get(c.pk, 0),
            released=c.pk in released,
            shown=c.pk in released
            and c.pk in consenting
            and counts.get(c.pk, 0) >= RELEASE_THRESHOLD,
            sessions=booked.get(c.pk, 0),
            sessions_logged=logged.get(c.pk, 0),
        )
        for c in consultants
    ]


# --- The facilitator's review ------------------------------------------------------------


@dataclass(frozen=True)
class ReviewRow:
    consultant: Person
    n_fellows: int
    released: bool
    has_consent: bool
    waiting: list[DomainAnswer]  # flagged, de-identified, no author


def review_queue(*, program: Program, viewer: Person) -> list[ReviewRow]:
    if not is_facilitator(program=program, person=viewer):
        raise PermissionDenied("The review is for the program's facilitator.")
    rows = []
    for count in director_counts_unchecked(program):
        waiting = sorted(
            DomainAnswer.objects.filter(
                feedback__program=program,
                feedback__consultant=count.consultant,
                needs_review=True,
                reviewed_at__isnull=True,
            ).only("pk", "domain", "shown_text"),
            key=lambda a: (a.domain, a.shown_text.casefold(), a.pk),
        )
        rows.append(
            ReviewRow(
                consultant=count.consultant,
                n_fellows=count.n_fellows,
                released=count.released,
                has_consent=count.has_consent,
                waiting=waiting,
            )
        )
    return rows


def director_counts_unchecked(program: Program) -> list[CountRow]:
    return director_counts(program=program, viewer=access.SYSTEM)


def answer_for_review(*, program: Program, answer_id: int, viewer: Person) -> DomainAnswer:
    if not is_facilitator(program=program, person=viewer):
        raise PermissionDenied("The review is for the program's facilitator.")
    return DomainAnswer.objects.select_related("feedback__program").get(
        pk=answer_id, feedback__program=program
    )


# --- Sessions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionPage:
    session: Session
    is_consultant: bool
    minutes: int | None
    pooled: PooledFeedback | None
    note: str  # the consultant's own; empty for the fellow


def session_for_viewer(*, program: Program, session_id: int, viewer: Person) -> SessionPage:
    """A session for one of its two; Session.DoesNotExist for anyone else (404)."""
    session = Session.objects.select_related("meeting", "fellow", "consultant").get(
        Q(fellow=viewer) | Q(consultant=viewer), program=program, pk=session_id
    )
    log = MeetingLog.objects.filter(meeting=session.meeting).first()
    is_consultant = session.consultant_id == viewer.pk
    note = ""
    if is_consultant:
        found = ChangeNote.objects.filter(session=session).first()
        note = found.text if found else ""
    pooled = released_feedback(program=program, consultant=session.consultant, viewer=viewer)
    return SessionPage(
        session=session,
        is_consultant=is_consultant,
        minutes=log.minutes if log else None,
        pooled=pooled,
        note=note,
    )


# --- The evaluation report ---------------------------------------------------------------


@dataclass(frozen=True)
class SessionLengths:
    n: int
    median: float | None = None
    low: int | None = None
    high: int | None = None


@dataclass(frozen=True)
class SurveyTable:
    """One survey's rows of the seed-002 style table: its scales, then its Likert items,
    pre vs post over the paired respondents."""

    report: object  # surveys.selectors.SurveyReport
    items: list  # [(Item, stats.PairedComparison | None)]


@dataclass
class ReverseReport:
    lengths: SessionLengths
    surveys: list[SurveyTable] = field(default_factory=list)
    counts: list[CountRow] = field(default_factory=list)


def session_lengths(*, program: Program) -> SessionLengths:
    minutes = sorted(
        MeetingLog.objects.filter(
            meeting__reverse_session__program=program, meeting__cancelled_at__isnull=True
        ).values_list("minutes", flat=True)
    )
    if len(minutes) < SESSIONS_SHOWN_FROM:
        return SessionLengths(n=len(minutes))
    return SessionLengths(
        n=len(minutes), median=statistics.median(minutes), low=minutes[0], high=minutes[-1]
    )


def reverse_report(*, program: Program, viewer: Person) -> ReverseReport:
    """The evaluation: the pre/post survey's paired results (surveys' report, through
    medmentor.stats), session lengths as median and range, and the counts."""
    access.require(viewer, program, "sees_reports")
    instruments = program.instruments.filter(
        title__startswith=str(REVERSE_MENTORING["title"])
    ).order_by("pk")
    return ReverseReport(
        lengths=session_lengths(program=program),
        surveys=[
            SurveyTable(
                report=survey_report(instrument=i, with_charts=False),
                items=item_comparisons(instrument=i),
            )
            for i in instruments
        ],
        counts=director_counts_unchecked(program),
    )


# --- The home page's items ---------------------------------------------------------------


def attention_items(*, person: Person, program: Program) -> list:
    """What needs `person` in the reverse mentoring `program` (the kind's home items):
    a fellow's feedback still to give, a consultant's consent, released feedback."""
    from django.urls import reverse

    from medmentor.programs.selectors import ATTENTION_WARN, AttentionItem

    home_url = reverse("reverse-home", kwargs={"slug": program.slug})
    home = reverse_home(program=program, viewer=person)
    items = []
    to_give = [r for r in home.consultants if r.has_consent and not r.gave_feedback]
    if to_give:
        items.append(
            AttentionItem(
                text=f"Feedback to give on {len(to_give)} consultant"
                f"{'' if len(to_give) == 1 else 's'} you work with.",
                url=home_url,
                tone=ATTENTION_WARN,
            )
        )
    if home.is_consultant and not home.has_consent:
        items.append(
            AttentionItem(
                text="Reverse mentoring asks for your consent.", url=home_url, tone=ATTENTION_WARN
            )
        )
    if home.pooled_available:
        items.append(
            AttentionItem(text="Your pooled feedback from the fellows is ready.", url=home_url)
        )
    return items


# --- Set-up ------------------------------------------------------------------------------


def relationships(*, program: Program) -> list[WorkingRelationship]:
    """Who works with whom (no feedback in it): for the set-up page."""
    return list(
        WorkingRelationship.objects.filter(program=program)
        .select_related("fellow", "consultant")
        .order_by("consultant__full_name", "fellow__full_name")
    )


def facilitators(*, program: Program) -> list[Person]:
    return list(
        Person.objects.filter(
            pk__in=Facilitator.objects.filter(program=program).values("person")
        ).order_by("full_name")
    )
