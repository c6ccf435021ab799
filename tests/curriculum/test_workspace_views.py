"""The pair's workspace and case pages, and their actions with and without htmx."""

import pytest
from django.urls import reverse

from medmentor.curriculum.models import AnswerReveal, CaseLearningStyle, CaseReview
from medmentor.curriculum.services import answer_reveal, case_learning_style_choose
from tests.conftest import sign_in

pytestmark = pytest.mark.usefixtures("fast_passwords")

HTMX = {"HTTP_HX_REQUEST": "true"}


def _case_url(program, case):
    return reverse("case", kwargs={"slug": program.slug, "case_id": case.pk})


def test_the_junior_sees_their_senior_the_topic_and_every_case(client, case_week, junior, program):
    sign_in(client, junior)
    response = client.get(reverse("workspace", kwargs={"slug": program.slug}))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sam Senior" in page and "Jamie Junior" not in page
    assert "Topic: Thyroid scintigraphy" in page
    assert "Thyroid scintigraphy: reading 1" in page
    assert "Today's case" in page
    for case in case_week.cases:
        assert _case_url(program, case) in page
    assert "How do you want to meet this case?" in page


def test_the_senior_sees_the_answers_and_no_style_choice(client, case_week, senior, program):
    sign_in(client, senior)
    page = client.get(_case_url(program, case_week.cases[0])).content.decode()
    assert "Answer 1 of Thyroid scintigraphy, case 1." in page
    assert "Answer 2 of Thyroid scintigraphy, case 1." in page
    assert "How do you want to meet this case?" not in page
    assert "Go in blind" not in page


def test_a_learner_not_paired_this_week_is_told_so(client, case_week, program, institution):
    from medmentor.programs.models import Enrollment, Role
    from tests.conftest import make_person

    spare = make_person("spare@lakeside.test", "Spare Senior", "R4", institution)
    Enrollment.objects.create(program=program, person=spare, role=Role.SENIOR)
    sign_in(client, spare)
    page = client.get(reverse("workspace", kwargs={"slug": program.slug})).content.decode()
    assert "You are not paired this week" in page
    assert "Thyroid scintigraphy, case 1" not in page


@pytest.mark.parametrize(
    "person_name", ["director", "coordinator", "faculty", "researcher", "outsider"]
)
def test_the_workspace_refuses_everyone_but_juniors_and_seniors(
    client, case_week, program, request, person_name
):
    sign_in(client, request.getfixturevalue(person_name))
    response = client.get(reverse("workspace", kwargs={"slug": program.slug}))
    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, case_week, program):
    response = client.get(reverse("workspace", kwargs={"slug": program.slug}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sign-in"))


def test_an_unknown_program_is_not_found(client, junior):
    sign_in(client, junior)
    assert client.get(reverse("workspace", kwargs={"slug": "nope"})).status_code == 404


def test_a_case_of_an_unplanned_week_is_forbidden_and_an_unknown_case_not_found(
    client, case_week, junior, program
):
    sign_in(client, junior)
    assert client.get(_case_url(program, case_week.unplanned_case)).status_code == 403
    missing = reverse("case", kwargs={"slug": program.slug, "case_id": 999999})
    assert client.get(missing).status_code == 404


def test_going_blind_then_revealing_one_answer_without_javascript(
    client, case_week, junior, program
):
    case = case_week.cases[0]
    first, second = case.questions.all()
    url = _case_url(program, case)
    sign_in(client, junior)

    response = client.post(
        reverse("case-style", kwargs={"slug": program.slug, "case_id": case.pk}),
        {"style": "blind", "next": url},
    )
    assert response.status_code == 302 and response["Location"] == f"{url}#case-{case.pk}"
    page = client.get(url).content.decode()
    assert first.answer not in page and second.answer not in page
    assert 'aria-expanded="false"' in page

    response = client.post(
        reverse("answer-reveal", kwargs={"slug": program.slug, "question_id": first.pk}),
        {"next": url},
    )
    assert response["Location"] == f"{url}#question-{first.pk}"
    page = client.get(url).content.decode()
    assert first.answer in page and second.answer not in page
    assert f'id="reveal-{first.pk}" aria-expanded="true"' in page


def test_htmx_actions_return_only_the_changed_part(client, case_week, junior, program):
    case = case_week.cases[0]
    first = case.questions.first()
    sign_in(client, junior)

    body = client.post(
        reverse("case-style", kwargs={"slug": program.slug, "case_id": case.pk}),
        {"style": "blind"},
        **HTMX,
    ).content.decode()
    assert body.lstrip().startswith(f'<div id="case-body-{case.pk}">')
    assert "<html" not in body
    assert f'id="style-blind-{case.pk}"\n                  aria-pressed="true"' in body

    body = client.post(
        reverse("answer-reveal", kwargs={"slug": program.slug, "question_id": first.pk}),
        **HTMX,
    ).content.decode()
    assert body.lstrip().startswith(f'<li class="question" id="question-{first.pk}">')
    assert first.answer in body

    body = client.post(
        reverse("case-review", kwargs={"slug": program.slug, "case_id": case.pk}),
        {"pair": case_week.pair.pk, "status": "skipped"},
        **HTMX,
    ).content.decode()
    assert f'id="review-{case_week.pair.pk}-{case.pk}"' in body
    assert "Skipped — clinical work came first" in body
    assert 'class="badge"' in body  # neutral, never the warning or failure colour


def test_the_senior_marks_reviewed_and_the_junior_sees_it(
    client, case_week, junior, senior, program
):
    case = case_week.cases[1]
    sign_in(client, senior)
    client.post(
        reverse("case-review", kwargs={"slug": program.slug, "case_id": case.pk}),
        {"pair": case_week.pair.pk, "status": "reviewed"},
    )
    assert CaseReview.objects.get().status == "reviewed"
    sign_in(client, junior)
    page = client.get(reverse("workspace", kwargs={"slug": program.slug})).content.decode()
    assert "Reviewed together</span>" in page


def test_marking_another_pairs_case_is_forbidden(client, case_week, other_junior, program):
    sign_in(client, other_junior)
    response = client.post(
        reverse("case-review", kwargs={"slug": program.slug, "case_id": case_week.cases[0].pk}),
        {"pair": case_week.pair.pk, "status": "reviewed"},
    )
    assert response.status_code == 403
    assert not CaseReview.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"pair": "abc", "status": "reviewed"}, "“abc” is not a pair"),
        ({"status": "reviewed"}, "“” is not a pair"),
        ({"pair": "PAIR", "status": "finished"}, "“finished” is not a mark"),
    ],
)
def test_bad_review_input_is_a_clear_400(client, case_week, junior, program, data, message):
    data = {
        key: str(case_week.pair.pk) if value == "PAIR" else value for key, value in data.items()
    }
    sign_in(client, junior)
    response = client.post(
        reverse("case-review", kwargs={"slug": program.slug, "case_id": case_week.cases[0].pk}),
        data,
    )
    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_unknown_style_is_a_clear_400(client, case_week, junior, program):
    sign_in(client, junior)
    response = client.post(
        reverse("case-style", kwargs={"slug": program.slug, "case_id": case_week.cases[0].pk}),
        {"style": "sneak-peek"},
    )
    assert response.status_code == 400
    assert "“sneak-peek” is not a learning style" in response.content.decode()
    assert not CaseLearningStyle.objects.exists()


@pytest.mark.parametrize("person_name", ["senior", "director", "faculty", "outsider"])
def test_only_the_junior_may_choose_or_reveal(client, case_week, program, request, person_name):
    case = case_week.cases[0]
    sign_in(client, request.getfixturevalue(person_name))
    style = client.post(
        reverse("case-style", kwargs={"slug": program.slug, "case_id": case.pk}),
        {"style": "blind"},
    )
    reveal = client.post(
        reverse(
            "answer-reveal",
            kwargs={"slug": program.slug, "question_id": case.questions.first().pk},
        )
    )
    assert (style.status_code, reveal.status_code) == (403, 403)
    assert not CaseLearningStyle.objects.exists() and not AnswerReveal.objects.exists()


def test_htmx_parts_send_the_user_back_to_the_page_they_are_on(client, case_week, junior, program):
    workspace = reverse("workspace", kwargs={"slug": program.slug})
    sign_in(client, junior)
    body = client.post(
        reverse("case-style", kwargs={"slug": program.slug, "case_id": case_week.cases[0].pk}),
        {"style": "blind"},
        HTTP_HX_CURRENT_URL=f"http://testserver{workspace}",
        **HTMX,
    ).content.decode()
    assert f'name="next" value="{workspace}"' in body
    assert "/style/" not in body.split('name="next"')[1].split(">")[0]


def test_redirects_never_leave_the_site(client, case_week, junior, program):
    case = case_week.cases[0]
    sign_in(client, junior)
    response = client.post(
        reverse("case-style", kwargs={"slug": program.slug, "case_id": case.pk}),
        {"style": "read_first", "next": "https://evil.example/"},
    )
    assert response["Location"] == f"{_case_url(program, case)}#case-{case.pk}"


def test_actions_need_post(client, case_week, junior, program):
    case_learning_style_choose(junior=junior, case=case_week.cases[0], style="blind")
    answer_reveal(junior=junior, question=case_week.cases[0].questions.first())
    sign_in(client, junior)
    url = reverse("case-style", kwargs={"slug": program.slug, "case_id": case_week.cases[0].pk})
    assert client.get(url).status_code == 405
