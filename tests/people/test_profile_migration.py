"""The mentoring profile became every kind's people.Profile (mentoring 0004): each row
and its photo's stored name are copied, and copied back when migrating backwards.

Runs when the test database is built by the migrations (CI's PostgreSQL run, or
`pytest --migrations`); skipped under the quick suite's --nomigrations.
"""

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from medmentor.people.models import Profile
from tests.conftest import make_person

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fast_passwords")]

BEFORE_THE_MOVE = [("mentoring", "0003_merge_goals_and_health")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


def _latest():
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.fixture
def before_the_move():
    if not isinstance(settings.MIGRATION_MODULES, dict):  # pytest --no-migrations
        pytest.skip("the test database was made without migrations")
    executor = _migrate(BEFORE_THE_MOVE)
    yield executor.loader.project_state(BEFORE_THE_MOVE).apps
    _latest()


def test_each_mentoring_profile_becomes_the_persons_profile_with_its_photo(before_the_move):
    old = before_the_move.get_model("mentoring", "MentoringProfile")
    ana = make_person("ana@lakeside.test", "Ana Mentee", "MS1")
    ben = make_person("ben@lakeside.test", "Ben Mentor", "R3")
    old.objects.create(
        person_id=ana.pk,
        bio="From Duluth",
        contact_preference="Email",
        photo="mentoring/photos/abc.jpg",
    )
    old.objects.create(person_id=ben.pk, bio="", contact_preference="Text me")

    _latest()

    profiles = {profile.person_id: profile for profile in Profile.objects.all()}
    assert set(profiles) == {ana.pk, ben.pk}
    assert (profiles[ana.pk].bio, profiles[ana.pk].contact_preference) == ("From Duluth", "Email")
    assert profiles[ana.pk].photo.name == "mentoring/photos/abc.jpg"
    assert profiles[ben.pk].contact_preference == "Text me"
    assert profiles[ben.pk].languages == []


def test_migrating_back_gives_the_mentoring_profiles_back(before_the_move):
    _latest()
    ana = make_person("ana@lakeside.test", "Ana Mentee", "MS1")
    Profile.objects.create(
        person=ana, bio="Hello", contact_preference="Email", languages=["Tagalog"]
    )

    executor = _migrate(BEFORE_THE_MOVE)

    old = executor.loader.project_state(BEFORE_THE_MOVE).apps.get_model(
        "mentoring", "MentoringProfile"
    )
    back = old.objects.get(person_id=ana.pk)
    assert (back.bio, back.contact_preference) == ("Hello", "Email")
