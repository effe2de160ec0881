"""Page metadata (malgeum.pagemeta): what it costs beside extraction, how often each field is found, and how it
agrees with what the pages' sources say.

    python bench/pagemeta.py [--repeats 3]

1. Cost on ../shared/data/trafilatura_eval/ (990 pages): `html.extract` alone, and with `pagemeta.read` given
   its parsed tree (as the readers run it), side by side in one process, alternating, `--repeats` times; also
   `pagemeta.from_html` (its own parse), to show what sharing the tree saves.
2. Fields found, per field, on those 990 pages and on the 2,000 Chosun Ilbo pages of
   ../shared/data/chosun_rss_neardup/chosun_raw_html_sample.jsonl.gz (`content_html`: RSS bodies, no <head>).
3. Agreement with trafilatura's `extract_metadata` on the 990 pages (title, author, site name, canonical URL,
   date's day), where both found the field; and on Chosun with the rows' own `title`, `pubDate`, `creator`.
4. Extraction F1 on the 990 pages by trafilatura's metric (their score_extraction.py), the extracted text alone
   and with the title as its first line (`pagemeta.title_first`).
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import io
import os
import time
from collections import Counter
from contextlib import redirect_stdout
from datetime import timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import orjson

from malgeum import html, pagemeta

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
EVAL = DATA / "trafilatura_eval"
CHOSUN = DATA / "chosun_rss_neardup" / "chosun_raw_html_sample.jsonl.gz"
FIELDS = ("title", "published", "modified", "author", "page_lang", "canonical", "site_name")
KST = timezone(timedelta(hours=9))


def _rows(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rb") as f:
        return [orjson.loads(line) for line in f]


def _url(row: dict[str, Any]) -> str | None:
    url = row.get("url") or row.get("link")
    return url if isinstance(url, str) and url.startswith("http") else None


def cost(pages: list[tuple[str, str | None]], repeats: int) -> None:
    """Per page, the three ways one after another (their order turning page by page), so that the machine's load,
    which other processes change, weighs on each alike."""
    runs = {
        "extract": lambda page, url: html.extract(page, url=url),
        "extract+read(tree)": lambda page, url: html.extract(
            page, url=url, inspect=lambda tree: pagemeta.read(tree, page, url)
        ),
        "extract+from_html": lambda page, url: (html.extract(page, url=url), pagemeta.from_html(page, url)),
    }
    names = list(runs)
    totals: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(repeats):
        spent = dict.fromkeys(names, 0.0)
        for i, (page, url) in enumerate(pages):
            for name in names[i % 3 :] + names[: i % 3]:
                start = time.perf_counter()
                runs[name](page, url)
                spent[name] += time.perf_counter() - start
        for name in names:
            totals[name].append(spent[name])
    load = f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    print(f"cost on {len(pages)} pages, {repeats} rounds ({load}):")
    for name in names:
        ratios = [t / e - 1 for t, e in zip(totals[name], totals["extract"], strict=True)]
        extra = f"  +{min(ratios):.1%} .. +{max(ratios):.1%}" if name != "extract" else ""
        best = min(totals[name])
        rounds = ", ".join(f"{t:.2f}" for t in totals[name])
        print(f"  {name:20s} {best:.2f} s  {1000 * best / len(pages):.2f} ms/page{extra}   (rounds: {rounds})")


def found_rates(name: str, metas: list[dict[str, str]]) -> None:
    n = len(metas)
    counts = Counter(k for m in metas for k in m)
    print(f"fields found on {name} ({n} pages): " + ", ".join(f"{k} {counts[k]} ({counts[k] / n:.0%})" for k in FIELDS))


def _same(a: str, b: str) -> bool:
    return pagemeta._key(a) == pagemeta._key(b)


def _key_has(longer: str, shorter: str) -> bool:
    a, b = pagemeta._key(longer), pagemeta._key(shorter)
    return a.startswith(b) or a.endswith(b)


def _authors(value: str) -> set[str]:
    return {pagemeta._key(x) for x in value.split(";") if pagemeta._key(x)}


def _agree(name: str, pairs: list[tuple[str | None, str | None]], same: Any) -> str:
    both = [(a, b) for a, b in pairs if a and b]
    ours = sum(1 for a, _ in pairs if a)
    theirs = sum(1 for _, b in pairs if b)
    agree = sum(1 for a, b in both if same(a, b))
    share = f"{agree / len(both):.0%}" if both else "-"
    return f"  {name:10s} ours {ours:4d}  theirs {theirs:4d}  both {len(both):4d}  agree {agree:4d} ({share})"


def against_trafilatura(rows: list[dict[str, Any]], metas: list[dict[str, str]], show: int) -> None:
    from trafilatura.metadata import extract_metadata

    theirs = [extract_metadata(r["html"], default_url=_url(r)).as_dict() for r in rows]
    print("agreement with trafilatura.extract_metadata on the 990 pages (where both found the field):")
    checks = [
        ("title", "title", _same),
        ("author", "author", lambda a, b: bool(_authors(a) & _authors(b))),
        ("site_name", "sitename", _same),
        ("canonical", "url", lambda a, b: a.rstrip("/") == b.rstrip("/")),
        ("published", "date", lambda a, b: a[:10] == b[:10]),
    ]
    for ours_key, their_key, same in checks:
        pairs = [(m.get(ours_key), t.get(their_key)) for m, t in zip(metas, theirs, strict=True)]
        print(_agree(ours_key, pairs, same))
        if ours_key == "title":  # trafilatura keeps og:title whole; ours trims a site name off it
            longer = sum(1 for a, b in pairs if a and b and not same(a, b) and _key_has(b, a))
            print(f"             of the others, theirs is ours and more (a site name left on): {longer}")
        if show:
            wrong = [(r["id"], a, b) for r, (a, b) in zip(rows, pairs, strict=True) if a and b and not same(a, b)]
            for rid, a, b in wrong[:show]:
                print(f"      {rid}: ours {a!r} | theirs {b!r}")
    langs = [(m.get("page_lang"), r["html"]) for m, r in zip(metas, rows, strict=True)]
    print(f"  page_lang  found {sum(1 for a, _ in langs if a)} (the set's own languages are its <html lang>: no check)")


def _chosun_day(pub: str) -> str:
    return parsedate_to_datetime(pub).astimezone(KST).date().isoformat()


def against_chosun(rows: list[dict[str, Any]], metas: list[dict[str, str]]) -> None:
    print("Chosun pages against the rows' own fields (their pages are RSS bodies: no <head>, no <meta>):")
    first = sum(1 for r in rows if pagemeta._key(_first_line(r)).startswith(pagemeta._key(r.get("title"))))
    print(f"  read as records with their own title (Fields(html='content_html')): the first line holds it on {first}")
    print(_agree("title", [(m.get("title"), r.get("title")) for m, r in zip(metas, rows, strict=True)], _same))
    pairs = [(m.get("published"), r.get("pubDate")) for m, r in zip(metas, rows, strict=True)]
    print(_agree("published", pairs, lambda a, b: a[:10] == _chosun_day(b)))
    pairs = [(m.get("author"), r.get("creator")) for m, r in zip(metas, rows, strict=True)]
    print(_agree("author", pairs, lambda a, b: bool(_authors(a) & _authors(b))))


def _first_line(row: dict[str, Any]) -> str:
    text = html.extract(row["content_html"], url=row.get("link"))
    return pagemeta.title_first(text, pagemeta.clean_title(row.get("title"))).split("\n", 1)[0]


def _scorer() -> Any:
    spec = importlib.util.spec_from_file_location("score_extraction", EVAL / "score_extraction.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def f1_with_title(rows: list[dict[str, Any]], metas: list[dict[str, str]]) -> None:
    score = _scorer().score_snippets
    texts = {r["id"]: html.extract(r["html"], url=_url(r)) for r in rows}
    titled = {r["id"]: pagemeta.title_first(texts[r["id"]], m.get("title")) for r, m in zip(rows, metas, strict=True)}
    added = sum(1 for k in texts if titled[k] != texts[k])
    print(f"extraction on the 990 pages by trafilatura's metric (title line added to {added} pages):")
    for name, pred in (("extract alone", texts), ("with title line", titled)):
        out = io.StringIO()
        with redirect_stdout(out):
            score(rows, pred)
        print(f"  {name:16s} {out.getvalue().strip()}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--show", type=int, default=0, help="disagreements with trafilatura to print, per field")
    args = ap.parse_args()
    rows = _rows(EVAL / "trafilatura_eval.jsonl.gz")
    cost([(r["html"], _url(r)) for r in rows], args.repeats)
    metas = [pagemeta.from_html(r["html"], _url(r)) for r in rows]
    found_rates("trafilatura_eval", metas)
    chosun = _rows(CHOSUN)
    chosun_metas = [pagemeta.from_html(r["content_html"], r.get("link")) for r in chosun]
    found_rates("Chosun RSS bodies", chosun_metas)
    against_trafilatura(rows, metas, args.show)
    against_chosun(chosun, chosun_metas)
    f1_with_title(rows, metas)


if __name__ == "__main__":
    main()
