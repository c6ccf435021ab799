"""`medmentor survey-list PROGRAM_SLUG`: the program's surveys and their response rates."""

from django.core.management.base import BaseCommand

from medmentor.programs.management.lookup import program_from_slug
from medmentor.surveys import editor_services, selectors


class Command(BaseCommand):
    help = (
        "List a program's surveys (id, title, anonymity) and, per wave, the days it is open "
        "and how many were invited, answered and declined: counts only, never who."
    )

    def add_arguments(self, parser):
        parser.add_argument("program", help="The program's short name (slug).")

    def handle(self, *args, program: str, **options):
        found = program_from_slug(program)
        surveys = selectors.instruments_of_program(program=found)
        if not surveys:
            self.stdout.write(f"{found.name} has no surveys yet.")
            return
        self.stdout.write(
            f"Surveys of {found.name} (counts per wave only: who answered is never shown)"
        )
        for instrument, counts in surveys:
            self.stdout.write("")
            self.stdout.write(
                f"{instrument.pk}  {instrument.title}  [{instrument.get_anonymity_display()}]"
            )
            if not counts:
                self.stdout.write("    no waves yet")
                continue
            self.stdout.write(
                f"    {'wave':<10} {'open (days)':<25} {'invited':>7} {'answered':>8} "
                f"{'declined':>8} {'rate':>5}"
            )
            for row in counts:
                first, last = editor_services.wave_days(wave=row.wave, zone=found.zone)
                rate = row.rate_text if row.rate is not None else "—"  # no room for why
                self.stdout.write(
                    f"    {row.wave.get_kind_display():<10} {f'{first} – {last}':<25} "
                    f"{row.invited:>7} {row.submitted:>8} {row.declined:>8} {rate:>5}"
                )
