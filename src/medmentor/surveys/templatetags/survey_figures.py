"""`{{ p|p_value }}`: a p-value as reports print it (medmentor.stats.fmt_p): three
decimals, "<0.001" below that; `{{ p|p_value:"=" }}` gives "= 0.031" or "< 0.001"."""

from django import template

from medmentor import stats

register = template.Library()


@register.filter
def p_value(p, relation: str = ""):
    text = stats.fmt_p(p)
    if not relation:
        return text
    return f"< {text[1:]}" if text.startswith("<") else f"{relation} {text}"
