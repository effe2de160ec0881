"""Does a language pack act only on text of its language? Pages that are not Korean, cleaned as a user would,
and the edits counted by the language of the rule that made them.

    python bench/pack_language.py [--out DIR] [--recipes default,web]

Inputs, read from ../shared/data here and never stored in the project:
  trafilatura_eval  its pages with fewer than 20 Hangul syllables in the HTML (989 of 990: English, German,
                    French, ... news, blogs, forums, company and government sites), `--html-field html`
  scrapinghub       its 181 article pages (two of them Korean: entermedia.co.kr), `--html-field html`
  naver_english     the Naver News records written in Latin letters (Korea JoongAng Daily; 180 of the 206 are a
                    bare link to a video), as text
Each set is cleaned with each recipe by `malgeum clean`; the table gives, per set and recipe, the edits and the
dropped documents of Korean (`ko.`) and English (`en.`) pack rules, and the documents they touched.
"""

from __future__ import annotations

import argparse
import gzip
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import orjson

from malgeum.explain import iter_records

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
_HANGUL = re.compile("[\uac00-\ud7a3]")
_LATIN = re.compile("[A-Za-z]")


def write_sets(folder: Path) -> dict[str, tuple[Path, list[str]]]:
    """{set: (its JSONL file, the extra `malgeum clean` arguments it needs)}."""
    folder.mkdir(parents=True, exist_ok=True)
    sets: dict[str, tuple[Path, list[str]]] = {}
    traf = folder / "trafilatura_eval.jsonl"
    with gzip.open(DATA / "trafilatura_eval" / "trafilatura_eval.jsonl.gz", "rb") as f, traf.open("wb") as out:
        for line in f:
            r = orjson.loads(line)
            if len(_HANGUL.findall(r["html"])) < 20:
                out.write(orjson.dumps({"id": r["id"], "html": r["html"], "url": r["url"]}) + b"\n")
    sets["trafilatura_eval"] = (traf, ["--html-field", "html"])
    sh = folder / "scrapinghub.jsonl"
    with sh.open("wb") as out:
        for p in sorted((DATA / "scrapinghub_article_extraction" / "html").glob("*.html.gz")):
            page = gzip.decompress(p.read_bytes()).decode("utf-8", "replace")
            out.write(orjson.dumps({"id": p.name[:16], "html": page}) + b"\n")
    sets["scrapinghub"] = (sh, ["--html-field", "html"])
    naver = folder / "naver_english.jsonl"
    with gzip.open(DATA / "naver_news_raw" / "naver_news_dev.jsonl.gz", "rb") as f, naver.open("wb") as out:
        for line in f:
            r = orjson.loads(line)
            if len(_LATIN.findall(r["text"])) > 3 * len(_HANGUL.findall(r["text"])):
                out.write(orjson.dumps({"id": r["id"], "text": r["text"], "url": r["url"]}) + b"\n")
    sets["naver_english"] = (naver, [])
    return sets


def count(run: Path) -> dict[str, Counter[str]]:
    """Per pack prefix: edits, dropped documents and documents touched, and the rules by edits."""
    out: dict[str, Counter[str]] = {p: Counter() for p in ("ko.", "en.")}
    for _, record in iter_records(run):  # kept and dropped, whatever the run's compression
        m = record["meta"].get("malgeum", {})
        for prefix, c in out.items():
            rules = [e["rule"] for e in m.get("edits", []) if e["rule"].startswith(prefix)]
            dropped = (m.get("dropped") or {}).get("rule", "")
            c["edits"] += len(rules)
            c["docs"] += bool(rules)
            c["dropped"] += dropped.startswith(prefix)
            c.update(f"rule {r}" for r in rules)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("/tmp/malgeum-pack-language"))
    ap.add_argument("--recipes", default="default,web")
    a = ap.parse_args()
    sets = write_sets(a.out / "inputs")
    print("| set | recipe | ko. edits | ko. docs | ko. dropped | en. edits | en. docs | Korean rules that acted |")
    print("|---|---|---|---|---|---|---|---|")
    for name, (path, extra) in sets.items():
        for recipe in a.recipes.split(","):
            run = a.out / "runs" / f"{name}-{recipe}"
            cmd = [sys.executable, "-m", "malgeum.cli", "clean", str(path), "-o", str(run), "-q", "--overwrite"]
            done = subprocess.run([*cmd, "--recipe", recipe, *extra], capture_output=True, text=True)
            if done.returncode:
                raise SystemExit(f"{name}, {recipe}: malgeum clean failed:\n{done.stderr}")
            c = count(run)
            ko, en = c["ko."], c["en."]
            rules = ", ".join(f"{k[5:]} {v}" for k, v in ko.most_common() if k.startswith("rule ")) or "-"
            print(
                f"| {name} | {recipe} | {ko['edits']} | {ko['docs']} | {ko['dropped']} | {en['edits']} | {en['docs']} "
                f"| {rules} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
