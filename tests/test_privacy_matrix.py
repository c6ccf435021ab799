"""Privacy rule 1 (docs/privacy.md), checked role × page for the case-review program.

Two kinds of checks:

1. Status: every role gets the expected answer from every page, action and API
   endpoint that shows the program's data (200, 302 after an action, 403, 404, or the
   sign-in page for anonymous visitors).
2. No leaks: for each private fact (the junior's learning style and revealed answers;
   the pair's reviewed/skipped marks), every page is fetched by every role that does
   not own the fact twice — once with the fact one way, once the other way — and the
   two responses must be identical. The owners' pages must differ, which shows the
   check can see a difference at all.

A test at the end fails when a program page is added without a row here.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse

from medmentor.curriculum import services
from medmentor.curriculum.models import AnswerReveal, CaseLearningStyle, CaseReview, WeekPlan
from medmentor.mentoring.models import MatchingConflict, Mentorship
from medmentor.mentoring.services import (
    MATCHING_DEFAULT_WEIGHTS,
    goal_create,
    goal_update,
    matching_run_create,
    mentoring_profile_update,
)
from medmentor.messaging.models import OutboxMessage
from medmentor.people.models import Person
from medmentor.programs.models import Enrollment, Pair, Program, ProgramKind, ProgramWeek
from tests.conftest import (
    PROGRAM_PEOPLE,
    make_case_week,
    make_institution,
    make_outsider,
    make_program,
    make_program_person,
    make_service,
    rows_for_the_module,
)
from tests.mentoring.pairs import image_bytes
from tests.privacy_matrix.support import (
    SIGN_IN,
    Endpoint,
    assert_expected_answer,
    matrix_modules,
    sign_in_as,
    snapshot,
)
from tests.surveys.conftest import make_survey

pytestmark = pytest.mark.usefixtures("fast_passwords")

_PHOTO = image_bytes(kind="JPEG")

# Each role is a named test person (tests/conftest.py); `peer` and `peer_senior` are the
# other pair of the same week, `outsider` is enrolled in another program.
ROLE_PEOPLE = {
    "director": "director",
    "coordinator": "coordinator",
    "faculty": "faculty",
    "researcher": "researcher",
    "senior": "senior",
    "junior": "junior",
    "peer": "other_junior",
    "peer_senior": "other_senior",
    "outsider": "outsider",
    "anonymous": None,
}
ROLES = list(ROLE_PEOPLE)

STAFF = ("director", "coordinator")
LEARNERS = ("junior", "senior", "peer", "peer_senior")


def _expect(allowed: dict[str, int], *, denied: int = 403, anonymous=SIGN_IN, outsider=None):
    """Everyone not in `allowed` is `denied`; anonymous visitors and the outsider as given."""
    table = {role: allowed.get(role, denied) for role in ROLES}
    table["anonymous"] = anonymous
    table["outsider"] = outsider if outsider is not None else allowed.get("outsider", denied)
    return table


LEARNER_PAGE = _expect(dict.fromkeys(LEARNERS, 200))
DASHBOARD = _expect(dict.fromkeys((*STAFF, "faculty", "researcher"), 200))
STAFF_PAGE = _expect(dict.fromkeys(STAFF, 200))
RESEARCHER_ONLY = _expect({"researcher": 200})


def _page(name: str, **kwargs) -> Callable[[SimpleNamespace], str]:
    def build(world):
        values = {key: value(world) if callable(value) else value for key, value in kwargs.items()}
        return reverse(name, kwargs={"slug": world.program.slug, **values})

    return build


def _case(world):
    return world.case.pk


def _question(world):
    return world.case.questions.first().pk


def _today(world):
    return world.today.isoformat()


def _survey(world):
    return world.survey.pk


SURVEY_REPORT = _expect(dict.fromkeys((*STAFF, "researcher"), 200))


def _matching(name: str, **kwargs) -> Callable[[SimpleNamespace], str]:
    def build(world):
        values = {key: value(world) for key, value in kwargs.items()}
        return reverse(name, kwargs={"slug": world.matching_program.slug, **values})

    return build


def _run(world):
    return world.matching_run.pk


def _api(path: str) -> Callable[[SimpleNamespace], str]:
    return lambda world: "/api/" + path.format(slug=world.program.slug, day=_today(world))


PAGES = [
    # The pair's workspace and the case page (this part).
    Endpoint("workspace", _page("workspace"), LEARNER_PAGE),
    Endpoint("case", _page("case", case_id=_case), LEARNER_PAGE),
    # The director's program page: aggregates for faculty and researchers too.
    Endpoint("program-detail", _page("program-detail"), DASHBOARD),
    # The director's and coordinator's pages of the other parts.
    Endpoint("roster-import", _page("roster-import"), STAFF_PAGE),
    Endpoint("schedule-import", _page("schedule-import"), STAFF_PAGE),
    Endpoint("program-weeks", _page("program-weeks"), STAFF_PAGE),
    Endpoint("curriculum-overview", _page("curriculum-overview"), STAFF_PAGE),
    Endpoint("curriculum-export", _page("curriculum-export"), STAFF_PAGE),
    Endpoint("curriculum-import", _page("curriculum-import"), STAFF_PAGE),
    # The curriculum editor: content only, never a learner's progress.
    Endpoint("curriculum-edit", _page("curriculum-edit"), STAFF_PAGE),
    Endpoint("curriculum-week-add", _page("curriculum-week-add"), STAFF_PAGE),
    Endpoint(
        "curriculum-week", _page("curriculum-week", week_id=lambda w: w.case.week_id), STAFF_PAGE
    ),
    Endpoint(
        "curriculum-case-add",
        _page("curriculum-case-add", week_id=lambda w: w.case.week_id),
        STAFF_PAGE,
    ),
    Endpoint("curriculum-case", _page("curriculum-case", case_id=_case), STAFF_PAGE),
    # The program's holidays and closures, and the weeks they touch.
    Endpoint("program-calendar", _page("program-calendar"), STAFF_PAGE),
    # The weekly email: the simple editor (the week's note), the template editor, its
    # preview rendered for the junior, and the outbox.
    Endpoint(
        "email-note",
        lambda world: _page("email-note")(world) + f"?week={world.week.pk}",
        STAFF_PAGE,
    ),
    Endpoint(
        "email-template",
        lambda world: (
            _page("email-template")(world) + f"?week={world.week.pk}&person={world.junior.pk}"
        ),
        STAFF_PAGE,
    ),
    Endpoint(
        "email-preview",
        _page("email-preview"),
        STAFF_PAGE,
        method="post",
        data=lambda world: {
            "week": world.week.pk,
            "person": world.junior.pk,
            "subject": "This week",
            "text_body": "Hello",
            "html_body": "<p>Hello</p>",
        },
    ),
    Endpoint("outbox", _page("outbox"), STAFF_PAGE),
    Endpoint(
        "outbox-message", _page("outbox-message", message_id=lambda w: w.email.pk), STAFF_PAGE
    ),
    # One-to-one matching, on the same people's one-to-one program.
    Endpoint("matching", _matching("matching"), STAFF_PAGE),
    Endpoint("matching-run", _matching("matching-run", run_id=_run), STAFF_PAGE),
    # The publish confirmation: what publishing the draft does (its POST is in ACTIONS).
    Endpoint("matching-publish", _matching("matching-publish", run_id=_run), STAFF_PAGE),
    Endpoint("matching-profiles-import", _matching("matching-profiles-import"), STAFF_PAGE),
    Endpoint("matching-profiles-template", _matching("matching-profiles-template"), STAFF_PAGE),
    # Relationship health and reflections (one-to-one): staff see pairs and that a pair
    # asked for help; each side their own check; the mentor their reflections; the
    # researchers a count of shared ones.
    Endpoint("mentoring-health", _matching("mentoring-health"), STAFF_PAGE),
    Endpoint("mentoring-check", _matching("mentoring-check"), LEARNER_PAGE),
    Endpoint(
        "mentoring-reflections",
        _matching("mentoring-reflections"),
        _expect({"senior": 200, "peer_senior": 200}),
    ),
    Endpoint(
        "mentoring-reflections-export", _matching("mentoring-reflections-export"), RESEARCHER_ONLY
    ),
    # Surveys: response counts for the dashboard roles; answers and exports for staff
    # and researchers; never who answered (privacy rule 2, tests/surveys).
    Endpoint("survey-list", _page("survey-list"), DASHBOARD),
    Endpoint("survey-report", _page("survey-report", instrument_id=_survey), SURVEY_REPORT),
    Endpoint("survey-report-pdf", _page("survey-report-pdf", instrument_id=_survey), SURVEY_REPORT),
    Endpoint(
        "survey-export",
        _page("survey-export", instrument_id=_survey, kind="long"),
        SURVEY_REPORT,
    ),
    Endpoint("survey-redcap-import", _page("survey-redcap-import"), STAFF_PAGE),
    # The invite page: how many people hold each role, never who.
    Endpoint(
        "survey-invite",
        _page("survey-invite", instrument_id=_survey, wave_id=lambda w: w.survey_wave.pk),
        STAFF_PAGE,
    ),
    # REFI-QDA exchange: focus-group content, the program's researchers only. The world
    # below holds a code (_qualitative_world), so the codebook download answers 200.
    Endpoint("qualitative-exchange", _page("qualitative-exchange"), RESEARCHER_ONLY),
    Endpoint("qualitative-qdpx-export", _page("qualitative-qdpx-export"), RESEARCHER_ONLY),
    Endpoint("qualitative-qdc-export", _page("qualitative-qdc-export"), RESEARCHER_ONLY),
]
API = [
    Endpoint("api me", _api("me"), _expect(dict.fromkeys(ROLES, 200), anonymous=401)),
    Endpoint(
        "api programs",
        _api("programs"),
        _expect(dict.fromkeys(ROLES, 200), anonymous=401),
    ),
    Endpoint(
        "api program",
        _api("programs/{slug}"),
        _expect(dict.fromkeys(ROLES, 200), anonymous=401, outsider=404),
    ),
    Endpoint(
        "api program people",
        _api("programs/{slug}/people"),
        _expect(dict.fromkeys(STAFF, 200), anonymous=401, outsider=404),
    ),
    Endpoint(
        "api weeks",
        _api("programs/{slug}/weeks"),
        _expect(dict.fromkeys(ROLES, 200), anonymous=401, outsider=404),
    ),
    Endpoint(
        "api week pairs",
        _api("programs/{slug}/weeks/{day}/pairs"),
        _expect(dict.fromkeys((*STAFF, *LEARNERS), 200), anonymous=401, outsider=404),
    ),
    Endpoint(
        "api participation",
        _api("programs/{slug}/participation"),
        _expect(dict.fromkeys((*STAFF, "faculty", "researcher"), 200), anonymous=401, outsider=404),
    ),
    Endpoint(
        "api week cases",
        _api("programs/{slug}/weeks/{day}/cases"),
        _expect(dict.fromkeys((*STAFF, *LEARNERS), 200), anonymous=401, outsider=404),
    ),
    Endpoint(
        "api matching run",
        lambda world: (
            f"/api/programs/{world.matching_program.slug}/matching/runs/{world.matching_run.pk}"
        ),
        _expect(dict.fromkeys(STAFF, 200), anonymous=401, outsider=404),
    ),
]
SURVEY_OVERVIEW_API = _expect(
    dict.fromkeys((*STAFF, "faculty", "researcher"), 200), anonymous=401, outsider=404
)
API += [
    Endpoint("api surveys", _api("programs/{slug}/surveys"), SURVEY_OVERVIEW_API),
    Endpoint(
        "api survey",
        lambda world: f"/api/programs/{world.program.slug}/surveys/{world.survey.pk}",
        SURVEY_OVERVIEW_API,
    ),
    Endpoint(
        "api survey statistics",
        lambda world: f"/api/programs/{world.program.slug}/surveys/{world.survey.pk}/statistics",
        _expect(dict.fromkeys((*STAFF, "researcher"), 200), anonymous=401, outsider=404),
    ),
]
ACTIONS = [
    # The junior's own choices: any junior paired this week (junior, peer) for their own.
    Endpoint(
        "choose style",
        _page("case-style", case_id=_case),
        _expect({"junior": 302, "peer": 302}),
        method="post",
        data=lambda world: {"style": "blind"},
    ),
    Endpoint(
        "reveal answer",
        _page("answer-reveal", question_id=_question),
        _expect({"junior": 302, "peer": 302}),
        method="post",
    ),
    # The pair's mark: only the junior and the senior of that pair.
    Endpoint(
        "mark reviewed",
        _page("case-review", case_id=_case),
        _expect({"junior": 302, "senior": 302}),
        method="post",
        data=lambda world: {"pair": world.pair.pk, "status": "reviewed"},
    ),
    # The director's matching actions (one-to-one program): staff only.
    Endpoint(
        "matching run",
        _matching("matching"),
        _expect(dict.fromkeys(STAFF, 302)),
        method="post",
        data=lambda world: {
            "objective": "stable",
            **{f"weight_{name}": "1" for name in MATCHING_DEFAULT_WEIGHTS},
            "min_level_gap": "2",
        },
    ),
    Endpoint(
        "matching lock",
        _matching("matching-pair-lock", run_id=_run, pair_id=lambda w: w.matching_pairs[0].pk),
        _expect(dict.fromkeys(STAFF, 302)),
        method="post",
        data=lambda world: {"locked": "1"},
    ),
    Endpoint(
        "matching swap",
        _matching("matching-swap", run_id=_run),
        _expect(dict.fromkeys(STAFF, 302)),
        method="post",
        data=lambda world: {
            "first": world.matching_pairs[0].pk,
            "second": world.matching_pairs[1].pk,
        },
    ),
    Endpoint(
        "matching publish",
        _matching("matching-publish", run_id=_run),
        _expect(dict.fromkeys(STAFF, 302)),
        method="post",
        data=lambda world: {"confirm": "yes"},
    ),
    Endpoint(
        "matching conflict add",
        _matching("matching-conflict-add"),
        _expect(dict.fromkeys(STAFF, 302)),
        method="post",
        data=lambda world: {
            "mentor": world.matching_pairs[0].mentor_id,
            "mentee": world.matching_pairs[1].mentee_id,
            "reason": "declared",
        },
    ),
    Endpoint(
        "matching conflict remove",
        _matching("matching-conflict-remove", conflict_id=lambda w: w.matching_conflict.pk),
        _expect(dict.fromkeys(STAFF, 302)),
        method="post",
    ),
]
ACTIONS += [
    # The roster preview's column step (a POST on the import page): staff only; with no
    # preview waiting it saves nothing and sends them back to upload.
    Endpoint(
        "roster column step",
        _page("roster-import"),
        _expect(dict.fromkeys(STAFF, 302)),
        method="post",
        data=lambda world: {"action": "map", "slash_dates": "day-first"},
    ),
    Endpoint(
        "mentoring nudge",
        _matching("mentoring-nudge", mentorship_id=lambda w: w.mentorship.pk),
        _expect(dict.fromkeys(STAFF, 302)),
        method="post",
    ),
    Endpoint(
        "mentoring repair",
        _matching("mentoring-repair", mentorship_id=lambda w: w.mentorship.pk),
        _expect(dict.fromkeys(STAFF, 302)),
        method="post",
    ),
    Endpoint(
        "mentoring check send",
        _matching("mentoring-check-send"),
        _expect(dict.fromkeys(STAFF, 302)),
        method="post",
    ),
    Endpoint(
        "mentoring check answer",
        _matching("mentoring-check"),
        _expect({"junior": 302, **dict.fromkeys(("senior", "peer", "peer_senior"), 404)}),
        method="post",
        data=lambda world: {"check": world.junior_check.pk, "answer": "works"},
    ),
    Endpoint(
        "mentoring reflection consent",
        _matching("mentoring-reflection-consent", reflection_id=lambda w: w.reflection.pk),
        _expect({"senior": 302, **dict.fromkeys(("junior", "peer", "peer_senior"), 404)}),
        method="post",
        data=lambda world: {"consent": "on"},
    ),
]
ACTIONS.append(
    Endpoint(
        "survey invite",
        _page("survey-invite", instrument_id=_survey, wave_id=lambda w: w.survey_wave.pk),
        _expect(dict.fromkeys(STAFF, 302)),
        method="post",
        data=lambda world: {"roles": ["junior", "senior"]},
    )
)
ACTIONS.append(
    Endpoint(
        "survey library copy",
        _page("survey-library-copy", key="reverse-mentoring"),
        _expect(dict.fromkeys(STAFF, 302)),
        method="post",
    )
)


# Meetings (medmentor.meetings), on a meeting of the pair (junior, senior) that the
# senior planned: the pair sees it whole, staff see that it exists (time, people,
# whether it happened), everyone else of the program is told it does not exist.
def _meeting(name: str) -> Callable[[SimpleNamespace], str]:
    return _page(name, meeting_id=lambda w: w.meeting.pk)


EVERYONE_ENROLLED = _expect(dict.fromkeys((*STAFF, "faculty", "researcher", *LEARNERS), 200))
PAGES += [
    Endpoint("meetings", _page("meetings"), EVERYONE_ENROLLED),
    Endpoint(
        "meeting-plan", _page("meeting-plan"), _expect(dict.fromkeys((*STAFF, *LEARNERS), 200))
    ),
    Endpoint(
        "meeting-detail",
        _meeting("meeting-detail"),
        _expect({**dict.fromkeys((*STAFF, "junior", "senior"), 200)}, denied=404, outsider=403),
    ),
    Endpoint(
        "meeting-edit",
        _meeting("meeting-edit"),
        _expect(
            {"senior": 200, **dict.fromkeys((*STAFF, "junior"), 403)}, denied=404, outsider=403
        ),
    ),
    Endpoint(
        "meeting-log",
        _meeting("meeting-log"),
        _expect(
            {**dict.fromkeys(("junior", "senior"), 200), **dict.fromkeys(STAFF, 403)},
            denied=404,
            outsider=403,
        ),
    ),
]
ACTIONS.append(
    Endpoint(
        "meeting cancel",
        _meeting("meeting-cancel"),
        _expect(
            {"senior": 302, **dict.fromkeys((*STAFF, "junior"), 403)}, denied=404, outsider=403
        ),
        method="post",
    )
)


# The pair's home (mentoring, one-to-one program), on the pair (junior, senior) of the
# near-peer program: the pair sees it whole; staff see the pairs' overview (names and
# counts); another pair, faculty and researchers are told it does not exist (404) or,
# for the page itself, refused (403).
def _pair_goal(world):
    return world.pair_goal.pk


NOT_THE_PAIR = 404
PAGES += [
    Endpoint(
        "mentoring-pairs",
        _matching("mentoring-pairs"),
        _expect(dict.fromkeys((*STAFF, *LEARNERS), 200)),
    ),
    Endpoint(
        "mentoring-profile", _matching("mentoring-profile"), _expect(dict.fromkeys(LEARNERS, 200))
    ),
    # The junior's photo: the junior and their mentor only — not staff, not other pairs.
    Endpoint(
        "mentoring-photo",
        _matching("mentoring-photo", person_id=lambda w: w.junior.pk),
        _expect(dict.fromkeys(("junior", "senior"), 200), denied=NOT_THE_PAIR, outsider=403),
    ),
]
ACTIONS += [
    Endpoint(
        "pair goal add",
        _matching("mentoring-goal-add", mentorship_id=lambda w: w.pair_goal.mentorship_id),
        _expect(dict.fromkeys(("junior", "senior"), 302), denied=NOT_THE_PAIR, outsider=403),
        method="post",
        data=lambda world: {"title": "A new goal"},
    ),
    Endpoint(
        "pair goal progress",
        _matching("mentoring-goal-progress", goal_id=_pair_goal),
        _expect(dict.fromkeys(("junior", "senior"), 302), denied=NOT_THE_PAIR, outsider=403),
        method="post",
        data=lambda world: {"status": "in_progress", "progress": "50"},
    ),
    Endpoint(
        "own mentoring profile",
        _matching("mentoring-profile"),
        _expect(dict.fromkeys(LEARNERS, 302)),
        method="post",
        data=lambda world: {"bio": "Hello", "contact_preference": "Email"},
    ),
]


# --- The people page (directors and coordinators only: faculty and researchers see
# counts, never who is enrolled; learners see their own pairs) and the pages that are
# no program's: a person's own profile (everyone's own) and the "new program" page (the
# directors of a program). The writes' refusals are in tests/programs/test_people_page.py
# and test_program_new.py.
def _person(world):
    return world.junior.pk


EVERYONE_SIGNED_IN = _expect(dict.fromkeys(ROLES, 200))
STAFF_WRITE_PEOPLE = _expect(dict.fromkeys(STAFF, 302))
PAGES += [
    Endpoint("program-people", _page("program-people"), STAFF_PAGE),
    Endpoint("program-person-add", _page("program-person-add"), STAFF_PAGE),
    Endpoint("program-person", _page("program-person", person_id=_person), STAFF_PAGE),
    Endpoint("profile", lambda world: reverse("profile"), EVERYONE_SIGNED_IN),
    Endpoint("program-new", lambda world: reverse("program-new"), _expect({"director": 200})),
    Endpoint(
        "program-new-kind",
        lambda world: reverse("program-new") + f"?kind={world.program.kind}",
        _expect({"director": 200}),
    ),
]
ACTIONS += [
    Endpoint(
        "people add",
        _page("program-person-add"),
        STAFF_WRITE_PEOPLE,
        method="post",
        data=lambda world: {
            "email": "new.person@lakeside.test",
            "full_name": "New Person",
            "training_level": "R1",
            "roles": ["junior"],
        },
    ),
    Endpoint(
        "people roles",
        _page("program-person-roles", person_id=_person),
        STAFF_WRITE_PEOPLE,
        method="post",
        data=lambda world: {"roles": ["junior", "senior"]},
    ),
    Endpoint(
        "people end",
        _page("program-person-end", person_id=_person),
        STAFF_WRITE_PEOPLE,
        method="post",
        data=lambda world: {"when": "now"},
    ),
    Endpoint(
        "people sign-in link",
        _page("program-person-sign-in-link", person_id=_person),
        STAFF_WRITE_PEOPLE,
        method="post",
    ),
    Endpoint(
        "own profile",
        lambda world: reverse("profile"),
        _expect(dict.fromkeys(ROLES, 302)),
        method="post",
        data=lambda world: {"full_name": "Renamed", "bio": "Hello", "contact_preference": ""},
    ),
    Endpoint(
        "new program",
        lambda world: reverse("program-new"),
        _expect({"director": 302}),
        method="post",
        data=lambda world: {
            "kind": "one_to_one",
            "name": "A new program",
            "institution": world.program.institution_id,
            "starts_on": world.program.starts_on.isoformat(),
            "time_zone": "UTC",
        },
    ),
]


# Program pages that show no data: writes whose forms live on pages above.
NOT_DATA_PAGES = {
    "meeting-cancel",
    # the people page's writes, in ACTIONS above
    "program-person-roles",
    "program-person-end",
    "program-person-sign-in-link",
    # the pair's goal writes, in ACTIONS above
    "mentoring-goal-add",
    "mentoring-goal-progress",
    "pair-add",
    "pair-remove",
    "email-test",
    "outbox-retry",
    # curriculum editor writes: their forms are on the editor's pages above
    "curriculum-week-move",
    "curriculum-week-copy",
    "curriculum-week-remove",
    "curriculum-case-remove",
    "curriculum-image-add",
    "curriculum-image",
    # matching writes, in ACTIONS above
    "matching-pair-lock",
    "matching-swap",
    "matching-conflict-add",
    "matching-conflict-remove",
    # relationship-health writes, in ACTIONS above
    "mentoring-nudge",
    "mentoring-repair",
    "mentoring-check-send",
    "mentoring-reflection-consent",
    # survey writes, in ACTIONS above (the invite page is in PAGES)
    "survey-library-copy",
}


# --- The survey editor: directors and coordinators only (faculty and researchers read
# the surveys but do not change them).
def _editor(name: str, **kwargs) -> Callable[[SimpleNamespace], str]:
    return _page(f"survey-editor{name}", instrument_id=_survey, **kwargs)


def _survey_item(key: str):
    return lambda world: world.survey.items.get(key=key).pk


def _survey_scale(world):
    return world.survey.scales.first().pk


PAGES += [
    Endpoint("survey-editor", _editor(""), STAFF_PAGE),
    Endpoint("survey-editor-item-add", _editor("-item-add"), STAFF_PAGE),
    Endpoint("survey-editor-item", _editor("-item", item_id=_survey_item("conf_1")), STAFF_PAGE),
    Endpoint(
        "survey-editor-item-delete",
        _editor("-item-delete", item_id=_survey_item("thoughts")),
        STAFF_PAGE,
    ),
    Endpoint("survey-editor-scale-add", _editor("-scale-add"), STAFF_PAGE),
    Endpoint("survey-editor-scale", _editor("-scale", scale_id=_survey_scale), STAFF_PAGE),
    Endpoint(
        "survey-editor-scale-delete", _editor("-scale-delete", scale_id=_survey_scale), STAFF_PAGE
    ),
]
STAFF_WRITE = _expect(dict.fromkeys(STAFF, 302))
ACTIONS += [
    Endpoint(
        "survey editor settings",
        _editor(""),
        STAFF_WRITE,
        method="post",
        data=lambda world: {
            "title": "Renamed",
            "consent_text": "Consent.",
            "anonymity": "coded",
            "max_reminders": 1,
            "reminder_every_days": 7,
        },
    ),
    Endpoint("survey editor copy", _editor("-copy"), STAFF_WRITE, method="post"),
    Endpoint(
        "survey editor wave add",
        _editor("-wave-add"),
        STAFF_WRITE,
        method="post",
        data=lambda world: {
            "add-wave-kind": "follow_up",
            "add-wave-opens_on": "2027-06-01",
            "add-wave-closes_on": "2027-06-14",
        },
    ),
    Endpoint(
        "survey editor wave days",
        _editor("-wave", wave_id=lambda w: w.survey_wave.pk),
        STAFF_WRITE,
        method="post",
        data=lambda world: {
            f"wave-{world.survey_wave.pk}-opens_on": "2026-12-01",
            f"wave-{world.survey_wave.pk}-closes_on": "2026-12-21",
        },
    ),
    Endpoint(
        "survey editor item",
        _editor("-item", item_id=_survey_item("thoughts")),
        STAFF_WRITE,
        method="post",
        data=lambda world: {"text": "Thoughts?", "kind": "text", "key": "thoughts", "page": 3},
    ),
    Endpoint(
        "survey editor item move",
        _editor("-item-move", item_id=_survey_item("thoughts")),
        STAFF_WRITE,
        method="post",
        data=lambda world: {"direction": "up"},
    ),
    Endpoint(
        "survey editor item delete",
        _editor("-item-delete", item_id=_survey_item("thoughts")),
        STAFF_WRITE,
        method="post",
    ),
    Endpoint(
        "survey editor scale delete",
        _editor("-scale-delete", scale_id=_survey_scale),
        STAFF_WRITE,
        method="post",
    ),
]
# Editor writes whose forms live on the editor's pages above.
NOT_DATA_PAGES |= {
    "survey-editor-copy",
    "survey-editor-wave-add",
    "survey-editor-wave",
    "survey-editor-item-move",
}

# --- Qualitative analysis (focus groups, interviews): what people said is for the
# program's researchers only; the director and coordinators see counts on the overview.
QUALITATIVE_RESEARCHER = _expect({"researcher": 200})


def _qualitative(name: str, **kwargs) -> Callable[[SimpleNamespace], str]:
    def build(world):
        values = {key: value(world) for key, value in kwargs.items()}
        return reverse(name, kwargs={"slug": world.program.slug, **values})

    return build


def _qdoc(world):
    return world.qualitative.document.pk


PAGES += [
    Endpoint(
        "qualitative",
        _qualitative("qualitative"),
        _expect(dict.fromkeys((*STAFF, "researcher"), 200)),
    ),
    Endpoint("qualitative-import", _qualitative("qualitative-import"), QUALITATIVE_RESEARCHER),
    Endpoint(
        "qualitative-document",
        _qualitative("qualitative-document", document_id=_qdoc),
        QUALITATIVE_RESEARCHER,
    ),
    # The review of a codable document sends the researcher on to the coding page.
    Endpoint(
        "qualitative-review",
        _qualitative("qualitative-review", document_id=_qdoc),
        _expect({"researcher": 302}),
    ),
    Endpoint(
        "qualitative-compare",
        _qualitative("qualitative-compare", document_id=_qdoc),
        QUALITATIVE_RESEARCHER,
    ),
    Endpoint("qualitative-codebook", _qualitative("qualitative-codebook"), QUALITATIVE_RESEARCHER),
    Endpoint(
        "qualitative-code",
        _qualitative("qualitative-code", code_id=lambda w: w.qualitative.code.pk),
        QUALITATIVE_RESEARCHER,
    ),
    Endpoint(
        "qualitative-theme-add", _qualitative("qualitative-theme-add"), QUALITATIVE_RESEARCHER
    ),
    Endpoint(
        "qualitative-theme",
        _qualitative("qualitative-theme", theme_id=lambda w: w.qualitative.theme.pk),
        QUALITATIVE_RESEARCHER,
    ),
    Endpoint(
        "qualitative-agreement", _qualitative("qualitative-agreement"), QUALITATIVE_RESEARCHER
    ),
    # Who codes what: planning the researchers' work, for the researchers only.
    Endpoint("qualitative-coders", _qualitative("qualitative-coders"), QUALITATIVE_RESEARCHER),
    Endpoint(
        "qualitative-competencies",
        _qualitative("qualitative-competencies"),
        QUALITATIVE_RESEARCHER,
    ),
    Endpoint("qualitative-report", _qualitative("qualitative-report"), QUALITATIVE_RESEARCHER),
    Endpoint(
        "qualitative-report-csv", _qualitative("qualitative-report-csv"), QUALITATIVE_RESEARCHER
    ),
    Endpoint(
        "qualitative-report-pdf", _qualitative("qualitative-report-pdf"), QUALITATIVE_RESEARCHER
    ),
]
ACTIONS += [
    Endpoint(
        "qualitative keep originals",
        _qualitative("qualitative-settings"),
        _expect({"director": 302}),
        method="post",
        data=lambda world: {"keep_originals": "yes"},
    ),
    Endpoint(
        "qualitative highlight",
        _qualitative("qualitative-highlight-add", document_id=_qdoc),
        _expect({"researcher": 302}),
        method="post",
        data=lambda world: {"start": 0, "end": 4, "codes": [world.qualitative.code.pk]},
    ),
    Endpoint(
        "qualitative highlight remove",
        _qualitative(
            "qualitative-highlight-remove",
            document_id=_qdoc,
            highlight_id=lambda w: w.qualitative.highlight.pk,
        ),
        _expect({"researcher": 302}),
        method="post",
    ),
    Endpoint(
        "qualitative review add",
        _qualitative("qualitative-review-add", document_id=_qdoc),
        _expect({"researcher": 302}),
        method="post",
        data=lambda world: {"words": "thing", "replacement": "x"},
    ),
    Endpoint(
        "qualitative open comparison",
        _qualitative("qualitative-compare", document_id=_qdoc),
        _expect({"researcher": 302}),
        method="post",
    ),
    Endpoint(
        "qualitative adjudicate",
        _qualitative("qualitative-adjudicate", document_id=_qdoc),
        _expect({"researcher": 302}),
        method="post",
    ),
    Endpoint(
        "qualitative document details",
        _qualitative("qualitative-document-update", document_id=_qdoc),
        _expect({"researcher": 302}),
        method="post",
        data=lambda world: {"title": "Answers", "kind": "open_answers", "attributes": "wave=1"},
    ),
    Endpoint(
        "qualitative document delete",
        _qualitative("qualitative-document-delete", document_id=_qdoc),
        _expect({"researcher": 302}),
        method="post",
        data=lambda world: {"confirm": world.qualitative.document.title},
    ),
    Endpoint(
        "qualitative coder assign",
        _qualitative("qualitative-coder-assignment"),
        _expect({"researcher": 302}),
        method="post",
        data=lambda world: {
            "document": world.qualitative.document.pk,
            "coder": world.qualitative.highlight.coder_id,
            "action": "assign",
        },
    ),
    Endpoint(
        "qualitative coding finish",
        _qualitative("qualitative-coding-finish", document_id=_qdoc),
        _expect({"researcher": 302}),
        method="post",
    ),
    Endpoint(
        "qualitative coding reopen",
        _qualitative("qualitative-coding-reopen", document_id=_qdoc),
        _expect({"researcher": 302}),
        method="post",
    ),
    Endpoint(
        "qualitative memo",
        _qualitative("qualitative-memo-add"),
        _expect({"researcher": 302}),
        method="post",
        data=lambda world: {"text": "A memo."},
    ),
]
QUALITATIVE_API = _expect({"researcher": 200}, anonymous=401, outsider=404)


def _qapi(path: str) -> Callable[[SimpleNamespace], str]:
    return lambda world: (
        f"/api/programs/{world.program.slug}/qualitative/"
        + path.format(document_id=world.qualitative.document.pk)
    )


API += [
    Endpoint(
        "api qualitative summary",
        _qapi("summary"),
        _expect(dict.fromkeys((*STAFF, "researcher"), 200), anonymous=401, outsider=404),
    ),
    Endpoint("api qualitative documents", _qapi("documents"), QUALITATIVE_API),
    Endpoint("api qualitative document", _qapi("documents/{document_id}"), QUALITATIVE_API),
    Endpoint(
        "api qualitative highlights",
        _qapi("documents/{document_id}/highlights"),
        QUALITATIVE_API,
    ),
    Endpoint("api qualitative codes", _qapi("codes"), QUALITATIVE_API),
    Endpoint("api qualitative agreement", _qapi("agreement"), QUALITATIVE_API),
]
NOT_DATA_PAGES |= {
    "qualitative-settings",
    "qualitative-highlight-add",
    "qualitative-highlight-remove",
    "qualitative-review-add",
    "qualitative-adjudicate",
    "qualitative-memo-add",
    "qualitative-document-update",
    "qualitative-document-delete",
    "qualitative-coder-assignment",
    "qualitative-coding-finish",
    "qualitative-coding-reopen",
}


def _qualitative_world(program, researcher):
    """A codable open-answers document with one highlight by the researcher, a code in a
    theme."""
    from medmentor.qualitative import services as qualitative_services

    document = qualitative_services.document_import(
        program=program,
        by=researcher,
        file_name="answers.txt",
        content=b"P1: One thing helped.\n\nP2: Another thing.",
        kind="open_answers",
    )
    document = qualitative_services.document_review_finish(
        document=document, by=researcher, decisions={}
    )
    code = qualitative_services.code_create(program=program, by=researcher, name="help")
    theme = qualitative_services.theme_save(
        program=program, by=researcher, name="Support", codes=[code]
    )
    highlight = qualitative_services.highlight_create(
        document=document, coder=researcher, start=4, end=13, codes=[code]
    )
    return SimpleNamespace(document=document, code=code, theme=theme, highlight=highlight)


@pytest.fixture(scope="module")
def _rows(django_db_setup, django_db_blocker, tmp_path_factory):
    """The people and the world, made once for the module: each test runs in its own
    rolled-back savepoint inside (tests/conftest.py, rows_for_the_module), so it starts
    from exactly these rows whatever an earlier test did or posted."""

    yield from rows_for_the_module(django_db_blocker, tmp_path_factory, make_matrix_rows)


def make_matrix_rows() -> SimpleNamespace:
    """The matrix's people (by role name, plus "program") and its world; the phone-width
    browser test (tests/browser/test_phone_width_browser.py) visits the same pages."""
    institution = make_institution()
    program = make_program(institution, make_service(institution))
    people = {name: make_program_person(name, program, institution) for name in PROGRAM_PEOPLE}
    people["outsider"] = make_outsider(institution)
    people["program"] = program
    case_week = make_case_week(
        program,
        people["junior"],
        people["senior"],
        people["other_junior"],
        people["other_senior"],
    )
    return SimpleNamespace(
        people=people,
        world=_world(case_week, program, people["director"], people["researcher"]),
    )


# The conftest fixtures of these names, as the module's shared rows (the same people
# sign in for every role in every test).
program = pytest.fixture(lambda db, _rows: _rows.people["program"], name="program")
director = pytest.fixture(lambda db, _rows: _rows.people["director"], name="director")
coordinator = pytest.fixture(lambda db, _rows: _rows.people["coordinator"], name="coordinator")
faculty = pytest.fixture(lambda db, _rows: _rows.people["faculty"], name="faculty")
researcher = pytest.fixture(lambda db, _rows: _rows.people["researcher"], name="researcher")
senior = pytest.fixture(lambda db, _rows: _rows.people["senior"], name="senior")
other_senior = pytest.fixture(lambda db, _rows: _rows.people["other_senior"], name="other_senior")
junior = pytest.fixture(lambda db, _rows: _rows.people["junior"], name="junior")
other_junior = pytest.fixture(lambda db, _rows: _rows.people["other_junior"], name="other_junior")
outsider = pytest.fixture(lambda db, _rows: _rows.people["outsider"], name="outsider")


@pytest.fixture
def world(db, _rows):
    # The rows were made once with the module's media folder; each test has its own
    # (tests/conftest.py), so the junior's photo file is put back in it by name.
    name = _rows.world.pair_photo.photo.name
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(_PHOTO))
    return _rows.world


def _world(case_week, program, director, researcher):
    """The case_week program, plus last week taught by the same curriculum week to the
    same two pairs (so last week is over, with four people: too few to show)."""
    last_week = ProgramWeek.objects.create(
        program=program, starts_on=case_week.week.starts_on - datetime.timedelta(weeks=1)
    )
    WeekPlan.objects.create(program_week=last_week, curriculum_week=case_week.curriculum_week)
    last_pairs = [
        Pair.objects.create(week=last_week, junior=pair.junior, senior=pair.senior)
        for pair in (case_week.pair, case_week.other_pair)
    ]
    email = OutboxMessage.objects.create(
        key="weekly:matrix",
        to_email=case_week.pair.junior.email,
        person=case_week.pair.junior,
        subject="Welcome to Nuclear Medicine",
        text_body="This week: thyroid scintigraphy.",
        topic=f"program:{program.pk}",
    )
    matching = _one_to_one_program(program, director)
    matching.update(_health_world(matching["matching_program"], case_week.pair))
    survey = make_survey(program)
    return SimpleNamespace(
        meeting=_meeting_world(program, case_week.pair),
        **matching,
        qualitative=_qualitative_world(program, researcher),
        survey=survey,
        survey_wave=survey.waves.get(kind="pre"),
        program=program,
        today=case_week.today,
        week=case_week.week,
        email=email,
        case=case_week.cases[0],
        cases=case_week.cases,
        pair=case_week.pair,
        junior_pairs=[case_week.pair, last_pairs[0]],
        junior=case_week.pair.junior,
    )


def _meeting_world(program, pair):
    """A meeting of the pair next week, planned by its senior."""
    from django.utils import timezone

    from medmentor.meetings.services import meeting_plan

    start = timezone.now() + datetime.timedelta(days=7)
    return meeting_plan(
        program=program,
        organizer=pair.senior,
        participants=[pair.senior, pair.junior],
        title="Pair meeting",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        agenda="Private agenda",
    )


def _one_to_one_program(program, director):
    """A one-to-one program with the same people in the same roles, and a draft run
    pairing its two juniors with its two seniors."""
    matching_program = Program.objects.create(
        name="Near-peer mentoring",
        slug="near-peer",
        kind=ProgramKind.ONE_TO_ONE,
        institution=program.institution,
        starts_on=program.starts_on,
    )
    Enrollment.objects.bulk_create(
        Enrollment(program=matching_program, person_id=person_id, role=role)
        for person_id, role in program.enrollments.values_list("person_id", "role")
    )
    run = matching_run_create(program=matching_program, objective="stable", by=director)
    pairs = list(run.pairs.order_by("pk"))
    conflict = MatchingConflict.objects.create(
        program=matching_program, mentor=pairs[1].mentor, mentee=pairs[0].mentee
    )
    # The published pairs of the near-peer program: each junior with their own senior
    # (the same pairs as the case-review week), a goal and the junior's photo.
    by_email = {p.email: p for p in Person.objects.filter(enrollments__program=matching_program)}
    mentorships = [
        Mentorship.objects.create(
            program=matching_program,
            mentee=by_email[PROGRAM_PEOPLE[junior][0]],
            mentor=by_email[PROGRAM_PEOPLE[senior][0]],
            started_on=program.starts_on,
        )
        for junior, senior in (("junior", "senior"), ("other_junior", "other_senior"))
    ]
    goal = goal_create(mentorship=mentorships[0], by=mentorships[0].mentee, title="Pair goal")
    photo = mentoring_profile_update(
        person=mentorships[0].mentee,
        bio="Junior bio",
        contact_preference="Email",
        photo=SimpleUploadedFile("me.jpg", _PHOTO, "image/jpeg"),
    )
    return {
        "pair_goal": goal,
        "pair_photo": photo,
        "matching_program": matching_program,
        "matching_run": run,
        "matching_pairs": pairs,
        "matching_conflict": conflict,
    }


def _health_world(matching_program, pair):
    """The pair (junior, senior), a current mentorship of the one-to-one program
    (_one_to_one_program), the private check asked of both, and one reflection of the
    senior's."""
    from medmentor.mentoring.models import Mentorship, PairCheck
    from medmentor.mentoring.services import mid_check_send, reflection_write
    from medmentor.programs.access import SYSTEM

    mentorship = Mentorship.objects.get(
        program=matching_program, mentor=pair.senior, mentee=pair.junior
    )
    mid_check_send(program=matching_program, by=SYSTEM)
    reflection = reflection_write(
        mentorship=mentorship, by=pair.senior, text="I listened.", consent=False
    )
    return {
        "mentorship": mentorship,
        "junior_check": PairCheck.objects.get(mentorship=mentorship, person=pair.junior),
        "senior_check": PairCheck.objects.get(mentorship=mentorship, person=pair.senior),
        "reflection": reflection,
    }


def _sign_in_as(client, request, role):
    sign_in_as(client, request, ROLE_PEOPLE, role)


# --- 1. status --------------------------------------------------------------------------


def _matrix(endpoints):
    return [
        pytest.param(endpoint, role, id=f"{endpoint.name}-{role}")
        for endpoint in endpoints
        for role in ROLES
    ]


@pytest.mark.parametrize(("endpoint", "role"), _matrix(PAGES + API + ACTIONS))
def test_each_role_gets_the_expected_answer(client, world, request, endpoint, role):
    _sign_in_as(client, request, role)
    assert_expected_answer(endpoint.call(client, world), endpoint.expected[role])


# --- 2. no leaks -------------------------------------------------------------------------


def _style_one_way(world):
    for case in world.cases:
        services.case_learning_style_choose(junior=world.junior, case=case, style="blind")
        services.answer_reveal(junior=world.junior, question=case.questions.first())


def _style_other_way(world):
    AnswerReveal.objects.filter(junior=world.junior).delete()
    for case in world.cases:
        services.case_learning_style_choose(junior=world.junior, case=case, style="read_first")
    assert not AnswerReveal.objects.exists()
    assert set(CaseLearningStyle.objects.values_list("style", flat=True)) == {"read_first"}


def _marks(status):
    def apply(world):
        for pair in world.junior_pairs:
            for case in world.cases:
                # Each as of its week (a past week's marks are frozen now; this is the
                # state it was left in).
                services.case_review_mark(
                    pair=pair,
                    case=case,
                    status=status,
                    by=world.junior,
                    today=pair.week.starts_on,
                )
        assert set(CaseReview.objects.values_list("status", flat=True)) == {status}

    return apply


def _pair_words(progress: int, bio: str):
    """The pair's own facts: a goal's progress (within one status, so even the counts
    by status stay the same) and the junior's bio and contact preference."""

    def apply(world):
        goal_update(goal=world.pair_goal, by=world.junior, status="in_progress", progress=progress)
        mentoring_profile_update(person=world.junior, bio=bio, contact_preference=bio)

    return apply


def _help_asked_by(side: str):
    """The pair asked for help in the private check, by `side`, with a note; the other
    side said it works. Staff may learn that the pair asked, never who nor what."""

    def apply(world):
        from medmentor.mentoring.services import pair_check_answer

        asking, fine = (
            (world.junior_check, world.senior_check)
            if side == "junior"
            else (world.senior_check, world.junior_check)
        )
        pair_check_answer(
            check=asking, by=asking.person, answer="help", note=f"Note of the {side}."
        )
        pair_check_answer(check=fine, by=fine.person, answer="works", note="")

    return apply


def _reflection_says(text: str):
    def apply(world):
        from medmentor.mentoring.models import Reflection

        Reflection.objects.filter(pk=world.reflection.pk).update(text=text)

    return apply


@dataclass(frozen=True)
class PrivateFact:
    name: str
    owners: tuple[str, ...]
    one_way: Callable
    other_way: Callable
    # Pages on which the owners see the fact (the check that a difference shows).
    shown_on: tuple[str, ...] = ("workspace", "case")


FACTS = [
    PrivateFact("learning style and reveals", ("junior",), _style_one_way, _style_other_way),
    PrivateFact("reviewed or skipped", ("junior", "senior"), _marks("reviewed"), _marks("skipped")),
    PrivateFact(
        "pair's goal progress and bio",
        ("junior", "senior"),
        _pair_words(20, "From Duluth"),
        _pair_words(70, "From Bemidji"),
        shown_on=("mentoring-pairs",),
    ),
    PrivateFact(
        "which side asked for help and what they said",
        ("junior", "senior"),
        _help_asked_by("junior"),
        _help_asked_by("senior"),
        shown_on=("mentoring-check",),
    ),
    PrivateFact(
        "what a mentor's unshared reflection says",
        ("senior",),
        _reflection_says("I listened more than I talked."),
        _reflection_says("I talked more than I listened."),
        shown_on=("mentoring-reflections",),
    ),
]


def _snapshot(client, request, world, endpoints, roles):
    return snapshot(client, request, ROLE_PEOPLE, world, endpoints, roles)


@pytest.mark.parametrize("fact", FACTS, ids=lambda fact: fact.name)
@pytest.mark.parametrize(
    "endpoints",
    [pytest.param(PAGES, id="pages"), pytest.param(API, id="api")],
)
def test_private_facts_never_reach_anyone_but_their_owners(client, world, request, fact, endpoints):
    fact.one_way(world)
    before = _snapshot(client, request, world, endpoints, ROLES)
    fact.other_way(world)
    after = _snapshot(client, request, world, endpoints, ROLES)

    leaks = [
        f"{endpoint} shows {role} the {fact.name}"
        for (role, endpoint), content in before.items()
        if role not in fact.owners and content != after[(role, endpoint)]
    ]
    assert leaks == []
    if endpoints is PAGES:
        # The owners do see their own fact, so the comparison can tell a difference.
        for owner in fact.owners:
            for page in fact.shown_on:
                assert before[(owner, page)] != after[(owner, page)], (owner, page)


# --- 3. coverage --------------------------------------------------------------------------


def _route_names(patterns, prefix=""):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from _route_names(pattern.url_patterns, prefix + str(pattern.pattern))
        elif pattern.name:
            yield prefix + str(pattern.pattern), pattern.name


def test_every_program_page_is_in_the_matrix():
    covered = {endpoint.name for endpoint in PAGES} | NOT_DATA_PAGES
    for module in matrix_modules():
        covered |= {endpoint.name for endpoint in (*module.PAGES, *module.ACTIONS)}
        covered |= set(module.NOT_DATA_PAGES)
    covered |= {"case-style", "answer-reveal", "case-review"}
    program_routes = {
        name
        for route, name in _route_names(get_resolver().url_patterns)
        if route.startswith("programs/<slug:slug>/")
    }
    assert program_routes - covered == set()


# API writes (the director's pair changes): no data shown, checked by the API's tests.
NOT_DATA_API = {
    ("post", "/api/programs/{slug}/matching/runs"),
    ("post", "/api/programs/{slug}/matching/runs/{run_id}/publish"),
    ("post", "/api/programs/{slug}/weeks/{day}/pairs"),
    ("delete", "/api/programs/{slug}/weeks/{day}/pairs/{pair_id}"),
}
# Qualitative highlight writes: checked by tests/qualitative/test_api.py.
NOT_DATA_API |= {
    ("post", "/api/programs/{slug}/qualitative/documents/{document_id}/highlights"),
    (
        "delete",
        "/api/programs/{slug}/qualitative/documents/{document_id}/highlights/{highlight_id}",
    ),
}
# The roster import: checked by tests/api/test_roster.py and the scenarios in
# tests/privacy_scenarios/test_roster_and_admin.py.
NOT_DATA_API |= {("post", "/api/programs/{slug}/roster")}


def test_every_api_endpoint_is_in_the_matrix():
    from medmentor.api.api import api

    operations = {
        (method, path)
        for path, methods in api.get_openapi_schema()["paths"].items()
        for method in methods
    }
    placeholders = SimpleNamespace(
        program=SimpleNamespace(slug="{slug}"),
        today=SimpleNamespace(isoformat=lambda: "{day}"),
        matching_program=SimpleNamespace(slug="{slug}"),
        matching_run=SimpleNamespace(pk="{run_id}"),
        survey=SimpleNamespace(pk="{instrument_id}"),
        qualitative=SimpleNamespace(document=SimpleNamespace(pk="{document_id}")),
    )
    covered = {("get", endpoint.url(placeholders)) for endpoint in API} | NOT_DATA_API
    for module in matrix_modules():
        # A kind's module names its operations as they appear in the schema.
        covered |= set(module.API_OPERATIONS) | set(module.NOT_DATA_API)
    assert operations - covered == set()
