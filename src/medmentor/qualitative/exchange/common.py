"""REFI-QDA exchange: the names, GUIDs and mapping helpers both directions share.

Part of `medmentor.qualitative.exchange` (see its docstring for the mapping).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from medmentor.qualitative import refi_qda
from medmentor.qualitative.models import (
    Code,
)

# Fixed namespace for the GUIDs derived here (people, codings, split selections).
GUID_NAMESPACE = uuid.UUID("6f1d6c2e-8f47-4b8e-9a34-2c0f0b7d5a11")
# A coder named in an imported project who is nobody here gets an inactive account (no
# password, cannot sign in) so their coding stays theirs and agreement can be measured.
IMPORTED_CODER_DOMAIN = "imported-coders.invalid"
IMPORTED_CODER_EMAIL = re.compile(
    r"^coder-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@"
    + re.escape(IMPORTED_CODER_DOMAIN)
    + "$"
)
KIND_VARIABLE = "Document kind"
AGREED_DESCRIPTION = "Agreed coding (adjudicated in medmentor)"
DEFAULT_COLOR = "#1f77b4"
DESCRIPTION_LABELS = (
    ("when_to_use", "When to use"),
    ("when_not_to_use", "When not to use"),
    ("example", "Example"),
)
QUOTE_NAME_LENGTH = 60


@dataclass
class ExchangeResult:
    """What an import wrote (or, on a dry run, would write) and what it could not keep."""

    documents: int = 0
    codes: int = 0
    themes: int = 0
    memos: int = 0
    highlights: int = 0
    coders: list[str] = field(default_factory=list)
    accounts_created: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    applied: bool = False

    def summary(self) -> str:
        def count(number: int, word: str) -> str:
            return f"{number} {word}{'' if number == 1 else 's'}"

        return ", ".join(
            [
                count(self.documents, "document"),
                count(self.codes, "code"),
                count(self.themes, "theme"),
                count(self.memos, "memo"),
                count(self.highlights, "highlight"),
                count(len(self.coders), "coder"),
                f"{count(len(self.accounts_created), 'new account')} for coders",
            ]
        )


# --- Shared mapping helpers -------------------------------------------------------------


def person_guid(person) -> str:
    """A coder's REFI-QDA User GUID: the same for the same email on every medmentor, and
    for a coder who came from another tool, the GUID that tool gave them."""
    match = IMPORTED_CODER_EMAIL.match(person.email)
    if match:
        return match.group(1)
    return str(uuid.uuid5(GUID_NAMESPACE, "mailto:" + person.email.strip().lower()))


def _coding_guid(highlight_guid, code_guid) -> str:
    # Our highlights do not keep a GUID per code; deriving it keeps it stable across
    # exports, so a tool that tracks codings sees the same coding each time.
    return str(uuid.uuid5(GUID_NAMESPACE, f"coding:{highlight_guid}:{code_guid}"))


def code_description(code: Code) -> str:
    """The REFI-QDA Description of a code: its definition, then one labelled paragraph for
    each of when to use, when not to use and an example (other tools show it as written)."""
    parts = [code.definition.strip()] if code.definition.strip() else []
    for attribute, label in DESCRIPTION_LABELS:
        value = getattr(code, attribute).strip()
        if value:
            parts.append(f"{label}: {value}")
    return "\n\n".join(parts)


_LABELLED = re.compile(
    r"(?:^|\n\n)(" + "|".join(re.escape(label) for _, label in DESCRIPTION_LABELS) + r"): "
)


def code_description_parse(description: str) -> dict[str, str]:
    """The inverse of `code_description`; a description written by another tool, with no
    labelled paragraphs, is all definition."""
    fields = {"definition": "", "when_to_use": "", "when_not_to_use": "", "example": ""}
    by_label = {label: attribute for attribute, label in DESCRIPTION_LABELS}
    matches = list(_LABELLED.finditer(description))
    fields["definition"] = description[: matches[0].start()] if matches else description
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(description)
        fields[by_label[match.group(1)]] = description[match.end() : end]
    return {key: value.strip() for key, value in fields.items()}


def _color(value: str) -> str:
    value = (value or "").strip()
    if re.fullmatch(r"#[0-9A-Fa-f]{3}", value):
        return "#" + "".join(2 * digit for digit in value[1:]).lower()
    if re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
        return value.lower()
    return DEFAULT_COLOR


def _quote_name(text: str) -> str:
    quote = " ".join(text.split())
    if len(quote) > QUOTE_NAME_LENGTH:
        quote = quote[: QUOTE_NAME_LENGTH - 1].rstrip() + "…"
    return quote


def _attribute_value(value) -> refi_qda.VariableValue | None:
    if isinstance(value, bool):
        return refi_qda.VariableValue("", "Boolean", "true" if value else "false")
    if isinstance(value, int):
        return refi_qda.VariableValue("", "Integer", str(value))
    if isinstance(value, float):
        return refi_qda.VariableValue("", "Float", repr(value))
    if value is None:
        return None
    return refi_qda.VariableValue("", "Text", str(value))


def _attribute_parse(value: refi_qda.VariableValue):
    try:
        if value.type == "Boolean":
            return value.value in ("true", "1")
        if value.type == "Integer":
            return int(value.value)
        if value.type == "Float":
            return float(value.value)
    except ValueError:
        pass
    return value.value
