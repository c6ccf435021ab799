"""`medmentor import-matching-profiles PROGRAM_SLUG FILE [--dry-run]`: matching profiles."""

from medmentor.mentoring import services
from medmentor.programs.management.commands.import_roster import ImportCommand


class Command(ImportCommand):
    help = (
        "Import (or with --dry-run, preview) the matching profiles of a one-to-one program's "
        "mentors and mentees: capacity, specialty, interests, site, languages, identity "
        "attributes they chose to share, concordance asked for, availability, preferences."
    )
    what = "the matching profiles"

    import_service = staticmethod(services.matching_profiles_import)
