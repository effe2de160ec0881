"""Cut lines that repeat an earlier line of the same document (an article printed twice)."""

from __future__ import annotations

import re

from malgeum.document import Cut, Document
from malgeum.lines import line_bounds, non_overlapping, whole_line
from malgeum.step import Step


class CutRepeats(Step):
    """The first copy stays; later copies go. Lines are compared without their spaces, quotation marks, a
    leading bullet (`▲`, `◆…`, `●`) and a final full stop, and with one middle dot: a caption repeated as the
    story's first sentence, or a sub-headline listed at the top and again above its section, is the same line.

    Lines shorter than `min_chars` non-space characters are left alone: short lines (`Q.`, `[앵커]`, `-`)
    repeat legitimately, and boilerplate handles the short junk. So are speaker labels: a transcript names
    its speaker (`[홍길동/시민]`, `<경찰 관계자>`, `◀ 홍길동/변호사 ▶`, `홍길동 / 가람시 주민`, `<녹취> 홍길동 /
    가람당 대표`) before each of their soundbites, and its speakers give the same short answer more than once
    (`◆ 홍길동> 그렇습니다.`).
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
            key = _key(text[s:e])
            if len(key) < self.min_chars or _is_label(text[s:e]) or _is_short_turn(text[s:e]):
                continue
            first = seen.setdefault(key, n)
            if first != n:
                cuts.append(Cut(*whole_line(text, s, e), "repeat.line", f"repeats line {first + 1}"))
        if cuts:
            doc.apply_cuts(self.name, non_overlapping(cuts))


_BULLETS = "▲△▶▷◆◇●○■□◀◁•…*※-–—"
_QUOTES = re.compile(r"[\"'“”‘’]")
_RARE = re.compile(r"[\"'“”‘’‧ㆍ・]")


def _key(line: str) -> str:
    """What a line is compared by (spaces go first, so bullets and spaces mixed at the start all go)."""
    key = "".join(line.split()).lstrip(_BULLETS)
    if _RARE.search(key):  # most lines have no quotation mark or odd middle dot: skip the rewrite for them
        key = _QUOTES.sub("", key).replace("‧", "·").replace("ㆍ", "·").replace("・", "·")
    return key.rstrip(".")


_LABEL_ENDS = {"[": "]", "<": ">", "(": ")", "【": "】", "〈": "〉", "‹": ">", "◀": "▶"}


def _is_label(line: str) -> bool:
    if "/" in line and len(line) <= 60 and _NAME_AND_TITLE.fullmatch(line.strip()):
        return True
    if line.lstrip()[:1] not in _LABEL_ENDS:  # most lines: no folding needed to say no
        return False
    line = " ".join(line.split())
    return len(line) <= 60 and _LABEL_ENDS[line[0]] == line[-1]


# a name, a slash and who they are, after an optional tag (`<녹취> 홍길동 / 가람당 대표`), not a sentence (no full
# stop at the end): Korean broadcast transcripts label each soundbite so (a Latin `Word / Word` is as often a
# table's header)
_NAME_AND_TITLE = re.compile(
    r"(?:[\[<(【〈][^\]>)】〉\n]{1,6}[\]>)】〉][ \t]{0,2})?"
    r"[가-힣]{2,4}"
    r"[ \t]{0,2}/[ \t]{0,2}[^/\n]{1,40}(?<![.!?다])"
)


# a speaker's name, a `>` or colon and at most 15 characters (`◆ 홍길동> 그렇습니다.`, `▷ 홍길동 : 네, 맞습니다.`)
_SHORT_TURN = re.compile(r"\s{0,4}[◆◇▶▷■□●○▲△-]?\s{0,2}[가-힣]{2,4}\s?[>:：]\s{0,2}\S[^\n]{0,14}")


def _is_short_turn(line: str) -> bool:
    return len(line) <= 40 and _SHORT_TURN.fullmatch(line.rstrip()) is not None
