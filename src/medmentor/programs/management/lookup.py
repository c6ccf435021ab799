"""What the console commands of every app share: finding the program they name."""

from django.core.management.base import CommandError

from medmentor.programs.models import Program


def program_from_slug(slug: str) -> Program:
    """The program whose slug is `slug`, or a CommandError listing the programs."""
    program = Program.objects.filter(slug=slug).first()
    if program is None:
        known = ", ".join(Program.objects.order_by("slug").values_list("slug", flat=True))
        raise CommandError(f"No program called “{slug}”. Programs: {known or 'none yet'}.")
    return program
