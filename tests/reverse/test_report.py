"""The evaluation: session lengths as median and range (from 5 sessions), the
pre/post survey's paired table, and the demo program."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from medmentor.programs.models import Program, ProgramKind
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
    survey = Instrument.objects.get(program__kind=ProgramKind.REVERSE)
    assert survey.program == program
    report = selectors.reverse_report(program=program, viewer=selectors.access.SYSTEM)
    row = report.surveys[0].report.scales[0].comparison
    assert (row.n_pairs, row.pre.median, row.post.median) == (6, 21.0, 30.5)
    items = {item.key: comparison for item, comparison in report.surveys[0].items}
    understanding = items["role_understanding"]
    assert (understanding.pre.median, understanding.post.median) == (2.5, 4.0)
    assert understanding.wilcoxon.p_value < 0.05


def _setup(world, pre_day=1, post_day=60):
    start = datetime.datetime(2026, 11, 1, 8, tzinfo=datetime.UTC)
    return services.evaluation_setup(
        program=world.program,
        pre_opens_at=start + datetime.timedelta(days=pre_day),
        post_opens_at=start + datetime.timedelta(days=post_day),
        by=world.director,
    )


def test_the_survey_is_set_up_for_each_side_with_its_own_invitations(world):
    fellows, consultants = _setup(world)
    assert fellows.title.endswith("— fellows (mentors)")
    assert consultants.title.endswith("— consultants (mentees)")
    for instrument, people in (
        (fellows, world.fellows),
        (consultants, [world.consultant, world.other_consultant]),
    ):
        assert [w.kind for w in instrument.waves.order_by("kind")] == ["post", "pre"]
        for wave in instrument.waves.all():
            invited = set(wave.invitations.values_list("person_id", flat=True))
            assert invited == {p.pk for p in people}
    report = selectors.reverse_report(program=world.program, viewer=world.director)
    assert [t.report.instrument for t in report.surveys] == [fellows, consultants]


def test_the_survey_is_set_up_once(world):
    _setup(world)
    with pytest.raises(services.ReverseError, match="already set up"):
        _setup(world)
    assert Instrument.objects.count() == 2


def test_a_post_wave_before_the_pre_wave_is_refused_and_nothing_written(world):
    with pytest.raises(services.ReverseError, match="must open after the pre wave"):
        _setup(world, pre_day=30, post_day=2)
    assert not Instrument.objects.exists()


def test_only_staff_set_up_the_survey(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.evaluation_setup(
            program=world.program,
            pre_opens_at=timezone.now(),
            post_opens_at=timezone.now() + datetime.timedelta(days=30),
            by=world.mentor,
        )
    assert not Instrument.objects.exists()


def test_the_report_page_sets_up_the_survey(client, world):
    sign_in(client, world.director)
    page = client.post(
        reverse("reverse-evaluation-setup", kwargs={"slug": world.program.slug}),
        {"pre_opens_on": "2026-11-02", "post_opens_on": "2027-01-04"},
        follow=True,
    )
    assert "The pre and post survey is set up" in page.content.decode()
    assert Instrument.objects.count() == 2
