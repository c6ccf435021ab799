"""Spreadsheet files made in the test, as a director's computer would save them."""

import csv
import io

import openpyxl


def csv_bytes(rows: list[list[object]], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[object]], *, start_row: int = 1) -> bytes:
    """An Excel workbook whose first sheet holds `rows` from row `start_row` down."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for offset, row in enumerate(rows):
        for column, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(row=start_row + offset, column=column, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


ROSTER_HEADER = ["email", "full_name", "training_level", "role"]


def roster(*rows: list[object], header: list[str] = ROSTER_HEADER) -> bytes:
    return csv_bytes([header, *rows])


SCHEDULE_HEADER = ["email", "service", "start_date", "end_date"]


def schedule(*rows: list[object], header: list[str] = SCHEDULE_HEADER) -> bytes:
    return csv_bytes([header, *rows])
