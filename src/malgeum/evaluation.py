"""Judge cleaned text against a careful reader's gold: figures per document, the junk that survived, by kind.

The figures are those of `scoring.Score` (and of ../shared/tools/score_clean.py). On top of them this module
says *what* went wrong: which junk survived (an e-mail, a byline, a copyright line...) and which story text was
lost, shown in place.
"""

from __future__ import annotations

import difflib
import gzip
import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from malgeum.scoring import Score, norm_lines

# Kinds of junk a reader recognises, tried in this order on each piece of surviving junk. Patterns are bounded
# and run on short pieces (one junk run at a time); they describe junk for reporting, they do not cut anything.
JUNK_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,5}")),
    (
        "copyright",
        re.compile(r"ⓒ|©|\(c\)|copyright|무단\s?전재|재배포\s?금지|all rights reserved|저작권자", re.I),
    ),
    (
        "prompt",
        re.compile(
            r"제보|구독|카카오톡|카톡|홈페이지\s?:|앱\s?다운|알림\s?설정|subscribe|sign up|newsletter|"
            r"follow us|자살예방|상담전화",
            re.I,
        ),
    ),
    (
        "broadcast",
        re.compile(
            r"\[(?:앵커|기자|리포트|인터뷰|현장음|녹취)\]|동영상 뉴스|영상\s?(?:취재|편집)|촬영\s?기자|"
            r"(?:뉴스|YTN|KBS|MBC|SBS|JTBC|MBN|TV)\s?[가-힣]{2,4}(?:입니다|였습니다)",
        ),
    ),
    (
        "credit",
        re.compile(
            r"사진\s?[=:]|그래픽\s?[=:]|이미지\s?출처|자료\s?사진|\d{4}\.\d{1,2}\.\d{1,2}\s?/|"
            r"/\s?(?:뉴스1|뉴시스|연합뉴스)|제공\]?\s*$|photo|getty|AP|AFP|Reuters",
        ),
    ),
    (
        "byline",
        re.compile(
            r"[가-힣]{2,4}\s?(?:기자|특파원|논설위원|앵커|리포터|통신원)|=\s?[가-힣]{2,10}(?:뉴스|일보|신문)|"
            r"[(\[【][가-힣]{2,6}\s?=\s?[가-힣A-Za-z0-9]{2,12}[)\]】]|\bBy [A-Z][a-z]{1,20}",
        ),
    ),
    ("link", re.compile(r"^\s*[▶☞▷►]|https?://|www\.|#[^\s#]{1,30}")),
)
REPORTED_KINDS = ("email", "byline", "credit", "copyright", "prompt", "broadcast", "link", "repeat", "other")


@dataclass
class DocResult:
    id: str
    score: Score
    junk_kept: list[str] = field(default_factory=list)  # pieces of predicted text not in gold
    story_lost: list[str] = field(default_factory=list)  # pieces of gold text not in the prediction
    kinds: Counter[str] = field(default_factory=Counter)  # kind of each surviving piece of junk
    shown: str = ""  # the prediction with junk kept and story lost marked in place

    @property
    def damage(self) -> int:
        """Characters wrong in this document: junk kept plus story lost."""
        s = self.score
        return (s.pred_chars - s.matched) + (s.gold_chars - s.matched)


def junk_kinds(piece: str, gold_norm: str) -> set[str]:
    """Every kind of junk in a piece of surviving text, judged line by line (a run of junk often holds a byline,
    an e-mail and a 제보 prompt at once)."""
    kinds = set()
    for line in piece.split("\n"):
        folded = " ".join(line.split())
        if not folded:
            continue
        if len(folded) >= 8 and folded in gold_norm:
            kinds.add("repeat")
            continue
        found = {kind for kind, pattern in JUNK_KINDS if pattern.search(folded)}
        kinds |= found or {"other"}
    return kinds


def judge(doc_id: str, pred: str, gold: str, raw: str | None = None) -> DocResult:
    p, g = "\n".join(norm_lines(pred)), "\n".join(norm_lines(gold))
    result = DocResult(doc_id, Score().add(pred, gold, raw))
    sm = difflib.SequenceMatcher(None, p, g, autojunk=False)
    shown: list[str] = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            shown.append(p[i1:i2])
            continue
        if i2 > i1:
            piece = p[i1:i2]
            if piece.strip():
                result.junk_kept.append(piece)
                result.kinds.update(junk_kinds(piece, g))
            shown.append(f"⟦+junk: {piece}⟧")
        if j2 > j1:
            piece = g[j1:j2]
            if piece.strip():
                result.story_lost.append(piece)
            shown.append(f"⟦-lost: {piece}⟧")
    result.shown = "".join(shown)
    return result


def in_place(shown: str, context: int = 1) -> str:
    """Only the lines that carry a mark, with `context` lines around them."""
    lines = shown.split("\n")
    marked = {i for i, line in enumerate(lines) if "⟦" in line or "⟧" in line}
    keep = sorted({j for i in marked for j in range(i - context, i + context + 1) if 0 <= j < len(lines)})
    out, last = [], -1
    for j in keep:
        if j != last + 1:
            out.append("  …")
        out.append(f"  {lines[j]}")
        last = j
    return "\n".join(out)


# -- reading predictions, gold and raw input -----------------------------------------------------------------


def _jsonl_rows(path: Path) -> Iterator[dict[str, Any]]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as fh:
        for line in fh:
            if line.strip():
                yield orjson.loads(line)


def read_texts(path: Path, field_name: str = "text") -> dict[str, str]:
    """id -> text from a malgeum output folder (dropped documents count as empty), JSONL, or one text file."""
    if path.is_dir():
        from malgeum.explain import iter_records

        return {str(r["id"]): ("" if sub == "dropped" else r["text"]) for sub, r in iter_records(path)}
    if ".jsonl" in path.name:
        return {str(r["id"]): r.get(field_name) or "" for r in _jsonl_rows(path)}
    return {"": path.read_text(encoding="utf-8")}


class GoldError(ValueError):
    pass


def read_gold(path: Path, raws: dict[str, str]) -> dict[str, str]:
    """id -> gold text. JSONL rows are {id, gold} or {id, keep: [[start, end], ...], sha1?} over the raw text."""
    if ".jsonl" not in path.name:
        return {"": path.read_text(encoding="utf-8")}
    gold = {}
    for r in _jsonl_rows(path):
        doc_id = str(r["id"])
        if "gold" in r:
            gold[doc_id] = r["gold"]
            continue
        raw = raws.get(doc_id, raws.get("") if len(raws) == 1 else None)  # (a raw text file: its one text)
        if raw is None:
            raise GoldError(f"gold {doc_id} is given as character ranges: pass --raw with its input text")
        if "sha1" in r and hashlib.sha1(raw.encode()).hexdigest() != r["sha1"]:
            raise GoldError(f"gold {doc_id}: the raw text differs from the one the gold was made on")
        gold[doc_id] = "".join(raw[s:e] for s, e in r["keep"])
    return gold


@dataclass
class Evaluation:
    docs: list[DocResult]
    total: Score

    def survived(self) -> dict[str, int]:
        """Number of documents in which each kind of junk survived."""
        return {k: sum(1 for d in self.docs if d.kinds[k]) for k in REPORTED_KINDS}

    def to_json(self) -> dict[str, Any]:
        t = self.total
        return {
            "overall": {"docs": t.docs, "precision": t.precision, "recall": t.recall, "junk_removed": t.junk_removed},
            "survived_in_docs": self.survived(),
            "documents": [
                {
                    "id": d.id,
                    "precision": d.score.precision,
                    "recall": d.score.recall,
                    "junk_removed": d.score.junk_removed,
                    "junk_kept": d.junk_kept,
                    "story_lost": d.story_lost,
                    "kinds": dict(d.kinds),
                }
                for d in self.docs
            ],
        }


def align(
    preds: dict[str, str], gold: dict[str, str], raws: dict[str, str] | None = None
) -> tuple[dict[str, str], dict[str, str], dict[str, str] | None]:
    """Predictions, gold and raw texts under the same ids. A gold, prediction or raw text given as one plain
    text file has no id: it is the one document of the others (named by the prediction's id), which must then
    hold one. Raises GoldError when no gold id is among the predictions' (mismatched ids would score 0)."""
    if "" in gold and len(gold) == 1:
        if len(preds) != 1:
            raise GoldError(
                f"the gold is one text file, so PRED must hold one document; it holds {len(preds):,} "
                "(give the gold as JSONL {id, gold} to score several)"
            )
        gold = {next(iter(preds)): gold[""]}

    def keyed(texts: dict[str, str]) -> dict[str, str]:
        if len(gold) == 1 and len(texts) == 1 and "" in texts:  # one text file: the gold's one document
            return {next(iter(gold)): texts[""]}
        return texts

    preds = keyed(preds)
    raws = keyed(raws) if raws is not None else None
    if preds and not set(gold) & set(preds):
        g, p = sorted(gold)[:3], sorted(preds)[:3]
        raise GoldError(f"no gold id is among the predictions' ids (gold: {g}, PRED: {p}): are they of one corpus?")
    return preds, gold, raws


def evaluate(preds: dict[str, str], gold: dict[str, str], raws: dict[str, str] | None = None) -> Evaluation:
    """A gold id missing from the predictions counts as an empty prediction (the cleaner dropped it)."""
    total = Score()
    docs = []
    for doc_id, g in gold.items():
        raw = raws.get(doc_id) if raws is not None else None
        d = judge(doc_id, preds.get(doc_id, ""), g, raw)
        total.merge(d.score)
        docs.append(d)
    return Evaluation(docs, total)


def _fig(x: float | None) -> str:
    return "  -   " if x is None else f"{x:.4f}"


def render(ev: Evaluation, worst: int = 5) -> str:
    out = [f"{'id':<24} {'precision':>9} {'recall':>7} {'junk_removed':>12}  junk kinds kept"]
    for d in ev.docs:
        s = d.score
        kinds = ", ".join(f"{k}×{n}" for k, n in sorted(d.kinds.items())) or "-"
        out.append(f"{d.id:<24} {_fig(s.precision):>9} {_fig(s.recall):>7} {_fig(s.junk_removed):>12}  {kinds}")
    bad = sorted((d for d in ev.docs if d.damage), key=lambda d: -d.damage)[:worst]
    if bad:
        out.append(f"\nWorst {len(bad)} document(s), ⟦+junk: …⟧ kept but not gold, ⟦-lost: …⟧ gold but not kept:")
        for d in bad:
            out.append(f"\n# {d.id}: {d.damage} characters wrong")
            out.append(in_place(d.shown))
    n = len(ev.docs)
    survived = ev.survived()
    out.append("\nJunk that survived, by kind (documents):")
    out.append("  " + "  ".join(f"{k} {c} ({c / n:.1%})" for k, c in survived.items() if n) if n else "  -")
    out.append(f"\nOverall: {ev.total.summary()}")
    return "\n".join(out)
