"""Character precision, recall and junk removed of cleaned text against a careful reader's gold text.

The same measure as ../shared/tools/score_clean.py: lines are whitespace-folded, blank lines dropped, and
kept text is aligned to gold with difflib (no autojunk), so a sentence kept twice counts once.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass


def norm_lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def overlap(pred: str, gold: str) -> tuple[int, int, int]:
    """(matched chars, pred chars, gold chars)."""
    p, g = norm_lines(pred), norm_lines(gold)
    pc, gc = sum(map(len, p)), sum(map(len, g))
    sm = difflib.SequenceMatcher(None, "\n".join(p), "\n".join(g), autojunk=False)
    matched = sum(b.size for b in sm.get_matching_blocks())
    return min(matched, pc, gc), pc, gc


@dataclass
class Score:
    matched: int = 0
    pred_chars: int = 0
    gold_chars: int = 0
    junk_in: int = 0  # input chars not in gold (when the raw input is known)
    docs: int = 0

    def add(self, pred: str, gold: str, raw: str | None = None) -> Score:
        m, pc, gc = overlap(pred, gold)
        self.matched += m
        self.pred_chars += pc
        self.gold_chars += gc
        if raw is not None:
            _, rc, _ = overlap(raw, gold)
            self.junk_in += rc - gc
        self.docs += 1
        return self

    def merge(self, other: Score) -> Score:
        self.matched += other.matched
        self.pred_chars += other.pred_chars
        self.gold_chars += other.gold_chars
        self.junk_in += other.junk_in
        self.docs += other.docs
        return self

    @property
    def precision(self) -> float:
        return self.matched / self.pred_chars if self.pred_chars else (1.0 if self.gold_chars == 0 else 0.0)

    @property
    def recall(self) -> float:
        return self.matched / self.gold_chars if self.gold_chars else 1.0

    @property
    def junk_removed(self) -> float | None:
        return 1 - (self.pred_chars - self.matched) / self.junk_in if self.junk_in > 0 else None

    def summary(self) -> str:
        jr = self.junk_removed
        return f"docs={self.docs} precision={self.precision:.4f} recall={self.recall:.4f}" + (
            f" junk_removed={jr:.4f}" if jr is not None else ""
        )
