"""Cut blocks written in another language than the document (a wire-photo caption in a Korean story)."""

from __future__ import annotations

import re

from malgeum import lid
from malgeum.document import Cut, Document
from malgeum.lines import line_bounds, line_of, line_starts, non_overlapping, whole_line
from malgeum.scripts import SCRIPTS, main_script, script_counts, text_script
from malgeum.step import Step

# a line's vote for the document's script counts at most this many (weighted) letters, about one sentence: the
# document's script is the one most of its lines are written in, so a long quotation of a few paragraphs is a few
# votes, not the document
_VOTE_CAP = 60


def document_script(text: str) -> tuple[str | None, float]:
    """The script most of the document is written in and its share of the letters. Where Hangul is the majority
    of the characters that is `text_script`'s one scan (the share is then at least 3/4 against Latin), and where
    one script has all the letters it is that script; else each line votes for its script with its letters,
    capped at `_VOTE_CAP`."""
    main = text_script(text)
    if main == "hangul" or main is None:
        return main, 1.0
    if not any(n for name, n in script_counts(text).items() if name != main):
        return main, 1.0  # the letters of one script alone (most English pages): every line votes for it
    votes = dict.fromkeys(SCRIPTS, 0)
    for line in text.split("\n"):
        counts = script_counts(line)
        name = main_script(counts)
        if name is not None:
            votes[name] += min(counts[name], _VOTE_CAP)
    main = main_script(votes)
    return main, votes[main] / sum(votes.values()) if main else 0.0


# A quotation: the line opens with a quotation mark, after at most a short speaker label (손님: “…”)
_QUOTED = re.compile(r"^\s{0,3}(?:[^\s:：]{1,12}\s?[:：]\s{0,3})?[\"'“‘「『«„]")
# A wire-photo caption says when and by whom: a written-out date (May 22, 2019; NOVEMBER 14) or a credit (AP Photo,
# Getty Images, Credit:, via AFP). Example sentences and quotations carry neither.
_CAPTION = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]{0,6}\.? \d{1,2}(?:, \d{4}|:)"
    r"|\b(?:photos? by|credit:|(?:ap|afp|epa|reuters|xinhua|yonhap) photo|getty images|via (?:ap|afp|epa|reuters)\b)"
    r"|\((?:ap|afp|epa|reuters|xinhua|yonhap)\)",
    re.IGNORECASE,
)


class CutForeignBlocks(Step):
    """A run of lines whose letters are mostly (80%) in another script than the document's, of at least
    `min_letters` letters, is cut when the language identifier says with `min_confidence` that it is another
    language than the document's and the block is junk by its place or form:
    - it is appended: no line of the document's script with `min_letters` letters follows it (a wire caption
      left under a story), or
    - it reads like a wire-photo caption (a written-out date or a photo credit).
    The document's script is the one with the most letters, a line's vote capped (`document_script`), and its
    language is identified on the lines in that script only, so one long quotation does not make a Korean article
    Russian; where that script has less than `dominance` of the letters the document is bilingual and nothing is
    cut. A foreign block with the story going
    on after it is a quotation, an example sentence or bilingual material and stays, and so does a quoted line
    or a line that also carries a word of the document's script (a speaker label, a gloss). Short foreign words
    and names inside lines stay. `keep: true` only records the score.
    """

    kind = "foreign"

    def __init__(
        self,
        min_letters: int = 30,
        min_confidence: float = 0.6,
        dominance: float = 0.67,
        keep: bool = False,
        name: str | None = None,
    ) -> None:
        super().__init__(name)
        self.dominance = dominance
        self.min_letters = min_letters
        self.min_confidence = min_confidence
        self.keep = keep
        # a foreign line holds a long stretch without a letter of the document's script: found in one pass
        self._stretch = {
            name: re.compile(f"[^\\n{rx.pattern[1:-1]}]{{{min_letters},}}") for name, rx in SCRIPTS.items()
        }

    def _blocks(self, text: str, main: str, bounds: list[tuple[int, int]]) -> list[list[int]]:
        """Runs of consecutive lines mostly in another script than `main`, with `min_letters` letters."""
        starts = line_starts(bounds)
        candidates = sorted({line_of(starts, m.start()) for m in self._stretch[main].finditer(text)})
        blocks: list[list[int]] = []
        letters: list[int] = []
        for i in candidates:
            counts = script_counts(text[slice(*bounds[i])])
            other = main_script(counts)
            total = sum(counts.values())
            # a line that also carries a word of the document's script is bilingual (손님: Excuse me…, curfew: 통금)
            if other is None or other == main or counts[other] * 10 < total * 8 or counts[main] * 10 >= total:
                continue
            if blocks and blocks[-1][-1] == i - 1:
                blocks[-1].append(i)
                letters[-1] += total
            else:
                blocks.append([i])
                letters.append(total)
        return [b for b, n in zip(blocks, letters, strict=True) if n >= self.min_letters]

    def apply(self, doc: Document) -> None:
        text = doc.text
        main, share = document_script(text)
        if main is None:
            return
        doc.scores["script"] = main
        if share < self.dominance:
            return  # a bilingual document: no language to be foreign to
        bounds = line_bounds(text)
        blocks = self._blocks(text, main, bounds)
        if not blocks:
            return
        lines = [text[s:e] for s, e in bounds]
        # lines the story is written in: the document's script with a block's worth of letters
        story = [k for k, line in enumerate(lines) if script_counts(line)[main] >= self.min_letters]
        main_lang = lid.detect("\n".join(lines[k] for k in story))[0] if story else lid.detect(text)[0]
        cuts = []
        for block in blocks:
            body = [lines[k] for k in block]
            appended = not story or story[-1] < block[0]
            if any(_QUOTED.search(line) for line in body) or not (appended or any(map(_CAPTION.search, body))):
                continue
            s, e = bounds[block[0]][0], bounds[block[-1]][1]
            lang, conf = lid.detect(text[s:e])
            if lang == main_lang or conf < self.min_confidence:
                continue
            doc.scores.setdefault("foreign_blocks", []).append({"lang": lang, "confidence": round(conf, 3)})
            where = "after the story" if appended else "reading like a photo caption"
            cuts.append(
                Cut(
                    *whole_line(text, s, e),
                    f"foreign.{lang}",
                    f"{len(block)}-line block in {lang} (p={conf:.2f}) {where} in a {main_lang} document",
                )
            )
        if cuts and not self.keep:
            doc.apply_cuts(self.name, non_overlapping(cuts))
