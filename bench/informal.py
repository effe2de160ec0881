"""Statistical steps on text they must leave alone: what the default recipe, and the salad and foreign steps in it,
cut from informal Korean, news articles and clean prose.

    python bench/informal.py [--genres threads,single,own,chosun,ccby,naver] [--dump DIR] [--recipe FILE]

Genres (the real ones read from ../shared/data, never copied into the project):
- threads: kocohub news comments as a comment page shows them, one comment a line under its news title, 20-50
  comments a thread (a title's comments in file order, each once, split at random sizes, seeded);
- single: every kocohub comment alone;
- own: informal text written for the project (tests/data/informal_ko.txt: chat, lyrics, poetry, forum replies,
  comment threads; a `=== genre: name` line starts each document);
- chosun: the 12,644 Chosun Ilbo articles of chosun_rss_neardup/nd_docs.jsonl.gz;
- ccby: the CC BY prose of korean_cc_by_text (documents apart by a blank line);
- naver: the 15,118 raw Naver News records.

Per genre: documents, characters (white space not counted), the share of characters the whole default recipe
removes (a drop by the 20-character minimum length is a document filter and is not counted), the share the
salad and foreign steps remove, and how many lines the spam, salad and foreign steps cut and in how many
documents. `--dump DIR` writes every salad and foreign cut (document id, rule, line) to DIR/<genre>.tsv.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import genres
from spam_sms import removed_rules

from malgeum import Document, Pipeline
from malgeum import recipe as recipes

OWN = Path(__file__).resolve().parents[1] / "tests" / "data" / "informal_ko.txt"
WATCHED = ("spam", "salad", "foreign")
_OWN_HEADER = re.compile(r"^=== (\w+): (.+)$", re.M)


def threads(seed: int = 5) -> Iterator[tuple[str, str]]:
    """Every title's comments in file order, in threads of 20-50 (the last one of a title may be shorter)."""
    rng = random.Random(seed)
    by_title: dict[str, list[tuple[str, str]]] = {}
    seen = set()
    for doc_id, title, comment in genres.kocohub_comments_with_titles():
        if (title, comment) not in seen:  # the labelled and unlabelled sets share comments: a page shows one
            seen.add((title, comment))
            by_title.setdefault(title, []).append((doc_id, comment))
    for title, comments in by_title.items():
        while comments:
            size = rng.randint(20, 50)
            run, comments = comments[:size], comments[size:]
            yield f"thread:{run[0][0]}", "\n".join([title, *(c for _, c in run)])


def single() -> Iterator[tuple[str, str]]:
    for doc_id, _, comment in genres.kocohub_comments_with_titles():
        yield doc_id, comment


def own() -> Iterator[tuple[str, str]]:
    text = OWN.read_text(encoding="utf-8")
    heads = list(_OWN_HEADER.finditer(text))
    for h, nxt in zip(heads, [*heads[1:], None], strict=True):
        yield f"{h[1]}:{h[2]}", text[h.end() : nxt.start() if nxt else len(text)].strip("\n")


def _texts(records: Callable[[], Iterator[genres.Record]]) -> Callable[[], Iterator[tuple[str, str]]]:
    """(id, text) of a genre of the genre table (bench/genres.py builds them)."""
    return lambda: ((str(r["id"]), r["text"]) for r in records())


chosun, ccby, naver = _texts(genres.chosun), _texts(genres.cc_by_prose), _texts(genres.naver_news)


GENRES = {"threads": threads, "single": single, "own": own, "chosun": chosun, "ccby": ccby, "naver": naver}


def measure(pipe: Pipeline, genre: str, dump: Path | None) -> None:
    chars = removed = by_step = docs = 0
    lines: Counter[str] = Counter()
    hit_docs: Counter[str] = Counter()
    out = []
    t0 = time.perf_counter()
    for doc_id, text in GENRES[genre]():
        docs += 1
        doc = pipe.process(Document(doc_id, text))
        rules = removed_rules(doc)
        keep = [not c.isspace() for c in text]
        n = sum(keep)
        chars += n
        if doc.dropped and not doc.dropped[1].startswith("length."):
            removed += n
        else:
            removed += sum(k and r is not None for k, r in zip(keep, rules, strict=True))
        by_step += sum(k and (r or "").startswith(("salad", "foreign")) for k, r in zip(keep, rules, strict=True))
        seen = set()
        for e in doc.edits:
            kind = e.rule.split(".")[0]
            if kind in WATCHED:
                lines[kind] += max(e.removed.count("\n"), 1)
                seen.add(kind)
                if kind != "spam":
                    out.append(f"{doc_id}\t{e.rule}\t{e.removed.strip()!r}")
        hit_docs.update(seen)
    per = ", ".join(f"{k} {lines[k]} lines in {hit_docs[k]} docs" for k in WATCHED)
    print(
        f"{genre:8s} {docs:6d} docs {chars:9d} chars: recipe removes {removed / max(chars, 1):.4f},"
        f" salad+foreign {by_step / max(chars, 1):.5f}; {per} ({time.perf_counter() - t0:.0f} s)",
        flush=True,
    )
    if dump:
        dump.mkdir(parents=True, exist_ok=True)
        (dump / f"{genre}.tsv").write_text("".join(f"{line}\n" for line in out), encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--genres", default=",".join(GENRES))
    ap.add_argument("--dump", type=Path)
    ap.add_argument("--recipe", help="a recipe file instead of the default one")
    a = ap.parse_args()
    pipe = Pipeline.from_recipe(recipes.load(a.recipe) if a.recipe else None)
    for genre in a.genres.split(","):
        measure(pipe, genre, a.dump)
    return 0


if __name__ == "__main__":
    sys.exit(main())
