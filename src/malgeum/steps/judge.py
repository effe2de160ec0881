"""Document filters that score first and decide second.

A filter computes its figures, stores them in `doc.scores[step name]` (so `meta.malgeum.scores` in the output)
with the verdict, and drops the document only in `mode: filter`; `mode: tag` keeps every document, so that
thresholds can be retuned on the stored figures without running the recipe again. Thresholds are per
language, in `langpacks/<lang>/quality.yaml`; a document in a language without them is left alone and
says so in its scores.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from malgeum import langpacks, quality, words
from malgeum.document import Document
from malgeum.lid import document_language
from malgeum.step import Step

MODES = ("tag", "filter")


class DocumentFilter(Step):
    """Base class: subclasses set `kind` (also their section in quality.yaml) and implement `judge`."""

    def __init__(
        self,
        mode: str = "filter",
        langs: list[str] | None = None,
        thresholds: dict[str, dict[str, Any]] | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name)
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        self.mode = mode
        self.langs = set(langs) if langs else None
        # {lang or "*": {threshold: value}} laid over the language pack's values
        self.overrides = thresholds or {}
        self._settings: dict[str, dict[str, Any] | None] = {}

    def settings(self, lang: str) -> dict[str, Any] | None:
        if lang not in self._settings:
            pack = langpacks.load(lang, "quality")
            if (self.langs is not None and lang not in self.langs) or self.kind not in pack:
                self._settings[lang] = None
            else:
                params = {**pack[self.kind], **self.overrides.get("*", {}), **self.overrides.get(lang, {})}
                self._settings[lang] = {
                    "params": params,
                    "words": pack.get("words", "whitespace"),
                    "margin": {k: float(v) for k, v in (pack.get("estimate_margin") or {}).items()},
                    "stop_words": frozenset(pack.get("stop_words", ())),
                }
        return self._settings[lang]

    def apply(self, doc: Document) -> None:
        lang = document_language(doc)
        s = self.settings(lang)
        if s is None:
            skipped = f"no {self.kind} thresholds for {lang!r}"
            doc.scores[self.name] = {"lang": lang, "verdict": None, "skipped": skipped}
            return
        figures, failed, by = self.judge(doc, s)
        doc.scores[self.name] = {
            "lang": lang,
            **{k: _rounded(v) for k, v in figures.items()},
            "words_by": by,
            "verdict": failed.reason if failed else None,
        }
        if failed and self.mode == "filter":
            doc.drop(self.name, f"{self.kind}.{failed.reason}", f"{failed.explain(figures)} ({lang})")

    def judge(self, doc: Document, s: dict[str, Any]) -> tuple[dict[str, Any], quality.Check | None, str]:
        raise NotImplementedError


class WordFigureFilter(DocumentFilter):
    """A filter whose figures are computed from the document's words.

    For Korean the words are Kiwi morphemes, which cost ~30k characters/s. The figures are first computed
    on the regex estimate (`words.ko_words`); when the verdict stays the same with every limit moved by the
    pack's `estimate_margin` either way, the estimate decides, and Kiwi runs only for the rest.
    """

    def __init__(
        self,
        mode: str = "filter",
        langs: list[str] | None = None,
        thresholds: dict[str, dict[str, Any]] | None = None,
        estimate: bool = True,
        name: str | None = None,
    ) -> None:
        super().__init__(mode, langs, thresholds, name)
        self.estimate = estimate  # false: Kiwi on every Korean document, as FineWeb-2 does

    def figures(self, text: str, words_: Sequence[str], s: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def judge(self, doc: Document, s: dict[str, Any]) -> tuple[dict[str, Any], quality.Check | None, str]:
        checks = self._checks(s)
        text = doc.text
        if s["words"] == "kiwi" and self.estimate:
            est = self.figures(text, words.ko_words(text), s)
            margin = s["margin"]
            strict = quality.verdict(checks, est, margin)
            lenient = quality.verdict(checks, est, {k: -v for k, v in margin.items()})
            if (strict and strict.reason) == (lenient and lenient.reason):
                return est, quality.verdict(checks, est), "estimate"
        figures = self.figures(text, words.TOKENIZERS[s["words"]](text), s)
        return figures, quality.verdict(checks, figures), s["words"]

    def _checks(self, s: dict[str, Any]) -> list[quality.Check]:
        if "checks" not in s:
            s["checks"] = quality.CHECKS[self.kind](s["params"])
        return s["checks"]


def _rounded(v: Any) -> Any:
    if isinstance(v, float):
        return None if math.isnan(v) or math.isinf(v) else round(v, 4)
    return v
