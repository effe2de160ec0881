"""FineWeb's quality filter (Penedo et al. 2024), per language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from malgeum import quality
from malgeum.steps.judge import WordFigureFilter


class FineWebQuality(WordFigureFilter):
    """Drops documents where few lines end a sentence, most lines are short, many lines repeat, or line
    breaks are frequent for the number of words (a list, not prose)."""

    kind = "fineweb_quality"

    def figures(self, text: str, words_: Sequence[str], s: dict[str, Any]) -> dict[str, Any]:
        return quality.fineweb_quality_figures(text, words_, int(s["params"].get("short_line_length", 30)))
