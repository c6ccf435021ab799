"""Benchmark: agreement over 5 coders x 200 documents.

Each document has about 2,000 words in ~100 speaker turns; each coder applies one of 20
codes to ~40% of the turns (mostly the same codes as the others, sometimes not), so
about 40,000 highlights. medmentor's way: `qualitative.selectors.agreement_for` — read the
documents, turns, assignments and highlights, map highlights to units (turns), build the
(coders x units x codes) table and call medmentor.stats.code_agreement (percent
agreement and Krippendorff's alpha per code and pooled; no kappa with 5 coders). Peer in
the same run: `code_agreement` alone on the same table (the library call; what is left
over is our reading and mapping). Target (issue 5): under 5 s.

Run: .venv/bin/python benchmarks/qualitative_agreement.py [--documents 200] [--coders 5]
"""

import argparse
import random
import shutil

from qualitative_common import WORDS, best_of, django_setup, machine, program_with_roster


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--coders", type=int, default=5)
    parser.add_argument("--turns", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    folder = django_setup()
    try:
        from django.utils import timezone

        from medmentor.qualitative import analysis, selectors, services
        from medmentor.qualitative.models import (
            CoderAssignment,
            Document,
            DocumentStatus,
            Highlight,
            SpeakerTurn,
        )
        from medmentor.stats import code_agreement

        program, coders = program_with_roster(coders=args.coders)
        rng = random.Random(11)
        codes = [
            services.code_create(program=program, by=coders[0], name=f"Code {n}") for n in range(20)
        ]
        documents, turns = [], []
        for number in range(args.documents):
            lines, spans, position = [], [], 0
            for index in range(args.turns):
                words = " ".join(rng.choice(WORDS) for _ in range(20))
                label = f"Speaker {index % 6 + 1}: "
                spans.append((index, position + len(label), position + len(label) + len(words)))
                lines.append(label + words)
                position += len(label) + len(words) + 1
            documents.append(
                Document(
                    program=program,
                    title=f"Doc {number:03d}",
                    text="\n".join(lines),
                    status=DocumentStatus.CODABLE,
                    comparison_opened_at=timezone.now(),
                )
            )
            turns.append(spans)
        Document.objects.bulk_create(documents)
        documents = list(Document.objects.order_by("title"))
        SpeakerTurn.objects.bulk_create(
            SpeakerTurn(document=doc, index=i, speaker="S", start=s, end=e)
            for doc, spans in zip(documents, turns, strict=True)
            for i, s, e in spans
        )
        CoderAssignment.objects.bulk_create(
            CoderAssignment(document=doc, coder=coder) for doc in documents for coder in coders
        )
        highlights, chosen = [], []
        for doc, spans in zip(documents, turns, strict=True):
            for _index, start, end in spans:
                if rng.random() > 0.4:
                    continue
                truth = rng.choice(codes)
                for coder in coders:
                    if rng.random() < 0.1:
                        continue  # this coder missed it
                    code = truth if rng.random() < 0.85 else rng.choice(codes)
                    highlights.append(Highlight(document=doc, coder=coder, start=start, end=end))
                    chosen.append(code)
        Highlight.objects.bulk_create(highlights)
        through = Highlight.codes.through
        through.objects.bulk_create(
            through(highlight_id=h.pk, code_id=code.pk)
            for h, code in zip(highlights, chosen, strict=True)
        )

        viewer = coders[0]
        ours, page = best_of(
            args.runs, lambda: selectors.agreement_for(program=program, viewer=viewer)
        )
        assert len(page.coders) == args.coders and not page.result.problem

        # The same table, built once, handed to the library call alone.
        codings = [
            analysis.DocumentCoding(
                units=[(s, e) for _i, s, e in spans],
                by_coder={coder.pk: [] for coder in coders},
            )
            for spans in turns
        ]
        by_doc = {doc.pk: n for n, doc in enumerate(documents)}
        for h, code in zip(highlights, chosen, strict=True):
            codings[by_doc[h.document_id]].by_coder[h.coder_id].append(
                analysis.Span(h.start, h.end, frozenset([code.pk]))
            )
        ids = [code.pk for code in codes]
        table = analysis.presence_table(codings, coders=[c.pk for c in coders], code_ids=ids)
        peer, rows = best_of(args.runs, lambda: code_agreement(table))
        assert abs(rows[-1].alpha - page.result.rows[-1].alpha) < 1e-9

        print("RATIOS (agreement_for / medmentor.stats.code_agreement alone, same run)")
        print(f"  agreement: {ours / peer:.1f}x")
        print(f"ABSOLUTE (best of {args.runs})")
        print(
            f"  {args.coders} coders x {args.documents} documents x {args.turns} turns, "
            f"{len(highlights)} highlights, 20 codes; pooled alpha {rows[-1].alpha:.3f}"
        )
        print(
            f"  agreement_for {ours:.2f} s   (code_agreement alone {peer:.2f} s)   "
            f"target < 5 s: {'met' if ours < 5 else 'NOT met'}"
        )
        print(machine())
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
