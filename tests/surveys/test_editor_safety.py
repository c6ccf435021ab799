"""The editor's write rules (services, "Editing instruments"): once a response is
submitted, wording may change but the meaning of stored codes may not; drafts alone do
not fix anything; a refused edit writes nothing; show-if and scales stay consistent."""

import dataclasses

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from medmentor.programs.access import SYSTEM
from medmentor.surveys import editor_services, services
from medmentor.surveys.editor_services import ItemFields, ScaleFields
from medmentor.surveys.models import Anonymity, Answer, Instrument, Item, Response
from tests.surveys.conftest import make_survey

CODE = ["M", "7", "1", "K"]


def _fields(item: Item, **changes) -> ItemFields:
    """The item as the form would send it back, with `changes`."""
    fields = ItemFields(
        text=item.text,
        key=item.key,
        kind=item.kind,
        page=item.page,
        required=item.required,
        points=item.points,
        anchors=tuple(item.anchors),
        numeric_max=item.numeric_max,
        choices=tuple(tuple(choice) for choice in item.choices),
        show_if_item_id=item.show_if_item_id,
        show_if_values=tuple(item.show_if_values),
    )
    return dataclasses.replace(fields, **changes)


def _refusal(call) -> dict[str, str]:
    with pytest.raises(ValidationError) as refused:
        call()
    error = refused.value
    if hasattr(error, "error_dict"):
        return {field: " ".join(messages) for field, messages in error.message_dict.items()}
    return {"": " ".join(error.messages)}


def _submit(survey, answers=None, kind="pre"):
    return services.response_record(
        wave=survey.waves.get(kind=kind),
        answers=answers or {"conf_1": "3", "role_understanding": "4", "topics": ["1", "3"]},
        code=CODE,
    )


def _draft(survey, person, answers: dict[str, str]):
    """A real draft: invited, consented, one page saved, not submitted."""
    wave = survey.waves.get(kind="pre")
    services.invitations_create(wave=wave, people=[person])
    invitation = wave.invitations.get(person=person)
    response, _ = services.draft_start(invitation=invitation)
    items = {item.key: item for item in survey.items.all()}
    services.draft_save(
        response=response, answers={items[key].pk: value for key, value in answers.items()}
    )
    return response


@pytest.fixture
def answered(program):
    survey = make_survey(program)
    for _ in range(2):
        _submit(survey)
    return survey


def test_wording_may_change_after_answers(answered):
    item = answered.items.get(key="role_understanding")
    labels = ("Not at all", "A little", "Somewhat", "Mostly", "Completely")
    editor_services.item_update(
        item=item, fields=_fields(item, text="I know my role.", anchors=labels), by=SYSTEM
    )
    topics = answered.items.get(key="topics")
    relabelled = tuple((code, f"{label} (new)") for code, label in topics.choices)
    editor_services.item_update(
        item=topics, fields=_fields(topics, choices=relabelled, required=True), by=SYSTEM
    )

    item.refresh_from_db()
    topics.refresh_from_db()
    assert (item.text, item.anchors) == ("I know my role.", list(labels))
    assert topics.choices[0] == ["1", "Use of technology (new)"] and topics.required


@pytest.mark.parametrize(
    ("key", "change", "field", "kept"),
    [
        ("role_understanding", {"points": 7, "anchors": ()}, "points", "keeps its 5 points"),
        ("role_understanding", {"kind": "numeric", "numeric_max": 5}, "kind", "stays “Likert"),
        ("conf_1", {"numeric_max": 10}, "numeric_max", "highest number stays 5"),
        (
            "topics",
            {"choices": (("1", "Use of technology"), ("9", "Something else"))},
            "choices",
            "codes stay 1, 2, 3, 4, 5",
        ),
    ],
)
def test_codes_are_fixed_once_a_response_is_submitted(answered, key, change, field, kept):
    item = answered.items.get(key=key)
    before = Item.objects.filter(pk=item.pk).values().get()

    errors = _refusal(
        lambda: editor_services.item_update(
            item=item, fields=_fields(item, text="Changed", **change), by=SYSTEM
        )
    )

    assert kept in errors[field]
    assert "2 responses already use these codes; copy the survey to change them." in errors[field]
    assert Item.objects.filter(pk=item.pk).values().get() == before  # not even the text


def test_anonymity_mode_is_fixed_once_a_response_is_submitted(answered):
    errors = _refusal(
        lambda: editor_services.instrument_settings_update(
            instrument=answered,
            title="New title",
            introduction="",
            consent_text="Consent.",
            anonymity=Anonymity.ANONYMOUS,
            max_reminders=1,
            reminder_every_days=3,
            by=SYSTEM,
        )
    )
    assert "2 responses were given under “Coded" in errors["anonymity"]
    assert "copy the survey" in errors["anonymity"]
    assert Instrument.objects.get(pk=answered.pk).title == "Reverse mentoring: before and after"


def test_an_answered_item_cannot_be_deleted_but_an_unanswered_one_can(answered):
    errors = _refusal(
        lambda: editor_services.item_delete(item=answered.items.get(key="conf_1"), by=SYSTEM)
    )
    assert errors[""] == "2 submitted responses answered “conf_1”; copy the survey to remove it."

    editor_services.item_delete(item=answered.items.get(key="thoughts"), by=SYSTEM)
    assert not answered.items.filter(key="thoughts").exists()


def test_drafts_alone_leave_codes_free_and_lose_only_the_stale_answers(program, junior):
    survey = make_survey(program)
    draft = _draft(survey, junior, {"role_understanding": "4", "conf_1": "2"})
    item = survey.items.get(key="role_understanding")

    notes = editor_services.item_update(
        item=item, fields=_fields(item, points=7, anchors=()), by=SYSTEM
    )

    item.refresh_from_db()
    assert item.points == 7
    assert dict(draft.answers.values_list("item__key", "value")) == {"conf_1": "2"}
    assert notes == ["1 unfinished answer to this item used the old codes and was cleared."]


def test_a_change_of_mode_discards_drafts_kept_the_old_way(program, junior):
    survey = make_survey(program, anonymity=Anonymity.IDENTIFIED)
    _draft(survey, junior, {"conf_1": "2"})

    notes = editor_services.instrument_settings_update(
        instrument=survey,
        title=survey.title,
        introduction=survey.introduction,
        consent_text=survey.consent_text,
        anonymity=Anonymity.ANONYMOUS,
        max_reminders=2,
        reminder_every_days=7,
        by=SYSTEM,
    )

    assert survey.anonymity == Anonymity.ANONYMOUS
    assert not Response.objects.exists() and not Answer.objects.exists()
    assert "1 unfinished response started under the old mode" in notes[0]
    # Declines and invitations are untouched: the person can start again.
    assert survey.waves.get(kind="pre").invitations.get().is_done is False


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"key": "Conf 1"}, "key", "is not a variable name"),
        ({"key": "conf_2"}, "key", "Another item is already called “conf_2”."),
        ({"kind": "likert", "points": 6}, "points", "5 or 7 points"),
        (
            {"kind": "likert", "points": 5, "anchors": ("a", "", "c", "d", "e")},
            "anchors",
            "point 2",
        ),
        ({"kind": "numeric", "numeric_max": None}, "numeric_max", "highest allowed value"),
        ({"kind": "single", "choices": ()}, "choices", "one a line as “code, label”"),
        ({"kind": "single", "choices": (("1", "a"), ("1", "b"))}, "choices", "its own code"),
        ({"text": "  "}, "text", "Write the question."),
    ],
)
def test_each_rule_names_its_field(program, change, field, message):
    survey = make_survey(program)
    item = survey.items.get(key="conf_1")
    errors = _refusal(
        lambda: editor_services.item_update(item=item, fields=_fields(item, **change), by=SYSTEM)
    )
    assert message in errors[field]


def test_show_if_names_an_earlier_closed_item_and_its_codes(program):
    survey = make_survey(program)
    minutes = survey.items.get(key="session_minutes")
    had_session = survey.items.get(key="had_session")
    thoughts = survey.items.get(key="thoughts")

    errors = _refusal(
        lambda: editor_services.item_update(
            item=minutes, fields=_fields(minutes, show_if_values=("7",)), by=SYSTEM
        )
    )
    assert "“7” is not a code of “had_session” (its codes: 0, 1)." in errors["show_if_values"]
    errors = _refusal(
        lambda: editor_services.item_update(
            item=minutes, fields=_fields(minutes, page=2), by=SYSTEM
        )
    )
    assert "earlier page" in errors["show_if_item"]
    errors = _refusal(
        lambda: editor_services.item_update(
            item=had_session, fields=_fields(had_session, page=3), by=SYSTEM
        )
    )
    assert "“session_minutes” (page 3) is shown depending on this item" in errors["page"]
    assert _refusal(
        lambda: editor_services.item_update(
            item=minutes, fields=_fields(minutes, show_if_item_id=thoughts.pk), by=SYSTEM
        )
    )
    errors = _refusal(lambda: editor_services.item_delete(item=had_session, by=SYSTEM))
    assert "“session_minutes”, “topics” are shown depending on “had_session”" in errors[""]


def test_an_item_of_a_scale_keeps_to_the_declared_range(program):
    survey = make_survey(program)
    item = survey.items.get(key="conf_1")
    errors = _refusal(
        lambda: editor_services.item_update(
            item=item, fields=_fields(item, numeric_max=10), by=SYSTEM
        )
    )
    assert (
        "“conf_1” answers 0–10, scored 0–10 with offset 0: outside the declared 0–5."
        in (errors["numeric_max"])
    )
    assert "Confidence giving feedback to seniors" in errors["numeric_max"]


def _scale(survey, **changes) -> ScaleFields:
    members = tuple((item.pk, False) for item in survey.items.filter(key__startswith="conf_"))
    fields = ScaleFields(
        name="Confidence again",
        scoring="sum",
        item_min=0,
        item_max=5,
        max_missing=1,
        offset=0,
        members=members,
    )
    return dataclasses.replace(fields, **changes)


def test_a_scale_is_checked_against_its_items(program):
    survey = make_survey(program)
    likert = survey.items.get(key="role_understanding")
    thoughts = survey.items.get(key="thoughts")
    errors = _refusal(
        lambda: editor_services.scale_create(
            instrument=survey,
            fields=_scale(
                survey,
                name="confidence giving feedback to SENIORS",
                item_min=1,
                max_missing=7,
                members=((likert.pk, True), (thoughts.pk, False)),
            ),
            by=SYSTEM,
        )
    )
    assert (
        errors["name"] == "Another scale is already called “confidence giving feedback to SENIORS”."
    )
    assert "“thoughts” (free text) has no number answers to score." in errors["members"]
    assert errors["max_missing"] == "With 2 items, allow from 0 to 1 missing."

    scale = editor_services.scale_create(
        instrument=survey,
        fields=_scale(
            survey, members=((likert.pk, True),), item_min=0, item_max=4, offset=-1, max_missing=0
        ),
        by=SYSTEM,
    )
    assert list(scale.scale_items.values_list("item__key", "reverse")) == [
        ("role_understanding", True)
    ]


def test_moving_an_item_swaps_it_with_its_neighbour(program):
    survey = make_survey(program)
    keys = list(survey.items.values_list("key", flat=True))
    editor_services.item_move(item=survey.items.get(key="conf_2"), direction="up", by=SYSTEM)
    editor_services.item_move(
        item=survey.items.get(key=keys[-1]), direction="down", by=SYSTEM
    )  # at the end

    moved = list(survey.items.values_list("key", flat=True))
    assert moved == ["conf_2", "conf_1", *keys[2:]]


def test_a_copy_has_the_items_scales_and_show_if_but_no_answers(answered):
    copy = editor_services.instrument_copy(instrument=answered, by=SYSTEM)

    assert copy.title == "Reverse mentoring: before and after (copy)"
    assert copy.code_salt != answered.code_salt
    assert list(copy.items.values_list("key", flat=True)) == list(
        answered.items.values_list("key", flat=True)
    )
    minutes = copy.items.get(key="session_minutes")
    assert minutes.show_if_item.instrument_id == copy.pk
    assert copy.scales.get().scale_items.count() == 7
    assert not Response.objects.filter(wave__instrument=copy).exists()
    # The copy has no answers, so its codes may change.
    item = copy.items.get(key="role_understanding")
    editor_services.item_update(item=item, fields=_fields(item, points=7, anchors=()), by=SYSTEM)


@pytest.mark.parametrize("name", ["faculty", "researcher", "junior", "outsider"])
def test_the_editor_services_refuse_anyone_who_does_not_run_the_program(request, survey, name):
    # The pages check too; the services ask again, whoever calls them.
    person = request.getfixturevalue(name)
    item = survey.items.order_by("order").last()
    with pytest.raises(PermissionDenied, match="may not open this survey page"):
        editor_services.item_delete(item=item, by=person)
    with pytest.raises(PermissionDenied, match="may not open this survey page"):
        editor_services.instrument_copy(instrument=survey, by=person)
    assert Item.objects.filter(pk=item.pk).exists()
    assert Instrument.objects.filter(program=survey.program).count() == 1
