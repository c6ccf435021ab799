"""Named test people in one shared place, as in healthchecks' hc/test.py.

`program` is a case-review program on Nuclear Medicine with a director, a
coordinator, faculty, a researcher, two seniors and two juniors; `outsider` belongs to
another program. Every privacy test asks each of them in turn.
"""

import datetime
import functools
import gc
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test import override_settings

from medmentor.people.models import Institution, Person, Service
from medmentor.people.session_refresh import REFRESHED_AT
from medmentor.programs.models import Enrollment, Program, ProgramKind, Role

PASSWORD = "correct horse battery staple"  # noqa: S105 - test-only


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PENDING_IMPORTS_DIR = tmp_path / "pending-imports"


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def rows_for_the_module(django_db_blocker, tmp_path_factory, make):
    """For a module-scoped fixture: `make()` the rows once, inside a transaction that
    every test of the module then runs within (each test in its own savepoint, rolled
    back after it, as pytest-django always does) and that is rolled back after the
    module. So each test sees exactly what `make` wrote, whatever an earlier test did.
    Use from a fixture that also asks for `django_db_setup`; the module's tests must
    use `db` (not transaction=True), and tests that need an empty database belong in
    another module. Passwords are hashed with FAST_HASHERS (use `fast_passwords`);
    uploaded files go to a folder of the module's own."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            files = tmp_path_factory.mktemp("module-files")
            with override_settings(
                PASSWORD_HASHERS=FAST_HASHERS,
                MEDIA_ROOT=files / "media",
                PENDING_IMPORTS_DIR=files / "pending-imports",
            ):
                value = make()
        except BaseException:
            atomic.__exit__(*sys.exc_info())
            raise
    yield value
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture
def fast_passwords(settings):
    """Opt-in (`pytest.mark.usefixtures("fast_passwords")`, before the people are
    made): hash test passwords with MD5, not Argon2, for modules that make many people
    per test. Sign-in tests keep Argon2."""
    settings.PASSWORD_HASHERS = FAST_HASHERS


@functools.cache
def _password_hash(hashers: tuple[str, ...]) -> str:
    return make_password(PASSWORD)


def make_person(email: str, name: str, level: str, institution=None) -> Person:
    # Argon2 is slow on purpose; hash the shared test password once per hasher setting
    # and give every test person that same real hash.
    person = Person.objects.create_user(
        email=email, full_name=name, training_level=level, institution=institution
    )
    person.password = _password_hash(tuple(settings.PASSWORD_HASHERS))
    person.save(update_fields=["password"])
    return person


def make_institution() -> Institution:
    return Institution.objects.create(name="Lakeside University Hospital", slug="lakeside")


def make_service(institution) -> Service:
    return Service.objects.create(institution=institution, name="Nuclear Medicine")


def make_program(institution, service) -> Program:
    return Program.objects.create(
        name="Nuclear Medicine must-see case",
        slug="nm-must-see",
        kind=ProgramKind.CASE_REVIEW,
        institution=institution,
        service=service,
        starts_on=datetime.date(2026, 11, 2),
        time_zone="America/New_York",
        description="Every day a senior reviews a must-see case with the junior on service.",
    )


def _enrol(program, person, role):
    Enrollment.objects.create(program=program, person=person, role=role)
    return person


# The fixture of each name below: email, full name, training level, role in `program`.
PROGRAM_PEOPLE = {
    "director": ("director@lakeside.test", "Dana Director", "faculty", Role.DIRECTOR),
    "coordinator": ("coordinator@lakeside.test", "Cory Coordinator", "other", Role.COORDINATOR),
    "faculty": ("faculty@lakeside.test", "Fran Faculty", "faculty", Role.FACULTY),
    "researcher": ("researcher@lakeside.test", "Rae Researcher", "other", Role.RESEARCHER),
    "senior": ("senior@lakeside.test", "Sam Senior", "R3", Role.SENIOR),
    "other_senior": ("senior2@lakeside.test", "Sasha Senior", "fellow", Role.SENIOR),
    "junior": ("junior@lakeside.test", "Jo Junior", "R1", Role.JUNIOR),
    "other_junior": ("junior2@lakeside.test", "Jamie Junior", "R1", Role.JUNIOR),
}


def make_program_person(name: str, program, institution) -> Person:
    email, full_name, level, role = PROGRAM_PEOPLE[name]
    return _enrol(program, make_person(email, full_name, level, institution), role)


@pytest.fixture
def institution(db):
    return make_institution()


@pytest.fixture
def service(institution):
    return make_service(institution)


@pytest.fixture
def program(institution, service):
    return make_program(institution, service)


@pytest.fixture
def director(program, institution):
    return make_program_person("director", program, institution)


@pytest.fixture
def coordinator(program, institution):
    return make_program_person("coordinator", program, institution)


@pytest.fixture
def faculty(program, institution):
    return make_program_person("faculty", program, institution)


@pytest.fixture
def researcher(program, institution):
    return make_program_person("researcher", program, institution)


@pytest.fixture
def senior(program, institution):
    return make_program_person("senior", program, institution)


@pytest.fixture
def other_senior(program, institution):
    return make_program_person("other_senior", program, institution)


@pytest.fixture
def junior(program, institution):
    return make_program_person("junior", program, institution)


@pytest.fixture
def other_junior(program, institution):
    return make_program_person("other_junior", program, institution)


@pytest.fixture
def operations(db):
    """The operations account: a superuser with no enrollment, for the admin site only.
    Program people (the director too) are never staff or superusers."""
    return Person.objects.create_superuser(
        email="ops@lakeside.test",
        password=PASSWORD,
        full_name="Opal Operations",
    )


@pytest.fixture
def outsider(db, institution):
    """Enrolled as a junior in a different program: sees nothing of `program`."""
    return make_outsider(institution)


def make_outsider(institution) -> Person:
    other = Program.objects.create(
        name="Other program",
        slug="other",
        kind=ProgramKind.CASE_REVIEW,
        institution=institution,
        starts_on=datetime.date(2026, 11, 2),
    )
    person = make_person("outsider@elsewhere.test", "Olly Outsider", "R1", institution)
    return _enrol(other, person, Role.JUNIOR)


def make_curriculum_week(curriculum, number: int, topic: str):
    """A curriculum week with two readings and a case each weekday, two questions each."""
    from medmentor.curriculum.models import Case, CurriculumWeek, Question, Reading

    week = CurriculumWeek.objects.create(curriculum=curriculum, number=number, topic=topic)
    for order in range(2):
        Reading.objects.create(
            week=week, order=order, citation=f"{topic}: reading {order + 1}", url=""
        )
    for day in range(5):
        case = Case.objects.create(
            week=week,
            day=day,
            title=f"{topic}, case {day + 1}",
            history=f"Invented history for {topic} case {day + 1}.",
        )
        for order in range(2):
            Question.objects.create(
                case=case,
                order=order,
                text=f"Question {order + 1} of {case.title}?",
                answer=f"Answer {order + 1} of {case.title}.",
            )
    return week


@pytest.fixture
def case_week(program, junior, senior, other_junior, other_senior):
    """This calendar week (in the program's time zone) as a planned program week
    teaching curriculum week 1 (a case each weekday), with two pairs: junior–senior and
    other_junior–other_senior. Curriculum week 2 is planned for no week."""
    return make_case_week(program, junior, senior, other_junior, other_senior)


def make_case_week(program, junior, senior, other_junior, other_senior):
    """This calendar week (in the program's time zone) as a planned program week
    teaching curriculum week 1 (a case each weekday), with two pairs: junior–senior and
    other_junior–other_senior. Curriculum week 2 is planned for no week."""
    from types import SimpleNamespace

    from django.utils import timezone

    from medmentor.curriculum.models import Curriculum, WeekPlan
    from medmentor.programs.models import Pair, ProgramWeek

    today = timezone.localdate(timezone=program.zone)
    monday = today - datetime.timedelta(days=today.weekday())
    program.starts_on = monday
    program.save(update_fields=["starts_on"])
    curriculum = Curriculum.objects.create(program=program, title="NM must-see cases")
    week_one = make_curriculum_week(curriculum, 1, "Thyroid scintigraphy")
    week_two = make_curriculum_week(curriculum, 2, "Bone scans")
    program_week = ProgramWeek.objects.create(program=program, starts_on=monday)
    WeekPlan.objects.create(program_week=program_week, curriculum_week=week_one)
    return SimpleNamespace(
        today=today,
        week=program_week,
        curriculum=curriculum,
        curriculum_week=week_one,
        cases=list(week_one.cases.order_by("day")),
        unplanned_case=week_two.cases.order_by("day").first(),
        pair=Pair.objects.create(week=program_week, junior=junior, senior=senior),
        other_pair=Pair.objects.create(week=program_week, junior=other_junior, senior=other_senior),
    )


def coming_monday(program, weeks_ahead: int = 1) -> datetime.date:
    """The Monday `weeks_ahead` weeks after this one, in the program's time zone: a week
    that is not finished, so its pairs and marks may still change (finished weeks are
    frozen, docs/privacy.md)."""
    from medmentor.programs.selectors import program_today

    today = program_today(program=program)
    return today - datetime.timedelta(days=today.weekday()) + datetime.timedelta(weeks=weeks_ahead)


def sign_in(client, person) -> None:
    """Signed in as by the sign-in page: the session already carries its refresh time,
    so the next page view does not write it (medmentor.people.session_refresh)."""
    client.force_login(person)
    session = client.session
    session[REFRESHED_AT] = int(time.time())
    session.save()


assert settings.AUTH_USER_MODEL == "people.Person"


# --- The garbage collector skips what lives for the whole run ---------------------------


def pytest_collection_finish(session):
    # Django, numpy, scipy, the test modules: a million objects, imported once and kept
    # to the end. Frozen, every full collection during the run (and pytest's own at the
    # end) stops walking them; what the tests make is collected as before.
    gc.collect()
    gc.freeze()


# --- A test that starts a process is marked slow ----------------------------------------

_ALLOWED_TO_START_PROCESSES = {"slow", "browser"}
_running_test_marks: set[str] | None = None
_popen_init = subprocess.Popen.__init__


def _popen_only_in_slow_tests(self, args, *rest, **kwargs):
    # A new Python process costs seconds of imports: such tests are `slow`, so the quick
    # suite leaves them out and CI still runs them (.ci/run). Other programs (a library
    # asking fc-list for fonts) are quick and allowed.
    program = args if isinstance(args, str | bytes) else (list(args) or [""])[0]
    starts_python = str(program) == sys.executable or str(program).endswith("medmentor")
    marks = _running_test_marks
    if starts_python and marks is not None and not marks & _ALLOWED_TO_START_PROCESSES:
        raise AssertionError(
            "This test starts a Python process: mark it @pytest.mark.slow (tests/conftest.py)."
        )
    _popen_init(self, args, *rest, **kwargs)


subprocess.Popen.__init__ = _popen_only_in_slow_tests


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    global _running_test_marks
    _running_test_marks = {mark.name for mark in item.iter_markers()}
    try:
        return (yield)
    finally:
        _running_test_marks = None


# --- A real SMTP server, and a test database other processes can open ------------------


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, put the test database in a file instead of memory, so that a
    `medmentor worker` started as a subprocess by a test opens the same database."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3" and not database["TEST"].get("NAME"):
        database["TEST"]["NAME"] = str(tmp_path_factory.mktemp("database") / "test.sqlite3")


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd, in a thread) on a free loopback port, with Django's
    email settings pointed at it. `smtp_server.messages` are the messages it accepted,
    parsed by the email package; `smtp_server.sink` is its MailSink (hooks, counts)."""
    from medmentor.messaging.smtp_sink import MailSink, MailSinkServer

    server = MailSinkServer(MailSink(), host="127.0.0.1", port=0)
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    yield server
    server.stop()


def received_text(message) -> str:
    """A message a test SMTP server received, as its recipient reads it: the subject
    and every text part (plain and HTML), decoded."""
    parts = [str(message["Subject"] or "")]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    return "\n".join(parts)
