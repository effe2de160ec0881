"""How much a line's word order matters: a character n-gram model of clean text, and the gain of the real order
over shuffles of the same words.

Word salad is made of real words in random order. Asking "are these rare words?" would flag news full of names
and numbers; asking "does the real order read better than random orders of the same words?" cancels the words
out and leaves only the joins between them, which salad lacks. The model is an interpolated absolute-discount
character n-gram model whose n-gram counts are hashed into fixed tables, so scoring a document is a few numpy
passes over its characters, not a Python loop.
"""

from __future__ import annotations

import gzip
import random
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import orjson
import xxhash

_P = np.uint64(1000003)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_DISCOUNT = 0.75
_DIGITS = re.compile(r"\d")


def normalise(text: str) -> str:
    """Width, case and digits folded: the model should not care whether 2022 is written ２０２２."""
    return _DIGITS.sub("0", unicodedata.normalize("NFKC", text).lower())


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def _grams(c: np.ndarray, k: int) -> np.ndarray:
    """Hash of the k characters ending at each position (positions before the start count as a fixed char)."""
    h = np.zeros(len(c), dtype=np.uint64)
    for j in range(k - 1, -1, -1):
        shifted = c if j == 0 else np.concatenate([np.ones(min(j, len(c)), np.uint64), c[: max(len(c) - j, 0)]])
        h = h * _P + shifted + np.uint64(7)
    return h * _MIX + np.uint64(k)


class CharLM:
    """Tables per order k: `a[k]` = discounted probability mass of a k-gram, `lam[k]` = back-off weight of its
    context (0 where the context was never seen, meaning: use order k-1 alone)."""

    def __init__(self, order: int, bits: int, a: list[np.ndarray], lam: list[np.ndarray], unigram_floor: float):
        self.order, self.bits = order, bits
        self.a, self.lam, self.floor = a, lam, unigram_floor
        self._shift = np.uint64(64 - bits)

    def _bucket(self, h: np.ndarray) -> np.ndarray:
        return (h >> self._shift).astype(np.int64)

    @classmethod
    def train(cls, texts: Iterable[str], order: int = 4, bits: int = 20) -> CharLM:
        c = _codes("\n".join(normalise(t) for t in texts))
        size = 1 << bits
        shift = np.uint64(64 - bits)
        grams = [(_grams(c, k) >> shift).astype(np.int64) for k in range(1, order + 1)]
        counts = [np.bincount(g, minlength=size).astype(np.float64) for g in grams]
        a: list[np.ndarray] = []
        lam: list[np.ndarray] = []
        vocab = int((counts[0] > 0).sum()) + 1
        a.append(((counts[0] + 0.5) / (len(c) + 0.5 * vocab)).astype(np.float32))
        lam.append(np.zeros(1, np.float32))
        for k in range(2, order + 1):
            g, ctx = grams[k - 1], np.concatenate([[0], grams[k - 2][:-1]])
            ctx_total = np.bincount(ctx, minlength=size).astype(np.float64)
            pairs = np.unique(ctx * size + g)
            distinct = np.bincount(pairs // size, minlength=size).astype(np.float64)
            # each k-gram's mass relative to its own context; the context is the k-1 chars before it
            first_ctx = np.zeros(size, np.int64)
            first_ctx[g] = ctx
            with np.errstate(divide="ignore", invalid="ignore"):
                mass = np.where(counts[k - 1] > 0, np.maximum(counts[k - 1] - _DISCOUNT, 0) / ctx_total[first_ctx], 0)
                back = np.where(ctx_total > 0, _DISCOUNT * distinct / ctx_total, 0)
            a.append(np.nan_to_num(mass).astype(np.float32))
            lam.append(np.where(ctx_total > 0, back, -1).astype(np.float32))
        return cls(order, bits, a, lam, 0.5 / (len(c) + 0.5 * vocab))

    def logprob(self, text: str) -> np.ndarray:
        """Natural log-probability of each character of (already normalised) text."""
        c = _codes(text)
        if not len(c):
            return np.zeros(0)
        g_prev = self._bucket(_grams(c, 1))
        p = self.a[0][g_prev].astype(np.float64)
        p = np.where(p > 0, p, self.floor)
        for k in range(2, self.order + 1):
            g = self._bucket(_grams(c, k))
            ctx = np.concatenate([[0], g_prev[:-1]])
            lam = self.lam[k - 1][ctx]
            p = np.where(lam >= 0, self.a[k - 1][g] + np.maximum(lam, 0) * p, p)
            g_prev = g
        return np.log(p)

    def save(self, path: Path) -> None:
        """Sparse: only the filled buckets are stored (the dense tables are rebuilt at load)."""
        arrays: dict[str, np.ndarray] = {"meta": np.array([self.order, self.bits, self.floor])}
        for k in range(self.order):
            idx = np.flatnonzero(self.a[k])
            # log, because float16 cannot hold probabilities near 1e-6 but holds their logs to 0.01
            arrays[f"a{k}_i"], arrays[f"a{k}_v"] = idx.astype(np.uint32), np.log(self.a[k][idx]).astype(np.float16)
            if k:
                seen = np.flatnonzero(self.lam[k] >= 0)
                arrays[f"l{k}_i"], arrays[f"l{k}_v"] = seen.astype(np.uint32), self.lam[k][seen].astype(np.float16)
        with open(path, "wb") as f:
            np.savez_compressed(f, **arrays)

    @classmethod
    def load(cls, path: Path) -> CharLM:
        z = np.load(path)
        order, bits, floor = int(z["meta"][0]), int(z["meta"][1]), float(z["meta"][2])
        size = 1 << bits
        a, lam = [], [np.zeros(1, np.float32)]
        for k in range(order):
            t = np.zeros(size, np.float32)
            t[z[f"a{k}_i"]] = np.exp(z[f"a{k}_v"].astype(np.float32))
            a.append(t)
            if k:
                t = np.full(size, -1, np.float32)
                t[z[f"l{k}_i"]] = z[f"l{k}_v"]
                lam.append(t)
        return cls(order, bits, a, lam, floor)


def read_training_text(paths: Iterable[str]) -> Iterable[str]:
    """Lines of .txt or .txt.gz files, or the `text` field of JSONL(.gz) rows."""
    for path in paths:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
            if ".jsonl" in path:
                for line in fh:
                    if line.strip():
                        yield str(orjson.loads(line).get("text") or "")
            else:
                yield from fh


class OrderGain:
    """Per line: (log-prob of the line) − (mean log-prob of `shuffles` random orders of its words), per join
    between words. Clean prose scores well above 0; word salad scores about 0. The shuffles are seeded by the
    line itself, so a line always gets the same score."""

    def __init__(self, lm: CharLM, shuffles: int = 6) -> None:
        self.lm, self.shuffles = lm, shuffles

    def score(self, lines: list[str]) -> list[float]:
        pieces: list[str] = []
        joins = []
        for line in lines:
            words = normalise(line).split()
            joins.append(max(len(words) - 1, 1))
            rng = random.Random(xxhash.xxh64_intdigest(line.encode("utf-8", "surrogatepass")))
            pieces.append(" ".join(words))
            for _ in range(self.shuffles):
                rng.shuffle(words)
                pieces.append(" ".join(words))
        if not pieces:
            return []
        # every piece starts after the same run of line breaks (the same context) and the breaks themselves are
        # not scored: the first word is judged as a line opener, and ending like a sentence earns nothing
        gap = "\n" * self.lm.order
        lp = self.lm.logprob(gap + gap.join(pieces) + gap)
        lengths = np.array([len(p) for p in pieces])
        starts = len(gap) + np.concatenate([[0], np.cumsum(lengths + len(gap))[:-1]])
        csum = np.concatenate([[0.0], np.cumsum(lp)])
        sums = csum[starts + lengths] - csum[starts]
        per = sums.reshape(len(lines), self.shuffles + 1)
        return list((per[:, 0] - per[:, 1:].mean(axis=1)) / np.array(joins))
