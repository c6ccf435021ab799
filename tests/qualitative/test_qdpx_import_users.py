"""Importing a .qdpx makes accounts only for people whose work it keeps: never for the
QDA program that wrote itself into the Users (ATLAS.ti's "ATLAS.ti"), and the summary
counts the accounts it made."""

import pytest
from django.contrib.auth import get_user_model

from medmentor.qualitative import exchange
from medmentor.qualitative.models import Highlight
from tests.qualitative.test_refi_qda import CHILD, CODEBOOK, JOSE_START, TEXT, qde, qdpx

pytestmark = pytest.mark.usefixtures("fast_passwords")

ATLAS = "11111111-2222-3333-4444-555555555555"
ANA = "ad68fbe7-e1ee-4a82-a279-23cc698c89eb"
BEN = "a5de7584-8296-418b-a322-136f77adf87b"
SOURCE = "11e0d4d7-4de8-4501-a82f-653d3e5d1c15"


def atlas_project(*, atlas_codes: bool = False, name: str = "ATLAS.ti") -> bytes:
    """A project as ATLAS.ti writes it: the program itself is a User, the creator of
    the project and of its source; two people coded."""

    def coding(guid: str, user: str, start: int) -> str:
        return f"""<PlainTextSelection guid="{guid}" startPosition="{start}"
 endPosition="{start + 4}" creatingUser="{user}">
  <Coding guid="{guid[:-4]}aaaa" creatingUser="{user}"><CodeRef targetGUID="{CHILD}"/></Coding>
</PlainTextSelection>"""

    selections = coding("4191294a-e287-4510-95b0-69bce4638e56", ANA, JOSE_START)
    selections += coding("5191294a-e287-4510-95b0-69bce4638e56", BEN, 0)
    if atlas_codes:
        selections += coding("6191294a-e287-4510-95b0-69bce4638e56", ATLAS, 5)
    body = f"""<Users>
  <User guid="{ATLAS}" name="{name}"/>
  <User guid="{ANA}" name="Ana Coder"/>
  <User guid="{BEN}" name="Ben Coder"/>
</Users>
{CODEBOOK}
<Sources>
  <TextSource guid="{SOURCE}" name="Focus group" plainTextPath="internal://{SOURCE}.txt"
   creatingUser="{ATLAS}">{selections}</TextSource>
</Sources>"""
    return qdpx({"project.qde": qde(body), f"sources/{SOURCE}.txt": TEXT})


def test_the_program_that_wrote_the_file_gets_no_account_and_the_summary_counts_accounts(
    program, researcher
):
    people_before = get_user_model().objects.count()

    result = exchange.qdpx_import(program=program, content=atlas_project(), by=researcher)

    made = get_user_model().objects.filter(email__endswith="@imported-coders.invalid")
    assert sorted(made.values_list("full_name", flat=True)) == ["Ana Coder", "Ben Coder"]
    assert get_user_model().objects.count() == people_before + 2
    assert not get_user_model().objects.filter(full_name__icontains="atlas").exists()
    assert result.accounts_created == ["Ana Coder", "Ben Coder"]
    assert result.coders == ["Ana Coder", "Ben Coder"]
    assert "2 coders, 2 new accounts for coders" in result.summary()


def test_coding_by_the_program_itself_is_kept_under_the_importer_with_a_notice(program, researcher):
    result = exchange.qdpx_import(
        program=program, content=atlas_project(atlas_codes=True), by=researcher
    )

    assert Highlight.objects.filter(coder=researcher, start=5).count() == 1
    assert len(result.accounts_created) == 2
    assert any("“ATLAS.ti” is the program that wrote the file" in n for n in result.notices)


def test_a_user_who_only_created_the_project_gets_no_account(program, researcher):
    content = atlas_project(name="Project Owner")

    result = exchange.qdpx_import(program=program, content=content, by=researcher)

    assert not get_user_model().objects.filter(full_name="Project Owner").exists()
    assert result.accounts_created == ["Ana Coder", "Ben Coder"]
