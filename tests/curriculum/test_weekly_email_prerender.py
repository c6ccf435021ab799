"""Rendering ahead what every weekly email of a week shares gives the same emails.

email_template_prerender renders once the parts of a director's template that read
only the week's shared values; each email then renders only what is about its person.
These render templates both ways, with real values, and compare every character.
"""

import datetime

import pytest
from django.template import Context
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medmentor.curriculum.weekly_email import (
    EmailParts,
    email_template_compile,
    email_template_default,
    email_template_prerender,
)

SHARED = {
    "program": {
        "name": "Nuclear <Medicine> & friends",
        "description": "Line one\nline two <b>",
        "service": "Nuclear Medicine",
        "institution": "Lakeside",
        "directors": "Dr Director",
    },
    "week": {
        "starts_on": datetime.date(2026, 11, 2),
        "ends_on": datetime.date(2026, 11, 8),
        "friday": datetime.date(2026, 11, 6),
        "topic": "Thyroid",
        "summary": "",
        "readings": [
            {"citation": "Paper A", "url": "https://example.org/a"},
            {"citation": "Paper <B>", "url": ""},
        ],
        "cases": [
            {"day": "Monday", "date": datetime.date(2026, 11, 2), "title": "Case 1"},
            {"day": "Tuesday", "date": datetime.date(2026, 11, 3), "title": "Case 2"},
            {"day": "Tuesday", "date": datetime.date(2026, 11, 3), "title": "Case 3"},
        ],
    },
    "site_name": "medmentor",
    "site_url": "https://medmentor.test",
    "link_valid_days": 7,
}

PEOPLE = [
    {
        "person": {"name": "Jo Junior", "first_name": "Jo", "email": "jo@x.test"},
        "role": "Junior",
        "is_junior": True,
        "is_senior": False,
        "partners": [{"name": "Sam <Senior>", "email": "sam@x.test"}],
        "workspace_url": "https://medmentor.test/sign-in/link/abc/?next=%2Fp%2F",
    },
    {
        "person": {"name": "Sam Senior", "first_name": "Sam", "email": "sam@x.test"},
        "role": "Senior",
        "is_junior": False,
        "is_senior": True,
        "partners": [],
        "workspace_url": "https://medmentor.test/sign-in/link/def/",
    },
]

# Pieces of templates, each alone and in random sequences below: shared values,
# personal values, the two mixed in one tag, loops with their own names, and the tags
# and filters whose output depends on more than the values they name.
FRAGMENTS = [
    "Hello {{ person.first_name }}, ",
    "{{ program.name }} {{ program.description|linebreaksbr }}",
    "{{ week.starts_on|date:'l j F' }} to {{ week.friday|date:'j F' }}\n",
    "{% if week.topic %}Topic: {{ week.topic|upper }}{% else %}No topic{% endif %}",
    "{% if partners %}{% for p in partners %}{{ p.name }};{% endfor %}{% endif %}",
    "{% for reading in week.readings %}{{ forloop.counter }}. {{ reading.citation }}"
    "{% if reading.url %} <{{ reading.url }}>{% endif %}\n{% empty %}none{% endfor %}",
    "{% for case in week.cases %}{% ifchanged case.day %}{{ case.day }}:{% endifchanged %}"
    "{{ case.title }} {% endfor %}",
    "{% for case in week.cases %}{% cycle 'odd' 'even' %} {% endfor %}",
    "{% cycle 'a' 'b' as letters %}{% for c in week.cases %}{% cycle letters %}{% endfor %}",
    "{% with topic=week.topic %}{{ topic }}{% endwith %}",
    "{% with first=person.first_name %}{{ first }}{% endwith %}",
    "{{ week.topic|default:person.name }} {{ week.summary|default:person.name }}",
    "{% if is_junior and week.topic %}junior on {{ week.topic }}{% endif %}",
    "{% if 'Thyroid' in week.topic or not partners %}match{% endif %}",
    "{% for case in week.cases %}{% for r in week.readings %}{{ forloop.parentloop.counter }}"
    "{{ forloop.counter }}{% endfor %}{% endfor %}",
    "{% for case in week.cases %}{{ case.title }} for {{ person.first_name }} {% endfor %}",
    "{% firstof week.summary week.topic %}",
    "{% regroup week.cases by day as days %}{% for d in days %}{{ d.grouper }}{% endfor %}",
    "{% autoescape off %}{{ program.name }}{% endautoescape %}",
    "{% filter lower %}{{ program.service }}{% endfilter %}",
    "{% comment %}nothing{% endcomment %}{# nor this #}",
    "{{ workspace_url }} {{ link_valid_days }} day{{ link_valid_days|pluralize }}",
    "{{ partners|length }} {{ True }} {{ None|default:'none' }} {{ site_name|title }}",
    "{{ unknown.value }}{% if unknown %}x{% endif %}",
    "{% templatetag openblock %} {{ 'literal'|upper }} {{ 3|add:4 }}",
]


def render_both_ways(source: str) -> list[tuple[str, str]]:
    parts = EmailParts(subject=source, text_body=source, html_body=source)
    compiled = email_template_compile(parts=parts)
    ahead = email_template_prerender(compiled=compiled, shared=SHARED)

    outputs = []
    for personal in PEOPLE:
        context = {**SHARED, **personal}
        for field, autoescape in (("text_body", False), ("html_body", True)):
            whole = getattr(compiled, field).render(Context(context, autoescape=autoescape))
            partly = getattr(ahead, field).render(Context(context, autoescape=autoescape))
            outputs.append((whole, partly))
    return outputs


def test_the_default_template_renders_the_same_with_the_weeks_part_rendered_ahead():
    default = email_template_default()
    for source in (default.subject, default.text_body, default.html_body):
        for whole, partly in render_both_ways(source):
            assert partly == whole


@pytest.mark.parametrize("fragment", FRAGMENTS)
def test_each_kind_of_tag_renders_the_same_with_the_weeks_part_rendered_ahead(fragment):
    for whole, partly in render_both_ways(fragment):
        assert partly == whole


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=8))
def test_any_sequence_of_tags_renders_the_same_with_the_weeks_part_rendered_ahead(fragments):
    for whole, partly in render_both_ways("".join(fragments)):
        assert partly == whole


def test_what_the_week_shares_is_rendered_once_and_what_is_personal_each_time():
    compiled = email_template_compile(parts=email_template_default())
    ahead = email_template_prerender(compiled=compiled, shared=SHARED)

    # Rendered without the week's values: the week's part is there already, the
    # person's part comes from this context.
    personal_only = Context(PEOPLE[0], autoescape=True)
    html = ahead.html_body.render(personal_only)
    assert "Paper &lt;B&gt;" in html and "Thyroid" in html
    assert "Monday 2 November to Friday 6 November" in html
    assert "Hello Jo," in html and "Sam &lt;Senior&gt;" in html
    assert ahead.subject.render(Context({}, autoescape=False)).startswith("Thyroid: your week")


def test_a_random_pick_stays_different_per_email():
    source = "{{ week.cases|random }}"
    compiled = email_template_compile(parts=EmailParts(source, source, source))
    ahead = email_template_prerender(compiled=compiled, shared=SHARED)

    # Not rendered ahead: without the week's values there is nothing to pick from.
    assert ahead.text_body.render(Context({}, autoescape=False)) == ""
