"""De-identification: roster names (full, first, last; whole words, any case), emails and
phone numbers become stable pseudonyms; the researcher reviews each before coding; the
original survives only when the director chose to keep it, and then encrypted."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from medmentor.qualitative import services
from medmentor.qualitative.crypto import decrypt_text
from medmentor.qualitative.deidentify import RosterEntry, apply, candidates_find
from medmentor.qualitative.models import Document, Replacement
from tests.qualitative.conftest import TEAMS_VTT, ZOOM_VTT, codable

pytestmark = pytest.mark.usefixtures("fast_passwords")

ROSTER = [RosterEntry(1, "Jo Junior", "jo@x.test"), RosterEntry(2, "Sam Senior", "sam@x.test")]


def _found(text, labels=()):
    return [
        (text[c.start : c.end], c.kind, c.person_id)
        for c in candidates_find(text=text, roster=ROSTER, speaker_labels=list(labels))
    ]


def test_full_first_and_last_names_match_whole_words_in_any_case():
    text = "JO JUNIOR met sam; later Senior said jo's case. Joanna and Samuel did not."
    assert _found(text) == [
        ("JO JUNIOR", "name", 1),
        ("sam", "name", 2),
        ("Senior", "name", 2),
        ("jo", "name", 1),
    ]


def test_emails_and_phone_numbers_are_found_and_a_roster_email_names_its_person():
    text = (
        "Write jo@x.test or pat@clinic.org, call (555) 123-4567 or +44 20 7946 0958. "
        "At 00:01:02 in 2024."
    )
    assert [(value, kind, person) for value, kind, person in _found(text)] == [
        ("jo@x.test", "email", 1),
        ("pat@clinic.org", "email", None),
        ("(555) 123-4567", "phone", None),
        ("+44 20 7946 0958", "phone", None),
    ]


def test_speaker_labels_not_on_the_roster_are_proposed_but_role_labels_are_kept():
    text = "Interviewer: hi\nMorgan Guest: hello\nP3: fine"
    labels = [(0, 11), (16, 28), (35, 37)]
    assert _found(text, labels) == [("Morgan Guest", "speaker", None)]


def test_apply_moves_positions_after_each_replacement():
    text, moved = apply("ab Jo cd Sam ef", [(3, 5, "Resident 1"), (9, 12, "X")])
    assert text == "ab Resident 1 cd X ef"
    assert text[moved(6) : moved(8)] == "cd"
    assert text[moved(13) :] == "ef"


def test_import_proposes_stable_pseudonyms_per_person_across_documents(program, researcher, roster):
    first = services.document_import(
        program=program, by=researcher, file_name="a.vtt", content=ZOOM_VTT.encode()
    )
    second = services.document_import(
        program=program, by=researcher, file_name="b.vtt", content=TEAMS_VTT.encode()
    )
    jo_first = {
        r.replacement for r in first.replacements.filter(pseudonym__person=roster["junior"])
    }
    jo_second = {
        r.replacement for r in second.replacements.filter(pseudonym__person=roster["junior"])
    }
    assert jo_first == jo_second == {"Resident 1"}
    # Training levels name the pseudonym: Sam Senior is R3, Jo Junior R1, Rae "other".
    assert "Participant 1: Thank you for coming." in first.text
    assert "Resident 1: I liked going in blind. Resident 2 always waited" in first.text
    assert "Call me at [phone 1] or [email of Resident 2]." in first.text
    # A speaker not on the roster becomes Speaker A; the roster name Jamie, Resident 3.
    assert "Speaker A: I'm visiting; Resident 3 said the same thing" in second.text


def test_the_preview_never_holds_a_roster_name(program, researcher, roster):
    document = services.document_import(
        program=program, by=researcher, file_name="a.vtt", content=ZOOM_VTT.encode()
    )
    for name in ("Jo", "Sam", "Rae", "Junior", "Senior", "555-123-4567", "@lakeside"):
        assert name not in document.text


def test_review_applies_accept_correct_and_keep_then_makes_the_document_codable(
    program, researcher, roster
):
    document = services.document_import(
        program=program, by=researcher, file_name="a.vtt", content=ZOOM_VTT.encode()
    )
    rows = list(document.replacements.order_by("start"))
    decisions = {row.pk: ("accepted", "") for row in rows}
    phone = next(row for row in rows if row.kind == "phone")
    decisions[phone.pk] = ("corrected", "[pager]")
    speaker = rows[0]  # "Rae Researcher", the facilitator: the team decides to keep it
    decisions[speaker.pk] = ("rejected", "")
    document = services.document_review_finish(
        document=document, by=researcher, decisions=decisions
    )
    assert document.status == "codable"
    assert document.text.startswith("Rae Researcher: Thank you")
    assert "Call me at [pager] or" in document.text
    turn = document.turns.get(index=0)
    assert turn.speaker == "Rae Researcher"
    assert (
        document.text[turn.start : turn.end]
        == "Thank you for coming. How did the must-see cases go?"
    )


def test_an_undecided_or_empty_correction_is_refused_and_nothing_changes(
    program, researcher, roster
):
    document = services.document_import(
        program=program, by=researcher, file_name="a.vtt", content=ZOOM_VTT.encode()
    )
    row = document.replacements.first()
    with pytest.raises(ValidationError, match="type the corrected words"):
        services.document_review_finish(
            document=document, by=researcher, decisions={row.pk: ("corrected", " ")}
        )
    with pytest.raises(ValidationError, match="accept it, correct it"):
        services.document_review_finish(document=document, by=researcher, decisions={})
    document.refresh_from_db()
    assert document.status == "review"
    assert set(document.replacements.values_list("status", flat=True)) == {"proposed"}


def test_originals_are_deleted_after_review_unless_the_director_keeps_them(
    program, researcher, director, roster
):
    dropped = codable(
        services.document_import(
            program=program, by=researcher, file_name="a.vtt", content=ZOOM_VTT.encode()
        ),
        researcher,
    )
    assert dropped.original_encrypted is None
    assert not Replacement.objects.filter(
        document=dropped, original_encrypted__isnull=False
    ).exists()

    services.qualitative_settings_update(program=program, by=director, keep_originals=True)
    kept = codable(
        services.document_import(
            program=program, by=researcher, file_name="b.vtt", content=ZOOM_VTT.encode()
        ),
        researcher,
    )
    stored = bytes(Document.objects.get(pk=kept.pk).original_encrypted)
    assert b"Jo Junior" not in stored  # encrypted at rest
    assert "Jo Junior: I liked going in blind" in decrypt_text(stored)


def test_only_the_director_decides_to_keep_originals(program, researcher, roster):
    with pytest.raises(PermissionDenied):
        services.qualitative_settings_update(program=program, by=researcher, keep_originals=True)


def test_a_missed_name_can_be_added_in_the_review(program, researcher, roster):
    document = services.document_import(
        program=program, by=researcher, file_name="b.vtt", content=TEAMS_VTT.encode()
    )
    added = services.replacement_add(
        document=document, by=researcher, words="nights", replacement="[shift]"
    )
    assert len(added) == 1
    document.refresh_from_db()
    assert "same thing about [shift]." in document.text
    with pytest.raises(ValidationError, match="does not occur"):
        services.replacement_add(
            document=document, by=researcher, words="elephant", replacement="x"
        )


def _names(roster, text):
    return [
        (text[c.start : c.end], c.person_id, c.check)
        for c in candidates_find(text=text, roster=roster, speaker_labels=[])
        if c.kind == "name"
    ]


def test_names_match_without_their_accents_and_with_them():
    roster = [
        RosterEntry(1, "José Núñez", ""),
        RosterEntry(2, "Zoë Adler", ""),
        RosterEntry(3, "Rene Dubois", ""),
    ]
    text = "Jose said Nunez was late; ZOE agreed. José Núñez and René too."
    assert _names(roster, text) == [
        ("Jose", 1, False),
        ("Nunez", 1, False),
        ("ZOE", 2, False),
        ("José Núñez", 1, False),
        ("René", 3, False),
    ]


def test_apostrophe_variants_and_each_part_of_a_hyphenated_surname_match():
    roster = [RosterEntry(1, "Aoife O'Brien-Smith", "")]
    text = "O’Brien-Smith spoke, then O'Brien again, then Smith, then OBrien. Brien is not her."
    assert _names(roster, text) == [
        ("O’Brien-Smith", 1, False),
        ("O'Brien", 1, False),
        ("Smith", 1, False),
        ("OBrien", 1, False),
    ]


def test_titles_and_credentials_on_the_roster_are_never_offered_as_names():
    roster = [RosterEntry(1, "Priya Raman, MD", ""), RosterEntry(2, "Dr. Lee Chan PhD", "")]
    text = "Priya Raman, MD, and Dr Chan (PhD) met Lee."
    assert _names(roster, text) == [
        ("Priya Raman", 1, False),
        ("Chan", 2, False),
        ("Lee", 2, False),
    ]


def test_names_that_are_also_common_words_are_marked_check_not_replaced_silently():
    roster = [RosterEntry(1, "Grace Bell", ""), RosterEntry(2, "Tom Grant", "")]
    text = "We won the grant by grace; the bell rang. Grace Bell laughed."
    assert _names(roster, text) == [
        ("grant", 2, True),
        ("grace", 1, True),
        ("bell", 1, True),
        ("Grace Bell", 1, False),
    ]
