"""Every write of the survey editor: instruments, waves, items and scales.

The director's editor (surveys.editor_views). Once a response is submitted, what its
stored codes mean is fixed: wording may still change, codes may not (an item's kind,
points, choice codes, number range; deleting an answered item; the anonymity mode that
respondents were promised). Each write locks the instrument row first, so two editors
cannot interleave their checks and writes, and raises ValidationError by field while
writing nothing.
"""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from medmentor.one_line import has_line_break, line_break_problem
from medmentor.programs import access
from medmentor.programs.access import Actor
from medmentor.surveys.models import (
    Anonymity,
    Answer,
    Instrument,
    Item,
    ItemKind,
    Response,
    Scale,
    ScaleItem,
    ScaleScoring,
    Wave,
    WaveKind,
)
from medmentor.surveys.selectors import SURVEY_PAGE_REFUSED

ITEM_KEY = re.compile(r"[a-z][a-z0-9_]{0,25}")  # REDCap's field names (see exports)
CHOICE_KINDS = (ItemKind.SINGLE, ItemKind.MULTIPLE)


@dataclass(frozen=True)
class ItemFields:
    """An item as the editor's form gives it; the fields of other kinds are ignored."""

    text: str
    key: str
    kind: str
    page: int
    required: bool = False
    points: int | None = None
    anchors: tuple[str, ...] = ()
    numeric_max: int | None = None
    choices: tuple[tuple[str, str], ...] = ()
    show_if_item_id: int | None = None
    show_if_values: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScaleFields:
    """A scale as the editor's form gives it: members as (item id, reverse-scored)."""

    name: str
    scoring: str
    item_min: float
    item_max: float
    max_missing: int
    offset: float
    members: tuple[tuple[int, bool], ...]


def number_words(value: float) -> str:
    """A number as a director writes it: 0.0 as "0", 2.5 as "2.5", -1 as "−1"."""
    text = str(int(value)) if float(value).is_integer() else f"{value:g}"
    return text.replace("-", "−")


def count_words(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def instrument_submitted_count(*, instrument: Instrument) -> int:
    """Responses submitted to any wave of the instrument: from the first one on, the
    meaning of its codes is fixed."""
    return Response.objects.filter(wave__instrument=instrument, submitted_at__isnull=False).count()


def codes_fixed_message(count: int) -> str:
    """Why a change of codes is refused."""
    uses = "uses" if count == 1 else "use"
    return (
        f"{count_words(count, 'response')} already {uses} these codes; copy the survey to "
        "change them."
    )


def _instrument_lock(instrument: Instrument) -> Instrument:
    return Instrument.objects.select_for_update().get(pk=instrument.pk)


def _require_editor(by: Actor, instrument: Instrument) -> None:
    """Only the program's directors and coordinators (or access.SYSTEM) edit its surveys;
    the same words as the editor's pages."""
    access.require_manager(by, instrument.program, SURVEY_PAGE_REFUSED)


def instrument_settings_update(
    *,
    instrument: Instrument,
    title: str,
    introduction: str,
    consent_text: str,
    anonymity: str,
    max_reminders: int,
    reminder_every_days: int,
    by: Actor,
) -> list[str]:
    """Change the survey's title, introduction, study information, anonymity mode and
    reminders. Returns notes for the director (drafts discarded by a change of mode)."""
    _require_editor(by, instrument)
    title, consent_text = title.strip(), consent_text.strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "Give the survey a title."
    elif len(title) > 200:
        errors["title"] = f"Keep the title to 200 characters (it has {len(title)})."
    elif has_line_break(title):
        errors["title"] = line_break_problem(title, what="The title")
    if not consent_text:
        errors["consent_text"] = "Give the study information respondents read before consenting."
    if anonymity not in Anonymity.values:
        errors["anonymity"] = f"“{anonymity[:40]}” is not an anonymity mode."
    if not 0 <= max_reminders <= 10:
        errors["max_reminders"] = "Give from 0 to 10 reminders."
    if not 1 <= reminder_every_days <= 90:
        errors["reminder_every_days"] = "Give from 1 to 90 days between reminders."
    notes: list[str] = []
    with transaction.atomic():
        locked = _instrument_lock(instrument)
        mode_changes = "anonymity" not in errors and anonymity != locked.anonymity
        if mode_changes:
            submitted = instrument_submitted_count(instrument=locked)
            if submitted:
                were = "was" if submitted == 1 else "were"
                errors["anonymity"] = (
                    f"{count_words(submitted, 'response')} {were} given under "
                    f"“{locked.get_anonymity_display()}”, as respondents were promised; copy "
                    "the survey to change the mode."
                )
        if errors:
            raise ValidationError(errors)
        if mode_changes:
            # Drafts are kept the old mode's way (by person, or by a browser's draft token)
            # and an identified draft names its person: none may stay in a survey that now
            # promises something else. Invitations stay open, so those people start again.
            drafts = Response.objects.filter(wave__instrument=locked, submitted_at__isnull=True)
            discarded = drafts.count()
            drafts.delete()
            if discarded:
                notes.append(
                    f"{count_words(discarded, 'unfinished response')} started under the old "
                    "mode were discarded; those respondents start again from their link."
                )
        locked.title = title
        locked.introduction = introduction.strip()
        locked.consent_text = consent_text
        locked.anonymity = anonymity
        locked.max_reminders = max_reminders
        locked.reminder_every_days = reminder_every_days
        locked.save()
    instrument.refresh_from_db()
    return notes


# Waves are edited as days in the program's time zone: open from the start of the first
# day to the end of the last.


def _day_start(day: datetime.date, zone) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)


def wave_days(*, wave: Wave, zone) -> tuple[datetime.date, datetime.date]:
    """The first and the last day a wave is open, in `zone`."""
    last_moment = wave.closes_at - datetime.timedelta(microseconds=1)
    return wave.opens_at.astimezone(zone).date(), last_moment.astimezone(zone).date()


WAVE_YEARS = (2000, 2100)  # a typo such as 20026 stays a message, not an overflow


def _wave_days_check(opens_on: datetime.date, closes_on: datetime.date) -> dict[str, str]:
    outside = {
        field: f"Give a day in the years {WAVE_YEARS[0]} to {WAVE_YEARS[1]}."
        for field, day in (("opens_on", opens_on), ("closes_on", closes_on))
        if not WAVE_YEARS[0] <= day.year <= WAVE_YEARS[1]
    }
    if outside:
        return outside
    if closes_on < opens_on:
        return {
            "closes_on": (
                f"A wave must close after it opens: the last day ({closes_on:%-d %B %Y}) is "
                f"before the first day ({opens_on:%-d %B %Y})."
            )
        }
    return {}


def wave_create(
    *,
    instrument: Instrument,
    kind: str,
    opens_on: datetime.date,
    closes_on: datetime.date,
    by: Actor,
) -> Wave:
    """Add the pre, post or follow-up wave the survey does not have yet."""
    _require_editor(by, instrument)
    zone = instrument.program.zone
    errors = _wave_days_check(opens_on, closes_on)
    with transaction.atomic():
        locked = _instrument_lock(instrument)
        if kind not in WaveKind.values:
            errors["kind"] = f"“{kind[:40]}” is not a wave (pre, post or follow-up)."
        elif locked.waves.filter(kind=kind).exists():
            errors["kind"] = f"The survey already has a {WaveKind(kind).label.lower()} wave."
        if errors:
            raise ValidationError(errors)
        return Wave.objects.create(
            instrument=locked,
            kind=kind,
            opens_at=_day_start(opens_on, zone),
            closes_at=_day_start(closes_on + datetime.timedelta(days=1), zone),
        )


def wave_update(
    *, wave: Wave, opens_on: datetime.date, closes_on: datetime.date, by: Actor
) -> None:
    """Move a wave's first and last day. A day left as it was keeps its exact time (the
    library opens a copied survey's pre wave at the moment of copying)."""
    _require_editor(by, wave.instrument)
    zone = wave.instrument.program.zone
    errors = _wave_days_check(opens_on, closes_on)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _instrument_lock(wave.instrument)
        locked = Wave.objects.select_for_update().get(pk=wave.pk)
        was_opens_on, was_closes_on = wave_days(wave=locked, zone=zone)
        if opens_on != was_opens_on:
            locked.opens_at = _day_start(opens_on, zone)
        if closes_on != was_closes_on:
            locked.closes_at = _day_start(closes_on + datetime.timedelta(days=1), zone)
        locked.save(update_fields=["opens_at", "closes_at"])
    wave.refresh_from_db()


# Items.


def item_code_range(item: Item) -> tuple[int, int] | None:
    """The lowest and highest stored code of an item answered with whole numbers; None
    for free text, multiple choice and choices with codes such as "a"."""
    if item.kind == ItemKind.LIKERT and item.points:
        return 1, item.points
    if item.kind == ItemKind.NUMERIC and item.numeric_max is not None:
        return 0, item.numeric_max
    if item.kind == ItemKind.YES_NO:
        return 0, 1
    if item.kind == ItemKind.SINGLE and item.choices:
        codes = [str(code) for code, _ in item.options()]
        if all(code.lstrip("-").isdigit() for code in codes):
            numbers = [int(code) for code in codes]
            return min(numbers), max(numbers)
    return None


def _item_codes(item: Item) -> set[str] | None:
    """Every code an answer to the item can store (a number item: 0..max); None for
    free text."""
    if item.kind == ItemKind.NUMERIC:
        return {str(n) for n in range((item.numeric_max or 0) + 1)}
    if item.kind == ItemKind.TEXT:
        return None
    return {code for code, _ in item.options()}


def _item_apply(item: Item, fields: ItemFields) -> dict[str, str]:
    """Copy the form's fields onto `item` (unsaved); errors the model's clean() cannot
    see, by field."""
    errors = {}
    item.text = fields.text.strip()
    item.key = fields.key.strip()
    item.kind = fields.kind
    item.page = fields.page
    item.required = fields.required
    is_likert = fields.kind == ItemKind.LIKERT
    item.points = fields.points if is_likert else None
    anchors = [label.strip() for label in fields.anchors[: fields.points or 0]]
    item.anchors = anchors if is_likert and any(anchors) else []
    if is_likert and any(anchors) and not all(anchors):
        empty = anchors.index("") + 1
        errors["anchors"] = f"Give a label for every point, or none: point {empty} has no label."
    item.numeric_max = fields.numeric_max if fields.kind == ItemKind.NUMERIC else None
    item.choices = (
        [[code.strip(), label.strip()] for code, label in fields.choices]
        if fields.kind in CHOICE_KINDS
        else []
    )
    item.show_if_item_id = fields.show_if_item_id
    item.show_if_values = (
        [value.strip() for value in fields.show_if_values if value.strip()]
        if fields.show_if_item_id
        else []
    )
    return errors


def _scale_fit(item: Item, *, item_min: float, item_max: float, offset: float) -> str | None:
    """Why `item` cannot be scored in a scale declared item_min..item_max with `offset`;
    None when it can."""
    codes = item_code_range(item)
    if codes is None:
        return f"“{item.key}” ({item.get_kind_display().lower()}) has no number answers to score."
    low, high = codes[0] + offset, codes[1] + offset
    if low < item_min or high > item_max:
        return (
            f"“{item.key}” answers {number_words(codes[0])}–{number_words(codes[1])}, scored "
            f"{number_words(low)}–{number_words(high)} with offset {number_words(offset)}: "
            f"outside the declared {number_words(item_min)}–{number_words(item_max)}."
        )
    return None


def _item_check(
    *, instrument: Instrument, item: Item, original: Item | None, submitted: int
) -> dict[str, str]:
    """Every rule an edited or new item must keep, as messages by form field."""
    errors: dict[str, str] = {}
    others = instrument.items.exclude(pk=item.pk) if item.pk else instrument.items.all()
    if not item.text:
        errors["text"] = "Write the question."
    elif len(item.text) > 2000:
        errors["text"] = f"Keep the question to 2,000 characters (it has {len(item.text)})."
    if original is None or item.key != original.key:
        if not ITEM_KEY.fullmatch(item.key):
            errors["key"] = (
                f"“{item.key[:40]}” is not a variable name: lowercase letters, digits and "
                "_, starting with a letter, at most 26 characters (e.g. conf_8)."
            )
        elif others.filter(key=item.key).exists():
            errors["key"] = f"Another item is already called “{item.key}”."
    if item.kind not in ItemKind.values:
        errors["kind"] = f"“{item.kind[:40]}” is not a kind of item."
        return errors
    if not 1 <= item.page <= 99:
        errors["page"] = "Give a page from 1 to 99."
    earlier = None
    if item.show_if_item_id is not None:
        earlier = others.filter(pk=item.show_if_item_id).first()
        if earlier is None:
            errors["show_if_item"] = "Choose another item of this survey."
            item.show_if_item_id = None
        else:
            item.show_if_item = earlier
    if item.kind in CHOICE_KINDS and not item.choices:
        errors["choices"] = "Give the choices, one a line as “code, label”, e.g. “1, Yes”."
    try:
        item.clean()
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, " ".join(messages))
    if earlier is not None and "show_if_item" not in errors:
        codes = _item_codes(earlier)
        if codes is None:
            errors["show_if_item"] = (
                f"“{earlier.key}” is free text; show-if needs an item with choices or numbers."
            )
        elif not item.show_if_values:
            errors["show_if_values"] = f"Give the codes of “{earlier.key}” that show this item."
        else:
            unknown = [value for value in item.show_if_values if value not in codes]
            if unknown:
                errors["show_if_values"] = (
                    f"“{unknown[0][:40]}” is not a code of “{earlier.key}” (its codes: "
                    f"{', '.join(sorted(codes, key=_code_order)[:12])})."
                )
    if original is not None:
        errors.update(
            {
                field: message
                for field, message in _item_kept_promises(item, original, submitted).items()
                if field not in errors
            }
        )
    return errors


def _code_order(code: str):
    return (0, int(code), code) if code.lstrip("-").isdigit() else (1, 0, code)


def _item_meaning_field(item: Item, original: Item) -> str | None:
    """The first form field whose change alters what the item's stored codes mean."""
    if item.kind != original.kind:
        return "kind"
    if item.points != original.points:
        return "points"
    if item.numeric_max != original.numeric_max:
        return "numeric_max"
    if [str(c) for c, _ in item.choices] != [str(c) for c, _ in original.choices]:
        return "choices"
    return None


def _item_kept_promises(item: Item, original: Item, submitted: int) -> dict[str, str]:
    """Refusals that protect stored answers, later items' show-if and scales."""
    errors: dict[str, str] = {}
    meaning = _item_meaning_field(item, original)
    if meaning and submitted:
        kept = {
            "kind": f"The kind stays “{original.get_kind_display()}”",
            "points": f"The item keeps its {original.points} points",
            "numeric_max": f"The highest number stays {original.numeric_max}",
            "choices": (
                "The codes stay "
                + ", ".join(str(code) for code, _ in original.choices)
                + " in this order (their labels may change)"
            ),
        }[meaning]
        errors[meaning] = f"{kept}: {codes_fixed_message(submitted)}"
        meaning = None  # refused: the checks below are about codes that will not change
    codes = _item_codes(item)
    for dependent in original.dependents.all():
        if dependent.page <= item.page:
            errors.setdefault(
                "page",
                f"“{dependent.key}” (page {dependent.page}) is shown depending on this item's "
                "answer, so this item must stay on an earlier page.",
            )
        if meaning and (codes is None or not set(dependent.show_if_values) <= codes):
            errors.setdefault(
                meaning,
                f"“{dependent.key}” is shown when this item is answered "
                f"{', '.join(dependent.show_if_values)}; change its show-if first.",
            )
    if meaning:
        for member in original.scale_items.select_related("scale"):
            scale = member.scale
            problem = _scale_fit(
                item, item_min=scale.item_min, item_max=scale.item_max, offset=scale.offset
            )
            if problem:
                errors.setdefault(
                    meaning, f"{problem} It is in the scale “{scale.name}”; change the scale first."
                )
    return errors


def item_create(*, instrument: Instrument, fields: ItemFields, by: Actor) -> Item:
    """Add an item after the last one."""
    _require_editor(by, instrument)
    with transaction.atomic():
        locked = _instrument_lock(instrument)
        item = Item(instrument=locked, order=0)
        errors = _item_apply(item, fields)
        errors = {**_item_check(instrument=locked, item=item, original=None, submitted=0), **errors}
        if errors:
            raise ValidationError(errors)
        last = locked.items.order_by("-order").values_list("order", flat=True).first()
        item.order = 0 if last is None else last + 1
        item.save()
    return item


def item_update(*, item: Item, fields: ItemFields, by: Actor) -> list[str]:
    """Change an item. Wording (text, anchor and choice labels), page, key, required and
    show-if may always change; its codes only while no response is submitted. Returns
    notes for the director."""
    _require_editor(by, item.instrument)
    with transaction.atomic():
        locked = _instrument_lock(item.instrument)
        original = Item.objects.select_for_update().get(pk=item.pk, instrument=locked)
        edited = Item.objects.get(pk=item.pk)
        errors = _item_apply(edited, fields)
        submitted = instrument_submitted_count(instrument=locked)
        checked = _item_check(
            instrument=locked, item=edited, original=original, submitted=submitted
        )
        errors = {**checked, **errors}
        if errors:
            raise ValidationError(errors)
        notes = []
        if _item_meaning_field(edited, original):
            # Only drafts can hold answers here (nothing is submitted); their codes
            # meant something else, so they are cleared rather than misread.
            stale = Answer.objects.filter(item=original, response__submitted_at__isnull=True)
            cleared = stale.count()
            stale.delete()
            if cleared:
                were = "was" if cleared == 1 else "were"
                notes.append(
                    f"{count_words(cleared, 'unfinished answer')} to this item used the old "
                    f"codes and {were} cleared."
                )
        edited.save()
    item.refresh_from_db()
    return notes


def item_delete(*, item: Item, by: Actor) -> None:
    """Remove an item nobody has answered in a submitted response (its draft answers
    go with it)."""
    _require_editor(by, item.instrument)
    with transaction.atomic():
        locked = _instrument_lock(item.instrument)
        item = Item.objects.get(pk=item.pk, instrument=locked)
        answered = Answer.objects.filter(item=item, response__submitted_at__isnull=False).count()
        if answered:
            raise ValidationError(
                f"{count_words(answered, 'submitted response')} answered “{item.key}”; "
                "copy the survey to remove it."
            )
        dependents = [d.key for d in item.dependents.all()]
        if dependents:
            raise ValidationError(
                f"“{'”, “'.join(dependents)}” {'is' if len(dependents) == 1 else 'are'} shown "
                f"depending on “{item.key}”; change their show-if first."
            )
        for member in item.scale_items.select_related("scale"):
            if member.scale.scale_items.count() == 1:
                raise ValidationError(
                    f"“{item.key}” is the only item of the scale “{member.scale.name}”; "
                    "delete the scale first."
                )
        item.delete()


def item_move(*, item: Item, direction: str, by: Actor) -> None:
    """Swap an item with the one before ("up") or after ("down") it; at either end,
    nothing changes."""
    _require_editor(by, item.instrument)
    if direction not in ("up", "down"):
        raise ValidationError(f"“{direction[:20]}” is not a direction: up or down.")
    with transaction.atomic():
        locked = _instrument_lock(item.instrument)
        item = Item.objects.get(pk=item.pk, instrument=locked)
        if direction == "up":
            neighbour = locked.items.filter(order__lt=item.order).order_by("-order").first()
        else:
            neighbour = locked.items.filter(order__gt=item.order).order_by("order").first()
        if neighbour is None:
            return
        # (instrument, order) is unique: park one item past the end while swapping.
        last = locked.items.order_by("-order").values_list("order", flat=True).first()
        assert last is not None, "the instrument has items: `item` is one of them"
        spare = last + 1
        mine, theirs = item.order, neighbour.order
        Item.objects.filter(pk=item.pk).update(order=spare)
        Item.objects.filter(pk=neighbour.pk).update(order=mine)
        Item.objects.filter(pk=item.pk).update(order=theirs)


# Scales: scores are computed when a report is made, so a scale may change at any time.


def _scale_check(
    *, instrument: Instrument, fields: ScaleFields, scale: Scale | None
) -> tuple[dict[str, str], list[Item]]:
    errors: dict[str, str] = {}
    name = fields.name.strip()
    if not name:
        errors["name"] = "Give the scale a name."
    elif len(name) > 200:
        errors["name"] = f"Keep the name to 200 characters (it has {len(name)})."
    else:
        others = instrument.scales.exclude(pk=scale.pk) if scale else instrument.scales.all()
        if others.filter(name__iexact=name).exists():
            errors["name"] = f"Another scale is already called “{name}”."
    if fields.scoring not in ScaleScoring.values:
        errors["scoring"] = "Choose sum or mean."
    if fields.item_min >= fields.item_max:
        errors["item_max"] = (
            f"The highest item score must be above the lowest ({number_words(fields.item_min)})."
        )
    ids = [item_id for item_id, _ in fields.members]
    items = {item.pk: item for item in instrument.items.filter(pk__in=ids)}
    members = [items[item_id] for item_id in ids if item_id in items]
    if not fields.members:
        errors["members"] = "Choose the items of the scale."
    elif len(members) != len(set(ids)):
        errors["members"] = "Choose items of this survey only."
    elif "item_max" not in errors:
        problems = [
            problem
            for item in members
            if (
                problem := _scale_fit(
                    item,
                    item_min=fields.item_min,
                    item_max=fields.item_max,
                    offset=fields.offset,
                )
            )
        ]
        if problems:
            errors["members"] = " ".join(problems)
    if members and not 0 <= fields.max_missing < len(members):
        errors["max_missing"] = (
            f"With {count_words(len(members), 'item')}, allow from 0 to {len(members) - 1} missing."
            if len(members) > 1
            else "A scale of one item allows no missing item."
        )
    return errors, members


def _scale_write(scale: Scale, fields: ScaleFields) -> Scale:
    scale.name = fields.name.strip()
    scale.scoring = fields.scoring
    scale.item_min = fields.item_min
    scale.item_max = fields.item_max
    scale.max_missing = fields.max_missing
    scale.offset = fields.offset
    scale.save()
    scale.scale_items.all().delete()
    ScaleItem.objects.bulk_create(
        ScaleItem(scale=scale, item_id=item_id, reverse=reverse)
        for item_id, reverse in dict(fields.members).items()
    )
    return scale


def scale_create(*, instrument: Instrument, fields: ScaleFields, by: Actor) -> Scale:
    """Add a scale scored from items of the instrument."""
    _require_editor(by, instrument)
    with transaction.atomic():
        locked = _instrument_lock(instrument)
        errors, _ = _scale_check(instrument=locked, fields=fields, scale=None)
        if errors:
            raise ValidationError(errors)
        return _scale_write(Scale(instrument=locked), fields)


def scale_update(*, scale: Scale, fields: ScaleFields, by: Actor) -> Scale:
    """Change a scale's name, scoring, declared range, missing rule, offset and items."""
    _require_editor(by, scale.instrument)
    with transaction.atomic():
        locked = _instrument_lock(scale.instrument)
        scale = Scale.objects.get(pk=scale.pk, instrument=locked)
        errors, _ = _scale_check(instrument=locked, fields=fields, scale=scale)
        if errors:
            raise ValidationError(errors)
        return _scale_write(scale, fields)


def scale_delete(*, scale: Scale, by: Actor) -> None:
    """Remove a scale (its items and their answers stay)."""
    _require_editor(by, scale.instrument)
    with transaction.atomic():
        _instrument_lock(scale.instrument)
        Scale.objects.filter(pk=scale.pk).delete()


def instrument_copy(*, instrument: Instrument, by: Actor, title: str = "") -> Instrument:
    """A new survey in the same program with the same settings, items, scales and wave
    days, and no invitations or answers: the way to change codes once answers exist.
    It gets its own code salt, so codes never pair across the two."""
    _require_editor(by, instrument)
    if problem := line_break_problem(title.strip(), what="The title"):
        raise ValidationError({"title": problem})
    with transaction.atomic():
        source = _instrument_lock(instrument)
        copy = Instrument.objects.create(
            program_id=source.program_id,
            title=(title.strip() or f"{source.title} (copy)")[:200],
            introduction=source.introduction,
            consent_text=source.consent_text,
            anonymity=source.anonymity,
            max_reminders=source.max_reminders,
            reminder_every_days=source.reminder_every_days,
        )
        new_items: dict[int, Item] = {}
        show_ifs: dict[int, int] = {}
        for item in source.items.order_by("order"):
            old_pk = item.pk
            if item.show_if_item_id:
                show_ifs[old_pk] = item.show_if_item_id
            item.pk = None
            item.instrument = copy
            item.show_if_item = None
            item.save()
            new_items[old_pk] = item
        # Show-if names an item on an earlier page, which need not come earlier in order.
        for old_pk, earlier_pk in show_ifs.items():
            Item.objects.filter(pk=new_items[old_pk].pk).update(show_if_item=new_items[earlier_pk])
        for scale in source.scales.prefetch_related("scale_items"):
            members = list(scale.scale_items.all())
            scale.pk = None
            scale.instrument = copy
            scale.save()
            ScaleItem.objects.bulk_create(
                ScaleItem(scale=scale, item=new_items[m.item_id], reverse=m.reverse)
                for m in members
            )
        Wave.objects.bulk_create(
            Wave(instrument=copy, kind=w.kind, opens_at=w.opens_at, closes_at=w.closes_at)
            for w in source.waves.all()
        )
    return copy
