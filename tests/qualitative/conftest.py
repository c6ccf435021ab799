"""Shared pieces of the qualitative tests: a second coder, transcripts in the shapes
Zoom, Teams and typists write them, and a codable document."""

import io

import docx
import pytest

from medmentor.programs.models import Enrollment, Role
from medmentor.qualitative import services
from tests.conftest import make_person

# Zoom: "Name: words" inside each cue, a numeric cue id.
ZOOM_VTT = """WEBVTT

1
00:00:01.000 --> 00:00:05.500
Rae Researcher: Thank you for coming. How did the must-see cases go?

2
00:00:06.000 --> 00:00:12.000
Jo Junior: I liked going in blind. Sam always waited for me to answer first.

3
00:00:12.100 --> 00:00:15.000
Jo Junior: It felt safe, nobody reported back.

4
00:00:15.500 --> 00:00:21.000
Sam Senior: Teaching Jo made me read more myself. Call me at 555-123-4567 or senior@lakeside.test.
"""

# Teams: voice tags, cue ids with slashes.
TEAMS_VTT = """WEBVTT

0f1c2d3e-aaaa/11-0
00:00:00.000 --> 00:00:04.200
<v Jo Junior>Sometimes the service was too busy to meet.</v>

0f1c2d3e-aaaa/12-0
00:00:04.500 --> 00:00:09.000
<v Morgan Guest>I'm visiting; Jamie said the same thing about nights.</v>
"""

SRT = """1
00:00:01,000 --> 00:00:04,000
Interviewer: What would you change?

2
00:00:04,500 --> 00:00:08,000
Sasha Senior: More protected time.
"""


def docx_bytes(*lines: str) -> bytes:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def second_coder(program, institution):
    person = make_person("coder2@lakeside.test", "Casey Coder", "other", institution)
    Enrollment.objects.create(program=program, person=person, role=Role.RESEARCHER)
    return person


@pytest.fixture
def roster(director, coordinator, faculty, researcher, senior, other_senior, junior, other_junior):
    """Everyone of the named test people enrolled in `program`."""
    return {
        "director": director,
        "researcher": researcher,
        "senior": senior,
        "other_senior": other_senior,
        "junior": junior,
        "other_junior": other_junior,
    }


def codable(document, researcher):
    """Accept every proposed replacement and finish the review."""
    decisions = {row.pk: ("accepted", "") for row in document.replacements.all()}
    return services.document_review_finish(document=document, by=researcher, decisions=decisions)


@pytest.fixture
def focus_group(program, roster, researcher):
    document = services.document_import(
        program=program,
        by=researcher,
        file_name="focus-group-1.vtt",
        content=ZOOM_VTT.encode(),
        title="Focus group 1",
        attributes={"wave": "1", "role": "R1"},
    )
    return codable(document, researcher)
