"""CSV exports of a survey (tidy long, wide, REDCap) and import of a REDCap data dictionary.

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

from django.db import transaction

from medmentor.csv_safety import SafeWriter, spreadsheet_safe
from medmentor.one_line import line_break_problem
from medmentor.programs import access
from medmentor.programs.access import Actor
from medmentor.programs.models import Program
from medmentor.surveys import selectors
from medmentor.surveys.models import Anonymity, Instrument, Item, ItemKind, WaveKind

REDCAP_COLUMNS = [
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
]


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
            number[pre.responses[i].pk] = k
            number[post.responses[j].pk] = k
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


def redcap_dictionary(*, instrument: Instrument) -> str:
    form = _form_name(instrument)
    rows = [REDCAP_COLUMNS, ["record_id", form, "", "text", "Record ID"] + [""] * 13]
    for item in instrument.items.select_related("show_if_item"):
        row = dict.fromkeys(REDCAP_COLUMNS, "")
        row["Variable / Field Name"] = item.key
        row["Form Name"] = form
        row["Field Type"] = REDCAP_TYPE[ItemKind(item.kind)]
        row["Field Label"] = spreadsheet_safe(item.text)
        if item.kind in (ItemKind.LIKERT, ItemKind.SINGLE, ItemKind.MULTIPLE):
            row["Choices, Calculations, OR Slider Labels"] = " | ".join(
                f"{code}, {label}" for code, label in item.options()
            )
        if item.kind == ItemKind.NUMERIC:
            row["Text Validation Type OR Show Slider Number"] = "integer"
            row["Text Validation Min"] = "0"
            row["Text Validation Max"] = str(item.numeric_max)
        if item.show_if_item_id:
            row["Branching Logic (Show field only if...)"] = " or ".join(
                f"[{item.show_if_item.key}] = '{value}'" for value in item.show_if_values
            )
        row["Required Field?"] = "y" if item.required else ""
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


# --- Import --------------------------------------------------------------------------------


class DictionaryError(Exception):
    """A data dictionary we cannot use: `problems`, each naming its row and column."""

    def __init__(self, *problems: str) -> None:
        self.problems = list(problems)
        more = len(self.problems) - 1
        super().__init__(self.problems[0] + (f" (and {more} more problem(s))" if more else ""))


KIND_FROM_REDCAP = {
    "radio": ItemKind.SINGLE,
    "dropdown": ItemKind.SINGLE,
    "yesno": ItemKind.YES_NO,
    "checkbox": ItemKind.MULTIPLE,
    "notes": ItemKind.TEXT,
    "text": ItemKind.TEXT,
}
BRANCH = re.compile(r"^\[([a-z0-9_]+)\]\s*=\s*['\"]?([^'\"]*)['\"]?$")


def _choices(text: str, *, row: int) -> list[list[str]]:
    choices = []
    for part in text.split("|"):
        code, comma, label = part.partition(",")
        if not comma or not code.strip() or not label.strip():
            raise DictionaryError(
                f"Row {row}, column “Choices, Calculations, OR Slider Labels”: "
                f"“{part.strip()[:40]}” is not a choice written as “code, label” "
                "(e.g. “0, No | 1, Yes”)."
            )
        choices.append([code.strip(), label.strip()])
    return choices


def redcap_dictionary_import(
    *, program: Program, title: str, content: bytes, by: Actor, anonymity: str = Anonymity.CODED
) -> Instrument:
    """Create an instrument from a REDCap data dictionary: all rows or nothing. `by`: a
    director or coordinator of `program`, or access.SYSTEM."""
    access.require_manager(
        by, program, "Only the program's directors and coordinators add its surveys."
    )
    if anonymity not in Anonymity.values:
        raise DictionaryError(f"“{anonymity[:40]}” is not an anonymity mode.")
    if problem := line_break_problem(title.strip(), what="The survey's title"):
        raise DictionaryError(problem)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DictionaryError("The file is not UTF-8 text; save it as CSV (UTF-8).") from None
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise DictionaryError("The file is empty.") from None
    except csv.Error as error:
        raise DictionaryError(f"Row 1: not a CSV file ({error}).") from None
    header = [column.strip() for column in header]
    if len(header) < 18 or [h.lower() for h in header[:5]] != [
        c.lower() for c in REDCAP_COLUMNS[:5]
    ]:
        raise DictionaryError(
            "Row 1: the header is not REDCap's data dictionary header (18 columns starting "
            "“Variable / Field Name, Form Name, Section Header, Field Type, Field Label”)."
        )
    problems: list[str] = []
    with transaction.atomic():
        instrument = Instrument.objects.create(
            program=program,
            title=title,
            anonymity=anonymity,
            consent_text="Taking part is voluntary. (Replace with the study information.)",
        )
        by_key: dict[str, Item] = {}
        order = 0
        # A question shown only after an earlier answer goes on a later page than that
        # answer: the answering page decides what to show when a page is opened.
        page = 1
        try:
            for number, values in enumerate(reader, start=2):
                if not any(value.strip() for value in values):
                    continue
                try:
                    item = _dictionary_item(
                        instrument=instrument, number=number, values=values, by_key=by_key
                    )
                except DictionaryError as problem:
                    # Keep reading: every problem of the file is listed at once.
                    problems += problem.problems
                    continue
                if item is None:
                    continue
                if item.show_if_item is not None and item.show_if_item.page >= page:
                    page = item.show_if_item.page + 1
                item.order, item.page = order, page
                if not problems:
                    item.save()
                by_key[item.key] = item
                order += 1
        except csv.Error as error:
            problems.append(f"Not a readable CSV file ({error}).")
        if not by_key and not problems:
            problems.append("The dictionary has no questions (rows after the header).")
        if problems:
            raise DictionaryError(*problems)  # leaving the transaction undoes it all
    return instrument


def _dictionary_item(
    *, instrument: Instrument, number: int, values: list[str], by_key: dict[str, Item]
) -> Item | None:
    """The unsaved item of one dictionary row; None for rows we leave out (the record id,
    descriptive text, calculations, files)."""
    if len(values) < 18:
        raise DictionaryError(f"Row {number}: {len(values)} columns, 18 expected.")
    row = dict(zip(REDCAP_COLUMNS, (v.strip() for v in values), strict=False))
    key = row["Variable / Field Name"]
    field_type = row["Field Type"].lower()
    if key == "record_id" or field_type in ("descriptive", "calc", "file"):
        return None
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,25}", key):
        raise DictionaryError(
            f"Row {number}, column “Variable / Field Name”: “{key[:40]}” must "
            "be lower-case letters, digits and _ (at most 26), starting with a letter."
        )
    if key in by_key:
        raise DictionaryError(
            f"Row {number}, column “Variable / Field Name”: “{key}” appears twice."
        )
    if field_type not in KIND_FROM_REDCAP:
        raise DictionaryError(
            f"Row {number}, column “Field Type”: “{field_type[:40]}” is not one of "
            f"{', '.join(sorted(KIND_FROM_REDCAP))}."
        )
    kind = KIND_FROM_REDCAP[field_type]
    if not row["Field Label"]:
        raise DictionaryError(f"Row {number}, column “Field Label”: the label is empty.")
    item = Item(
        instrument=instrument,
        key=key,
        text=row["Field Label"],
        kind=kind,
        required=row["Required Field?"].lower() == "y",
    )
    if kind in (ItemKind.SINGLE, ItemKind.MULTIPLE):
        item.choices = _choices(row["Choices, Calculations, OR Slider Labels"], row=number)
    if field_type == "text" and row["Text Validation Type OR Show Slider Number"] in (
        "integer",
        "number",
    ):
        low, high = row["Text Validation Min"], row["Text Validation Max"]
        if low in ("", "0") and high.isdigit():
            item.kind, item.numeric_max = ItemKind.NUMERIC, int(high)
    branching = row["Branching Logic (Show field only if...)"]
    if branching:
        match = BRANCH.match(branching)
        if not match or match.group(1) not in by_key:
            raise DictionaryError(
                f"Row {number}, column “Branching Logic (Show field only if...)”: "
                f"“{branching[:60]}” must be [earlier_field] = 'code'."
            )
        item.show_if_item = by_key[match.group(1)]
        item.show_if_values = [match.group(2)]
    return item
