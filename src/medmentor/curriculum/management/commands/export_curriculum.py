"""`medmentor export-curriculum PROGRAM_SLUG OUT.zip`: the curriculum as a package."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from medmentor.curriculum.package import (
    CurriculumPackageError,
    curriculum_of,
)
from medmentor.curriculum.package_export import curriculum_package_export
from medmentor.programs.management.lookup import program_from_slug


class Command(BaseCommand):
    help = (
        "Write a program's curriculum as a package (a zip of curriculum.yaml and its images) "
        "that import-curriculum, here or at another institution, reads back."
    )

    def add_arguments(self, parser):
        parser.add_argument("program", help="The program's short name (slug).")
        parser.add_argument("out", help="Where to write the package, e.g. curriculum.zip.")

    def handle(self, *args, program: str, out: str, **options):
        found = program_from_slug(program)
        curriculum = curriculum_of(program=found)
        if curriculum is None:
            raise CommandError(f"{found.name} has no curriculum to export.")
        try:
            content = curriculum_package_export(curriculum=curriculum)
        except CurriculumPackageError as error:
            raise CommandError(" ".join(error.problems)) from None
        path = Path(out)
        try:
            path.write_bytes(content)
        except OSError as error:
            raise CommandError(f"Cannot write {out}: {error.strerror or error}.") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote “{curriculum.title}” ({curriculum.weeks.count()} weeks) to {out} "
                f"({len(content) / 1024:.0f} KB)."
            )
        )
