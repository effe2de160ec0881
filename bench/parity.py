"""Parity with HuggingFace datatrove on English: Gopher quality, Gopher repetition, FineWeb quality and C4.

    python bench/parity.py [--show 3]

Builds an English corpus of at least 2,000 documents from ../shared/data (news sentences of
korean_english_news_jungyeul grouped into documents of 1-60 sentences, the scrapinghub article bodies, and the
visible text of the scrapinghub HTML pages with their menus and footers), then perturbs a share of them with
the web junk each rule is about (bullet and hashtag lines, ellipses, repeated lines and paragraphs, cookie and
JavaScript notices, curly brackets, lorem ipsum, citation marks, a 1,001-character word). Each filter runs on
every document in datatrove (its own English tokenizer, spaCy) and in malgeum (tag mode, same thresholds), and
the bench prints the share of documents where the decisions agree (keep or drop, and the reason), per filter
and for all four at once, and for C4 whether the kept text is the same. The bar: >= 99% of documents.
"""

from __future__ import annotations

import argparse
import gzip
import io
import random
import re
import tarfile
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import orjson

from malgeum.lid import detect

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
FILTERS = ("gopher_quality", "gopher_repetition", "fineweb_quality", "c4")

# datatrove's reasons -> malgeum's
REASONS = {
    "gopher_short_doc": "short_doc",
    "gopher_long_doc": "long_doc",
    "gopher_below_avg_threshold": "below_avg_word_length",
    "gopher_above_avg_threshold": "above_avg_word_length",
    "gopher_too_many_hashes": "too_many_hashes",
    "gopher_too_many_ellipsis": "too_many_ellipsis",
    "gopher_too_many_bullets": "too_many_bullets",
    "gopher_too_many_end_ellipsis": "too_many_end_ellipsis",
    "gopher_below_alpha_threshold": "below_alpha_threshold",
    "gopher_enough_stop_words": "too_few_stop_words",
    **{f"duplicated_{n}_n_grams": f"duplicated_{n}_grams" for n in range(5, 11)},
}


class _Visible(HTMLParser):
    """Visible text of a page, one line per block element: what a naive extractor hands a filter."""

    BLOCK = frozenset(
        {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "tr", "section", "article", "header", "footer", "nav"}
    )

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style", "noscript"):
            self.skip += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "noscript"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)

    def text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self.parts).split("\n"))
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _sentences() -> list[str]:
    out = []
    for name in ("korean-english-park.dev.tar.gz", "korean-english-park.test.tar.gz"):
        with tarfile.open(DATA / "korean_english_news_jungyeul" / name) as tar:
            for m in tar.getmembers():
                if m.name.endswith(".en"):
                    f = tar.extractfile(m)
                    assert f is not None
                    out.extend(s.strip() for s in io.TextIOWrapper(f, encoding="utf-8") if s.strip())
    return out


JUNK = {
    "bullets": lambda r: "\n".join(f"{r.choice('•-')} {w}" for w in ("Home", "News", "Sports", "Weather", "Contact")),
    "hashtags": lambda r: " ".join(f"#{w}" for w in ("news", "world", "breaking", "today", "follow", "share") * 2),
    "ellipsis": lambda r: "\n".join(
        f"Read more about this story{'...' if r.random() < 0.5 else '…'}" for _ in range(4)
    ),
    "cookies": lambda r: "This website uses cookies to improve your experience. See our Privacy Policy.",
    "javascript": lambda r: "Please enable JavaScript in your browser to view this content.",
    "curly": lambda r: "var config = { autoplay: true };",
    "lorem": lambda r: "Lorem ipsum dolor sit amet, consectetur adipiscing elit.",
    "citation": None,
    "long_word": lambda r: "Download: " + "x" * 1001 + ".",
    "nav": lambda r: "\n".join(("Sign in", "Subscribe", "Share", "Tweet", "Email", "Print", "Comments (0)")),
}


def _perturb(text: str, r: random.Random) -> str:
    kind = r.choice([*JUNK, "repeat_lines", "repeat_paragraph", "short"])
    lines = text.split("\n")
    if kind == "citation":
        return re.sub(r"\.(\s|$)", lambda m: f".[{r.randint(1, 40)}]{m.group(1)}", text, count=3)
    if kind == "repeat_lines":
        return "\n".join(lines + r.choices(lines, k=max(1, len(lines) // 2)))
    if kind == "repeat_paragraph":
        return text + "\n\n" + text
    if kind == "short":
        return " ".join(text.split()[: r.randint(20, 70)])
    junk = JUNK[kind](r)  # type: ignore[misc]
    at = r.randint(0, len(lines))
    return "\n".join([*lines[:at], junk, *lines[at:]])


def build_corpus(seed: int = 7) -> list[str]:
    r = random.Random(seed)
    sents = _sentences()
    docs: list[str] = []
    for _ in range(1500):  # windows of consecutive sentences (mostly of one story), of every length
        k = r.choice([1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30, 60])
        i = r.randrange(len(sents) - k)
        chunk = sents[i : i + k]
        style = r.random()
        if style < 0.4:
            docs.append("\n".join(chunk))
        elif style < 0.7:
            docs.append(" ".join(chunk))
        else:
            paras = [" ".join(chunk[j : j + 3]) for j in range(0, len(chunk), 3)]
            docs.append("\n\n".join(paras))
    truth = orjson.loads((DATA / "scrapinghub_article_extraction" / "ground-truth.json").read_bytes())
    docs.extend(v["articleBody"] for _, v in sorted(truth.items()) if v.get("articleBody"))
    for page in sorted((DATA / "scrapinghub_article_extraction" / "html").glob("*.html.gz")):
        parser = _Visible()
        parser.feed(gzip.decompress(page.read_bytes()).decode("utf-8", "replace"))
        docs.append(parser.text())
    base = [d for d in docs if d.strip() and detect(d)[0] == "en"]  # some pages are Japanese, Russian, Korean
    perturbed = [_perturb(d, r) for d in r.sample(base, k=len(base) // 2)]
    return base + perturbed


def run_datatrove(texts: list[str]) -> list[dict[str, Any]]:
    from datatrove.data import Document
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
    )

    filters = {
        "gopher_quality": GopherQualityFilter(),
        "gopher_repetition": GopherRepetitionFilter(),
        "fineweb_quality": FineWebQualityFilter(),
        "c4": C4QualityFilter(),
    }
    out = []
    for i, t in enumerate(texts):
        row: dict[str, Any] = {}
        for name, f in filters.items():
            doc = Document(text=t, id=str(i))
            res = f.filter(doc)
            reason = None if res is True else (res[1] if isinstance(res, tuple) else "dropped")
            row[name] = REASONS.get(reason, reason) if reason else None
            if name == "c4":
                row["c4_text"] = doc.text if reason is None else None
        out.append(row)
    return out


def run_malgeum(texts: list[str]) -> list[dict[str, Any]]:
    from malgeum.document import Document
    from malgeum.steps import C4Lines, FineWebQuality, GopherQuality, GopherRepetition

    steps = {
        "gopher_quality": GopherQuality(mode="tag"),
        "gopher_repetition": GopherRepetition(mode="tag"),
        "fineweb_quality": FineWebQuality(mode="tag"),
        "c4": C4Lines(mode="filter"),
    }
    out = []
    for i, t in enumerate(texts):
        row: dict[str, Any] = {}
        for name, step in steps.items():
            doc = Document(str(i), t, scores={"lang": "en"})
            step.apply(doc)
            row[name] = doc.scores[name]["verdict"]
            if name == "c4":
                row["c4_text"] = doc.text if doc.dropped is None else None
        out.append(row)
    return out


def _c4_same(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a is b
    # datatrove strips each kept line (before taking citation marks out); malgeum cuts lines and marks and
    # leaves the white space of the kept lines as it was
    return " ".join(a.split()) == " ".join(b.split())


def compare(texts: list[str], theirs: list[dict[str, Any]], ours: list[dict[str, Any]], show: int = 3) -> float:
    n = len(texts)
    all_agree = 0
    print(f"{n:,} English documents\n{'filter':18s} {'decision':>9s} {'reason':>8s}  datatrove drops  malgeum drops")
    kinds: dict[str, Counter[tuple[Any, Any]]] = {}
    for name in FILTERS:
        decision = sum((a[name] is None) == (b[name] is None) for a, b in zip(theirs, ours, strict=True))
        reason = sum(a[name] == b[name] for a, b in zip(theirs, ours, strict=True))
        drops = (sum(a[name] is not None for a in theirs), sum(b[name] is not None for b in ours))
        print(f"{name:18s} {decision / n:9.2%} {reason / n:8.2%}  {drops[0]:15,d} {drops[1]:13,d}")
        kinds[name] = Counter((a[name], b[name]) for a, b in zip(theirs, ours, strict=True) if a[name] != b[name])
    text_same = sum(_c4_same(a["c4_text"], b["c4_text"]) for a, b in zip(theirs, ours, strict=True))
    print(f"{'c4 kept text':18s} {text_same / n:9.2%}")
    for a, b in zip(theirs, ours, strict=True):
        all_agree += all(a[f] == b[f] for f in FILTERS) and _c4_same(a["c4_text"], b["c4_text"])
    share = all_agree / n
    print(f"{'all four + text':18s} {share:9.2%}  (bar: >= 99%)")
    for name, counter in kinds.items():
        for (a, b), k in counter.most_common():
            print(f"  {name}: datatrove {a!r} / malgeum {b!r}: {k}")
            if show:
                examples = [t for t, x, y in zip(texts, theirs, ours, strict=True) if (x[name], y[name]) == (a, b)][
                    :show
                ]
                for t in examples:
                    print(f"      {t[:100]!r}")
    return share


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--show", type=int, default=2, help="examples per kind of disagreement")
    a = ap.parse_args()
    texts = build_corpus()
    share = compare(texts, run_datatrove(texts), run_malgeum(texts), a.show)
    return 0 if share >= 0.99 else 1


if __name__ == "__main__":
    raise SystemExit(main())
