"""`medmentor export-qdpx` and `medmentor import-qdpx`: the same services from the console."""

import pytest
from django.core.management import CommandError, call_command

from medmentor.programs.models import Enrollment, Role
from medmentor.qualitative.models import Code, Document, Highlight
from tests.qualitative.test_refi_qda_exchange import coded_program, copy_program, second_coder

pytestmark = pytest.mark.usefixtures("fast_passwords")

__all__ = ["coded_program", "second_coder"]  # fixtures shared with the service tests


def test_export_then_import_into_another_program(coded_program, researcher, tmp_path, capsys):
    out = tmp_path / "focus-groups.qdpx"
    call_command("export_qdpx", coded_program.slug, str(out))
    assert "validates against the REFI-QDA schema" in capsys.readouterr().out

    copy = copy_program(coded_program)
    Enrollment.objects.create(program=copy, person=researcher, role=Role.RESEARCHER)
    call_command("import_qdpx", copy.slug, str(out), "--dry-run")
    output = capsys.readouterr().out
    assert "Dry run" in output and "2 documents, 4 codes, 2 themes" in output
    assert not Document.objects.filter(program=copy).exists()

    call_command("import_qdpx", copy.slug, str(out))
    assert "Imported focus-groups.qdpx" in capsys.readouterr().out
    assert Highlight.objects.filter(document__program=copy).count() == 4


def test_a_codebook_file_exports_and_imports_the_codebook_alone(
    coded_program, researcher, tmp_path
):
    out = tmp_path / "codes.qdc"
    call_command("export_qdpx", coded_program.slug, str(out))
    assert out.read_bytes().startswith(b"<?xml")
    copy = copy_program(coded_program)
    Enrollment.objects.create(program=copy, person=researcher, role=Role.RESEARCHER)
    call_command("import_qdpx", copy.slug, str(out))
    assert Code.objects.filter(program=copy).count() == 4
    assert not Document.objects.filter(program=copy).exists()


def test_a_refused_file_names_its_problems_and_writes_nothing(
    coded_program, researcher, tmp_path, capsys
):
    bad = tmp_path / "broken.qdpx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(CommandError, match="broken.qdpx was refused .1 problem.; nothing"):
        call_command("import_qdpx", coded_program.slug, str(bad), "--replace")
    assert "not a .qdpx" in capsys.readouterr().err
    assert Code.objects.filter(program=coded_program).count() == 4


def test_an_unknown_program_or_a_program_without_researchers_is_named(program, tmp_path):
    with pytest.raises(CommandError, match="No program called “nope”"):
        call_command("export_qdpx", "nope", str(tmp_path / "x.qdpx"))
    with pytest.raises(CommandError, match="nobody is a researcher"):
        call_command("import_qdpx", program.slug, str(tmp_path / "x.qdpx"))
