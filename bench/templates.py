"""Corpus-learned templates against the prior art, on every genre with more than one page of a kind.

    python bench/templates.py

Each method decides from a whole genre which lines are boilerplate and cuts them; nothing else runs:
  ccnet      CCNet's paragraph dedup (Wenzek et al. 2020): a line (normalised: lower case, digits as 0, no
             punctuation or accents) found in another document of the shard goes
  frequent   malgeum's `dedup.frequent_line`, by documents: a line of 15+ characters in 10 or more documents
  pld        line-level recurrence as in PLD/PTF (arXiv 2510.24139): a line repeated in more than 3 documents
  templates  the `templates` step: shapes per host and over the corpus, once per group of near-copies, at a
             stable place, with thresholds that scale with the host's pages
and the table gives the share of characters cut and, where a truth is known, how much of the cut was content:
on the Naver records with gold (bench/gold/naver_gold.jsonl), the share of cut characters that the gold keeps;
on comment threads and CC BY prose every line is content, so everything cut is a loss.
"""

from __future__ import annotations

import hashlib
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from genres import GENRES

from malgeum import Document
from malgeum.steps.templates import CutTemplates
from malgeum.templates import learn_documents

HERE = Path(__file__).resolve().parent
GOLD = HERE / "gold" / "naver_gold.jsonl"
WANTED = ("naver_news", "chosun", "kocohub_threads", "cc_by_prose", "community")
_PUNCT = re.compile(r"[^\w\s]")


def ccnet_norm(line: str) -> str:
    s = unicodedata.normalize("NFD", line.strip().lower())
    s = "".join(c for c in s if unicodedata.category(c) != "Mn")
    return " ".join(_PUNCT.sub("", re.sub(r"\d", "0", s)).split())


def by_doc_count(min_docs: int, min_chars: int = 1) -> Callable[[list[Document]], list[set[int]]]:
    """A method that cuts lines whose normalised form is in at least `min_docs` documents."""

    def method(docs: list[Document]) -> list[set[int]]:
        counts: Counter[str] = Counter()
        for d in docs:
            counts.update({n for n in map(ccnet_norm, d.text.split("\n")) if len(n.replace(" ", "")) >= min_chars})
        out = []
        for d in docs:
            out.append(
                {
                    i
                    for i, line in enumerate(d.text.split("\n"))
                    if (n := ccnet_norm(line)) and len(n.replace(" ", "")) >= min_chars and counts[n] >= min_docs
                }
            )
        return out

    return method


def templates(docs: list[Document]) -> list[set[int]]:
    step = CutTemplates()
    step.use(learn_documents(docs))
    out = []
    for d in docs:
        copy = Document(d.id, d.text, dict(d.meta))
        step.process(copy)
        starts = [e.start for e in copy.edits]  # cuts are whole lines, offsets into the original text
        line_starts, pos = {}, 0
        for i, line in enumerate(d.text.split("\n")):
            line_starts[pos] = i
            pos += len(line) + 1
        cut = set()
        for e in copy.edits:
            s = e.start + (1 if e.removed.startswith("\n") else 0)
            if s in line_starts:
                cut.add(line_starts[s])
        assert len(cut) == len(starts)
        out.append(cut)
    return out


METHODS = {
    "ccnet": by_doc_count(2),
    "frequent": by_doc_count(10, 15),
    "pld": by_doc_count(4),
    "templates": templates,
}


def gold_keep() -> dict[str, list[tuple[int, int]]]:
    rows = [orjson.loads(line) for line in GOLD.read_bytes().splitlines() if line.strip()]
    return {r["id"]: [tuple(x) for x in r["keep"]] for r in rows}


def main() -> int:
    keep = gold_keep()
    print("| genre | documents | method | characters cut | of which content |")
    print("|---|---|---|---|---|")
    for g in GENRES:
        if g.name not in WANTED or not g.needs.exists():
            continue
        docs = [Document(str(r["id"]), r["text"], {"url": r.get("url")}) for r in g.records()]
        total = sum(len(d.text) for d in docs)
        for name, method in METHODS.items():
            cuts = method(docs)
            cut_chars = content = judged = 0
            for d, lines in zip(docs, cuts, strict=True):
                pos = 0
                ranges = keep.get(d.id) if g.name == "naver_news" else None
                for i, line in enumerate(d.text.split("\n")):
                    if i in lines:
                        cut_chars += len(line)
                        if g.name in ("kocohub_threads", "cc_by_prose"):
                            content += len(line)
                        elif ranges is not None:
                            judged += len(line)
                            content += sum(max(0, min(e, pos + len(line)) - max(s, pos)) for s, e in ranges)
                    pos += len(line) + 1
            if g.name in ("kocohub_threads", "cc_by_prose"):
                share = f"{content / max(cut_chars, 1):.0%} (all lines are content)"
            elif g.name == "naver_news":
                share = f"{content / max(judged, 1):.1%} of {judged:,} cut characters in gold records"
            else:
                share = "-"
            print(f"| {g.name} | {len(docs):,} | {name} | {cut_chars / total:.2%} | {share} |")
    print(f"\n(gold: {len(keep)} Naver records, {hashlib.sha1(GOLD.read_bytes()).hexdigest()[:8]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
