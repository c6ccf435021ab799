"""`medmentor groups_form`: a profiles file to published groups from the console, with a
progress bar; a bad file imports nothing and says where."""

import pytest
from django.core.management import CommandError, call_command

from medmentor.groups.models import GroupProfile, Membership, PeerGroup
from tests.groups.world import make_learners


def _file(tmp_path, people, extra: str = ""):
    rows = ["email,place,specialty"] + [
        f"{p.email},{'North' if k % 2 else 'South'},S{k % 3}" for k, p in enumerate(people)
    ]
    path = tmp_path / "profiles.csv"
    path.write_text("\n".join(rows) + "\n" + extra)
    return path


def test_the_console_imports_forms_and_publishes(program, tmp_path, capsys, fast_passwords):
    people = make_learners(program, 16)
    call_command(
        "groups_form",
        program.slug,
        "--profiles",
        str(_file(tmp_path, people)),
        "--diverse",
        "specialty",
        "--subgroup-by",
        "place",
        "--publish",
    )
    out = capsys.readouterr()
    assert "Published: 16 members placed and emailed." in out.out
    assert "Publishing" in out.err  # the progress bar's last step
    assert Membership.objects.count() == 16
    assert {g.subgroup for g in PeerGroup.objects.all()} == {"North", "South"}


def test_a_bad_file_imports_nothing_and_names_the_row(program, tmp_path, fast_passwords):
    people = make_learners(program, 8)
    path = _file(tmp_path, people, extra="nobody@else.test,North,S1\n")
    with pytest.raises(CommandError, match="Row 10, column email"):
        call_command("groups_form", program.slug, "--profiles", str(path))
    assert not GroupProfile.objects.exists() and not PeerGroup.objects.exists()


def test_several_files_are_all_or_nothing_together(program, tmp_path, fast_passwords):
    people = make_learners(program, 8)
    good = _file(tmp_path, people[:4])
    bad_folder = tmp_path / "second"
    bad_folder.mkdir()
    bad = _file(bad_folder, people[4:], extra="nobody@else.test,North,S1\n")
    with pytest.raises(CommandError, match="profiles.csv has 1 problem"):
        call_command("groups_form", program.slug, "--profiles", str(good), str(bad))
    assert not GroupProfile.objects.exists()
