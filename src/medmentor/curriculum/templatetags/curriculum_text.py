"""Curriculum text (histories, answers, teaching points) as HTML paragraphs.

Curriculum authors write plain text, often in YAML wrapped at 80 columns, so a single
line break is usually just where their editor wrapped; `linebreaksbr` would keep those
breaks and leave ragged lines on a phone.
"""

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

_BLANK_LINE = re.compile(r"\n\s*\n")
_LIST_ITEM = re.compile(r"^([-*•]|\d+[.)])\s")


@register.filter(needs_autoescape=True)
def paragraphs(text, autoescape=True):
    """A blank line starts a new paragraph; a single line break is a space, except
    before a list item ("- ", "* ", "1. "), which keeps its own line."""
    escape = conditional_escape if autoescape else str
    html = []
    for block in _BLANK_LINE.split(str(text or "").strip()):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        parts = [escape(lines[0])]
        for line in lines[1:]:
            parts.append(("<br>" if _LIST_ITEM.match(line) else " ") + escape(line))
        html.append("<p>" + "".join(parts) + "</p>")
    return mark_safe("\n".join(html))  # noqa: S308 - every part is escaped above
