"""Mentor reflections: written by the pair's mentor after a meeting, tagged with ACGME
competencies (the qualitative app's list); with consent, revocable until export, they
reach the researchers as one de-identified document of the qualitative import."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from medmentor.mentoring.models import Reflection
from medmentor.mentoring.services import (
    HealthError,
    reflection_consent_set,
    reflection_write,
    reflections_export,
)
from medmentor.qualitative.models import Document, DocumentKind
from tests.conftest import sign_in
from tests.mentoring.health_world import met_days_ago, published_world

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.fixture
def world(institution, director, coordinator, researcher, faculty):
    return published_world(
        institution,
        director=director,
        coordinator=coordinator,
        researcher=researcher,
        faculty=faculty,
    )


def _write(world, text: str, *, consent: bool, first_name: str = "ana", **kwargs):
    mentorship = world.pairs[first_name]
    return reflection_write(
        mentorship=mentorship, by=mentorship.mentor, text=text, consent=consent, **kwargs
    )


def test_a_mentor_writes_a_reflection_after_a_meeting_tagged_with_competencies(world):
    mentorship = world.pairs["ana"]
    meeting = met_days_ago(mentorship, 1)

    reflection = _write(
        world,
        "I listened more than I talked.",
        consent=False,
        meeting=meeting,
        competencies=["interpersonal_communication", "professionalism"],
    )

    assert reflection.meeting == meeting
    assert reflection.competencies == ["interpersonal_communication", "professionalism"]


def test_a_competency_outside_the_acgme_list_is_refused_in_words(world):
    with pytest.raises(HealthError, match="“leadership” is not an ACGME competency"):
        _write(world, "Words.", consent=False, competencies=["leadership"])
    assert not Reflection.objects.exists()


def test_only_the_pairs_mentor_writes_its_reflection(world):
    mentorship = world.pairs["ana"]
    with pytest.raises(HealthError, match="Only the pair's mentor"):
        reflection_write(mentorship=mentorship, by=mentorship.mentee, text="Hi", consent=True)


def test_consented_reflections_become_one_deidentified_document_for_researchers(world):
    _write(world, "Ana Mentee asked how I chose family medicine.", consent=True)
    _write(world, "Ben Mentee was quiet today.", consent=True, first_name="ben")
    kept = _write(world, "A private thought.", consent=False)

    document_id = reflections_export(program=world.program, by=world.researcher)

    document = Document.objects.get(pk=document_id)
    assert document.kind == DocumentKind.OPEN_ANSWERS
    assert "Ana Mentee" not in document.text
    assert "Ben Mentee" not in document.text
    assert "family medicine" in document.text
    assert "private thought" not in document.text
    for name in ("Mara Mentor", "Nate Mentor", "Olu Mentor"):
        assert name not in document.text
    kept.refresh_from_db()
    assert kept.exported_at is None
    with pytest.raises(HealthError, match="No mentor reflection shared"):
        reflections_export(program=world.program, by=world.researcher)


def test_consent_can_be_withdrawn_until_the_export_and_not_after(world):
    first = _write(world, "First thoughts.", consent=True)
    reflection_consent_set(reflection=first, by=first.author, consent=False)
    with pytest.raises(HealthError, match="No mentor reflection shared"):
        reflections_export(program=world.program, by=world.researcher)

    reflection_consent_set(reflection=first, by=first.author, consent=True)
    reflections_export(program=world.program, by=world.researcher)

    with pytest.raises(HealthError, match="consent can no longer be changed"):
        reflection_consent_set(reflection=first, by=first.author, consent=False)


def test_a_director_cannot_take_in_reflections(world):
    _write(world, "Thoughts.", consent=True)
    with pytest.raises(PermissionDenied):
        reflections_export(program=world.program, by=world.director)
    assert not Document.objects.exists()


def test_the_mentor_writes_and_shares_from_the_reflections_page(client, world):
    mentorship = world.pairs["ana"]
    sign_in(client, mentorship.mentor)
    url = reverse("mentoring-reflections", kwargs={"slug": world.program.slug})

    page = client.get(url)
    client.post(
        url,
        {
            "mentorship": mentorship.pk,
            "meeting": "",
            "text": "Patience pays.",
            "competencies": ["professionalism"],
            "consent": "on",
        },
    )

    assert page.status_code == 200
    reflection = Reflection.objects.get()
    assert (reflection.text, reflection.consent, reflection.competencies) == (
        "Patience pays.",
        True,
        ["professionalism"],
    )
    client.post(
        reverse(
            "mentoring-reflection-consent",
            kwargs={"slug": world.program.slug, "reflection_id": reflection.pk},
        ),
        {},
    )
    reflection.refresh_from_db()
    assert reflection.consent is False


def test_a_researcher_takes_in_shared_reflections_from_the_intake_page(client, world):
    _write(world, "Shared words.", consent=True)
    sign_in(client, world.researcher)
    url = reverse("mentoring-reflections-export", kwargs={"slug": world.program.slug})

    page = client.get(url)
    response = client.post(url)

    assert "Mentors shared 1 reflection not taken in yet." in page.content.decode()
    document = Document.objects.get()
    assert response["Location"] == reverse(
        "qualitative-document",
        kwargs={"slug": world.program.slug, "document_id": document.pk},
    )
