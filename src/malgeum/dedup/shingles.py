"""What dedup compares: normalised text, its character n-gram hashes, its MinHash signature, its lines."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import numpy as np
import xxhash

_SPACES = re.compile(r"\s+")
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_BASE = np.uint64(0x100000001B3)


def normalise(text: str) -> str:
    """NFKC, lower case, white space runs as one space: two texts equal after this are the same text."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()


def exact_key(norm: str) -> int:
    """64-bit hash of normalised text (collisions: about one pair in 10^3 among 2*10^8 documents)."""
    return xxhash.xxh3_64_intdigest(norm.encode("utf-8", "surrogatepass"))


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: spreads a polynomial hash over all 64 bits."""
    with np.errstate(over="ignore"):
        h = (h ^ (h >> np.uint64(30))) * _MIX1
        h = (h ^ (h >> np.uint64(27))) * _MIX2
        return h ^ (h >> np.uint64(31))


def _ngrams(units: np.ndarray, n: int) -> np.ndarray:
    """Distinct hashes of every run of n consecutive units: n vector operations, whatever the length."""
    m = len(units) - n + 1
    h = np.zeros(m, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(n):
            h = h * _BASE + units[j : j + m]
    return np.unique(_mix(h))


def shingle_hashes(norm: str, n: int = 5) -> np.ndarray:
    """Distinct 64-bit hashes of the character n-grams of normalised text, without its spaces.

    Characters, not eojeol: a Korean edit that adds a particle changes one eojeol but only a few character
    n-grams, so edited versions stay close (bench/dedup_quality.py measures both).
    """
    flat = norm.replace(" ", "")
    cp = np.frombuffer(flat.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    if len(cp) < n:
        return _mix(np.array([xxhash.xxh3_64_intdigest(flat.encode("utf-8", "surrogatepass"))], dtype=np.uint64))
    return _ngrams(cp, n)


def word_shingle_hashes(norm: str, n: int = 2) -> np.ndarray:
    """Distinct hashes of n-grams of the words of normalised text (eojeol for Korean), for comparison."""
    words = norm.split(" ")
    ids = np.array([xxhash.xxh3_64_intdigest(w.encode("utf-8", "surrogatepass")) for w in words], dtype=np.uint64)
    if len(ids) < n:
        return np.unique(_mix(ids))
    return _ngrams(ids, n)


def signatures(shingle_sets: list[np.ndarray], num_perm: int, seed: int) -> np.ndarray:
    """MinHash signatures (documents x num_perm, uint32) of many shingle sets in one call to rensa."""
    from rensa import RMinHash

    if not shingle_sets:
        return np.zeros((0, num_perm), dtype=np.uint32)
    offsets = np.zeros(len(shingle_sets) + 1, dtype=np.uint64)
    np.cumsum([len(s) for s in shingle_sets], out=offsets[1:])
    flat = np.concatenate(shingle_sets)
    matrix = RMinHash.digest_matrix_from_flat_token_hashes(flat, offsets, num_perm, seed)
    return np.asarray(matrix.to_rows(), dtype=np.uint32).reshape(len(shingle_sets), num_perm)


def band_keys(sigs: np.ndarray, bands: int) -> np.ndarray:
    """One 64-bit key per band (documents x bands): documents that share a key are candidates."""
    n, perm = sigs.shape
    rows = perm // bands
    if rows * bands != perm:
        raise ValueError(f"num_perm {perm} is not a multiple of bands {bands}")
    x = sigs[:, : rows * bands].reshape(n, bands, rows).astype(np.uint64)
    key = np.zeros((n, bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for r in range(rows):
            key = _mix(key * _BASE + x[:, :, r])
        key ^= np.arange(bands, dtype=np.uint64) * _MIX1  # the same rows in two bands are not one bucket
    return key


def line_keys(text: str, min_chars: int) -> list[tuple[int, int, int]]:
    """(start, end, hash) of every line of at least `min_chars` non-space characters."""
    out = []
    pos = 0
    for line in text.split("\n"):
        norm = normalise(line)
        if len(norm) - norm.count(" ") >= min_chars:
            out.append((pos, pos + len(line), xxhash.xxh3_64_intdigest(norm.encode("utf-8", "surrogatepass"))))
        pos += len(line) + 1
    return out


def url_key(url: Any) -> int:
    """A key for a URL without scheme, fragment, "www." and trailing slash; 0 for none."""
    if not isinstance(url, str) or not url.strip():
        return 0
    u = url.strip().split("#", 1)[0].split("://", 1)[-1]
    host, _, path = u.partition("/")
    u = host.lower().removeprefix("www.") + "/" + path.rstrip("/")  # hosts ignore case, paths may not
    return xxhash.xxh3_64_intdigest(b"url:" + u.encode("utf-8", "surrogatepass")) or 1
