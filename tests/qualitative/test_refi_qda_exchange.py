"""Exchange with NVivo, ATLAS.ti, MAXQDA and QualCoder (medmentor.qualitative.exchange):
every export validates against the REFI-QDA schema, export → import → export loses
nothing, a project written by another tool imports, and a bad file changes nothing."""

import io
import zipfile
from collections import defaultdict

import pytest
from django.contrib.auth import get_user_model
from lxml import etree

from medmentor.programs.models import Enrollment, Program, ProgramKind, Role
from medmentor.qualitative import exchange, refi_qda, services
from medmentor.qualitative.models import (
    Adjudication,
    Code,
    CoderAssignment,
    Competency,
    CompetencyMapping,
    Document,
    DocumentKind,
    DocumentStatus,
    Highlight,
    Memo,
    SpeakerTurn,
    Theme,
)
from medmentor.qualitative.refi_qda import RefiQdaError
from tests.conftest import make_person
from tests.qualitative.test_refi_qda import (
    JOSE_START,
    SMILE_START,
    TEXT,
    USERS,
    qde,
    qdpx,
    tool_project,
)

pytestmark = pytest.mark.usefixtures("fast_passwords")

FOCUS_GROUP = (
    "Rae Researcher: ¿Cómo fue la revisión a ciegas?\n"
    "Zoë Åberg: I liked going in blind 😀 — nobody reported back.\n"
    "José Núñez: Teaching made me read more myself."
)


@pytest.fixture
def second_coder(program, institution):
    person = make_person("chloe@lakeside.test", "Chloé Müller", "other", institution)
    Enrollment.objects.create(program=program, person=person, role=Role.RESEARCHER)
    return person


@pytest.fixture
def coded_program(program, researcher, second_coder):
    """A program with nested codes (all four description fields), themes, two documents
    (one with an emoji before a highlight), highlights by two coders and an agreed one,
    and memos on a code, a document, a theme and the program."""
    topic = Code.objects.create(
        program=program, name="Learning climate", is_codable=False, color="#333333"
    )
    safe = Code.objects.create(
        program=program,
        parent=topic,
        name="Safe space ✓",
        color="#2ca02c",
        definition="Feeling free to be wrong.",
        when_to_use="Talk of blind answers, no reporting.",
        when_not_to_use="Physical safety.",
        example="“nobody reported back”",
        position=0,
    )
    teaching = Code.objects.create(
        program=program, parent=topic, name="Learning by teaching", color="#d62728", position=1
    )
    other = Code.objects.create(program=program, name="Workload", color="#abcdef", position=1)
    theme = Theme.objects.create(program=program, name="Psychological safety", description="Ok")
    theme.codes.set([safe, teaching])
    Theme.objects.create(program=program, name="Empty theme", position=1)
    document = Document.objects.create(
        program=program,
        title="Focus group 1 — Zoë",
        kind=DocumentKind.FOCUS_GROUP,
        attributes={"wave": "pre", "site": "Lakeside", "year": 2026, "pilot": True},
        text=FOCUS_GROUP,
        status=DocumentStatus.CODABLE,
        created_by=researcher,
    )
    interview = Document.objects.create(
        program=program,
        title="Interview A",
        kind=DocumentKind.INTERVIEW,
        text="Interviewer: What would you change?\nResident 3: Fewer nights.",
        status=DocumentStatus.CODABLE,
    )
    Document.objects.create(
        program=program, title="Still under review", text="Dr Smith said", status="review"
    )
    blind = FOCUS_GROUP.index("nobody reported back")
    first = Highlight.objects.create(
        document=document, coder=researcher, start=blind, end=blind + 20
    )
    first.codes.set([safe, other])
    second = Highlight.objects.create(
        document=document, coder=second_coder, start=blind - 2, end=blind + 20
    )
    second.codes.set([safe])
    reading = FOCUS_GROUP.index("Teaching")
    agreed = Highlight.objects.create(
        document=document, coder=researcher, start=reading, end=len(FOCUS_GROUP), is_agreed=True
    )
    agreed.codes.set([teaching])
    Adjudication.objects.create(document=document, decided_by=researcher)
    fewer = interview.text.index("Fewer")
    Highlight.objects.create(
        document=interview, coder=second_coder, start=fewer, end=fewer + 12
    ).codes.set([other])
    for person in (researcher, second_coder):
        CoderAssignment.objects.create(document=document, coder=person)
    CoderAssignment.objects.create(document=interview, coder=second_coder)
    Memo.objects.create(
        program=program, author=researcher, title="Code memo", text="¿Y?", code=safe
    )
    Memo.objects.create(program=program, author=second_coder, text="Doc memo", document=document)
    Memo.objects.create(program=program, author=researcher, title="Theme", text="T", theme=theme)
    Memo.objects.create(program=program, author=researcher, title="Journal", text="Day 1\nDay 2")
    CompetencyMapping.objects.create(
        program=program, competency=Competency.PROFESSIONALISM, code=safe
    )
    CompetencyMapping.objects.create(
        program=program, competency=Competency.PATIENT_CARE, theme=theme
    )
    return program


def copy_program(program: Program) -> Program:
    return Program.objects.create(
        name="Copy",
        slug="copy",
        kind=ProgramKind.CASE_REVIEW,
        institution=program.institution,
        starts_on=program.starts_on,
    )


def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(refi_qda.PROJECT_SCHEMA)))


def project_qde(content: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read("project.qde")


def without_times(qde_bytes: bytes) -> bytes:
    root = etree.fromstring(qde_bytes)
    for element in root.iter():
        element.attrib.pop("creationDateTime", None)
    return etree.tostring(root)


def snapshot(program: Program) -> dict:
    """Everything an exchange must keep, keyed by GUID."""
    rows = list(Code.objects.filter(program=program).select_related("parent"))
    # Order among siblings is what a code's `position` means (its number is only a key).
    siblings = defaultdict(list)
    for code in sorted(rows, key=lambda code: (code.position, code.name)):
        siblings[code.parent_id].append(code.pk)
    rank = {pk: index for pks in siblings.values() for index, pk in enumerate(pks)}
    codes = {
        str(code.guid): (
            code.name,
            str(code.parent.guid) if code.parent else None,
            rank[code.pk],
            code.color,
            code.is_codable,
            code.definition,
            code.when_to_use,
            code.when_not_to_use,
            code.example,
        )
        for code in rows
    }
    themes = {
        str(theme.guid): (
            theme.name,
            theme.description,
            theme.position,
            sorted(str(code.guid) for code in theme.codes.all()),
        )
        for theme in Theme.objects.filter(program=program)
    }
    documents = {
        str(document.guid): (
            document.title,
            document.kind,
            document.attributes,
            document.text,
            document.comparison_opened_at,
            getattr(getattr(document, "adjudication", None), "note", None),
        )
        for document in Document.objects.filter(
            program=program, status=DocumentStatus.CODABLE
        ).select_related("adjudication")
    }
    highlights = {
        str(highlight.guid): (
            str(highlight.document.guid),
            highlight.coder.email,
            highlight.start,
            highlight.end,
            highlight.is_agreed,
            sorted(str(code.guid) for code in highlight.codes.all()),
        )
        for highlight in Highlight.objects.filter(document__program=program).select_related(
            "document", "coder"
        )
    }
    memos = {
        str(memo.guid): (
            memo.title,
            memo.text,
            memo.author.email if memo.author else None,
            str(memo.code.guid) if memo.code else None,
            str(memo.theme.guid) if memo.theme else None,
            str(memo.document.guid) if memo.document else None,
        )
        for memo in Memo.objects.filter(program=program).exclude(document__status="review")
    }
    coders = sorted(
        (assignment.document.guid.hex, assignment.coder.email)
        for assignment in CoderAssignment.objects.filter(document__program=program)
    )
    competencies = sorted(
        (mapping.competency, str((mapping.code or mapping.theme).guid))
        for mapping in CompetencyMapping.objects.filter(program=program)
    )
    return {
        "codes": codes,
        "themes": themes,
        "documents": documents,
        "highlights": highlights,
        "memos": memos,
        "coders": coders,
        "competencies": competencies,
    }


def everything() -> dict[str, int]:
    models = (Document, Code, Theme, Memo, Highlight, SpeakerTurn, CoderAssignment)
    counts = {model.__name__: model.objects.count() for model in models}
    counts["Person"] = get_user_model().objects.count()
    return counts


def test_the_export_validates_against_the_schema_and_holds_each_document_as_utf8_text(
    coded_program,
):
    content = exchange.qdpx_export(program=coded_program)

    document = etree.fromstring(project_qde(content))
    checker = schema()
    assert checker.validate(document), checker.error_log
    focus = Document.objects.get(title="Focus group 1 — Zoë")
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = sorted(archive.namelist())
        text = archive.read(f"sources/{focus.guid}.txt").decode("utf-8")
    assert len(names) == 3  # project.qde and the two codable documents, not the one in review
    assert text == FOCUS_GROUP
    ns = {"q": refi_qda.PROJECT_NS}
    agreed = Highlight.objects.get(is_agreed=True)
    (selection,) = document.xpath(f"//q:PlainTextSelection[@guid='{agreed.guid}']", namespaces=ns)
    start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
    # The emoji earlier in the text counts as one position, as in Python.
    assert text[start:end] == "Teaching made me read more myself."
    users = {user.get("name") for user in document.xpath("//q:User", namespaces=ns)}
    assert users == {"Rae Researcher", "Chloé Müller"}


def test_export_import_export_loses_nothing(coded_program):
    before = snapshot(coded_program)
    sizes = {key: len(value) for key, value in before.items()}
    assert sizes == {
        "codes": 4,
        "themes": 2,
        "documents": 2,
        "highlights": 4,
        "memos": 4,
        "coders": 3,
        "competencies": 2,
    }
    first = exchange.qdpx_export(program=coded_program)

    result = exchange.qdpx_import(
        program=coded_program,
        content=first,
        by=coded_program.enrollments.first().person,
        replace=True,
    )

    assert result.applied
    assert result.notices == []
    assert snapshot(coded_program) == before
    second = exchange.qdpx_export(program=coded_program)
    assert without_times(project_qde(second)) == without_times(project_qde(first))


def test_a_project_shaped_like_atlas_ti_or_qualcoder_imports(program, researcher):
    note = "ce15250d-46ad-42c2-b0d2-a509b8d64ec8"
    code_note = "e41be463-fdf3-4ed0-b668-119c53d8d687"
    source = "11e0d4d7-4de8-4501-a82f-653d3e5d1c15"
    other_source = "69a4332d-5b31-4915-b520-5275cfc21b40"
    variable = "1f4c0f76-3fd4-4c8f-8f44-4c1a31a51f3e"
    body = f"""<Users>
  <User guid="AD68FBE7-E1EE-4A82-A279-23CC698C89EB" name="Friedrich Markgraf"/>
  <User guid="A5DE7584-8296-418B-A322-136F77ADF87B" name="Rae Researcher"/>
</Users>
<CodeBook><Codes>
  <Code guid="{{5215CC69-B628-4E02-AFB9-9BEEAEE55808}}" name="Feelings" isCodable="false">
    <Code guid="D7AA29DA-519B-4946-9B90-253B6DB8FD0A" name="happiness" isCodable="true"
     color="#F00082">
      <Description>joy, delight</Description>
      <NoteRef targetGUID="{code_note}"/>
      <Code guid="0dcef2f5-e55c-49da-8c33-9b0803c7aeb4" name="serene" isCodable="true"
       color="#3c3"/>
    </Code>
  </Code>
  <Code guid="7c108712-b650-4892-ac0b-fc9a10190c3b" name="Coke::diet Coke" isCodable="true"/>
</Codes></CodeBook>
<Variables>
  <Variable guid="{variable}" name="gender" typeOfVariable="Text"/>
</Variables>
<Sources>
  <TextSource guid="{source}" name="Mabêl 2ième.docx" plainTextPath="internal://{source}.txt"
   richTextPath="internal://B5566006-EB5F-43F0-9BC2-DBCD4D2F73F7.docx"
   creatingUser="AD68FBE7-E1EE-4A82-A279-23CC698C89EB" creationDateTime="2018-03-27T18:01:07Z">
    <PlainTextSelection guid="4191294A-E287-4510-95B0-69BCE4638E56" name="José Núñez"
     startPosition="{JOSE_START}" endPosition="{JOSE_START + 10}"
     creatingUser="AD68FBE7-E1EE-4A82-A279-23CC698C89EB" creationDateTime="2018-03-27T19:29:27Z">
      <Description>Mabel is not the only one</Description>
      <Coding guid="445A6AEC-1400-4502-919D-0867832FF211"
       creatingUser="AD68FBE7-E1EE-4A82-A279-23CC698C89EB" creationDateTime="2018-03-27T19:29:27Z">
        <CodeRef targetGUID="D7AA29DA-519B-4946-9B90-253B6DB8FD0A"/>
      </Coding>
      <Coding guid="2284BF5B-8F78-45B6-A6EF-A128D991408B"
       creatingUser="A5DE7584-8296-418B-A322-136F77ADF87B">
        <CodeRef targetGUID="0dcef2f5-e55c-49da-8c33-9b0803c7aeb4"/>
      </Coding>
    </PlainTextSelection>
    <PlainTextSelection guid="2F24EA88-C6A7-482B-8F89-893EF66D7A21" name="😀"
     startPosition="{SMILE_START}" endPosition="{SMILE_START + 1}"
     creatingUser="A5DE7584-8296-418B-A322-136F77ADF87B">
      <Coding guid="89B9918E-4209-4FE0-BEA0-0C7FF56D67A4"
       creatingUser="A5DE7584-8296-418B-A322-136F77ADF87B">
        <CodeRef targetGUID="0dcef2f5-e55c-49da-8c33-9b0803c7aeb4"/>
      </Coding>
    </PlainTextSelection>
    <NoteRef targetGUID="{note}"/>
    <VariableValue>
      <VariableRef targetGUID="{variable}"/><TextValue>female</TextValue>
    </VariableValue>
  </TextSource>
  <TextSource guid="{other_source}" name="Simon.txt">
    <PlainTextContent>Simon: I had Coke for breakfast.</PlainTextContent>
  </TextSource>
  <PictureSource guid="02255470-09E6-400B-9E20-97D71FBEC65D" name="cornflakes-n-milk.jpg"
   path="internal://87EAD86F-3112-4537-8A01-01427CAE1C6D.jpg"/>
</Sources>
<Notes>
  <Note guid="{note}" name="Research Plan" creatingUser="AD68FBE7-E1EE-4A82-A279-23CC698C89EB">
    <Description>day to day log</Description>
    <PlainTextContent>This is a great project.</PlainTextContent>
  </Note>
  <Note guid="{code_note}" name="On happiness">
    <PlainTextContent>Often with food.</PlainTextContent>
  </Note>
</Notes>
<Links>
  <Link guid="7B56978E-9D9F-4D47-B4EC-436E2F6B8BE5" originGUID="{note}" targetGUID="{source}"/>
</Links>
<Sets>
  <Set guid="2324B638-D629-4970-B2E8-8B5BFD0A8D6B" name="positive feelings">
    <MemberCode targetGUID="D7AA29DA-519B-4946-9B90-253B6DB8FD0A"/>
    <MemberCode targetGUID="0dcef2f5-e55c-49da-8c33-9b0803c7aeb4"/>
  </Set>
  <Set guid="C29B5DB8-2ED6-406B-BFD2-68E8E273C1E9" name="Mabel">
    <MemberSource targetGUID="{source}"/>
  </Set>
</Sets>"""
    content = qdpx(
        {
            "project.qde": qde(body),
            f"sources/{source}.txt": "\ufeff" + TEXT,
            "sources/87EAD86F-3112-4537-8A01-01427CAE1C6D.jpg": b"\xff\xd8\xff",
        }
    )

    result = exchange.qdpx_import(program=program, content=content, by=researcher)

    assert result.applied
    assert (result.documents, result.codes, result.themes, result.highlights) == (2, 4, 1, 3)
    feelings = Code.objects.get(program=program, name="Feelings")
    happiness = Code.objects.get(guid="d7aa29da-519b-4946-9b90-253b6db8fd0a")
    serene = Code.objects.get(name="serene")
    assert (feelings.is_codable, happiness.parent, serene.parent) == (False, feelings, happiness)
    assert (happiness.color, serene.color, happiness.definition) == (
        "#f00082",
        "#33cc33",
        "joy, delight",
    )
    mabel = Document.objects.get(guid=source)
    assert mabel.text == TEXT and mabel.attributes == {"gender": "female"}
    assert mabel.status == DocumentStatus.CODABLE
    # Two coders on one selection: one highlight each, both on "José Núñez".
    jose = Highlight.objects.filter(document=mabel, start=JOSE_START).select_related("coder")
    assert {(h.coder.full_name, mabel.text[h.start : h.end]) for h in jose} == {
        ("Friedrich Markgraf", "José Núñez"),
        ("Rae Researcher", "José Núñez"),
    }
    smile = Highlight.objects.get(document=mabel, start=SMILE_START)
    assert mabel.text[smile.start : smile.end] == "😀"
    assert smile.coder == researcher  # matched by name: a researcher of this program
    markgraf = get_user_model().objects.get(full_name="Friedrich Markgraf")
    assert not markgraf.is_active and not markgraf.has_usable_password()
    assert set(Theme.objects.get(program=program).codes.all()) == {happiness, serene}
    plan = Memo.objects.get(title="Research Plan")
    assert (plan.document, plan.author) == (mabel, markgraf)
    assert plan.text == "day to day log\n\nThis is a great project."
    assert Memo.objects.get(title="On happiness").code == happiness
    assert Memo.objects.get(document=mabel, title__startswith="Comment on").text == (
        "Mabel is not the only one"
    )
    assert SpeakerTurn.objects.filter(document=mabel).count() == 2
    notices = "\n".join(result.notices)
    assert "picture source “cornflakes-n-milk.jpg”" in notices
    assert "1 link(s)" in notices
    assert "Set “Mabel” groups 1 source(s)" in notices
    assert "Friedrich Markgraf" in notices

    # And what came in goes out again valid, with the other tool's GUIDs.
    again = etree.fromstring(project_qde(exchange.qdpx_export(program=program)))
    assert schema().validate(again)
    assert again.xpath(
        "//q:User[@guid='ad68fbe7-e1ee-4a82-a279-23cc698c89eb']",
        namespaces={"q": refi_qda.PROJECT_NS},
    )


def _bad_files():
    valid = qde(
        '<CodeBook><Codes><Code guid="d7aa29da-519b-4946-9b90-253b6db8fd0a" '
        'name="x" isCodable="true"/></Codes></CodeBook>'
    )
    source = "11e0d4d7-4de8-4501-a82f-653d3e5d1c15"
    beyond = qde(
        f"""<Sources><TextSource guid="{source}" name="Short">
        <PlainTextContent>Short text</PlainTextContent>
        <PlainTextSelection guid="{source.replace("1", "2")}" startPosition="5" endPosition="11"/>
        </TextSource></Sources>"""
    )
    return {
        "fails the schema": (
            qdpx({"project.qde": valid.replace('isCodable="true"', 'isCodable="maybe"')}),
            "project.qde line 6: Element 'Code', attribute 'isCodable'",
        ),
        "no project.qde": (qdpx({"sources/a.txt": "x"}), "has no project.qde"),
        "beyond the text": (qdpx({"project.qde": beyond}), "the text has 10 characters"),
        "path traversal": (
            qdpx({"project.qde": valid, "sources/../../etc/cron.d/x": "x"}),
            "points outside the project",
        ),
        "not a zip": (b"PK\x03\x04 broken", "not a .qdpx"),
    }


@pytest.mark.parametrize("case", list(_bad_files()))
def test_a_bad_qdpx_is_refused_with_a_clear_message_and_nothing_changes(
    coded_program, researcher, case
):
    content, message = _bad_files()[case]
    before, counts = snapshot(coded_program), everything()

    with pytest.raises(RefiQdaError) as refused:
        exchange.qdpx_import(program=coded_program, content=content, by=researcher, replace=True)

    assert message in "\n".join(refused.value.problems)
    assert snapshot(coded_program) == before
    assert everything() == counts


def test_a_guid_used_twice_is_refused_and_nothing_changes(coded_program, researcher):
    # The schema cannot see this; the reference check after it does.
    guid = "d7aa29da-519b-4946-9b90-253b6db8fd0a"
    twice = qde(
        f'<CodeBook><Codes><Code guid="{guid}" name="a" isCodable="true"/>'
        f'<Code guid="{guid}" name="b" isCodable="true"/></Codes></CodeBook>'
    )
    before = snapshot(coded_program)
    with pytest.raises(RefiQdaError, match="used twice"):
        exchange.qdpx_import(
            program=coded_program, content=qdpx({"project.qde": twice}), by=researcher, replace=True
        )
    assert snapshot(coded_program) == before


def test_a_replacing_import_leaves_documents_under_review_alone(coded_program, researcher):
    review = Document.objects.get(status=DocumentStatus.REVIEW)
    memo = Memo.objects.create(program=coded_program, text="Check names", document=review)
    content = exchange.qdpx_export(program=coded_program)
    Document.objects.filter(title="Interview A").update(title="Renamed here")

    exchange.qdpx_import(program=coded_program, content=content, by=researcher, replace=True)

    assert Document.objects.filter(pk=review.pk).exists()
    assert Memo.objects.filter(pk=memo.pk).exists()
    assert Document.objects.filter(title="Interview A").count() == 1  # the file's title


def test_a_program_with_work_is_only_replaced_when_asked(coded_program, researcher):
    content = exchange.qdpx_export(program=coded_program)
    counts = everything()
    with pytest.raises(RefiQdaError, match="--replace"):
        exchange.qdpx_import(program=coded_program, content=content, by=researcher)
    assert everything() == counts


def test_a_dry_run_checks_and_counts_but_writes_nothing(coded_program, researcher):
    content = exchange.qdpx_export(program=coded_program)
    counts = everything()
    result = exchange.qdpx_import(
        program=coded_program, content=content, by=researcher, replace=True, dry_run=True
    )
    assert not result.applied
    assert (result.documents, result.codes, result.themes, result.highlights) == (2, 4, 2, 4)
    assert everything() == counts


def test_importing_into_another_program_renews_guids_already_taken(coded_program, researcher):
    content = exchange.qdpx_export(program=coded_program)
    copy = copy_program(coded_program)
    result = exchange.qdpx_import(program=copy, content=content, by=researcher)
    assert result.applied
    assert "got new GUIDs" in "\n".join(result.notices)
    assert Code.objects.filter(program=copy).count() == 4
    assert Highlight.objects.filter(document__program=copy).count() == 4
    # The coders are the same people, found by the GUID derived from their email.
    assert set(
        Highlight.objects.filter(document__program=copy).values_list("coder__email", flat=True)
    ) == {"researcher@lakeside.test", "chloe@lakeside.test"}


def test_the_codebook_exports_valid_and_imports_into_another_program(coded_program, researcher):
    content = exchange.qdc_export(program=coded_program)
    checker = etree.XMLSchema(etree.parse(str(refi_qda.CODEBOOK_SCHEMA)))
    assert checker.validate(etree.fromstring(content)), checker.error_log

    safe = Code.objects.get(program=coded_program, name="Safe space ✓")
    safe.color = "#000000"
    safe.save()
    result = exchange.qdc_import(program=coded_program, content=content, by=researcher)
    safe.refresh_from_db()
    assert result.applied and result.codes == 4
    assert safe.color == "#2ca02c"  # updated in place, by GUID
    assert safe.when_not_to_use == "Physical safety."
    assert Code.objects.filter(program=coded_program).count() == 4

    copy = copy_program(coded_program)
    exchange.qdc_import(program=copy, content=content, by=researcher)
    names = sorted(Code.objects.filter(program=copy).values_list("name", "parent__name"))
    assert names == [
        ("Learning by teaching", "Learning climate"),
        ("Learning climate", None),
        ("Safe space ✓", "Learning climate"),
        ("Workload", None),
    ]
    assert sorted(Theme.objects.filter(program=copy).values_list("name", flat=True)) == [
        "Empty theme",
        "Psychological safety",
    ]


def test_a_codebook_with_a_name_clash_is_refused(coded_program, researcher):
    content = b"""<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code guid="0dcef2f5-e55c-49da-8c33-9b0803c7aeb4" name="workload" isCodable="true"/>
</Codes></CodeBook>"""
    with pytest.raises(RefiQdaError, match="already has a code named “Workload”"):
        exchange.qdc_import(program=coded_program, content=content, by=researcher)


def test_a_codebook_whose_theme_name_is_taken_is_refused(coded_program, researcher):
    content = b"""<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code guid="0dcef2f5-e55c-49da-8c33-9b0803c7aeb4" name="New code" isCodable="true"/>
</Codes><Sets><Set guid="2324b638-d629-4970-b2e8-8b5bfd0a8d6b" name="Empty THEME"/>
</Sets></CodeBook>"""
    before = snapshot(coded_program)
    with pytest.raises(RefiQdaError, match="already has a theme named “Empty theme”"):
        exchange.qdc_import(program=coded_program, content=content, by=researcher)
    assert snapshot(coded_program) == before


def test_a_coder_is_matched_by_name_only_among_the_programs_researchers(program, junior):
    # "Jo Junior" is a learner of this program, not a researcher: the coder from the
    # other tool with that name gets their own inactive account instead.
    content = tool_project(users=USERS.replace("Sebastián Peña", "Jo Junior"))
    exchange.qdpx_import(program=program, content=content, by=junior)
    coders = set(Highlight.objects.values_list("coder__email", "coder__is_active"))
    assert coders == {("coder-a5de7584-8296-418b-a322-136f77adf87b@imported-coders.invalid", False)}


def test_code_descriptions_keep_their_four_parts():
    code = Code(definition="D", when_to_use="U", when_not_to_use="N", example="E")
    text = exchange.code_description(code)
    assert text == "D\n\nWhen to use: U\n\nWhen not to use: N\n\nExample: E"
    assert exchange.code_description_parse(text) == {
        "definition": "D",
        "when_to_use": "U",
        "when_not_to_use": "N",
        "example": "E",
    }
    assert exchange.code_description_parse("Just a note")["definition"] == "Just a note"


def test_a_transcript_imported_and_coded_through_medmentor_round_trips(
    focus_group, researcher, second_coder
):
    """The whole path: a Zoom transcript imported and de-identified, coded by two coders,
    compared and adjudicated with medmentor's own services, then exported and imported
    back: the same coding, the same turns (speaker, characters)."""
    program = focus_group.program
    parent = services.code_create(program=program, by=researcher, name="Safety", is_codable=False)
    safe = services.code_create(program=program, by=researcher, name="Safe space", parent=parent)
    for coder in (researcher, second_coder):
        services.coder_assign(document=focus_group, coder=coder, by=researcher)
    at = focus_group.text.index("It felt safe")
    services.highlight_create(
        document=focus_group, coder=researcher, start=at, end=at + 12, codes=[safe]
    )
    services.highlight_create(
        document=focus_group, coder=second_coder, start=at, end=at + 25, codes=[safe]
    )
    services.comparison_open(document=focus_group, by=researcher)
    services.adjudication_save(
        document=focus_group, by=researcher, agreed=[(at, at + 12, [safe])], note="Kept 12"
    )
    services.memo_create(program=program, by=second_coder, text="Blind worked", code=safe)
    fields = ("speaker", "start", "end", "starts_at_ms", "ends_at_ms")
    turns = list(focus_group.turns.values_list(*fields))
    replacements = list(focus_group.replacements.values_list("start", "end", "replacement"))
    before = snapshot(program)

    content = exchange.qdpx_export(program=program)
    assert schema().validate(etree.fromstring(project_qde(content)))
    exchange.qdpx_import(program=program, content=content, by=researcher, replace=True)

    assert snapshot(program) == before
    document = Document.objects.get(guid=focus_group.guid)
    # The row itself came back: its caption times and de-identification decisions too.
    assert document.pk == focus_group.pk
    assert list(document.turns.values_list(*fields)) == turns
    assert len(turns) >= 3 and turns[0][3] is not None
    assert list(document.replacements.values_list("start", "end", "replacement")) == replacements
    assert replacements  # the roster names and the phone number were replaced

    # Into another program (no previous state), the turns are read from the text: the same
    # speakers and characters, without the caption times, which REFI-QDA cannot carry.
    copy = copy_program(program)
    Enrollment.objects.create(program=copy, person=researcher, role=Role.RESEARCHER)
    exchange.qdpx_import(program=copy, content=content, by=researcher)
    again = Document.objects.get(program=copy)
    assert list(again.turns.values_list("speaker", "start", "end")) == [t[:3] for t in turns]
