"""`medmentor survey-invite PROGRAM_SLUG SURVEY_ID WAVE [--roles junior,senior]`: invite
the people of some roles of the program to a wave, as the invite page does."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from medmentor.programs import access
from medmentor.programs.management.lookup import program_from_slug
from medmentor.programs.models import LEARNER_ROLES, Role
from medmentor.surveys import editor_services, selectors, services
from medmentor.surveys.management.lookup import instrument_from_id, wave_from_name


class Command(BaseCommand):
    help = (
        "Invite everyone of the given roles in a program to a survey wave (people already "
        "invited are left as they are). The worker then emails each new invitation, and "
        "reminders, through the outbox, as after the invite page."
    )

    def add_arguments(self, parser):
        parser.add_argument("program", help="The program's short name (slug).")
        parser.add_argument("survey", help="The survey's id (see survey-list).")
        parser.add_argument("wave", help="The wave: pre, post or follow-up (or its id).")
        parser.add_argument(
            "--roles",
            default=",".join(LEARNER_ROLES),
            help=f"Comma-separated roles, of {', '.join(Role.values)} "
            f"(default: {','.join(LEARNER_ROLES)}).",
        )

    def handle(self, *args, program: str, survey: str, wave: str, roles: str, **options):
        found = program_from_slug(program)
        instrument = instrument_from_id(found, survey)
        chosen_wave = wave_from_name(instrument, wave)
        chosen = sorted({role.strip().lower() for role in roles.split(",") if role.strip()})
        # Counted before inviting: of the people holding a chosen role, those the wave
        # had already invited (someone holding two chosen roles counts once).
        already = (
            chosen_wave.invitations.filter(
                person__enrollments__program=found, person__enrollments__role__in=chosen
            )
            .values("person")
            .distinct()
            .count()
        )
        try:
            created = services.invitations_create_for_roles(
                wave=chosen_wave, roles=chosen, by=access.SYSTEM
            )
        except ValidationError as problem:
            raise CommandError(
                f"{' '.join(problem.messages)} Roles: {', '.join(Role.values)}."
            ) from None
        name = f"the {chosen_wave.get_kind_display().lower()} wave of “{instrument.title}”"
        self.stdout.write(
            self.style.SUCCESS(
                f"Invited {created} new {'person' if created == 1 else 'people'} to {name}; "
                f"{already} already had an invitation and {'was' if already == 1 else 'were'} "
                "left as before."
            )
        )
        for row in selectors.invitable_roles(wave=chosen_wave):
            if row.role in chosen:
                self.stdout.write(f"  {row.label}: {row.enrolled} enrolled, {row.invited} invited")
        first, last = editor_services.wave_days(wave=chosen_wave, zone=found.zone)
        now = timezone.now()
        if chosen_wave.closes_at <= now:
            self.stdout.write(
                f"This wave closed on {last}: the worker emails invitations only while a wave "
                "is open. Change its days in the survey editor to reopen it."
            )
        elif chosen_wave.opens_at > now:
            self.stdout.write(
                f"The worker emails the invitations when the wave opens on {first}, then up "
                f"to {instrument.max_reminders} reminder(s) "
                f"{instrument.reminded_in_plain_words}."
            )
        else:
            self.stdout.write(
                f"The worker emails the invitations through the outbox, then up to "
                f"{instrument.max_reminders} reminder(s) "
                f"{instrument.reminded_in_plain_words}."
            )
