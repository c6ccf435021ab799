"""The home page says, per program, what needs the signed-in person — only what their
role may see: counts for staff, a learner's own pair and own survey invitations."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from medmentor.curriculum.models import WeekPlan
from medmentor.mentoring.models import MatchingRun, MatchingRunStatus, Mentorship
from medmentor.messaging.models import OutboxMessage, OutboxStatus
from medmentor.programs.models import Enrollment, Pair, Program, ProgramKind, Role, ServiceBlock
from medmentor.qualitative.models import CoderAssignment
from medmentor.surveys.models import Invitation
from medmentor.surveys.services import invitations_create
from tests.conftest import make_person, sign_in
from tests.qualitative.conftest import ZOOM_VTT, codable
from tests.surveys.conftest import make_survey

pytestmark = pytest.mark.usefixtures("fast_passwords")


def _home(client, person) -> str:
    sign_in(client, person)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def _on_service(program, person, week) -> None:
    ServiceBlock.objects.create(
        program=program,
        person=person,
        service=program.service,
        starts_on=week.starts_on,
        ends_on=week.starts_on + datetime.timedelta(days=4),
    )


@pytest.fixture
def unpaired_junior(program, institution, case_week):
    """A junior on service this week whom no pair holds."""
    person = make_person("lone@lakeside.test", "Lee Lonely", "R1", institution)
    Enrollment.objects.create(program=program, person=person, role=Role.JUNIOR)
    _on_service(program, person, case_week.week)
    return person


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sign-in"))


def test_a_person_with_one_program_sees_its_card_not_a_redirect(client, junior, case_week):
    page = _home(client, junior)
    assert "Nuclear Medicine must-see case" in page
    assert reverse("workspace", kwargs={"slug": "nm-must-see"}) in page


def test_director_sees_juniors_without_a_senior_as_a_count_with_the_weeks_link(
    client, director, case_week, junior, unpaired_junior
):
    _on_service(case_week.week.program, junior, case_week.week)  # paired: not counted
    page = _home(client, director)
    assert "1 junior on service this week has no senior." in page
    assert reverse("program-weeks", kwargs={"slug": "nm-must-see"}) in page
    assert "Lee Lonely" not in page


def test_director_sees_failed_and_given_up_emails_with_the_outbox_link(client, director, program):
    for index, status in enumerate(
        [OutboxStatus.FAILED, OutboxStatus.FAILED, OutboxStatus.GAVE_UP, OutboxStatus.SENT]
    ):
        OutboxMessage.objects.create(
            key=f"k{index}",
            to_email="x@lakeside.test",
            subject="s",
            text_body="t",
            topic=f"program:{program.pk}",
            status=status,
        )
    OutboxMessage.objects.create(
        key="other",
        to_email="x@lakeside.test",
        subject="s",
        text_body="t",
        topic="program:999999",
        status=OutboxStatus.GAVE_UP,
    )
    page = _home(client, director)
    assert "2 emails failed and will be retried; 1 email gave up." in page
    assert reverse("outbox", kwargs={"slug": "nm-must-see"}) in page


def test_coordinator_is_told_this_week_has_no_curriculum_plan(client, coordinator, case_week):
    WeekPlan.objects.filter(program_week=case_week.week).delete()
    page = _home(client, coordinator)
    assert "has no curriculum plan" in page
    assert reverse("curriculum-overview", kwargs={"slug": "nm-must-see"}) in page


def test_director_with_nothing_to_do_reads_nothing_needs_you(client, director, case_week):
    page = _home(client, director)
    assert "Nothing needs you." in page
    assert "curriculum plan" not in page


def test_junior_sees_only_their_own_pair_this_week(
    client, junior, senior, other_senior, case_week, unpaired_junior
):
    page = _home(client, junior)
    assert f"This week: you and {senior.full_name}." in page
    assert other_senior.full_name not in page
    assert case_week.other_pair.junior.full_name not in page
    # Nothing meant for staff.
    assert "no senior" not in page
    assert "curriculum plan" not in page


def test_a_junior_with_several_seniors_reads_one_line_naming_them_all(
    client, junior, senior, other_senior, case_week
):
    Pair.objects.create(week=case_week.week, junior=junior, senior=other_senior)

    page = _home(client, junior)

    assert page.count("This week: you and") == 1
    assert f"This week: you and {senior.full_name} and {other_senior.full_name}." in page


def test_senior_sees_their_junior(client, junior, senior, case_week):
    page = _home(client, senior)
    assert f"This week: you and {junior.full_name}." in page


def test_a_removed_pair_is_not_this_weeks_pair(client, junior, senior, case_week):
    Pair.objects.filter(pk=case_week.pair.pk).update(is_removed=True)
    page = _home(client, junior)
    assert "This week: you and" not in page
    assert "Nothing needs you." in page


def test_faculty_see_no_names_and_no_staff_flags(
    client, faculty, case_week, unpaired_junior, junior, senior
):
    WeekPlan.objects.filter(program_week=case_week.week).delete()
    page = _home(client, faculty)
    for name in (junior.full_name, senior.full_name, unpaired_junior.full_name):
        assert name not in page
    assert "no senior" not in page
    assert "curriculum plan" not in page
    assert "Nothing needs you." in page


# --- Surveys ----------------------------------------------------------------------------


def test_staff_see_each_open_wave_with_its_response_rate_and_days_left(
    client, director, junior, senior, program
):
    instrument = make_survey(program)
    pre = instrument.waves.get(kind="pre")
    invitations_create(wave=pre, people=[junior, senior])
    page = _home(client, director)
    assert "(Pre) is open: 0 of 2 invited answered (0 %)" in page
    assert reverse("survey-list", kwargs={"slug": "nm-must-see"}) in page


def test_a_wave_closing_within_three_days_is_flagged(client, director, program):
    instrument = make_survey(program)
    instrument.waves.filter(kind="pre").update(
        closes_at=timezone.now() + datetime.timedelta(days=1, hours=1)
    )
    page = _home(client, director)
    assert "closing soon" in page


def test_a_learner_sees_their_own_unanswered_invitation_and_nothing_about_answers(
    client, junior, senior, program
):
    instrument = make_survey(program)
    pre = instrument.waves.get(kind="pre")
    invitations_create(wave=pre, people=[junior])
    page = _home(client, junior)
    assert f"A survey is waiting for you: {instrument.title} (Pre)" in page
    assert "/surveys/answer/" in page
    assert "invited answered" not in page  # staff's response rate is not theirs
    assert "A survey is waiting" not in _home(client, senior)  # not invited


def test_an_answered_or_declined_invitation_is_not_listed(client, junior, program):
    instrument = make_survey(program)
    invitations_create(wave=instrument.waves.get(kind="pre"), people=[junior])
    Invitation.objects.update(is_done=True)
    assert "A survey is waiting" not in _home(client, junior)


# --- One-to-one matching ------------------------------------------------------------------


@pytest.fixture
def one_to_one(institution, director, junior, other_junior, senior):
    program = Program.objects.create(
        name="Near-peer mentoring",
        slug="near-peer",
        kind=ProgramKind.ONE_TO_ONE,
        institution=institution,
        starts_on=datetime.date(2026, 11, 2),
    )
    for person, role in (
        (director, Role.DIRECTOR),
        (junior, Role.JUNIOR),
        (other_junior, Role.JUNIOR),
        (senior, Role.SENIOR),
    ):
        Enrollment.objects.create(program=program, person=person, role=role)
    return program


def test_director_sees_mentees_without_a_match_and_an_unpublished_draft(
    client, director, junior, senior, one_to_one
):
    Mentorship.objects.create(
        program=one_to_one, mentor=senior, mentee=junior, started_on=datetime.date(2026, 11, 2)
    )
    run = MatchingRun.objects.create(
        program=one_to_one, objective="stable", status=MatchingRunStatus.DRAFT
    )
    page = _home(client, director)
    assert "1 mentee without a published match." in page
    assert "A matching run is drafted but not published." in page
    assert reverse("matching-run", kwargs={"slug": "near-peer", "run_id": run.pk}) in page


def test_a_published_run_is_not_flagged_and_mentees_are_not_named_to_learners(
    client, director, junior, other_junior, one_to_one
):
    MatchingRun.objects.create(
        program=one_to_one, objective="stable", status=MatchingRunStatus.PUBLISHED
    )
    assert "drafted but not published" not in _home(client, director)
    page = _home(client, junior)
    assert "without a published match" not in page
    assert other_junior.full_name not in page


# --- Qualitative --------------------------------------------------------------------------


@pytest.fixture
def transcript(program, researcher, director, junior, senior):
    from medmentor.qualitative import services

    return services.document_import(
        program=program,
        by=researcher,
        file_name="focus-group-1.vtt",
        content=ZOOM_VTT.encode(),
        title="Focus group 1",
        attributes={},
    )


def test_researcher_sees_documents_awaiting_review_then_their_unfinished_coding(
    client, researcher, transcript
):
    page = _home(client, researcher)
    assert "1 document awaits de-identification review." in page
    assert reverse("qualitative", kwargs={"slug": "nm-must-see"}) in page
    codable(transcript, researcher)
    CoderAssignment.objects.get_or_create(document=transcript, coder=researcher)
    page = _home(client, researcher)
    assert "awaits de-identification review" not in page
    assert "1 document assigned to you: coding not finished." in page
    CoderAssignment.objects.filter(coder=researcher).update(finished_at=timezone.now())
    assert "coding not finished" not in _home(client, researcher)


def test_directors_and_learners_see_nothing_of_the_qualitative_work(
    client, director, junior, transcript
):
    assert "de-identification" not in _home(client, director)
    assert "de-identification" not in _home(client, junior)
