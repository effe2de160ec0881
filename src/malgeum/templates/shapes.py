"""Line shapes: what two lines of one site's template have in common, as 64-bit keys.

A shape folds white space and case, drops invisible characters and masks every run of digits, so that
`입력 2021.12.20 오전 7:33` and `입력 2022.01.03 오후 12:05` are one shape. Both passes of the template step key
lines with these functions, the first on the raw text and the second on the text its earlier steps left, so a
shape ignores exactly what those steps change (line-break style, zero-width and control characters, odd
spaces, Unicode form).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import regex
import xxhash

MAX_SHAPE = 500  # longer lines are story, not template: they are never keyed
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\x00-\x08\x0e-\x1b\x7f]")
_DIGITS = regex.compile(r"\d+")  # the regex module scans for digits twice as fast as re

CORPUS = 0  # the seed of corpus-wide keys; a host's keys are seeded with its own hash


def shape(line: str) -> str:
    # str.split() folds every kind of white space, in C: three times faster than a regex here
    return " ".join(shape_text(line).split())


def key(s: str, seed: int = CORPUS) -> int:
    return xxhash.xxh3_64_intdigest(s.encode("utf-8", "surrogatepass"), seed=seed)


_MASK = (1 << 64) - 1
_C1, _C2 = 0xBF58476D1CE4E5B9, 0x94D049BB133111EB


def scoped(k: int, seed: int) -> int:
    """A shape's key in a host's scope: its corpus key mixed with the host's seed (splitmix64's finaliser), so
    that each line is hashed once; `scoped_array` is the same on numpy arrays."""
    z = k ^ seed
    z = ((z ^ (z >> 30)) * _C1) & _MASK
    z = ((z ^ (z >> 27)) * _C2) & _MASK
    return z ^ (z >> 31)


def scoped_array(keys: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    z = keys ^ seeds
    z = (z ^ (z >> np.uint64(30))) * np.uint64(_C1)  # uint64 arithmetic wraps, as the masks do above
    z = (z ^ (z >> np.uint64(27))) * np.uint64(_C2)
    return z ^ (z >> np.uint64(31))


def host_of(url: Any) -> str | None:
    """The host of a URL, lower case and without `www.`; None for no URL or one that does not parse."""
    if not isinstance(url, str) or "." not in url:
        return None
    try:
        host = urlsplit(url.strip() if "//" in url else "//" + url.strip()).hostname
    except ValueError:
        return None
    if not host or "." not in host:
        return None
    return host.removeprefix("www.")


def host_seed(host: str | None) -> int:
    """The seed of a host's keys (never the corpus seed); CORPUS for no host."""
    if host is None:
        return CORPUS
    return xxhash.xxh3_64_intdigest(host.encode("utf-8", "surrogatepass")) or 1


def lines_with_shapes(text: str, max_length: int = 1 << 30) -> list[tuple[int, int, str]]:
    """(start, end, shape) of every line of at most `max_length` characters with a shape of 1 to MAX_SHAPE.

    The whole text is masked at once and then split, line for line beside the original: none of the rewrites
    touches a line break, and one regex call per document instead of two per line halves the cost."""
    folded = shape_text(text)
    out = []
    pos = 0
    for line, f in zip(text.split("\n"), folded.split("\n"), strict=True):
        end = pos + len(line)
        if line and len(line) <= max_length:
            sh = " ".join(f.split())
            if 0 < len(sh) <= MAX_SHAPE:
                out.append((pos, end, sh))
        pos = end + 1
    return out


def head(line: str) -> str:
    """The first character of a line's shape, cheaply (a line's invisible characters are gone by then)."""
    c = line.lstrip()[:1]
    return "0" if c.isdecimal() else c.casefold()[:1]  # isdecimal: the digits that \d masks


def shape_text(text: str) -> str:
    """`shape` of every line of a text at once, but for the white space within each line."""
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return _DIGITS.sub("0", _INVISIBLE.sub("", text)).casefold()
