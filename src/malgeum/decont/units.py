"""The text a benchmark item and a document are compared as: a stream of units, and windows of them.

Text is NFKC-normalised and case-folded. A Hangul, Han or kana character is one unit, whatever the spacing
around it (Korean spacing varies between copies of the same sentence, and Chinese and Japanese have none); any
other run of two or more letters and digits is one unit (a word). Punctuation, white space and line breaks are
not units at all, so re-spaced, re-wrapped and re-punctuated copies give the same stream; single letters and
digits are not either (the `A.` or `①` a copy puts before each choice).

Windows are `n` consecutive units, hashed: units with xxhash, windows by a polynomial over the unit hashes in
numpy (one vector operation per unit of the window, not one Python call per window).
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import xxhash

# Hangul syllables and compatibility jamo, kana, Han (with its extensions and compatibility forms)
_CJK = "\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7a3\ud7b0-\ud7ff"
_CJK += "\uf900-\ufaff\U00020000-\U0003134f"
_JAMO = "\u1100-\u11ff"  # conjoining jamo: NFKC composes them into syllables, so they are read as one piece
UNIT = re.compile(f"[{_CJK}]|[{_JAMO}]+|[^\\W_{_CJK}{_JAMO}]{{2,}}")
_CJK_UNIT = re.compile(f"[{_CJK}{_JAMO}]")
_TOKEN = re.compile(r"\S+")

MULT = np.uint64(0x9E3779B97F4A7C15)  # odd: the polynomial's base
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S1, _S2, _S3 = np.uint64(30), np.uint64(27), np.uint64(31)


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def units(text: str) -> list[str]:
    """The units of `text`, normalised."""
    return UNIT.findall(normalise(text))


def unit_spans(text: str) -> tuple[list[str], list[int], list[int]]:
    """The units of `text` with the offsets in `text` where each starts and ends.

    When normalising changes the text's length (`…` becomes `...`, `ß` becomes `ss`), the units of a changed
    word are given the offsets of the whole word, which is as fine as a cut ever needs to be.
    """
    s = normalise(text)
    if len(s) == len(text) and unicodedata.is_normalized("NFKC", text):  # one character for one
        found = [(m.group(), m.start(), m.end()) for m in UNIT.finditer(s)]
    else:
        found = []
        for tok in _TOKEN.finditer(text):
            word, at = tok.group(), tok.start()
            norm = normalise(word)
            if len(norm) == len(word) and unicodedata.is_normalized("NFKC", word):
                found += [(m.group(), at + m.start(), at + m.end()) for m in UNIT.finditer(norm)]
            else:
                found += [(u, at, tok.end()) for u in UNIT.findall(norm)]
    return [f[0] for f in found], [f[1] for f in found], [f[2] for f in found]


def is_cjk(unit: str) -> bool:
    return _CJK_UNIT.match(unit) is not None


def unit_hashes(us: list[str]) -> np.ndarray:
    return np.array([xxhash.xxh3_64_intdigest(u.encode("utf-8", "surrogatepass")) for u in us], dtype=np.uint64)


def windows(hashes: np.ndarray, n: int, seed: int) -> np.ndarray:
    """The hash of every run of `n` consecutive units (empty when there are fewer); `seed` tells window
    lengths apart, so a 5-word window never equals an 8-character one."""
    m = len(hashes) - n + 1
    if m <= 0:
        return np.zeros(0, dtype=np.uint64)
    with np.errstate(over="ignore"):
        h = hashes[:m] + np.uint64(seed)
        for k in range(1, n):
            h = h * MULT + hashes[k : k + m]
        # splitmix64's finaliser: the polynomial alone keeps too much of the last unit's low bits
        h ^= h >> _S1
        h *= _M1
        h ^= h >> _S2
        h *= _M2
        h ^= h >> _S3
    return h
