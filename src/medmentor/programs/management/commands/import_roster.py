"""`medmentor import-roster PROGRAM_SLUG FILE [--dry-run]`: people and their program roles."""

from collections.abc import Callable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from medmentor.programs import access, services
from medmentor.programs.importing import ImportResult
from medmentor.programs.management.lookup import program_from_slug


class ImportCommand(BaseCommand):
    """Shared by the roster and schedule imports: same arguments, preview and exit codes."""

    what = "file"
    # The service each command runs, e.g. services.roster_import; called with keywords
    # program, file_name, content and apply, it returns an ImportResult.
    import_service: Callable[..., ImportResult]

    def add_arguments(self, parser):
        parser.add_argument("program", help="The program's short name (slug).")
        parser.add_argument("file", help="A .csv or .xlsx file; see docs/data-formats.md.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Show the preview and any problems, and write nothing.",
        )

    def handle(self, *args, program: str, file: str, dry_run: bool, **options):
        found = program_from_slug(program)
        path = Path(file)
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}.") from error
        result = self.import_service(
            program=found, file_name=path.name, content=content, apply=not dry_run, **self.by()
        )
        self.print_preview(result)
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{path.name} has {len(result.errors)} problem(s); nothing was imported."
            )
        counts = result.counts
        if dry_run:
            self.stdout.write(
                f"Dry run: {counts['create']} to create, {counts['update']} to update, "
                f"{counts['unchanged']} unchanged. Nothing was written."
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Imported {self.what}: {counts['create']} created, {counts['update']} "
                    f"updated, {counts['unchanged']} unchanged."
                )
            )
        for note in result.notes:
            self.stdout.write(note)

    def by(self) -> dict[str, object]:
        """Who imports: the console is operations (docs/deploy.md), the system actor."""
        return {"by": access.SYSTEM}

    def print_preview(self, result: ImportResult) -> None:
        key = result.columns[0] if result.columns else "email"
        for row in result.rows:
            line = f"row {row.row:>4}  {row.action:<9}  {row.values.get(key, '')}"
            if row.changes:
                line += "  (" + "; ".join(str(change) for change in row.changes) + ")"
            self.stdout.write(line)


class Command(ImportCommand):
    help = "Import (or with --dry-run, preview) a program's roster from a .csv or .xlsx file."
    what = "the roster"

    import_service = staticmethod(services.roster_import)

    # By ImportCommand.by(), the system actor: it may grant any role, as create-program
    # does, but the rules about people of other programs and the last director hold here
    # as on the page and in the API.
