"""How much a line's word order matters: a character n-gram model of clean text, and the gain of the real order
over shuffles of the same words.

Word salad is made of real words in random order. Asking "are these rare words?" would flag news full of names
and numbers; asking "does the real order read better than random orders of the same words?" cancels the words
out and leaves only the joins between them, which salad lacks. The model is an interpolated absolute-discount
character n-gram model kept as sorted tables of n-gram keys, so scoring a document is a few numpy passes and
sorted lookups over its characters, not a Python loop.
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
    # surrogatepass: a lone surrogate from a broken page is one more unseen character, not a crash
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)


def _grams(c: np.ndarray, k: int) -> np.ndarray:
    """Hash of the k characters ending at each position (positions before the start count as a fixed char)."""
    h = np.zeros(len(c), dtype=np.uint64)
    for j in range(k - 1, -1, -1):
        shifted = c if j == 0 else np.concatenate([np.ones(min(j, len(c)), np.uint64), c[: max(len(c) - j, 0)]])
        h = h * _P + shifted + np.uint64(7)
    return h * _MIX + np.uint64(k)


def _key(h: np.ndarray) -> np.ndarray:
    return (h >> np.uint64(32)).astype(np.uint32)


def _lookup(keys: np.ndarray, values: np.ndarray, query: np.ndarray, default: float) -> np.ndarray:
    if not len(keys):
        return np.full(len(query), default)
    i = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
    return np.where(keys[i] == query, values[i], default)


class CharLM:
    """Per order k: the sorted keys of the k-grams seen at least `min_count` times with the log of their
    discounted mass, and the keys of the (k-1)-character contexts with their back-off weight. A key is the top 32
    bits of a 64-bit hash: with a million stored n-grams an unseen one collides with probability 1/4000, so the
    tables behave as exact counts (a hashed table of 2M buckets did not: collisions made shuffled word joins look
    familiar and halved the separation of salad from news) while a model of 3 MB of prose stays a few MB."""

    def __init__(self, order: int, tables: list[tuple[np.ndarray, np.ndarray, np.ndarray]], floor: float) -> None:
        # per order: sorted keys, log of the discounted mass, and the back-off weight the n-gram has as the
        # context of the next order (-1 where it never is one), so one sorted lookup per order serves both
        self.order, self.tables, self.floor = order, tables, floor

    @classmethod
    def train(cls, texts: Iterable[str], order: int = 4, min_count: int = 2) -> CharLM:
        c = _codes("\n".join(normalise(t) for t in texts))
        tables: list[list[np.ndarray]] = []
        prev = np.zeros(0, np.uint32)
        floor = 0.0
        for k in range(1, order + 1):
            h = _key(_grams(c, k))
            keys, first, counts = np.unique(h, return_index=True, return_counts=True)
            if k == 1:
                total = len(c) + 0.5 * (len(keys) + 1)
                tables.append([keys, np.log((counts + 0.5) / total), np.full(len(keys), -1.0)])
                floor = 0.5 / total
            else:
                ctx_of = np.concatenate([np.zeros(1, np.uint32), prev])[first]  # the k-gram's first k-1 chars
                ctx_keys, ctx_inv = np.unique(ctx_of, return_inverse=True)
                ctx_total = np.bincount(ctx_inv, weights=counts)
                mass = (counts - _DISCOUNT) / ctx_total[ctx_inv]
                # pruned n-grams keep their share of the context's total, so pruning only lowers probabilities
                kept, kept_ctx = counts >= min_count, ctx_total >= min_count
                below = tables[-1]
                below[2] = _lookup(
                    ctx_keys[kept_ctx], (_DISCOUNT * np.bincount(ctx_inv) / ctx_total)[kept_ctx], below[0], -1.0
                )
                tables.append([keys[kept], np.log(mass[kept]), np.full(int(kept.sum()), -1.0)])
            prev = h
        return cls(order, [(k, m.astype(np.float32), b.astype(np.float32)) for k, m, b in tables], floor)

    def logprob(self, text: str) -> np.ndarray:
        """Natural log-probability of each character of (already normalised) text."""
        c = _codes(text)
        if not len(c):
            return np.zeros(0)
        p = lam = np.zeros(0)
        for k, (keys, logmass, back) in enumerate(self.tables, start=1):
            g = _key(_grams(c, k))
            if len(keys):
                i = np.minimum(np.searchsorted(keys, g), len(keys) - 1)
                hit = keys[i] == g
                mass = np.where(hit, np.exp(logmass[i]), 0.0)
                nxt = np.where(hit, back[i], -1.0)
            else:  # everything of this order was pruned (a tiny training text)
                mass, nxt = np.zeros(len(g)), np.full(len(g), -1.0)
                hit = mass > 0
            # an unseen context (lam < 0) means no evidence at this order: keep the lower order's estimate
            p = np.where(hit, mass, self.floor) if k == 1 else np.where(lam >= 0, mass + np.maximum(lam, 0) * p, p)
            lam = np.concatenate([[-1.0], nxt[:-1]])  # context of the next order
        return np.log(p)

    def save(self, path: Path) -> None:
        arrays: dict[str, np.ndarray] = {"meta": np.array([self.order, self.floor])}
        for k, (keys, logmass, back) in enumerate(self.tables):
            # float16 holds the log masses to about 0.01, plenty for a fluency score; the back-off weights stay
            # float32, since a tiny weight rounded to 0 would turn an unseen continuation into log(0)
            arrays[f"keys{k}"], arrays[f"logmass{k}"], arrays[f"back{k}"] = keys, logmass.astype(np.float16), back
        with open(path, "wb") as f:
            np.savez_compressed(f, **arrays)

    @classmethod
    def load(cls, path: Path) -> CharLM:
        z = np.load(path)
        if "keys0" not in z.files:
            raise ValueError(f"{path}: not a fluency model of this malgeum version; retrain it with malgeum train-lm")
        order, floor = int(z["meta"][0]), float(z["meta"][1])
        tables = [
            (z[f"keys{k}"], z[f"logmass{k}"].astype(np.float32), z[f"back{k}"].astype(np.float32)) for k in range(order)
        ]
        return cls(order, tables, floor)


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
