"""`medmentor import-qdpx PROGRAM_SLUG FILE [--replace] [--dry-run] [--as EMAIL]`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from medmentor.programs.management.lookup import program_from_slug
from medmentor.programs.models import Enrollment, Role
from medmentor.qualitative.exchange import RefiQdaError, qdc_import, qdpx_import


class Command(BaseCommand):
    help = (
        "Import a REFI-QDA project (.qdpx) from NVivo, ATLAS.ti, MAXQDA or QualCoder into a "
        "program, all or nothing; a .qdc adds or updates codes and themes. The project file "
        "is validated against the REFI-QDA schema first."
    )

    def add_arguments(self, parser):
        parser.add_argument("program", help="The program's short name (slug).")
        parser.add_argument("file", help="The .qdpx project or .qdc codebook.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace the program's documents, codes, themes and memos (a .qdpx only).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count everything; write nothing."
        )
        parser.add_argument(
            "--as",
            dest="researcher",
            metavar="EMAIL",
            help="The researcher importing (default: the program's first researcher); "
            "codings that name no coder are theirs.",
        )

    def handle(self, *args, program, file, replace, dry_run, researcher, **options):
        found = program_from_slug(program)
        researchers = Enrollment.objects.filter(program=found, role=Role.RESEARCHER).select_related(
            "person"
        )
        if researcher:
            researchers = researchers.filter(person__email__iexact=researcher)
        enrollment = researchers.order_by("id").first()
        if enrollment is None:
            who = f"{researcher} is not" if researcher else "nobody is"
            raise CommandError(f"{who} a researcher of {found.name}; enrol one first.")
        path = Path(file)
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}.") from error
        by = enrollment.person
        try:
            if path.suffix.lower() == ".qdc":
                result = qdc_import(program=found, content=content, by=by, dry_run=dry_run)
            else:
                result = qdpx_import(
                    program=found, content=content, by=by, replace=replace, dry_run=dry_run
                )
        except RefiQdaError as error:
            for problem in error.problems:
                self.stderr.write(f"  {problem}")
            count = len(error.problems)
            raise CommandError(
                f"{path.name} was refused ({count} problem{'' if count == 1 else 's'}); "
                "nothing was imported."
            ) from None
        for notice in result.notices:
            self.stdout.write(f"  {notice}")
        if dry_run:
            self.stdout.write(
                f"Dry run: {path.name} passed every check; importing it into {found.name} "
                f"would write {result.summary()}. Nothing was written."
            )
            return
        self.stdout.write(
            self.style.SUCCESS(f"Imported {path.name} into {found.name}: {result.summary()}.")
        )
