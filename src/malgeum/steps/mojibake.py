"""Repair mojibake, only on lines that a cheap test says are broken."""

from __future__ import annotations

import re

import ftfy
from ftfy.badness import is_bad

from malgeum.document import Cut, Document
from malgeum.lines import line_bounds
from malgeum.step import Step

# Korean pages decoded with the wrong codec show up as runs of Latin-1 letters (EUC-KR read as Latin-1:
# "ÇÑ±¹¾î"); ftfy repairs UTF-8 misreadings, not these, so they get their own test.
_LATIN1_RUN = re.compile(r"[\u00a1-\u00ff]{4,}")
# UTF-8 read as Latin-1 or Windows-1252 always shows a lead byte (Â..ô) followed by a continuation byte;
# text without such a pair, or a Latin-1 run, cannot be this kind of mojibake, and skips ftfy's costly test.
_SUSPECT = re.compile(
    "[\u00a1-\u00ff]{4,}|[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
_HANGUL = re.compile(r"[가-힣]")


def _fix_euc_kr(line: str) -> str | None:
    try:
        fixed = line.encode("latin-1").decode("cp949")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None
    return fixed if len(_HANGUL.findall(fixed)) * 2 >= len(fixed.replace(" ", "")) else None


class FixMojibake(Step):
    kind = "fix_mojibake"

    def apply(self, doc: Document) -> None:
        text = doc.text
        if not _SUSPECT.search(text):
            return
        suspect_utf8 = is_bad(text)
        suspect_korean = _LATIN1_RUN.search(text) is not None
        if not (suspect_utf8 or suspect_korean):
            return
        cuts = []
        for s, e in line_bounds(text):
            line = text[s:e]
            if suspect_korean and _LATIN1_RUN.search(line) and (fixed := _fix_euc_kr(line)):
                cuts.append(Cut(s, e, "normalize.mojibake_cp949", "Korean text decoded as Latin-1", fixed))
            elif suspect_utf8 and is_bad(line):
                fixed = ftfy.fix_encoding(line)
                if fixed != line:
                    cuts.append(Cut(s, e, "normalize.mojibake", "mojibake repaired by ftfy", fixed))
        if cuts:
            doc.apply_cuts(self.name, cuts)
