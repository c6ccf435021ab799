"""`medmentor groups_form PROGRAM_SLUG --profiles FILE [FILE ...] [--similar A ...]
[--diverse B ...] [--subgroup-by place|specialty|interest] [--publish]`: a national
network's groups from the console, with a progress bar over the files and steps.

A file holds at most 20,000 rows (the import engine's limit), so a network of 71,000
comes in several; they are imported all or nothing together (one transaction), as are
the draft and its publication."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from medmentor.groups import services
from medmentor.groups.services.formation import ATTRIBUTES, SUBGROUP_ATTRIBUTES
from medmentor.programs import access
from medmentor.programs.management.lookup import program_from_slug


class Command(BaseCommand):
    help = (
        "Import a peer-group program's profiles file (all or nothing), draft its groups "
        "with form_groups and, with --publish, publish them (one email per member)."
    )

    def add_arguments(self, parser):
        parser.add_argument("program", help="The program's short name (slug).")
        parser.add_argument(
            "--profiles", required=True, nargs="+", help="The profiles files (.csv, .xlsx)."
        )
        parser.add_argument("--similar", nargs="*", default=[], choices=ATTRIBUTES)
        parser.add_argument("--diverse", nargs="*", default=[], choices=ATTRIBUTES)
        parser.add_argument("--subgroup-by", default="", choices=["", *SUBGROUP_ATTRIBUTES])
        parser.add_argument("--publish", action="store_true", help="Publish the draft at once.")

    def handle(self, *args, program, profiles, similar, diverse, subgroup_by, publish, **options):
        found = program_from_slug(program)
        paths = [Path(name) for name in profiles]
        for path in paths:
            if not path.is_file():
                raise CommandError(f"There is no file {path}.")
        steps = len(paths) + (2 if publish else 1)
        notes: list[str] = []
        with (
            transaction.atomic(),
            tqdm(total=steps, desc="Importing the profiles", unit="step", file=self.stderr) as bar,
        ):
            for path in paths:
                result = services.group_profiles_import(
                    program=found,
                    file_name=path.name,
                    content=path.read_bytes(),
                    apply=True,
                    by=access.SYSTEM,
                )
                if not result.applied:
                    shown = "\n".join(str(error) for error in result.errors[:20])
                    more = len(result.errors) - 20
                    raise CommandError(
                        f"Nothing was imported: {path.name} has {len(result.errors)} problem(s)."
                        f"\n{shown}" + (f"\n… and {more} more." if more > 0 else "")
                    )
                notes += [f"{path.name}: {note}" for note in result.notes]
                bar.update()
            bar.set_description("Forming the groups")
            try:
                run = services.formation_run_create(
                    program=found,
                    by=access.SYSTEM,
                    similar=similar,
                    diverse=diverse,
                    subgroup_by=subgroup_by,
                )
            except services.GroupError as error:
                raise CommandError(str(error)) from None
            bar.update()
            placed = 0
            if publish:
                bar.set_description("Publishing and queueing the emails")
                placed = services.formation_publish(run=run, by=access.SYSTEM)
                bar.update()
        for note in notes:
            self.stdout.write(note)
        self.stdout.write(
            f"Draft #{run.pk}: {len(run.groups)} groups of "
            f"{sum(len(g['members']) for g in run.groups)} people."
        )
        for entry in run.groups[:5]:
            self.stdout.write(f"  {entry['name']}: {entry['summary']}")
        if publish:
            self.stdout.write(f"Published: {placed} members placed and emailed.")
        else:
            self.stdout.write("Not published: review the draft on the Form groups page.")
