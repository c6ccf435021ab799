"""CSV exports of a survey (tidy long, wide, REDCap); the import of a REDCap data
dictionary is in medmentor.surveys.redcap.

REDCap's data dictionary has 18 columns (REDCap "Data Dictionary" help page); choices
are written "0, No | 1, Yes"; a checkbox field's answers become one column per option
in the raw data ("field___code", 1 checked / 0 not). Waves are REDCap events
("pre_arm_1", ...), and each respondent is a record_id: in identified mode their
respondent number, in coded mode the number of their pre/post pair, so paired answers
share a record; unpaired or anonymous responses get their own record.

Answers and labels are written by respondents and colleagues, and these files are opened
in spreadsheets: every data cell goes through medmentor.csv_safety, so text that would
start a formula is written with a leading apostrophe, while numbers (a negative Likert
code, a numeric answer) stay numbers for REDCap and the statistics.
"""

import csv
import io
import re

from medmentor.csv_safety import SafeWriter, spreadsheet_safe
from medmentor.surveys import redcap, selectors
from medmentor.surveys.models import Instrument, Item, ItemKind, Scale, WaveKind

REDCAP_COLUMNS = redcap.REDCAP_COLUMNS


def _csv(rows: list[list]) -> str:
    buffer = io.StringIO()
    SafeWriter(csv.writer(buffer, lineterminator="\r\n")).writerows(rows)
    return buffer.getvalue()


def _dictionary_csv(rows: list[list]) -> str:
    """The data dictionary as REDCap reads it: its machine columns (choices written
    "-1, Disagree | ...", branching logic, validation) must stay exactly as written, so
    only the free-text labels are made spreadsheet-safe, by the caller."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def _label(item: Item, code: str) -> str:
    if item.kind in (ItemKind.TEXT, ItemKind.NUMERIC) or code == "":
        return code
    labels = dict(item.options())
    return " | ".join(labels.get(part, part) for part in code.split("|"))


def _respondents(instrument: Instrument):
    """Submitted responses with a respondent number (pairs share one)."""
    rows = selectors.answers_by_response(instrument=instrument)
    number: dict[int, int] = {}
    waves = {w.kind: w for w in instrument.waves.all()}
    if WaveKind.PRE in waves and WaveKind.POST in waves:
        pre = selectors.wave_data(wave=waves[WaveKind.PRE])
        post = selectors.wave_data(wave=waves[WaveKind.POST])
        pairs, _, _ = selectors._pairs(instrument, pre, post)
        for k, (i, j) in enumerate(pairs, start=1):
            number[int(pre.response_pks[i])] = k
            number[int(post.response_pks[j])] = k
    next_number = max(number.values(), default=0) + 1
    result = []
    for wave, response, answers in rows:
        if response.pk not in number:
            number[response.pk] = next_number
            next_number += 1
        result.append((number[response.pk], wave, answers))
    return sorted(result, key=lambda row: (row[0], row[1].opens_at))


def export_long(*, instrument: Instrument) -> str:
    items = list(instrument.items.all())
    rows = [["respondent", "wave", "item", "value", "label"]]
    for respondent, wave, answers in _respondents(instrument):
        for item in items:
            code = answers.get(item.pk, "")
            rows.append([respondent, wave.kind, item.key, code, _label(item, code)])
    return _csv(rows)


def export_wide(*, instrument: Instrument) -> str:
    items = list(instrument.items.all())
    header = ["respondent", "wave"]
    for item in items:
        header += (
            [item.key]
            if item.kind in (ItemKind.TEXT, ItemKind.NUMERIC)
            else [item.key, f"{item.key}_label"]
        )
    rows = [header]
    for respondent, wave, answers in _respondents(instrument):
        row = [respondent, wave.kind]
        for item in items:
            code = answers.get(item.pk, "")
            row += (
                [code]
                if item.kind in (ItemKind.TEXT, ItemKind.NUMERIC)
                else [code, _label(item, code)]
            )
        rows.append(row)
    return _csv(rows)


def _form_name(instrument: Instrument) -> str:
    return re.sub(r"[^a-z0-9]+", "_", instrument.title.lower()).strip("_")[:50] or "survey"


REDCAP_TYPE = {
    ItemKind.LIKERT: "radio",
    ItemKind.YES_NO: "yesno",
    ItemKind.SINGLE: "radio",
    ItemKind.MULTIPLE: "checkbox",
    ItemKind.TEXT: "notes",
    ItemKind.NUMERIC: "text",
}


def _show_if_logic(item: Item) -> str:
    """REDCap branching logic for an item's show-if: a checkbox option is ticked when
    [field(code)] = '1'; other items compare their code."""
    earlier = item.show_if_item
    if earlier.kind == ItemKind.MULTIPLE:
        return " or ".join(f"[{earlier.key}({value})] = '1'" for value in item.show_if_values)
    return " or ".join(f"[{earlier.key}] = '{value}'" for value in item.show_if_values)


def _scale_calculation(scale: Scale, keys: list[str]) -> str | None:
    """A scale as the REDCap calculation that gives its score, or None when REDCap's
    sum/mean would not (reversed items, an offset)."""
    scale_items = list(scale.scale_items.all())
    if not scale_items or scale.offset or any(entry.reverse for entry in scale_items):
        return None
    return f"{scale.scoring}({', '.join(f'[{key}]' for key in keys)})"


def redcap_dictionary(*, instrument: Instrument) -> str:
    """The instrument as a data dictionary REDCap imports: one row per item, section
    text and matrix groups in their columns, show-if as REDCap branching logic, and
    each plain sum or mean scale as a calc field; importing it back into medmentor
    gives the same survey (Likert items are marked in Field Annotation)."""
    form = _form_name(instrument)
    rows = [REDCAP_COLUMNS, ["record_id", form, "", "text", "Record ID"] + [""] * 13]
    items = list(instrument.items.select_related("show_if_item"))
    for item in items:
        row = dict.fromkeys(REDCAP_COLUMNS, "")
        row["Variable / Field Name"] = item.key
        row["Form Name"] = form
        row["Section Header"] = spreadsheet_safe(item.section_header)
        row["Field Type"] = REDCAP_TYPE[ItemKind(item.kind)]
        row["Field Label"] = spreadsheet_safe(item.text)
        if item.kind in (ItemKind.LIKERT, ItemKind.SINGLE, ItemKind.MULTIPLE):
            row["Choices, Calculations, OR Slider Labels"] = " | ".join(
                f"{code}, {label}" for code, label in item.options()
            )
        if item.kind == ItemKind.LIKERT:
            row["Field Annotation"] = redcap.LIKERT_MARK
        if item.kind == ItemKind.NUMERIC:
            row["Text Validation Type OR Show Slider Number"] = "integer"
            row["Text Validation Min"] = "0"
            row["Text Validation Max"] = str(item.numeric_max)
        if item.show_if_item_id:
            row["Branching Logic (Show field only if...)"] = _show_if_logic(item)
        row["Required Field?"] = "y" if item.required else ""
        row["Matrix Group Name"] = item.matrix_group
        rows.append([row[column] for column in REDCAP_COLUMNS])
    taken = {"record_id"} | {item.key for item in items}
    for scale in instrument.scales.prefetch_related("scale_items__item"):
        keys = [entry.item.key for entry in scale.scale_items.all()]
        calculation = _scale_calculation(scale, keys)
        if calculation is None:
            continue
        key = re.sub(r"[^a-z0-9]+", "_", scale.name.lower()).strip("_")[:26] or "scale"
        if not key[0].isalpha():
            key = f"s_{key}"[:26]
        base, number = key, 2
        while key in taken:
            key = f"{base[: 26 - len(str(number)) - 1]}_{number}"
            number += 1
        taken.add(key)
        row = dict.fromkeys(REDCAP_COLUMNS, "")
        row["Variable / Field Name"] = key
        row["Form Name"] = form
        row["Field Type"] = "calc"
        row["Field Label"] = spreadsheet_safe(scale.name)
        row["Choices, Calculations, OR Slider Labels"] = calculation
        rows.append([row[column] for column in REDCAP_COLUMNS])
    return _dictionary_csv(rows)


def redcap_data(*, instrument: Instrument) -> str:
    items = list(instrument.items.all())
    header = ["record_id", "redcap_event_name"]
    for item in items:
        if item.kind == ItemKind.MULTIPLE:
            header += [f"{item.key}___{code}" for code, _ in item.options()]
        else:
            header.append(item.key)
    header.append(f"{_form_name(instrument)}_complete")
    rows = [header]
    for respondent, wave, answers in _respondents(instrument):
        row = [respondent, f"{wave.kind}_arm_1"]
        for item in items:
            code = answers.get(item.pk, "")
            if item.kind == ItemKind.MULTIPLE:
                chosen = set(code.split("|")) if code else set()
                row += ["1" if option in chosen else "0" for option, _ in item.options()]
            else:
                row.append(code)
        row.append("2")  # REDCap: 2 = complete
        rows.append(row)
    return _csv(rows)


# The CSV exports by the name their address and the console use.
CSV_EXPORTS = {
    "long": export_long,
    "wide": export_wide,
    "redcap-dictionary": redcap_dictionary,
    "redcap-data": redcap_data,
}


# --- Import: medmentor.surveys.redcap (these names stay here for callers) -------------

DictionaryError = redcap.DictionaryError
DictionaryRow = redcap.DictionaryRow
redcap_dictionary_import = redcap.redcap_dictionary_import
