"""Forms of the survey editor: they parse what was typed into plain values; the rules an
instrument must keep live in services ("Editing instruments"), whose per-field messages
`errors_apply` puts back on the form."""

from django import forms
from django.core.exceptions import ValidationError

from medmentor.surveys import editor_services
from medmentor.surveys.models import (
    ANONYMITY_IN_PLAIN_WORDS,
    Anonymity,
    Instrument,
    Item,
    ItemKind,
    Scale,
    ScaleScoring,
    WaveKind,
)

MAX_POINTS = 7


def _number(attrs: dict | None = None, decimal: bool = False) -> forms.NumberInput:
    return forms.NumberInput(
        attrs={"inputmode": "decimal" if decimal else "numeric", **(attrs or {})}
    )


class EditorForm(forms.Form):
    """A form whose fields carry `aria-describedby` to their help and error texts."""

    def errors_apply(self, error: ValidationError) -> None:
        """Put a service's refusal on the fields it names (the rest above the form)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)

    def describe(self) -> "EditorForm":
        """Point each input at its help and error texts (ids `<id>_help`, `<id>_error`);
        called just before rendering, when the services' errors are on the form too."""
        for name, field in self.fields.items():
            ids = []
            if field.help_text:
                ids.append(f"{self[name].auto_id}_help")
            if self.is_bound and name in self.errors:
                ids.append(f"{self[name].auto_id}_error")
                field.widget.attrs["aria-invalid"] = "true"
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)
        return self


class InstrumentSettingsForm(EditorForm):
    title = forms.CharField(max_length=200)
    introduction = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the survey is about, shown above the study information.",
    )
    consent_text = forms.CharField(
        label="Study information (consent text)",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="E.g. the IRB-approved text. Respondents read it, then choose whether "
        "to take part.",
    )
    anonymity = forms.ChoiceField(
        label="Anonymity",
        widget=forms.RadioSelect,
        choices=Anonymity.choices,
    )
    max_reminders = forms.IntegerField(
        label="Reminders at most",
        min_value=0,
        max_value=10,
        widget=_number(),
        help_text="Sent to those who have not answered yet, from 0 to 10.",
    )
    reminder_every_days = forms.IntegerField(
        label="Days between reminders",
        min_value=1,
        max_value=90,
        widget=_number(),
    )

    def __init__(self, *args, instrument: Instrument, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                name: getattr(instrument, name)
                for name in (
                    "title",
                    "introduction",
                    "consent_text",
                    "anonymity",
                    "max_reminders",
                    "reminder_every_days",
                )
            },
        )
        super().__init__(*args, **kwargs)

    def modes(self):
        """The anonymity radio buttons, each with its plain-words explanation."""
        return [
            (choice, ANONYMITY_IN_PLAIN_WORDS[Anonymity(choice.data["value"])])
            for choice in self["anonymity"]
        ]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class WaveDaysForm(EditorForm):
    opens_on = forms.DateField(label="First day", widget=DateInput())
    closes_on = forms.DateField(label="Last day", widget=DateInput())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["opens_on"].error_messages["required"] = "Give the first day."
        self.fields["closes_on"].error_messages["required"] = "Give the last day."
        for name in ("opens_on", "closes_on"):
            self.fields[name].error_messages["invalid"] = "Give a date such as 2026-12-01."


class WaveAddForm(WaveDaysForm):
    kind = forms.ChoiceField(label="Wave")
    field_order = ["kind", "opens_on", "closes_on"]

    def __init__(self, *args, missing: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind, WaveKind(kind).label) for kind in missing]
        self.order_fields(self.field_order)


def _choices_parse(text: str) -> tuple[tuple[str, str], ...]:
    choices = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        code, comma, label = line.partition(",")
        if not comma or not code.strip() or not label.strip():
            raise ValidationError(
                f"Line {number} (“{line.strip()[:40]}”) needs a code, a comma and a label, "
                "e.g. “1, Yes”."
            )
        choices.append((code.strip(), label.strip()))
    return tuple(choices)


class ItemForm(EditorForm):
    text = forms.CharField(
        label="Question", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    kind = forms.ChoiceField(label="Kind of answer", choices=ItemKind.choices)
    key = forms.CharField(
        label="Variable name",
        max_length=26,
        help_text="Its column in exports and REDCap: lowercase letters, digits and _, e.g. conf_8.",
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
    )
    page = forms.IntegerField(label="Page", min_value=1, max_value=99, widget=_number())
    required = forms.BooleanField(label="An answer is required", required=False)
    points = forms.TypedChoiceField(
        label="Points",
        choices=[(5, "5 points"), (7, "7 points")],
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    numeric_max = forms.IntegerField(
        label="Highest number",
        min_value=1,
        max_value=100_000,
        required=False,
        widget=_number(),
        help_text="Answers are whole numbers from 0 to this.",
    )
    choices = forms.CharField(
        label="Choices",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text="One a line as “code, label”, e.g. “1, Clinical practice”. The code is "
        "what is stored and exported.",
    )
    show_if_item = forms.TypedChoiceField(
        label="Show only if this earlier item…",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="An item on an earlier page. Leave empty to always show this item.",
    )
    show_if_values = forms.CharField(
        label="…was answered with one of these codes",
        required=False,
        help_text="Codes separated by commas, e.g. “1” for yes.",
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )

    def __init__(self, *args, instrument: Instrument, item: Item | None = None, **kwargs):
        if item is not None:
            kwargs.setdefault("initial", self._initial(item))
        super().__init__(*args, **kwargs)
        for point in range(1, MAX_POINTS + 1):
            self.fields[f"anchor_{point}"] = forms.CharField(
                label=f"Point {point}"
                + (" (lowest)" if point == 1 else " (highest of 7)" if point == MAX_POINTS else ""),
                max_length=200,
                required=False,
            )
        others = instrument.items.exclude(pk=item.pk) if item else instrument.items.all()
        self.fields["show_if_item"].choices = [("", "Always show")] + [
            (other.pk, f"{other.key} (page {other.page}): {other.text[:60]}")
            for other in others
            if other.kind != ItemKind.TEXT
        ]
        self.anchor_errors: list[str] = []

    @staticmethod
    def _initial(item: Item) -> dict:
        initial = {
            "text": item.text,
            "kind": item.kind,
            "key": item.key,
            "page": item.page,
            "required": item.required,
            "points": item.points,
            "numeric_max": item.numeric_max,
            "choices": "\n".join(f"{code}, {label}" for code, label in item.choices),
            "show_if_item": item.show_if_item_id,
            "show_if_values": ", ".join(item.show_if_values),
        }
        for point, label in enumerate(item.anchors, start=1):
            initial[f"anchor_{point}"] = label
        return initial

    def clean_choices(self) -> tuple[tuple[str, str], ...]:
        return _choices_parse(self.cleaned_data.get("choices", ""))

    def clean_show_if_values(self) -> tuple[str, ...]:
        text = self.cleaned_data.get("show_if_values", "")
        return tuple(value.strip() for value in text.split(",") if value.strip())

    def anchor_fields(self):
        return [self[f"anchor_{point}"] for point in range(1, MAX_POINTS + 1)]

    def errors_apply(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict") and "anchors" in error.error_dict:
            self.anchor_errors = error.message_dict["anchors"]
            error = ValidationError(
                {field: e for field, e in error.error_dict.items() if field != "anchors"}
            )
            if not error.error_dict:
                return
        super().errors_apply(error)

    def item_fields(self) -> editor_services.ItemFields:
        data = self.cleaned_data
        return editor_services.ItemFields(
            text=data["text"],
            key=data["key"],
            kind=data["kind"],
            page=data["page"],
            required=data["required"],
            points=data["points"],
            anchors=tuple(data[f"anchor_{point}"] for point in range(1, MAX_POINTS + 1)),
            numeric_max=data["numeric_max"],
            choices=data["choices"],
            show_if_item_id=data["show_if_item"],
            show_if_values=data["show_if_values"],
        )


class ScaleForm(EditorForm):
    name = forms.CharField(max_length=200)
    scoring = forms.ChoiceField(
        label="Score", choices=ScaleScoring.choices, widget=forms.RadioSelect
    )
    item_min = forms.FloatField(
        label="Lowest item score",
        widget=_number({"step": "any"}, decimal=True),
        help_text="The declared range of every item, after the offset: e.g. 0.",
    )
    item_max = forms.FloatField(
        label="Highest item score", widget=_number({"step": "any"}, decimal=True)
    )
    offset = forms.FloatField(
        label="Offset",
        widget=_number({"step": "any"}, decimal=True),
        help_text="Added to each stored code to give its score: Likert codes start at 1, "
        "so −1 scores a 1–5 item 0–4.",
    )
    max_missing = forms.IntegerField(
        label="Missing items allowed",
        min_value=0,
        max_value=99,
        widget=_number(),
        help_text="A respondent missing at most this many items still gets a score, "
        "prorated from the items answered.",
    )

    def __init__(self, *args, instrument: Instrument, scale: Scale | None = None, **kwargs):
        members = {}
        if scale is not None:
            members = dict(scale.scale_items.values_list("item_id", "reverse"))
            kwargs.setdefault(
                "initial",
                {
                    "name": scale.name,
                    "scoring": scale.scoring,
                    "item_min": scale.item_min,
                    "item_max": scale.item_max,
                    "offset": scale.offset,
                    "max_missing": scale.max_missing,
                },
            )
        else:
            kwargs.setdefault(
                "initial", {"scoring": "sum", "offset": 0, "max_missing": 0, "item_min": 1}
            )
        super().__init__(*args, **kwargs)
        self.scorable = [
            item
            for item in instrument.items.all()
            if editor_services.item_code_range(item) is not None
        ]
        for item in self.scorable:
            self.fields[f"member_{item.pk}"] = forms.BooleanField(
                label=f"{item.key} in the scale", required=False, initial=item.pk in members
            )
            self.fields[f"reverse_{item.pk}"] = forms.BooleanField(
                label=f"{item.key} reverse-scored",
                required=False,
                initial=members.get(item.pk, False),
            )
        self.member_errors: list[str] = []

    def member_rows(self):
        """(item, its codes in words, "in the scale" field, "reverse-scored" field)."""
        rows = []
        for item in self.scorable:
            low, high = editor_services.item_code_range(item)
            codes = (
                f"codes {editor_services.number_words(low)}–{editor_services.number_words(high)}"
            )
            rows.append((item, codes, self[f"member_{item.pk}"], self[f"reverse_{item.pk}"]))
        return rows

    def errors_apply(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict") and "members" in error.error_dict:
            self.member_errors = error.message_dict["members"]
            error = ValidationError(
                {field: e for field, e in error.error_dict.items() if field != "members"}
            )
            if not error.error_dict:
                return
        super().errors_apply(error)

    def scale_fields(self) -> editor_services.ScaleFields:
        data = self.cleaned_data
        return editor_services.ScaleFields(
            name=data["name"],
            scoring=data["scoring"],
            item_min=data["item_min"],
            item_max=data["item_max"],
            max_missing=data["max_missing"],
            offset=data["offset"],
            members=tuple(
                (item.pk, bool(data.get(f"reverse_{item.pk}")))
                for item in self.scorable
                if data.get(f"member_{item.pk}")
            ),
        )
