"""Relationship health of one-to-one programs (issue 11 item 5): the per-program
settings, nudging a pair that has not met, the private mid-program check, and
re-pairing a pair that asked for help with the matcher's own `rematch`.

Privacy: a side's check answer and note are theirs alone. Nothing written here tells
staff (or the other side) what was answered or who of the two answered it: emails go
to both sides alike, with the same words, and reminders go to both sides of a pair
whenever either has not answered. Every refusal is a `HealthError` in plain words.
"""

import datetime
from dataclasses import replace

from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from medmentor.matching import rematch
from medmentor.mentoring.models import (
    MatchingRun,
    MatchingRunStatus,
    MentoringSettings,
    Mentorship,
    PairCheck,
    PairCheckAnswer,
)
from medmentor.mentoring.services.matching import (
    MATCHING_DEFAULT_RULES,
    MATCHING_DEFAULT_WEIGHTS,
    MatchingError,
    _matching_build,
    matching_cohort,
)
from medmentor.messaging.personal_links import sign_in_placeholder
from medmentor.messaging.services import RenderedEmail, outbox_enqueue_many
from medmentor.people.models import Person
from medmentor.programs import access
from medmentor.programs.access import Actor
from medmentor.programs.models import Program, ProgramKind
from medmentor.programs.selectors import program_today

# Days after the check is asked before both sides of a pair not fully answered are
# reminded, once.
CHECK_REMINDER_DAYS = 7
CHECK_NOTE_MAX = 2000


class HealthError(ValueError):
    """A relationship-health write refused, in words naming what and why."""


def mentoring_settings_of(*, program: Program) -> MentoringSettings:
    """The program's settings row, made with the defaults the first time."""
    found, _ = MentoringSettings.objects.get_or_create(program=program)
    return found


def mentoring_settings_update(
    *,
    program: Program,
    by: Actor,
    check_in_days: int,
    mid_check_on: datetime.date | None,
) -> MentoringSettings:
    """Set after how many days without a meeting a pair needs a check-in, and the day
    the private mid-program check is sent (None: not planned)."""
    access.require_manager(
        by, program, "Only the program's directors and coordinators may change these settings."
    )
    if program.kind != ProgramKind.ONE_TO_ONE:
        raise HealthError(f"{program.name} is not a one-to-one program; it has no pairs.")
    if not 1 <= int(check_in_days) <= 365:
        raise HealthError(
            f"{check_in_days} days is refused: a pair needs a check-in after 1 to 365 days."
        )
    with transaction.atomic():
        row = MentoringSettings.objects.select_for_update().get(
            pk=mentoring_settings_of(program=program).pk
        )
        # A new date is a new round: the daily job sends it when that day comes.
        row.check_in_days, row.mid_check_on = int(check_in_days), mid_check_on
        row.save(update_fields=["check_in_days", "mid_check_on"])
    return row


def _partner(mentorship: Mentorship, person: Person) -> Person:
    return mentorship.mentee if person.pk == mentorship.mentor_id else mentorship.mentor


def _email(*, key: str, person: Person, program: Program, subject: str, template: str, **context):
    context = {"program": program, "person": person, **context}
    return RenderedEmail(
        key=key,
        to_email=person.email,
        person_id=person.pk,
        subject=" ".join(subject.split()),
        text_body=render_to_string(f"mentoring/{template}.txt", context),
        topic=f"program:{program.pk}",
    )


def _require_current(mentorship: Mentorship, doing: str) -> None:
    if mentorship.ended_on is not None:
        raise HealthError(
            f"{mentorship.mentee.full_name} and {mentorship.mentor.full_name}'s pairing ended "
            f"on {mentorship.ended_on:%d %B %Y}; there is no pair to {doing}."
        )


# --- Nudging a pair that has not met --------------------------------------------------


def pair_nudge(*, mentorship: Mentorship, by: Actor, now: datetime.datetime | None = None) -> int:
    """Send both sides of a current pair a kind reminder to meet. Once a day per pair:
    a second click the same day queues nothing. Returns how many emails were queued."""
    program = mentorship.program
    access.require_manager(
        by, program, "Only the program's directors and coordinators may nudge a pair."
    )
    _require_current(mentorship, "nudge")
    today = (now or timezone.now()).astimezone(program.zone).date()
    url = sign_in_placeholder(next_path=reverse("meetings", kwargs={"slug": program.slug}))
    emails = [
        _email(
            key=f"mentoring-nudge:{mentorship.pk}:{today.isoformat()}:{person.pk}",
            person=person,
            program=program,
            subject=f"Time to catch up with {_partner(mentorship, person).full_name}?",
            template="nudge_email",
            partner=_partner(mentorship, person),
            url=url,
        )
        for person in (mentorship.mentee, mentorship.mentor)
    ]
    with transaction.atomic():
        return outbox_enqueue_many(emails=emails)


# --- The private mid-program check -----------------------------------------------------


def _check_url(program: Program) -> str:
    return sign_in_placeholder(next_path=reverse("mentoring-check", kwargs={"slug": program.slug}))


def mid_check_send(
    *, program: Program, by: Actor, now: datetime.datetime | None = None
) -> list[PairCheck]:
    """Ask each side of each current pair, separately, whether the pairing works for
    them (on their check page and by email). Asking twice the same day asks nothing
    new. Returns the checks asked today."""
    access.require_manager(
        by, program, "Only the program's directors and coordinators may send the check."
    )
    if program.kind != ProgramKind.ONE_TO_ONE:
        raise HealthError(f"{program.name} is not a one-to-one program; it has no pairs.")
    today = program_today(program=program)
    mentorships = list(
        Mentorship.objects.filter(program=program, ended_on__isnull=True).select_related(
            "mentor", "mentee"
        )
    )
    if not mentorships:
        raise HealthError(f"{program.name} has no current pairs to ask; publish a match first.")
    with transaction.atomic():
        PairCheck.objects.bulk_create(
            [
                PairCheck(mentorship=m, person=person, asked_on=today)
                for m in mentorships
                for person in (m.mentee, m.mentor)
            ],
            ignore_conflicts=True,
        )
        checks = list(
            PairCheck.objects.filter(mentorship__in=mentorships, asked_on=today).select_related(
                "mentorship__mentor", "mentorship__mentee", "person"
            )
        )
        outbox_enqueue_many(
            emails=[
                _email(
                    key=f"mentoring-check:{check.pk}",
                    person=check.person,
                    program=program,
                    subject=f"A private question about your pairing in {program.name}",
                    template="check_email",
                    partner=_partner(check.mentorship, check.person),
                    url=_check_url(program),
                )
                for check in checks
            ]
        )
        row = mentoring_settings_of(program=program)
        # An early check on demand leaves a later planned one to come.
        if row.mid_check_on is not None and row.mid_check_on <= today:
            row.mid_check_sent_for = row.mid_check_on
            row.save(update_fields=["mid_check_sent_for"])
    return checks


def pair_check_answer(
    *,
    check: PairCheck,
    by: Person,
    answer: str,
    note: str = "",
    now: datetime.datetime | None = None,
) -> PairCheck:
    """`by` answers their own check (they may change it while the pair lasts)."""
    now = now or timezone.now()
    if check.person_id != by.pk:
        raise HealthError("This question was asked of someone else; only they can answer it.")
    _require_current(check.mentorship, "answer about")
    if answer not in PairCheckAnswer.values:
        raise HealthError(f"“{answer[:40]}” is not an answer: works, concerns or help.")
    note = note.strip()
    if len(note) > CHECK_NOTE_MAX:
        raise HealthError(
            f"The note has {len(note):,} characters; keep it under {CHECK_NOTE_MAX:,}."
        )
    with transaction.atomic():
        check.answer, check.note, check.answered_at = answer, note, now
        check.save(update_fields=["answer", "note", "answered_at"])
    return check


def mentoring_health_enqueue_due(*, now: datetime.datetime | None = None) -> int:
    """The daily job (worker hook `mentoring-health`): send each program's mid-program
    check on its day, and remind both sides of a pair not fully answered a week later
    (once). Returns how many emails were queued."""
    now = now or timezone.now()
    queued = 0
    for row in MentoringSettings.objects.filter(mid_check_on__isnull=False).select_related(
        "program"
    ):
        program = row.program
        if program.kind != ProgramKind.ONE_TO_ONE or row.mid_check_sent_for == row.mid_check_on:
            continue
        due_on = row.mid_check_on
        if due_on is None or program_today(program=program) < due_on:
            continue
        if not Mentorship.objects.filter(program=program, ended_on__isnull=True).exists():
            continue
        queued += len(mid_check_send(program=program, by=access.SYSTEM, now=now))
    queued += _check_reminders(now=now)
    return queued


def _check_reminders(*, now: datetime.datetime) -> int:
    # Both sides of a pair are reminded whenever either has not answered, with the same
    # words: who answered (and so who asked for help) cannot be read off the outbox.
    due = now.date() - datetime.timedelta(days=CHECK_REMINDER_DAYS)
    open_rounds = (
        PairCheck.objects.filter(
            asked_on__lte=due,
            answer="",
            mentorship__ended_on__isnull=True,
            mentorship__program__kind=ProgramKind.ONE_TO_ONE,
        )
        .values_list("mentorship_id", "asked_on")
        .distinct()
    )
    emails = []
    for mentorship_id, asked_on in open_rounds:
        for check in PairCheck.objects.filter(
            mentorship_id=mentorship_id, asked_on=asked_on
        ).select_related(
            "person", "mentorship__program", "mentorship__mentor", "mentorship__mentee"
        ):
            program = check.mentorship.program
            emails.append(
                _email(
                    key=f"mentoring-check-reminder:{check.pk}",
                    person=check.person,
                    program=program,
                    subject=f"A private question about your pairing in {program.name}",
                    template="check_reminder_email",
                    partner=_partner(check.mentorship, check.person),
                    url=_check_url(program),
                )
            )
    return outbox_enqueue_many(emails=emails) if emails else 0


# --- Re-pairing a pair that asked for help ---------------------------------------------


def _asked_for_help(mentorship: Mentorship) -> bool:
    return mentorship.checks.filter(answer=PairCheckAnswer.HELP, resolved_at__isnull=True).exists()


def mentorship_repair(
    *, mentorship: Mentorship, by: Actor, now: datetime.datetime | None = None
) -> list[Mentorship]:
    """Re-pair a current pair that asked for help: match again with `rematch`, keeping
    every other current pair as it is and never making this pair again; end this
    mentorship, start the new one(s) of its mentee and mentor, and tell both kindly
    (the emails never say why). Returns the mentorships started."""
    now = now or timezone.now()
    program = mentorship.program
    access.require_manager(
        by, program, "Only the program's directors and coordinators may re-pair a pair."
    )
    _require_current(mentorship, "re-pair")
    if not _asked_for_help(mentorship):
        raise HealthError(
            f"{mentorship.mentee.full_name} and {mentorship.mentor.full_name} did not ask for "
            "help; change other pairs from the matching page."
        )
    latest = (
        MatchingRun.objects.filter(program=program, status=MatchingRunStatus.PUBLISHED)
        .order_by("-published_at", "-id")
        .first()
    )
    weights = latest.weights if latest else dict(MATCHING_DEFAULT_WEIGHTS)
    rules = latest.rules if latest else dict(MATCHING_DEFAULT_RULES)
    today = program_today(program=program)
    with transaction.atomic():
        locked = Mentorship.objects.select_for_update().get(pk=mentorship.pk)
        _require_current(locked, "re-pair")
        try:
            cohort = matching_cohort(program=program, weights=weights, rules=rules)
        except MatchingError as error:
            raise HealthError(f"Re-pairing refused: {error}") from error
        labels = {person.pk: label for label, person in cohort.people.items()}
        old_key = (labels.get(mentorship.mentee_id), labels.get(mentorship.mentor_id))
        # This pair is never made again; the rest of the program stays as it is.
        forbidden = cohort.rules.forbidden | {old_key}
        cohort = replace(cohort, rules=replace(cohort.rules, forbidden=forbidden))
        current = list(
            Mentorship.objects.filter(program=program, ended_on__isnull=True).select_related(
                "mentor", "mentee"
            )
        )
        existing = [
            (labels[m.mentee_id], labels[m.mentor_id])
            for m in current
            if m.mentee_id in labels and m.mentor_id in labels
        ]
        try:
            build = _matching_build(cohort)
        except MatchingError as error:
            raise HealthError(f"Re-pairing refused: {error}") from error
        result = rematch(build.market, existing, unlocked=[old_key], objective="stable")
        market = build.market
        freed = {mentorship.mentee_id, mentorship.mentor_id}
        current_keys = {(m.mentee_id, m.mentor_id) for m in current}
        new_pairs = []
        for i, j in result.assignment.pairs():
            mentee = cohort.people[market.mentee_ids[i]]
            mentor = cohort.people[market.mentor_ids[j]]
            if (mentee.pk, mentor.pk) in current_keys:
                continue
            if mentee.pk in freed or mentor.pk in freed:
                new_pairs.append((mentee, mentor))
        Mentorship.objects.filter(pk=mentorship.pk).update(ended_on=today)
        mentorship.checks.filter(answered_at__isnull=False).update(resolved_at=now)
        started = Mentorship.objects.bulk_create(
            [
                Mentorship(program=program, mentor=mentor, mentee=mentee, started_on=today)
                for mentee, mentor in new_pairs
            ]
        )
        outbox_enqueue_many(emails=_repair_emails(mentorship=mentorship, started=started))
    mentorship.ended_on = today
    return started


def _repair_emails(*, mentorship: Mentorship, started: list[Mentorship]) -> list[RenderedEmail]:
    program = mentorship.program
    url = sign_in_placeholder()
    news: dict[int, tuple[Person, list[tuple[str, Person]]]] = {
        mentorship.mentee_id: (mentorship.mentee, []),
        mentorship.mentor_id: (mentorship.mentor, []),
    }
    for new in started:
        news.setdefault(new.mentee_id, (new.mentee, []))[1].append(("mentor", new.mentor))
        news.setdefault(new.mentor_id, (new.mentor, []))[1].append(("mentee", new.mentee))
    emails = []
    for person, partners in news.values():
        emails.append(
            _email(
                key=f"mentoring-repair:{mentorship.pk}:{person.pk}",
                person=person,
                program=program,
                subject=f"Your pairing in {program.name} is changing"
                if person.pk in (mentorship.mentee_id, mentorship.mentor_id)
                else f"A new pairing in {program.name}",
                template="repair_email",
                was_paired=person.pk in (mentorship.mentee_id, mentorship.mentor_id),
                former=_partner(mentorship, person)
                if person.pk in (mentorship.mentee_id, mentorship.mentor_id)
                else None,
                partners=partners,
                url=url,
            )
        )
    return emails
