"""What the cleaner cuts, genre by genre, and how much of it is wrong.

    python bench/genres.py [--recipe default] [--sample 50] [--out DIR] [--genres a,b] [--max-docs N]
    python bench/genres.py --show GENRE [--out DIR]          # the sampled cuts not yet judged, with context
    python bench/genres.py --judge GENRE VERDICTS [--note N=TEXT ...] [--out DIR]

For every genre that can be built from ../shared/data (real third-party text, read here only) and from our own
written text (bench/written/), the genre's records are written as JSONL files to OUT/inputs/GENRE/ and cleaned
by `malgeum.engine.local.run` with the recipe and 2 workers: the user's path, output folder and all. The table
gives, per genre: documents, characters in, the share of characters cut beyond normalisation (the steps of
`NORMALISATION` replace, they do not cut), the cuts per step, the dropped documents, and the share of wrong
cuts among the sampled cuts that were judged (bench/judgements/GENRE.jsonl, policy in docs/genres.md).

A cut is one edit of a non-normalising step, or one dropped document (its text at the drop). It is known by
(document id, rule, SHA-1 of the removed text), so a verdict stays attached to the same cut across runs. The
sample of a genre is the `--sample` cuts whose seeded hash of that key is smallest: after a change, a cut it
still makes keeps its place unless a new cut outranks it, and the new cuts enter as "unjudged" instead of being
counted silently. Judgement files hold the key and a verdict, never the text.

Every genre is taken whole except the two KISA sets, which are a seeded draw of 5,000 messages each (of 7,529
비스팸 and ~100k spam messages); `--max-docs N` draws N documents from every genre that has more (a quick look).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from malgeum import recipe as recipes
from malgeum.document import Document, Edit, trace
from malgeum.engine import local
from malgeum.explain import iter_records
from malgeum.readers import Fields

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
WRITTEN = ROOT / "bench" / "written"
JUDGEMENTS = ROOT / "bench" / "judgements"
SEED = 20  # the issue that asked for this table
WORKERS = 2
# steps that rewrite text into its normal form; what they remove is white space or a broken encoding, not content
NORMALISATION = ("fix_mojibake", "normalize_unicode", "normalize_whitespace")
COLUMNS = ("boilerplate", "spam", "salad", "foreign", "repeats", "pii", "templates")
KISA_SAMPLE = 5000
# the KISA export's converter appended the message type (and MMS subject) as a last line: not message text
CONVERTER_LINE = re.compile(r"\n(?:SMS|MMS|LMS|URLCB)/[^\n]*\Z")
HTML_LANG = re.compile(r"<html\b[^>]{0,500}?\blang\s*=\s*[\"']?([A-Za-z]{2})", re.I)
THREAD_MIN, THREAD_MAX = 20, 50  # comments a thread holds: news titles with fewer comments make no thread

Record = dict[str, Any]


# --- genres: each yields records {id, text | html, url?} ------------------------------------------------------


def naver_news() -> Iterator[Record]:
    with gzip.open(DATA / "naver_news_raw" / "naver_news_dev.jsonl.gz", "rb") as fh:
        for line in fh:
            r = orjson.loads(line)
            yield {"id": r["id"], "url": r["url"], "text": r["text"]}


def chosun() -> Iterator[Record]:
    with gzip.open(DATA / "chosun_rss_neardup" / "nd_docs.jsonl.gz", "rb") as fh:
        for line in fh:
            r = orjson.loads(line)
            yield {"id": r["doc_id"], "url": r["guid"], "text": r["text"]}


KOCO_FILES = (  # (tag, comments file, header lines, titles file): line n of a title file is comment n's title
    ("train", "labeled/train.tsv", 1, "news_title/train.news_title.txt"),
    ("dev", "labeled/dev.tsv", 1, "news_title/dev.news_title.txt"),
    ("test", "test.no_label.tsv", 1, "news_title/test.news_title.txt"),
    ("unl5", "unlabeled/unlabeled_comments_5.txt", 0, "news_title/unlabeled_comments.news_title_5.txt"),
)


def kocohub_comments_with_titles() -> Iterator[tuple[str, str, str]]:
    """(id, title, comment); titles are CSV-quoted in the files."""
    root = DATA / "korean_hate_speech_kocohub"
    for tag, rel, header, titles_rel in KOCO_FILES:
        comments = (root / rel).read_text(encoding="utf-8").splitlines()[header:]
        titles = (root / titles_rel).read_text(encoding="utf-8").splitlines()
        for n, (line, title) in enumerate(zip(comments, titles, strict=True)):
            text = line.split("\t")[0].strip()
            if text:
                if len(title) > 1 and title[0] == title[-1] == '"':
                    title = title[1:-1].replace('""', '"')
                yield f"{tag}:{n}", title.strip(), text


def kocohub_comments() -> Iterator[Record]:
    for cid, _, text in kocohub_comments_with_titles():
        yield {"id": cid, "text": text}


def kocohub_threads() -> Iterator[Record]:
    """The comments under one news title, the title first and one comment a line; a title with more than
    THREAD_MAX comments is split evenly into threads of THREAD_MAX or fewer. A comment is listed once under its
    title: the labelled and unlabelled files share some, and a thread built of both would repeat them."""
    by_title: dict[str, dict[str, None]] = {}
    for _, title, text in kocohub_comments_with_titles():
        by_title.setdefault(title, {})[text] = None
    k = 0
    for title, unique in by_title.items():
        comments = list(unique)
        if len(comments) < THREAD_MIN:
            continue
        parts = -(-len(comments) // THREAD_MAX)
        size = -(-len(comments) // parts)
        for i in range(0, len(comments), size):
            yield {"id": f"thread-{k:04d}", "text": "\n".join([title, *comments[i : i + size]])}
            k += 1


def cc_by_prose() -> Iterator[Record]:
    """Korean Wikinews articles and National Assembly Library book reviews: blocks between blank lines."""
    for name in ("wikinews_ko", "nanet_book_reviews_ko"):
        text = gzip.open(DATA / "korean_cc_by_text" / f"{name}.txt.gz", "rt", encoding="utf-8").read()
        for n, block in enumerate(b for b in text.split("\n\n") if b.strip()):
            yield {"id": f"{name}:{n}", "text": block.strip("\n")}


def web_pages(lang: str) -> Callable[[], Iterator[Record]]:
    def pages() -> Iterator[Record]:
        with gzip.open(DATA / "trafilatura_eval" / "trafilatura_eval.jsonl.gz", "rb") as fh:
            for line in fh:
                r = orjson.loads(line)
                m = HTML_LANG.search(r["html"][:20000])
                if m and m.group(1).lower() == lang:
                    yield {"id": r["id"], "url": r["url"], "html": r["html"]}

    return pages


def kisa(spam: bool) -> Callable[[], Iterator[Record]]:
    """KISA messages labelled 비스팸 (reported, not spam), or every spam label (not 확인불가, unverifiable)."""

    def messages() -> Iterator[Record]:
        with gzip.open(DATA / "kisa_spam_sms" / "kisa_spam_sms.jsonl.gz", "rb") as fh:
            for line in fh:
                r = orjson.loads(line)
                label = r["spam_type"]
                if (label == "비스팸") != spam and (not spam or label not in ("확인불가", "null")):
                    yield {"id": r["id"], "text": CONVERTER_LINE.sub("", r["text"])}

    return messages


def written(name: str) -> Callable[[], Iterator[Record]]:
    def posts() -> Iterator[Record]:
        for line in (WRITTEN / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = orjson.loads(line)
                yield {"id": r["id"], "url": r.get("url"), "text": r["text"]}

    return posts


@dataclass(frozen=True)
class Genre:
    name: str
    records: Callable[[], Iterator[Record]]
    needs: Path  # the genre exists when this file does
    html: bool = False
    max_docs: int | None = None  # a seeded draw of this many documents (--max-docs, when smaller, wins)


GENRES = (
    Genre("naver_news", naver_news, DATA / "naver_news_raw" / "naver_news_dev.jsonl.gz"),
    Genre("chosun", chosun, DATA / "chosun_rss_neardup" / "nd_docs.jsonl.gz"),
    Genre("kocohub_threads", kocohub_threads, DATA / "korean_hate_speech_kocohub"),
    Genre("kocohub_comments", kocohub_comments, DATA / "korean_hate_speech_kocohub"),
    Genre("cc_by_prose", cc_by_prose, DATA / "korean_cc_by_text"),
    Genre("web_en", web_pages("en"), DATA / "trafilatura_eval" / "trafilatura_eval.jsonl.gz", html=True),
    Genre("web_de", web_pages("de"), DATA / "trafilatura_eval" / "trafilatura_eval.jsonl.gz", html=True),
    Genre("kisa_nonspam", kisa(False), DATA / "kisa_spam_sms" / "kisa_spam_sms.jsonl.gz", max_docs=KISA_SAMPLE),
    Genre("kisa_spam", kisa(True), DATA / "kisa_spam_sms" / "kisa_spam_sms.jsonl.gz", max_docs=KISA_SAMPLE),
    Genre("community", written("community_posts"), WRITTEN / "community_posts.jsonl"),
    Genre("spam_pages", written("spam_pages"), WRITTEN / "spam_pages.jsonl"),
)


def sample_records(records: list[Record], n: int | None) -> list[Record]:
    """A seeded draw of n records, in their input order."""
    if not n or len(records) <= n:
        return records
    keep = set(random.Random(SEED).sample(range(len(records)), n))
    return [r for i, r in enumerate(records) if i in keep]


def write_inputs(records: list[Record], folder: Path) -> list[str]:
    """Plain JSONL files, several when there are many records: a compressed file is one shard, and one shard
    keeps the second worker idle."""
    folder.mkdir(parents=True, exist_ok=True)
    for f in folder.glob("part-*.jsonl"):
        f.unlink()
    parts = max(1, min(4, len(records) // 200))
    size = -(-len(records) // parts)
    for p in range(parts):
        chunk = records[p * size : (p + 1) * size]
        (folder / f"part-{p}.jsonl").write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in chunk))
    return [str(folder)]


# --- reading a run's output: cuts -----------------------------------------------------------------------------


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class CutItem:
    """One judgeable cut: an edit of a non-normalising step, or a drop (edit None, removed = text at the drop)."""

    doc: str
    rule: str
    column: str
    removed: str
    reason: str
    edit: Edit | None = None
    document: Document | None = field(default=None, repr=False)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.doc, self.rule, sha1(self.removed))


def read_output(out: Path) -> Iterator[Document]:
    for _, record in iter_records(out):  # (whatever the run's compression)
        yield Document.from_record(record)


def cuts_of(doc: Document, kinds: dict[str, str]) -> Iterator[CutItem]:
    for e in doc.edits:
        kind = kinds.get(e.step, e.step)
        if kind not in NORMALISATION:
            yield CutItem(doc.id, e.rule, kind, e.removed, e.reason, e, doc)
    if doc.dropped:
        _, rule, reason = doc.dropped
        yield CutItem(doc.id, rule, "dropped", doc.text, reason, None, doc)


def sampled(items: list[CutItem], n: int) -> list[CutItem]:
    """The n cuts whose seeded hash of their key is smallest (one per key). A cut of white space only (a drop
    of a document that earlier cuts emptied) removes nothing to judge: it is counted, not sampled."""
    unique = {c.key: c for c in items if c.removed.strip()}
    order = sorted(unique, key=lambda k: sha1(f"{SEED}\x1f{k[0]}\x1f{k[1]}\x1f{k[2]}"))
    return [unique[k] for k in order[:n]]


def load_judgements(genre: str) -> dict[tuple[str, str, str], dict[str, Any]]:
    path = JUDGEMENTS / f"{genre}.jsonl"
    if not path.exists():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            j = orjson.loads(line)
            out[(j["doc"], j["rule"], j["sha1"])] = j
    return out


@dataclass
class Row:
    genre: str
    docs: int = 0
    chars_in: int = 0
    chars_cut: Counter[str] = field(default_factory=Counter)
    cuts: Counter[str] = field(default_factory=Counter)
    drop_rules: Counter[str] = field(default_factory=Counter)
    judged: int = 0
    wrong: int = 0
    unjudged: int = 0
    wrong_by_column: Counter[str] = field(default_factory=Counter)
    judged_by_column: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def share_cut(self) -> float:
        return sum(self.chars_cut.values()) / max(self.chars_in, 1)


def measure(genre: str, out: Path, kinds: dict[str, str], sample: int) -> tuple[Row, list[CutItem]]:
    stats = orjson.loads((out / "stats.json").read_bytes())
    row = Row(genre, docs=stats["input_records"], chars_in=stats["chars_in"])
    items: list[CutItem] = []
    for doc in read_output(out):
        for c in cuts_of(doc, kinds):
            items.append(c)
            row.cuts[c.column] += 1
            row.chars_cut[c.column] += len(c.removed)
            if c.column == "dropped":
                row.drop_rules[c.rule] += 1
    chosen = sampled(items, sample)
    verdicts = load_judgements(genre)
    for c in chosen:
        j = verdicts.get(c.key)
        if j is None:
            row.unjudged += 1
            continue
        row.judged += 1
        row.judged_by_column[c.column] += 1
        if j["verdict"] == "wrong":
            row.wrong += 1
            row.wrong_by_column[c.column] += 1
    return row, chosen


# --- printing ----------------------------------------------------------------------------------------------


def columns_of(rows: list[Row]) -> list[str]:
    present = {k for r in rows for k in r.cuts}
    return [c for c in COLUMNS if c in present or c != "templates"] + sorted(present - {*COLUMNS, "dropped"})


def table(rows: list[Row]) -> str:
    cols = columns_of(rows)
    head = ["genre", "docs", "chars in", "cut", *cols, "dropped", "wrong cuts (judged)", "unjudged"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        wrong = f"{r.wrong / r.judged:.1%} ({r.wrong}/{r.judged})" if r.judged else "-"
        cells = [r.genre, f"{r.docs:,}", f"{r.chars_in:,}", f"{r.share_cut():.2%}"]
        cells += [f"{r.cuts[c]:,}" for c in cols] + [f"{r.cuts['dropped']:,}", wrong, str(r.unjudged)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def share_table(rows: list[Row]) -> str:
    cols = [*columns_of(rows), "dropped"]
    head = ["genre (share of characters in)", *cols]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        lines.append("| " + " | ".join([r.genre, *(f"{r.chars_cut[c] / max(r.chars_in, 1):.2%}" for c in cols)]) + " |")
    return "\n".join(lines)


def by_step(rows: list[Row]) -> str:
    judged: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    for r in rows:
        judged.update(r.judged_by_column)
        wrong.update(r.wrong_by_column)
    cells = [f"{c} {wrong[c]}/{judged[c]}" for c in [*COLUMNS, "dropped"] if judged[c]]
    return "wrong/judged cuts by step, all genres: " + ", ".join(cells)


def context(item: CutItem, width: int = 160) -> str:
    """The cut in the original text, marked 【…】, with `width` characters either side."""
    if item.edit is None or item.document is None:
        text = item.removed
        return f"【{text[:900]}{' …' if len(text) > 900 else ''}】"
    spans = trace(item.document.text, item.document.edits)
    i = next(k for k, s in enumerate(spans) if s.edit is item.edit)
    before = "".join(s.text for s in spans[:i])[-width:]
    after = "".join(s.text for s in spans[i + 1 :])[:width]
    return f"…{before}【{spans[i].text}】{after}…"


# --- commands ----------------------------------------------------------------------------------------------


def run_genre(g: Genre, out: Path, recipe: dict[str, Any], max_docs: int | None) -> float:
    records = sample_records(list(g.records()), min(n for n in (g.max_docs, max_docs, 10**12) if n))
    inputs = write_inputs(records, out / "inputs" / g.name)
    t0 = time.perf_counter()
    fields = Fields(html="html") if g.html else Fields()
    local.run(inputs, out / "runs" / g.name, recipe, workers=WORKERS, fields=fields, overwrite=True, progress=False)
    return time.perf_counter() - t0


def step_kinds(recipe: dict[str, Any]) -> dict[str, str]:
    return {s.name: s.kind for s in recipes.build(recipes.split_corpus_stage(recipe)[0])}


def available(names: str | None) -> list[Genre]:
    wanted = names.split(",") if names else None
    unknown = set(wanted or ()) - {g.name for g in GENRES}
    if unknown:
        sys.exit(f"unknown genre(s): {', '.join(sorted(unknown))}; known: {', '.join(g.name for g in GENRES)}")
    return [g for g in GENRES if (wanted is None or g.name in wanted) and g.needs.exists()]


def show(genre: str, out: Path, kinds: dict[str, str], sample: int) -> list[CutItem]:
    """The sampled cuts of `genre` that have no verdict yet, numbered as --judge expects them."""
    _, chosen = measure(genre, out / "runs" / genre, kinds, sample)
    verdicts = load_judgements(genre)
    return [c for c in chosen if c.key not in verdicts]


def judge(genre: str, todo: list[CutItem], verdicts: str, notes: list[str]) -> None:
    letters = verdicts.replace(" ", "")
    if len(letters) != len(todo) or set(letters) - {"r", "w"}:
        sys.exit(f"{len(todo)} unjudged cuts: give as many verdicts, r (right) or w (wrong), got {len(letters)}")
    note = {int(k): v for k, _, v in (n.partition("=") for n in notes)}
    JUDGEMENTS.mkdir(parents=True, exist_ok=True)
    with open(JUDGEMENTS / f"{genre}.jsonl", "ab") as fh:
        for n, (c, v) in enumerate(zip(todo, letters, strict=True), 1):
            doc, rule, digest = c.key
            j = {"doc": doc, "rule": rule, "sha1": digest, "verdict": "right" if v == "r" else "wrong"}
            if n in note:
                j["note"] = note[n]
            fh.write(orjson.dumps(j) + b"\n")
    print(f"{genre}: {len(todo)} verdicts added ({letters.count('w')} wrong)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--recipe", default=None, help="recipe name or file (default: the default recipe)")
    ap.add_argument("--sample", type=int, default=50, help="cuts per genre drawn for judging")
    ap.add_argument("--out", type=Path, default=Path("/tmp/malgeum-genres"), help="work folder (inputs, runs)")
    ap.add_argument("--genres", help="comma-separated subset")
    ap.add_argument("--max-docs", type=int, default=0, help="draw at most N documents of every genre (0: all)")
    ap.add_argument("--show", metavar="GENRE", help="print the sampled cuts of GENRE not judged yet (no run)")
    ap.add_argument("--judge", nargs=2, metavar=("GENRE", "VERDICTS"), help="r/w for each cut --show printed")
    ap.add_argument("--note", action="append", default=[], help="N=TEXT: a note on the Nth verdict (--judge)")
    a = ap.parse_args()
    recipe = recipes.load(a.recipe)
    kinds = step_kinds(recipe)
    if a.show or a.judge:
        genre = a.show or a.judge[0]
        todo = show(genre, a.out, kinds, a.sample)
        if a.judge:
            judge(genre, todo, a.judge[1], a.note)
            return 0
        for n, c in enumerate(todo, 1):
            print(f"[{n}] {c.doc}  {c.column}  {c.rule}  ({c.reason})\n    {context(c)}\n")
        print(f"{len(todo)} of {a.sample} sampled cuts of {genre} not judged")
        return 0
    rows = []
    for g in available(a.genres):
        seconds = run_genre(g, a.out, recipe, a.max_docs or None)
        row, _ = measure(g.name, a.out / "runs" / g.name, kinds, a.sample)
        row.seconds = seconds
        rows.append(row)
        print(f"{g.name}: {row.docs:,} documents in {seconds:.0f} s", file=sys.stderr)
    report = "\n\n".join([table(rows), share_table(rows), by_step(rows)])
    drops = "; ".join(f"{r.genre}: {dict(r.drop_rules.most_common())}" for r in rows if r.drop_rules)
    report += f"\n\ndropped by rule: {drops}\nrecipe: {a.recipe or 'default'}, {WORKERS} workers, "
    report += f"cleaning {sum(r.seconds for r in rows):.0f} s"
    print(report)
    (a.out / "genres.md").write_text(report + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
