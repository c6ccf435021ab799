import pytest
from django.urls import reverse

from medmentor.conferences import services
from medmentor.conferences.models import SegmentKind
from medmentor.conferences.services import SegmentFields
from tests.conftest import sign_in


def _kinds(session):
    return list(session.segments.values_list("kind", "minutes", "led_by"))


def test_the_facilitator_replaces_the_run_sheet_in_order(session, people):
    services.run_sheet_save(
        session=session,
        by=people["senior"],
        segments=[
            SegmentFields(kind=SegmentKind.WELCOME, minutes=5, led_by="Sam"),
            SegmentFields(kind=SegmentKind.STORIES, minutes=30, led_by="Three residents"),
            SegmentFields(kind=SegmentKind.CLOSING, minutes=10, led_by="The chaplain"),
        ],
    )
    assert _kinds(session) == [
        ("welcome", 5, "Sam"),
        ("stories", 30, "Three residents"),
        ("closing", 10, "The chaplain"),
    ]


def test_segments_longer_than_the_session_are_refused_and_nothing_changes(session, people):
    before = _kinds(session)
    with pytest.raises(services.ConferenceError) as refusal:
        services.run_sheet_save(
            session=session,
            by=people["senior"],
            segments=[
                SegmentFields(kind=SegmentKind.STORIES, minutes=45),
                SegmentFields(kind=SegmentKind.OPEN, minutes=30),
            ],
        )
    assert "add up to 75 minutes" in str(refusal.value)
    assert "lasts 60 minutes" in str(refusal.value)
    assert "by 15 minutes" in str(refusal.value)
    assert _kinds(session) == before


def test_an_unknown_segment_kind_is_refused_by_its_row(session, people):
    with pytest.raises(services.ConferenceError, match="Segment 2: “karaoke”"):
        services.run_sheet_save(
            session=session,
            by=people["senior"],
            segments=[
                SegmentFields(kind=SegmentKind.WELCOME, minutes=5),
                SegmentFields(kind="karaoke", minutes=5),
            ],
        )


def test_a_resident_who_does_not_facilitate_cannot_edit_the_run_sheet(session, people):
    with pytest.raises(services.ConferenceError, match="Only the session's facilitator"):
        services.run_sheet_save(
            session=session,
            by=people["junior"],
            segments=[SegmentFields(kind=SegmentKind.WELCOME, minutes=5)],
        )


def test_the_run_sheet_page_explains_a_refusal(client, session, people, program):
    sign_in(client, people["senior"])
    url = reverse("conference-run-sheet", kwargs={"slug": program.slug, "session_id": session.pk})
    response = client.post(
        url,
        {"kind_1": "stories", "minutes_1": "50", "kind_2": "open", "minutes_2": "20"},
        follow=True,
    )
    assert "add up to 70 minutes" in response.content.decode()
    assert session.segments.count() == 5


def test_the_run_sheet_page_names_a_row_without_minutes(client, session, people, program):
    sign_in(client, people["senior"])
    url = reverse("conference-run-sheet", kwargs={"slug": program.slug, "session_id": session.pk})
    response = client.post(url, {"kind_1": "stories", "minutes_1": "ten"}, follow=True)
    assert "Segment 1: give its length in whole minutes" in response.content.decode()
    assert session.segments.count() == 5
