"""Privacy rule 2: in coded and anonymous modes no table links a response to a person or
an invitation. Proved twice: by the schema (which relations exist) and by the stored
rows after real people answered through their links."""

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.forms.models import model_to_dict

from medmentor.surveys.models import Anonymity, Answer, Invitation, Response
from medmentor.surveys.services import digest, invitation_token
from tests.surveys.conftest import make_survey
from tests.surveys.test_answering import _answer_all, _consent, _link

pytestmark = pytest.mark.usefixtures("fast_passwords")


def test_schema_has_no_relation_from_answers_to_invitations_and_only_identified_to_people():
    person_model = apps.get_model("people", "Person")
    for model in (Response, Answer):
        targets = {
            field.name: field.related_model
            for field in model._meta.get_fields()
            if field.is_relation and field.concrete
        }
        assert Invitation not in targets.values()
        if model is Response:
            assert [name for name, target in targets.items() if target is person_model] == [
                "person"
            ]
        else:
            assert person_model not in targets.values()
    invitation_relations = {
        field.related_model
        for field in Invitation._meta.get_fields()
        if field.is_relation and field.concrete
    }
    assert Response not in invitation_relations and Answer not in invitation_relations
    # Nor a time on the invitation that could be matched to a response's submitted_at.
    assert not any(
        field.get_internal_type() == "DateTimeField" and "respon" in field.name
        for field in Invitation._meta.get_fields()
        if field.concrete
    )


@pytest.mark.parametrize("mode", [Anonymity.CODED, Anonymity.ANONYMOUS])
def test_a_coded_or_anonymous_response_cannot_carry_a_person(program, junior, mode):
    survey = make_survey(program, anonymity=mode)
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(wave=survey.waves.first(), anonymity=mode, person=junior)


def _all_rows_text() -> dict[str, str]:
    """Every table's rows, as text, keyed by table name."""
    text = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - our own table names
            text[table] = repr(cursor.fetchall())
    return text


@pytest.mark.parametrize("mode", [Anonymity.CODED, Anonymity.ANONYMOUS])
def test_stored_rows_never_join_a_response_to_its_invitation_or_person(
    client, program, junior, other_junior, mode
):
    survey = make_survey(program, anonymity=mode)
    for person in (junior, other_junior):
        client.cookies.clear()
        url = _link(survey, person)
        _consent(client, url)
        if person == junior:
            # The junior leaves a draft half-way, the other junior submits.
            client.post(url, {"page": 1, "action": "save", "conf_1": "2"})
            draft_cookie = client.cookies[f"survey_draft_{survey.waves.get(kind='pre').pk}"]
        else:
            invitation = Invitation.objects.get(person=person)
            before = model_to_dict(invitation)
            assert _answer_all(client, url).status_code == 200
            after = model_to_dict(Invitation.objects.get(pk=invitation.pk))
            # Submitting changed one flag on the invitation, nothing that carries a time.
            assert {k for k in before if before[k] != after[k]} == {"is_done"}

    responses = list(Response.objects.all())
    assert len(responses) == 2
    # The submission keeps only its day, nothing to match with a log of link visits.
    submitted = [r.submitted_at for r in responses if r.submitted_at]
    assert [(t.hour, t.minute, t.second, t.microsecond) for t in submitted] == [(0, 0, 0, 0)]
    assert all(response.person_id is None for response in responses)
    rows = _all_rows_text()
    secrets_of_invitations = []
    for invitation in Invitation.objects.all():
        token = invitation_token(invitation=invitation)
        secrets_of_invitations += [token, digest(token), invitation.nonce]
    for table, content in rows.items():
        if table == "surveys_invitation":
            continue
        for secret in secrets_of_invitations:
            assert secret not in content, f"{table} holds an invitation's token or nonce"
    # The draft token lives in the respondent's browser only: no server table holds it,
    # and the draft row holds only its digest, which no invitation row contains.
    for table, content in rows.items():
        assert draft_cookie.value not in content, f"{table} holds a draft token"
    assert digest(draft_cookie.value) not in rows["surveys_invitation"]
    assert digest(draft_cookie.value) not in rows["django_session"]
    # The response and answer tables name no person: no person id column is filled.
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM surveys_response WHERE person_id IS NOT NULL")
        assert cursor.fetchone() == (0,)
    if mode == Anonymity.ANONYMOUS:
        assert all(response.code_hashes == [] for response in responses)


def test_identified_mode_says_so_and_keeps_the_person(client, program, junior):
    survey = make_survey(program, anonymity=Anonymity.IDENTIFIED)
    url = _link(survey, junior)
    assert "Your answers are stored with your name" in client.get(url).content.decode()
    _consent(client, url)
    assert Response.objects.get().person == junior
