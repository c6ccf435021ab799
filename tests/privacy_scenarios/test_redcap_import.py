"""Attacks through a REDCap data dictionary: staff import a dictionary whose fields
REDCap marks as identifiers (name, email) into a survey that promises respondents no
identity. The import page leaves those fields out and says so; the survey respondents
see never asks who they are."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from medmentor.surveys.models import Anonymity, Instrument
from tests.conftest import sign_in
from tests.surveys.test_redcap_dictionary import dictionary

pytestmark = pytest.mark.usefixtures("fast_passwords")

ROWS = [
    'record_id,f,,text,"Record ID",,,,,,,,,,,,,',
    'email,f,,text,"Your hospital email",,,email,,,y,,y,,,,,',
    'full_name,f,,text,"Your name",,,,,,y,,,,,,,',
    'helpful,f,,radio,"Was it helpful?","1, No | 2, Somewhat | 3, Yes",,,,,,,,,,,,',
]


@pytest.mark.parametrize("anonymity", [Anonymity.CODED, Anonymity.ANONYMOUS])
def test_identifier_fields_in_a_dictionary_cannot_make_a_coded_survey_ask_who_answers(
    client, program, director, anonymity
):
    sign_in(client, director)
    url = reverse("survey-redcap-import", kwargs={"slug": program.slug})
    assert client.get(url).status_code == 200

    page = client.post(
        url,
        {
            "title": "Feedback",
            "anonymity": anonymity,
            "dictionary": SimpleUploadedFile("feedback.csv", dictionary(*ROWS)),
        },
        follow=True,
    )

    survey = Instrument.objects.get(title="Feedback")
    assert survey.anonymity == anonymity
    assert list(survey.items.values_list("key", flat=True)) == ["helpful"]
    text = page.content.decode()
    assert "email (text) skipped: marked Identifier in REDCap" in text
    assert "full_name (text) skipped: marked Identifier in REDCap" in text
