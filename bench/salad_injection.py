"""Word salad injected into real news: share of salad lines cut, story kept, on the held-out Naver gold.

    python bench/salad_injection.py [--split heldout]

Each held-out record gets one block of 3-8 salad lines (bench/salad.py: our own prose, keywords that are NOT in
the lexicon, obfuscated), before, inside or after the story. Story recall is scored against the record's gold.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import quality
import salad

from malgeum import Document, Pipeline
from malgeum import recipe as recipes
from malgeum.document import trace
from malgeum.scoring import Score


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="heldout", choices=("heldout", "dev", "all"))
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--recipe", help="a recipe file, e.g. one that adds the salad step with a trained model")
    a = ap.parse_args()
    raws, gold = quality.load(a.split)
    recipe = recipes.load(a.recipe) if a.recipe else None
    pipe = Pipeline.from_recipe(recipe)
    rng = random.Random(a.seed)
    salad_lines = cut_lines = 0
    story = Score()
    for i, doc_id in enumerate(sorted(gold)):
        where = ("before", "inside", "after")[i % 3]
        text, spans = salad.inject(raws[doc_id], rng, where)
        doc = pipe.process(Document(doc_id, text))
        removed = _original_ranges(doc)
        for s, e in spans:
            salad_lines += 1
            cut_lines += _covered(removed, s, e)
        story.add("" if doc.dropped else doc.text, gold[doc_id])
    print(f"{a.split}: {len(gold)} news records, {salad_lines} salad lines injected")
    print(f"salad lines cut: {cut_lines / salad_lines:.3f}  story recall: {story.recall:.4f}")
    return 0


def _original_ranges(doc: Document) -> list[tuple[int, int]]:
    """Ranges of the input text that the edits removed (edits are recorded in the text of their step)."""
    out, pos = [], 0
    for span in trace(doc.text, doc.edits):
        n = len(span.text)
        if span.edit is not None and not span.edit.inserted:
            out.append((pos, pos + n))
        pos += n
    return out


def _covered(removed: list[tuple[int, int]], start: int, end: int) -> bool:
    """Every character of [start, end) was removed, by one edit or several (normalisation takes the zero-width
    characters of an obfuscated keyword, the salad step the rest of the line)."""
    pos = start
    for rs, re_ in sorted(removed):
        if rs <= pos < re_:
            pos = re_
    return pos >= end


if __name__ == "__main__":
    sys.exit(main())
