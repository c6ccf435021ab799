"""A previewed import waits on disk under a random name, not in the session; it goes
after its confirm, its cancel, a newer preview, or a day."""

import os
import time

import pytest
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from medmentor.people.models import Person
from medmentor.programs.importing import (
    pending_import_read,
    pending_import_save,
    pending_imports_prune,
)
from tests.programs.files import roster, schedule

pytestmark = pytest.mark.usefixtures("fast_passwords")

# A roster of 20,000 people: about a megabyte, like the one that slowed every page.
BIG_ROSTER = roster(
    *[[f"person{n}@lakeside.test", f"Person Number {n}", "R1", "junior"] for n in range(20_000)]
)
SMALL_ROSTER = roster(["ana@lakeside.test", "Ana Alvarez", "R1", "junior"])


def _preview(client, program, content, page="roster-import"):
    upload = SimpleUploadedFile("roster.csv", content, content_type="text/csv")
    return client.post(reverse(page, args=[program.slug]), {"action": "preview", "file": upload})


def _waiting(settings) -> list[str]:
    folder = settings.PENDING_IMPORTS_DIR
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def _session_bytes(client) -> int:
    session = Session.objects.get(session_key=client.session.session_key)
    return len(session.session_data)


def test_a_big_previewed_roster_waits_on_disk_and_the_session_stays_small(
    client, program, director, settings
):
    client.force_login(director)
    response = _preview(client, program, BIG_ROSTER)
    assert response.status_code == 200
    waiting = _waiting(settings)
    assert len(waiting) == 1
    assert (settings.PENDING_IMPORTS_DIR / waiting[0]).read_bytes() == BIG_ROSTER
    assert os.stat(settings.PENDING_IMPORTS_DIR / waiting[0]).st_mode & 0o077 == 0  # private
    assert len(BIG_ROSTER) > 1_000_000
    assert _session_bytes(client) < 2_000
    assert waiting[0] in str(client.session.items())  # only its name


def test_the_waiting_file_goes_after_the_confirm(client, program, director, settings):
    client.force_login(director)
    response = _preview(client, program, SMALL_ROSTER)
    client.post(
        reverse("roster-import", args=[program.slug]),
        {"action": "apply", "digest": response.context["digest"]},
    )
    assert Person.objects.filter(email="ana@lakeside.test").exists()
    assert _waiting(settings) == []


def test_the_waiting_file_goes_after_cancel_and_a_newer_preview_replaces_it(
    client, program, director, settings
):
    client.force_login(director)
    _preview(client, program, SMALL_ROSTER)
    first = _waiting(settings)
    _preview(client, program, roster(["bo@lakeside.test", "Bo", "R1", "junior"]))
    second = _waiting(settings)
    assert len(second) == 1 and second != first
    client.post(reverse("roster-import", args=[program.slug]), {"action": "cancel"})
    assert _waiting(settings) == []


def test_a_preview_waiting_more_than_a_day_is_pruned_at_the_next_preview(
    client, program, director, settings
):
    old = pending_import_save(content=b"old roster")
    day_and_a_bit = time.time() - 25 * 60 * 60
    os.utime(settings.PENDING_IMPORTS_DIR / old, (day_and_a_bit, day_and_a_bit))
    client.force_login(director)
    _preview(client, program, SMALL_ROSTER)
    assert old not in _waiting(settings)
    assert len(_waiting(settings)) == 1


def test_another_person_cannot_confirm_a_preview_that_is_not_theirs(
    client, program, director, coordinator
):
    client.force_login(director)
    response = _preview(client, program, SMALL_ROSTER)
    digest = response.context["digest"]
    # The same browser, now signed in as someone else: their session starts empty, and a
    # copied session entry names its person and is refused for another.
    pending = dict(client.session)
    client.force_login(coordinator)
    session = client.session
    for key, value in pending.items():
        if key.startswith("medmentor.pending-import."):
            session[key] = value
    session.save()
    answer = client.post(
        reverse("roster-import", args=[program.slug]),
        {"action": "apply", "digest": digest},
        follow=True,
    )
    assert "no longer waiting" in answer.content.decode()
    assert not Person.objects.filter(email="ana@lakeside.test").exists()


@pytest.mark.parametrize("name", ["", "../secret_key", "a" * 32 + "/x", "ABCDEF" * 6])
def test_a_name_that_pending_import_save_did_not_give_reads_nothing(name):
    assert pending_import_read(name=name) is None


def test_pruning_keeps_what_is_young_and_leaves_other_files_alone(settings):
    young = pending_import_save(content=b"young")
    stranger = settings.PENDING_IMPORTS_DIR / "README"
    stranger.write_text("not ours")
    assert pending_imports_prune() == 0
    assert pending_import_read(name=young) == b"young"
    assert stranger.exists()


def test_the_schedule_preview_waits_on_disk_too(client, program, director, junior, settings):
    client.force_login(director)
    content = schedule([junior.email, "", "2026-11-02", "2026-11-06"])
    response = _preview(client, program, content, page="schedule-import")
    assert response.status_code == 200, response.content.decode()[-2000:]
    waiting = _waiting(settings)
    assert [(settings.PENDING_IMPORTS_DIR / name).read_bytes() for name in waiting] == [content]
    client.post(
        reverse("schedule-import", args=[program.slug]),
        {"action": "apply", "digest": response.context["digest"]},
    )
    assert _waiting(settings) == []
