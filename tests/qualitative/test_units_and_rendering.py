"""Units of agreement and the coding page's HTML, on plain data."""

from types import SimpleNamespace

from medmentor.qualitative.analysis import Span, cooccurrence, unit_hits, units_of
from medmentor.qualitative.rendering import document_html

TEXT = "A: One. Two!\nB: Three? Four"


def test_turns_sentences_and_characters_as_units():
    turns = [(3, 12), (16, 27)]
    assert units_of(text=TEXT, turns=turns, unit="turn") == turns
    sentences = units_of(text=TEXT, turns=turns, unit="sentence")
    assert [TEXT[s:e] for s, e in sentences] == ["One.", "Two!", "Three?", "Four"]
    characters = units_of(text=TEXT, turns=turns, unit="character")
    assert len(characters) == 9 + 11 and characters[0] == (3, 4)
    # Without turns (open answers), each non-empty line is a unit.
    assert units_of(text="x\n\ny", turns=[], unit="turn") == [(0, 1), (3, 4)]


def test_a_highlight_touches_the_units_it_overlaps_only():
    units = [(0, 5), (6, 10), (11, 20)]
    assert list(unit_hits(units, 4, 7)) == [0, 1]
    assert list(unit_hits(units, 5, 6)) == []  # the space between two units
    assert list(unit_hits(units, 12, 13)) == [2]


def test_cooccurrence_counts_units_where_both_codes_apply():
    units = [(0, 5), (6, 10)]
    spans = [Span(0, 5, frozenset({1})), Span(1, 3, frozenset({2})), Span(6, 8, frozenset({2}))]
    assert cooccurrence([(units, spans)], [1, 2]).tolist() == [[1, 1], [1, 2]]


def test_the_coding_html_escapes_the_text_and_marks_highlights():
    text = "A: <script>alert(1)</script> & more."
    turn = SimpleNamespace(start=3, end=len(text), speaker="A <b>", index=0)
    highlight = SimpleNamespace(start=3, end=11, code_ids=[7])
    html = document_html(text=text, turns=[turn], highlights=[highlight], code_names={7: "<x>"})
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'title="&lt;x&gt;"' in html and "A &lt;b&gt;" in html
    assert '<span class="unit" tabindex="0" data-start="3"' in html
