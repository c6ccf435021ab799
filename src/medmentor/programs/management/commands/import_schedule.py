"""`medmentor import-schedule PROGRAM_SLUG FILE [--dry-run]`: rotation blocks, then pairs."""

from medmentor.programs import services
from medmentor.programs.management.commands.import_roster import ImportCommand


class Command(ImportCommand):
    help = (
        "Import (or with --dry-run, preview) a program's service schedule from a .csv or "
        ".xlsx file; the weekly pairs are derived again for the weeks it covers."
    )
    what = "the service schedule"

    import_service = staticmethod(services.schedule_import)
