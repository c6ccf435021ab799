"""The report's figures, with the one rounding rule of the page, its PDF and its CSV
(medmentor.stats.fmt_figure): `{{ x|figure:2 }}` gives "0.35" or "not computable";
`{{ p|p_value }}` gives "0.031", "< 0.001" or "not computable"; `{{ p|p_value:"=" }}`
gives "= 0.031" or "< 0.001"; `{{ low|interval:high }}` gives "[0.12, 0.80]" or
"[interval not computable]"."""

from django import template

from medmentor import stats

register = template.Library()


@register.filter
def figure(value, decimals=2):
    return stats.fmt_figure(value, int(decimals))


@register.filter
def p_value(p, relation: str = ""):
    text = stats.fmt_p(p)
    if not relation or text.startswith("<") or text == stats.NOT_COMPUTABLE:
        return text
    return f"{relation} {text}"


@register.filter
def interval(low, high, decimals: int = 2):
    first, second = stats.fmt_figure(low, decimals), stats.fmt_figure(high, decimals)
    if stats.NOT_COMPUTABLE in (first, second):
        return "[interval not computable]"
    return f"[{first}, {second}]"
