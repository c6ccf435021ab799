"""One-to-one matching: the adapter between the models and the pure `medmentor.matching`.

Models -> matching.Mentee / Mentor / HardRules / Weights -> a solver -> MatchingRun rows.
People are known to the matcher by a label (their name, or "name (email)" when two share
a name), so its explanations read as words a director understands. Here are the
criteria and their cleaning, the cohort a run matches, creating and executing a run,
locking and swapping its pairs, publishing it as mentorships (with the emails), and the
conflicts that keep two people apart; every refusal is a `MatchingError`.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from medmentor.matching import (
    Assignment,
    Criterion,
    HardRules,
    MarketBuild,
    MatchingInputError,
    MatchingReport,
    Mentee,
    Mentor,
    RematchResult,
    Weights,
    assess,
    build_market,
    explain_pair,
    explain_unmatched,
    feasibility_problems,
    rematch,
)
from medmentor.matching.explain import stage_words
from medmentor.matching.model import AttributeValue, PersonId
from medmentor.mentoring.models import (
    MatchingConflict,
    MatchingObjective,
    MatchingPair,
    MatchingProfile,
    MatchingRun,
    MatchingRunStatus,
    MatchingUnmatched,
    Mentorship,
)
from medmentor.messaging.personal_links import sign_in_placeholder
from medmentor.messaging.services import RenderedEmail, outbox_enqueue_many
from medmentor.people.models import Person
from medmentor.programs import access, selectors
from medmentor.programs.access import Actor
from medmentor.programs.models import (
    LEARNER_ROLES,
    Enrollment,
    Program,
    ProgramKind,
    Role,
)


class MatchingError(ValueError):
    """Matching cannot run or change as asked; the message names the person, field or
    rule, in words a director understands."""


@dataclass(frozen=True)
class MatchingCriterion:
    attribute: str
    label: str
    help: str
    concordance: bool = False


MATCHING_CRITERIA = (
    MatchingCriterion(
        "specialty", "Shared specialty", "The mentor works in the specialty the mentee wants."
    ),
    MatchingCriterion(
        "interests",
        "Shared interests",
        "Counts the share of the mentee's interests the mentor also has.",
    ),
    MatchingCriterion("site", "Same site", "Both are at the same campus or hospital."),
    MatchingCriterion(
        "language", "Shared language", "The mentor speaks a language the mentee speaks."
    ),
    MatchingCriterion(
        "gender",
        "Same gender, when the mentee asked",
        "Counts only for mentees who asked for a mentor of their gender.",
        concordance=True,
    ),
    MatchingCriterion(
        "urim",
        "Both URiM, when the mentee asked",
        "Underrepresented in medicine; counts only for mentees who asked for it.",
        concordance=True,
    ),
    MatchingCriterion(
        "first_generation",
        "Both first-generation, when the mentee asked",
        "First in their family to attend college; counts only where asked.",
        concordance=True,
    ),
)
MATCHING_DEFAULT_WEIGHTS = {c.attribute: c.weight for c in Weights.default().criteria}
MATCHING_DEFAULT_RULES = {"min_level_gap": 2, "same_site": False, "shared_availability": False}
MATCHING_MAX_WEIGHT = 10.0
MATCHING_MAX_GAP = 20
CONCORDANCE_ATTRIBUTES = tuple(c.attribute for c in MATCHING_CRITERIA if c.concordance)
# Up to this many people a run is solved while the director waits: the solvers take
# milliseconds here; building the market grows with mentees x mentors.
MATCHING_INLINE_LIMIT = 2_000


def matching_weights_clean(raw: object) -> dict[str, float]:
    """The director's weights, checked: every known criterion a number from 0 to 10."""
    if raw is None:
        return dict(MATCHING_DEFAULT_WEIGHTS)
    if not isinstance(raw, dict):
        raise MatchingError("Weights must be a list of criterion: number.")
    known = {c.attribute for c in MATCHING_CRITERIA}
    weights = dict(MATCHING_DEFAULT_WEIGHTS)
    for name, value in raw.items():
        if name not in known:
            raise MatchingError(
                f"“{str(name)[:40]}” is not a matching criterion; use {', '.join(sorted(known))}."
            )
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise MatchingError(
                f"The weight of {name} must be a number, got “{str(value)[:40]}”."
            ) from None
        if isinstance(value, bool) or not (0 <= number <= MATCHING_MAX_WEIGHT):
            raise MatchingError(
                f"The weight of {name} must be from 0 to {MATCHING_MAX_WEIGHT:g}, got "
                f"“{str(value)[:40]}”."
            )
        weights[name] = number
    return weights


def matching_rules_clean(raw: object) -> dict[str, object]:
    """The director's hard rules, checked."""
    if raw is None:
        return dict(MATCHING_DEFAULT_RULES)
    if not isinstance(raw, dict):
        raise MatchingError("Rules must be a list of rule: value.")
    rules: dict[str, object] = dict(MATCHING_DEFAULT_RULES)
    for name, value in raw.items():
        if name == "min_level_gap":
            if value is None or value == "":
                rules[name] = None
                continue
            if isinstance(value, bool) or not isinstance(value, int | str):
                raise MatchingError("The seniority gap must be a whole number of training levels.")
            try:
                gap = int(value)
            except ValueError:
                raise MatchingError(
                    f"The seniority gap must be a whole number, got “{str(value)[:40]}”."
                ) from None
            if not 0 <= gap <= MATCHING_MAX_GAP:
                raise MatchingError(
                    f"The seniority gap must be from 0 to {MATCHING_MAX_GAP} training levels, "
                    f"got {gap}."
                )
            rules[name] = gap
        elif name in ("same_site", "shared_availability"):
            if not isinstance(value, bool):
                raise MatchingError(f"The rule {name} must be true or false.")
            rules[name] = value
        else:
            raise MatchingError(
                f"“{str(name)[:40]}” is not a matching rule; use min_level_gap, same_site, "
                "shared_availability."
            )
    return rules


@dataclass
class MatchingCohort:
    """A program's mentees and mentors as the matcher sees them."""

    mentees: list[Mentee]
    mentors: list[Mentor]
    # Keyed by the labels the matcher carries (PersonId; here always the label string).
    people: dict[PersonId, Person]
    rules: HardRules
    weights: Weights
    conflicts: dict[tuple[PersonId, PersonId], str]


def _matching_weights(raw: dict[str, float]) -> Weights:
    return Weights(
        tuple(
            Criterion(
                c.attribute,
                float(raw.get(c.attribute, 0.0)),
                label=c.label.lower().replace(", when the mentee asked", " (asked by mentee)"),
                concordance=c.concordance,
            )
            for c in MATCHING_CRITERIA
        )
    )


def _current_enrollments(program: Program, role: str) -> list[Enrollment]:
    today = selectors.program_today(program=program)
    return list(
        Enrollment.objects.filter(program=program, role=role)
        .exclude(left_on__lt=today)
        .select_related("person", "matching_profile")
        .order_by("person__full_name", "person__email")
    )


def _profile_attributes(
    person: Person, profile: MatchingProfile | None
) -> dict[str, AttributeValue]:
    if profile is None:
        return {"specialty": person.specialty or None}
    return {
        "specialty": profile.specialty or person.specialty or None,
        "interests": frozenset(str(v) for v in profile.interests or ()),
        "site": profile.site or None,
        "language": frozenset(str(v) for v in profile.languages or ()),
        "gender": profile.gender or None,
        # an attribute not shared stays missing, and missing never matches
        "urim": "URiM" if profile.urim else None,
        "first_generation": "first-generation" if profile.first_generation else None,
    }


def _preference_tiers(
    *, label: str, side: str, raw: object, emails: dict[str, str], other_side: str
) -> tuple | None:
    if raw is None or raw == []:
        return None
    if not isinstance(raw, list):
        raise MatchingError(f"{label} ({side}): the preferences must be a ranked list of emails.")
    tiers = []
    for item in raw:
        tier = item if isinstance(item, list) else [item]
        labels = []
        for email in tier:
            key = str(email).strip().lower()
            if key not in emails:
                raise MatchingError(
                    f"{label} ({side}): the preference “{str(email)[:60]}” names nobody who is "
                    f"a {other_side} in this program."
                )
            labels.append(emails[key])
        tiers.append(tuple(labels))
    return tuple(tiers)


def matching_cohort(
    *,
    program: Program,
    weights: dict[str, float],
    rules: dict[str, object],
    progress: Callable[[int], None] | None = None,
) -> MatchingCohort:
    """The program's current mentees (juniors) and mentors (seniors) as matching records.

    `progress(n)` is told each time n more people are read (the console's bar).
    """
    mentee_rows = _current_enrollments(program, Role.JUNIOR)
    mentor_rows = _current_enrollments(program, Role.SENIOR)
    names: dict[str, int] = {}
    for enrollment in (*mentee_rows, *mentor_rows):
        names[enrollment.person.full_name] = names.get(enrollment.person.full_name, 0) + 1
    people: dict[PersonId, Person] = {}
    labels: dict[int, str] = {}

    def label(person: Person) -> str:
        if person.pk not in labels:
            text = person.full_name
            if names.get(text, 0) > 1 or text in people or not text:
                text = f"{person.full_name} ({person.email})".strip()
            labels[person.pk] = text
            people[text] = person
        return labels[person.pk]

    mentee_emails = {e.person.email.lower(): label(e.person) for e in mentee_rows}
    mentor_emails = {e.person.email.lower(): label(e.person) for e in mentor_rows}
    mentees: list[Mentee] = []
    mentors: list[Mentor] = []
    for enrollment in mentee_rows:
        person = enrollment.person
        profile = getattr(enrollment, "matching_profile", None)
        who = label(person)
        if profile is not None:
            unknown = set(profile.concordance or ()) - set(CONCORDANCE_ATTRIBUTES)
            if unknown:
                raise MatchingError(
                    f"{who} (mentee): concordance “{', '.join(sorted(map(str, unknown)))}” is "
                    f"not an identity attribute; use {', '.join(CONCORDANCE_ATTRIBUTES)}."
                )
        mentees.append(
            Mentee(
                who,
                level=person.seniority_rank,
                attributes=_profile_attributes(person, profile),
                concordance=frozenset(profile.concordance or ()) if profile else frozenset(),
                availability=frozenset(profile.availability)
                if profile and profile.availability
                else None,
                preferences=_preference_tiers(
                    label=who,
                    side="mentee",
                    raw=profile.preferences if profile else None,
                    emails=mentor_emails,
                    other_side="mentor",
                ),
            )
        )
        if progress:
            progress(1)
    for enrollment in mentor_rows:
        person = enrollment.person
        profile = getattr(enrollment, "matching_profile", None)
        who = label(person)
        capacity = profile.capacity if profile is not None else 1
        if capacity is None or capacity < 0:
            raise MatchingError(
                f"{who} (mentor): the capacity must be 0 or more mentees, got {capacity}."
            )
        try:
            mentors.append(
                Mentor(
                    who,
                    level=person.seniority_rank,
                    capacity=int(capacity),
                    attributes=_profile_attributes(person, profile),
                    availability=frozenset(profile.availability)
                    if profile and profile.availability
                    else None,
                    preferences=_preference_tiers(
                        label=who,
                        side="mentor",
                        raw=profile.preferences if profile else None,
                        emails=mentee_emails,
                        other_side="mentee",
                    ),
                )
            )
        except MatchingInputError as error:
            raise MatchingError(str(error)) from error
        if progress:
            progress(1)
    conflicts: dict[tuple[PersonId, PersonId], str] = {}
    for conflict in MatchingConflict.objects.filter(program=program).select_related(
        "mentor", "mentee"
    ):
        if conflict.mentee_id in labels and conflict.mentor_id in labels:
            key = (labels[conflict.mentee_id], labels[conflict.mentor_id])
            conflicts[key] = conflict.get_reason_display().lower()
    gap = rules.get("min_level_gap")
    hard = HardRules(
        # matching_rules_clean stores a whole number or None (the rule is off).
        min_level_gap=gap if isinstance(gap, int) else None,
        forbidden=frozenset(conflicts),
        same=("site",) if rules.get("same_site") else (),
        shared_availability=bool(rules.get("shared_availability")),
    )
    return MatchingCohort(mentees, mentors, people, hard, _matching_weights(weights), conflicts)


def _matching_build(cohort: MatchingCohort) -> MarketBuild:
    try:
        return build_market(cohort.mentees, cohort.mentors, cohort.rules, cohort.weights)
    except MatchingInputError as error:
        raise MatchingError(str(error)) from error


def _no_feasible_answer(cohort: MatchingCohort, build: MarketBuild) -> str | None:
    """Why no pair at all can be made, naming the rule; None when some pair can."""
    if not cohort.mentees:
        return "There is nobody to match: the program has no current mentees (juniors)."
    if not cohort.mentors:
        return "There is nobody to match with: the program has no current mentors (seniors)."
    if sum(m.capacity for m in cohort.mentors) == 0:
        return "No feasible answer: every mentor has a capacity of 0 mentees."
    if build.market.n_edges:
        return None
    totals = build.diagnostics.mentee_counts.sum(axis=0)
    for stage, total in zip(build.diagnostics.stages, totals.tolist(), strict=True):
        if total == 0:
            words = stage_words(stage, cohort.rules, "mentee")
            return (
                f"No feasible answer: no mentee can be paired with any mentor — after the "
                f"rule “{stage.replace('_', ' ')}” every mentee has {words}. Relax that rule."
            )
    return "No feasible answer: no mentee can be paired with any mentor."


def _existing_pairs(program: Program, cohort: MatchingCohort) -> tuple[list, list]:
    """Pairs to keep (current mentorships and the latest draft's locked pairs) and the
    mentorships the director unlocked in that draft, by the cohort's labels."""
    labels = {person.pk: label for label, person in cohort.people.items()}

    def key(mentee_id: int, mentor_id: int) -> tuple[PersonId, PersonId]:
        return (labels.get(mentee_id, f"#{mentee_id}"), labels.get(mentor_id, f"#{mentor_id}"))

    latest = (
        MatchingRun.objects.filter(program=program, status=MatchingRunStatus.DRAFT)
        .order_by("-created_at", "-id")
        .first()
    )
    existing: dict[tuple[PersonId, PersonId], None] = {}
    unlocked: list[tuple[PersonId, PersonId]] = []
    draft = {(p.mentee_id, p.mentor_id): p.locked for p in latest.pairs.all()} if latest else {}
    for mentorship in Mentorship.objects.filter(program=program, ended_on__isnull=True):
        pair = (mentorship.mentee_id, mentorship.mentor_id)
        existing[key(*pair)] = None
        if draft.get(pair) is False:
            unlocked.append(key(*pair))
    for (mentee_id, mentor_id), locked in draft.items():
        if locked:
            existing[key(mentee_id, mentor_id)] = None
    return list(existing), unlocked


def _explain_pair(build: MarketBuild, cohort: MatchingCohort, i: int, j: int) -> dict:
    market = build.market
    edge = int(market.edge_index(np.array([i]), np.array([j]))[0])
    mentee, mentor = cohort.mentees[i], cohort.mentors[j]
    ranks = {}
    if edge >= 0:
        if mentee.preferences is not None:
            ranks["mentee_rank"] = int(market.mentee_rank[edge])
        if mentor.preferences is not None:
            ranks["mentor_rank"] = int(market.mentor_rank[edge])
    explanation = explain_pair(mentee, mentor, cohort.weights, **ranks)
    if edge < 0:
        explanation = replace(
            explanation, unmet=[*explanation.unmet, _why_not_acceptable(cohort, i, j)]
        )
    return explanation.as_dict()


def _why_not_acceptable(cohort: MatchingCohort, i: int, j: int) -> str:
    """The hard rule that excludes one mentee–mentor pair, in words."""
    mentee, mentor = cohort.mentees[i], cohort.mentors[j]
    rules = cohort.rules
    if (mentee.id, mentor.id) in cohort.conflicts:
        return f"declared conflict: {cohort.conflicts[(mentee.id, mentor.id)]}"
    if rules.min_level_gap is not None and mentor.level - mentee.level < rules.min_level_gap:
        gap = mentor.level - mentee.level
        return (
            f"seniority gap: {mentor.id} is {gap} training level{'s' if abs(gap) != 1 else ''} "
            f"above {mentee.id}; the rule asks for at least {rules.min_level_gap}"
        )
    for name in rules.same:
        if mentee.attributes.get(name) != mentor.attributes.get(name) or not mentee.attributes.get(
            name
        ):
            return (
                f"same {name} required: {mentee.attributes.get(name) or 'none'} and "
                f"{mentor.attributes.get(name) or 'none'}"
            )
    if (
        rules.shared_availability
        and mentee.availability
        and mentor.availability
        and not mentee.availability & mentor.availability
    ):
        return "no shared available time"
    if mentee.preferences is not None and not any(mentor.id in t for t in mentee.preferences):
        return f"{mentor.id} is not on {mentee.id}'s list"
    if mentor.preferences is not None and not any(mentee.id in t for t in mentor.preferences):
        return f"{mentee.id} is not on {mentor.id}'s list"
    if mentor.capacity == 0:
        return f"{mentor.id} takes no mentee this time (capacity 0)"
    return "a hard rule excludes this pair"


def _report_numbers(report: MatchingReport) -> dict[str, object]:
    return {
        "matched": report.matched,
        "unmatched": report.unmatched,
        "total_score": round(report.total_score, 4),
        "blocking_pairs": report.blocking_pairs,
        "feasible": report.feasible,
    }


def _matching_solve(run: MatchingRun, cohort: MatchingCohort) -> None:
    """Solve `run` over `cohort` under both objectives and write the chosen draft."""
    build = _matching_build(cohort)
    impossible = _no_feasible_answer(cohort, build)
    if impossible:
        raise MatchingError(impossible)
    existing, unlocked = _existing_pairs(run.program, cohort)
    # MatchingObjective's two values, as the literals the matcher takes.
    objectives: tuple[Literal["stable", "optimal"], ...] = ("stable", "optimal")
    results: dict[str, RematchResult] = {
        objective: rematch(
            build.market, existing, unlocked=unlocked, objective=objective, seed=run.seed
        )
        for objective in objectives
    }
    reports = {name: assess(build.market, result.assignment) for name, result in results.items()}
    chosen = results[run.objective]
    report = reports[run.objective]
    kept = set(chosen.kept)
    market = build.market
    mentor_of = chosen.assignment.mentor_of
    mentee_index = {label: i for i, label in enumerate(market.mentee_ids)}
    pairs = []
    for i, j in chosen.assignment.pairs():
        mentee_label, mentor_label = market.mentee_ids[i], market.mentor_ids[j]
        words = _explain_pair(build, cohort, i, j)
        pairs.append(
            MatchingPair(
                run=run,
                mentee=cohort.people[mentee_label],
                mentor=cohort.people[mentor_label],
                score=float(words["score"]),
                explanation=words,
                locked=(mentee_label, mentor_label) in kept,
                kept=(mentee_label, mentor_label) in kept,
            )
        )
    MatchingPair.objects.bulk_create(pairs)
    unmatched = [
        MatchingUnmatched(
            run=run,
            person=cohort.people[item.person_id],
            side=item.side,
            code=item.code,
            reason=item.reason,
        )
        for item in explain_unmatched(
            market, chosen.assignment, diagnostics=build.diagnostics, rules=cohort.rules
        )
        # a kept pair that no longer passes the rules is not an acceptable edge, but the
        # mentee is matched all the same (and warned about)
        if not (item.side == "mentee" and mentor_of[mentee_index[item.person_id]] >= 0)
    ]
    MatchingUnmatched.objects.bulk_create(unmatched)
    run.mentees = len(cohort.mentees)
    run.mentors = len(cohort.mentors)
    run.matched = chosen.assignment.n_matched
    run.unmatched = len(cohort.mentees) - run.matched
    run.total_score = round(sum(p.score for p in pairs), 4)
    run.blocking_pairs = max(report.blocking_pairs, 0)
    run.tradeoff = {name: _report_numbers(r) for name, r in reports.items()}
    run.warnings = [
        *chosen.warnings,
        *(f"{a} and {b}: pair released ({why})." for a, b, why in chosen.released),
    ]
    run.status = MatchingRunStatus.DRAFT
    run.error = ""
    run.save()


def _require_matching_staff(*, program: Program, by: Actor) -> None:
    # The console's `match` command acts as access.SYSTEM, which manages every program.
    access.require_manager(
        by, program, "Only the program's directors and coordinators may run matching."
    )


def matching_run_create(
    *,
    program: Program,
    objective: str,
    weights: object = None,
    rules: object = None,
    by: Actor,
    seed: int = 0,
    inline: bool | None = None,
    progress: Callable[[int], None] | None = None,
) -> MatchingRun:
    """Run matching over the program's current cohort and keep the draft.

    Small cohorts (up to MATCHING_INLINE_LIMIT people) are solved here; larger ones
    are queued as a Django task (`medmentor db_worker` runs it) and the run says
    "queued" until then. Existing mentorships and the latest draft's locked pairs are
    kept (matching.rematch). Raises MatchingError, naming the person or rule, when the
    input is bad or no pair at all can be made; nothing is written then.
    """
    _require_matching_staff(program=program, by=by)
    if program.kind != ProgramKind.ONE_TO_ONE:
        raise MatchingError(
            f"{program.name} is a {program.get_kind_display().lower()} program; matching is "
            "for one-to-one programs."
        )
    if objective not in MatchingObjective.values:
        raise MatchingError(f"“{str(objective)[:40]}” is not an objective; use stable or optimal.")
    clean_weights = matching_weights_clean(weights)
    clean_rules = matching_rules_clean(rules)
    size = Enrollment.objects.filter(program=program, role__in=LEARNER_ROLES).count()
    if inline is None:
        inline = size <= MATCHING_INLINE_LIMIT
    with transaction.atomic():
        run = MatchingRun.objects.create(
            program=program,
            objective=objective,
            weights=clean_weights,
            rules=clean_rules,
            seed=seed,
            created_by=access.recorded_by(by),
            status=MatchingRunStatus.RUNNING if inline else MatchingRunStatus.QUEUED,
        )
        if inline:
            cohort = matching_cohort(
                program=program, weights=clean_weights, rules=clean_rules, progress=progress
            )
            _matching_solve(run, cohort)
        else:
            from medmentor.mentoring.tasks import matching_run_task

            transaction.on_commit(lambda: matching_run_task.enqueue(run_id=run.pk))
    return run


def matching_run_execute(*, run: MatchingRun) -> MatchingRun:
    """Solve a queued run (the task's work); a failure is kept on the run, in words."""
    with transaction.atomic():
        run = MatchingRun.objects.select_for_update().select_related("program").get(pk=run.pk)
        if run.status not in (MatchingRunStatus.QUEUED, MatchingRunStatus.RUNNING):
            return run
        try:
            with transaction.atomic():
                cohort = matching_cohort(program=run.program, weights=run.weights, rules=run.rules)
                _matching_solve(run, cohort)
        except MatchingError as error:
            run.status = MatchingRunStatus.FAILED
            run.error = str(error)
            run.save(update_fields=["status", "error"])
    return run


def _require_draft(run: MatchingRun) -> None:
    if run.status != MatchingRunStatus.DRAFT:
        raise MatchingError(
            f"This run is {run.get_status_display().lower()}; only a draft can be changed."
        )


def matching_pair_lock(*, pair: MatchingPair, locked: bool, by: Actor) -> MatchingPair:
    """Lock a draft pair (kept as it is when matching runs again) or unlock it."""
    _require_matching_staff(program=pair.run.program, by=by)
    _require_draft(pair.run)
    with transaction.atomic():
        pair.locked = locked
        pair.save(update_fields=["locked"])
    return pair


def matching_pair_swap(
    *, run: MatchingRun, first: MatchingPair, second: MatchingPair, by: Actor
) -> tuple[MatchingPair, MatchingPair]:
    """Swap the mentees of two draft pairs, after checking the new pairs against every
    hard rule with the matcher's own checker; refuse with the rule's words otherwise."""
    _require_matching_staff(program=run.program, by=by)
    _require_draft(run)
    if first.run_id != run.pk or second.run_id != run.pk:
        raise MatchingError("Both pairs must belong to this run.")
    if first.mentor_id == second.mentor_id:
        raise MatchingError("Both pairs have the same mentor: swapping changes nothing.")
    with transaction.atomic():
        cohort = matching_cohort(program=run.program, weights=run.weights, rules=run.rules)
        build = _matching_build(cohort)
        market = build.market
        index_a = {label: k for k, label in enumerate(market.mentee_ids)}
        index_b = {label: k for k, label in enumerate(market.mentor_ids)}
        labels = {person.pk: label for label, person in cohort.people.items()}
        try:
            a, b = index_a[labels[first.mentee_id]], index_a[labels[second.mentee_id]]
            x, y = index_b[labels[first.mentor_id]], index_b[labels[second.mentor_id]]
        except KeyError:
            raise MatchingError(
                "Someone in these pairs is no longer a current mentor or mentee; run "
                "matching again."
            ) from None
        proposed = Assignment.from_pairs(market.n_mentees, [(a, y), (b, x)])
        problems = feasibility_problems(market, proposed)
        if problems:
            refusals = [
                f"{market.mentee_ids[i]} cannot be paired with {market.mentor_ids[j]} "
                f"({_why_not_acceptable(cohort, i, j)})"
                for i, j in ((a, y), (b, x))
                if market.edge_index(np.array([i]), np.array([j]))[0] < 0
            ]
            raise MatchingError("Swap refused: " + "; ".join(refusals or problems) + ".")
        for pair, i, j in ((first, a, y), (second, b, x)):
            words = _explain_pair(build, cohort, i, j)
            pair.mentor = cohort.people[market.mentor_ids[j]]
            pair.score = float(words["score"])
            pair.explanation = words
            pair.kept = False
            pair.save(update_fields=["mentor", "score", "explanation", "kept"])
        _matching_rescore(run, cohort, build)
    return first, second


def _matching_rescore(run: MatchingRun, cohort: MatchingCohort, build: MarketBuild) -> None:
    """The run's summary numbers after a hand edit, by the package's own checks: the
    total score and blocking pairs, and the trade-off table's "draft" row (the draft as
    it is now, beside the stable and optimal answers as solved), so neither the status
    nor the table shows the numbers of a draft that no longer exists."""
    market = build.market
    labels = {person.pk: label for label, person in cohort.people.items()}
    index_a = {label: k for k, label in enumerate(market.mentee_ids)}
    index_b = {label: k for k, label in enumerate(market.mentor_ids)}
    pairs = [
        (index_a[labels[p.mentee_id]], index_b[labels[p.mentor_id]])
        for p in run.pairs.all()
        if labels.get(p.mentee_id) in index_a and labels.get(p.mentor_id) in index_b
    ]
    report = assess(market, Assignment.from_pairs(market.n_mentees, pairs, run.objective))
    run.total_score = round(sum(run.pairs.values_list("score", flat=True)), 4)
    run.blocking_pairs = max(report.blocking_pairs, 0)
    matched = run.pairs.values("mentee_id").distinct().count()
    run.tradeoff = {
        **run.tradeoff,
        "draft": {
            "matched": matched,
            "unmatched": run.mentees - matched,
            "total_score": run.total_score,
            "blocking_pairs": run.blocking_pairs,
            "feasible": report.feasible,
        },
    }
    run.save(update_fields=["total_score", "blocking_pairs", "tradeoff"])


def matching_run_publish(*, run: MatchingRun, by: Actor) -> list[Mentorship]:
    """Make a draft's pairs the program's mentorships and email everyone matched.

    Current mentorships the draft keeps stay as they are; the others end today. Each
    matched person gets one email for this run (outbox key matching:<run>:<person>),
    naming their partner(s), with a sign-in link.
    """
    program = run.program
    _require_matching_staff(program=program, by=by)
    today = selectors.program_today(program=program)
    with transaction.atomic():
        run = MatchingRun.objects.select_for_update().get(pk=run.pk)
        _require_draft(run)
        pairs = list(run.pairs.select_related("mentor", "mentee"))
        wanted = {(p.mentee_id, p.mentor_id) for p in pairs}
        current = {
            (m.mentee_id, m.mentor_id): m
            for m in Mentorship.objects.filter(program=program, ended_on__isnull=True)
        }
        ending = [m.pk for key, m in current.items() if key not in wanted]
        Mentorship.objects.filter(pk__in=ending).update(ended_on=today)
        Mentorship.objects.bulk_create(
            [
                Mentorship(
                    program=program,
                    mentor=pair.mentor,
                    mentee=pair.mentee,
                    started_on=today,
                    run=run,
                )
                for pair in pairs
                if (pair.mentee_id, pair.mentor_id) not in current
            ]
        )
        run.status = MatchingRunStatus.PUBLISHED
        run.published_at = timezone.now()
        run.save(update_fields=["status", "published_at"])
        outbox_enqueue_many(emails=_matching_emails(run=run, pairs=pairs))
        return list(
            Mentorship.objects.filter(program=program, ended_on__isnull=True).select_related(
                "mentor", "mentee"
            )
        )


def _matching_emails(*, run: MatchingRun, pairs: list[MatchingPair]) -> list[RenderedEmail]:
    program = run.program
    partners: dict[int, tuple[Person, str, list[Person]]] = {}
    for pair in pairs:
        partners.setdefault(pair.mentee_id, (pair.mentee, "mentee", []))[2].append(pair.mentor)
        partners.setdefault(pair.mentor_id, (pair.mentor, "mentor", []))[2].append(pair.mentee)
    emails = []
    for person, side, others in partners.values():
        context = {
            "program": program,
            "person": person,
            "side": side,
            "partners": sorted(others, key=lambda p: p.full_name),
            # Minted for the recipient by the worker at delivery; the outbox holds none.
            "url": sign_in_placeholder(),
        }
        noun = "mentor" if side == "mentee" else ("mentee" if len(others) == 1 else "mentees")
        emails.append(
            RenderedEmail(
                key=f"matching:{run.pk}:{person.pk}",
                to_email=person.email,
                person_id=person.pk,
                # One line even for a name saved before line breaks were refused.
                subject=" ".join(f"Your {noun} in {program.name}".split()),
                text_body=render_to_string("mentoring/matching_email.txt", context),
                html_body=render_to_string("mentoring/matching_email.html", context),
                topic=f"program:{program.pk}",
            )
        )
    return emails


def matching_conflict_add(
    *, program: Program, mentor: Person, mentee: Person, reason: str, by: Actor
) -> MatchingConflict:
    """Forbid a mentor–mentee pair in every future run (evaluates, supervises, declared)."""
    _require_matching_staff(program=program, by=by)
    if reason not in MatchingConflict.Reason.values:
        raise MatchingError(
            f"“{str(reason)[:40]}” is not a reason; use "
            f"{', '.join(MatchingConflict.Reason.values)}."
        )
    if not access.program_access(mentor, program).is_senior:
        raise MatchingError(f"{mentor.full_name} is not a mentor in {program.name}.")
    if not access.program_access(mentee, program).is_junior:
        raise MatchingError(f"{mentee.full_name} is not a mentee in {program.name}.")
    with transaction.atomic():
        conflict, _ = MatchingConflict.objects.update_or_create(
            program=program,
            mentor=mentor,
            mentee=mentee,
            defaults={"reason": reason, "created_by": access.recorded_by(by)},
        )
    return conflict


def matching_conflict_remove(*, conflict: MatchingConflict, by: Actor) -> None:
    _require_matching_staff(program=conflict.program, by=by)
    with transaction.atomic():
        conflict.delete()
