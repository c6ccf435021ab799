"""Curriculum text on the workspace: wrapped lines flow, paragraphs and lists stay."""

from django.template import Context, Template

from medmentor.curriculum.templatetags.curriculum_text import paragraphs


def test_lines_wrapped_by_the_author_flow_into_one_paragraph():
    text = "A man in his seventies has\nintermittent bleeding.\n\nA red-cell scan is done."
    assert paragraphs(text) == (
        "<p>A man in his seventies has intermittent bleeding.</p>\n<p>A red-cell scan is done.</p>"
    )


def test_list_items_keep_their_own_lines():
    assert paragraphs("Look for:\n- a focus\n- that moves\n1. then report") == (
        "<p>Look for:<br>- a focus<br>- that moves<br>1. then report</p>"
    )


def test_curriculum_text_is_escaped():
    rendered = Template("{% load curriculum_text %}{{ text|paragraphs }}").render(
        Context({"text": "<script>alert(1)</script> & more"})
    )
    assert rendered == "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; more</p>"


def test_empty_text_renders_nothing():
    assert paragraphs("") == "" and paragraphs(None) == "" and paragraphs("\n \n") == ""
