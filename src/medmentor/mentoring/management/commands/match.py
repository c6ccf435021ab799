"""`medmentor match PROGRAM_SLUG [--objective stable|optimal] [--dry-run] [--publish]`."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from medmentor.mentoring import services
from medmentor.programs.management.lookup import program_from_slug
from medmentor.programs.models import LEARNER_ROLES, Enrollment


class _DryRun(Exception):
    """Raised inside the transaction to undo a dry run's writes."""


class Command(BaseCommand):
    help = (
        "Match a one-to-one program's mentees with its mentors and print the summary, the "
        "stable-vs-optimal trade-off and why anyone is left unmatched. Published "
        "mentorships and the latest draft's locked pairs are kept. --dry-run writes "
        "nothing; --publish makes the draft the program's mentorships and emails everyone "
        "matched."
    )

    def add_arguments(self, parser):
        parser.add_argument("program", help="The program's short name (slug).")
        parser.add_argument("--objective", choices=["stable", "optimal"], default="stable")
        parser.add_argument("--seed", type=int, default=0, help="Breaks ties (stable).")
        parser.add_argument("--min-level-gap", type=int, default=2)
        parser.add_argument("--same-site", action="store_true")
        parser.add_argument("--dry-run", action="store_true", help="Show the draft, keep nothing.")
        parser.add_argument("--publish", action="store_true", help="Publish the draft at once.")

    def handle(
        self,
        *args,
        program: str,
        objective: str,
        seed: int,
        min_level_gap: int,
        same_site: bool,
        dry_run: bool,
        publish: bool,
        **options,
    ):
        if dry_run and publish:
            raise CommandError("Choose --dry-run or --publish, not both.")
        found = program_from_slug(program)
        people = Enrollment.objects.filter(program=found, role__in=LEARNER_ROLES).count()
        bar = tqdm(total=people, desc="Building the market", unit="person", file=self.stderr)
        try:
            with transaction.atomic():
                run = services.matching_run_create(
                    program=found,
                    objective=objective,
                    rules={"min_level_gap": min_level_gap, "same_site": same_site},
                    by=None,
                    seed=seed,
                    inline=True,
                    progress=bar.update,
                )
                bar.close()
                self._report(run)
                if publish:
                    mentorships = services.matching_run_publish(run=run, by=None)
                    self.stdout.write(
                        self.style.SUCCESS(
                            f"Published: {len(mentorships)} mentorships in force; one email "
                            "per matched person is in the outbox."
                        )
                    )
                if dry_run:
                    raise _DryRun
        except services.MatchingError as error:
            bar.close()
            raise CommandError(str(error)) from error
        except _DryRun:
            self.stdout.write("Dry run: nothing was kept.")
            return
        if not publish:
            self.stdout.write(
                f"Draft kept as run #{run.pk}: review it on the matching page, or publish "
                "with --publish."
            )

    def _report(self, run) -> None:
        write = self.stdout.write
        write(
            f"{run.get_objective_display()}: {run.matched} of {run.mentees} mentees matched "
            f"with {run.mentors} mentors; total score {run.total_score:g}; "
            f"{run.blocking_pairs} blocking pairs."
        )
        for name, numbers in run.tradeoff.items():
            write(
                f"  {name:<8} matched {numbers['matched']:>5}  unmatched {numbers['unmatched']:>5}"
                f"  total score {numbers['total_score']:>10g}  blocking pairs "
                f"{numbers['blocking_pairs']:>5}"
            )
        for warning in run.warnings:
            write(self.style.WARNING(f"  {warning}"))
        for pair in run.pairs.select_related("mentor", "mentee"):
            write(f"  {pair.explanation.get('summary', '')}")
        unmatched = list(run.unmatched_people.select_related("person"))
        if unmatched:
            write("Without a partner:")
            for item in unmatched:
                write(f"  {item.person.full_name} ({item.side}): {item.reason}")
