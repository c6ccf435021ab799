"""The director's curriculum editor: the curriculum's heading, its weeks with their
readings, the cases with their questions, and the case images.

Directors and coordinators only (403 for everyone else), case-review programs only
(404 for other kinds). Thin: parse the form, call content_services, and on a refusal
show the package's words beside the field they are about.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from medmentor.curriculum import content_services as edit
from medmentor.curriculum import forms as editor_forms
from medmentor.curriculum.models import Case, CaseImage, Curriculum, CurriculumWeek, ServiceDay
from medmentor.curriculum.package_views import _program_run_by

READING_FIELDS = ("citation", "url")
QUESTION_FIELDS = ("question", "answer")


def _week_of(program, week_id: int) -> CurriculumWeek:
    return get_object_or_404(
        CurriculumWeek.objects.select_related("curriculum"),
        pk=week_id,
        curriculum__program=program,
    )


def _case_of(program, case_id: int) -> Case:
    return get_object_or_404(
        Case.objects.select_related("week__curriculum"),
        pk=case_id,
        week__curriculum__program=program,
    )


def _refused(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _week_url(program, week: CurriculumWeek) -> str:
    return reverse("curriculum-week", kwargs={"slug": program.slug, "week_id": week.pk})


def _case_url(program, case: Case) -> str:
    return reverse("curriculum-case", kwargs={"slug": program.slug, "case_id": case.pk})


# --- The curriculum ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def curriculum_edit(request, slug: str):
    """Start the curriculum, or edit its title, description, source and license."""
    program = _program_run_by(request, slug)
    curriculum = Curriculum.objects.filter(program=program).first()
    if request.method == "POST":
        form = editor_forms.CurriculumHeadingForm(request.POST)
        if form.is_valid():
            try:
                edit.curriculum_save(program=program, by=request.user, **form.cleaned_data)
            except edit.CurriculumEditError as error:
                editor_forms.problems_show(error.problems, form=form)
            else:
                messages.success(request, "Saved the curriculum.")
                return redirect("curriculum-overview", slug=program.slug)
    else:
        initial = (
            {
                "title": curriculum.title,
                "description": curriculum.description,
                "source": curriculum.source,
                "license": curriculum.license,
            }
            if curriculum
            else {}
        )
        form = editor_forms.CurriculumHeadingForm(initial=initial)
    return render(
        request,
        "curriculum/editor_curriculum.html",
        {"program": program, "curriculum": curriculum, "form": form},
        status=400 if form.errors else 200,
    )


# --- Weeks ------------------------------------------------------------------------------


def _week_page(request, program, week, form, readings, status=200):
    taught = edit.curriculum_week_taught_in(week=week) if week else None
    return render(
        request,
        "curriculum/editor_week.html",
        {
            "program": program,
            "week": week,
            "form": form,
            "readings": readings,
            "taught": taught,
            "cases": list(week.cases.order_by("day").prefetch_related("questions", "images"))
            if week
            else [],
            "free_days": _free_days(week) if week else [],
        },
        status=status,
    )


def _free_days(week: CurriculumWeek) -> list:
    taken = set(week.cases.values_list("day", flat=True))
    return [(value, label) for value, label in ServiceDay.choices if value not in taken]


def _week_save(request, program, week: CurriculumWeek | None):
    form = editor_forms.CurriculumWeekForm(request.POST)
    readings = editor_forms.ReadingFormSet(request.POST, prefix="readings")
    if not (form.is_valid() and readings.is_valid()):
        return _week_page(request, program, week, form, readings, status=400)
    rows, row_forms = editor_forms.formset_rows(readings, READING_FIELDS)
    values = {
        "topic": form.cleaned_data["topic"],
        "summary": form.cleaned_data["summary"],
        "readings": rows,
    }
    try:
        if week is None:
            curriculum = get_object_or_404(Curriculum, program=program)
            week = edit.curriculum_week_add(
                curriculum=curriculum,
                by=request.user,
                number=form.cleaned_data["number"],
                **values,
            )
            messages.success(request, f"Added week {week.number}. Add its cases below.")
        else:
            number = form.cleaned_data["number"]
            edit.curriculum_week_update(
                week=week,
                by=request.user,
                number=week.number if number is None else number,
                **values,
            )
            messages.success(request, f"Saved week {week.number}.")
    except edit.CurriculumEditError as error:
        editor_forms.problems_show(error.problems, form=form, rows={"readings": row_forms})
        return _week_page(request, program, week, form, readings, status=400)
    except edit.TaughtWeekError as error:
        form.add_error(None, error.messages[0])
        return _week_page(request, program, week, form, readings, status=400)
    return redirect(_week_url(program, week))


@login_required
@require_http_methods(["GET", "POST"])
def curriculum_week_add(request, slug: str):
    program = _program_run_by(request, slug)
    if not Curriculum.objects.filter(program=program).exists():
        messages.error(request, "Start the curriculum first: give it a title.")
        return redirect("curriculum-edit", slug=program.slug)
    if request.method == "POST":
        return _week_save(request, program, None)
    form = editor_forms.CurriculumWeekForm()
    readings = editor_forms.ReadingFormSet(prefix="readings")
    return _week_page(request, program, None, form, readings)


@login_required
@require_http_methods(["GET", "POST"])
def curriculum_week(request, slug: str, week_id: int):
    program = _program_run_by(request, slug)
    week = _week_of(program, week_id)
    if request.method == "POST":
        return _week_save(request, program, week)
    form = editor_forms.CurriculumWeekForm(
        initial={"number": week.number, "topic": week.topic, "summary": week.summary}
    )
    readings = editor_forms.ReadingFormSet(
        prefix="readings",
        initial=[{"citation": r.citation, "url": r.url} for r in week.readings.all()],
    )
    return _week_page(request, program, week, form, readings)


@login_required
@require_POST
def curriculum_week_move(request, slug: str, week_id: int):
    program = _program_run_by(request, slug)
    week = _week_of(program, week_id)
    try:
        edit.curriculum_week_move(
            week=week, by=request.user, up=request.POST.get("direction") == "up"
        )
    except ValidationError as error:
        _refused(request, error)
    return redirect(
        reverse("curriculum-overview", kwargs={"slug": program.slug}) + f"#week-{week.pk}"
    )


@login_required
@require_POST
def curriculum_week_copy(request, slug: str, week_id: int):
    program = _program_run_by(request, slug)
    week = _week_of(program, week_id)
    copy = edit.curriculum_week_copy(week=week, by=request.user)
    messages.success(
        request,
        f"Copied week {week.number} as week {copy.number}: the weeks to come that were to "
        f"teach week {week.number} teach this copy. Edit it here.",
    )
    return redirect(_week_url(program, copy))


@login_required
@require_POST
def curriculum_week_remove(request, slug: str, week_id: int):
    program = _program_run_by(request, slug)
    week = _week_of(program, week_id)
    try:
        edit.curriculum_week_remove(week=week, by=request.user)
    except ValidationError as error:
        _refused(request, error)
        return redirect(_week_url(program, week))
    messages.success(request, f"Removed week {week.number} ({week.topic}).")
    return redirect("curriculum-overview", slug=program.slug)


# --- Cases ------------------------------------------------------------------------------


def _case_page(request, program, week, case, form, questions, status=200, image_form=None):
    return render(
        request,
        "curriculum/editor_case.html",
        {
            "program": program,
            "week": week,
            "case": case,
            "form": form,
            "questions": questions,
            "taught": edit.curriculum_week_taught_in(week=week),
            "images": [
                (
                    image,
                    editor_forms.CaseImageForm(
                        initial={
                            "alt_text": image.alt_text,
                            "caption": image.caption,
                            "order": index + 1,
                        },
                        prefix=f"image-{image.pk}",
                    ),
                )
                for index, image in enumerate(case.images.order_by("order", "id"))
            ]
            if case
            else [],
            "image_form": image_form or editor_forms.CaseImageAddForm(),
        },
        status=status,
    )


def _case_save(request, program, week: CurriculumWeek, case: Case | None):
    form = editor_forms.CaseForm(request.POST)
    questions = editor_forms.QuestionFormSet(request.POST, prefix="questions")
    if not (form.is_valid() and questions.is_valid()):
        return _case_page(request, program, week, case, form, questions, status=400)
    rows, row_forms = editor_forms.formset_rows(questions, QUESTION_FIELDS)
    values = {**form.cleaned_data, "questions": rows}
    try:
        if case is None:
            case = edit.case_add(week=week, by=request.user, **values)
            messages.success(request, f"Added the case “{case.title}”.")
        else:
            edit.case_update(case=case, by=request.user, **values)
            messages.success(request, f"Saved the case “{case.title}”.")
    except edit.CurriculumEditError as error:
        editor_forms.problems_show(error.problems, form=form, rows={"questions": row_forms})
        return _case_page(request, program, week, case, form, questions, status=400)
    except edit.TaughtWeekError as error:
        form.add_error(None, error.messages[0])
        return _case_page(request, program, week, case, form, questions, status=400)
    return redirect(_case_url(program, case))


@login_required
@require_http_methods(["GET", "POST"])
def curriculum_case_add(request, slug: str, week_id: int):
    program = _program_run_by(request, slug)
    week = _week_of(program, week_id)
    if request.method == "POST":
        return _case_save(request, program, week, None)
    free = _free_days(week)
    form = editor_forms.CaseForm(initial={"day": free[0][0] if free else ServiceDay.MONDAY})
    questions = editor_forms.QuestionFormSet(prefix="questions")
    return _case_page(request, program, week, None, form, questions)


@login_required
@require_http_methods(["GET", "POST"])
def curriculum_case(request, slug: str, case_id: int):
    program = _program_run_by(request, slug)
    case = _case_of(program, case_id)
    if request.method == "POST":
        return _case_save(request, program, case.week, case)
    form = editor_forms.CaseForm(
        initial={
            "day": case.day,
            "title": case.title,
            "history": case.history,
            "teaching_points": case.teaching_points,
        }
    )
    questions = editor_forms.QuestionFormSet(
        prefix="questions",
        initial=[
            {"id": q.pk, "question": q.text, "answer": q.answer}
            for q in case.questions.order_by("order", "id")
        ],
    )
    return _case_page(request, program, case.week, case, form, questions)


@login_required
@require_POST
def curriculum_case_remove(request, slug: str, case_id: int):
    program = _program_run_by(request, slug)
    case = _case_of(program, case_id)
    try:
        edit.case_remove(case=case, by=request.user)
    except ValidationError as error:
        _refused(request, error)
        return redirect(_case_url(program, case))
    messages.success(request, f"Removed the case “{case.title}”.")
    return redirect(_week_url(program, case.week))


# --- Images -----------------------------------------------------------------------------


@login_required
@require_POST
def curriculum_image_add(request, slug: str, case_id: int):
    program = _program_run_by(request, slug)
    case = _case_of(program, case_id)
    form = editor_forms.CaseImageAddForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["image"]
        try:
            edit.case_image_add(
                case=case,
                by=request.user,
                file_name=upload.name,
                data=upload.read(),
                alt_text=form.cleaned_data["alt_text"],
                caption=form.cleaned_data["caption"],
            )
        except edit.CurriculumEditError as error:
            problems = [
                p if p.loc != ("file",) else edit.Problem(loc=("image",), text=p.text, kind=p.kind)
                for p in error.problems
            ]
            editor_forms.problems_show(problems, form=form)
        except edit.TaughtWeekError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(request, "Added the image.")
            return redirect(_case_url(program, case) + "#images")
    return _case_page(
        request,
        program,
        case.week,
        case,
        editor_forms.CaseForm(
            initial={
                "day": case.day,
                "title": case.title,
                "history": case.history,
                "teaching_points": case.teaching_points,
            }
        ),
        editor_forms.QuestionFormSet(
            prefix="questions",
            initial=[
                {"id": q.pk, "question": q.text, "answer": q.answer}
                for q in case.questions.order_by("order", "id")
            ],
        ),
        status=400,
        image_form=form,
    )


@login_required
@require_POST
def curriculum_image(request, slug: str, image_id: int):
    """Save an image's words and place, or remove it (the button pressed)."""
    program = _program_run_by(request, slug)
    image = get_object_or_404(
        CaseImage.objects.select_related("case__week__curriculum"),
        pk=image_id,
        case__week__curriculum__program=program,
    )
    case = image.case
    try:
        if request.POST.get("action") == "remove":
            edit.case_image_remove(image=image, by=request.user)
            messages.success(request, "Removed the image.")
        else:
            form = editor_forms.CaseImageForm(request.POST, prefix=f"image-{image.pk}")
            if not form.is_valid():
                messages.error(request, "Place: give a whole number from 1.")
                return redirect(_case_url(program, case) + "#images")
            edit.case_image_update(image=image, by=request.user, **form.cleaned_data)
            messages.success(request, "Saved the image.")
    except edit.CurriculumEditError as error:
        for problem in error.problems:
            messages.error(request, f"Image {image.order + 1}: {problem.loc[-1]}: {problem.text}")
    except edit.TaughtWeekError as error:
        _refused(request, error)
    return redirect(_case_url(program, case) + "#images")
