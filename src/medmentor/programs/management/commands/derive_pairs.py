"""`medmentor derive-pairs PROGRAM_SLUG [--week YYYY-MM-DD]`: pairs from the service schedule."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max

from medmentor.programs import selectors, services
from medmentor.programs.management.lookup import program_from_slug
from medmentor.programs.models import ProgramWeek


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"“{text}” is not a date; write it as YYYY-MM-DD.") from error


class Command(BaseCommand):
    help = (
        "Derive the junior–senior pairs from the service schedule for one week (the week "
        "holding --week) or for every week the schedule covers; pairs the director added "
        "or removed stay as they are, and finished weeks are never changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("program", help="The program's short name (slug).")
        parser.add_argument("--week", help="Any day of the week to derive (YYYY-MM-DD).")

    def handle(self, *args, program: str, week: str | None, **options):
        found = program_from_slug(program)
        if found.service_id is None:
            raise CommandError(
                f"{found.name} has no service, so there is no schedule to pair from."
            )
        if week:
            day = _date(week)
            if day < found.starts_on:
                raise CommandError(
                    f"{day.isoformat()} is before the program starts ({found.starts_on})."
                )
            weeks = services.program_weeks_ensure(program=found, until=day)[-1:]
            if weeks and selectors.week_is_finished(week=weeks[0]):
                raise CommandError(selectors.week_finished_message(week=weeks[0]))
        else:
            last_day = found.service_blocks.filter(service_id=found.service_id).aggregate(
                last=Max("ends_on")
            )["last"]
            if last_day is not None:
                services.program_weeks_ensure(program=found, until=last_day)
            weeks = list(ProgramWeek.objects.filter(program=found).order_by("starts_on"))
            finished = [week for week in weeks if selectors.week_is_finished(week=week)]
            if finished:
                weeks = weeks[len(finished) :]
                self.stdout.write(
                    f"{len(finished)} finished week(s) kept as they were: finished weeks "
                    "never change, so the program's figures never move."
                )
                if not weeks:
                    return
        if not weeks:
            self.stdout.write("No weeks to derive: import the service schedule first.")
            return
        for program_week in weeks:
            derivation = services.pairs_derive(program=found, week=program_week)
            self.stdout.write(
                f"{program_week}: {len(derivation.pairs)} pair(s) "
                f"({derivation.added} added, {derivation.removed} removed, "
                f"{derivation.restored} back on the schedule)"
            )
            for pair in derivation.pairs:
                self.stdout.write(f"  {pair.junior.full_name} with {pair.senior.full_name}")
            for junior in derivation.juniors_without_senior:
                self.stdout.write(
                    self.style.WARNING(f"  {junior.full_name} has no senior on service this week.")
                )
