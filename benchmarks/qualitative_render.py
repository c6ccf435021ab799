"""Benchmark: the coding page of a 10,000-word transcript with 500 highlights.

medmentor's way: GET the coding page through Django's test client (middleware, the
view, the selectors, qualitative.rendering.document_html with turns, sentences and
highlight marks, the template). Peer in the same run: the same page machinery rendering
the same text with Django's `linebreaks` filter and no highlights — the least a page
showing the transcript can do. Target (issue 5): under 300 ms server time.

Run: .venv/bin/python benchmarks/qualitative_render.py [--words 10000] [--highlights 500]
"""

import argparse
import random
import shutil

from qualitative_common import best_of, django_setup, machine, program_with_roster, transcript_vtt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=10_000)
    parser.add_argument("--highlights", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    folder = django_setup()
    try:
        from django.template import engines
        from django.test import Client
        from django.urls import reverse

        from medmentor.qualitative import services
        from medmentor.qualitative.models import Code, Highlight

        program, (researcher, *_) = program_with_roster()
        rng = random.Random(3)
        document = services.document_import(
            program=program,
            by=researcher,
            file_name="long.vtt",
            content=transcript_vtt(rng, args.words).encode(),
        )
        document = services.document_review_finish(
            document=document,
            by=researcher,
            decisions={row.pk: ("accepted", "") for row in document.replacements.all()},
        )
        codes = [
            services.code_create(program=program, by=researcher, name=f"Code {n}")
            for n in range(20)
        ]
        length = len(document.text)
        made = []
        for _ in range(args.highlights):
            start = rng.randrange(0, length - 300)
            made.append(
                Highlight(
                    document=document,
                    coder=researcher,
                    start=start,
                    end=start + rng.randrange(20, 300),
                )
            )
        Highlight.objects.bulk_create(made)
        through = Highlight.codes.through
        through.objects.bulk_create(
            through(highlight_id=h.pk, code_id=rng.choice(codes).pk)
            for h in Highlight.objects.filter(document=document)
        )
        assert Code.objects.count() == 20
        from django.conf import settings

        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        client = Client()
        client.force_login(researcher)
        url = reverse("qualitative-document", args=[program.slug, document.pk])

        def page():
            response = client.get(url)
            assert response.status_code == 200, (response.status_code, response.content[:300])
            return len(response.content)

        plain = engines["django"].from_string(
            '{% extends "base.html" %}{% block content %}<h1>{{ title }}</h1>'
            "{{ text|linebreaks }}{% endblock %}"
        )

        def plain_page():
            from django.test import RequestFactory

            request = RequestFactory().get(url)
            request.user = researcher
            return len(plain.render({"title": document.title, "text": document.text}, request))

        ours, size = best_of(args.runs, page)
        peer, _ = best_of(args.runs, plain_page)
        print("RATIOS (coding page / the same text as plain paragraphs, same run)")
        print(f"  render: {ours / peer:.1f}x")
        print(f"ABSOLUTE (best of {args.runs})")
        print(
            f"  {args.words} words, {args.highlights} highlights, {document.turns.count()} "
            f"turns, page {size / 1024:.0f} KB"
        )
        print(
            f"  coding page {ours * 1000:.0f} ms   (plain text {peer * 1000:.0f} ms)   "
            f"target < 300 ms: {'met' if ours < 0.3 else 'NOT met'}"
        )
        print(machine())
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
