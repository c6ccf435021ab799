"""`medmentor match` and `medmentor import-matching-profiles`: output, exit codes, messages."""

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from medmentor.mentoring.models import MatchingProfile, MatchingRun, Mentorship
from medmentor.mentoring.services import matching_profiles_import
from medmentor.programs.models import Role
from tests.mentoring.matching_cohort import SLUG, one_to_one_program

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.fixture
def cohort(institution, director):
    return one_to_one_program(institution, staff=[(director, Role.DIRECTOR)])


def match(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("match", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_dry_run_prints_the_draft_and_keeps_nothing(cohort):
    out, err = match(SLUG, "--objective", "optimal", "--dry-run")

    assert "Optimal (highest total compatibility): 3 of 3 mentees matched" in out
    assert "stable   matched     3" in out
    assert "Ana Mentee and Mara Mentor: score" in out
    assert "Olu Mentor (mentor): no mentee at least 2 training levels below" in out
    assert "Dry run: nothing was kept." in out
    assert "Building the market" in err and "6/6" in err
    assert not MatchingRun.objects.exists()


def test_publish_from_the_console(cohort):
    out, _ = match(SLUG, "--publish")

    assert "Published: 3 mentorships in force" in out
    assert Mentorship.objects.count() == 3


@pytest.mark.parametrize(
    ("change", "args", "message"),
    [
        ({"capacity": -2}, (), "Mara Mentor (mentor): the capacity must be 0 or more mentees"),
        (
            {"preferences": ["nobody@near-peer.test"]},
            (),
            "Mara Mentor (mentor): the preference “nobody@near-peer.test” names nobody",
        ),
        ({}, ("--min-level-gap", "7"), "No feasible answer"),
    ],
)
def test_bad_input_exits_with_a_message_naming_it(cohort, change, args, message):
    MatchingProfile.objects.filter(enrollment__person=cohort.mara).update(**change)

    with pytest.raises(CommandError, match=re.escape(message)):
        match(SLUG, *args)

    assert not MatchingRun.objects.exists()


def test_an_unknown_program_is_named(cohort):
    with pytest.raises(CommandError, match="No program called “nope”"):
        match("nope")


PROFILES = (
    "email,capacity,site,languages,interests,gender,urim,concordance,preferences\n"
    "nate@near-peer.test,2,South,English;French,surgery,man,,,\n"
    "ben@near-peer.test,,South,English,surgery; research,man,no,gender,"
    "nate@near-peer.test; mara@near-peer.test = olu@near-peer.test\n"
)


def test_the_profiles_import_previews_then_writes(cohort):
    preview = matching_profiles_import(
        program=cohort.program, file_name="p.csv", content=PROFILES.encode(), apply=False
    )
    assert preview.ok and not preview.applied
    assert preview.counts == {"create": 0, "update": 2, "unchanged": 0, "error": 0}

    result = matching_profiles_import(
        program=cohort.program, file_name="p.csv", content=PROFILES.encode(), apply=True
    )

    assert result.applied
    nate = MatchingProfile.objects.get(enrollment__person=cohort.nate)
    assert (nate.capacity, nate.languages) == (2, ["English", "French"])
    ben = MatchingProfile.objects.get(enrollment__person=cohort.ben)
    assert ben.concordance == ["gender"]
    assert ben.urim is False
    assert ben.preferences == [
        "nate@near-peer.test",
        ["mara@near-peer.test", "olu@near-peer.test"],
    ]


BAD = (
    "email,capacity,urim,concordance,preferences\n"
    "mara@near-peer.test,-1,,,\n"
    "ana@near-peer.test,,maybe,charm,zed@near-peer.test\n"
    "stranger@near-peer.test,,,,\n"
)


def test_the_profiles_import_names_each_bad_cell_and_writes_nothing(cohort):
    before = list(MatchingProfile.objects.values())

    result = matching_profiles_import(
        program=cohort.program, file_name="p.csv", content=BAD.encode(), apply=True
    )

    assert not result.applied
    assert [str(error) for error in result.errors] == [
        "Row 2, column capacity: capacity must be a whole number from 0 to 100, not “-1”",
        "Row 3, column urim: write yes, no, or leave blank (not shared)",
        "Row 3, column concordance: “charm” is not an identity attribute; use gender, "
        "urim, first_generation",
        "Row 3, column preferences: zed@near-peer.test is not a mentor in this program",
        "Row 4, column email: stranger@near-peer.test is not a mentor (senior) or mentee "
        "(junior) in this program; import the roster first",
    ]
    assert list(MatchingProfile.objects.values()) == before


def test_the_profiles_command_refuses_a_bad_file(cohort, tmp_path):
    path = tmp_path / "profiles.csv"
    path.write_text(BAD)

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "import_matching_profiles", SLUG, str(path), stdout=io.StringIO(), stderr=io.StringIO()
        )


def test_a_profile_text_longer_than_its_column_is_refused_naming_the_limit(cohort):
    long_gender = "x" * 61
    content = f"email,gender\nnate@near-peer.test,{long_gender}\n".encode()
    result = matching_profiles_import(
        program=cohort.program, file_name="p.csv", content=content, apply=True
    )
    assert not result.applied
    (error,) = result.errors
    assert (error.column, error.reason) == ("gender", "longer than 60 characters")
    assert not MatchingProfile.objects.filter(gender=long_gender).exists()


def test_a_person_twice_in_the_profiles_file_is_told_to_keep_one_row(cohort):
    content = b"email,site\nnate@near-peer.test,South\nnate@near-peer.test,North\n"
    result = matching_profiles_import(
        program=cohort.program, file_name="p.csv", content=content, apply=False
    )
    (error,) = result.errors
    assert "is also on row 2. A person has one matching profile: keep one row." in error.reason
