"""The "new program" page: the kind first, then only its fields; who may create
programs (the directors of a program, at its institution); the creator directs it and
lands on its overview; refusals in words, nothing half-written."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from medmentor.people.models import Institution
from medmentor.programs import access, kinds
from medmentor.programs.models import Enrollment, Program, ProgramKind, Role
from medmentor.programs.services import (
    ProgramError,
    enrollment_end,
    program_create_as_director,
)
from tests.conftest import sign_in

pytestmark = pytest.mark.usefixtures("fast_passwords")

NEW = reverse("program-new")


def _monday(weeks_ahead=2) -> datetime.date:
    today = datetime.date.today()
    return today - datetime.timedelta(days=today.weekday()) + datetime.timedelta(weeks=weeks_ahead)


def _post(client, institution, **fields):
    data = {
        "kind": ProgramKind.ONE_TO_ONE,
        "name": "Near-peer mentoring 2027",
        "slug": "",
        "institution": institution.pk,
        "starts_on": _monday().isoformat(),
        "time_zone": "America/Chicago",
        **fields,
    }
    return client.post(NEW, data)


@pytest.mark.parametrize("who", ["coordinator", "faculty", "researcher", "junior", "outsider"])
def test_only_directors_may_create_programs(client, request, program, who):
    sign_in(client, request.getfixturevalue(who))
    response = client.get(NEW)
    assert response.status_code == 403
    assert not access.may_create_programs(request.getfixturevalue(who))


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    assert "/sign-in/" in client.get(NEW)["Location"]


def test_the_page_asks_the_kind_first_among_the_kinds_built(client, director):
    sign_in(client, director)
    response = client.get(NEW)
    offered = [choice.kind for choice in response.context["choices"]]
    # Only kinds whose app registered its pages (peer groups etc. join when built).
    assert offered == [kind for kind in ProgramKind.values if kind in kinds.registered()]
    assert {ProgramKind.CASE_REVIEW, ProgramKind.ONE_TO_ONE} <= set(offered)
    assert "?kind=case_review" in response.content.decode()


def test_each_kind_asks_only_its_own_fields_with_defaults(client, program, director):
    sign_in(client, director)
    case_review = client.get(NEW, {"kind": ProgramKind.CASE_REVIEW}).context["form"]
    one_to_one = client.get(NEW, {"kind": ProgramKind.ONE_TO_ONE}).context["form"]

    assert {"service", "weekly_email_weekday", "weekly_email_time"} <= set(case_review.fields)
    assert not {"service", "weekly_email_weekday", "weekly_email_time"} & set(one_to_one.fields)
    starts_on = case_review.initial["starts_on"]
    assert starts_on.weekday() == 0 and starts_on > datetime.date.today()
    assert case_review.initial["time_zone"] == program.time_zone  # the institution's
    assert case_review.initial["institution"] == program.institution_id


def test_creating_a_program_makes_the_creator_its_director_on_its_overview(
    client, institution, director
):
    sign_in(client, director)
    response = _post(client, institution)

    created = Program.objects.get(name="Near-peer mentoring 2027")
    assert created.slug == "near-peer-mentoring-2027"  # made from the name
    assert (created.kind, created.time_zone) == (ProgramKind.ONE_TO_ONE, "America/Chicago")
    assert response["Location"] == reverse("program-detail", args=[created.slug])
    assert access.program_access(director, created).roles == {Role.DIRECTOR}
    assert client.get(response["Location"]).status_code == 200


def test_a_case_review_program_gets_its_service_and_email_time(client, institution, director):
    sign_in(client, director)
    _post(
        client,
        institution,
        kind=ProgramKind.CASE_REVIEW,
        slug="rad-must-see",
        service="Radiology",
        weekly_email_weekday="6",
        weekly_email_time="18:30",
    )
    created = Program.objects.get(slug="rad-must-see")
    assert created.service.name == "Radiology" and created.service.institution == institution
    assert (created.weekly_email_weekday, created.weekly_email_time) == (6, datetime.time(18, 30))


def test_a_suggested_short_name_that_is_taken_gets_a_number(client, institution, director):
    sign_in(client, director)
    _post(client, institution)
    _post(client, institution)
    assert set(
        Program.objects.filter(name="Near-peer mentoring 2027").values_list("slug", flat=True)
    ) == {
        "near-peer-mentoring-2027",
        "near-peer-mentoring-2027-2",
    }


def test_a_program_is_not_created_at_an_institution_the_director_does_not_belong_to(
    client, institution, director
):
    elsewhere = Institution.objects.create(name="Elsewhere", slug="elsewhere")
    sign_in(client, director)
    response = _post(client, elsewhere)
    assert response.status_code == 400
    assert "Institution: Choose one of the institutions listed." in response.content.decode()
    assert not Program.objects.filter(institution=elsewhere).exists()
    with pytest.raises(PermissionDenied):
        program_create_as_director(
            by=director,
            kind=ProgramKind.ONE_TO_ONE,
            name="X",
            institution=elsewhere,
            starts_on=_monday(),
            time_zone="UTC",
        )


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"starts_on": (_monday() + datetime.timedelta(days=2)).isoformat()}, "start on a Monday"),
        ({"slug": "nm-must-see"}, "A program called “nm-must-see” already exists."),
        ({"slug": "new"}, "“new” is a word medmentor"),
        ({"name": ""}, "Program name: Give the program a name."),
        ({"time_zone": "Mars/Olympus"}, "Time zone: Select a valid choice."),
    ],
)
def test_a_refused_program_says_why_and_nothing_is_written(
    client, institution, program, director, fields, words
):
    sign_in(client, director)
    before = Program.objects.count(), Enrollment.objects.count()
    response = _post(client, institution, **fields)
    assert response.status_code == 400
    assert words in response.content.decode()
    assert (Program.objects.count(), Enrollment.objects.count()) == before


def test_an_unknown_kind_shows_the_kinds_again(client, director):
    sign_in(client, director)
    response = client.get(NEW, {"kind": "knitting"})
    assert response.status_code == 400
    assert "“knitting” is not a kind of program you can create here" in response.content.decode()


def test_a_director_whose_enrollment_ended_no_longer_creates_programs(
    program, director, institution
):
    from tests.conftest import make_person

    other = make_person("second@lakeside.test", "Second Director", "faculty", institution)
    Enrollment.objects.create(program=program, person=other, role=Role.DIRECTOR)
    enrollment_end(program=program, person=director, by=other)

    assert not access.may_create_programs(director)
    assert list(access.program_creation_institutions(other)) == [institution]


def test_the_kinds_own_setup_runs_in_the_same_transaction(institution, director, monkeypatch):
    def refuse(*, program, by):
        raise ProgramError("The kind could not set itself up.")

    original = kinds.creation_for(ProgramKind.ONE_TO_ONE)
    monkeypatch.setitem(
        kinds._creations,
        ProgramKind.ONE_TO_ONE,
        kinds.Creation(kind=original.kind, fields=original.fields, after_create=refuse),
    )
    with pytest.raises(ProgramError):
        program_create_as_director(
            by=director,
            kind=ProgramKind.ONE_TO_ONE,
            name="Half made",
            institution=institution,
            starts_on=_monday(),
            time_zone="UTC",
        )
    assert not Program.objects.filter(name="Half made").exists()


def test_a_kind_that_registers_no_creation_gets_the_generic_fields():
    creation = kinds.creation_for(ProgramKind.CHECK_IN)
    assert creation.fields == () and not creation.questions
    assert kinds.GENERIC_CREATION_FIELDS == (
        "name",
        "slug",
        "institution",
        "starts_on",
        "time_zone",
    )


def test_a_kind_cannot_ask_for_a_field_the_page_does_not_know():
    with pytest.raises(ValueError, match="cannot be asked for “mascot”"):
        kinds.register_creation(kind=ProgramKind.PEER_GROUP, fields=["mascot"])


def test_the_home_page_offers_a_new_program_to_directors_only(client, director, junior):
    sign_in(client, director)
    assert NEW in client.get(reverse("home")).content.decode()
    sign_in(client, junior)
    assert NEW not in client.get(reverse("home")).content.decode()


def test_a_kinds_question_cannot_take_a_name_the_page_asks_itself():
    from django import forms

    with pytest.raises(ValueError, match="cannot be named “slug”"):
        kinds.register_creation(kind=ProgramKind.PEER_GROUP, questions={"slug": forms.CharField})


def test_a_reverse_mentoring_page_says_the_threshold_is_fixed_and_the_facilitator_comes_later(
    client, director
):
    sign_in(client, director)
    page = client.get(NEW, {"kind": ProgramKind.REVERSE}).content.decode()
    assert "at least 3 fellows gave it (privacy rule 3); this is fixed" in page
    assert "The facilitator, who reviews and releases the feedback, is named later" in page


def test_a_director_creates_a_reverse_mentoring_program_from_the_page(
    client, institution, director
):
    sign_in(client, director)
    response = _post(
        client,
        institution,
        kind=ProgramKind.REVERSE,
        name="Reverse mentoring 2027",
        description="Fellows mentor their consultants.",
    )
    created = Program.objects.get(name="Reverse mentoring 2027")
    assert (created.kind, created.description) == (
        ProgramKind.REVERSE,
        "Fellows mentor their consultants.",
    )
    assert response["Location"] == reverse("program-detail", args=[created.slug])
    assert access.program_access(director, created).roles == {Role.DIRECTOR}
    assert client.get(reverse("reverse-home", args=[created.slug])).status_code == 200


def test_a_conference_page_asks_the_usual_length_room_and_video_link(client, director):
    sign_in(client, director)
    form = client.get(NEW, {"kind": ProgramKind.CONFERENCE}).context["form"]
    assert {"session_minutes", "session_place", "session_video_url"} <= set(form.fields)
    assert form.fields["session_minutes"].initial == 60
    assert not {"service", "weekly_email_weekday"} & set(form.fields)


def test_a_director_creates_a_conference_whose_sessions_start_from_its_defaults(
    client, institution, director
):
    sign_in(client, director)
    response = _post(
        client,
        institution,
        kind=ProgramKind.CONFERENCE,
        name="Peer-support conference",
        session_minutes="50",
        session_place="",
        session_video_url="https://meet.example.org/peer-support",
    )
    created = Program.objects.get(name="Peer-support conference")
    assert created.kind == ProgramKind.CONFERENCE
    assert response["Location"] == reverse("program-detail", args=[created.slug])
    plan = client.get(reverse("conference-plan", args=[created.slug])).context["form"]
    assert (plan.initial["minutes"], plan.initial["video_url"], plan.initial["place"]) == (
        50,
        "https://meet.example.org/peer-support",
        "",
    )


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"session_minutes": "5"}, "Usual session length (minutes): Ensure this value is"),
        ({"session_video_url": "not a link"}, "Usual video link: Write the video link as a web"),
    ],
)
def test_a_conference_with_bad_defaults_says_why_and_nothing_is_written(
    client, institution, director, fields, words
):
    sign_in(client, director)
    before = Program.objects.count(), Enrollment.objects.count()
    response = _post(
        client, institution, kind=ProgramKind.CONFERENCE, name="Peer support", **fields
    )
    assert response.status_code == 400
    assert words in response.content.decode()
    assert (Program.objects.count(), Enrollment.objects.count()) == before


def test_a_conference_default_refused_by_its_service_leaves_no_program(institution, director):
    with pytest.raises(ProgramError, match="A session of 500 minutes is refused"):
        program_create_as_director(
            by=director,
            kind=ProgramKind.CONFERENCE,
            name="Half made conference",
            institution=institution,
            starts_on=_monday(),
            time_zone="UTC",
            kind_answers={"session_minutes": 500},
        )
    assert not Program.objects.filter(name="Half made conference").exists()
