"""The survey editor: a survey's settings, waves, items and scales, for the program's
directors and coordinators (other roles get 403, anonymous visitors the sign-in page).

Thin: parse with surveys.forms, write with the services of "Editing instruments" (which
refuse, by field, what would change the meaning of codes already answered), render.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from medmentor.programs import access
from medmentor.programs.models import Program
from medmentor.surveys import editor_services, selectors
from medmentor.surveys.editor_services import count_words, number_words
from medmentor.surveys.forms import (
    InstrumentSettingsForm,
    ItemForm,
    ScaleForm,
    WaveAddForm,
    WaveDaysForm,
)
from medmentor.surveys.models import Instrument, Item, ItemKind, Scale, WaveKind


def _staff_instrument(request, slug: str, instrument_id: int) -> tuple[Program, Instrument]:
    program = get_object_or_404(Program, slug=slug)
    access.require_manager(request.user, program, selectors.SURVEY_PAGE_REFUSED)
    instrument = get_object_or_404(Instrument, program=program, pk=instrument_id)
    return program, instrument


def _editor_url(instrument: Instrument, anchor: str = "") -> str:
    url = reverse(
        "survey-editor",
        kwargs={"slug": instrument.program.slug, "instrument_id": instrument.pk},
    )
    return f"{url}#{anchor}" if anchor else url


def scale_range_in_words(*, scoring: str, item_min: float, item_max: float, n_items: int) -> str:
    """E.g. "7 items scored 0–5: scores 0–35", or for a mean "…: the score is their mean,
    0–5"."""
    items = (
        f"{count_words(n_items, 'item')} scored {number_words(item_min)}–{number_words(item_max)}"
    )
    if scoring == "mean":
        return (
            f"{items}: the score is their mean, {number_words(item_min)}–{number_words(item_max)}"
        )
    low, high = item_min * n_items, item_max * n_items
    return f"{items}: scores {number_words(low)}–{number_words(high)}"


def _scale_words(scale: Scale, members: list) -> str:
    return scale_range_in_words(
        scoring=scale.scoring,
        item_min=scale.item_min,
        item_max=scale.item_max,
        n_items=len(members),
    )


def _item_summary(item: Item) -> str:
    """The kind and codes of an item in a few words."""
    if item.kind == ItemKind.LIKERT:
        return f"Likert, {item.points} points"
    if item.kind == ItemKind.NUMERIC:
        return f"Number 0–{item.numeric_max}"
    if item.kind in (ItemKind.SINGLE, ItemKind.MULTIPLE):
        codes = ", ".join(f"{code} {label}" for code, label in item.options())
        return f"{item.get_kind_display()}: {codes}"
    return item.get_kind_display()


def _editor_page(
    request,
    program: Program,
    instrument: Instrument,
    *,
    settings_form: InstrumentSettingsForm | None = None,
    wave_form: tuple[int, WaveDaysForm] | None = None,
    add_wave_form: WaveAddForm | None = None,
    status: int = 200,
):
    zone = program.zone
    contents = selectors.instrument_editor_contents(instrument=instrument)
    waves = []
    for wave in contents.waves:
        if wave_form is not None and wave_form[0] == wave.pk:
            form = wave_form[1]
        else:
            opens_on, closes_on = editor_services.wave_days(wave=wave, zone=zone)
            form = WaveDaysForm(
                prefix=f"wave-{wave.pk}", initial={"opens_on": opens_on, "closes_on": closes_on}
            )
        waves.append({"wave": wave, "form": form.describe()})
    missing = [kind for kind in WaveKind.values if kind not in {w["wave"].kind for w in waves}]
    if missing and add_wave_form is None:
        add_wave_form = WaveAddForm(prefix="add-wave", missing=missing)
    items = contents.items
    scales = [
        {"scale": scale, "members": members, "words": _scale_words(scale, members)}
        for scale, members in contents.scales
    ]
    submitted = contents.submitted
    return render(
        request,
        "surveys/editor.html",
        {
            "program": program,
            "instrument": instrument,
            "current": "surveys",
            "submitted": submitted,
            "codes_fixed": editor_services.codes_fixed_message(submitted) if submitted else "",
            "settings_form": (
                settings_form or InstrumentSettingsForm(instrument=instrument)
            ).describe(),
            "waves": waves,
            "add_wave_form": add_wave_form.describe() if missing else None,
            "items": [
                {
                    "item": item,
                    "summary": _item_summary(item),
                    "first": i == 0,
                    "last": i == len(items) - 1,
                }
                for i, item in enumerate(items)
            ],
            "scales": scales,
        },
        status=status,
    )


def _notes(request, notes: list[str]) -> None:
    for note in notes:
        messages.warning(request, note)


@login_required
def survey_editor(request, slug: str, instrument_id: int):
    """The editor's page; a POST saves the survey's settings."""
    program, instrument = _staff_instrument(request, slug, instrument_id)
    if request.method != "POST":
        return _editor_page(request, program, instrument)
    form = InstrumentSettingsForm(request.POST, instrument=instrument)
    if form.is_valid():
        try:
            notes = editor_services.instrument_settings_update(
                instrument=instrument, **form.cleaned_data, by=request.user
            )
        except ValidationError as error:
            form.errors_apply(error)
        else:
            messages.success(request, "Saved the survey's settings.")
            _notes(request, notes)
            return redirect(_editor_url(instrument, "settings"))
    return _editor_page(request, program, instrument, settings_form=form, status=422)


@login_required
@require_POST
def survey_editor_wave_add(request, slug: str, instrument_id: int):
    program, instrument = _staff_instrument(request, slug, instrument_id)
    missing = selectors.wave_kinds_missing(instrument=instrument)
    if not missing:
        messages.error(request, "The survey already has a pre, a post and a follow-up wave.")
        return redirect(_editor_url(instrument, "waves"))
    form = WaveAddForm(request.POST, prefix="add-wave", missing=missing)
    if form.is_valid():
        try:
            wave = editor_services.wave_create(
                instrument=instrument, **form.cleaned_data, by=request.user
            )
        except ValidationError as error:
            form.errors_apply(error)
        else:
            messages.success(request, f"Added the {wave.get_kind_display().lower()} wave.")
            return redirect(_editor_url(instrument, "waves"))
    return _editor_page(request, program, instrument, add_wave_form=form, status=422)


@login_required
@require_POST
def survey_editor_wave(request, slug: str, instrument_id: int, wave_id: int):
    program, instrument = _staff_instrument(request, slug, instrument_id)
    wave = get_object_or_404(instrument.waves, pk=wave_id)
    form = WaveDaysForm(request.POST, prefix=f"wave-{wave.pk}")
    if form.is_valid():
        try:
            editor_services.wave_update(wave=wave, **form.cleaned_data, by=request.user)
        except ValidationError as error:
            form.errors_apply(error)
        else:
            opens_on, closes_on = editor_services.wave_days(wave=wave, zone=program.zone)
            messages.success(
                request,
                f"The {wave.get_kind_display().lower()} wave is open from "
                f"{opens_on:%-d %B %Y} to {closes_on:%-d %B %Y} ({program.time_zone} time).",
            )
            return redirect(_editor_url(instrument, "waves"))
    return _editor_page(request, program, instrument, wave_form=(wave.pk, form), status=422)


def _item_page(request, program, instrument, form: ItemForm, item: Item | None, status=200):
    submitted = editor_services.instrument_submitted_count(instrument=instrument)
    return render(
        request,
        "surveys/editor_item.html",
        {
            "program": program,
            "instrument": instrument,
            "item": item,
            "form": form.describe(),
            "submitted": submitted,
            "codes_fixed": editor_services.codes_fixed_message(submitted) if submitted else "",
            "current": "surveys",
        },
        status=status,
    )


@login_required
def survey_editor_item_add(request, slug: str, instrument_id: int):
    program, instrument = _staff_instrument(request, slug, instrument_id)
    if request.method != "POST":
        form = ItemForm(
            instrument=instrument,
            initial={
                "kind": ItemKind.LIKERT,
                "points": 5,
                **selectors.new_item_defaults(instrument=instrument),
            },
        )
        return _item_page(request, program, instrument, form, None)
    form = ItemForm(request.POST, instrument=instrument)
    if form.is_valid():
        try:
            item = editor_services.item_create(
                instrument=instrument, fields=form.item_fields(), by=request.user
            )
        except ValidationError as error:
            form.errors_apply(error)
        else:
            messages.success(request, f"Added the item “{item.key}”.")
            return redirect(_editor_url(instrument, f"item-{item.pk}"))
    return _item_page(request, program, instrument, form, None, status=422)


@login_required
def survey_editor_item(request, slug: str, instrument_id: int, item_id: int):
    program, instrument = _staff_instrument(request, slug, instrument_id)
    item = get_object_or_404(instrument.items, pk=item_id)
    if request.method != "POST":
        return _item_page(
            request, program, instrument, ItemForm(instrument=instrument, item=item), item
        )
    form = ItemForm(request.POST, instrument=instrument, item=item)
    if form.is_valid():
        try:
            notes = editor_services.item_update(
                item=item, fields=form.item_fields(), by=request.user
            )
        except ValidationError as error:
            form.errors_apply(error)
        else:
            messages.success(request, f"Saved the item “{item.key}”.")
            _notes(request, notes)
            return redirect(_editor_url(instrument, f"item-{item.pk}"))
    return _item_page(request, program, instrument, form, item, status=422)


def _confirm_page(request, program, instrument, *, title, text, error="", status=200):
    return render(
        request,
        "surveys/editor_confirm.html",
        {
            "program": program,
            "instrument": instrument,
            "title": title,
            "text": text,
            "error": error,
            "current": "surveys",
        },
        status=status,
    )


@login_required
def survey_editor_item_delete(request, slug: str, instrument_id: int, item_id: int):
    program, instrument = _staff_instrument(request, slug, instrument_id)
    item = get_object_or_404(instrument.items, pk=item_id)
    title = f"Delete the item “{item.key}”?"
    text = f"“{item.text}” (page {item.page}) leaves the survey."
    if request.method != "POST":
        return _confirm_page(request, program, instrument, title=title, text=text)
    try:
        editor_services.item_delete(item=item, by=request.user)
    except ValidationError as error:
        message = " ".join(error.messages)
        return _confirm_page(
            request, program, instrument, title=title, text=text, error=message, status=422
        )
    messages.success(request, f"Deleted the item “{item.key}”.")
    return redirect(_editor_url(instrument, "items"))


@login_required
@require_POST
def survey_editor_item_move(request, slug: str, instrument_id: int, item_id: int):
    _, instrument = _staff_instrument(request, slug, instrument_id)
    item = get_object_or_404(instrument.items, pk=item_id)
    direction = request.POST.get("direction", "")
    try:
        editor_services.item_move(item=item, direction=direction, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_editor_url(instrument, f"item-{item.pk}"))


def _scale_page(request, program, instrument, form: ScaleForm, scale: Scale | None, status=200):
    words = ""
    if scale is not None:
        words = _scale_words(scale, list(scale.scale_items.all()))
    return render(
        request,
        "surveys/editor_scale.html",
        {
            "program": program,
            "instrument": instrument,
            "scale": scale,
            "words": words,
            "form": form.describe(),
            "current": "surveys",
        },
        status=status,
    )


def _scale_saved(request, instrument, scale: Scale, verb: str):
    words = _scale_words(scale, list(scale.scale_items.all()))
    messages.success(request, f"{verb} the scale “{scale.name}”: {words}.")
    return redirect(_editor_url(instrument, f"scale-{scale.pk}"))


@login_required
def survey_editor_scale_add(request, slug: str, instrument_id: int):
    program, instrument = _staff_instrument(request, slug, instrument_id)
    if request.method != "POST":
        return _scale_page(request, program, instrument, ScaleForm(instrument=instrument), None)
    form = ScaleForm(request.POST, instrument=instrument)
    if form.is_valid():
        try:
            scale = editor_services.scale_create(
                instrument=instrument, fields=form.scale_fields(), by=request.user
            )
        except ValidationError as error:
            form.errors_apply(error)
        else:
            return _scale_saved(request, instrument, scale, "Added")
    return _scale_page(request, program, instrument, form, None, status=422)


@login_required
def survey_editor_scale(request, slug: str, instrument_id: int, scale_id: int):
    program, instrument = _staff_instrument(request, slug, instrument_id)
    scale = get_object_or_404(instrument.scales, pk=scale_id)
    if request.method != "POST":
        form = ScaleForm(instrument=instrument, scale=scale)
        return _scale_page(request, program, instrument, form, scale)
    form = ScaleForm(request.POST, instrument=instrument, scale=scale)
    if form.is_valid():
        try:
            scale = editor_services.scale_update(
                scale=scale, fields=form.scale_fields(), by=request.user
            )
        except ValidationError as error:
            form.errors_apply(error)
        else:
            return _scale_saved(request, instrument, scale, "Saved")
    return _scale_page(request, program, instrument, form, scale, status=422)


@login_required
def survey_editor_scale_delete(request, slug: str, instrument_id: int, scale_id: int):
    program, instrument = _staff_instrument(request, slug, instrument_id)
    scale = get_object_or_404(instrument.scales, pk=scale_id)
    if request.method != "POST":
        return _confirm_page(
            request,
            program,
            instrument,
            title=f"Delete the scale “{scale.name}”?",
            text="Its items and their answers stay; the report no longer scores them together.",
        )
    editor_services.scale_delete(scale=scale, by=request.user)
    messages.success(request, f"Deleted the scale “{scale.name}”.")
    return redirect(_editor_url(instrument, "scales"))


@login_required
@require_POST
def survey_editor_copy(request, slug: str, instrument_id: int):
    """Copy the survey (without answers), to change what its codes mean."""
    _, instrument = _staff_instrument(request, slug, instrument_id)
    copy = editor_services.instrument_copy(instrument=instrument, by=request.user)
    messages.success(
        request,
        f"Copied “{instrument.title}” as “{copy.title}”, with no invitations or answers. "
        "Check its wave days before inviting anyone.",
    )
    return redirect(_editor_url(copy))
