"""Benchmark: a REFI-QDA project of 200 transcripts of 10,000 words, 50 highlights each.

medmentor's way: `qdpx_export` (read the program, build project.qde, validate it against
the REFI-QDA schema, zip it with the texts) and `qdpx_import` (unzip, validate, check every
position and reference, write documents, turns, codes, highlights in one transaction),
both replacing the program's own work (documents kept in place) and into a new program
(every document, turn and highlight written anew, GUIDs renewed).

Peers measured in the same run on the same project:
- export: lxml's schema validation alone plus zipping the same texts (the two library
  calls every export needs; what is left over is ours);
- import: unzipping and validating project.qde alone (the same library calls on the way
  in; what is left over is reading the file into dataclasses and the database writes).

The database is a fresh SQLite file in a temporary folder. Prints the ratios first, then
the absolute times, then the machine.

Run: .venv/bin/python benchmarks/qdpx_exchange.py
         [--documents 200] [--words 10000] [--highlights 50] [--runs 3]
"""

import argparse
import io
import os
import platform
import random
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

PHRASE = (
    "the case was reviewed with my senior before rounds and I felt safe to be wrong "
    "because nobody reported back what I missed we read the scan together twice "
    "Zoë said the blind approach helped José said he liked teaching 😀 more"
)
WORDS = PHRASE.split(" ")


def best_of(runs: int, work) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


def build(program, coders, *, documents: int, words: int, highlights: int):
    from medmentor.qualitative.models import Code, Document, DocumentStatus, Highlight

    rng = random.Random(7)
    parents = [
        Code.objects.create(program=program, name=f"Theme {n}", is_codable=False, position=n)
        for n in range(6)
    ]
    codes = [
        Code.objects.create(
            program=program, parent=parents[n % 6], name=f"Code {n}", position=n, definition="d"
        )
        for n in range(30)
    ]
    rows = []
    for number in range(documents):
        lines = []
        for turn, start in enumerate(range(0, words, 60)):
            chunk = " ".join(rng.choice(WORDS) for _ in range(min(60, words - start)))
            lines.append(f"Speaker {turn % 6 + 1}: {chunk}")
        rows.append(
            Document(
                program=program,
                title=f"Transcript {number:03d}",
                text="\n".join(lines),
                status=DocumentStatus.CODABLE,
                attributes={"wave": "pre" if number % 2 else "post"},
            )
        )
    Document.objects.bulk_create(rows)
    made = []
    for document in Document.objects.filter(program=program):
        length = len(document.text)
        for _ in range(highlights):
            start = rng.randrange(0, length - 200)
            made.append(
                Highlight(
                    document=document,
                    coder=coders[len(made) % len(coders)],
                    start=start,
                    end=start + rng.randrange(20, 200),
                )
            )
    Highlight.objects.bulk_create(made)
    through = Highlight.codes.through
    through.objects.bulk_create(
        through(highlight_id=highlight.pk, code_id=rng.choice(codes).pk)
        for highlight in Highlight.objects.filter(document__program=program).only("pk")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--words", type=int, default=10_000)
    parser.add_argument("--highlights", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="medmentor-qdpx-"))
    os.environ.update(
        {
            "MEDMENTOR_DATA_DIR": str(folder),
            "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
            "DJANGO_SETTINGS_MODULE": "medmentor.settings",
        }
    )
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from lxml import etree

    from medmentor.people.models import Institution, Person
    from medmentor.programs.models import Program, ProgramKind
    from medmentor.qualitative import exchange, refi_qda

    try:
        call_command("migrate", verbosity=0)
        institution = Institution.objects.create(name="Bench", slug="bench")
        program = Program.objects.create(
            name="Bench",
            slug="bench",
            kind=ProgramKind.CASE_REVIEW,
            institution=institution,
            starts_on="2026-11-02",
        )
        coders = [
            Person.objects.create_user(email=f"coder{n}@bench.test", full_name=f"Coder {n}")
            for n in range(2)
        ]
        build(
            program,
            coders,
            documents=args.documents,
            words=args.words,
            highlights=args.highlights,
        )

        export_time, content = best_of(args.runs, lambda: exchange.qdpx_export(program=program))
        project = refi_qda.qdpx_unpack(content)
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            qde = archive.read("project.qde")
        schema = etree.XMLSchema(etree.parse(str(refi_qda.PROJECT_SCHEMA)))

        def validate_and_zip():
            assert schema.validate(etree.fromstring(qde))
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                archive.writestr("project.qde", qde)
                for source in project.sources:
                    archive.writestr(f"sources/{source.guid}.txt", source.text.encode("utf-8"))
            return buffer.getvalue()

        export_peer, _ = best_of(args.runs, validate_and_zip)

        def unzip_and_validate():
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                for name in archive.namelist():
                    archive.read(name)
                assert schema.validate(etree.fromstring(archive.read("project.qde")))

        import_peer, _ = best_of(args.runs, unzip_and_validate)

        def import_replacing():
            return exchange.qdpx_import(
                program=program, content=content, by=coders[0], replace=True
            )

        import_time, result = best_of(args.runs, import_replacing)
        assert result.documents == args.documents
        fresh = iter(range(args.runs))

        def import_into_a_new_program():
            number = next(fresh)
            target = Program.objects.create(
                name=f"Copy {number}",
                slug=f"copy-{number}",
                kind=ProgramKind.CASE_REVIEW,
                institution=institution,
                starts_on="2026-11-02",
            )
            return exchange.qdpx_import(program=target, content=content, by=coders[0])

        fresh_time, _ = best_of(args.runs, import_into_a_new_program)

        megabytes = len(content) / 2**20
        print("RATIOS (medmentor / library calls alone, same run)")
        print(f"  export: {export_time / export_peer:.1f}x")
        print(f"  import replacing the program's work: {import_time / import_peer:.1f}x")
        print(f"  import into a new program: {fresh_time / import_peer:.1f}x")
        print(f"ABSOLUTE (best of {args.runs})")
        print(
            f"  project: {args.documents} documents x {args.words} words, "
            f"{result.highlights} highlights, {megabytes:.1f} MB .qdpx"
        )
        print(f"  export {export_time:.2f} s   (validate + zip alone {export_peer:.2f} s)")
        print(f"  import {import_time:.2f} s replacing, {fresh_time:.2f} s into a new program")
        print(f"         (unzip + validate alone {import_peer:.2f} s)")
        print(f"MACHINE {platform.platform()}, {os.cpu_count()} cores, load {os.getloadavg()}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
