"""The survey editor's pages: a director edits settings, waves, items and scales of a
copied survey; each refusal names its field and changes nothing; only directors and
coordinators get in."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from medmentor.surveys import services
from medmentor.surveys.models import Anonymity, Instrument, Item, Scale, Wave
from tests.conftest import sign_in
from tests.surveys.conftest import make_survey

pytestmark = pytest.mark.usefixtures("fast_passwords")

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def _url(name, survey, **kwargs):
    return reverse(name, kwargs={"slug": survey.program.slug, "instrument_id": survey.pk, **kwargs})


def _settings(survey, **changes):
    data = {
        "title": survey.title,
        "introduction": survey.introduction,
        "consent_text": survey.consent_text,
        "anonymity": survey.anonymity,
        "max_reminders": survey.max_reminders,
        "reminder_every_days": survey.reminder_every_days,
    }
    return {**data, **changes}


def _item_post(item: Item | None = None, **changes):
    data = {"text": "", "kind": "likert", "key": "", "page": 1, "points": 5}
    if item is not None:
        data.update(
            text=item.text,
            kind=item.kind,
            key=item.key,
            page=item.page,
            points=item.points or "",
            numeric_max=item.numeric_max or "",
            choices="\n".join(f"{code}, {label}" for code, label in item.choices),
            show_if_item=item.show_if_item_id or "",
            show_if_values=", ".join(item.show_if_values),
        )
        if item.required:
            data["required"] = "on"
        for point, label in enumerate(item.anchors, start=1):
            data[f"anchor_{point}"] = label
    data.update(changes)
    return data


@pytest.fixture
def survey(program):
    return make_survey(program)


def test_editor_shows_every_part_and_the_anonymity_modes_in_plain_words(client, survey, director):
    sign_in(client, director)
    page = client.get(_url("survey-editor", survey)).content.decode()
    assert "Your answers are stored without your name or any code." in page  # anonymous
    assert "Your answers are stored with your name." in page  # identified
    assert "America/New_York" in page
    assert "session_minutes" in page and "shown if <code>had_session</code> is 1" in page
    assert "Confidence giving feedback to seniors" in page
    assert "7 items scored 0–5: scores 0–35." in page
    assert "Add a wave" in page  # no follow-up wave yet


def test_director_saves_the_settings(client, survey, director):
    sign_in(client, director)
    reply = client.post(
        _url("survey-editor", survey),
        _settings(survey, title="Feedback upwards", anonymity="anonymous", max_reminders=3),
    )
    assert reply.status_code == 302
    survey.refresh_from_db()
    assert (survey.title, survey.anonymity, survey.max_reminders) == (
        "Feedback upwards",
        Anonymity.ANONYMOUS,
        3,
    )


def test_settings_refusals_name_their_fields_and_save_nothing(client, survey, director):
    sign_in(client, director)
    reply = client.post(
        _url("survey-editor", survey),
        _settings(survey, title="Changed", consent_text=" ", reminder_every_days=0),
    )
    assert reply.status_code == 422
    form = reply.context["settings_form"]
    assert "consent_text" in form.errors and "reminder_every_days" in form.errors
    assert Instrument.objects.get(pk=survey.pk).title == "Reverse mentoring: before and after"


def test_anonymity_refused_once_answered_with_the_reason(client, survey, director):
    services.response_record(
        wave=survey.waves.get(kind="pre"), answers={"conf_1": "2"}, code=["a", "1", "0", "b"]
    )
    sign_in(client, director)
    page = client.get(_url("survey-editor", survey)).content.decode()
    assert "1 response submitted" in page and "Copy this survey (without answers)" in page
    reply = client.post(_url("survey-editor", survey), _settings(survey, anonymity="identified"))
    assert reply.status_code == 422
    assert "1 response was given under “Coded" in reply.content.decode()
    assert Instrument.objects.get(pk=survey.pk).anonymity == Anonymity.CODED


def test_wave_days_are_days_in_the_program_time_zone(client, survey, director):
    sign_in(client, director)
    wave = survey.waves.get(kind="post")
    reply = client.post(
        _url("survey-editor-wave", survey, wave_id=wave.pk),
        {f"wave-{wave.pk}-opens_on": "2026-12-01", f"wave-{wave.pk}-closes_on": "2026-12-21"},
    )
    assert reply.status_code == 302
    wave.refresh_from_db()
    assert wave.opens_at == datetime.datetime(2026, 12, 1, tzinfo=NEW_YORK)
    assert wave.closes_at == datetime.datetime(2026, 12, 22, tzinfo=NEW_YORK)


def test_a_wave_that_closes_before_it_opens_is_refused(client, survey, director):
    sign_in(client, director)
    wave = survey.waves.get(kind="post")
    before = (wave.opens_at, wave.closes_at)
    reply = client.post(
        _url("survey-editor-wave", survey, wave_id=wave.pk),
        {f"wave-{wave.pk}-opens_on": "2026-12-05", f"wave-{wave.pk}-closes_on": "2026-12-03"},
    )
    assert reply.status_code == 422
    assert (
        "A wave must close after it opens: the last day (3 December 2026) is before the first "
        "day (5 December 2026)." in reply.content.decode()
    )
    wave.refresh_from_db()
    assert (wave.opens_at, wave.closes_at) == before


def test_a_day_far_outside_the_program_is_a_message_not_an_error(client, survey, director):
    sign_in(client, director)
    wave = survey.waves.get(kind="post")
    reply = client.post(
        _url("survey-editor-wave", survey, wave_id=wave.pk),
        {f"wave-{wave.pk}-opens_on": "2026-12-05", f"wave-{wave.pk}-closes_on": "9999-12-31"},
    )
    assert reply.status_code == 422
    (form,) = [entry["form"] for entry in reply.context["waves"] if entry["wave"].pk == wave.pk]
    assert form.errors.get("closes_on") == ["Give a day in the years 2000 to 2100."], form.errors


def test_director_adds_the_missing_follow_up_wave(client, survey, director):
    sign_in(client, director)
    reply = client.post(
        _url("survey-editor-wave-add", survey),
        {
            "add-wave-kind": "follow_up",
            "add-wave-opens_on": "2027-06-01",
            "add-wave-closes_on": "2027-06-14",
        },
    )
    assert reply.status_code == 302
    wave = survey.waves.get(kind="follow_up")
    assert wave.opens_at == datetime.datetime(2027, 6, 1, tzinfo=NEW_YORK)
    again = client.post(
        _url("survey-editor-wave-add", survey),
        {"add-wave-kind": "pre", "add-wave-opens_on": "2027-06-01", "add-wave-closes_on": "x"},
    )
    assert again.status_code == 302  # all three waves exist: nothing to add
    assert Wave.objects.filter(instrument=survey).count() == 3


def test_director_adds_a_likert_item_with_a_label_per_point(client, survey, director):
    sign_in(client, director)
    labels = ["Never", "Rarely", "Sometimes", "Often", "Always"]
    reply = client.post(
        _url("survey-editor-item-add", survey),
        _item_post(
            text="I ask juniors for feedback.",
            key="ask_feedback",
            page=2,
            required="on",
            **{f"anchor_{n}": label for n, label in enumerate(labels, start=1)},
            anchor_6="ignored for five points",
        ),
    )
    assert reply.status_code == 302
    item = survey.items.get(key="ask_feedback")
    assert (item.kind, item.points, item.anchors, item.page, item.required) == (
        "likert",
        5,
        labels,
        2,
        True,
    )
    assert item.order == survey.items.exclude(pk=item.pk).order_by("-order")[0].order + 1


def test_item_form_shows_a_message_per_field(client, survey, director):
    sign_in(client, director)
    reply = client.post(
        _url("survey-editor-item-add", survey),
        _item_post(
            text="Which?",
            key="conf_1",
            kind="single",
            choices="1, Yes\nno code here",
        ),
    )
    assert reply.status_code == 422
    form = reply.context["form"]
    assert "Line 2 (“no code here”) needs a code, a comma and a label" in form.errors["choices"][0]
    reply = client.post(
        _url("survey-editor-item-add", survey),
        _item_post(
            text="Which?",
            key="conf_1",
            kind="likert",
            points=7,
            anchor_1="Low",
            show_if_item=survey.items.get(key="session_minutes").pk,
        ),
    )
    form = reply.context["form"]
    assert form.errors["key"] == ["Another item is already called “conf_1”."]
    assert "point 2 has no label" in form.anchor_errors[0]
    assert form.errors["show_if_item"] == ["Show-if must name an item on an earlier page."]
    page = reply.content.decode()
    assert 'aria-invalid="true"' in page and 'id="id_key_error"' in page
    assert survey.items.count() == 13  # the library's 13, nothing added


def test_director_edits_wording_of_an_answered_item_but_not_its_codes(client, survey, director):
    for _ in range(3):
        services.response_record(
            wave=survey.waves.get(kind="pre"), answers={"topics": ["2"]}, code=["a", "1", "0", "b"]
        )
    item = survey.items.get(key="topics")
    url = _url("survey-editor-item", survey, item_id=item.pk)
    sign_in(client, director)
    assert "3 responses already use these codes" in client.get(url).content.decode()

    changed = item.choices[:4] + [["9", "Approachability"]]
    reply = client.post(
        url, _item_post(item, choices="\n".join(f"{c}, {label}" for c, label in changed))
    )
    assert reply.status_code == 422
    assert reply.context["form"].errors["choices"] == [
        "The codes stay 1, 2, 3, 4, 5 in this order (their labels may change): 3 responses "
        "already use these codes; copy the survey to change them."
    ]
    relabelled = "\n".join(f"{c}, {label.upper()}" for c, label in item.choices)
    assert client.post(url, _item_post(item, choices=relabelled)).status_code == 302
    item.refresh_from_db()
    assert item.choices[1] == ["2", "CLINICAL PRACTICE"]


def test_items_move_and_delete_with_confirmation(client, survey, director):
    sign_in(client, director)
    thoughts = survey.items.get(key="thoughts")
    move = _url("survey-editor-item-move", survey, item_id=thoughts.pk)
    assert client.post(move, {"direction": "up"}).status_code == 302
    assert list(survey.items.values_list("key", flat=True))[-2:] == ["thoughts", "topics"]

    delete = _url("survey-editor-item-delete", survey, item_id=thoughts.pk)
    assert "Delete the item “thoughts”?" in client.get(delete).content.decode()
    assert client.post(delete).status_code == 302
    assert not survey.items.filter(key="thoughts").exists()

    had_session = survey.items.get(key="had_session")
    reply = client.post(_url("survey-editor-item-delete", survey, item_id=had_session.pk))
    assert reply.status_code == 422
    assert "change their show-if first" in reply.content.decode()
    assert survey.items.filter(key="had_session").exists()


def test_director_adds_a_scale_and_sees_its_range_in_words(client, survey, director):
    sign_in(client, director)
    items = {item.key: item.pk for item in survey.items.all()}
    data = {
        "name": "Understanding",
        "scoring": "sum",
        "item_min": "0",
        "item_max": "4",
        "offset": "-1",
        "max_missing": "0",
        f"member_{items['role_understanding']}": "on",
        f"member_{items['feedback_important']}": "on",
        f"reverse_{items['feedback_important']}": "on",
    }
    reply = client.post(_url("survey-editor-scale-add", survey), data, follow=True)
    assert "Added the scale “Understanding”: 2 items scored 0–4: scores 0–8." in (
        reply.content.decode()
    )
    scale = survey.scales.get(name="Understanding")
    assert list(scale.scale_items.values_list("item__key", "reverse")) == [
        ("role_understanding", False),
        ("feedback_important", True),
    ]
    edit = _url("survey-editor-scale", survey, scale_id=scale.pk)
    reply = client.post(edit, {**data, "offset": "0"})
    assert reply.status_code == 422
    assert (
        "“role_understanding” answers 1–5, scored 1–5 with offset 0: outside the declared 0–4."
        in (reply.content.decode())
    )
    reply = client.post(edit, {**data, "scoring": "mean"}, follow=True)
    assert "2 items scored 0–4: the score is their mean, 0–4." in reply.content.decode()
    delete = _url("survey-editor-scale-delete", survey, scale_id=scale.pk)
    assert client.post(delete).status_code == 302
    assert not Scale.objects.filter(pk=scale.pk).exists()


def test_copy_opens_the_editor_of_the_copy(client, survey, director):
    sign_in(client, director)
    reply = client.post(_url("survey-editor-copy", survey))
    copy = Instrument.objects.exclude(pk=survey.pk).get()
    assert reply["Location"] == _url("survey-editor", copy)
    assert copy.items.count() == survey.items.count()


def test_list_and_report_link_the_editor_for_staff_only(client, survey, director, researcher):
    sign_in(client, director)
    editor = _url("survey-editor", survey)
    assert editor in client.get(reverse("survey-list", args=[survey.program.slug])).content.decode()
    assert editor in client.get(_url("survey-report", survey)).content.decode()
    sign_in(client, researcher)
    assert editor not in client.get(_url("survey-report", survey)).content.decode()
    assert (
        editor
        not in client.get(reverse("survey-list", args=[survey.program.slug])).content.decode()
    )


@pytest.mark.parametrize("role", ["faculty", "researcher", "junior", "senior", "outsider"])
def test_other_roles_may_neither_open_nor_change_the_editor(client, request, survey, role):
    sign_in(client, request.getfixturevalue(role))
    assert client.get(_url("survey-editor", survey)).status_code == 403
    item = survey.items.get(key="conf_1")
    reply = client.post(
        _url("survey-editor-item", survey, item_id=item.pk), _item_post(item, text="Hacked")
    )
    assert reply.status_code == 403
    assert (
        client.post(_url("survey-editor", survey), _settings(survey, title="x")).status_code == 403
    )
    assert Item.objects.get(pk=item.pk).text == item.text
    assert Instrument.objects.get(pk=survey.pk).title == survey.title


def test_anonymous_visitors_are_sent_to_sign_in(client, survey):
    reply = client.get(_url("survey-editor", survey))
    assert reply.status_code == 302 and reply["Location"].startswith(reverse("sign-in"))
