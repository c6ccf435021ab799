"""The survey console verbs: survey-list, survey-export, survey-import-redcap and
survey-invite, each over the same selectors, exports and services as the pages."""

import datetime
import io
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from medmentor.__main__ import main
from medmentor.messaging.models import OutboxMessage
from medmentor.messaging.services import outbox_deliver_due
from medmentor.programs.models import Enrollment, Program, Role
from medmentor.surveys.demo import survey_demo_load
from medmentor.surveys.exports import REDCAP_COLUMNS, redcap_dictionary
from medmentor.surveys.invitations import survey_emails_enqueue_due
from medmentor.surveys.models import Instrument, Invitation, Item
from tests.conftest import sign_in
from tests.surveys.conftest import make_survey

pytestmark = pytest.mark.usefixtures("fast_passwords")


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def demo_survey(program, junior, senior, other_junior, other_senior):
    return survey_demo_load(program=program, today=datetime.date(2026, 11, 27))


@pytest.fixture
def other_program(program):
    return Program.objects.create(
        name="Other program",
        slug="other",
        kind=program.kind,
        institution=program.institution,
        service=program.service,
        starts_on=program.starts_on,
    )


# --- survey-list ------------------------------------------------------------------------


def test_list_shows_each_survey_with_counts_per_wave_and_nobody_s_name(demo_survey):
    out, _ = run("survey_list", demo_survey.program.slug)
    assert f"{demo_survey.pk}  {demo_survey.title}  [Coded" in out
    # The demo: 4 learners invited to each wave, 7 pre and 6 post answers, no refusals;
    # more answers than invitations give no rate.
    pre = next(line for line in out.splitlines() if line.strip().startswith("Pre "))
    post = next(line for line in out.splitlines() if line.strip().startswith("Post "))
    assert pre.split()[-4:] == ["4", "7", "0", "—"]
    assert post.split()[-4:] == ["4", "6", "0", "—"]
    assert "2026-11-16 – " in post  # the post wave opens the Monday a week before
    for person in ("Jo Junior", "junior@lakeside.test", "Sam Senior", "senior@lakeside.test"):
        assert person not in out


def test_list_of_a_program_without_surveys_says_so(program):
    out, _ = run("survey_list", program.slug)
    assert out == "Nuclear Medicine must-see case has no surveys yet.\n"


def test_list_names_an_unknown_program_and_lists_the_programs(program):
    with pytest.raises(CommandError, match="No program called “nope”. Programs: nm-must-see."):
        run("survey_list", "nope")


# --- survey-export ----------------------------------------------------------------------


def _page_content(client, director, survey, kind: str) -> bytes:
    sign_in(client, director)
    slug = survey.program.slug
    if kind == "pdf":
        url = reverse("survey-report-pdf", kwargs={"slug": slug, "instrument_id": survey.pk})
    else:
        url = reverse(
            "survey-export", kwargs={"slug": slug, "instrument_id": survey.pk, "kind": kind}
        )
    response = client.get(url)
    assert response.status_code == 200
    return response.content


@pytest.mark.parametrize("kind", ["long", "wide", "redcap-dictionary", "redcap-data", "pdf"])
def test_export_writes_the_same_bytes_as_the_page(client, demo_survey, director, tmp_path, kind):
    out = tmp_path / f"survey.{kind}"
    printed, _ = run("survey_export", demo_survey.program.slug, str(demo_survey.pk), kind, str(out))
    assert out.read_bytes() == _page_content(client, director, demo_survey, kind)
    assert f"Wrote the {kind} export of “{demo_survey.title}” to {out}" in printed


def test_export_to_a_dash_prints_the_csv_alone(client, demo_survey, director):
    printed, _ = run("survey_export", demo_survey.program.slug, str(demo_survey.pk), "wide", "-")
    assert printed.encode() == _page_content(client, director, demo_survey, "wide")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["nope", "{id}", "long"], "No program called “nope”. Programs: nm-must-see, other."),
        (["nm-must-see", "abc", "long"], "No survey “abc” in .*Surveys .id and title.: {id} “"),
        (["nm-must-see", "{other_id}", "long"], "No survey “{other_id}” in"),
        (
            ["nm-must-see", "{id}", "spss"],
            "No export called “spss”. Kinds: long, wide, redcap-dictionary, redcap-data, pdf.",
        ),
    ],
)
def test_export_refuses_an_unknown_program_survey_or_kind_and_writes_nothing(
    demo_survey, other_program, tmp_path, args, words
):
    other = make_survey(other_program)
    ids = {"id": demo_survey.pk, "other_id": other.pk}
    out = tmp_path / "out.csv"
    with pytest.raises(CommandError, match=words.format(**ids)):
        run("survey_export", *(arg.format(**ids) for arg in args), str(out))
    assert not out.exists()


def test_export_of_a_pdf_to_a_dash_is_refused(demo_survey):
    with pytest.raises(CommandError, match="The PDF is not text: give a file"):
        run("survey_export", demo_survey.program.slug, str(demo_survey.pk), "pdf", "-")


def test_export_to_a_folder_that_does_not_exist_is_named(demo_survey, tmp_path):
    out = tmp_path / "missing" / "long.csv"
    with pytest.raises(CommandError, match=f"Cannot write {out}"):
        run("survey_export", demo_survey.program.slug, str(demo_survey.pk), "long", str(out))


def test_export_verb_with_dashes_exits_1_on_an_unknown_kind(
    demo_survey, tmp_path, monkeypatch, capsys
):
    argv = ["medmentor", "survey-export", "nm-must-see", str(demo_survey.pk), "x", "-"]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 1
    assert "No export called “x”" in capsys.readouterr().err


# --- survey-import-redcap ---------------------------------------------------------------


@pytest.fixture
def dictionary(demo_survey, tmp_path):
    path = tmp_path / "reverse_mentoring.csv"
    path.write_bytes(redcap_dictionary(instrument=demo_survey).encode())
    return path


def test_import_creates_a_survey_with_the_dictionary_s_questions(demo_survey, dictionary):
    out, _ = run("survey_import_redcap", "nm-must-see", str(dictionary), "--anonymity", "anonymous")
    created = Instrument.objects.exclude(pk=demo_survey.pk).get()
    assert (created.title, created.anonymity) == ("Reverse mentoring", "anonymous")
    assert list(created.items.values_list("key", "text")) == list(
        demo_survey.items.values_list("key", "text")
    )
    assert "Created the survey “Reverse mentoring” (anonymous) in" in out
    assert f"id {created.pk}, with {demo_survey.items.count()} question(s)" in out


def test_import_dry_run_shows_the_questions_and_creates_nothing(demo_survey, dictionary):
    out, _ = run(
        "survey_import_redcap", "nm-must-see", str(dictionary), "--title", "Copy", "--dry-run"
    )
    assert "conf_1" in out and "session_minutes" in out
    count = demo_survey.items.count()
    assert "would create the survey “Copy” (coded)" in out
    assert f"with {count} question(s). Nothing was written." in out
    assert Instrument.objects.count() == 1
    assert Item.objects.count() == count


def _dictionary_file(tmp_path, *rows: list[str]):
    path = tmp_path / "bad.csv"
    lines = [REDCAP_COLUMNS, *[row + [""] * (18 - len(row)) for row in rows]]
    path.write_text("\n".join(",".join(f'"{v}"' for v in line) for line in lines))
    return path


def test_a_bad_dictionary_names_the_row_and_column_and_creates_nothing(program, tmp_path):
    path = _dictionary_file(
        tmp_path,
        ["age", "f", "", "text", "Your age"],
        ["mood", "f", "", "matrix", "How are you?"],
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="bad.csv was refused; no survey was created.") as failed:
        call_command("survey_import_redcap", program.slug, str(path), stderr=err)
    assert failed.value.returncode == 1
    assert "Row 3, column “Field Type”: “matrix” is not a REDCap field type" in err.getvalue()
    assert not Instrument.objects.exists() and not Item.objects.exists()


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--anonymity", "secret"], "“secret” is not an anonymity mode. Modes: identified, coded"),
        (["--title", "  "], "--title is empty"),
    ],
)
def test_import_refuses_a_bad_option_and_creates_nothing(program, dictionary, extra, words):
    before = Instrument.objects.count()
    with pytest.raises(CommandError, match=words):
        run("survey_import_redcap", program.slug, str(dictionary), *extra)
    assert Instrument.objects.count() == before


def test_import_of_a_missing_file_is_named(program):
    with pytest.raises(CommandError, match="Cannot read /nonexistent/d.csv"):
        run("survey_import_redcap", program.slug, "/nonexistent/d.csv")


# --- survey-invite ----------------------------------------------------------------------


@pytest.fixture
def everyone(director, coordinator, faculty, researcher, senior, other_senior, junior):
    return None


def test_invite_the_learners_by_default_and_each_gets_exactly_one_email(
    smtp_server, survey, everyone
):
    out, _ = run("survey_invite", "nm-must-see", str(survey.pk), "pre")
    assert "Invited 3 new people to the pre wave of" in out
    assert "0 already had an invitation" in out
    assert "Senior (mentor): 2 enrolled, 2 invited" in out
    wave = survey.waves.get(kind="pre")
    assert set(wave.invitations.values_list("person__email", flat=True)) == {
        "junior@lakeside.test",
        "senior@lakeside.test",
        "senior2@lakeside.test",
    }

    # The worker's two steps: queue the due invitations in the outbox, then send it.
    survey_emails_enqueue_due(now=timezone.now())
    assert OutboxMessage.objects.filter(key__startswith="survey:").count() == 3
    outbox_deliver_due(worker_name="test")
    # Running the command again invites nobody twice, so nobody is emailed twice.
    out, _ = run("survey_invite", "nm-must-see", str(survey.pk), "pre")
    assert "Invited 0 new people" in out and "3 already had an invitation" in out
    survey_emails_enqueue_due(now=timezone.now())
    outbox_deliver_due(worker_name="test")
    assert sorted(message["To"].addresses[0].addr_spec for message in smtp_server.messages) == [
        "junior@lakeside.test",
        "senior2@lakeside.test",
        "senior@lakeside.test",
    ]


def test_invite_chosen_roles_counts_someone_with_two_roles_once(survey, everyone, senior):
    Enrollment.objects.create(program=survey.program, person=senior, role=Role.RESEARCHER)
    run("survey_invite", "nm-must-see", str(survey.pk), "post", "--roles", "senior")
    out, _ = run(
        "survey_invite", "nm-must-see", str(survey.pk), "post", "--roles", "researcher, senior"
    )
    assert "Invited 1 new person to the post wave" in out  # the researcher
    assert "2 already had an invitation and were left as before" in out
    assert survey.waves.get(kind="post").invitations.count() == 3


@pytest.mark.parametrize(
    ("wave", "roles", "words"),
    [
        ("pre", "junior,janitor", "“janitor” is not a role in a program. Roles: director,"),
        ("pre", ",", "Choose at least one role to invite."),
        ("during", "junior", "No wave “during” in .*Waves: pre .id \\d+., post .id \\d+."),
    ],
)
def test_invite_refuses_bad_roles_or_wave_and_invites_nobody(survey, everyone, wave, roles, words):
    with pytest.raises(CommandError, match=words):
        run("survey_invite", "nm-must-see", str(survey.pk), wave, "--roles", roles)
    assert not Invitation.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_invite_says_a_closed_wave_sends_no_email(survey, junior):
    wave = survey.waves.get(kind="pre")
    wave.opens_at = timezone.now() - datetime.timedelta(days=30)
    wave.closes_at = timezone.now() - datetime.timedelta(days=2)
    wave.save()
    out, _ = run("survey_invite", "nm-must-see", str(survey.pk), str(wave.pk))
    assert "Invited 1 new person" in out
    assert "This wave closed on" in out
    assert survey_emails_enqueue_due(now=timezone.now()) == 0
