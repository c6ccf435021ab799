"""`medmentor create-program SLUG --name ... --institution ... --service ... --starts-on ...`."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from medmentor.messaging.services import sign_in_link_send
from medmentor.programs import services
from medmentor.programs.models import ProgramKind, Role


class Command(BaseCommand):
    help = (
        "Create a program (and its institution and service when new), optionally with its "
        "director, and email the director a one-time sign-in link (through the outbox)."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="Short name used in web addresses, e.g. nm-must-see.")
        parser.add_argument("--name", required=True, help="The program's full name.")
        parser.add_argument("--institution", required=True, help="e.g. Lakeside University.")
        parser.add_argument("--service", default="", help="e.g. Nuclear Medicine.")
        parser.add_argument(
            "--starts-on", required=True, help="Monday of the first week (YYYY-MM-DD)."
        )
        parser.add_argument("--kind", default=ProgramKind.CASE_REVIEW, choices=ProgramKind.values)
        parser.add_argument("--time-zone", default="America/New_York")
        parser.add_argument("--description", default="")
        parser.add_argument("--director-email", default="")
        parser.add_argument(
            "--director-name", default="", help="Needed when the director is new to medmentor."
        )

    def handle(self, *args, **options):
        try:
            starts_on = datetime.date.fromisoformat(options["starts_on"])
        except ValueError as error:
            raise CommandError(
                f"“{options['starts_on']}” is not a date; write it as YYYY-MM-DD."
            ) from error
        try:
            # One transaction: a director who cannot be enrolled leaves no program behind.
            with transaction.atomic():
                program = services.program_create(
                    name=options["name"],
                    slug=options["slug"],
                    institution_name=options["institution"],
                    service_name=options["service"],
                    starts_on=starts_on,
                    kind=options["kind"],
                    time_zone=options["time_zone"],
                    description=options["description"],
                )
                director = None
                if options["director_email"]:
                    director = services.person_enrol(
                        program=program,
                        email=options["director_email"],
                        full_name=options["director_name"],
                        role=Role.DIRECTOR,
                        training_level="faculty",
                    )
        except services.ProgramError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Created {program.name} ({program.slug})."))
        if director is not None:
            # Emailed, never printed: whoever runs the command must not be able to
            # sign in as the director (no one acts as another person).
            sign_in_link_send(person=director)
            self.stdout.write(
                f"{director.full_name} directs it. A one-time sign-in link is queued for "
                f"{director.email}; the worker (medmentor worker) sends it."
            )
        self.stdout.write(
            f"Next: medmentor import-roster {program.slug} roster.xlsx, then "
            f"medmentor import-schedule {program.slug} schedule.xlsx"
        )
