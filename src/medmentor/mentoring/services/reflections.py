"""Mentor reflections (issue 11 item 6; seed 004: mentors grow toward the ACGME
competencies). A mentor writes a short reflection after a meeting, optionally tagged
with competencies; only with the mentor's consent — a checkbox per reflection, which
they may untick until it is exported — does it reach the program's researchers, as
a de-identified qualitative document made by the qualitative app's own import.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from medmentor.meetings.models import Meeting
from medmentor.mentoring.models import Mentorship, Reflection
from medmentor.mentoring.services.health import HealthError
from medmentor.people.models import Person
from medmentor.programs import access
from medmentor.programs.models import Program
from medmentor.qualitative import services as qualitative
from medmentor.qualitative.models import Competency, DocumentKind

REFLECTION_MAX = 3000


def _clean_competencies(values) -> list[str]:
    cleaned = []
    for value in values or ():
        if value not in Competency.values:
            raise HealthError(
                f"“{str(value)[:40]}” is not an ACGME competency; choose from: "
                + ", ".join(label for label in Competency.labels)
                + "."
            )
        if value not in cleaned:
            cleaned.append(value)
    return cleaned


def reflection_write(
    *,
    mentorship: Mentorship,
    by: Person,
    text: str,
    competencies=(),
    consent: bool = False,
    meeting: Meeting | None = None,
    now: datetime.datetime | None = None,
) -> Reflection:
    """The pair's mentor writes a reflection (after `meeting`, when given)."""
    now = now or timezone.now()
    if mentorship.mentor_id != by.pk:
        raise HealthError("Only the pair's mentor writes a reflection on it.")
    text = text.strip()
    if not text:
        raise HealthError("The reflection is empty; write a few words.")
    if len(text) > REFLECTION_MAX:
        raise HealthError(
            f"The reflection has {len(text):,} characters; keep it under {REFLECTION_MAX:,}."
        )
    if meeting is not None:
        if (
            meeting.program_id != mentorship.program_id
            or not meeting.attendance.filter(person_id=by.pk).exists()
        ):
            raise HealthError(f"{by.full_name} was not in “{meeting.title}”.")
        if meeting.starts_at > now:
            raise HealthError(f"“{meeting.title}” has not taken place yet; reflect after it.")
    chosen = _clean_competencies(competencies)
    with transaction.atomic():
        return Reflection.objects.create(
            mentorship=mentorship,
            meeting=meeting,
            author=by,
            text=text,
            competencies=chosen,
            consent=bool(consent),
            created_at=now,
        )


def reflection_consent_set(*, reflection: Reflection, by: Person, consent: bool) -> Reflection:
    """The author gives or withdraws consent to share the reflection with the
    researchers; once exported it can no longer be withdrawn (it is in their data)."""
    if reflection.author_id != by.pk:
        raise HealthError("Only the reflection's author decides whether it is shared.")
    with transaction.atomic():
        row = Reflection.objects.select_for_update().get(pk=reflection.pk)
        if row.exported_at is not None:
            raise HealthError(
                f"This reflection went to the researchers, de-identified, on "
                f"{row.exported_at:%d %B %Y}; consent can no longer be changed."
            )
        row.consent = bool(consent)
        row.save(update_fields=["consent"])
    reflection.consent = row.consent
    return row


def _paragraph(reflection: Reflection) -> str:
    # One line each, led by a dash, so the transcript reader never takes its first
    # words for a speaker's name.
    tags = "; ".join(Competency(value).label for value in reflection.competencies)
    body = " ".join(reflection.text.split())
    return f"— [{tags}] {body}" if tags else f"— {body}"


def reflections_export(
    *, program: Program, by: Person, now: datetime.datetime | None = None
) -> int:
    """A researcher takes every consented reflection not exported yet into one
    de-identified qualitative document (ordered by text, never by who or when; no
    author named). Returns the document's id."""
    now = now or timezone.now()
    access.require_researcher(
        by, program, "Only the program's researchers may take in mentor reflections."
    )
    with transaction.atomic():
        waiting = list(
            Reflection.objects.select_for_update().filter(
                mentorship__program=program, consent=True, exported_at__isnull=True
            )
        )
        if not waiting:
            raise HealthError(
                "No mentor reflection shared with the researchers is waiting to be taken in."
            )
        paragraphs = sorted(_paragraph(r) for r in waiting)
        try:
            document = qualitative.document_import(
                program=program,
                by=by,
                file_name=f"mentor-reflections-{now:%Y-%m-%d}.txt",
                content="\n\n".join(paragraphs).encode(),
                title=f"Mentor reflections ({len(waiting)}), taken in {now:%d %B %Y}",
                kind=DocumentKind.OPEN_ANSWERS,
                attributes={"source": "mentor reflections", "reflections": len(waiting)},
            )
        except ValidationError as error:
            raise HealthError(" ".join(error.messages)) from error
        Reflection.objects.filter(pk__in=[r.pk for r in waiting]).update(
            exported_at=now, exported_document_id=document.pk
        )
    return document.pk
