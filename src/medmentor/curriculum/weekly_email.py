"""The weekly email from the director to everyone on the service.

Each program has one editable template (programs.EmailTemplate, key "weekly"): a
subject, a plain-text and an HTML part in Django template syntax. Without one, the
defaults shipped in templates/curriculum/weekly_email_default.* are used.

A director's template is rendered by a restricted engine: only harmless built-in tags
and filters, no {% load %}, {% include %}, {% extends %} or {% debug %}, and a
context of plain values (strings, dates, lists) — never model instances, so a
template cannot walk from a person to their private progress, their sign-in links
or the settings. A template that does not compile, or fails while rendering, raises
WeeklyEmailTemplateError with a message fit for the editor.

`weekly_emails_enqueue_due` is a worker hook (site/management/commands/worker.py):
once the program's send time of the current week has passed, it queues one email
per junior and senior on service, under a key per person and week, so any number of
runs queue each email once.
"""

import datetime
import logging
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from types import MappingProxyType

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template import (
    Context,
    Engine,
    Library,
    Template,
    TemplateSyntaxError,
    defaultfilters,
    defaulttags,
)
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language

from medmentor.curriculum.models import ServiceDay, WeeklyNote
from medmentor.curriculum.selectors import week_content
from medmentor.curriculum.templatetags.curriculum_text import paragraphs
from medmentor.messaging.personal_links import sign_in_placeholder
from medmentor.messaging.selectors import outbox_keys_with_prefix
from medmentor.messaging.services import (
    RenderedEmail,
    outbox_enqueue,
    outbox_enqueue_many,
    outbox_keys_existing,
)
from medmentor.one_line import has_line_break
from medmentor.people.models import Person
from medmentor.programs import access
from medmentor.programs.models import (
    EmailTemplate,
    EmailTemplateKey,
    Enrollment,
    Pair,
    Program,
    ProgramKind,
    ProgramWeek,
    Role,
)
from medmentor.programs.selectors import OnService, on_service_by_week
from medmentor.programs.services import week_require_open

logger = logging.getLogger(__name__)

WEEKLY = EmailTemplateKey.WEEKLY
DEFAULT_TEMPLATE_DIR = Path(__file__).parent / "templates" / "curriculum"

# What a director's template may use. Left out: tags that reach beyond the template
# (load, include, extends, url, csrf_token, querystring), that dump internals (debug),
# and filters whose argument can blow one value up to gigabytes (ljust, rjust,
# center, stringformat, floatformat with a huge width or precision).
ALLOWED_TAGS = {
    "autoescape",
    "comment",
    "cycle",
    "filter",
    "firstof",
    "for",
    "if",
    "ifchanged",
    "now",
    "regroup",
    "resetcycle",
    "spaceless",
    "templatetag",
    "verbatim",
    "with",
}
BLOCKED_FILTERS = {"center", "ljust", "rjust", "stringformat", "floatformat", "pprint"}


class WeeklyEmailTemplateError(ValueError):
    """A template that cannot be used; the message names the part and, when known, the
    line. `field` is the part at fault (subject, text_body, html_body) or None."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@lru_cache(maxsize=4096)
def _date_formatted(value, arg, language: str) -> str:
    return defaultfilters.date(value, arg)


def _date_filter(value, arg=None):
    # The same dozen dates (the week's days) are formatted for every one of 10,000
    # emails; Django's date filter costs ~30 us a call, so remember each result.
    try:
        return _date_formatted(value, arg, get_language())
    except TypeError:  # an unhashable value: format it afresh
        return defaultfilters.date(value, arg)


@cache
def _engine() -> Engine:
    library = Library()
    library.tags = {
        name: tag for name, tag in defaulttags.register.tags.items() if name in ALLOWED_TAGS
    }
    library.filters = {
        name: function
        for name, function in defaultfilters.register.filters.items()
        if name not in BLOCKED_FILTERS
    }
    library.filter("date", _date_filter, expects_localtime=True, is_safe=False)
    # The workspace's filter for curriculum text wrapped in YAML (it escapes every part).
    library.filter("paragraphs", paragraphs, needs_autoescape=True)
    # debug=True only makes syntax errors carry their line number for the editor.
    engine = Engine(loaders=[], libraries={}, debug=True, autoescape=True)
    engine.template_builtins = [library]
    return engine


@dataclass(frozen=True)
class EmailParts:
    """The three sources of a weekly email template."""

    subject: str
    text_body: str
    html_body: str


PART_NAMES = {"subject": "Subject", "text_body": "Plain-text part", "html_body": "HTML part"}


@dataclass(frozen=True)
class CompiledEmail:
    subject: Template
    text_body: Template
    html_body: Template


def email_template_default() -> EmailParts:
    """The weekly email medmentor ships, used until the director saves their own."""
    return EmailParts(
        subject=(DEFAULT_TEMPLATE_DIR / "weekly_email_default.subject").read_text().strip(),
        text_body=(DEFAULT_TEMPLATE_DIR / "weekly_email_default.txt").read_text(),
        html_body=(DEFAULT_TEMPLATE_DIR / "weekly_email_default.html").read_text(),
    )


def email_template_get_or_default(*, program: Program) -> EmailParts:
    """The program's saved weekly template, or the default one."""
    saved = EmailTemplate.objects.filter(program=program, key=WEEKLY).first()
    if saved is None:
        return email_template_default()
    return EmailParts(subject=saved.subject, text_body=saved.text_body, html_body=saved.html_body)


def email_template_is_custom(*, program: Program) -> bool:
    return EmailTemplate.objects.filter(program=program, key=WEEKLY).exists()


def email_template_compile(*, parts: EmailParts) -> CompiledEmail:
    """Compile the three parts; WeeklyEmailTemplateError names the first part that fails."""
    compiled = {}
    for field, label in PART_NAMES.items():
        source = getattr(parts, field)
        try:
            compiled[field] = Template(source, engine=_engine())
        except TemplateSyntaxError as error:
            line = getattr(error, "template_debug", {}).get("line")
            where = f"{label}, line {line}" if line else label
            raise WeeklyEmailTemplateError(f"{where}: {error}", field=field) from error
    return CompiledEmail(**compiled)


def email_template_save(*, program: Program, parts: EmailParts) -> EmailTemplate:
    """Save the director's template after checking that every part compiles."""
    email_template_compile(parts=parts)
    if not parts.subject.strip():
        raise WeeklyEmailTemplateError("Subject: write a subject line.", field="subject")
    if has_line_break(parts.subject.strip()):
        raise WeeklyEmailTemplateError(
            "Subject: keep it on one line; an email subject cannot hold a line break "
            "(remove the line break).",
            field="subject",
        )
    longest = EmailTemplate._meta.get_field("subject").max_length
    if len(parts.subject.strip()) > longest:
        raise WeeklyEmailTemplateError(
            f"Subject: the subject template is {len(parts.subject.strip())} characters "
            f"long; keep it to {longest}.",
            field="subject",
        )
    with transaction.atomic():
        template, _ = EmailTemplate.objects.update_or_create(
            program=program,
            key=WEEKLY,
            defaults={
                "subject": parts.subject.strip(),
                "text_body": parts.text_body,
                "html_body": parts.html_body,
            },
        )
    return template


def email_template_reset(*, program: Program) -> None:
    """Go back to the default template."""
    with transaction.atomic():
        EmailTemplate.objects.filter(program=program, key=WEEKLY).delete()


# --- What a weekly email says -----------------------------------------------------------


def workspace_path(*, program: Program) -> str:
    try:
        return reverse("workspace", kwargs={"slug": program.slug})
    except NoReverseMatch:
        return f"/programs/{program.slug}/this-week/"


def workspace_sign_in_link(*, program: Program, next_path: str | None = None) -> str:
    """What the email holds for the recipient's one-time sign-in link that lands on
    the program's workspace (`next_path`, when the caller has it already): a
    placeholder, minted into a real link for the recipient alone by the worker at
    delivery (messaging/personal_links.py). Whatever a template does with it, the
    outbox never holds a token."""
    return sign_in_placeholder(next_path=next_path or workspace_path(program=program))


def workspace_preview_link(*, program: Program) -> str:
    """Stands in for the personal sign-in link in previews: it signs nobody in."""
    return settings.SITE_URL + workspace_path(program=program)


@cache
def _training_level_labels() -> dict[str, str]:
    field = Person._meta.get_field("training_level")
    return {value: str(label) for value, label in field.flatchoices}


def _frozen(value):
    """`value` with its dicts and lists made read-only: the template engine calls any
    method a template names ({{ week.readings.clear }}), and these values are shared
    by every email of the week."""
    if isinstance(value, dict):
        return MappingProxyType({key: _frozen(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    return value


def _person_values(person: Person) -> MappingProxyType:
    # The label looked up directly: get_training_level_display() costs ~35 us a call
    # (it rebuilds the choices as a hashable dict each time), twice per email.
    level = person.training_level
    return MappingProxyType(
        {
            "name": person.full_name,
            "first_name": person.get_short_name(),
            "email": person.email,
            "training_level": _training_level_labels().get(level, level),
        }
    )


@dataclass
class WeeklyEmailPlan:
    """Everything one program week's emails share, read once for all of them."""

    program: Program
    week: ProgramWeek
    compiled: CompiledEmail
    shared: dict
    workspace_path: str
    roles: dict[int, str]  # person id -> Role.JUNIOR or Role.SENIOR: who gets an email
    people: dict[int, Person]  # those people
    # person id -> the values of the people paired with them this week, by name
    partners: dict[int, tuple[MappingProxyType, ...]]
    has_content: bool


def weekly_email_plan(
    *,
    program: Program,
    week: ProgramWeek,
    parts: EmailParts | None = None,
    person: Person | None = None,
    on_service: OnService | None = None,
) -> WeeklyEmailPlan:
    """Read and compile what a week's emails share: the template, the program, the
    week's topic, readings and cases, who is on service and who is paired with whom.
    A fixed number of queries, however many people are on service. `on_service` is
    who is on service in `week`, when the caller has read it already.

    With `person`, the plan covers that one person (their role in the program and
    their own pairs) and reads nothing about anyone else: a preview or a single email
    costs the same in a program of 10 or of 10,000."""
    compiled = email_template_compile(parts=parts or email_template_get_or_default(program=program))
    content = week_content(program_week=week)
    note = WeeklyNote.objects.filter(program_week=week).first()
    directors = list(
        Enrollment.objects.filter(program=program, role=Role.DIRECTOR)
        .select_related("person")
        .order_by("person__full_name")
    )
    service = program.service.name if program.service_id else "the service"
    day_names = dict(ServiceDay.choices)
    week_values = {
        "starts_on": week.starts_on,
        "ends_on": week.ends_on,
        "friday": week.starts_on + datetime.timedelta(days=4),
        "topic": content.topic if content else "",
        "summary": content.summary if content else "",
        # The director's words for this week (the simple editor), in the fixed parts.
        "note": note.note if note else "",
        "reminders": note.reminder_list if note else [],
        "readings": [
            {"citation": reading.citation, "url": reading.url}
            for reading in (content.readings if content else [])
        ],
        "cases": [
            {"day": day_names.get(case.day, ""), "date": content.date_of(case), "title": case.title}
            for case in (content.cases if content else [])
        ],
    }
    shared = {
        "program": {
            "name": program.name,
            "description": program.description,
            "service": service,
            "institution": program.institution.name,
            "directors": ", ".join(e.person.full_name for e in directors),
        },
        "week": week_values,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "link_valid_days": max(1, settings.SIGN_IN_LINK_MAX_AGE // 86400),
    }
    shared = {name: _frozen(value) for name, value in shared.items()}
    if person is None:
        on_service = on_service or on_service_by_week(program=program, weeks=[week])[week.id]
        juniors = {junior.id for junior in on_service.juniors}
        seniors = {senior.id for senior in on_service.seniors}
        people = {p.id: p for p in on_service.juniors + on_service.seniors}
        # The pairs as ids, their people taken from those on service (read above) and
        # only the rest read: loading every pair with both its people again was a
        # tenth of the time of queueing the week.
        pair_ids = list(
            Pair.objects.filter(week=week, is_removed=False).values_list("junior_id", "senior_id")
        )
        known = dict(people)
        missing = {i for pair in pair_ids for i in pair} - set(known)
        known.update(Person.objects.in_bulk(missing))
        pairs = [(known[junior_id], known[senior_id]) for junior_id, senior_id in pair_ids]
    else:
        standing = access.program_access(person, program)
        juniors = {person.id} if standing.is_junior else set()
        seniors = {person.id} if standing.is_senior else set()
        people = {person.id: person} if juniors | seniors else {}
        pairs = [
            (pair.junior, pair.senior)
            for pair in Pair.objects.filter(week=week, is_removed=False)
            .filter(Q(junior=person) | Q(senior=person))
            .select_related("junior", "senior")
        ]
    # A person enrolled as both reads the junior's version.
    roles = dict.fromkeys(seniors, Role.SENIOR) | dict.fromkeys(juniors, Role.JUNIOR)
    paired: dict[int, list[Person]] = {}
    for junior, senior in pairs:
        paired.setdefault(junior.id, []).append(senior)
        paired.setdefault(senior.id, []).append(junior)
    values: dict[int, dict] = {}  # each person's values once, however many pairs
    partners = {
        person_id: tuple(
            values.get(other.id) or values.setdefault(other.id, _person_values(other))
            for other in sorted(others, key=lambda p: (p.full_name, p.email))
        )
        for person_id, others in paired.items()
    }
    return WeeklyEmailPlan(
        program=program,
        week=week,
        compiled=compiled,
        shared=shared,
        workspace_path=workspace_path(program=program),
        roles=roles,
        people=people,
        partners=partners,
        has_content=content is not None,
    )


def weekly_email_key(*, program: Program, week: ProgramWeek, person: Person) -> str:
    return f"weekly:{program.id}:{week.starts_on.isoformat()}:{person.id}"


def weekly_email_topic(*, program: Program) -> str:
    return f"program:{program.id}"


def weekly_email_render_planned(
    *, plan: WeeklyEmailPlan, person: Person, workspace_url: str | None = None
) -> RenderedEmail:
    """One person's email from a plan. `workspace_url` defaults to the placeholder of
    the recipient's sign-in link (minted at delivery); previews pass a link that signs
    nobody in."""
    # Someone who is neither junior nor senior (the director previewing as a stand-in
    # in a program with no learners yet) reads the junior's version.
    role = plan.roles.get(person.id, Role.JUNIOR)
    if workspace_url is None:
        workspace_url = workspace_sign_in_link(program=plan.program, next_path=plan.workspace_path)
    context = {
        **plan.shared,
        "person": _person_values(person),
        "role": Role(role).label,
        "is_junior": role == Role.JUNIOR,
        "is_senior": role == Role.SENIOR,
        "partners": plan.partners.get(person.id, ()),
        "workspace_url": workspace_url,
    }
    rendered = {}
    for field, autoescape in (("subject", False), ("text_body", False), ("html_body", True)):
        try:
            rendered[field] = getattr(plan.compiled, field).render(
                Context(context, autoescape=autoescape)
            )
        except Exception as error:
            # Anything a template can do wrong while rendering (a bad filter argument,
            # looping over a number) is the template's problem, told to its editor.
            raise WeeklyEmailTemplateError(
                f"{PART_NAMES[field]}: it failed while rendering: {error}", field=field
            ) from error
    return RenderedEmail(
        key=weekly_email_key(program=plan.program, week=plan.week, person=person),
        to_email=person.email,
        subject=" ".join(rendered["subject"].split())[:300],
        text_body=rendered["text_body"].strip() + "\n",
        html_body=rendered["html_body"].strip(),
        person_id=person.id,
        topic=weekly_email_topic(program=plan.program),
    )


def weekly_email_render(
    *,
    program: Program,
    week: ProgramWeek,
    person: Person,
    parts: EmailParts | None = None,
    workspace_url: str | None = None,
) -> RenderedEmail:
    """The weekly email of `person` for `week`, from the program's template (or
    `parts`, a draft being previewed). Holds the placeholder of the recipient's
    sign-in link unless `workspace_url` is given."""
    plan = weekly_email_plan(program=program, week=week, parts=parts, person=person)
    return weekly_email_render_planned(plan=plan, person=person, workspace_url=workspace_url)


# --- Queueing the week's emails -------------------------------------------------------------


def weekly_email_send_at(*, program: Program, week_starts_on: datetime.date) -> datetime.datetime:
    """When the program's email for the week starting `week_starts_on` is due."""
    day = week_starts_on + datetime.timedelta(days=program.weekly_email_weekday)
    return datetime.datetime.combine(day, program.weekly_email_time, tzinfo=program.zone)


# Problems already logged by this process, so a worker passing every few seconds
# says once, not thousands of times a week, that a program's week cannot be mailed.
_reported: set[tuple[int, datetime.date, str]] = set()


def _report_once(program: Program, week: ProgramWeek, message: str) -> None:
    if (program.id, week.starts_on, message) not in _reported:
        _reported.add((program.id, week.starts_on, message))
        logger.warning("%s, week of %s: %s", program.name, week.starts_on, message)


def _weekly_keys_queued(*, program: Program, week: ProgramWeek) -> set[int]:
    """The people whose email for `week` is in the outbox already (in any state)."""
    prefix = f"weekly:{program.id}:{week.starts_on.isoformat()}:"
    return {int(key.removeprefix(prefix)) for key in outbox_keys_with_prefix(prefix=prefix)}


# How many of a week's emails are queued per transaction. Each chunk commits on its
# own, so another worker (or this one's next pass) can send the first emails while the
# rest are still being rendered; a few hundred keeps a chunk's transaction, and the
# SQLite write lock it holds, to a fraction of a second.
WEEKLY_EMAIL_CHUNK = 500


def weekly_emails_enqueue(
    *, program: Program, week: ProgramWeek, chunk_size: int = WEEKLY_EMAIL_CHUNK
) -> int:
    """Queue the week's email for each junior and senior on service who has none yet.

    Cheap when there is nothing to do (who is on service, and which keys are queued:
    three queries), as the worker asks every few seconds all week; someone added to
    the schedule mid-week gets the week's email at the next pass.

    The emails are queued `chunk_size` at a time, each chunk one transaction holding
    the program row (PostgreSQL) or the database (SQLite) while it checks which of its
    keys are queued already: two workers doing this at once never both render one
    email, and a run stopped between chunks (killed, or a template failing for one
    person) leaves whole chunks queued, each key once, which the next run completes.
    On PostgreSQL a worker that finds the program row locked by another one queueing
    stops here (returning what it queued) and leaves the rest to that one.
    """
    on_service = on_service_by_week(program=program, weeks=[week])[week.id]
    people = {
        person.id: person for person in on_service.juniors + on_service.seniors if person.is_active
    }
    waiting = sorted(set(people) - _weekly_keys_queued(program=program, week=week))
    if not waiting:
        return 0
    plan = weekly_email_plan(program=program, week=week, on_service=on_service)
    if not plan.has_content:
        _report_once(program, week, "no curriculum week is planned; no weekly email sent.")
        return 0
    # One placeholder for everyone: the worker mints each recipient's own link.
    workspace_url = workspace_sign_in_link(program=program, next_path=plan.workspace_path)
    queued = 0
    for start in range(0, len(waiting), chunk_size):
        chunk_people = [people[person_id] for person_id in waiting[start : start + chunk_size]]
        chunk = {weekly_email_key(program=program, week=week, person=p): p for p in chunk_people}
        with transaction.atomic():
            # Where the database can tell (PostgreSQL), a program another worker is
            # queueing right now is left to it: this worker goes on to send what is
            # committed instead of waiting its turn to find those emails queued. On
            # SQLite the lock is the database's, taken when the transaction begins.
            locked = (
                Program.objects.select_for_update(skip_locked=True).filter(pk=program.pk).first()
            )
            if locked is None:
                break
            # Asked under the lock: another worker may have queued some since.
            present = outbox_keys_existing(keys=list(chunk))
            recipients = [person for key, person in chunk.items() if key not in present]
            emails = [
                weekly_email_render_planned(plan=plan, person=person, workspace_url=workspace_url)
                for person in recipients
            ]
            queued += outbox_enqueue_many(emails=emails)
    return queued


def weekly_emails_enqueue_due(*, now: datetime.datetime) -> int:
    """The worker hook: queue each case-review program's weekly email once its send
    time this week has passed (in the program's time zone). Returns how many were queued."""
    queued = 0
    for program in Program.objects.filter(kind=ProgramKind.CASE_REVIEW).select_related(
        "service", "institution"
    ):
        local = now.astimezone(program.zone)
        monday = local.date() - datetime.timedelta(days=local.weekday())
        if local < weekly_email_send_at(program=program, week_starts_on=monday):
            continue
        week = ProgramWeek.objects.filter(program=program, starts_on=monday).first()
        if week is None:
            continue
        try:
            queued += weekly_emails_enqueue(program=program, week=week)
        except WeeklyEmailTemplateError as error:
            # One program's broken template must not hold up the others' mail.
            _report_once(program, week, f"the weekly email template cannot be used: {error}")
    return queued


def weekly_email_test_send(
    *,
    program: Program,
    week: ProgramWeek,
    person: Person,
    parts: EmailParts,
    to: Person,
    now: datetime.datetime,
) -> RenderedEmail:
    """Queue a test of the weekly email, as `person` would get it for `week`, to `to`
    (the director pressing "Send me a test"). The worker sends it like any other.

    The link in it is a sign-in link for `to`, never for `person`: the row is `to`'s,
    and the worker mints a placeholder's link for the row's recipient alone.
    """
    plan = weekly_email_plan(program=program, week=week, parts=parts, person=person)
    rendered = weekly_email_render_planned(
        plan=plan, person=person, workspace_url=workspace_sign_in_link(program=program)
    )
    test = RenderedEmail(
        key=f"weekly-test:{program.id}:{to.id}:{now.strftime('%Y%m%dT%H%M%S.%f')}",
        to_email=to.email,
        subject=f"[Test] {rendered.subject}"[:300],
        text_body=rendered.text_body,
        html_body=rendered.html_body,
        person_id=to.id,
        topic=weekly_email_topic(program=program),
    )
    outbox_enqueue(email=test)
    return test


# --- The week's note: the simple editor ---------------------------------------------------

NOTE_MAX_LENGTH = 5000
REMINDERS_MAX = 10
REMINDER_MAX_LENGTH = 300


class WeeklyNoteError(ValueError):
    """A note that cannot be saved; `field` is "note" or "reminders"."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


def weekly_note_of(*, week: ProgramWeek) -> WeeklyNote | None:
    return WeeklyNote.objects.filter(program_week=week).first()


def weekly_note_save(
    *, week: ProgramWeek, by: access.Actor, note: str, reminders: str
) -> WeeklyNote:
    """The director's note and reminders for `week`'s email (one reminder a line).

    Refused for a week that is over: its email went out with what it said then. Emails
    already queued for a running week keep what they said; the rest get the new words.
    """
    access.require_manager(
        by, week.program, "Only the program's directors and coordinators write its email."
    )
    week_require_open(week=week)
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise WeeklyNoteError(
            f"Note: it is {len(note)} characters long; keep it to {NOTE_MAX_LENGTH}.",
            field="note",
        )
    lines = [line.strip() for line in reminders.splitlines() if line.strip()]
    if len(lines) > REMINDERS_MAX:
        raise WeeklyNoteError(
            f"Reminders: {len(lines)} lines; keep it to {REMINDERS_MAX}, one a line.",
            field="reminders",
        )
    for number, line in enumerate(lines, start=1):
        if len(line) > REMINDER_MAX_LENGTH:
            raise WeeklyNoteError(
                f"Reminders: line {number} is {len(line)} characters long; keep each to "
                f"{REMINDER_MAX_LENGTH}.",
                field="reminders",
            )
    with transaction.atomic():
        saved, _ = WeeklyNote.objects.update_or_create(
            program_week=week, defaults={"note": note, "reminders": "\n".join(lines)}
        )
    return saved


def email_template_shows_note(*, program: Program) -> bool:
    """Whether the program's template puts the week's note in the email (a template
    saved before notes existed may not)."""
    parts = email_template_get_or_default(program=program)
    return "week.note" in parts.text_body or "week.note" in parts.html_body


# --- What the editor offers ---------------------------------------------------------------


@dataclass(frozen=True)
class PreviewChoices:
    """The weeks and people the editor can preview, and the chosen ones."""

    weeks: list[ProgramWeek]
    week: ProgramWeek | None
    people: list[Person]
    person: Person | None


def weekly_email_preview_choices(
    *,
    program: Program,
    viewer: Person,
    today: datetime.date,
    week_id: int | None = None,
    person_id: int | None = None,
) -> PreviewChoices:
    """The weeks of the program, and the people to preview the email for in the chosen
    week (those on service; else the program's juniors and seniors; else the viewer)."""
    weeks = list(ProgramWeek.objects.filter(program=program).order_by("starts_on"))
    week = next((w for w in weeks if w.id == week_id), None)
    if week is None and weeks:
        upcoming = [w for w in weeks if w.ends_on >= today]
        week = upcoming[0] if upcoming else weeks[-1]
    people: list[Person] = []
    if week is not None:
        on_service = on_service_by_week(program=program, weeks=[week])[week.id]
        people = sorted(
            {p.id: p for p in on_service.juniors + on_service.seniors}.values(),
            key=lambda p: (p.full_name.lower(), p.email),
        )
    if not people:
        people = list(
            Person.objects.filter(
                enrollments__program=program, enrollments__role__in=[Role.JUNIOR, Role.SENIOR]
            )
            .distinct()
            .order_by("full_name", "email")[:200]
        )
    if not people:
        people = [viewer]
    person = next((p for p in people if p.id == person_id), people[0])
    return PreviewChoices(weeks=weeks, week=week, people=people, person=person)
