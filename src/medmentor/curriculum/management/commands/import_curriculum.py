"""`medmentor import-curriculum PROGRAM_SLUG PACKAGE.zip [--replace] [--dry-run]`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from medmentor.curriculum.package import (
    CurriculumPackageError,
    curriculum_of,
    curriculum_package_read,
    curriculum_package_write,
)
from medmentor.programs.management.lookup import program_from_slug


class Command(BaseCommand):
    help = (
        "Import a curriculum package (a zip of curriculum.yaml and images, see "
        "docs/curriculum-package.md) as a program's curriculum. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("program", help="The program's short name (slug).")
        parser.add_argument("package", help="The package, a .zip file.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace the program's current curriculum (and learners' progress on it).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the package and write nothing."
        )

    def handle(self, *args, program: str, package: str, replace: bool, dry_run: bool, **options):
        found = program_from_slug(program)
        path = Path(package)
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {package}: {error.strerror or error}.") from error
        current = curriculum_of(program=found)
        try:
            checked = curriculum_package_read(content=content)
            if current is not None and not replace:
                raise CurriculumPackageError(
                    [
                        f"{found.name} already has the curriculum “{current.title}”: "
                        "add --replace to replace it."
                    ]
                )
            if not dry_run:
                curriculum = curriculum_package_write(
                    program=found, package=checked, replace=replace
                )
        except CurriculumPackageError as error:
            for problem in error.problems:
                self.stderr.write(f"  {problem}")
            count = len(error.problems)
            raise CommandError(
                f"{path.name} was refused ({count} problem{'' if count == 1 else 's'}); "
                "nothing was imported."
            ) from None
        replacing = f", replacing “{current.title}”" if current else ""
        if dry_run:
            self.stdout.write(
                f"Dry run: {path.name} passed every check. It holds “{checked.title}”: "
                f"{checked.summary()}. Importing it into {found.name} would create that"
                f"{replacing}. Nothing was written."
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported “{curriculum.title}” into {found.name}{replacing}: {checked.summary()}."
            )
        )
