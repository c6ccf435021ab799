"""`medmentor load-demo`: the seed's program, loaded through the real imports, idempotent."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse
from PIL import Image

from medmentor.curriculum import demo
from medmentor.curriculum.models import (
    Case,
    CaseImage,
    CaseReview,
    Curriculum,
    CurriculumWeek,
    Question,
    Reading,
    WeekPlan,
)
from medmentor.people.models import Institution, Person, Service
from medmentor.programs.models import (
    Enrollment,
    Pair,
    Program,
    ProgramWeek,
    Role,
    ServiceBlock,
)
from medmentor.programs.selectors import on_service_by_week
from tests.conftest import rows_for_the_module

pytestmark = pytest.mark.usefixtures("fast_passwords")

TODAY = datetime.date(2026, 11, 27)  # a Friday
MODELS = (
    Institution,
    Service,
    Person,
    Program,
    Enrollment,
    ServiceBlock,
    ProgramWeek,
    Pair,
    Curriculum,
    CurriculumWeek,
    Reading,
    Case,
    CaseImage,
    Question,
    WeekPlan,
    CaseReview,
)


def load(today=TODAY) -> str:
    out = io.StringIO()
    call_command("load_demo", "--today", today.isoformat(), stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table the demo writes (but sign-in times), to compare runs."""
    return {
        model.__name__: sorted(
            tuple(sorted((key, str(value)) for key, value in row.items() if key != "last_login"))
            for row in model.objects.values()
        )
        for model in MODELS
    }


@pytest.fixture(scope="module")
def first_load(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo loaded once into the empty database, and what that load printed; each
    test starts from exactly this (tests/conftest.py, rows_for_the_module)."""
    yield from rows_for_the_module(django_db_blocker, tmp_path_factory, load)


@pytest.fixture
def demo_program(db, first_load):
    return Program.objects.get(slug=demo.PROGRAM_SLUG)


def test_loading_twice_changes_nothing(db, first_load):
    first_output = first_load
    before = snapshot()

    second_output = load()

    assert snapshot() == before
    assert "Created the program" in first_output
    assert "is already loaded and current" in second_output
    assert "Roster: 0 people added, 0 updated, 18 unchanged." in second_output
    assert "Schedule: 0 rotation blocks added, 0 replaced, 14 unchanged." in second_output


def test_another_day_of_the_same_week_changes_nothing(demo_program):
    before = snapshot()

    load(TODAY - datetime.timedelta(days=3))  # the Tuesday

    assert snapshot() == before


def test_the_demo_has_the_seeds_people(demo_program):
    roles = dict(
        Enrollment.objects.filter(program=demo_program)
        .values_list("role")
        .annotate(count=Count("id"))
    )

    assert roles == {
        Role.DIRECTOR: 1,
        Role.COORDINATOR: 1,
        Role.FACULTY: 1,
        Role.RESEARCHER: 2,  # the seed's researcher and the focus groups' second coder
        Role.JUNIOR: 4,
        Role.SENIOR: 10,
    }
    juniors = Person.objects.filter(enrollments__program=demo_program, enrollments__role="junior")
    seniors = Person.objects.filter(enrollments__program=demo_program, enrollments__role="senior")
    assert set(juniors.values_list("training_level", flat=True)) == {"R1"}
    assert sorted(seniors.values_list("training_level", flat=True)) == sorted(
        ["R3", "R3", "R3", "R4", "R4", "R4", "R5", "R5", "fellow", "fellow"]
    )
    assert demo_program.service.name == "Nuclear Medicine"
    assert Institution.objects.count() == 1


@pytest.mark.parametrize(
    "email",
    ["director@demo.medmentor.test", "junior1@demo.medmentor.test", "senior10@demo.medmentor.test"],
)
def test_demo_people_sign_in_with_the_demo_password(client, demo_program, email):
    # Through the sign-in page: django-axes needs the request that client.login() lacks.
    signed_in = client.post(reverse("sign-in"), {"email": email, "password": "medmentor-demo"})
    assert signed_in.status_code == 302
    assert client.session["_auth_user_id"]


def test_the_output_shows_how_to_sign_in_as_each_role(first_load):
    output = first_load

    for email in (
        "director@demo.medmentor.test",
        "coordinator@demo.medmentor.test",
        "faculty@demo.medmentor.test",
        "researcher@demo.medmentor.test",
        "junior4@demo.medmentor.test",
        "senior10@demo.medmentor.test",
    ):
        line = next(line for line in output.splitlines() if email in line)
        assert line.rstrip().endswith("medmentor-demo")
    header = next(line for line in output.splitlines() if line.startswith("role "))
    assert header.split() == ["role", "name", "email", "password"]
    operations = next(line for line in output.splitlines() if demo.OPERATIONS_EMAIL in line)
    assert operations.startswith("operations (admin site only)")


def test_the_demo_director_is_no_superuser_and_operations_is_a_separate_account(db, first_load):
    director = Person.objects.get(email="director@demo.medmentor.test")
    assert not director.is_staff and not director.is_superuser
    operations = Person.objects.get(email=demo.OPERATIONS_EMAIL)
    assert operations.is_superuser and operations.is_staff
    assert not Enrollment.objects.filter(person=operations).exists()
    # No program person is staff in the demo: only operations opens the admin.
    assert set(Person.objects.filter(is_staff=True).values_list("email", flat=True)) == {
        demo.OPERATIONS_EMAIL
    }


def test_loading_again_undoes_an_older_demo_that_made_its_director_a_superuser(db, first_load):
    Person.objects.filter(email="director@demo.medmentor.test").update(
        is_staff=True, is_superuser=True
    )
    load()
    director = Person.objects.get(email="director@demo.medmentor.test")
    assert not director.is_staff and not director.is_superuser


def test_today_is_in_the_programs_fourth_week_and_the_next_weeks_follow(demo_program):
    monday = TODAY - datetime.timedelta(days=TODAY.weekday())
    weeks = list(ProgramWeek.objects.filter(program=demo_program).order_by("starts_on"))

    assert demo_program.starts_on == monday - datetime.timedelta(weeks=3)
    assert demo_program.starts_on.weekday() == 0
    assert [week.starts_on for week in weeks] == [
        demo_program.starts_on + datetime.timedelta(weeks=n) for n in range(8)
    ]
    for week in weeks[3:6]:  # this week and the next two have pairs and a curriculum week
        assert Pair.objects.filter(week=week).exists()
        assert WeekPlan.objects.filter(program_week=week).exists()


def test_each_junior_has_a_four_week_rotation_with_seniors_and_one_week_flags_a_gap(
    demo_program,
):
    weeks = list(ProgramWeek.objects.filter(program=demo_program).order_by("starts_on"))
    on_service = on_service_by_week(program=demo_program, weeks=weeks)

    weeks_on = {}
    for week in weeks:
        for junior in on_service[week.id].juniors:
            weeks_on.setdefault(junior.email, []).append(week.starts_on)
    assert sorted(len(dates) for dates in weeks_on.values()) == [4, 4, 4, 4]
    seniors_per_week = [len(on_service[week.id].seniors) for week in weeks]
    assert seniors_per_week[:7] == [2, 3, 2, 3, 3, 2, 3]
    assert seniors_per_week[7] == 0
    assert [junior.email for junior in on_service[weeks[7].id].juniors] == [
        "junior4@demo.medmentor.test"
    ]
    assert not Pair.objects.filter(week=weeks[7]).exists()


def test_the_curriculum_has_six_weeks_of_five_cases_with_questions_and_images(demo_program):
    curriculum = Curriculum.objects.get(program=demo_program)
    weeks = list(curriculum.weeks.all())

    assert len(weeks) == 6
    for week in weeks:
        cases = list(week.cases.all())
        assert [case.day for case in cases] == [0, 1, 2, 3, 4]
        assert all(case.questions.count() >= 2 for case in cases)
        assert 2 <= week.readings.count() <= 3
        assert CaseImage.objects.filter(case__week=week).exists()
    assert curriculum.source.startswith("medmentor demo program")


def test_the_demo_images_are_small_labelled_illustrations():
    images = sorted((demo.CURRICULUM_FOLDER / "images").rglob("*.png"))

    assert len(images) >= 6
    for path in images:
        assert path.stat().st_size < 30 * 1024
        with Image.open(path) as picture:
            # The dark banner that reads "ILLUSTRATION · synthetic drawing, not patient data".
            assert picture.convert("L").getpixel((2, 2)) < 60


def test_the_demo_curriculum_source_is_a_package_the_importer_accepts():
    from medmentor.curriculum.package import curriculum_package_read

    package = curriculum_package_read(content=demo.demo_curriculum_package())

    assert package.summary().startswith("6 weeks, 18 readings, 30 cases")


def test_the_program_weeks_teach_the_curriculum_in_turn(demo_program):
    taught = list(
        WeekPlan.objects.filter(program_week__program=demo_program)
        .order_by("program_week__starts_on")
        .values_list("curriculum_week__number", flat=True)
    )

    assert taught == [1, 2, 3, 4, 5, 6, 1, 2]


def test_loading_in_a_later_week_moves_the_demo_to_stay_current(demo_program):
    later = TODAY + datetime.timedelta(weeks=5)

    output = load(later)

    program = Program.objects.get(pk=demo_program.pk)
    assert "Moved the program" in output
    assert program.starts_on == demo_program.starts_on + datetime.timedelta(weeks=5)
    assert ProgramWeek.objects.filter(program=program).count() == 8
    assert ServiceBlock.objects.filter(program=program).count() == 14
    assert min(ServiceBlock.objects.values_list("starts_on", flat=True)) == program.starts_on
    assert WeekPlan.objects.filter(program_week__program=program).count() == 8
    # and the near-peer program's 12 mentors, 24 students, the focus groups' second coder,
    # the operations account, the reverse mentoring program's 6 fellows, 5 consultants
    # and facilitator, the peer-support conference's 10 residents and 4 faculty, and the
    # peer-group program's 22 members
    assert Person.objects.count() == 18 + 36 + 1 + 1 + 12 + 14 + 22


def test_the_weeks_already_over_have_case_marks_so_the_dashboard_shows_figures(
    client, demo_program
):
    from django.urls import reverse

    from tests.conftest import sign_in

    marks = CaseReview.objects.filter(pair__week__program=demo_program)
    assert marks.filter(status="reviewed").exists() and marks.filter(status="skipped").exists()
    # Only finished weeks (the program is in its fourth week): nothing marked ahead.
    assert not marks.filter(pair__week__starts_on__gt=TODAY - datetime.timedelta(days=7)).exists()
    director = Person.objects.get(email="director@demo.medmentor.test")
    sign_in(client, director)
    page = client.get(reverse("program-detail", kwargs={"slug": demo_program.slug}))
    assert "% reviewed</strong>" in page.content.decode()
