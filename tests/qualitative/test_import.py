"""Importing transcripts: Zoom and Teams WebVTT, SRT, DOCX and plain text keep their
speakers and times; unreadable files say why and write nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from medmentor.qualitative import services
from medmentor.qualitative.models import Document, Pseudonym, Replacement, SpeakerTurn
from medmentor.qualitative.transcripts import TranscriptError, transcript_read
from tests.qualitative.conftest import SRT, TEAMS_VTT, ZOOM_VTT, docx_bytes

pytestmark = pytest.mark.usefixtures("fast_passwords")


def test_zoom_vtt_speakers_come_from_name_prefixes_and_consecutive_cues_merge():
    transcript = transcript_read(file_name="zoom.vtt", content=ZOOM_VTT.encode())
    assert [turn.speaker for turn in transcript.turns] == [
        "Rae Researcher",
        "Jo Junior",
        "Sam Senior",
    ]
    jo = transcript.turns[1]
    assert jo.text.endswith("nobody reported back.")
    assert (jo.starts_at_ms, jo.ends_at_ms) == (6000, 15000)


def test_teams_vtt_speakers_come_from_voice_tags():
    transcript = transcript_read(file_name="teams.vtt", content=TEAMS_VTT.encode())
    assert [turn.speaker for turn in transcript.turns] == ["Jo Junior", "Morgan Guest"]
    assert transcript.turns[0].text == "Sometimes the service was too busy to meet."
    assert transcript.turns[1].starts_at_ms == 4500


def test_srt_keeps_speakers_and_times():
    transcript = transcript_read(file_name="session.srt", content=SRT.encode())
    assert [(t.speaker, t.starts_at_ms) for t in transcript.turns] == [
        ("Interviewer", 1000),
        ("Sasha Senior", 4500),
    ]


def test_docx_paragraphs_with_speaker_prefixes_become_turns():
    content = docx_bytes(
        "Interviewer: Tell me more.", "[00:01:05] Jo Junior: It helped.", "And a lot."
    )
    transcript = transcript_read(file_name="typed.docx", content=content)
    assert [(t.speaker, t.text, t.starts_at_ms) for t in transcript.turns] == [
        ("Interviewer", "Tell me more.", None),
        ("Jo Junior", "It helped. And a lot.", 65000),
    ]


def test_plain_text_without_speakers_becomes_one_turn_per_paragraph():
    content = b"First answer, two lines\ncontinued here.\n\nSecond answer."
    transcript = transcript_read(file_name="answers.txt", content=content)
    assert [(t.speaker, t.text) for t in transcript.turns] == [
        ("", "First answer, two lines continued here."),
        ("", "Second answer."),
    ]


@pytest.mark.parametrize(
    ("file_name", "content", "message"),
    [
        ("broken.vtt", b"WEBVTT\n\n00:00:01.000 --> later\nhello\n", "line 3 has a cue time"),
        (
            "no-header.vtt",
            b"00:00:01.000 --> 00:00:02.000\nhello\n",
            "line 1 must start with WEBVTT",
        ),
        ("fake.docx", b"this is not a word document", "is not a Word document"),
        ("empty.txt", b"   \n", "is empty"),
        ("notes.pdf", b"%PDF-1.4", "must end in .vtt, .srt, .docx or .txt"),
        ("binary.txt", b"\xff\xfe\x00\xd8\x00", "not text in UTF-8"),
    ],
)
def test_unreadable_files_say_why(file_name, content, message):
    with pytest.raises(TranscriptError, match=message):
        transcript_read(file_name=file_name, content=content)


def test_a_broken_file_writes_nothing(program, researcher, roster):
    with pytest.raises(ValidationError, match="is not a valid VTT file"):
        services.document_import(
            program=program,
            by=researcher,
            file_name="broken.vtt",
            content=b"WEBVTT\n\nnonsense -->\n",
        )
    assert not Document.objects.exists()
    assert not Replacement.objects.exists()
    assert not Pseudonym.objects.exists()


def test_import_keeps_turns_with_times_and_attributes(program, researcher, roster):
    document = services.document_import(
        program=program,
        by=researcher,
        file_name="fg.vtt",
        content=ZOOM_VTT.encode(),
        attributes={"wave": "1", "site": "North"},
    )
    assert document.status == "review"
    assert document.attributes == {"wave": "1", "site": "North"}
    turns = list(SpeakerTurn.objects.filter(document=document))
    assert [turn.starts_at_ms for turn in turns] == [1000, 6000, 15500]
    for turn in turns:
        assert document.text[turn.start : turn.end].strip()
        assert "\n" not in document.text[turn.start : turn.end]


def test_only_a_researcher_imports(program, director, roster):
    with pytest.raises(PermissionDenied):
        services.document_import(
            program=program, by=director, file_name="fg.vtt", content=ZOOM_VTT.encode()
        )


def test_a_docx_whose_part_fakes_a_small_size_is_refused_on_its_real_bytes():
    import io
    import zipfile

    from medmentor.qualitative.transcripts import TranscriptError
    from tests.zip_bombs import expanding_zip, faked_sizes

    with zipfile.ZipFile(io.BytesIO(docx_bytes("Ana: hello"))) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    content = faked_sizes(expanding_zip({"word/media/padding.bin": 60 * 2**20}, extra=parts))

    with pytest.raises(TranscriptError) as refused:
        transcript_read(file_name="typed.docx", content=content)

    assert str(refused.value) == (
        "word/media/padding.bin: the file unpacks to more than 50 MB, the limit for one file. "
        "Save the transcript as plain text (.txt)."
    )
