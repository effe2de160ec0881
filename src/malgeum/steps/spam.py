"""Cut gambling, adult and loan SEO spam: keyword-stuffed lines and the word salad around them."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from malgeum import langpacks
from malgeum.document import Cut, Document
from malgeum.lines import line_bounds, line_of, line_starts, non_overlapping, whole_line
from malgeum.step import Step

# A keyword used as a word of a sentence is followed by a particle or closed by a quote; stuffed keywords
# stand bare between spaces.
_GRAMMATICAL = re.compile(r"(?:을|를|이|가|은|는|에|에서|의|와|과|으로|로|도|만|까지|처럼|['\"’”」』])")


def _keyword_regex(data: dict) -> str | None:
    stems = sorted({s for group in (data.get("stems") or {}).values() for s in group}, key=len, reverse=True)
    prefixes = sorted(data.get("prefixes") or [], key=len, reverse=True)
    suffixes = sorted(data.get("suffixes") or [], key=len, reverse=True)
    parts = []
    if stems and prefixes:
        parts.append(f"(?:{'|'.join(map(re.escape, prefixes))})(?:{'|'.join(map(re.escape, stems))})")
    if stems and suffixes:
        parts.append(f"(?:{'|'.join(map(re.escape, stems))})(?:{'|'.join(map(re.escape, suffixes))})")
    parts += [f"(?:{p})" for p in data.get("phrases") or []]
    return "|".join(parts) or None


class CutSpam(Step):
    """Score each line by its spam keywords, then judge it with its neighbours.

    A line with a keyword is spam unless it reads like a story sentence (a formal sentence ending, the
    keyword used with a particle) and no other spam line stands within `window` lines. A line without a
    keyword is spam when spam lines stand within `window` lines on both sides of it (the salad between
    stuffed lines). A news sentence that merely mentions 카지노 stays.
    """

    kind = "spam"

    def __init__(self, langs: Sequence[str] = ("ko", "en"), window: int = 3, name: str | None = None) -> None:
        super().__init__(name)
        self.window = window
        kws, ends = [], []
        for lang in langs:
            data = langpacks.load(lang, "spam")
            if rx := _keyword_regex(data):
                kws.append(rx)
            if data.get("story_line_end"):
                ends.append(data["story_line_end"])
        self._keywords = re.compile("|".join(f"(?:{k})" for k in kws)) if kws else None
        self._story_end = re.compile("|".join(f"(?:{e})" for e in ends)) if ends else None

    def apply(self, doc: Document) -> None:
        if self._keywords is None:
            return
        text = doc.text
        hits = list(self._keywords.finditer(text))
        if not hits:
            return
        bounds = line_bounds(text)
        starts = line_starts(bounds)
        bare: dict[int, int] = {}
        used: dict[int, int] = {}
        for m in hits:
            i = line_of(starts, m.start())
            if _GRAMMATICAL.match(text, m.end()) or (m.start() > 0 and text[m.start() - 1] in "'\"‘“「『"):
                used[i] = used.get(i, 0) + 1
            else:
                bare[i] = bare.get(i, 0) + 1

        def story_like(i: int) -> bool:
            s, e = bounds[i]
            line = text[s:e].strip()
            return len(line) >= 20 and bool(self._story_end and self._story_end.search(line))

        flagged = sorted(set(bare) | set(used))
        loud = {i for i in flagged if not story_like(i) or (i in bare and i not in used and bare[i] >= 3)}
        w = self.window
        spam = {i for i in flagged if i in loud or any(abs(i - j) <= w for j in loud if j != i)}
        if not spam:
            return
        doc.scores["spam_lines"] = len(spam)
        cuts = []
        for i in sorted(spam):
            s, e = bounds[i]
            n = bare.get(i, 0) + used.get(i, 0)
            cuts.append(
                Cut(
                    *whole_line(text, s, e),
                    "spam.keyword_line",
                    f"{n} spam keyword(s), first {self._first_hit(hits, s, e)!r}",
                )
            )
        ordered = sorted(spam)
        for a, b in itertools.pairwise(ordered):
            if 1 < b - a <= w + 1:
                for i in range(a + 1, b):
                    s, e = bounds[i]
                    if text[s:e].strip():
                        cuts.append(
                            Cut(
                                *whole_line(text, s, e),
                                "spam.block_context",
                                f"inside a spam block (spam lines {a + 1} and {b + 1})",
                            )
                        )
        doc.apply_cuts(self.name, non_overlapping(cuts))

    @staticmethod
    def _first_hit(hits: list[re.Match[str]], s: int, e: int) -> str:
        return next((m.group(0) for m in hits if s <= m.start() < e), "")
