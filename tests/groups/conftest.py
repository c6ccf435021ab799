"""Peer-group tests: the shared people of tests/conftest.py in a program of the
small-group kind (juniors and seniors are its learners), and eight more learners."""

import pytest

from medmentor.programs.models import ProgramKind
from tests.groups.world import make_learners

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.fixture
def program(program):
    program.kind = ProgramKind.PEER_GROUP
    program.name = "SWIMS peer mentoring"
    program.save(update_fields=["kind", "name"])
    return program


@pytest.fixture
def learners(program, fast_passwords):
    return make_learners(program, 10)
