"""REDCap data dictionaries as REDCap exports them: every field type and validation is
read, branching logic in REDCap's grammar is understood, identifiers are left out of
coded and anonymous surveys, and medmentor's export comes back identical."""

import io

import pytest
from django.core.management import call_command

from medmentor.programs.access import SYSTEM
from medmentor.surveys.exports import redcap_dictionary
from medmentor.surveys.models import Anonymity, Instrument, Item, ItemKind, Scale, ScaleScoring
from medmentor.surveys.redcap import DictionaryError, redcap_dictionary_import

# The header exactly as REDCap writes it (Identifier? unquoted), then rows as REDCap
# writes them: a record ID first, quotes only where a cell needs them, "\n" line ends.
HEADER = (
    '"Variable / Field Name","Form Name","Section Header","Field Type","Field Label",'
    '"Choices, Calculations, OR Slider Labels","Field Note",'
    '"Text Validation Type OR Show Slider Number","Text Validation Min",'
    '"Text Validation Max",Identifier?,"Branching Logic (Show field only if...)",'
    '"Required Field?","Custom Alignment","Question Number (surveys only)",'
    '"Matrix Group Name","Matrix Ranking?","Field Annotation"'
)
EVERY_TYPE = [
    'record_id,baseline,,text,"Record ID",,,,,,,,,,,,,',
    'name,baseline,"About you",text,"Your name",,,,,,y,,,,,,,',
    'email,baseline,,text,"Email address",,,email,,,y,,y,,,,,',
    'dob,baseline,,text,"Date of birth",,,date_ymd,,,y,,,,,,,',
    'age,baseline,,text,"Age in years",,,integer,0,120,,,,,,,,',
    'gpa,baseline,,text,"Grade average",,,number_1dp,0,4,,,,,,,,',
    'role,baseline,,radio,"Your role","1, Resident | 2, Fellow | 3, Faculty",,,,,,,y,RH,,,,',
    'site,baseline,,dropdown,"Main site","a, North | b, South",,,,,,,,,,,,',
    'channels,baseline,,checkbox,"How do you meet?","1, In person | 2, Video | 99, Other"'
    ",,,,,,,,,,,,",
    'channels_other,baseline,,text,"Other channel",,,,,,,"[channels(99)] = \'1\'",,,,,,',
    'mentor,baseline,,yesno,"Do you have a mentor?",,,,,,,,,,,,,',
    'truth,baseline,,truefalse,"The program is voluntary",,,,,,,,,,,,,',
    'mood,baseline,,slider,"How are you today?","Bad | Fine | Great",,number,,,,,,,,,,',
    'change,baseline,,notes,"What would you change?",,"Be specific",,,,,'
    "\"[role] = '2' or [role] = '3'\",,,,,,",
    'senior,baseline,,yesno,"Over 30?",,,,,,,"([age] >= 30 and [age] <> \'99\')",,,,,,',
    'intro,baseline,,descriptive,"Rate each statement",,,,,,,,,,,,,',
    'm1,baseline,,radio,"I feel supported","1, Disagree | 2, Neutral | 3, Agree"'
    ",,,,,,,,,,burnout,,",
    'm2,baseline,,radio,"I feel heard","1, Disagree | 2, Neutral | 3, Agree",,,,,,,,,,burnout,,',
    'support,baseline,,calc,"Support score","sum([m1],[m2])",,,,,,,,,,,,',
    'age_months,baseline,,calc,"Age in months","[age]*12",,,,,,,,,,,,',
    'consent_file,baseline,,file,"Signed consent",,,,,,,,,,,,,',
]


def dictionary(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def imported(program, *rows, anonymity=Anonymity.CODED):
    report = []
    instrument = redcap_dictionary_import(
        program=program,
        title="Baseline",
        content=dictionary(*rows),
        by=SYSTEM,
        anonymity=anonymity,
        report=report,
    )
    return instrument, {entry.field: entry for entry in report}


def test_every_field_type_redcap_writes_maps_to_an_item_a_scale_or_a_reason(program):
    instrument, report = imported(program, *EVERY_TYPE)
    items = {item.key: item for item in instrument.items.select_related("show_if_item")}

    assert list(items) == [
        "age", "gpa", "role", "site", "channels", "channels_other", "mentor", "truth",
        "mood", "change", "senior", "m1", "m2",
    ]  # fmt: skip
    assert (items["age"].kind, items["age"].numeric_max) == (ItemKind.NUMERIC, 120)
    assert items["gpa"].kind == ItemKind.TEXT
    assert "validation “number_1dp” (0 to 4) is not checked" in report["gpa"].outcome
    assert (items["role"].kind, items["role"].required) == (ItemKind.SINGLE, True)
    assert items["site"].choices == [["a", "North"], ["b", "South"]]
    assert items["channels"].kind == ItemKind.MULTIPLE
    assert (items["channels_other"].show_if_item.key, items["channels_other"].show_if_values) == (
        "channels",
        ["99"],
    )
    assert items["mentor"].options() == [("1", "Yes"), ("0", "No")]
    assert items["truth"].options() == [("1", "True"), ("0", "False")]
    assert (items["mood"].kind, items["mood"].numeric_max) == (ItemKind.NUMERIC, 100)
    assert "labels “Bad | Fine | Great” are not shown" in report["mood"].outcome
    assert items["change"].show_if_values == ["2", "3"]
    assert "field note “Be specific” is not shown" in report["change"].outcome
    senior = items["senior"].show_if_values
    assert senior[0] == "30" and senior[-1] == "120" and "99" not in senior and len(senior) == 90
    # Descriptive text and the skipped name's section header stay above the next items.
    assert items["age"].section_header == "About you"
    assert items["m1"].section_header == "Rate each statement"
    assert (items["m1"].matrix_group, items["m2"].matrix_group) == ("burnout", "burnout")
    # A sum of items is a scale; another calculation is reported.
    (scale,) = Scale.objects.filter(instrument=instrument)
    assert (scale.name, scale.scoring, scale.item_min, scale.item_max) == (
        "Support score",
        ScaleScoring.SUM,
        1.0,
        3.0,
    )
    assert [entry.item.key for entry in scale.scale_items.all()] == ["m1", "m2"]
    assert report["support"].kept
    assert not report["age_months"].kept
    assert "“[age]*12” is not a plain sum or mean" in report["age_months"].outcome
    assert not report["consent_file"].kept
    assert "file upload" in report["consent_file"].outcome
    assert not report["record_id"].kept


@pytest.mark.parametrize("anonymity", [Anonymity.CODED, Anonymity.ANONYMOUS])
def test_identifier_fields_are_left_out_of_coded_and_anonymous_surveys_with_a_message(
    program, anonymity
):
    instrument, report = imported(program, *EVERY_TYPE, anonymity=anonymity)

    keys = set(instrument.items.values_list("key", flat=True))
    assert not keys & {"name", "email", "dob"}
    for field in ("name", "email", "dob"):
        assert not report[field].kept
        assert f"marked Identifier in REDCap; a {anonymity} survey promises" in str(report[field])


def test_identifier_fields_are_kept_in_an_identified_survey(program):
    instrument, report = imported(program, *EVERY_TYPE, anonymity=Anonymity.IDENTIFIED)

    email = instrument.items.get(key="email")
    assert (email.kind, email.required) == (ItemKind.TEXT, True)
    assert "validation “email” is not checked" in report["email"].outcome


@pytest.mark.parametrize(
    ("logic", "reason"),
    [
        ("[role] = '1' and [mentor] = '1'", "it depends on 2 questions (mentor, role)"),
        ("[channels(2)] = '0'", "shows the item when an option is not ticked"),
        ("[channels(1)] = '1' and [channels(2)] = '1'", "“and” between options of a checkbox"),
        ("[gpa] = '4'", "“gpa” is free text"),
        ("[email] <> ''", "depends on “email”, which is not imported (marked Identifier"),
        ("[baseline_arm_1][role] = '1'", "names a REDCap event"),
        ("datediff([age], 'today', 'y') > 30", "not branching logic medmentor can read"),
        ("[site] > 1", "“site” has the code “a”, not a number"),
        ("[age] > 'old'", "“old” is compared with > but is not a number"),
    ],
)
def test_branching_medmentor_cannot_express_is_refused_with_the_reason(program, logic, reason):
    row = f'later,baseline,,notes,"Later",,,,,,,"{logic}",,,,,,'
    with pytest.raises(DictionaryError) as refused:
        imported(program, *EVERY_TYPE, row)
    (problem,) = refused.value.problems
    assert problem.startswith(
        f"Row {len(EVERY_TYPE) + 2}, column “Branching Logic (Show field only if...)”"
    )
    assert reason in problem
    assert not Instrument.objects.exists()


def test_a_dry_run_lists_what_each_row_maps_to_and_every_row_skipped(program, tmp_path):
    path = tmp_path / "baseline.csv"
    path.write_bytes(dictionary(*EVERY_TYPE))
    out = io.StringIO()

    call_command("survey_import_redcap", program.slug, str(path), "--dry-run", stdout=out)

    text = out.getvalue()
    assert "Row 2, record_id (text) skipped: the record ID" in text
    assert "Row 3, name (text) skipped: marked Identifier in REDCap; a coded survey" in text
    assert "Row 11, channels_other (text) → free text, shown if channels is 99" in text
    assert "Row 17, intro (descriptive) → section text above the next question" in text
    assert (
        "Row 18, m1 (radio) → single choice (3 choices), with its section text, in matrix" in text
    )
    assert "Row 20, support (calc) → scale “Support score”: sum of m1, m2" in text
    assert "Row 21, age_months (calc) skipped: the calculation “[age]*12”" in text
    assert "Row 22, consent_file (file) skipped: a file upload" in text
    assert "6 row(s) left out" in text
    assert not Instrument.objects.exists()


def _every_kind(program) -> Instrument:
    """An instrument holding every kind of item medmentor has, every form of show-if,
    section text, a matrix and both kinds of scale."""
    instrument = Instrument.objects.create(program=program, title="All kinds", consent_text="x")

    def item(key, kind, page=1, **fields):
        return Item.objects.create(
            instrument=instrument,
            key=key,
            kind=kind,
            order=instrument.items.count(),
            page=page,
            text=f"Question {key}",
            **fields,
        )

    likert = item("lik", ItemKind.LIKERT, points=5, anchors=["SD", "D", "N", "A", "SA"],
                  section_header="Part one\n\nAbout teaching", required=True)  # fmt: skip
    item("lik7", ItemKind.LIKERT, points=7, matrix_group="grid")
    item("lik7b", ItemKind.LIKERT, points=7, matrix_group="grid")
    number = item("num", ItemKind.NUMERIC, numeric_max=10)
    yes = item("yn", ItemKind.YES_NO)
    single = item("one", ItemKind.SINGLE, choices=[["1", "A"], ["2", "B"], ["x", "Other"]])
    many = item("many", ItemKind.MULTIPLE, choices=[["1", "A"], ["2", "B"], ["3", "C"]])
    item("txt", ItemKind.TEXT)
    item("if_one", ItemKind.TEXT, page=2, show_if_item=single, show_if_values=["1", "x"])
    item("if_many", ItemKind.TEXT, page=2, show_if_item=many, show_if_values=["2", "3"])
    item("if_yes", ItemKind.NUMERIC, page=2, numeric_max=5, show_if_item=yes,
         show_if_values=["1"])  # fmt: skip
    item("if_lik", ItemKind.TEXT, page=2, show_if_item=likert, show_if_values=["4", "5"])
    item("if_num", ItemKind.TEXT, page=2, show_if_item=number, show_if_values=["0"])
    for name, scoring, keys in (
        ("Teaching total", ScaleScoring.SUM, ["lik7", "lik7b"]),
        ("Teaching mean", ScaleScoring.MEAN, ["lik7", "lik7b"]),
    ):
        scale = Scale.objects.create(
            instrument=instrument, name=name, scoring=scoring, item_min=1, item_max=7
        )
        for key in keys:
            scale.scale_items.create(item=instrument.items.get(key=key))
    return instrument


def test_export_import_export_is_identical_for_every_kind_medmentor_holds(program):
    original = _every_kind(program)
    first = redcap_dictionary(instrument=original)

    copy = redcap_dictionary_import(
        program=program, title=original.title, content=first.encode(), by=SYSTEM
    )

    assert redcap_dictionary(instrument=copy) == first
    fields = ("key", "kind", "text", "required", "points", "anchors", "numeric_max", "choices",
              "show_if_values", "section_header", "matrix_group", "page")  # fmt: skip
    assert list(copy.items.values_list(*fields)) == list(original.items.values_list(*fields))
    assert list(copy.scales.values_list("name", "scoring", "item_min", "item_max")) == list(
        original.scales.values_list("name", "scoring", "item_min", "item_max")
    )


def test_the_export_writes_checkbox_show_if_as_redcap_does(program):
    content = redcap_dictionary(instrument=_every_kind(program))

    assert ",[many(2)] = '1' or [many(3)] = '1'," in content
    assert "[one] = '1' or [one] = 'x'" in content
    assert "medmentor:likert" in content
    assert '"sum([lik7], [lik7b])"' in content and '"mean([lik7], [lik7b])"' in content


def test_the_import_page_checks_a_dictionary_row_by_row_and_creates_nothing(
    client, program, director
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from tests.conftest import sign_in

    sign_in(client, director)
    page = client.post(
        reverse("survey-redcap-import", kwargs={"slug": program.slug}),
        {
            "title": "Baseline",
            "dry_run": "1",
            "dictionary": SimpleUploadedFile("baseline.csv", dictionary(*EVERY_TYPE)),
        },
    )

    assert page.status_code == 200
    text = page.content.decode()
    assert "what each row would become" in text
    assert "<code>support</code></td><td>calc</td><td>scale “Support score”: sum of m1, m2" in text
    assert "<strong>Left out:</strong> a file upload" in text
    assert not Instrument.objects.exists()
