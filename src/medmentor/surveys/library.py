"""Ready instruments for mentorship programs (items written by us), which a director
copies into a program and edits. `instrument_create` builds one from such a spec."""

import datetime

from django.db import transaction

from medmentor.programs import access
from medmentor.programs.access import Actor
from medmentor.programs.models import Program
from medmentor.surveys.models import Anonymity, Instrument, Item, ItemKind, Scale, ScaleItem, Wave

AGREE_5 = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
CONFIDENCE_ITEMS = [
    "giving feedback to a senior colleague about their teaching",
    "giving feedback to a senior colleague about their approachability",
    "raising a concern about a senior's clinical practice",
    "suggesting a new technology or way of working to a senior",
    "saying what a senior colleague does well",
    "choosing the words for difficult feedback",
    "continuing a conversation when a senior disagrees",
]

# Seed 002: reverse mentoring, pre and post questionnaires, a 0-35 scale (7 items 0-5),
# a 1-5 understanding item, and open-ended thoughts.
REVERSE_MENTORING = {
    "title": "Reverse mentoring: before and after",
    "description": (
        "For reverse mentoring, juniors giving feedback to their seniors: "
        "confidence giving feedback to seniors (7 items scored 0–5, a 0–35 scale), "
        "understanding of the role, the session, open thoughts. 13 items."
    ),
    "introduction": "About feedback between junior and senior colleagues.",
    "consent_text": (
        "This questionnaire is part of the evaluation of the reverse mentoring program. "
        "It takes about five minutes. Taking part is voluntary, you may skip any question "
        "that is not marked required, and choosing not to take part has no consequence "
        "for your training."
    ),
    "items": [
        *[
            {
                "key": f"conf_{n}",
                "text": f"How confident are you {text}? (0 not at all – 5 completely)",
                "kind": ItemKind.NUMERIC,
                "numeric_max": 5,
                "required": True,
                "page": 1,
            }
            for n, text in enumerate(CONFIDENCE_ITEMS, start=1)
        ],
        {
            "key": "role_understanding",
            "text": "I understand my role as a reverse mentor.",
            "kind": ItemKind.LIKERT,
            "points": 5,
            "anchors": AGREE_5,
            "required": True,
            "page": 2,
        },
        {
            "key": "feedback_important",
            "text": "Feedback from juniors to seniors is important.",
            "kind": ItemKind.LIKERT,
            "points": 5,
            "anchors": AGREE_5,
            "page": 2,
        },
        {
            "key": "had_session",
            "text": "Have you had a one-to-one reverse mentoring session?",
            "kind": ItemKind.YES_NO,
            "page": 2,
        },
        {
            "key": "session_minutes",
            "text": "How many minutes did the session last?",
            "kind": ItemKind.NUMERIC,
            "numeric_max": 300,
            "page": 3,
            "show_if": ("had_session", ["1"]),
        },
        {
            "key": "topics",
            "text": "Which domains did the feedback cover?",
            "kind": ItemKind.MULTIPLE,
            "choices": [
                ["1", "Use of technology"],
                ["2", "Clinical practice"],
                ["3", "Approach to juniors"],
                ["4", "Time management"],
                ["5", "Approachability"],
            ],
            "page": 3,
            "show_if": ("had_session", ["1"]),
        },
        {
            "key": "thoughts",
            "text": "What are your thoughts about reverse mentoring?",
            "kind": ItemKind.TEXT,
            "page": 3,
        },
    ],
    "scales": [
        {
            "name": "Confidence giving feedback to seniors",
            "items": [f"conf_{n}" for n in range(1, 8)],
            "item_min": 0,
            "item_max": 5,
            "scoring": "sum",
            "max_missing": 1,
            "offset": 0,
        },
    ],
}

# --- The four instruments below: items written by us for the programs of seeds 000, 001,
# 003 and 004. Each works as a pre and a post wave: the scales ask about the respondent's
# situation ("on this service", "in the past two weeks"), and questions only a participant
# can answer follow a yes/no gate on an earlier page ("have you taken part?"), so a
# pre-wave respondent skips them, or say "if you attended" and are optional. (The group
# of seed 003 is asked about itself: its pre wave goes out after the first meeting.)
# Every scale states its missing-item rule: max_missing items may be left empty and the
# score is still given, prorated from the answered items; more give no score.

AGREE_7 = [
    "Strongly disagree",
    "Disagree",
    "Somewhat disagree",
    "Neither agree nor disagree",
    "Somewhat agree",
    "Agree",
    "Strongly agree",
]
HOW_OFTEN_5 = ["Never", "Rarely", "Sometimes", "Often", "Always"]
HOW_USEFUL_5 = [
    "Not at all useful",
    "Slightly useful",
    "Moderately useful",
    "Very useful",
    "Extremely useful",
]


def _likert(key: str, text: str, *, page: int, anchors=AGREE_5, required=False, show_if=None):
    """A Likert item of the library: as many points as anchors, one label per point."""
    item = {
        "key": key,
        "text": text,
        "kind": ItemKind.LIKERT,
        "points": len(anchors),
        "anchors": list(anchors),
        "required": required,
        "page": page,
    }
    if show_if:
        item["show_if"] = show_if
    return item


def _consent(*, evaluation: str, who: str, minutes: int) -> str:
    """Study information in the shape an IRB usually asks for; the bracketed parts are
    the program's to fill in before inviting anyone."""
    return (
        f"You are invited to answer this questionnaire because you {who}. It is part of "
        f"{evaluation} at [institution], reviewed by [IRB or ethics committee, protocol "
        f"number]. It takes about {minutes} minutes.\n\n"
        "Taking part is voluntary. You may skip any question that is not marked required "
        "and stop at any time; choosing not to take part, or stopping, has no effect on "
        "your training, your evaluations or your standing in the program. There are no "
        "known risks beyond those of everyday life; some questions ask about how you feel "
        "at work, and [support service, contact] is available if that raises anything "
        "you would like to talk about.\n\n"
        "Answers are reported only as group summaries, never per person, and quotations "
        "from open answers are used without anything that identifies you. The data are "
        "kept [where, for how long].\n\n"
        "Questions about the study: [name, role, email]. Questions about your rights as a "
        "participant: [IRB office, contact]."
    )


# Seed 000: near-peer case review on a nuclear medicine service. Seniors review a daily
# "must-see case" with their juniors, who may read the answers first or go in blind; a
# safe space (nothing reported to faculty); clinical work comes first.
CASE_REVIEW = {
    "title": "Near-peer case review: resident survey",
    "description": (
        "For a daily near-peer case review on a service: learning climate on "
        "service, and for those who took part the value of the case, the safe space, the "
        "time it takes, read-first or blind, and what to keep or change. 18 items."
    ),
    "introduction": (
        "About learning on the service and the daily must-see case that seniors review with "
        "their juniors. Please answer for your time on the service in the past four weeks."
    ),
    "consent_text": _consent(
        evaluation="the evaluation of the near-peer case review program",
        who="are a resident or fellow on the service",
        minutes=5,
    ),
    "items": [
        {
            "key": "role",
            "text": "What is your role on the service?",
            "kind": ItemKind.SINGLE,
            "choices": [
                ["1", "Junior resident (first year)"],
                ["2", "Senior resident"],
                ["3", "Fellow"],
            ],
            "required": True,
            "page": 1,
        },
        _likert(
            "lc_ask",
            "I feel comfortable asking a senior trainee a question I think may be basic.",
            page=1,
            required=True,
        ),
        _likert("lc_team", "On this service I feel part of a team.", page=1, required=True),
        _likert(
            "lc_alone",
            "I mostly work through cases on my own, with no one to think them through with.",
            page=1,
            required=True,
        ),
        _likert(
            "lc_reported",
            "I worry that mistakes I make while learning will be passed on to faculty.",
            page=1,
            required=True,
        ),
        _likert(
            "lc_learn",
            "Time on this service teaches me things I would not learn from reading alone.",
            page=1,
            required=True,
        ),
        {
            "key": "took_part",
            "text": "Have you taken part in the daily must-see case review (as junior or senior)?",
            "kind": ItemKind.YES_NO,
            "required": True,
            "page": 1,
        },
        *[
            _likert(key, text, page=2, show_if=("took_part", ["1"]))
            for key, text in (
                ("cr_useful", "The daily must-see case was useful for my learning."),
                ("cr_topics", "The cases fitted the topics of the week's reading."),
                ("cr_safe", "The case review was a safe place to get an answer wrong."),
                (
                    "cr_not_reported",
                    "I trusted that how a junior did in the case review was not reported "
                    "to faculty.",
                ),
                ("cr_time", "The case review took time I needed for clinical work."),
                (
                    "cr_pressure",
                    "I felt pressed to do the case review on days when the service was busy.",
                ),
            )
        ],
        {
            "key": "cr_minutes",
            "text": "On a typical day, how many minutes did the case review take?",
            "kind": ItemKind.NUMERIC,
            "numeric_max": 120,
            "page": 2,
            "show_if": ("took_part", ["1"]),
        },
        {
            "key": "cr_preparation",
            "text": "Which way of preparing for the daily case do you prefer?",
            "kind": ItemKind.SINGLE,
            "choices": [
                ["1", "Read the questions and answers first, then review with the senior"],
                ["2", "Go in blind and answer the questions for the first time with the senior"],
                ["3", "It depends on the day or the case"],
                ["4", "Not for me to choose: I was the senior"],
            ],
            "page": 2,
            "show_if": ("took_part", ["1"]),
        },
        {
            "key": "cr_continue",
            "text": "Should the case review continue for next year's residents?",
            "kind": ItemKind.YES_NO,
            "page": 2,
            "show_if": ("took_part", ["1"]),
        },
        {
            "key": "cr_keep",
            "text": "What should we keep about the case review?",
            "kind": ItemKind.TEXT,
            "page": 2,
            "show_if": ("took_part", ["1"]),
        },
        {
            "key": "cr_change",
            "text": "What should we change about the case review?",
            "kind": ItemKind.TEXT,
            "page": 2,
            "show_if": ("took_part", ["1"]),
        },
    ],
    "scales": [
        {
            "name": "Learning climate on service",
            "items": ["lc_ask", "lc_team", "lc_alone", "lc_reported", "lc_learn"],
            "reverse": ["lc_alone", "lc_reported"],
            "item_min": 1,
            "item_max": 5,
            "scoring": "mean",
            "max_missing": 1,
            "offset": 0,
        },
        {
            "name": "Value of the daily case review",
            "items": [
                "cr_useful",
                "cr_topics",
                "cr_safe",
                "cr_not_reported",
                "cr_time",
                "cr_pressure",
            ],
            "reverse": ["cr_time", "cr_pressure"],
            "item_min": 1,
            "item_max": 5,
            "scoring": "mean",
            "max_missing": 1,
            "offset": 0,
        },
    ],
}

# Seed 001: resident-led (virtual) peer support conferences: residents share stories of
# hard cases and coping; aims are that talking about challenges is normal and that
# residents feel connected.
PEER_SUPPORT = {
    "title": "Peer support conference: wellbeing and support",
    "description": (
        "For resident-led peer support conferences: feeling supported by peers, "
        "talking about hard cases, isolation (reverse-scored), wellbeing in the past two "
        "weeks, conferences attended (a number), format and barriers, open answers. 17 items."
    ),
    "introduction": (
        "About support among residents and how you have been doing at work. Please answer "
        "for the past two weeks unless a question says otherwise."
    ),
    "consent_text": _consent(
        evaluation="the evaluation of the resident peer support conferences",
        who="are a resident in the program",
        minutes=5,
    ),
    "items": [
        *[
            _likert(key, text, page=1, required=True)
            for key, text in (
                ("ps_supported", "I feel supported by my fellow residents."),
                (
                    "ps_hard_cases",
                    "I can talk with other residents about a hard case or a patient's death.",
                ),
                ("ps_isolated", "I feel cut off from the other residents."),
                ("ps_keep_to_self", "When work is hard, I keep it to myself."),
                (
                    "ps_normal",
                    "It is normal and acceptable for physicians to talk about personal challenges.",
                ),
                ("ps_turn_to", "There is a resident I could turn to if I were struggling."),
                ("ps_faculty", "Faculty here show that it is fine to ask for support."),
            )
        ],
        *[
            _likert(key, f"In the past two weeks, how often {text}", page=1, anchors=HOW_OFTEN_5)
            for key, text in (
                ("wb_rested", "were you rested enough to do your work well?"),
                ("wb_worn_out", "did you end a shift too worn out to enjoy your time off?"),
                ("wb_meaning", "did your work feel worthwhile to you?"),
                (
                    "wb_carried",
                    "did you carry a difficult work experience without talking to anyone about it?",
                ),
            )
        ],
        {
            "key": "conf_attended",
            "text": "How many peer support conferences have you attended in the past three months?",
            "kind": ItemKind.NUMERIC,
            "numeric_max": 12,
            "required": True,
            "page": 2,
        },
        _likert(
            "conf_useful",
            "If you attended: how useful were the conferences to you?",
            page=2,
            anchors=HOW_USEFUL_5,
        ),
        {
            "key": "conf_format",
            "text": "Which format would you prefer for future conferences?",
            "kind": ItemKind.SINGLE,
            "choices": [
                ["1", "Virtual"],
                ["2", "In person"],
                ["3", "Either, or both at once"],
                ["4", "No preference"],
            ],
            "page": 2,
        },
        {
            "key": "conf_barriers",
            "text": "What, if anything, made it hard to attend? Choose all that apply.",
            "kind": ItemKind.MULTIPLE,
            "choices": [
                ["1", "Clinical duties"],
                ["2", "The time of the session"],
                ["3", "Not comfortable sharing in a group"],
                ["4", "Did not know about it"],
                ["5", "Nothing made it hard"],
                ["6", "Something else"],
            ],
            "page": 2,
        },
        {
            "key": "conf_helped",
            "text": "What helped you most in the conferences, or what would make them more useful?",
            "kind": ItemKind.TEXT,
            "page": 2,
        },
        {
            "key": "anything_else",
            "text": "Is there anything else you would like the organisers to know?",
            "kind": ItemKind.TEXT,
            "page": 2,
        },
    ],
    "scales": [
        {
            "name": "Peer support and connectedness",
            "items": [
                "ps_supported",
                "ps_hard_cases",
                "ps_isolated",
                "ps_keep_to_self",
                "ps_normal",
                "ps_turn_to",
                "ps_faculty",
            ],
            "reverse": ["ps_isolated", "ps_keep_to_self"],
            "item_min": 1,
            "item_max": 5,
            "scoring": "mean",
            "max_missing": 1,
            "offset": 0,
        },
        {
            # Never..Always scored 0-4, summed: 4 items give 0-16.
            "name": "Wellbeing at work, past two weeks",
            "items": ["wb_rested", "wb_worn_out", "wb_meaning", "wb_carried"],
            "reverse": ["wb_worn_out", "wb_carried"],
            "item_min": 0,
            "item_max": 4,
            "scoring": "sum",
            "max_missing": 1,
            "offset": -1,
        },
    ],
}

# Seed 003: an intentional small peer mentoring group (at most eight members) meeting
# every other Thursday, confidential, asking commitment of its members.
PEER_GROUP = {
    "title": "Peer mentoring group: belonging and commitment",
    "description": (
        "For a small confidential peer mentoring group meeting every other week: "
        "belonging, trust and confidentiality, commitment and usefulness, meetings "
        "attended, and why meetings were missed (shown only to those who missed one). "
        "17 items."
    ),
    "introduction": (
        "About your peer mentoring group (at most eight members, meeting every other "
        "Thursday). Please answer for the past three months."
    ),
    "consent_text": _consent(
        evaluation="the evaluation of the peer mentoring group program",
        who="are a member of a peer mentoring group",
        minutes=5,
    ),
    "items": [
        *[
            _likert(key, text, page=1, required=True)
            for key, text in (
                ("bg_belong", "I feel I belong in this group."),
                ("bg_myself", "I can be myself in the group."),
                ("bg_outsider", "I feel like an outsider at group meetings."),
                ("bg_valued", "Other members value what I bring to the group."),
                ("tr_stays", "What is said in the group stays in the group."),
                ("tr_sensitive", "I can raise a sensitive career or personal topic in the group."),
                (
                    "tr_hold_back",
                    "I hold back in the group for fear that what I say will be repeated.",
                ),
                ("cm_protect", "I keep the group's meeting time free in my calendar."),
                ("cm_worth", "The meetings are worth the time they take."),
                (
                    "cm_helped",
                    "Advice from the group has helped me with a concrete decision or problem.",
                ),
                ("cm_leave", "I have thought about leaving the group."),
            )
        ],
        {
            "key": "meetings_attended",
            "text": "How many of the group's meetings in the past three months did you attend?",
            "kind": ItemKind.NUMERIC,
            "numeric_max": 8,
            "page": 2,
        },
        {
            "key": "missed_any",
            "text": "Did you miss any of the group's meetings in the past three months?",
            "kind": ItemKind.YES_NO,
            "required": True,
            "page": 2,
        },
        {
            "key": "meeting_rhythm",
            "text": "How often should the group meet?",
            "kind": ItemKind.SINGLE,
            "choices": [
                ["1", "Every week"],
                ["2", "Every other week, as now"],
                ["3", "Once a month"],
                ["4", "Less often"],
            ],
            "page": 2,
        },
        {
            "key": "missed_why",
            "text": "Why did you miss meetings? Choose all that apply.",
            "kind": ItemKind.MULTIPLE,
            "choices": [
                ["1", "Clinical duties"],
                ["2", "A teaching, research or grant deadline"],
                ["3", "Family or caregiving"],
                ["4", "Illness or leave"],
                ["5", "The meeting time does not suit me"],
                ["6", "I did not expect the meeting to be useful"],
                ["7", "I felt uncomfortable in the group"],
                ["8", "Something else"],
            ],
            "page": 3,
            "show_if": ("missed_any", ["1"]),
        },
        {
            "key": "group_helped",
            "text": "What has the group helped you with most?",
            "kind": ItemKind.TEXT,
            "page": 3,
        },
        {
            "key": "group_change",
            "text": "What would make the group work better for you?",
            "kind": ItemKind.TEXT,
            "page": 3,
        },
    ],
    "scales": [
        {
            "name": "Belonging in the group",
            "items": ["bg_belong", "bg_myself", "bg_outsider", "bg_valued"],
            "reverse": ["bg_outsider"],
            "item_min": 1,
            "item_max": 5,
            "scoring": "mean",
            "max_missing": 1,
            "offset": 0,
        },
        {
            "name": "Trust and confidentiality",
            "items": ["tr_stays", "tr_sensitive", "tr_hold_back"],
            "reverse": ["tr_hold_back"],
            "item_min": 1,
            "item_max": 5,
            "scoring": "mean",
            # Three items: a missing one is not prorated.
            "max_missing": 0,
            "offset": 0,
        },
        {
            "name": "Commitment and usefulness",
            "items": ["cm_protect", "cm_worth", "cm_helped", "cm_leave"],
            "reverse": ["cm_leave"],
            "item_min": 1,
            "item_max": 5,
            "scoring": "mean",
            "max_missing": 1,
            "offset": 0,
        },
    ],
}

# Seed 004: near-peer mentors supporting students underrepresented in medicine (e.g.
# American Indian / Alaska Native and rural students) through the move into and through
# medical school.
NEAR_PEER_URIM = {
    "title": "Near-peer mentoring for students underrepresented in medicine",
    "description": (
        "For near-peer mentoring of students underrepresented in medicine: "
        "belonging in medicine, respect for one's identity, confidence for the next step "
        "(such as applying to residency), and for mentees the mentor's accessibility "
        "(7-point items). 18 items."
    ),
    "introduction": (
        "About how you are finding medical school, your next step, and your near-peer "
        "mentor. There are no right answers; please answer for how things are now."
    ),
    "consent_text": _consent(
        evaluation="the evaluation of the near-peer mentoring program",
        who="are a student in the near-peer mentoring program",
        minutes=6,
    ),
    "items": [
        *[
            _likert(key, text, page=1, anchors=AGREE_7, required=True)
            for key, text in (
                ("bm_belong", "I feel I belong in medical school."),
                (
                    "bm_like_me",
                    "I see people from backgrounds like mine doing well in medicine.",
                ),
                ("bm_outsider", "I often feel like an outsider among my classmates."),
                ("bm_picture", "I can picture myself as a physician."),
                ("id_respected", "My background and identity are respected at my school."),
                ("id_hide", "I feel I have to hide parts of who I am to fit in."),
                (
                    "id_strength",
                    "My community and culture are treated as a strength in my training.",
                ),
                (
                    "nx_know",
                    "I know what I need to do for my next step (for example the next exam, "
                    "clerkships or applying to residency).",
                ),
                ("nx_can_do", "I am confident I can complete my next step successfully."),
                ("nx_whom", "I know whom to ask when I am stuck."),
                ("nx_lost", "I feel lost about how the process works."),
            )
        ],
        {
            "key": "has_mentor",
            "text": "Have you met or talked with a near-peer mentor in this program?",
            "kind": ItemKind.YES_NO,
            "required": True,
            "page": 1,
        },
        *[
            _likert(key, text, page=2, anchors=AGREE_7, show_if=("has_mentor", ["1"]))
            for key, text in (
                ("ma_reach", "I can reach my mentor when I need to."),
                ("ma_time", "My mentor makes time for my questions."),
                (
                    "ma_bother",
                    "I hesitate to contact my mentor because I feel I would be a bother.",
                ),
            )
        ],
        {
            "key": "mentor_contacts",
            "text": "How many times did you meet or talk with your mentor in the past month?",
            "kind": ItemKind.NUMERIC,
            "numeric_max": 20,
            "page": 2,
            "show_if": ("has_mentor", ["1"]),
        },
        {
            "key": "mentor_helped",
            "text": "What has your mentor helped you with most?",
            "kind": ItemKind.TEXT,
            "page": 2,
            "show_if": ("has_mentor", ["1"]),
        },
        {
            "key": "program_change",
            "text": "What would you change about the mentoring program?",
            "kind": ItemKind.TEXT,
            "page": 2,
        },
    ],
    "scales": [
        {
            "name": "Belonging in medicine",
            "items": ["bm_belong", "bm_like_me", "bm_outsider", "bm_picture"],
            "reverse": ["bm_outsider"],
            "item_min": 1,
            "item_max": 7,
            "scoring": "mean",
            "max_missing": 1,
            "offset": 0,
        },
        {
            "name": "Identity respected",
            "items": ["id_respected", "id_hide", "id_strength"],
            "reverse": ["id_hide"],
            "item_min": 1,
            "item_max": 7,
            "scoring": "mean",
            "max_missing": 0,
            "offset": 0,
        },
        {
            "name": "Confidence for the next step",
            "items": ["nx_know", "nx_can_do", "nx_whom", "nx_lost"],
            "reverse": ["nx_lost"],
            "item_min": 1,
            "item_max": 7,
            "scoring": "mean",
            "max_missing": 1,
            "offset": 0,
        },
        {
            "name": "Mentor accessibility",
            "items": ["ma_reach", "ma_time", "ma_bother"],
            "reverse": ["ma_bother"],
            "item_min": 1,
            "item_max": 7,
            "scoring": "mean",
            "max_missing": 0,
            "offset": 0,
        },
    ],
}

# By the address the survey list page copies from; the order is the page's order.
LIBRARY = {
    "reverse-mentoring": REVERSE_MENTORING,
    "near-peer-case-review": CASE_REVIEW,
    "peer-support-conference": PEER_SUPPORT,
    "peer-mentoring-group": PEER_GROUP,
    "near-peer-mentoring-urim": NEAR_PEER_URIM,
}


def instrument_create(
    *,
    program: Program,
    spec: dict,
    anonymity: str = Anonymity.CODED,
    pre_opens_at: datetime.datetime,
    post_opens_at: datetime.datetime,
    open_days: int = 21,
    by: Actor,
    wave_kinds: tuple[str, ...] = ("pre", "post"),
) -> Instrument:
    """An instrument from a spec (see REVERSE_MENTORING), with a pre and a post wave
    (or only the `wave_kinds` named: a conference session's feedback has its post wave
    alone). `by`: a director or coordinator of `program`, or access.SYSTEM."""
    access.require_manager(
        by, program, "Only the program's directors and coordinators add its surveys."
    )
    with transaction.atomic():
        instrument = Instrument.objects.create(
            program=program,
            title=spec["title"],
            introduction=spec.get("introduction", ""),
            consent_text=spec["consent_text"],
            anonymity=anonymity,
        )
        by_key = {}
        for order, entry in enumerate(spec["items"]):
            show_if = entry.get("show_if")
            item = Item.objects.create(
                instrument=instrument,
                order=order,
                page=entry.get("page", 1),
                key=entry["key"],
                text=entry["text"],
                kind=entry["kind"],
                required=entry.get("required", False),
                points=entry.get("points"),
                anchors=entry.get("anchors", []),
                numeric_max=entry.get("numeric_max"),
                choices=entry.get("choices", []),
                show_if_item=by_key[show_if[0]] if show_if else None,
                show_if_values=show_if[1] if show_if else [],
            )
            by_key[item.key] = item
        for entry in spec.get("scales", []):
            scale = Scale.objects.create(
                instrument=instrument,
                name=entry["name"],
                scoring=entry.get("scoring", "sum"),
                item_min=entry["item_min"],
                item_max=entry["item_max"],
                max_missing=entry.get("max_missing", 0),
                offset=entry.get("offset", 0),
            )
            reverse = set(entry.get("reverse", []))
            ScaleItem.objects.bulk_create(
                ScaleItem(scale=scale, item=by_key[key], reverse=key in reverse)
                for key in entry["items"]
            )
        for kind, opens_at in (("pre", pre_opens_at), ("post", post_opens_at)):
            if kind not in wave_kinds:
                continue
            Wave.objects.create(
                instrument=instrument,
                kind=kind,
                opens_at=opens_at,
                closes_at=opens_at + datetime.timedelta(days=open_days),
            )
    return instrument
