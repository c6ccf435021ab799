"""CSV cells a spreadsheet will not run as formulas (OWASP "CSV injection").

Every CSV we export (survey exports, the qualitative report) is opened by a coordinator
or researcher in Excel, LibreOffice or Google Sheets, and any cell a respondent or a
colleague wrote may start with a character that makes the spreadsheet read it as a
formula (`=HYPERLINK(...)`, `@SUM(...)`, `-2+3+cmd|' /C calc'!A0`). Such a cell is
written with an apostrophe in front, as OWASP advises, so the spreadsheet shows it as
text. A cell that is a plain number (`-3`, `+2`, `-0.5`) stays as it is: it cannot run,
and a negative Likert code must still reach REDCap and the statistics as a number.

Pure: imports nothing of ours, so every floor of the app may use it.
"""

import re
from collections.abc import Iterable

# = + - @ start formulas; a tab or carriage return before them is skipped by some
# spreadsheets; the full-width forms are turned into their ASCII twins by some (Excel
# with East Asian input settings).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")

# A plain decimal number, optionally signed, optionally with an exponent: nothing a
# spreadsheet could evaluate beyond the number itself.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def spreadsheet_safe(value):
    """The cell as it can be written: text that would start a formula gets a leading
    apostrophe; numbers, number-like text and anything else are returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeWriter:
    """A csv writer whose rows are made spreadsheet-safe cell by cell."""

    def __init__(self, writer) -> None:
        self.writer = writer

    def writerow(self, row: Iterable):
        return self.writer.writerow([spreadsheet_safe(value) for value in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)
