"""Cut word salad: blocks of lines whose words read no better in their order than shuffled."""

from __future__ import annotations

import re
from pathlib import Path

from malgeum.document import Cut, Document
from malgeum.fluency import CharLM, OrderGain
from malgeum.lines import line_bounds, non_overlapping, whole_line
from malgeum.step import Step

_HANGUL = re.compile(r"[가-힣]")


class CutWordSalad(Step):
    """A line of at least `min_words` words is *disordered* when the real order of its words beats random orders
    by less than `line_gain` nats per join (see `malgeum.fluency`). A run of at least `min_block` disordered
    lines (blank lines between them allowed) whose mean gain is under `block_gain` is salad and goes whole,
    keyword or not; a line between two disordered lines goes with them when its own gain is under `bridge_gain`.
    A single odd line (a headline, a list item, a comment) never goes alone.

    Not in the default recipe yet: with a model trained on 3 MB of CC BY prose it cuts about half of injected
    salad lines and also takes blocks of telegraphic sub-headlines (bench/salad_injection.py). `model` is a
    file made by `malgeum train-lm`.
    """

    kind = "salad"

    def __init__(
        self,
        model: str,
        min_words: int = 5,
        line_gain: float = 0.6,
        bridge_gain: float = 1.5,
        block_gain: float = 0.4,
        min_block: int = 3,
        shuffles: int = 6,
        name: str | None = None,
    ) -> None:
        super().__init__(name)
        self.model = model
        self.min_words, self.min_block, self.shuffles = min_words, min_block, shuffles
        self.line_gain, self.bridge_gain, self.block_gain = line_gain, bridge_gain, block_gain
        self._gain: OrderGain | None = None

    def setup(self) -> None:
        self._gain = OrderGain(CharLM.load(Path(self.model)), self.shuffles)

    def apply(self, doc: Document) -> None:
        text = doc.text
        bounds = [(s, e) for s, e in line_bounds(text) if text[s:e].strip()]
        cand = [
            k
            for k, (s, e) in enumerate(bounds)
            if len(text[s:e].split()) >= self.min_words and len(_HANGUL.findall(text, s, e)) * 2 >= e - s
        ]
        if len(cand) < self.min_block:
            return
        assert self._gain is not None, "setup() loads the model"
        gains = dict(zip(cand, self._gain.score([text[bounds[k][0] : bounds[k][1]] for k in cand]), strict=True))
        low = {k for k, g in gains.items() if g < self.line_gain}
        bridged = {
            k for k, g in gains.items() if k not in low and g < self.bridge_gain and k - 1 in low and k + 1 in low
        }
        member = low | bridged
        cuts = []
        k = 0
        while k < len(bounds):
            if k not in member:
                k += 1
                continue
            run = [k]
            while run[-1] + 1 in member:
                run.append(run[-1] + 1)
            k = run[-1] + 1
            mean = sum(gains[i] for i in run) / len(run)
            if len(run) < self.min_block or mean >= self.block_gain:
                continue
            for i in run:
                cuts.append(
                    Cut(
                        *whole_line(text, *bounds[i]),
                        "salad.disordered_block",
                        f"word salad: word order gains {gains[i]:.2f} nats per join over shuffles "
                        f"(block of {len(run)} lines, mean {mean:.2f})",
                    )
                )
        if cuts:
            doc.scores["salad_lines"] = len(cuts)
            doc.apply_cuts(self.name, non_overlapping(cuts))
