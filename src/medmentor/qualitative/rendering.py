"""The coding page's document body: turns, sentences and highlights as HTML.

Built in Python rather than with template loops because a 10,000-word transcript with
500 highlights has thousands of pieces (benchmarks/qualitative_render.py). Every piece of
the document's text is escaped; `data-start` gives each sentence's first character
position in `document.text`, which coding.js adds to the offset inside it.
"""

from bisect import bisect_left, bisect_right

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from medmentor.qualitative import analysis


def _mark_class(count: int) -> str:
    return "hl" if count == 1 else "hl hl-many"


def document_html(
    *, text: str, turns: list, highlights: list, code_names: dict[int, str]
) -> SafeString:
    """`turns`: objects with start, end, speaker, index; `highlights`: objects with
    start, end and `code_ids` (a list)."""
    blocks = [(t.start, t.end, t.speaker, t.index) for t in turns]
    if not blocks:
        blocks = [
            (s, e, "", i)
            for i, (s, e) in enumerate(analysis.units_of(text=text, turns=[], unit="turn"))
        ]
    # Boundaries where the set of covering highlights changes.
    events: dict[int, list] = {}
    for h in highlights:
        events.setdefault(h.start, []).append((1, h))
        events.setdefault(h.end, []).append((-1, h))
    points = sorted(events)
    parts: list[str] = []
    for start, end, speaker, index in blocks:
        parts.append(f'<div class="turn" id="turn-{index}" data-index="{index}">')
        if speaker:
            parts.append(f'<span class="speaker">{escape(speaker)}</span> ')
        parts.append('<span class="turn-words">')
        local = [h for h in highlights if h.start < end and h.end > start]
        sentences = analysis.units_of(text=text, turns=[(start, end)], unit="sentence") or [
            (start, end)
        ]
        for s_start, s_end in sentences:
            parts.append(
                f'<span class="unit" tabindex="0" data-start="{s_start}" data-end="{s_end}">'
            )
            cuts = points[bisect_right(points, s_start) : bisect_left(points, s_end)]
            edges = [s_start, *cuts, s_end]
            for a, b in zip(edges, edges[1:], strict=False):
                if a >= b:
                    continue
                covering = [h for h in local if h.start <= a and h.end >= b]
                piece = escape(text[a:b])
                if covering:
                    names = sorted({code_names.get(c, "?") for h in covering for c in h.code_ids})
                    label = escape(", ".join(names))
                    parts.append(
                        f'<mark class="{_mark_class(len(covering))}" title="{label}" '
                        f'data-codes="{label}">{piece}</mark>'
                    )
                else:
                    parts.append(piece)
            parts.append("</span>")
            if s_end < end:
                parts.append(escape(text[s_end : _next_start(sentences, s_end, end)]))
        parts.append("</span></div>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text above is escaped


def _next_start(sentences, position, end):
    for s, _e in sentences:
        if s >= position:
            return s
    return end
