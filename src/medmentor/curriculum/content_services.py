"""Every write of the director's curriculum editor: the curriculum itself, its weeks and
readings, the cases with their questions, and the case images.

Each write is checked by the curriculum package's own pydantic models (package.py), so
a case typed on the web and a case in an imported package pass the same checks and
are refused with the same words; `CurriculumEditError.problems` holds each problem with
its place, which the forms put beside the field it is about.

What is finished stays finished (docs/privacy.md): a curriculum week taught in a
program week that is over is shown to that week's pair as it was, so its content is
no longer edited — refused with `TaughtWeekError`, which says which week taught it
and offers the way on: copy it to a new curriculum week (`curriculum_week_copy`),
which takes its place in the weeks to come. Removing a week, a case or a question
that a started week teaches is refused too: the learners' marks and revealed answers
on it would go with it.

Who may: the program's directors and coordinators (`access.require_manager`).
"""

import datetime
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from medmentor.curriculum.models import (
    Case,
    CaseImage,
    Curriculum,
    CurriculumWeek,
    Question,
    Reading,
    ServiceDay,
    WeekPlan,
    new_content_version,
)
from medmentor.curriculum.package import (
    MAX_IMAGES_PER_CASE,
    PackageCase,
    PackageHeading,
    PackageImage,
    PackageWeek,
    Problem,
    image_refusal,
    problem_list,
)
from medmentor.curriculum.package import _delete_files as delete_stored_files
from medmentor.curriculum.services import week_plans_assign
from medmentor.programs import access
from medmentor.programs.models import Program, ProgramWeek
from medmentor.programs.selectors import program_today, week_finished_message


class CurriculumEditError(ValidationError):
    """An edit refused by the package's checks; `problems` names each place."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__([str(problem) for problem in problems])


class TaughtWeekError(ValidationError):
    """An edit of content that a finished (or, for removals, a started) week taught."""


Checked = TypeVar("Checked", bound=BaseModel)


def _check(model: type[Checked], data: dict, *, context: dict | None = None) -> Checked:
    try:
        return model.model_validate(data, context=context)
    except PydanticValidationError as error:
        raise CurriculumEditError(problem_list(error, top=model)) from None


def _manages(by: access.Actor, program: Program) -> None:
    access.require_manager(
        by, program, "Only the program's directors and coordinators edit its curriculum."
    )


def _program_of(week: CurriculumWeek) -> Program:
    return week.curriculum.program


# --- The week's content version ---------------------------------------------------------


def curriculum_week_content_changed(*, week_ids) -> None:
    """Give each curriculum week a new content version: the copies of its readings,
    cases, images and questions kept for the pages (selectors.week_content) are then
    no longer used. Every write of that content calls it, in its own transaction, so
    a page never shows an older copy once the write is in (the admin's too)."""
    ids = {week_id for week_id in week_ids if week_id is not None}
    for week_id in ids:
        CurriculumWeek.objects.filter(pk=week_id).update(content_version=new_content_version())


# --- What is finished stays finished -----------------------------------------------------


def curriculum_week_taught_in(
    *, week: CurriculumWeek, started: bool = False, today: datetime.date | None = None
) -> ProgramWeek | None:
    """The latest program week teaching `week` that is over (with `started`, that has
    begun), or None."""
    program = _program_of(week)
    today = today or program_today(program=program)
    # A week is over once its Sunday has passed; it has started from its Monday.
    last_monday = today - datetime.timedelta(days=0 if started else 7)
    return (
        ProgramWeek.objects.filter(
            program=program, plan__curriculum_week=week, starts_on__lte=last_monday
        )
        .order_by("-starts_on")
        .first()
    )


def _require_not_taught(week: CurriculumWeek) -> None:
    taught = curriculum_week_taught_in(week=week)
    if taught is not None:
        raise TaughtWeekError(
            f"Week {week.number} ({week.topic}) was taught in the week of "
            f"{taught.starts_on:%-d %B %Y}, which is over: its pairs saw it as it is, and "
            "it stays that way. " + week_finished_message(week=taught) + " To change it for "
            "the weeks to come, copy it to a new week and edit the copy."
        )


def _require_not_started(week: CurriculumWeek, what: str) -> None:
    _require_not_taught(week)
    started = curriculum_week_taught_in(week=week, started=True)
    if started is not None:
        raise TaughtWeekError(
            f"{what} cannot be removed: week {week.number} ({week.topic}) is taught in the "
            f"week of {started.starts_on:%-d %B %Y}, which has begun, and removing it would "
            "delete what its pairs recorded. Edit it instead."
        )


# --- The curriculum ------------------------------------------------------------------------


@transaction.atomic
def curriculum_save(
    *,
    program: Program,
    by: access.Actor,
    title: str,
    description: str = "",
    source: str = "",
    license: str = "",
) -> Curriculum:
    """Start `program`'s curriculum, or change its title, description, source, license."""
    _manages(by, program)
    _check(
        PackageHeading,
        {"title": title, "description": description, "source": source, "license": license},
    )
    curriculum, _ = Curriculum.objects.update_or_create(
        program=program,
        defaults={"title": title, "description": description, "source": source, "license": license},
    )
    return curriculum


# --- Weeks and readings -------------------------------------------------------------------


def _week_data(*, number, topic: str, summary: str, readings: list[dict]) -> dict:
    return {
        "number": number,
        "topic": topic,
        "summary": summary,
        "readings": [
            {"citation": reading.get("citation", ""), "url": reading.get("url", "")}
            for reading in readings
        ],
    }


def _number_clash(curriculum: Curriculum, number: int, week: CurriculumWeek | None) -> None:
    other = CurriculumWeek.objects.filter(curriculum=curriculum, number=number)
    if week is not None:
        other = other.exclude(pk=week.pk)
    found = other.first()
    if found is not None:
        raise CurriculumEditError(
            [
                Problem(
                    loc=("number",), text=f"week {number} is already “{found.topic}”", kind="clash"
                )
            ]
        )


@transaction.atomic
def curriculum_week_add(
    *,
    curriculum: Curriculum,
    by: access.Actor,
    topic: str,
    summary: str = "",
    number: int | None = None,
    readings: list[dict] | None = None,
) -> CurriculumWeek:
    """A new week, numbered after the last unless `number` is given. Program weeks
    without a plan get one again (the new week joins the turn)."""
    _manages(by, curriculum.program)
    if number is None:
        number = (curriculum.weeks.aggregate(last=Max("number"))["last"] or 0) + 1
    checked = _check(
        PackageWeek,
        _week_data(number=number, topic=topic, summary=summary, readings=readings or []),
    )
    _number_clash(curriculum, checked.number, None)
    week = CurriculumWeek.objects.create(
        curriculum=curriculum, number=checked.number, topic=checked.topic, summary=checked.summary
    )
    _readings_write(week, checked.readings)
    week_plans_assign(program=curriculum.program)
    return week


def _readings_write(week: CurriculumWeek, readings) -> None:
    week.readings.all().delete()
    Reading.objects.bulk_create(
        Reading(week=week, order=order, citation=reading.citation, url=reading.url)
        for order, reading in enumerate(readings)
    )


@transaction.atomic
def curriculum_week_update(
    *,
    week: CurriculumWeek,
    by: access.Actor,
    number: int,
    topic: str,
    summary: str,
    readings: list[dict],
) -> CurriculumWeek:
    """Change a week's number, topic, summary and readings (in the order given)."""
    _manages(by, _program_of(week))
    week = CurriculumWeek.objects.select_for_update().get(pk=week.pk)
    _require_not_taught(week)
    checked = _check(
        PackageWeek, _week_data(number=number, topic=topic, summary=summary, readings=readings)
    )
    _number_clash(week.curriculum, checked.number, week)
    week.number, week.topic, week.summary = checked.number, checked.topic, checked.summary
    week.save(update_fields=["number", "topic", "summary"])
    _readings_write(week, checked.readings)
    curriculum_week_content_changed(week_ids=[week.pk])
    return week


@transaction.atomic
def curriculum_week_move(*, week: CurriculumWeek, by: access.Actor, up: bool) -> CurriculumWeek:
    """Swap `week`'s number with the week before it (`up`) or after it: the order in
    which the weeks to come are taught. Weeks already taught keep their numbers."""
    _manages(by, _program_of(week))
    neighbours = CurriculumWeek.objects.filter(curriculum_id=week.curriculum_id)
    other = (
        neighbours.filter(number__lt=week.number).order_by("-number")
        if up
        else neighbours.filter(number__gt=week.number).order_by("number")
    ).first()
    if other is None:
        return week
    _require_not_taught(week)
    _require_not_taught(other)
    mine, theirs = week.number, other.number
    # Through a free number: (curriculum, number) is unique at every step.
    free = (neighbours.aggregate(last=Max("number"))["last"] or 0) + 1
    CurriculumWeek.objects.filter(pk=week.pk).update(number=free)
    CurriculumWeek.objects.filter(pk=other.pk).update(number=mine)
    CurriculumWeek.objects.filter(pk=week.pk).update(number=theirs)
    curriculum_week_content_changed(week_ids=[week.pk, other.pk])
    week.refresh_from_db()
    return week


@transaction.atomic
def curriculum_week_remove(*, week: CurriculumWeek, by: access.Actor) -> None:
    """Remove a week with its cases; the program weeks it was planned for (all still to
    come) are planned again."""
    program = _program_of(week)
    _manages(by, program)
    _require_not_started(week, f"Week {week.number} ({week.topic})")
    images = list(CaseImage.objects.filter(case__week=week).values_list("image", flat=True))
    week.delete()
    week_plans_assign(program=program)
    transaction.on_commit(lambda: _delete_files(images))


@transaction.atomic
def curriculum_week_copy(*, week: CurriculumWeek, by: access.Actor) -> CurriculumWeek:
    """A copy of `week` (readings, cases, questions, images) numbered after the last,
    to edit where the week itself is frozen. The program weeks to come that were to
    teach `week` teach the copy instead; the weeks that taught it keep it."""
    program = _program_of(week)
    _manages(by, program)
    curriculum = week.curriculum
    number = (curriculum.weeks.aggregate(last=Max("number"))["last"] or 0) + 1
    copy = CurriculumWeek.objects.create(
        curriculum=curriculum, number=number, topic=week.topic, summary=week.summary
    )
    Reading.objects.bulk_create(
        Reading(week=copy, order=r.order, citation=r.citation, url=r.url)
        for r in week.readings.all()
    )
    for case in week.cases.prefetch_related("questions", "images"):
        new_case = Case.objects.create(
            week=copy,
            day=case.day,
            title=case.title,
            history=case.history,
            teaching_points=case.teaching_points,
        )
        Question.objects.bulk_create(
            Question(case=new_case, order=q.order, text=q.text, answer=q.answer)
            for q in case.questions.all()
        )
        for image in case.images.all():
            new_image = CaseImage(
                case=new_case, order=image.order, caption=image.caption, alt_text=image.alt_text
            )
            with image.image.open("rb") as source:
                new_image.image.save(
                    image.image.name.rsplit("/", 1)[-1], ContentFile(source.read()), save=False
                )
            new_image.save()
    today = program_today(program=program)
    WeekPlan.objects.filter(curriculum_week=week, program_week__starts_on__gt=today).update(
        curriculum_week=copy
    )
    return copy


# --- Cases and questions --------------------------------------------------------------------


def _case_data(
    *, day: int, title: str, history: str, teaching_points: str, questions: list[dict]
) -> dict:
    return {
        "day": ServiceDay(day).label.lower() if day in ServiceDay.values else str(day),
        "title": title,
        "history": history,
        "teaching_points": teaching_points,
        "questions": [
            {"question": q.get("question", ""), "answer": q.get("answer", "")} for q in questions
        ],
    }


def _day_clash(week: CurriculumWeek, day: int, case: Case | None) -> None:
    other = Case.objects.filter(week=week, day=day)
    if case is not None:
        other = other.exclude(pk=case.pk)
    found = other.first()
    if found is not None:
        raise CurriculumEditError(
            [
                Problem(
                    loc=("day",),
                    text=f"{ServiceDay(day).label} already has a case (“{found.title}”)",
                    kind="clash",
                )
            ]
        )


def _questions_write(case: Case, given: list[dict], checked) -> None:
    """Write the checked questions in their order. A question given with the `id` of
    one of the case's questions updates that row, so an answer a junior revealed
    stays revealed on the question it was; the case's questions not given go."""
    existing = {question.pk: question for question in case.questions.all()}
    kept = set()
    for order, (entry, question) in enumerate(zip(given, checked, strict=True)):
        row = existing.get(_as_id(entry.get("id")))
        if row is None:
            Question.objects.create(
                case=case, order=order, text=question.question, answer=question.answer
            )
            continue
        kept.add(row.pk)
        if (row.text, row.answer, row.order) != (question.question, question.answer, order):
            row.text, row.answer, row.order = question.question, question.answer, order
            row.save(update_fields=["text", "answer", "order"])
    Question.objects.filter(case=case).exclude(pk__in=kept).filter(pk__in=list(existing)).delete()


def _as_id(value) -> int:
    """The id of an existing row, or 0 (no row has it) for a new one."""
    return int(value) if str(value or "").isdigit() else 0


def _removes_questions(case: Case, given: list[dict]) -> bool:
    ids = {_as_id(entry.get("id")) for entry in given}
    return any(pk not in ids for pk in case.questions.values_list("pk", flat=True))


@transaction.atomic
def case_add(
    *,
    week: CurriculumWeek,
    by: access.Actor,
    day: int,
    title: str,
    history: str,
    teaching_points: str = "",
    questions: list[dict],
) -> Case:
    """A new must-see case on `day` of `week`, with at least one question."""
    _manages(by, _program_of(week))
    _require_not_taught(week)
    checked = _check(
        PackageCase,
        _case_data(
            day=day,
            title=title,
            history=history,
            teaching_points=teaching_points,
            questions=questions,
        ),
    )
    _day_clash(week, checked.day, None)
    case = Case.objects.create(
        week=week,
        day=checked.day,
        title=checked.title,
        history=checked.history,
        teaching_points=checked.teaching_points,
    )
    _questions_write(case, questions, checked.questions)
    curriculum_week_content_changed(week_ids=[week.pk])
    return case


@transaction.atomic
def case_update(
    *,
    case: Case,
    by: access.Actor,
    day: int,
    title: str,
    history: str,
    teaching_points: str,
    questions: list[dict],
) -> Case:
    """Change a case and its questions (in the order given: add, edit, reorder, remove)."""
    week = case.week
    _manages(by, _program_of(week))
    _require_not_taught(week)
    checked = _check(
        PackageCase,
        _case_data(
            day=day,
            title=title,
            history=history,
            teaching_points=teaching_points,
            questions=questions,
        ),
    )
    if _removes_questions(case, questions):
        _require_not_started(week, "A question")
    _day_clash(week, checked.day, case)
    case.day, case.title, case.history = checked.day, checked.title, checked.history
    case.teaching_points = checked.teaching_points
    case.save(update_fields=["day", "title", "history", "teaching_points"])
    _questions_write(case, questions, checked.questions)
    curriculum_week_content_changed(week_ids=[week.pk])
    return case


@transaction.atomic
def case_remove(*, case: Case, by: access.Actor) -> None:
    week = case.week
    _manages(by, _program_of(week))
    _require_not_started(week, f"The case “{case.title}”")
    images = list(case.images.values_list("image", flat=True))
    case.delete()
    curriculum_week_content_changed(week_ids=[week.pk])
    transaction.on_commit(lambda: _delete_files(images))


# --- Images -------------------------------------------------------------------------------


class _Upload:
    """The validation context of PackageImage.file for one uploaded file: the same
    check as an image in a package."""

    def __init__(self, data: bytes | None) -> None:
        self.data = data

    def refusal(self, file: str) -> str | None:
        if self.data is None:
            return None
        reason = image_refusal(self.data)
        return f"{file!r} {reason}" if reason else None


def _delete_files(names: list[str]) -> None:
    delete_stored_files(names)


def case_image_add(
    *, case: Case, by: access.Actor, file_name: str, data: bytes, alt_text: str, caption: str = ""
) -> CaseImage:
    """Add an image to the end of `case`'s images, checked as a package's image is."""
    written: list[str] = []
    try:
        with transaction.atomic():
            _manages(by, _program_of(case.week))
            _require_not_taught(case.week)
            _check(
                PackageImage,
                {"file": file_name, "alt_text": alt_text, "caption": caption},
                context={"images": _Upload(data)},
            )
            count = case.images.count()
            if count >= MAX_IMAGES_PER_CASE:
                raise CurriculumEditError(
                    [
                        Problem(
                            loc=("images",),
                            text=f"has {count} entries; the limit is {MAX_IMAGES_PER_CASE}",
                            kind="many",
                        )
                    ]
                )
            image = CaseImage(case=case, order=count, alt_text=alt_text, caption=caption)
            name = file_name.rsplit("/", 1)[-1] or "image"
            image.image.save(name, ContentFile(data), save=False)
            written.append(image.image.name)
            image.save()
            curriculum_week_content_changed(week_ids=[case.week_id])
    except BaseException:
        # The stored file goes again when the row was not written.
        _delete_files(written)
        raise
    return image


@transaction.atomic
def case_image_update(
    *, image: CaseImage, by: access.Actor, alt_text: str, caption: str, order: int
) -> CaseImage:
    """Change an image's words, or its place among the case's images (1 = first)."""
    case = image.case
    _manages(by, _program_of(case.week))
    _require_not_taught(case.week)
    _check(
        PackageImage,
        {"file": image.image.name, "alt_text": alt_text, "caption": caption},
        context={"images": _Upload(None)},
    )
    image.alt_text, image.caption = alt_text, caption
    image.save(update_fields=["alt_text", "caption"])
    others = [other for other in case.images.order_by("order", "id") if other.pk != image.pk]
    place = min(max(order, 1), len(others) + 1) - 1
    others.insert(place, image)
    for index, row in enumerate(others):
        if row.order != index:
            CaseImage.objects.filter(pk=row.pk).update(order=index)
    curriculum_week_content_changed(week_ids=[case.week_id])
    image.refresh_from_db()
    return image


@transaction.atomic
def case_image_remove(*, image: CaseImage, by: access.Actor) -> None:
    _manages(by, _program_of(image.case.week))
    _require_not_taught(image.case.week)
    name = image.image.name
    week_id = image.case.week_id
    image.delete()
    curriculum_week_content_changed(week_ids=[week_id])
    transaction.on_commit(lambda: _delete_files([name]))
