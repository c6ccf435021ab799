"""CSV exports (tidy long, wide, REDCap dictionary and raw data) and REDCap import."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from medmentor.programs.access import SYSTEM
from medmentor.surveys.demo import survey_demo_load
from medmentor.surveys.exports import (
    REDCAP_COLUMNS,
    DictionaryError,
    export_long,
    export_wide,
    redcap_data,
    redcap_dictionary,
    redcap_dictionary_import,
)
from medmentor.surveys.models import Instrument, Item, ItemKind
from tests.conftest import sign_in

pytestmark = pytest.mark.usefixtures("fast_passwords")


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def demo_survey(program, junior, senior, other_junior, other_senior):
    return survey_demo_load(program=program, today=datetime.date(2026, 11, 27))


def test_long_export_has_one_row_per_respondent_wave_and_item(demo_survey):
    rows = _rows(export_long(instrument=demo_survey))
    assert len(rows) == (7 + 6) * demo_survey.items.count()
    row = next(r for r in rows if r["item"] == "role_understanding" and r["value"] == "5")
    assert row["label"] == "Strongly agree"
    # Paired respondents share a number across waves.
    pre_one = {r["respondent"] for r in rows if r["wave"] == "pre"}
    post_one = {r["respondent"] for r in rows if r["wave"] == "post"}
    assert len(pre_one & post_one) == 6


def test_wide_export_has_codes_and_labels(demo_survey):
    rows = _rows(export_wide(instrument=demo_survey))
    assert len(rows) == 13
    post = [r for r in rows if r["wave"] == "post"]
    assert {r["topics_label"] for r in post} == {
        "Use of technology | Approach to juniors",
        "Clinical practice | Approachability",
    }


def test_redcap_dictionary_has_its_18_columns_and_choices_as_redcap_writes_them(demo_survey):
    rows = list(csv.reader(io.StringIO(redcap_dictionary(instrument=demo_survey))))
    assert rows[0] == REDCAP_COLUMNS and len(rows[0]) == 18
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["record_id"][3] == "text"
    assert by_name["had_session"][3] == "yesno"
    assert by_name["role_understanding"][5].startswith("1, Strongly disagree | 2, Disagree")
    assert by_name["topics"][3] == "checkbox"
    assert by_name["session_minutes"][7:10] == ["integer", "0", "300"]
    assert by_name["session_minutes"][11] == "[had_session] = '1'"


def test_redcap_data_has_waves_as_events_and_a_column_per_checkbox_option(demo_survey):
    rows = _rows(redcap_data(instrument=demo_survey))
    assert {r["redcap_event_name"] for r in rows} == {"pre_arm_1", "post_arm_1"}
    post = [r for r in rows if r["redcap_event_name"] == "post_arm_1"]
    assert {(r["topics___1"], r["topics___2"]) for r in post} == {("1", "0"), ("0", "1")}


def test_redcap_dictionary_round_trips_into_a_new_instrument(demo_survey, program):
    content = redcap_dictionary(instrument=demo_survey).encode()
    copy = redcap_dictionary_import(program=program, title="Copy", content=content, by=SYSTEM)
    original = {i.key: i for i in demo_survey.items.all()}
    for item in copy.items.all():
        assert item.text == original[item.key].text
        assert item.options() == original[item.key].options() or item.kind == ItemKind.SINGLE
    assert copy.items.get(key="session_minutes").show_if_item.key == "had_session"
    assert copy.items.get(key="session_minutes").numeric_max == 300


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("conf_1,f,,matrix,Label" + ",," * 6 + ",", "Row 2, column “Field Type”: “matrix”"),
        ("Conf 1,f,,text,Label" + ",," * 6 + ",", "Row 2, column “Variable / Field Name”"),
        ("pick,f,,radio,Choose,1 Yes | 2 No" + ",," * 6, "Row 2, column “Choices, Calculations"),
        ("x,f,,text,Label,,,,,,,[nowhere] = '1'" + ",," * 3, "Row 2, column “Branching Logic"),
    ],
)
def test_bad_dictionary_names_row_and_column_and_writes_nothing(program, bad, message):
    header = ",".join(f'"{c}"' for c in REDCAP_COLUMNS)
    fine = "ok_item,f,,notes,Fine" + ",," * 6 + ","
    content = f"{header}\n{fine}\n{bad}\n".replace("Row 2", "Row 3").encode()
    with pytest.raises(DictionaryError) as error:
        redcap_dictionary_import(program=program, title="Bad", content=content, by=SYSTEM)
    assert message.replace("Row 2", "Row 3") in str(error.value)
    assert not Instrument.objects.exists() and not Item.objects.exists()


def test_import_page_shows_the_problem_and_creates_nothing(client, program, director):
    sign_in(client, director)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("survey-redcap-import", kwargs={"slug": program.slug}),
        {"title": "X", "dictionary": SimpleUploadedFile("d.csv", b"not,a,dictionary\n")},
    )
    assert response.status_code == 422
    assert "Row 1: the header is not REDCap" in response.content.decode()
    assert not Instrument.objects.exists()


def test_export_download_for_researcher_and_refused_to_faculty(
    client, demo_survey, researcher, faculty
):
    url = reverse(
        "survey-export",
        kwargs={
            "slug": demo_survey.program.slug,
            "instrument_id": demo_survey.pk,
            "kind": "redcap-data",
        },
    )
    sign_in(client, researcher)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    sign_in(client, faculty)
    assert client.get(url).status_code == 403


def _dictionary(*rows: str) -> bytes:
    header = ",".join(f'"{c}"' for c in REDCAP_COLUMNS)
    return "\n".join([header, *rows, ""]).encode()


def test_every_problem_of_a_dictionary_is_listed_at_once(client, program, director):
    content = _dictionary(
        "ok_item,f,,notes,Fine" + ",," * 6 + ",",
        "Conf 1,f,,text,Label" + ",," * 6 + ",",
        "fine_too,f,,notes,Also fine" + ",," * 6 + ",",
        "conf_2,f,,matrix,Label" + ",," * 6 + ",",
    )
    with pytest.raises(DictionaryError) as error:
        redcap_dictionary_import(program=program, title="Bad", content=content, by=SYSTEM)
    assert len(error.value.problems) == 2
    assert error.value.problems[0].startswith("Row 3, column “Variable / Field Name”")
    assert error.value.problems[1].startswith("Row 5, column “Field Type”: “matrix”")
    assert not Instrument.objects.exists() and not Item.objects.exists()
    # The page lists both.
    from django.core.files.uploadedfile import SimpleUploadedFile

    sign_in(client, director)
    page = client.post(
        reverse("survey-redcap-import", kwargs={"slug": program.slug}),
        {"title": "X", "dictionary": SimpleUploadedFile("d.csv", content)},
    )
    assert page.status_code == 422
    text = page.content.decode()
    assert "2 problems:" in text and "Row 3, column" in text and "Row 5, column" in text
    assert not Instrument.objects.exists()


def test_a_question_shown_after_an_earlier_answer_goes_on_a_later_page(program):
    content = _dictionary(
        "had_session,f,,yesno,Did you have a session?" + ",," * 6 + ",",
        "minutes,f,,notes,How long?,,,,,,,[had_session] = '1'" + ",," * 3,
        "comments,f,,notes,Anything else?" + ",," * 6 + ",",
    )
    instrument = redcap_dictionary_import(
        program=program, title="Branching", content=content, by=SYSTEM
    )
    pages = dict(instrument.items.values_list("key", "page"))
    assert pages == {"had_session": 1, "minutes": 2, "comments": 2}
    for item in instrument.items.all():
        item.full_clean()  # show-if names an item on an earlier page
