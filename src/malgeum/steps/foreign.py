"""Cut blocks written in another language than the document (a wire-photo caption in a Korean story)."""

from __future__ import annotations

import re

from malgeum import lid
from malgeum.document import Cut, Document
from malgeum.lines import line_bounds, line_of, line_starts, non_overlapping, whole_line
from malgeum.step import Step

# Letters by script; Han and Kana together stand for Chinese/Japanese text.
_SCRIPTS = {
    "hangul": re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]"),
    "latin": re.compile(r"[A-Za-z\u00c0-\u024f]"),
    "cjk": re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]"),
    "cyrillic": re.compile(r"[\u0400-\u04ff]"),
    "arabic": re.compile(r"[\u0600-\u06ff]"),
    "thai": re.compile(r"[\u0e00-\u0e7f]"),
    "devanagari": re.compile(r"[\u0900-\u097f]"),
    "greek": re.compile(r"[\u0370-\u03ff]"),
    "hebrew": re.compile(r"[\u0590-\u05ff]"),
}


# Weight of a letter of each script: its UTF-8 size, so that one Hangul syllable counts about as much text as
# the three Latin letters it takes to say as much (no script weighs more than Hangul: `text_script` relies on it).
_WEIGHT = {"hangul": 3, "cjk": 3, "thai": 3, "devanagari": 3, "latin": 1}


_RUNS = {name: re.compile(rx.pattern + "+") for name, rx in _SCRIPTS.items()}
_RARE = ("cjk", "cyrillic", "arabic", "thai", "devanagari", "greek", "hebrew")
_ANY_RARE = re.compile("|".join(_SCRIPTS[n].pattern for n in _RARE))


def script_counts(text: str) -> dict[str, int]:
    # what is left when a script's runs are deleted says how many letters it had, without a Python object per
    # run; the rarer scripts are counted only when one of their letters is there at all (one scan, not seven)
    names = ("hangul", "latin", *_RARE) if _ANY_RARE.search(text) else ("hangul", "latin")
    counts = dict.fromkeys(_SCRIPTS, 0)
    for name in names:
        counts[name] = (len(text) - len(_RUNS[name].sub("", text))) * _WEIGHT.get(name, 2)
    return counts


def main_script(counts: dict[str, int]) -> str | None:
    name, n = max(counts.items(), key=lambda kv: kv[1])
    return name if n else None


def text_script(text: str) -> str | None:
    """`main_script(script_counts(text))`, in one scan for most Korean text: no script weighs more per letter
    than Hangul, so once the Hangul letters outnumber everything else that is not a space, Hangul wins."""
    hangul = len(text) - len(_RUNS["hangul"].sub("", text))
    if hangul > len(text) - hangul - text.count(" ") - text.count("\n"):
        return "hangul"
    return main_script(script_counts(text))


class CutForeignBlocks(Step):
    """A run of lines whose letters are mostly in another script than the document's is cut when it is
    long enough to be a block (`min_letters`) and the language identifier agrees that it is another
    language. Short foreign words and names inside lines stay. `keep: true` only records the score.
    """

    kind = "foreign"

    def __init__(
        self, min_letters: int = 30, min_confidence: float = 0.6, keep: bool = False, name: str | None = None
    ) -> None:
        super().__init__(name)
        self.min_letters = min_letters
        self.min_confidence = min_confidence
        self.keep = keep
        # a foreign line holds a long stretch without a letter of the document's script: found in one pass
        self._stretch = {
            name: re.compile(f"[^\\n{rx.pattern[1:-1]}]{{{min_letters},}}") for name, rx in _SCRIPTS.items()
        }

    def apply(self, doc: Document) -> None:
        text = doc.text
        main = text_script(text)
        if main is None:
            return
        doc.scores["script"] = main
        bounds = line_bounds(text)
        starts = line_starts(bounds)
        candidates = sorted({line_of(starts, m.start()) for m in self._stretch[main].finditer(text)})
        blocks: list[list[int]] = []
        letters: list[int] = []
        prev = -2
        for i in candidates:
            s, e = bounds[i]
            line = text[s:e]
            counts = script_counts(line)
            other = main_script(counts)
            total = sum(counts.values())
            if other is None or other == main or counts[other] * 10 < total * 8:
                continue
            if blocks and prev == i - 1:
                blocks[-1].append(i)
                letters[-1] += total
            else:
                blocks.append([i])
                letters.append(total)
            prev = i
        cuts = []
        main_lang = None
        for block, n in zip(blocks, letters, strict=False):
            if n < self.min_letters:
                continue
            s, e = bounds[block[0]][0], bounds[block[-1]][1]
            lang, conf = lid.detect(text[s:e])
            if main_lang is None:
                main_lang, _ = lid.detect(text)
            if lang == main_lang or conf < self.min_confidence:
                continue
            doc.scores.setdefault("foreign_blocks", []).append({"lang": lang, "confidence": round(conf, 3)})
            cuts.append(
                Cut(
                    *whole_line(text, s, e),
                    f"foreign.{lang}",
                    f"{len(block)}-line block in {lang} (p={conf:.2f}) inside a {main_lang} document",
                )
            )
        if cuts and not self.keep:
            doc.apply_cuts(self.name, non_overlapping(cuts))
