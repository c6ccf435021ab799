"""The evaluation: session lengths as median and range (from 5 sessions), the
pre/post survey's paired table, and the demo program."""

import datetime
import io

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from medmentor.programs.models import Program
from medmentor.reverse import selectors, services
from medmentor.reverse.demo import PROGRAM_SLUG
from medmentor.reverse.models import Release
from medmentor.surveys.models import Instrument
from tests.conftest import sign_in


def _logged(world, minutes: list[int]):
    for n, length in enumerate(minutes):
        starts_at = timezone.now() - datetime.timedelta(days=n + 1)
        session = services.session_book(
            program=world.program,
            consultant=world.consultant,
            starts_at=starts_at,
            by=world.consultant,
            now=starts_at - datetime.timedelta(days=1),
        )
        services.session_log(session=session, minutes=length, by=world.mentor)


def test_session_lengths_are_reported_as_median_and_range(world):
    _logged(world, [45, 28, 180, 45, 60])
    lengths = selectors.session_lengths(program=world.program)
    assert (lengths.n, lengths.median, lengths.low, lengths.high) == (5, 45, 28, 180)


def test_fewer_than_five_sessions_show_no_length(client, world):
    _logged(world, [45, 28])
    assert selectors.session_lengths(program=world.program).median is None
    sign_in(client, world.director)
    body = client.get(
        reverse("reverse-report", kwargs={"slug": world.program.slug})
    ).content.decode()
    assert "2 sessions logged" in body and "28" not in body


def test_the_report_is_for_staff_and_researchers(client, world):
    url = reverse("reverse-report", kwargs={"slug": world.program.slug})
    for person, status in [
        (world.director, 200),
        (world.researcher, 200),
        (world.consultant, 403),
        (world.mentor, 403),
        (world.facilitator, 403),
    ]:
        sign_in(client, person)
        assert client.get(url).status_code == status


def test_the_demo_loads_the_reverse_program_with_one_consultant_below_the_threshold(
    db, fast_passwords
):
    call_command("load_demo", "--today", "2026-11-27", stdout=io.StringIO())
    program = Program.objects.get(slug=PROGRAM_SLUG)
    counts = selectors.director_counts(program=program, viewer=selectors.access.SYSTEM)
    assert len(counts) == 5
    assert program.enrollments.filter(role="senior").count() == 6
    assert sorted(row.n_fellows for row in counts) == [2, 3, 3, 4, 5]
    assert [row.shown for row in counts if row.n_fellows < 3] == [False]
    assert Release.objects.filter(program=program).count() == 4
    lengths = selectors.session_lengths(program=program)
    assert (lengths.median, lengths.low, lengths.high) == (45, 28, 180)
    survey = Instrument.objects.get()
    assert survey.program == program
    report = selectors.reverse_report(program=program, viewer=selectors.access.SYSTEM)
    row = report.surveys[0].report.scales[0].comparison
    assert (row.n_pairs, row.pre.median, row.post.median) == (6, 21.0, 30.5)
    items = {item.key: comparison for item, comparison in report.surveys[0].items}
    understanding = items["role_understanding"]
    assert (understanding.pre.median, understanding.post.median) == (2.5, 4.0)
    assert understanding.wilcoxon.p_value < 0.05
