"""`medmentor load-demo`: the seed's Nuclear Medicine must-see-case program, ready to try.

Safe to run again: a second run in the same week changes nothing. See
medmentor.site.demo for what it loads (and medmentor.curriculum.demo for how it keeps
the dates current).
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from medmentor.site import demo


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"“{text}” is not a date such as 2026-11-27.") from error


class Command(BaseCommand):
    help = (
        "Load the demo program (one Nuclear Medicine service, 4 R1s, 10 seniors, staff, six "
        "weeks of cases) with today's dates, and print how to sign in as each role."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            type=_date,
            help="Load as if today were this date (YYYY-MM-DD); default: today in "
            f"{demo.TIME_ZONE}.",
        )

    def handle(self, *args, today: datetime.date | None, **options):
        today = today or demo.demo_today()
        try:
            loaded = demo.demo_load(today=today)
        except demo.DemoError as error:
            raise CommandError(str(error)) from error
        near_peer, survey, focus_groups = loaded.near_peer, loaded.survey, loaded.focus_groups
        operations = loaded.case_review.operations
        for line in loaded.lines:
            self.stdout.write(line)
        slug = loaded.case_review.program.slug
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo program: {settings.SITE_URL}{reverse('home')}"))
        self.stdout.write(f"Sign in at {settings.SITE_URL}{reverse('sign-in')} with:")
        self.stdout.write("")
        rows = [("role", "name", "email", "password")]
        rows += [
            (role, person.full_name, person.email, demo.PASSWORD)
            for role, person in loaded.case_review.people
        ]
        rows += [
            ("mentor", near_peer.mentor.full_name, near_peer.mentor.email, demo.PASSWORD),
            ("mentee", near_peer.mentee.full_name, near_peer.mentee.email, demo.PASSWORD),
            (
                "coder",
                focus_groups.second_coder.full_name,
                focus_groups.second_coder.email,
                demo.PASSWORD,
            ),
            (
                "operations (admin site only)",
                operations.full_name,
                operations.email,
                demo.PASSWORD,
            ),
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(4)]
        for index, row in enumerate(rows):
            self.stdout.write(
                "  ".join(
                    cell.ljust(width) for cell, width in zip(row, widths, strict=True)
                ).rstrip()
            )
            if index == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
        self.stdout.write("")
        self.stdout.write(
            f"Juniors and seniors open {reverse('workspace', kwargs={'slug': slug})}; "
            f"the director and coordinator {reverse('program-detail', kwargs={'slug': slug})} "
            f"and {reverse('curriculum-overview', kwargs={'slug': slug})}. Only the "
            f"operations account opens {reverse('admin:index')}: no program person is "
            "staff, and even operations sees there no learner's progress, password or "
            "last sign-in."
        )
        near_peer_slug = near_peer.program.slug
        self.stdout.write(
            f"Near-peer program: {len(near_peer.mentees)} incoming students paired with "
            f"{len(near_peer.mentors)} mentors. Mentors and mentees open their pair at "
            f"{reverse('mentoring-pairs', kwargs={'slug': near_peer_slug})} (the director "
            "sees the pairs, meetings per week and goals counted there; matching again at "
            f"{reverse('matching', kwargs={'slug': near_peer_slug})}); mentor1–"
            f"{len(near_peer.mentors)} and mentee1–{len(near_peer.mentees)}"
            "@demo.medmentor.test sign in with the same password."
        )
        reverse_slug = survey.program.slug
        self.stdout.write(
            "Reverse mentoring: fellow1–6 and consultant1–5@demo.medmentor.test, and the "
            "facilitator facilitator@demo.medmentor.test, open "
            + reverse("reverse-home", kwargs={"slug": reverse_slug})
            + "; its evaluation at "
            + reverse("reverse-report", kwargs={"slug": reverse_slug})
            + ". The pre/post survey's report (paired table, charts, exports) at "
            + reverse("survey-report", kwargs={"slug": reverse_slug, "instrument_id": survey.pk})
        )
        self.stdout.write(
            "Focus groups: the researcher and the second coder open "
            + reverse("qualitative", kwargs={"slug": slug})
            + " (agreement at "
            + reverse("qualitative-agreement", kwargs={"slug": slug})
            + ", competency map at "
            + reverse("qualitative-competencies", kwargs={"slug": slug})
            + ")."
        )
