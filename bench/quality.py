"""Cleaning quality on real Naver news against our gold: do nothing, datatrove's C4QualityFilter, malgeum.

    python bench/quality.py                  # held-out part: the figures the README reports
    python bench/quality.py --split dev --show malgeum --worst 10   # where rules may be worked on

Gold: bench/gold/naver_gold.jsonl (character ranges of ../shared/data/naver_news_raw records; policy in
bench/gold_policy.md). The raw text is read from ../shared and never stored in the project.
datatrove is a dev-only dependency; its Korean word tokenizer asks kiwipiepy for the retired "sbg" model, which
current kiwipiepy_model wheels no longer ship, so the bench lets Kiwi pick its default model instead.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import sys
import time
from collections.abc import Callable
from pathlib import Path

import orjson

from malgeum import Document, Pipeline, evaluation

HERE = Path(__file__).resolve().parent
GOLD = HERE / "gold" / "naver_gold.jsonl"
NAVER = HERE.parents[1] / "shared" / "data" / "naver_news_raw" / "naver_news_dev.jsonl.gz"
BAR_KINDS = ("email", "byline", "copyright", "prompt")


def load(split: str, naver: Path = NAVER) -> tuple[dict[str, str], dict[str, str]]:
    """(raw texts, gold texts) by id for the chosen split ("dev", "heldout" or "all")."""
    rows = [orjson.loads(line) for line in GOLD.read_bytes().splitlines() if line.strip()]
    rows = [r for r in rows if split == "all" or r["split"] == split]
    wanted = {r["id"] for r in rows}
    raws = {}
    with gzip.open(naver, "rb") as fh:
        for line in fh:
            rec = orjson.loads(line)
            if rec["id"] in wanted:
                raws[rec["id"]] = rec["text"]
    gold = {}
    for r in rows:
        raw = raws[r["id"]]
        if hashlib.sha1(raw.encode()).hexdigest() != r["sha1"]:
            raise SystemExit(f"{r['id']}: the raw text differs from the one the gold was made on")
        gold[r["id"]] = "".join(raw[s:e] for s, e in r["keep"])
    return raws, gold


def nothing() -> Callable[[str], str]:
    return lambda text: text


def c4_datatrove() -> Callable[[str], str]:
    from datatrove.data import Document as DtDocument
    from datatrove.pipeline.filters import C4QualityFilter
    from datatrove.utils import word_tokenizers
    from datatrove.utils.typeshelper import Languages

    word_tokenizers.KiwiTokenizer.__init__.__defaults__ = (None,)
    flt = C4QualityFilter(language=Languages.korean)

    def run(text: str) -> str:
        doc = DtDocument(text=text, id="x")
        kept = flt.filter(doc)
        return doc.text if kept is True else ""

    return run


def malgeum(recipe: str | None = None) -> Callable[[str], str]:
    pipe = Pipeline.from_recipe(recipe)

    def run(text: str) -> str:
        doc = pipe.process(Document("x", text))
        return "" if doc.dropped else doc.text

    return run


def malgeum_corpus() -> Callable[[str], str]:
    """The default recipe as `malgeum clean` runs it on the whole Naver file: templates learned from all
    15,118 records (their URLs included), then every record cleaned."""
    from malgeum.steps.templates import CutTemplates
    from malgeum.templates import learn_documents

    with gzip.open(NAVER, "rb") as fh:
        recs = [orjson.loads(line) for line in fh]
    table = learn_documents(Document(str(r["id"]), r["text"], {"url": r.get("url")}) for r in recs)
    urls = {r["text"]: r.get("url") for r in recs}
    pipe = Pipeline.from_recipe()
    for s in pipe.steps:
        if isinstance(s, CutTemplates):
            s.use(table)

    def run(text: str) -> str:
        doc = pipe.process(Document("x", text, {"url": urls.get(text)}))
        return "" if doc.dropped else doc.text

    return run


SYSTEMS: dict[str, Callable[[], Callable[[str], str]]] = {
    "do nothing": nothing,
    "datatrove C4QualityFilter (ko)": c4_datatrove,
    "malgeum default recipe, each record alone": malgeum,
    "malgeum default recipe, the corpus's templates": malgeum_corpus,
}


def measure(name: str, clean: Callable[[str], str], raws: dict[str, str], gold: dict[str, str]):
    t = time.perf_counter()
    preds = {i: clean(raws[i]) for i in gold}
    seconds = time.perf_counter() - t
    return evaluation.evaluate(preds, gold, raws), seconds


def table(split: str, systems: list[str]) -> str:
    raws, gold = load(split)
    n = len(gold)
    head = (
        "| system | precision | recall (story kept) | junk removed | "
        + " | ".join(f"docs with {k} left" for k in BAR_KINDS)
        + " | docs/s |"
    )
    lines = [f"{split} part: {n} documents", "", head, "|" + "---|" * (5 + len(BAR_KINDS))]
    for name in systems:
        ev, seconds = measure(name, SYSTEMS[name](), raws, gold)
        t = ev.total
        survived = ev.survived()
        jr = "-" if t.junk_removed is None else f"{t.junk_removed:.3f}"
        lines.append(
            f"| {name} | {t.precision:.3f} | {t.recall:.3f} | {jr} | "
            + " | ".join(f"{survived[k] / n:.1%}" for k in BAR_KINDS)
            + f" | {n / seconds:,.0f} |"
        )
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=("heldout", "dev", "all"), default="heldout")
    ap.add_argument("--systems", nargs="+", choices=list(SYSTEMS), default=list(SYSTEMS))
    ap.add_argument("--show", choices=list(SYSTEMS), help="print one system's per-document evaluation")
    ap.add_argument("--worst", type=int, default=5)
    a = ap.parse_args()
    if not NAVER.exists():
        print(f"needs {NAVER}", file=sys.stderr)
        return 2
    if a.show:
        raws, gold = load(a.split)
        ev, _ = measure(a.show, SYSTEMS[a.show](), raws, gold)
        print(evaluation.render(ev, worst=a.worst))
        return 0
    print(table(a.split, a.systems))
    return 0


if __name__ == "__main__":
    sys.exit(main())
