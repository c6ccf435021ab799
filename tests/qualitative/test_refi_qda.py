"""The REFI-QDA file layer (medmentor.qualitative.refi_qda), no database: what we write
validates against the published schemas, what other tools write reads, and every broken
or hostile file is refused with a message that says where."""

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from medmentor.qualitative import refi_qda
from medmentor.qualitative.refi_qda import RefiQdaError

U1 = "AD68FBE7-E1EE-4A82-A279-23CC698C89EB"
U2 = "a5de7584-8296-418b-a322-136f77adf87b"
PARENT = "{5215cc69-b628-4e02-afb9-9beeaee55808}"
CHILD = "d7aa29da-519b-4946-9b90-253b6db8fd0a"
SOURCE = "11e0d4d7-4de8-4501-a82f-653d3e5d1c15"

# Accented names and an emoji: "😀" is one Unicode code point (two UTF-16 units, four
# UTF-8 bytes). REFI-QDA counts code points from 0, end exclusive (section 10.2, Annex A).
TEXT = "Zoë: J'ai adoré 😀 la révision.\nJosé Núñez: Moi aussi, c'était sûr."
#       0123456789...
# Written as numbers, as another tool's file holds them: "José" starts after 31 code
# points (32 UTF-16 units, 38 UTF-8 bytes), the emoji after 16.
JOSE_START = 31
SMILE_START = 16


def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(refi_qda.SCHEMA_DIR / name)))


def qdpx(members: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content.encode("utf-8") if isinstance(content, str) else content)
    return buffer.getvalue()


def qde(body: str, *, namespace: str = "urn:QDA-XML:project:1.0") -> str:
    return f"""<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<Project xmlns="{namespace}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 origin="ATLAS.ti 8.4.0 573" name="Focus groups" creatingUserGUID="{U1}"
 creationDateTime="2018-03-27T17:46:39Z"
 xsi:schemaLocation="urn:QDA-XML:project:1.0 http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd">
{body}
</Project>"""


USERS = f"""<Users>
  <User guid="{U1}" name="Friedrich Markgraf"/>
  <User guid="{U2}" name="Sebastián Peña"/>
</Users>"""
CODEBOOK = f"""<CodeBook><Codes>
  <Code guid="{PARENT}" name="Learning" isCodable="false">
    <Code guid="{CHILD}" name="Safe space 😀" isCodable="true" color="#3c3">
      <Description>Feeling free to be wrong</Description>
    </Code>
  </Code>
</Codes></CodeBook>"""


def tool_project(
    *, start: int = JOSE_START, end: int = JOSE_START + 10, users: str = USERS
) -> bytes:
    """A .qdpx shaped as ATLAS.ti and QualCoder write them: upper-case member names, a
    byte order mark on the text, braces around a GUID."""
    body = f"""{users}
{CODEBOOK}
<Sources>
  <TextSource guid="{SOURCE}" name="Focus group 1.docx"
   plainTextPath="internal://{SOURCE.upper()}.txt" creatingUser="{U1}">
    <PlainTextSelection guid="4191294a-e287-4510-95b0-69bce4638e56" name="José Núñez"
     startPosition="{start}" endPosition="{end}" creatingUser="{U2}">
      <Coding guid="445a6aec-1400-4502-919d-0867832ff211" creatingUser="{U2}">
        <CodeRef targetGUID="{CHILD}"/>
      </Coding>
    </PlainTextSelection>
  </TextSource>
</Sources>"""
    return qdpx(
        {
            "Project.qde": qde(body),
            f"Sources/{SOURCE.upper()}.TXT": "\ufeff" + TEXT,
        }
    )


def test_a_project_written_by_another_tool_reads_with_code_point_positions():
    project = refi_qda.qdpx_unpack(tool_project())

    assert [user.name for user in project.users] == ["Friedrich Markgraf", "Sebastián Peña"]
    (parent,) = project.codes
    assert parent.guid == "5215cc69-b628-4e02-afb9-9beeaee55808"  # braces gone, lower case
    assert parent.is_codable is False
    assert [(child.name, child.color) for child in parent.children] == [("Safe space 😀", "#3c3")]
    (source,) = project.sources
    assert source.text == TEXT  # the byte order mark is not part of the text
    (selection,) = source.selections
    assert source.text[selection.start : selection.end] == "José Núñez"
    assert selection.codings[0].creating_user == U2


def test_positions_count_code_points_not_bytes_nor_utf16_units():
    smile = tool_project(start=SMILE_START, end=SMILE_START + 1)
    (selection,) = refi_qda.qdpx_unpack(smile).sources[0].selections
    assert TEXT[selection.start : selection.end] == "😀"
    # Read back after our own export: the same positions, the same characters.
    project = refi_qda.qdpx_unpack(smile)
    again = refi_qda.qdpx_unpack(refi_qda.qdpx_pack(project))
    (selection,) = again.sources[0].selections
    assert (selection.start, selection.end) == (SMILE_START, SMILE_START + 1)
    assert again.sources[0].text[selection.start : selection.end] == "😀"


def test_our_export_validates_against_the_published_project_schema():
    project = refi_qda.qdpx_unpack(tool_project())
    project.notes.append(refi_qda.Note(guid="ce15250d-46ad-42c2-bfd2-a509b8d64ec8", text="A memo"))
    project.sources[0].note_guids.append("ce15250d-46ad-42c2-bfd2-a509b8d64ec8")
    project.sets.append(
        refi_qda.Set(guid=SOURCE.replace("1", "2"), name="Theme", member_codes=[CHILD])
    )
    content = refi_qda.qdpx_pack(project)

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        document = etree.fromstring(archive.read("project.qde"))
        text = archive.read(f"sources/{SOURCE}.txt")
    assert names == ["project.qde", f"sources/{SOURCE}.txt"]
    checker = schema("Project-mrt2019.xsd")
    assert checker.validate(document), checker.error_log
    assert text == TEXT.encode("utf-8")  # UTF-8, no byte order mark
    source = document.find("{urn:QDA-XML:project:1.0}Sources/{urn:QDA-XML:project:1.0}TextSource")
    assert source.get("plainTextPath") == f"internal://{SOURCE}.txt"


def test_a_project_that_fails_the_schema_is_refused_with_line_and_element():
    body = f"""{USERS}
<CodeBook><Codes>
  <Code guid="{CHILD}" name="No isCodable"/>
</Codes></CodeBook>"""
    with pytest.raises(RefiQdaError) as refused:
        refi_qda.qdpx_unpack(qdpx({"project.qde": qde(body)}))
    problems = refused.value.problems
    assert problems[0] == (
        "project.qde does not follow the REFI-QDA schema (Project-mrt2019.xsd); "
        "nothing was imported."
    )
    message = "\n".join(problems)
    assert "project.qde line 11" in message
    assert "Element 'Code'" in message and "isCodable" in message


def test_an_older_draft_namespace_is_refused_by_the_schema():
    with pytest.raises(RefiQdaError, match="schema"):
        refi_qda.qdpx_unpack(
            qdpx({"project.qde": qde(USERS, namespace="urn:QDA-XML:project:0:10")})
        )


def test_a_zip_without_project_qde_is_refused():
    with pytest.raises(RefiQdaError, match="has no project.qde"):
        refi_qda.qdpx_unpack(qdpx({"sources/a.txt": "text"}))


def test_a_file_that_is_not_a_zip_is_refused():
    with pytest.raises(RefiQdaError, match="not a .qdpx"):
        refi_qda.qdpx_unpack(b"<Project/>")


def test_a_selection_beyond_the_text_is_refused_naming_it():
    with pytest.raises(RefiQdaError) as refused:
        refi_qda.qdpx_unpack(tool_project(start=60, end=len(TEXT) + 1))
    (problem,) = refused.value.problems
    assert "4191294a-e287-4510-95b0-69bce4638e56" in problem
    assert f"the text has {len(TEXT)} characters" in problem


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/passwd", "sources/../../x", "C:/x.txt"])
def test_member_names_that_leave_the_archive_are_refused(name):
    content = qdpx({"project.qde": qde(USERS), name: "x"})
    with pytest.raises(RefiQdaError, match="points outside the project"):
        refi_qda.qdpx_unpack(content)


def test_a_source_path_that_leaves_the_sources_folder_is_refused():
    body = f"""<Sources><TextSource guid="{SOURCE}" name="x"
      plainTextPath="internal://../project.qde"/></Sources>"""
    with pytest.raises(RefiQdaError, match="not a plain file name"):
        refi_qda.qdpx_unpack(qdpx({"project.qde": qde(body)}))


def test_a_missing_source_file_and_an_unknown_code_are_named():
    body = f"""{CODEBOOK}<Sources><TextSource guid="{SOURCE}" name="Interview"
      plainTextPath="internal://{SOURCE}.txt"/>
      <TextSource guid="{U2}" name="Inline"><PlainTextContent>Hello there</PlainTextContent>
      <PlainTextSelection guid="{U1}" startPosition="0" endPosition="5">
      <Coding guid="445a6aec-1400-4502-919d-0867832ff211">
      <CodeRef targetGUID="0dcef2f5-e55c-49da-8c33-9b0803c7aeb4"/></Coding>
      </PlainTextSelection></TextSource></Sources>"""
    with pytest.raises(RefiQdaError) as refused:
        refi_qda.qdpx_unpack(qdpx({"project.qde": qde(body)}))
    message = "\n".join(refused.value.problems)
    assert f"the .qdpx has no sources/{SOURCE}.txt" in message
    assert "0dcef2f5-e55c-49da-8c33-9b0803c7aeb4, which is not in the codebook" in message


def test_entities_and_external_references_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    xml = f"""<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY leak SYSTEM "file://{secret}">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="x"><Description>&leak;</Description></Project>"""
    with pytest.raises(RefiQdaError, match="declares a DOCTYPE") as refused:
        refi_qda.qdpx_unpack(qdpx({"project.qde": xml}))
    assert "TOP SECRET" not in str(refused.value)


def test_other_source_kinds_are_reported_as_not_kept():
    body = f"""<Sources><PictureSource guid="{SOURCE}" name="cornflakes.jpg"
      path="internal://{SOURCE}.jpg"/></Sources>"""
    project = refi_qda.qdpx_unpack(qdpx({"project.qde": qde(body)}))
    assert project.sources == []
    assert project.skipped == ["picture source “cornflakes.jpg”"]


def test_a_codebook_round_trips_and_validates_against_the_codebook_schema():
    codes, _sets = refi_qda.codebook_read(
        refi_qda.project_write(refi_qda.qdpx_unpack(tool_project()))
    )
    sets = [refi_qda.Set(guid=U2.lower(), name="Feelings", member_codes=[CHILD])]
    content = refi_qda.codebook_write(codes=codes, sets=sets)

    checker = schema("Codebook.xsd")
    assert checker.validate(etree.fromstring(content)), checker.error_log
    again_codes, again_sets = refi_qda.codebook_read(content)
    assert again_codes == codes
    assert again_sets == sets


def test_the_specification_codebook_example_reads():
    # Annex A.1 of the REFI-QDA 1.5 specification (first codes).
    content = b"""<?xml version="1.0" encoding="UTF-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" xmlns:qda="urn:QDA-XML:codebook:1.0"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 xsi:schemaLocation="urn:QDA-XML:codebook:1.0 http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd">
<Codes>
<Code guid="{5215cc69-b628-4e02-afb9-9beeaee55808}" name="Topics" isCodable="false">
</Code>
<Code guid="{d7aa29da-519b-4946-9b90-253b6db8fd0a}" name="Economy" isCodable="true"
color="#ffff00">
<Description>Anything about jobs or taxes or business</Description>
</Code>
</Codes>
</CodeBook>"""
    codes, sets = refi_qda.codebook_read(content)
    assert [(code.name, code.color, code.description) for code in codes] == [
        ("Topics", "", ""),
        ("Economy", "#ffff00", "Anything about jobs or taxes or business"),
    ]
    assert sets == []


def test_a_codebook_that_fails_its_schema_is_refused():
    content = b"""<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code guid="not-a-guid" name="x" isCodable="true"/></Codes></CodeBook>"""
    with pytest.raises(RefiQdaError, match="codebook.qdc line 2"):
        refi_qda.codebook_read(content)


def test_a_damaged_member_is_refused_as_damaged():
    content = bytearray(tool_project())
    # Corrupt the compressed bytes of the text member (after its local header).
    at = content.index(f"Sources/{SOURCE.upper()}.TXT".encode()) + 60
    content[at : at + 8] = b"\xff" * 8
    with pytest.raises(RefiQdaError, match="damaged"):
        refi_qda.qdpx_unpack(bytes(content))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_corruption_of_a_qdpx_is_read_or_refused_never_a_crash(data):
    content = bytearray(tool_project())
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(content) - 1))
        content[at] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        content = content[: data.draw(st.integers(0, len(content)))]
    try:
        refi_qda.qdpx_unpack(bytes(content))
    except RefiQdaError as refused:
        assert refused.problems and all(isinstance(p, str) and p for p in refused.problems)
