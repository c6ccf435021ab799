"""Open-ended survey answers become a document of their own: one turn per answer, in
alphabetical order, de-identified and reviewed like a transcript."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from medmentor.qualitative import selectors, services
from medmentor.surveys.demo import survey_demo_load
from medmentor.surveys.models import Item, ItemKind
from tests.conftest import sign_in

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.fixture
def survey(program, roster):
    return survey_demo_load(program=program, today=datetime.date(2026, 11, 27))


def test_a_free_text_item_of_one_wave_becomes_a_document(client, program, researcher, survey):
    choices = selectors.survey_open_items(program=program, viewer=researcher)
    assert choices and all("answers)" in label for _, label in choices)
    item = Item.objects.get(instrument=survey, kind=ItemKind.TEXT)
    wave = survey.waves.get(kind="post")
    sign_in(client, researcher)
    response = client.post(
        reverse("qualitative-import", args=[program.slug]),
        {"source": "survey", "survey_item": f"{wave.pk}:{item.pk}"},
    )
    assert response.status_code == 302
    document = program.qualitative_documents.get()
    assert document.kind == "open_answers" and document.attributes["wave"] == "post"
    texts = [document.text[t.start : t.end] for t in document.turns.all()]
    assert texts == sorted(texts) and len(texts) >= 3
    assert all(turn.speaker == "" for turn in document.turns.all())


def test_an_item_of_another_program_or_not_free_text_is_refused(program, researcher, survey):
    likert = Item.objects.filter(instrument=survey).exclude(kind=ItemKind.TEXT).first()
    wave = survey.waves.get(kind="pre")
    with pytest.raises(ValidationError, match="free-text question"):
        services.open_answers_import(
            program=program, by=researcher, wave_id=wave.pk, item_id=likert.pk
        )
    assert not program.qualitative_documents.exists()
