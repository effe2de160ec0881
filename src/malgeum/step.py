"""The step contract: documents in, documents out, every change counted.

A step does one job. Most steps only implement `apply(doc)`, which cuts text through `doc.apply_cuts` or
drops the document with `doc.drop`; `Step.run` does the bookkeeping (stats per rule, wall time) and lets
documents that an earlier step dropped pass untouched, so the engine can write them where they belong.
Steps that need the whole stream (dedup) override `run`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from malgeum.document import Document


@dataclass
class StepStats:
    docs_in: int = 0
    docs_out: int = 0
    docs_changed: int = 0
    docs_dropped: int = 0
    chars_in: int = 0
    chars_removed: int = 0
    seconds: float = 0.0
    # rule -> {"cuts", "chars", "docs"} for cuts, {"docs"} for drops
    rules: dict[str, dict[str, int]] = field(default_factory=dict)

    def add_rule(self, rule: str, cuts: int, chars: int, docs: int) -> None:
        r = self.rules.setdefault(rule, {"cuts": 0, "chars": 0, "docs": 0})
        r["cuts"] += cuts
        r["chars"] += chars
        r["docs"] += docs

    def merge(self, other: StepStats | dict[str, Any]) -> None:
        o = other if isinstance(other, StepStats) else StepStats.from_dict(other)
        for k in ("docs_in", "docs_out", "docs_changed", "docs_dropped", "chars_in", "chars_removed"):
            setattr(self, k, getattr(self, k) + getattr(o, k))
        self.seconds += o.seconds
        for rule, r in o.rules.items():
            self.add_rule(rule, r["cuts"], r["chars"], r["docs"])

    def to_dict(self) -> dict[str, Any]:
        return {
            "docs_in": self.docs_in,
            "docs_out": self.docs_out,
            "docs_changed": self.docs_changed,
            "docs_dropped": self.docs_dropped,
            "chars_in": self.chars_in,
            "chars_removed": self.chars_removed,
            "seconds": round(self.seconds, 6),
            "rules": {k: self.rules[k] for k in sorted(self.rules)},
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> StepStats:
        s = cls(
            **{
                k: d[k]
                for k in ("docs_in", "docs_out", "docs_changed", "docs_dropped", "chars_in", "chars_removed", "seconds")
            }
        )
        s.rules = {k: dict(v) for k, v in d.get("rules", {}).items()}
        return s


class Step:
    """Base class. Subclasses set `kind` (the name used in recipes) and implement `apply`."""

    kind: ClassVar[str] = ""
    registry: ClassVar[dict[str, type[Step]]] = {}

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if cls.kind:
            Step.registry[cls.kind] = cls

    def __init__(self, name: str | None = None) -> None:
        self.name = name or self.kind
        self.stats = StepStats()

    def setup(self) -> None:
        """Load models or other heavy state; called once per worker before the first document."""

    def reads(self) -> dict[str, Path]:
        """Files or folders the step reads besides the documents (what each is, for messages -> its path): none
        may lie in OUT, and their content is part of a run's identity."""
        return {}

    def apply(self, doc: Document) -> None:
        raise NotImplementedError

    def process(self, doc: Document) -> Document:
        """Apply this step to one document and count what it did."""
        if doc.dropped:
            return doc
        stats = self.stats
        stats.docs_in += 1
        stats.chars_in += len(doc.text)
        n_edits = len(doc.edits)
        t0 = time.perf_counter()
        self.apply(doc)
        stats.seconds += time.perf_counter() - t0
        if len(doc.edits) > n_edits:
            stats.docs_changed += 1
            per_rule: dict[str, list[int]] = {}
            for e in doc.edits[n_edits:]:
                acc = per_rule.setdefault(e.rule, [0, 0])
                acc[0] += 1
                acc[1] += len(e.removed) - len(e.inserted)
            for rule, (cuts, chars) in per_rule.items():
                stats.add_rule(rule, cuts, chars, 1)
                stats.chars_removed += chars
        if doc.dropped:
            stats.docs_dropped += 1
            stats.add_rule(doc.dropped[1], 0, 0, 1)
        else:
            stats.docs_out += 1
        return doc

    def run(self, docs: Iterable[Document]) -> Iterator[Document]:
        for doc in docs:
            yield self.process(doc)
