"""The report's charts are drawn on Figures kept and reused per thread: a chart's SVG is
the same bytes whatever was drawn before it, in this process or a fresh one, and the
same as that of a Figure built for it alone."""

import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from medmentor.stats import WaveSummary
from medmentor.surveys.charts import (
    _KEPT_FIGURES,
    _kept_figures,
    figure_svg,
    likert_diverging_figure,
    likert_diverging_svg,
    scale_change_figure,
    scale_change_svg,
)

ROOT = Path(__file__).resolve().parents[2]
AGREE = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]

ITEM_A = {
    "rows": [("Pre", [5, 10, 20, 40, 25]), ("Post", [1, 4, 10, 45, 40])],
    "labels": AGREE,
    "title": "I feel confident presenting a case",
}
ITEM_B = {
    "rows": [("Pre", [30, 30, 20, 15, 5]), ("Post", [0, 0, 0, 0, 0])],  # no post answers yet
    "labels": AGREE,
    "title": 'My mentor & I meet "often" <enough>',
}
ITEM_SEVEN_POINTS = {
    "rows": [("Pre", [1, 2, 3, 4, 5, 6, 7]), ("Post", [7, 6, 5, 4, 3, 2, 1])],
    "labels": [f"Level {level}" for level in range(1, 8)],
    "title": "A seven-point item",
}
SCALE_A = {
    "title": "Confidence: scores per wave",
    "score_range": (0.0, 35.0),
    "rows": [
        ("Pre (6 pairs)", WaveSummary(median=21.0, q1=18.0, q3=24.5, mean=20.8, sd=3.1)),
        ("Post (6)", WaveSummary(median=30.5, q1=27.0, q3=32.0, mean=29.9, sd=2.4)),
    ],
}
SCALE_B = {
    "title": "Burnout: scores per wave",
    "score_range": (1.0, 5.0),
    "rows": [
        ("Pre (40 pairs)", WaveSummary(median=3.2, q1=2.5, q3=3.9, mean=3.1, sd=0.7)),
        ("Post (40)", WaveSummary(median=2.6, q1=2.0, q3=3.1, mean=2.7, sd=0.6)),
    ],
}

# A fresh interpreter draws the charts named on its command line, once each.
PROBE = """
import json, sys
from tests.surveys.test_charts import ITEM_A, SCALE_A
from medmentor.surveys.charts import likert_diverging_svg, scale_change_svg
print(json.dumps([likert_diverging_svg(**ITEM_A), scale_change_svg(**SCALE_A, text="A")]))
"""


def fresh_likert(item: dict) -> str:
    """The chart drawn on a Figure built for it alone (not a kept one)."""
    return figure_svg(likert_diverging_figure(**item), title=item["title"])


def fresh_scale(scale: dict, text: str) -> str:
    return figure_svg(scale_change_figure(**scale), title=text)


def texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def bar_paths(svg: str) -> list[str]:
    return re.findall(r'<g id="patch_\d+">\s*<path d="([^"]*)"', svg)


def test_a_chart_drawn_after_others_is_the_same_bytes_as_on_a_figure_of_its_own():
    first_a = likert_diverging_svg(**ITEM_A)
    likert_diverging_svg(**ITEM_B)
    likert_diverging_svg(**ITEM_SEVEN_POINTS)
    again_a = likert_diverging_svg(**ITEM_A)
    assert again_a == first_a == fresh_likert(ITEM_A)


def test_the_next_chart_keeps_nothing_of_the_one_before():
    chart_a, chart_b = likert_diverging_svg(**ITEM_A), likert_diverging_svg(**ITEM_B)
    assert chart_b == fresh_likert(ITEM_B)
    assert "I feel confident" not in chart_b  # title and text alternative are B's
    assert 'aria-label="My mentor &amp; I meet &quot;often&quot; &lt;enough' in chart_b
    assert bar_paths(chart_a) != bar_paths(chart_b)  # the bars were redrawn, all of them
    assert len(bar_paths(chart_a)) == len(bar_paths(chart_b))
    # A seven-point item after a five-point one: its own labels and its own legend.
    seven = likert_diverging_svg(**ITEM_SEVEN_POINTS)
    assert seven == fresh_likert(ITEM_SEVEN_POINTS)
    assert "Strongly agree" not in seven and "Level 7" in texts(seven)


def test_the_scale_chart_keeps_nothing_of_the_one_before():
    first_a = scale_change_svg(**SCALE_A, text="A")
    chart_b = scale_change_svg(**SCALE_B, text="B")
    assert chart_b == fresh_scale(SCALE_B, "B")
    assert "Confidence" not in chart_b and "Pre (6 pairs)" not in chart_b
    assert "Pre (40 pairs)" in texts(chart_b)
    # With a follow-up wave: four rows, on a Figure of their own.
    follow_up = {**SCALE_A, "rows": SCALE_A["rows"] + SCALE_B["rows"]}
    assert scale_change_svg(**follow_up, text="F") == fresh_scale(follow_up, "F")
    assert scale_change_svg(**SCALE_A, text="A") == first_a == fresh_scale(SCALE_A, "A")


@pytest.mark.slow
def test_a_chart_is_the_same_bytes_as_in_a_fresh_process():
    likert_diverging_svg(**ITEM_B)  # this process has drawn others before
    scale_change_svg(**SCALE_B, text="B")
    here = [likert_diverging_svg(**ITEM_A), scale_change_svg(**SCALE_A, text="A")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    finished = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    assert json.loads(finished.stdout) == here


def test_each_thread_draws_on_figures_of_its_own():
    expected = {name: fresh_likert(item) for name, item in (("a", ITEM_A), ("b", ITEM_B))}
    drawn: dict[str, list[str]] = {"a": [], "b": []}
    figures = []

    def draw(name: str, item: dict) -> None:
        for _ in range(5):
            drawn[name].append(likert_diverging_svg(**item))
        figures.extend(id(chart.figure) for chart in _kept_figures.charts.values())

    threads = [
        threading.Thread(target=draw, args=(n, i)) for n, i in (("a", ITEM_A), ("b", ITEM_B))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert drawn == {name: [svg] * 5 for name, svg in expected.items()}
    assert len(figures) == len(set(figures)) == 2  # one each, not shared


def test_the_figures_kept_are_few():
    for points in range(3, 3 + _KEPT_FIGURES + 4):
        labels = [f"Level {level}" for level in range(points)]
        likert_diverging_svg(rows=[("Pre", [1] * points)], labels=labels, title="t")
    assert len(_kept_figures.charts) == _KEPT_FIGURES


def test_the_svg_is_inline_accessible_text_without_a_style_element():
    svg = likert_diverging_svg(**ITEM_B)
    assert svg.startswith('<svg role="img" aria-label="My mentor &amp; I meet &quot;often')
    assert 'class="chart-svg"' in svg and "<style" not in svg
    # Text stays text: title, wave names, axis and legend.
    assert {"Pre", "Post", "Neither agree nor disagree"} <= set(texts(svg))
    assert "My mentor &amp; I meet" in " ".join(texts(svg))


def test_dollar_signs_in_titles_and_answer_labels_are_text_not_formulas():
    # "$5 to $10" would be set as a mathtext formula, and a lone or malformed one
    # ("$\frac{") refused with an error that failed the whole report.
    money = {
        "rows": [("Pre", [3, 2, 1]), ("Post", [1, 2, 3])],
        "labels": ["Under $5", "$5 to $10", "Over $10 (\\frac{"],
        "title": "Spent on food on call: $5 to $10 or $\\frac{",
    }
    for draw in (
        likert_diverging_svg,
        lambda **kwargs: figure_svg(likert_diverging_figure(**kwargs), title="x"),
    ):
        written = " ".join(texts(draw(**money)))
        assert "Spent on food on call: $5 to $10 or $\\frac{" in written
        assert {"Under $5", "$5 to $10"} <= set(texts(draw(**money)))
    scale = {**SCALE_A, "title": "Cost in $: scores per wave ($)"}
    assert "Cost in $: scores per wave ($)" in texts(scale_change_svg(**scale, text="x"))
