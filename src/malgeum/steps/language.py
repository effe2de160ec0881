"""Language identification per document and per paragraph, and routing by language."""

from __future__ import annotations

import re

from malgeum import lid
from malgeum.document import Document
from malgeum.step import Step

_LETTERS = re.compile(r"[^\W\d_]+")


class IdentifyLanguage(Step):
    """Records the document's language and probability (`lang`, `lang_score`) and, with `paragraphs`, the
    language of every line of at least `min_paragraph_letters` letters with the share of letters per
    language (`lang_shares`). With `keep` (a list of languages) or `min_score`, `mode: filter` drops the
    rest; `route: true` writes kept documents to `kept/lang=<code>/`.
    """

    kind = "lid"

    def __init__(
        self,
        paragraphs: bool = False,
        min_paragraph_letters: int = 20,
        keep: list[str] | None = None,
        min_score: float = 0.0,
        mode: str = "tag",
        route: bool = False,
        name: str | None = None,
    ) -> None:
        super().__init__(name)
        if mode not in ("tag", "filter"):
            raise ValueError(f"mode must be 'tag' or 'filter', not {mode!r}")
        self.paragraphs = paragraphs
        self.min_paragraph_letters = min_paragraph_letters
        self.keep = set(keep) if keep else None
        self.min_score = min_score
        self.mode = mode
        self.route = route

    def apply(self, doc: Document) -> None:
        lang, score = lid.record(doc)
        if self.paragraphs:
            found = []
            letters: dict[str, int] = {}
            pos = 0
            for line in doc.text.split("\n"):
                n = sum(map(len, _LETTERS.findall(line))) if len(line) >= self.min_paragraph_letters else 0
                if n >= self.min_paragraph_letters:
                    p_lang, p_score = lid.detect(line)
                    found.append([pos, pos + len(line), p_lang, round(p_score, 4)])
                    letters[p_lang] = letters.get(p_lang, 0) + n
                pos += len(line) + 1
            total = sum(letters.values())
            doc.scores["paragraph_langs"] = found
            shares = sorted(letters.items(), key=lambda kv: -kv[1])
            doc.scores["lang_shares"] = {k: round(v / total, 4) for k, v in shares}
        if self.route:
            doc.partition = f"lang={lang}"
        if self.mode == "filter":
            if self.keep is not None and lang not in self.keep:
                doc.drop(self.name, "lid.other_language", f"{lang} (p={score:.2f}), not one of {sorted(self.keep)}")
            elif score < self.min_score:
                doc.drop(self.name, "lid.low_confidence", f"{lang} with p={score:.2f} < {self.min_score}")
