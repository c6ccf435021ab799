import pytest

from tests.reverse.world import make_reverse_world

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.fixture
def world(db, fast_passwords):
    return make_reverse_world()


@pytest.fixture
def world_without_consent(db, fast_passwords):
    return make_reverse_world(consent=False)
