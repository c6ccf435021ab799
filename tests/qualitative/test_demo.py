"""load-demo brings two de-identified focus groups coded by two coders, so agreement and
the competency matrix show at once; loading again adds nothing."""

import datetime
import io

import pytest
from django.core.management import call_command

from medmentor.people.models import Person
from medmentor.programs.models import Program
from medmentor.qualitative import selectors
from medmentor.qualitative.models import Code, Document, Highlight

TODAY = datetime.date(2026, 11, 27)


def _load() -> str:
    out = io.StringIO()
    call_command("load_demo", "--today", TODAY.isoformat(), stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_demo_focus_groups_are_coded_by_two_coders_with_agreement_and_a_matrix():
    output = _load()
    program = Program.objects.get(kind="case_review")
    assert "/qualitative/agreement/" in output and "coder2@demo.medmentor.test" in output
    documents = list(Document.objects.filter(program=program))
    assert len(documents) == 2 and {d.status for d in documents} == {"codable"}
    roster_names = list(program.enrollments.values_list("person__full_name", flat=True))
    for document in documents:
        for name in roster_names:
            for part in name.split():
                assert f" {part} " not in f" {document.text} ", (document.title, part)
        assert "555-201-7788" not in document.text and "@demo" not in document.text
    researcher = Person.objects.get(email="researcher@demo.medmentor.test")
    page = selectors.agreement_for(program=program, viewer=researcher)
    assert len(page.coders) == 2
    # Both coders marked their coding finished: the agreement page does not warn.
    assert selectors.unfinished_coders(program=program, viewer=researcher) == {}
    pooled = page.result.rows[-1]
    assert 0.5 < pooled.kappa < 1.0  # they agree mostly, not always
    matrix = selectors.competency_matrix(program=program, viewer=researcher)
    filled = [cell for _theme, cells in matrix.rows for cell in cells if cell.count]
    assert len(filled) >= 5 and all(cell.quote for cell in filled)

    counts = (Document.objects.count(), Code.objects.count(), Highlight.objects.count())
    _load()
    assert (Document.objects.count(), Code.objects.count(), Highlight.objects.count()) == counts
