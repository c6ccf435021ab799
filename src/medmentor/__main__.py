"""The `medmentor` console command: every operation, as Django management commands."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medmentor.settings")
    from django.core.management import execute_from_command_line

    # `medmentor import-roster` and `medmentor import_roster` both work: the
    # console verbs are written with dashes, Django's command modules with underscores.
    argv = list(sys.argv)
    argv[0] = "medmentor"
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
