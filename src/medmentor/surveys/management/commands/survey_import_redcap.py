"""`medmentor survey-import-redcap PROGRAM_SLUG FILE [--title T] [--anonymity MODE]
[--dry-run]`: a new survey from a REDCap data dictionary (CSV)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from medmentor.programs import access
from medmentor.programs.management.lookup import program_from_slug
from medmentor.surveys import exports
from medmentor.surveys.models import Anonymity, Instrument

TITLE_MAX = 200  # Instrument.title's length, as the import page cuts it


def _title_from_file(path: Path) -> str:
    words = path.stem.replace("_", " ").replace("-", " ").strip()
    return (words[:1].upper() + words[1:]) or "Survey from REDCap"


class Command(BaseCommand):
    help = (
        "Create a survey in a program from a REDCap data dictionary (CSV), all rows or "
        "nothing; with --dry-run, check it and show the questions it would create. The "
        "new survey has no waves yet: add them in the survey editor."
    )

    def add_arguments(self, parser):
        parser.add_argument("program", help="The program's short name (slug).")
        parser.add_argument("file", help="The REDCap data dictionary, a .csv file.")
        parser.add_argument(
            "--title", help="The survey's title (default: made from the file's name)."
        )
        parser.add_argument(
            "--anonymity",
            default=Anonymity.CODED.value,
            help=f"One of {', '.join(Anonymity.values)} (default: coded).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the dictionary and show what would be created; write nothing.",
        )

    def handle(self, *args, program, file, title, anonymity, dry_run, **options):
        found = program_from_slug(program)
        if anonymity not in Anonymity.values:
            raise CommandError(
                f"“{anonymity[:40]}” is not an anonymity mode. Modes: "
                f"{', '.join(Anonymity.values)}."
            )
        path = Path(file)
        title = _title_from_file(path) if title is None else title.strip()
        if not title:
            raise CommandError("--title is empty: give the survey a title.")
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}.") from error
        try:
            # A dry run is the real import, rolled back: the preview is exactly what
            # importing would create.
            with transaction.atomic():
                report: list[exports.DictionaryRow] = []
                instrument = exports.redcap_dictionary_import(
                    program=found,
                    title=title[:TITLE_MAX],
                    content=content,
                    anonymity=anonymity,
                    by=access.SYSTEM,
                    report=report,
                )
                self.print_questions(instrument)
                self.print_report(report)
                count = instrument.items.count()
                transaction.set_rollback(dry_run)
        except exports.DictionaryError as refusal:
            for problem in refusal.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(f"{path.name} was refused; no survey was created.") from None
        what = f"“{instrument.title}” ({instrument.anonymity}) in {found.name}"
        if dry_run:
            self.stdout.write(
                f"Dry run: {path.name} passed every check; importing it would create the "
                f"survey {what} with {count} question(s). Nothing was written."
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Created the survey {what}, id {instrument.pk}, with {count} question(s). "
                "It has no waves yet: add them in the survey editor before inviting anyone."
            )
        )

    def print_report(self, report: list) -> None:
        """What each row of the dictionary became, and every row left out with why."""
        self.stdout.write("Row by row:")
        for entry in report:
            self.stdout.write(f"  {entry}")
        skipped = sum(1 for entry in report if not entry.kept)
        if skipped:
            self.stdout.write(f"{skipped} row(s) left out (see “skipped:” above).")

    def print_questions(self, instrument: Instrument) -> None:
        for number, item in enumerate(instrument.items.all(), start=1):
            required = "required" if item.required else "optional"
            self.stdout.write(
                f"{number:>4}  {item.key:<26}  {item.get_kind_display():<18}  {required:<8}  "
                f"{item.text[:60]}"
            )
