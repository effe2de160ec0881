"""Cut lines that repeat an earlier line of the same document (an article printed twice)."""

from __future__ import annotations

from malgeum.document import Cut, Document
from malgeum.lines import line_bounds, non_overlapping, whole_line
from malgeum.step import Step


class CutRepeats(Step):
    """The first copy stays; later copies go. Lines are compared with whitespace folded.

    Lines shorter than `min_chars` non-space characters are left alone: short lines (`Q.`, `[앵커]`, `-`)
    repeat legitimately, and boilerplate handles the short junk. So are labels in brackets: a transcript
    names its speaker (`[홍길동/시민]`, `<경찰 관계자>`) before each of their soundbites.
    """

    kind = "repeats"

    def __init__(self, min_chars: int = 8, name: str | None = None) -> None:
        super().__init__(name)
        self.min_chars = min_chars

    def apply(self, doc: Document) -> None:
        text = doc.text
        seen: dict[str, int] = {}
        cuts = []
        for n, (s, e) in enumerate(line_bounds(text)):
            key = " ".join(text[s:e].split())
            if len(key) - key.count(" ") < self.min_chars or _is_label(key):
                continue
            first = seen.setdefault(key, n)
            if first != n:
                cuts.append(Cut(*whole_line(text, s, e), "repeat.line", f"repeats line {first + 1}"))
        if cuts:
            doc.apply_cuts(self.name, non_overlapping(cuts))


_LABEL_ENDS = {"[": "]", "<": ">", "(": ")", "【": "】", "〈": "〉", "‹": ">"}


def _is_label(line: str) -> bool:
    return len(line) <= 60 and _LABEL_ENDS.get(line[0]) == line[-1]
