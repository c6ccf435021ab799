"""Import of a REDCap data dictionary (the CSV REDCap's "Data Dictionary" page exports).

Every field type REDCap writes is read; each row either becomes an item (or a scale,
or the section text above the next item) or is left out with its reason, and the
import returns that mapping row by row (`DictionaryRow`), so a dry run shows what maps
to what and everything skipped. Rows medmentor cannot use in a way that would change
what respondents see (branching it cannot express, a broken choice list) refuse the
whole file, all rows or nothing, every problem listed at once.

| REDCap field type                 | medmentor                                          |
|-----------------------------------|----------------------------------------------------|
| radio, dropdown                   | single choice (Likert when annotated by our export)|
| yesno                             | yes or no (1 Yes, 0 No)                            |
| truefalse                         | single choice 1 True, 0 False                      |
| checkbox                          | multiple choice                                    |
| notes, text                       | free text (validation other than integer noted)    |
| text, integer from 0 to n         | number from 0 to n                                 |
| slider (0 to n)                   | number from 0 to n (its labels noted as not kept)  |
| calc: sum / mean of number items  | a scale (sum or mean); other calculations skipped  |
| descriptive                       | section text above the next item                   |
| file, signature, sql              | skipped with the reason                            |

The Identifier column: in anonymous and coded surveys a field REDCap marks as an
identifier (name, email, date of birth...) is left out with a message, because those
modes promise respondents that their answers carry no identity.

Branching logic is parsed by a grammar (`redcap_logic`), so `and`/`or`, parentheses,
`<>`, numeric comparisons and checkbox options `[x(code)] = '1'` are all understood.
"""

import csv
import io
import re
from dataclasses import dataclass

from django.db import transaction

from medmentor.one_line import line_break_problem
from medmentor.programs import access
from medmentor.programs.access import Actor
from medmentor.programs.models import Program
from medmentor.surveys.models import Anonymity, Instrument, Item, ItemKind, Scale, ScaleItem
from medmentor.surveys.redcap_logic import LogicError, branching_codes, calculation_parse

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
CHOICES = REDCAP_COLUMNS[5]
VALIDATION = REDCAP_COLUMNS[7]
BRANCHING = REDCAP_COLUMNS[11]
# Written by our export in Field Annotation (free text to REDCap) so that a Likert item
# comes back as Likert, not as a single choice with the codes 1..5.
LIKERT_MARK = "medmentor:likert"
KEY = re.compile(r"[a-z][a-z0-9_]{0,25}")
FIELD_TYPES = (
    "text",
    "notes",
    "radio",
    "dropdown",
    "checkbox",
    "yesno",
    "truefalse",
    "slider",
    "calc",
    "descriptive",
    "file",
    "sql",
)
# Numbers allowed in a show-if on a number item: one code each.
MAX_NUMBER_CODES = 1000


class DictionaryError(Exception):
    """A data dictionary we cannot use: `problems`, each naming its row and column."""

    def __init__(self, *problems: str) -> None:
        self.problems = list(problems)
        more = len(self.problems) - 1
        super().__init__(self.problems[0] + (f" (and {more} more problem(s))" if more else ""))


@dataclass
class DictionaryRow:
    """What one row of the dictionary became: `kept` False when it was left out."""

    row: int
    field: str
    field_type: str
    outcome: str
    kept: bool = True

    def __str__(self) -> str:
        verb = "→" if self.kept else "skipped:"
        return f"Row {self.row}, {self.field} ({self.field_type}) {verb} {self.outcome}"


def _problem(row: int, column: str, text: str) -> DictionaryError:
    return DictionaryError(f"Row {row}, column “{column}”: {text}")


def _choices(text: str, *, row: int) -> list[list[str]]:
    choices = []
    for part in text.split("|"):
        code, comma, label = part.partition(",")
        if not comma or not code.strip() or not label.strip():
            raise _problem(
                row,
                CHOICES,
                f"“{part.strip()[:40]}” is not a choice written as “code, label” "
                "(e.g. “0, No | 1, Yes”).",
            )
        choices.append([code.strip(), label.strip()])
    codes = [code for code, _ in choices]
    if len(set(codes)) != len(codes):
        raise _problem(row, CHOICES, "two choices have the same code.")
    return choices


def _codes_for_logic(item: Item) -> list[str] | None:
    """The codes an item's answers can have, for show-if; None for free text."""
    if item.kind == ItemKind.NUMERIC:
        if (item.numeric_max or 0) > MAX_NUMBER_CODES:
            return None
        return [str(n) for n in range(0, (item.numeric_max or 0) + 1)]
    if item.kind == ItemKind.TEXT:
        return None
    return [code for code, _ in item.options()]


def _number_range(item: Item) -> tuple[float, float] | None:
    if item.kind == ItemKind.NUMERIC:
        return 0.0, float(item.numeric_max or 0)
    if not item.is_number:
        return None
    values = [int(code) for code, _ in item.options()]
    return float(min(values)), float(max(values))


class _Reader:
    """Reads the rows of one dictionary into unsaved items, the mapping and problems."""

    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument
        self.items: dict[str, Item] = {}
        self.skipped: dict[str, str] = {}  # field → why, for branching that names it
        self.mapping: list[DictionaryRow] = []
        self.problems: list[str] = []
        self.calcs: list[tuple[int, dict[str, str]]] = []
        self.pending_section: list[tuple[str, DictionaryRow | None]] = []
        self.first_field_seen = False

    def skip(self, number: int, row: dict[str, str], why: str) -> None:
        key = row["Variable / Field Name"]
        if row["Section Header"] and row["Field Type"] != "calc":  # (calc: in read)
            # The section goes on above the next question that is kept.
            self.pending_section.append((row["Section Header"], None))
        self.skipped[key] = why
        self.mapping.append(DictionaryRow(number, key, row["Field Type"], why, kept=False))

    def read(self, number: int, values: list[str]) -> Item | None:
        if len(values) < 18:
            raise DictionaryError(f"Row {number}: {len(values)} columns, 18 expected.")
        row = dict(zip(REDCAP_COLUMNS, (v.strip() for v in values), strict=False))
        row["Field Type"] = row["Field Type"].lower()
        key, field_type = row["Variable / Field Name"], row["Field Type"]
        first = not self.first_field_seen
        self.first_field_seen = True
        if not KEY.fullmatch(key):
            raise _problem(
                number,
                "Variable / Field Name",
                f"“{key[:40]}” must be lower-case letters, digits and _ (at most 26), "
                "starting with a letter.",
            )
        if key in self.items or key in self.skipped:
            raise _problem(number, "Variable / Field Name", f"“{key}” appears twice.")
        if field_type not in FIELD_TYPES:
            raise _problem(
                number,
                "Field Type",
                f"“{field_type[:40]}” is not a REDCap field type (REDCap writes "
                f"{', '.join(FIELD_TYPES)}).",
            )
        # REDCap's first field is the record ID (record_id, study_id, ...); a dictionary
        # written by hand may start with a question, so the name decides.
        label = row["Field Label"].lower()
        if (
            first
            and field_type == "text"
            and (key == "id" or key.endswith("_id") or "id" in label.split())
        ) or key == "record_id":
            self.skip(number, row, "the record ID: medmentor numbers respondents itself")
            return None
        if field_type == "descriptive":
            text = "\n\n".join(part for part in (row["Section Header"], row["Field Label"]) if part)
            entry = DictionaryRow(number, key, field_type, "section text above the next question")
            self.pending_section.append((text, entry))
            self.mapping.append(entry)
            return None
        if field_type in ("file", "sql"):
            why = {
                "file": "a file upload (or signature): medmentor surveys take no files from "
                "respondents",
                "sql": "an SQL field reads REDCap's own database, which medmentor does not have",
            }[field_type]
            self.skip(number, row, why)
            return None
        if row["Identifier?"].lower() == "y" and self.instrument.anonymity != Anonymity.IDENTIFIED:
            mode = Anonymity(self.instrument.anonymity).name.lower()
            self.skip(
                number,
                row,
                f"marked Identifier in REDCap; a {mode} survey promises respondents that "
                "their answers carry no identity, so it is left out",
            )
            return None
        if field_type == "calc":
            if row["Section Header"]:  # goes on above the next question
                self.pending_section.append((row["Section Header"], None))
            self.calcs.append((number, row))
            return None
        if not row["Field Label"]:
            raise _problem(number, "Field Label", "the label is empty.")
        return self._item(number, row)

    def _item(self, number: int, row: dict[str, str]) -> Item:
        key, field_type = row["Variable / Field Name"], row["Field Type"]
        item = Item(
            instrument=self.instrument,
            key=key,
            text=row["Field Label"],
            required=row["Required Field?"].lower() == "y",
            matrix_group=row["Matrix Group Name"][:60],
        )
        section = [text for text, _ in self.pending_section] + [row["Section Header"]]
        item.section_header = "\n\n".join(part for part in section if part)
        self.pending_section = []
        notes: list[str] = []
        validation = row[VALIDATION].lower()
        if field_type in ("radio", "dropdown", "checkbox"):
            item.kind = ItemKind.MULTIPLE if field_type == "checkbox" else ItemKind.SINGLE
            item.choices = _choices(row[CHOICES], row=number)
            if field_type != "checkbox" and LIKERT_MARK in row["Field Annotation"]:
                self._likert(item, number)
        elif field_type == "yesno":
            item.kind = ItemKind.YES_NO
        elif field_type == "truefalse":
            item.kind, item.choices = ItemKind.SINGLE, [["1", "True"], ["0", "False"]]
        elif field_type == "notes":
            item.kind = ItemKind.TEXT
        elif field_type == "slider":
            low, high = row["Text Validation Min"] or "0", row["Text Validation Max"] or "100"
            if low != "0" or not high.isdigit():
                raise _problem(
                    number,
                    "Text Validation Min",
                    f"a slider from {low} to {high}: medmentor's numbers go from 0 to a "
                    "highest whole number.",
                )
            item.kind, item.numeric_max = ItemKind.NUMERIC, int(high)
            if row[CHOICES]:
                notes.append(f"the slider's labels “{row[CHOICES][:60]}” are not shown")
        else:  # text
            low, high = row["Text Validation Min"], row["Text Validation Max"]
            if validation == "integer" and low in ("", "0") and high.isdigit():
                item.kind, item.numeric_max = ItemKind.NUMERIC, int(high)
            else:
                item.kind = ItemKind.TEXT
                if validation:
                    notes.append(
                        f"answered as free text: REDCap's validation “{validation}”"
                        + (f" ({low or '…'} to {high or '…'})" if low or high else "")
                        + " is not checked"
                    )
        if row[BRANCHING]:
            self._branching(item, number, row[BRANCHING])
        if row["Matrix Ranking?"].lower() == "y":
            notes.append("matrix ranking is not kept")
        if row["Field Note"]:
            notes.append(f"the field note “{row['Field Note'][:60]}” is not shown")
        self.mapping.append(
            DictionaryRow(
                number, key, field_type, _describe(item) + "".join(f"; {n}" for n in notes)
            )
        )
        return item

    def _likert(self, item: Item, number: int) -> None:
        codes = [code for code, _ in item.choices]
        if codes not in ([str(n) for n in range(1, 6)], [str(n) for n in range(1, 8)]):
            raise _problem(
                number, CHOICES, "a Likert item has the codes 1 to 5 or 1 to 7, in order."
            )
        labels = [label for _, label in item.choices]
        item.kind, item.points = ItemKind.LIKERT, len(codes)
        item.anchors = [] if labels == codes else labels
        item.choices = []

    def _branching(self, item: Item, number: int, text: str) -> None:
        fields = {
            key: (_codes_for_logic(earlier), earlier.kind == ItemKind.MULTIPLE)
            for key, earlier in self.items.items()
        }
        try:
            name, codes = branching_codes(text, fields=fields)
        except LogicError as error:
            missing = [name for name in self.skipped if f"[{name}]" in text or f"[{name}(" in text]
            if missing:
                why = self.skipped[missing[0]]
                raise _problem(
                    number,
                    BRANCHING,
                    f"“{text[:80]}” depends on “{missing[0]}”, which is not imported ({why}).",
                ) from None
            raise _problem(number, BRANCHING, f"“{text[:80]}”: {error}.") from None
        item.show_if_item, item.show_if_values = self.items[name], codes

    def scales(self) -> list[tuple[int, dict[str, str], str, list[Item]]]:
        """The calculations that are sums or means of number items, as scales to create;
        the others are recorded as skipped with the reason."""
        found = []
        for number, row in self.calcs:
            key = row["Variable / Field Name"]
            try:
                scoring, names = calculation_parse(row[CHOICES])
            except LogicError as error:
                self.skip(number, row, f"the calculation “{row[CHOICES][:60]}” is {error}")
                continue
            unknown = [name for name in names if name not in self.items]
            if unknown:
                self.skip(number, row, f"it adds “{unknown[0]}”, which is not an imported item")
                continue
            items = [self.items[name] for name in names]
            ranges = {_number_range(item) for item in items}
            if None in ranges or len(ranges) != 1:
                self.skip(
                    number,
                    row,
                    "its items are not numbers with one common range, so it is no scale score",
                )
                continue
            found.append((number, row, scoring, items))
            self.mapping.append(
                DictionaryRow(
                    number,
                    key,
                    "calc",
                    f"scale “{row['Field Label'] or key}”: {scoring} of {', '.join(names)}",
                )
            )
        return found


def _describe(item: Item) -> str:
    what = {
        ItemKind.LIKERT: lambda: f"Likert ({item.points} points)",
        ItemKind.NUMERIC: lambda: f"number from 0 to {item.numeric_max}",
        ItemKind.YES_NO: lambda: "yes or no",
        ItemKind.SINGLE: lambda: f"single choice ({len(item.choices)} choices)",
        ItemKind.MULTIPLE: lambda: f"multiple choice ({len(item.choices)} choices)",
        ItemKind.TEXT: lambda: "free text",
    }[ItemKind(item.kind)]()
    if item.show_if_item is not None:
        what += f", shown if {item.show_if_item.key} is {' or '.join(item.show_if_values)}"
    if item.section_header:
        what += ", with its section text"
    if item.matrix_group:
        what += f", in matrix {item.matrix_group}"
    return what


def redcap_dictionary_import(
    *,
    program: Program,
    title: str,
    content: bytes,
    by: Actor,
    anonymity: str = Anonymity.CODED,
    report: list[DictionaryRow] | None = None,
    dry_run: bool = False,
) -> Instrument:
    """Create an instrument from a REDCap data dictionary: all rows or nothing. `by`: a
    director or coordinator of `program`, or access.SYSTEM.

    `report`, when given, receives what each row became (see DictionaryRow), also for
    the rows left out and why. `dry_run` does the whole import and undoes it: the
    report is exactly what importing would do.
    """
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
    with transaction.atomic():
        instrument = Instrument.objects.create(
            program=program,
            title=title,
            anonymity=anonymity,
            consent_text="Taking part is voluntary. (Replace with the study information.)",
        )
        rows = _Reader(instrument)
        order = 0
        # A question shown only after an earlier answer goes on a later page than that
        # answer: the answering page decides what to show when a page is opened.
        page = 1
        try:
            for number, values in enumerate(reader, start=2):
                if not any(value.strip() for value in values):
                    continue
                try:
                    item = rows.read(number, values)
                except DictionaryError as problem:
                    # Keep reading: every problem of the file is listed at once.
                    rows.problems += problem.problems
                    continue
                if item is None:
                    continue
                if item.show_if_item is not None and item.show_if_item.page >= page:
                    page = item.show_if_item.page + 1
                item.order, item.page = order, page
                if not rows.problems:
                    item.save()
                rows.items[item.key] = item
                order += 1
        except csv.Error as error:
            rows.problems.append(f"Not a readable CSV file ({error}).")
        if not rows.items and not rows.problems:
            rows.problems.append("The dictionary has no questions (rows after the header).")
        for _, entry in rows.pending_section:
            if entry is not None:
                entry.kept = False
                entry.outcome = "text after the last question: a survey has no place for it"
        if rows.problems:
            raise DictionaryError(*rows.problems)  # leaving the transaction undoes it all
        for _, row, scoring, items in rows.scales():
            low, high = _number_range(items[0])
            scale = Scale.objects.create(
                instrument=instrument,
                name=(row["Field Label"] or row["Variable / Field Name"])[:200],
                scoring=scoring,
                item_min=low,
                item_max=high,
            )
            ScaleItem.objects.bulk_create(ScaleItem(scale=scale, item=item) for item in items)
        if dry_run:
            transaction.set_rollback(True)
    if report is not None:
        report.extend(sorted(rows.mapping, key=lambda entry: entry.row))
    return instrument
