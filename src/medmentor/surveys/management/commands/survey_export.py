"""`medmentor survey-export PROGRAM_SLUG SURVEY_ID KIND OUT`: a survey's answers as CSV
(long, wide, REDCap dictionary or data) or its report as a PDF, the same bytes the
survey pages give."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from medmentor.programs.management.lookup import program_from_slug
from medmentor.surveys import exports, pdf, selectors
from medmentor.surveys.management.lookup import instrument_from_id

KINDS = [*exports.CSV_EXPORTS, "pdf"]


class Command(BaseCommand):
    help = (
        "Write a survey's answers as CSV (long, wide, redcap-dictionary, redcap-data) or "
        "its report as a PDF (pdf), to a file or, for the CSV kinds, to standard output."
    )

    def add_arguments(self, parser):
        parser.add_argument("program", help="The program's short name (slug).")
        parser.add_argument("survey", help="The survey's id (see survey-list).")
        parser.add_argument("kind", help=f"One of {', '.join(KINDS)}.")
        parser.add_argument("out", help="Where to write, e.g. answers.csv; - for standard output.")

    def handle(self, *args, program: str, survey: str, kind: str, out: str, **options):
        found = program_from_slug(program)
        instrument = instrument_from_id(found, survey)
        if kind not in KINDS:
            raise CommandError(f"No export called “{kind[:40]}”. Kinds: {', '.join(KINDS)}.")
        if kind == "pdf":
            if out == "-":
                raise CommandError(
                    "The PDF is not text: give a file to write it to, e.g. report.pdf, not “-”."
                )
            # As views.survey_report_pdf: the report page's template, printed.
            content = pdf.report_pdf(
                request=None, program=found, report=selectors.survey_report(instrument=instrument)
            )
        else:
            text = exports.CSV_EXPORTS[kind](instrument=instrument)
            if out == "-":
                self.stdout.write(text, ending="")
                return
            content = text.encode("utf-8")
        try:
            Path(out).write_bytes(content)
        except OSError as error:
            raise CommandError(f"Cannot write {out}: {error.strerror or error}.") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote the {kind} export of “{instrument.title}” to {out} "
                f"({len(content):,} bytes)."
            )
        )
