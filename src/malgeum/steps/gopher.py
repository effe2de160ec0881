"""Gopher's quality and repetition filters (Rae et al. 2021), per language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from malgeum import quality
from malgeum.steps.judge import WordFigureFilter


class GopherQuality(WordFigureFilter):
    """Drops documents that are too short or long, have odd word lengths, too many '#' or ellipses, bullet
    lists, too few words with letters or too few stop words (Gopher's quality rules)."""

    kind = "gopher_quality"

    def figures(self, text: str, words_: Sequence[str], s: dict[str, Any]) -> dict[str, Any]:
        return quality.gopher_quality_figures(text, words_, s["stop_words"])


class GopherRepetition(WordFigureFilter):
    """Drops documents made of repeated paragraphs, lines or n-grams (Gopher's repetition rules)."""

    kind = "gopher_repetition"

    def figures(self, text: str, words_: Sequence[str], s: dict[str, Any]) -> dict[str, Any]:
        p = s["params"]
        return quality.gopher_repetition_figures(
            text, words_, [int(n) for n in p.get("top_n_grams") or {}], [int(n) for n in p.get("dup_n_grams") or {}]
        )
