"""Benchmark: import 200 Zoom-style WebVTT transcripts of 10,000 words each.

medmentor's way: `qualitative.services.document_import` per file — parse (webvtt-py),
merge cues into turns, find roster names, emails and phones, assign pseudonyms,
encrypt the original, write the document, its turns and proposed replacements.
Peer in the same run: webvtt-py's parser alone over the same files (the library call
every import needs; what is left over is ours). Target (issue 5): under 20 s.

Run: .venv/bin/python benchmarks/qualitative_import.py [--documents 200] [--words 10000]
"""

import argparse
import io
import random
import shutil

from qualitative_common import best_of, django_setup, machine, program_with_roster, transcript_vtt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--words", type=int, default=10_000)
    args = parser.parse_args()
    folder = django_setup()
    try:
        import webvtt

        from medmentor.qualitative import services
        from medmentor.qualitative.models import Document

        program, (researcher, *_) = program_with_roster()
        rng = random.Random(5)
        files = [transcript_vtt(rng, args.words).encode() for _ in range(args.documents)]

        def parse_only():
            return sum(len(webvtt.from_buffer(io.StringIO(f.decode())).captions) for f in files)

        peer, cues = best_of(1, parse_only)

        def import_all():
            Document.objects.all().delete()
            for number, content in enumerate(files):
                services.document_import(
                    program=program, by=researcher, file_name=f"fg-{number}.vtt", content=content
                )
            return Document.objects.count()

        ours, count = best_of(1, import_all)
        assert count == args.documents
        print("RATIOS (medmentor import / webvtt-py parse alone, same run)")
        print(f"  import: {ours / peer:.1f}x")
        print("ABSOLUTE")
        print(f"  {args.documents} transcripts x {args.words} words ({cues} cues)")
        print(
            f"  import {ours:.2f} s   (parse alone {peer:.2f} s)   target < 20 s: "
            f"{'met' if ours < 20 else 'NOT met'}"
        )
        print(machine())
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
