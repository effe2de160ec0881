"""Spam pages judged whole, and text about gambling, loans or sex that must keep every sentence.

    python bench/spam_pages.py [--recipe FILE] [--limit N] [--genre NAME ...] [--show N]

Runs the recipe (the default one unless --recipe) on each genre and prints, per genre: documents, characters
kept (non-space characters of the input left in the output; a dropped document keeps none), documents dropped
by the spam steps (`spam.*` rules) with their reasons, and lines cut by the spam steps (a non-empty input line
of which they removed at least half). --show N prints up to N dropped documents and cut lines per genre.

Genres:
- written: bench/written/spam_pages.jsonl, spam pages written for the project (gambling SEO articles, casino
  lobbies, 먹튀 verification sites, adult and loan promotion, Korean and English; `meta.url` on some). The 9
  marked `written_after_rules` were written once the rules were set, to see how they carry over (shown apart,
  as "(written after the rules) <kind>"). Bar (on real pages, held out): <= 10% of their characters kept.
- naver_about: the Naver records (../shared/data/naver_news_raw) that name gambling, loans or sex (ABOUT below);
  naver_rest is every other Naver record.
- chosun / chosun_about: the Chosun articles (../shared/data/chosun_rss_neardup/nd_docs.jsonl.gz), all of them
  and those that name gambling, loans or sex.
- comments / threads: kocohub news comments (../shared/data/korean_hate_speech_kocohub), one per document and
  as threads of 20 consecutive comments.
- kisa_nonspam: KISA messages labelled 비스팸 (reported, not spam); kisa_spam: those labelled 도박/불법대출/성인
  (shown for information: the page step is not meant for messages).
- cc_by: the CC BY prose of ../shared/data/korean_cc_by_text, one document per blank-line-separated block.
- web: trafilatura_eval pages as the text a good extraction keeps (its `with` snippets, one per line).
Bars on the real genres: 0 drops by spam steps; Chosun: few spam cuts in 12,644 articles.
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import orjson

from malgeum import Document, Pipeline
from malgeum import recipe as recipes
from malgeum.document import trace
from malgeum.lines import line_bounds

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / "shared" / "data"
WRITTEN = HERE / "written" / "spam_pages.jsonl"
CONVERTER_LINE = re.compile(r"\n(?:SMS|MMS|LMS|URLCB)/[^\n]*\Z")  # the KISA export's type line (bench/spam_sms.py)
ABOUT = re.compile(
    r"도박|카지노|바카라|토토|베팅|배팅|슬롯|경마|대출|사채|대부업|성매매|성인\s?사이트|음란|야동|조건만남|출장\s?안마"
)
SPAM_STEPS = ("spam",)  # rule prefixes of the spam steps (spam.keyword_line, spam.page, ...)
THREAD = 20


def _jsonl(path: Path) -> Iterator[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        for line in fh:
            if line.strip():
                yield orjson.loads(line)


def written() -> Iterator[Document]:
    for r in _jsonl(WRITTEN):
        meta = {k: r[k] for k in ("url", "kind", "lang") if r.get(k)}
        if r.get("written_after_rules"):
            meta["kind"] = "(written after the rules) " + meta["kind"]
        yield Document(r["id"], r["text"], meta)


def naver(about: bool) -> Iterator[Document]:
    for r in _jsonl(DATA / "naver_news_raw" / "naver_news_dev.jsonl.gz"):
        if bool(ABOUT.search(r["text"])) == about:
            yield Document(r["id"], r["text"], {"url": r.get("url")})


def chosun(about: bool) -> Iterator[Document]:
    for r in _jsonl(DATA / "chosun_rss_neardup" / "nd_docs.jsonl.gz"):
        if not about or ABOUT.search(r["text"]):
            yield Document(r["doc_id"], r["text"], {"url": r.get("guid")})


def _comments() -> list[str]:
    root = DATA / "korean_hate_speech_kocohub"
    out = []
    for rel, header in (("labeled/train.tsv", 1), ("labeled/dev.tsv", 1), ("test.no_label.tsv", 1)):
        out += [line.split("\t")[0] for line in (root / rel).read_text(encoding="utf-8").splitlines()[header:]]
    out += (root / "unlabeled" / "unlabeled_comments_5.txt").read_text(encoding="utf-8").splitlines()
    return [c for c in out if c.strip()]


def comments() -> Iterator[Document]:
    for n, c in enumerate(_comments()):
        yield Document(f"comment:{n}", c)


def threads() -> Iterator[Document]:
    cs = _comments()
    for n in range(0, len(cs), THREAD):
        yield Document(f"thread:{n // THREAD}", "\n".join(cs[n : n + THREAD]))


def kisa(nonspam: bool) -> Iterator[Document]:
    for r in _jsonl(DATA / "kisa_spam_sms" / "kisa_spam_sms.jsonl.gz"):
        if (r["spam_type"] == "비스팸") == nonspam:
            yield Document(r["id"], CONVERTER_LINE.sub("", r["text"]), {"spam_type": r["spam_type"]})


def cc_by() -> Iterator[Document]:
    for path in sorted((DATA / "korean_cc_by_text").glob("*.txt.gz")):
        blocks = re.split(r"\n\s*\n", gzip.open(path, "rt", encoding="utf-8").read())
        for n, block in enumerate(b.strip() for b in blocks):
            if block:
                yield Document(f"{path.name.split('.')[0]}:{n}", block)


def web() -> Iterator[Document]:
    for r in _jsonl(DATA / "trafilatura_eval" / "trafilatura_eval.jsonl.gz"):
        if r.get("with"):
            yield Document(r["id"], "\n".join(r["with"]))


GENRES = {
    "written": written,
    "naver_about": lambda: naver(True),
    "naver_rest": lambda: naver(False),
    "chosun": lambda: chosun(False),
    "chosun_about": lambda: chosun(True),
    "comments": comments,
    "threads": threads,
    "kisa_nonspam": lambda: kisa(True),
    "kisa_spam": lambda: kisa(False),
    "cc_by": cc_by,
    "web": web,
}


def spam_removed(text: str, doc: Document) -> list[bool]:
    """For each character of the input: whether a spam step removed it."""
    out: list[bool] = []
    for span in trace(text, doc.edits):
        e = span.edit
        out.extend([e is not None and not e.inserted and e.rule.startswith(SPAM_STEPS)] * len(span.text))
    return out


def kept_chars(text: str, doc: Document) -> int:
    return 0 if doc.dropped else sum(not c.isspace() for c in doc.text)


def run(name: str, pipe: Pipeline, limit: int | None, show: int) -> None:
    docs = chars = kept = dropped_spam = lines_cut = docs_cut = 0
    reasons: Counter[str] = Counter()
    drops_by_rule: Counter[str] = Counter()
    by_kind: dict[str, list[int]] = {}
    examples: list[str] = []
    t0 = time.perf_counter()
    for doc in GENRES[name]():
        if limit is not None and docs >= limit:
            break
        text = doc.text
        kind = doc.meta.get("kind")
        pipe.process(doc)
        docs += 1
        n = sum(not c.isspace() for c in text)
        k = kept_chars(text, doc)
        chars += n
        kept += k
        if kind:
            acc = by_kind.setdefault(kind, [0, 0, 0, 0])
            acc[0] += 1
            acc[1] += n
            acc[2] += k
            acc[3] += bool(doc.dropped)
        if doc.dropped:
            drops_by_rule[doc.dropped[1]] += 1
            if doc.dropped[1].startswith(SPAM_STEPS):
                dropped_spam += 1
                reasons[doc.dropped[1]] += 1
                if len(examples) < show:
                    examples.append(f"  dropped {doc.id}: {doc.dropped[2]} | {text[:120]!r}")
            continue
        gone = spam_removed(text, doc)
        cut_here = 0
        for s, e in line_bounds(text):
            total = sum(not c.isspace() for c in text[s:e])
            if total and sum(g for g, c in zip(gone[s:e], text[s:e], strict=True) if not c.isspace()) * 2 >= total:
                cut_here += 1
                if len(examples) < show:
                    rules = sorted({ed.rule for ed in doc.edits if ed.rule.startswith(SPAM_STEPS)})
                    examples.append(f"  cut {doc.id} {rules}: {text[s:e][:160]!r}")
        lines_cut += cut_here
        docs_cut += bool(cut_here)
    secs = time.perf_counter() - t0
    share = kept / chars if chars else 0.0
    other = {r: c for r, c in drops_by_rule.items() if not r.startswith(SPAM_STEPS)}
    print(
        f"{name}: {docs:,} documents, {share:.3f} of {chars:,} characters kept; dropped by spam steps: {dropped_spam}"
        f" {dict(reasons) or ''}; lines cut by spam steps: {lines_cut} in {docs_cut} documents"
        f"; other drops: {dict(other) or 0} ({secs:.1f} s)"
    )
    for kind, (d, n, k, dr) in sorted(by_kind.items()):
        print(f"  {kind}: {d} documents, {k / n if n else 0:.3f} of {n:,} characters kept, {dr} dropped")
    for line in examples:
        print(line)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--recipe", help="a recipe YAML file (default: the default recipe)")
    ap.add_argument("--genre", nargs="*", choices=sorted(GENRES), help="only these genres")
    ap.add_argument("--limit", type=int, help="at most N documents per genre")
    ap.add_argument("--show", type=int, default=0, help="print up to N drops and cut lines per genre")
    args = ap.parse_args(argv)
    pipe = Pipeline.from_recipe(recipes.load(args.recipe) if args.recipe else None)
    for name in args.genre or list(GENRES):
        if name != "written" and not DATA.exists():
            print(f"{name}: skipped ({DATA} not found)")
            continue
        run(name, pipe, args.limit, args.show)
    return 0


if __name__ == "__main__":
    sys.exit(main())
