"""Ready instruments for mentorship programs (items written by us), which a director
copies into a program and edits. `instrument_create` builds one from such a spec."""

import datetime

from django.db import transaction

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

LIBRARY = {"reverse-mentoring": REVERSE_MENTORING}


def instrument_create(
    *,
    program: Program,
    spec: dict,
    anonymity: str = Anonymity.CODED,
    pre_opens_at: datetime.datetime,
    post_opens_at: datetime.datetime,
    open_days: int = 21,
) -> Instrument:
    """An instrument from a spec (see REVERSE_MENTORING), with a pre and a post wave."""
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
            Wave.objects.create(
                instrument=instrument,
                kind=kind,
                opens_at=opens_at,
                closes_at=opens_at + datetime.timedelta(days=open_days),
            )
    return instrument
