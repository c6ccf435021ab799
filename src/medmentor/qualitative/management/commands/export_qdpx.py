"""`medmentor export-qdpx PROGRAM_SLUG FILE`: the program's qualitative project as a
REFI-QDA .qdpx (or, when FILE ends in .qdc, its codebook alone)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from medmentor.programs.management.lookup import program_from_slug
from medmentor.qualitative.exchange import RefiQdaError, qdc_export, qdpx_export


class Command(BaseCommand):
    help = (
        "Write a program's documents, codebook, themes, highlights and memos as a REFI-QDA "
        "project (.qdpx) that NVivo, ATLAS.ti, MAXQDA and QualCoder open; a FILE ending in "
        ".qdc gets the codebook alone. The file is validated against the REFI-QDA schema."
    )

    def add_arguments(self, parser):
        parser.add_argument("program", help="The program's short name (slug).")
        parser.add_argument("file", help="Where to write, e.g. focus-groups.qdpx or codes.qdc.")

    def handle(self, *args, program: str, file: str, **options):
        found = program_from_slug(program)
        path = Path(file)
        codebook_only = path.suffix.lower() == ".qdc"
        try:
            content = qdc_export(program=found) if codebook_only else qdpx_export(program=found)
        except RefiQdaError as error:
            raise CommandError(" ".join(error.problems)) from None
        try:
            path.write_bytes(content)
        except OSError as error:
            raise CommandError(f"Cannot write {file}: {error.strerror or error}.") from error
        what = "codebook" if codebook_only else "project"
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote the {what} of {found.name} to {file} ({len(content) / 1024:.0f} KB); "
                "it validates against the REFI-QDA schema."
            )
        )
