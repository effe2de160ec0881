"""Main-content extractors side by side: quality on two benchmarks with their own scorers, and speed.

    python bench/extractors.py [--extractors malgeum,resiliparse,trafilatura,justext] [--repeat 3] [--recipe]

1. trafilatura's evaluation set (../shared/data/trafilatura_eval/, 990 multilingual pages with snippets a good
   extraction keeps and must drop), scored by its own `score_extraction.py` (snippet precision / recall / F1).
2. The scrapinghub article-extraction benchmark (../shared/data/scrapinghub_article_extraction/, 181 pages with
   gold article bodies), scored as `bench/html_extraction.py` scores it (token 4-gram shingles).

Both sets are split in two halves by a hash of the page id: `dev` (the first byte of sha1(id) is even) is the
half the malgeum extractor was developed on, `held` the half nobody looked at while writing it; the figures
are given for each half and for all pages.

3. Speed: pages/s of each extractor on the same 1,171 pages (html.extract alone: parse, depth check, extraction;
   pages decoded beforehand), one process, the extractors run in turn `--repeat` times; the best round of each
   is reported with its ratio to trafilatura's.

`--recipe` also scores each extraction followed by malgeum's default recipe (`Pipeline` of the default recipe).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import hashlib
import importlib.util
import io
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import orjson

from malgeum.html import decode, extract

BENCH = Path(__file__).resolve().parent
DATA = BENCH.parents[1] / "shared" / "data"
TRAF = DATA / "trafilatura_eval"
SCRAPINGHUB = DATA / "scrapinghub_article_extraction"
HALVES = ("dev", "held")


def half(page_id: str) -> str:
    return HALVES[hashlib.sha1(page_id.encode()).digest()[0] % 2]


def _module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def load_traf() -> list[dict]:
    with gzip.open(TRAF / "trafilatura_eval.jsonl.gz", "rb") as f:
        return [orjson.loads(line) for line in f]


def load_scrapinghub() -> list[dict]:
    gold = orjson.loads((SCRAPINGHUB / "ground-truth.json").read_bytes())
    pages = []
    for key, item in gold.items():
        page, _, _ = decode(gzip.decompress((SCRAPINGHUB / "html" / f"{key}.html.gz").read_bytes()))
        pages.append({"id": key, "url": item.get("url"), "html": page, "gold": item["articleBody"]})
    return pages


_FIGURES = re.compile(r"precision ([\d.]+)\s+recall ([\d.]+)\s+accuracy [\d.]+\s+F1 ([\d.]+)")


def score_traf(recs: list[dict], pred: dict[str, str]) -> tuple[float, float, float]:
    """(P, R, F1) as trafilatura_eval's own scorer prints them."""
    scorer = _module(TRAF / "score_extraction.py", "score_extraction")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        scorer.score_snippets(recs, pred)
    p, r, f = _FIGURES.search(out.getvalue()).groups()
    return float(p), float(r), float(f)


def score_scrapinghub(recs: list[dict], pred: dict[str, str]) -> tuple[float, float, float]:
    sys.path.insert(0, str(BENCH))
    import html_extraction

    return html_extraction._score([html_extraction._shares(r["gold"], pred[r["id"]]) for r in recs])


def run(extractor: str, pages: list[dict]) -> tuple[dict[str, str], float]:
    out = {}
    t0 = time.perf_counter()
    for p in pages:
        out[p["id"]] = extract(p["html"], extractor, p.get("url"))
    return out, time.perf_counter() - t0


@functools.cache
def _stoplist() -> frozenset[str]:
    """The stopwords of every language jusText knows, as trafilatura calls jusText on pages of any language."""
    import justext

    return frozenset(w for lang in justext.get_stoplists() for w in justext.get_stoplist(lang))


def _justext(page: str, url: str | None) -> str:
    import justext

    paragraphs = justext.justext(page.encode("utf-8"), _stoplist(), encoding="utf-8")
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def run_justext(pages: list[dict]) -> tuple[dict[str, str], float]:
    out = {}
    t0 = time.perf_counter()
    for p in pages:
        try:
            out[p["id"]] = _justext(p["html"], p.get("url"))
        except Exception:  # jusText raises on a few pages (empty documents): an empty extraction
            out[p["id"]] = ""
    return out, time.perf_counter() - t0


def with_recipe(pred: dict[str, str]) -> dict[str, str]:
    from malgeum import recipe as recipes
    from malgeum.document import Document
    from malgeum.pipeline import Pipeline

    pipeline = Pipeline.from_recipe(recipes.load())
    pipeline.setup()
    out = {}
    for key, text in pred.items():
        doc = pipeline.process(Document(id=key, text=text, meta={}))
        out[key] = "" if doc.dropped else doc.text
    return out


def table(
    name: str, recs: list[dict], preds: dict[str, dict[str, str]], score: Callable[..., tuple[float, float, float]]
) -> None:
    sizes = ", ".join(f"{h} {sum(half(r['id']) == h for r in recs)}" for h in HALVES)
    print(f"\n{name}: P / R / F1 per half ({sizes}, all {len(recs)} pages)")
    print(f"  {'extractor':34s}" + "".join(f"{h:>22s}" for h in (*HALVES, "all")))
    for extractor, pred in preds.items():
        cells = []
        for h in (*HALVES, "all"):
            part = [r for r in recs if h == "all" or half(r["id"]) == h]
            p, r, f = score(part, pred)
            cells.append(f"{p:.3f} {r:.3f} {f:.3f}")
        print(f"  {extractor:34s}" + "".join(f"{c:>22s}" for c in cells))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--extractors", default="malgeum,resiliparse,trafilatura,justext")
    ap.add_argument("--repeat", type=int, default=3, help="rounds of the speed measurement")
    ap.add_argument("--recipe", action="store_true", help="also score each extraction followed by the default recipe")
    a = ap.parse_args()
    if not (TRAF.exists() and SCRAPINGHUB.exists()):
        print("../shared/data/trafilatura_eval or scrapinghub_article_extraction is not here", file=sys.stderr)
        return 1
    extractors = a.extractors.split(",")
    traf, hub = load_traf(), load_scrapinghub()
    pages = traf + hub
    preds: dict[str, dict[str, str]] = {}
    best: dict[str, float] = {}
    for _ in range(a.repeat):
        for extractor in extractors:
            pred, seconds = run_justext(pages) if extractor == "justext" else run(extractor, pages)
            preds[extractor] = pred
            best[extractor] = min(seconds, best.get(extractor, seconds))
    if a.recipe:
        for extractor in extractors:
            preds[f"{extractor} + default recipe"] = with_recipe(preds[extractor])
    table("trafilatura_eval (its own scorer)", traf, preds, score_traf)
    table("scrapinghub (token 4-gram shingles)", hub, preds, score_scrapinghub)
    base = best.get("trafilatura")
    print(f"\nSpeed, {len(pages):,} pages, one process, best of {a.repeat} rounds (extraction alone):")
    for extractor in extractors:
        rate = len(pages) / best[extractor]
        ratio = f"  {best['trafilatura'] / best[extractor]:5.2f}x trafilatura" if base else ""
        print(f"  {extractor:12s} {rate:7.1f} pages/s{ratio}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
