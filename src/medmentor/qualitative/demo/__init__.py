"""The demo's focus groups (seed 000: "recorded, transcribed and coded for thematic
analysis"; seed 004: themes aligned with the ACGME competencies).

Two transcripts written for the demo — R1s in Zoom's WebVTT, seniors in Teams' — are
imported and de-identified by the demo researcher, coded by two coders (the researcher
and a second coder) who disagree here and there, and the comparison is opened, so the
agreement and the competency matrix show at once. Safe to run again: what exists is
left as it is.
"""

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from medmentor.people.models import Person
from medmentor.programs.models import Enrollment, Program, Role
from medmentor.qualitative import services
from medmentor.qualitative.models import Code, Document, Theme

HERE = Path(__file__).parent
SECOND_CODER = ("coder2@demo.medmentor.test", "Rosa Almeida")

# name, parent, color, definition, when to use, when not to use, example, competencies
CODES = [
    ("Relationships", None, "#6b4c9a", "Ties between people on the service.", "", "", "", []),
    (
        "Sense of belonging",
        "Relationships",
        "#1f77b4",
        "Feeling part of the team or the department.",
        "The speaker says they fit in, are part of a team, or are noticed.",
        "Mere presence on the service without a feeling attached.",
        "“It made me feel like I belong in the department.”",
        ["interpersonal_communication"],
    ),
    (
        "Senior as leader",
        "Relationships",
        "#9467bd",
        "The senior takes responsibility for a junior's learning.",
        "Leading, being trusted, responsibility for someone else.",
        "Seniors only checking reports (that is supervision).",
        "“I liked being trusted to lead.”",
        ["professionalism"],
    ),
    (
        "Safe learning space",
        None,
        "#2ca02c",
        "Being able to be wrong without it reaching faculty.",
        "Mentions of no reporting back, safety, being allowed to be wrong.",
        "Patient safety.",
        "“It was a safe space to be wrong.”",
        [],
    ),
    (
        "Learning style",
        None,
        "#17becf",
        "Going in blind or reading the answers first.",
        "The choice between blind and read-first, and why.",
        "General study habits unrelated to the case.",
        "“I read the answers first.”",
        ["practice_based_learning"],
    ),
    (
        "Learning by teaching",
        None,
        "#ff7f0e",
        "The teacher learns by explaining.",
        "The senior reads again or discovers a gap while teaching.",
        "The junior's own learning.",
        "“Teaching the thyroid cases made me go back to the reading.”",
        ["medical_knowledge"],
    ),
    (
        "Clinical work first",
        None,
        "#d62728",
        "The service's workload takes precedence over the case.",
        "Skipping or shortening for patients or lists.",
        "Complaints about time unrelated to clinical work.",
        "“Patients came first.”",
        ["patient_care", "systems_based_practice"],
    ),
]
# name, codes, competencies of the theme itself
THEMES = [
    ("Belonging and camaraderie", ["Sense of belonging"], ["interpersonal_communication"]),
    ("A safe place to learn", ["Safe learning space", "Learning style"], ["professionalism"]),
    ("Growing as teachers", ["Learning by teaching", "Senior as leader"], []),
    ("The service comes first", ["Clinical work first"], []),
]
# Words to find in the de-identified text, the codes, and who applied them: R is the
# researcher, C the second coder.
CODING = {
    "Focus group 1 — R1s": [
        ("the first rotation where I felt part of a team", ["Sense of belonging"], "RC"),
        ("nobody notices if you're there", ["Sense of belonging"], "R"),
        ("It was a safe space to be wrong", ["Safe learning space"], "RC"),
        ("never reported anything back", ["Safe learning space"], "RC"),
        ("I went in blind most days", ["Learning style"], "RC"),
        ("I read the answers first", ["Learning style"], "RC"),
        ("I learn better when I've seen the pattern once", ["Learning style"], "C"),
        ("Patients came first, which is right", ["Clinical work first"], "RC"),
        ("They were teaching, not just checking our reports", ["Senior as leader"], "RC"),
        ("It made me feel like I belong in the department", ["Sense of belonging"], "RC"),
        ("I want to do this for the next R1s", ["Senior as leader"], "C"),
    ],
    "Focus group 2 — seniors": [
        ("made me go back to the reading myself", ["Learning by teaching"], "RC"),
        ("I realised I only half knew it", ["Learning by teaching"], "R"),
        ("I liked being trusted to lead", ["Senior as leader"], "RC"),
        ("responsible for someone else's learning", ["Senior as leader"], "RC"),
        ("The hard part is time", ["Clinical work first"], "RC"),
        ("the juniors settle in faster", ["Sense of belonging"], "C"),
        ("without it feeling like an evaluation", ["Safe learning space"], "RC"),
        ("We became a team", ["Sense of belonging"], "RC"),
    ],
}
FILES = {
    "Focus group 1 — R1s": ("focus-group-1-r1s.vtt", {"wave": "post", "role": "R1", "site": "NM"}),
    "Focus group 2 — seniors": (
        "focus-group-2-seniors.vtt",
        {"wave": "post", "role": "senior", "site": "NM"},
    ),
}


class QualitativeDemoError(Exception):
    pass


@dataclass(frozen=True)
class QualitativeDemo:
    program: Program
    researcher: Person
    second_coder: Person
    documents: list[Document]
    lines: list[str]


def qualitative_demo_load(*, program: Program, password: str) -> QualitativeDemo:
    researcher = (
        Person.objects.filter(enrollments__program=program, enrollments__role=Role.RESEARCHER)
        .exclude(email=SECOND_CODER[0])
        .order_by("pk")
        .first()
    )
    if researcher is None:
        raise QualitativeDemoError(f"The demo program {program.slug} has no researcher.")
    with transaction.atomic():
        coder = Person.objects.filter(email=SECOND_CODER[0]).first()
        if coder is None:
            coder = Person.objects.create_user(
                email=SECOND_CODER[0],
                full_name=SECOND_CODER[1],
                training_level="other",
                institution=program.institution,
                password=password,
            )
        Enrollment.objects.get_or_create(program=program, person=coder, role=Role.RESEARCHER)
        codes = _codebook(program, researcher)
        documents = []
        for title, (file_name, attributes) in FILES.items():
            document = Document.objects.filter(program=program, title=title).first()
            if document is None:
                document = _coded_document(
                    program, researcher, coder, codes, title, file_name, attributes
                )
            documents.append(document)
    lines = [
        f"Focus groups: {len(documents)} de-identified transcripts coded by "
        f"{researcher.full_name} and {coder.full_name} ({coder.email}); import more from "
        f"{HERE}/*.vtt."
    ]
    return QualitativeDemo(program, researcher, coder, documents, lines)


def _codebook(program: Program, researcher: Person) -> dict[str, Code]:
    codes = {code.name: code for code in Code.objects.filter(program=program)}
    for name, parent, color, definition, when, when_not, example, competencies in CODES:
        if name in codes:
            continue
        codes[name] = services.code_create(
            program=program,
            by=researcher,
            parent=codes.get(parent) if parent else None,
            name=name,
            color=color,
            definition=definition,
            when_to_use=when,
            when_not_to_use=when_not,
            example=example,
            is_codable=bool(parent) or name != "Relationships",
        )
        if competencies:
            services.competencies_set(
                program=program, by=researcher, code=codes[name], competencies=competencies
            )
    for name, members, competencies in THEMES:
        if Theme.objects.filter(program=program, name=name).exists():
            continue
        theme = services.theme_save(
            program=program, by=researcher, name=name, codes=[codes[m] for m in members]
        )
        if competencies:
            services.competencies_set(
                program=program, by=researcher, theme=theme, competencies=competencies
            )
    return codes


def _coded_document(program, researcher, coder, codes, title, file_name, attributes):
    document = services.document_import(
        program=program,
        by=researcher,
        file_name=file_name,
        content=(HERE / file_name).read_bytes(),
        title=title,
        attributes=attributes,
    )
    decisions = {row.pk: ("accepted", "") for row in document.replacements.all()}
    document = services.document_review_finish(
        document=document, by=researcher, decisions=decisions
    )
    who = {"R": researcher, "C": coder}
    for words, names, letters in CODING[title]:
        start = document.text.find(words)
        if start < 0:
            raise QualitativeDemoError(f"“{words}” is not in the de-identified {title}.")
        for letter in letters:
            services.highlight_create(
                document=document,
                coder=who[letter],
                start=start,
                end=start + len(words),
                codes=[codes[name] for name in names],
            )
    for person in (researcher, coder):  # both are done, so the agreement page does not warn
        services.coder_finish(document=document, coder=person, by=person)
    return services.comparison_open(document=document, by=researcher)
