"""A document, the cuts that made its text, and the way back to the input.

Every step that changes text does it through `Document.apply_cuts`, which records one `Edit` per cut with
offsets into the text that step saw. Because every step's edits are kept in order, the input can always be
rebuilt (`restore`) and every removed character can be shown where it was (`trace`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple


class Cut(NamedTuple):
    """What a step asks for: replace text[start:end] with `inserted` ("" = remove) for `rule`."""

    start: int
    end: int
    rule: str
    reason: str
    inserted: str = ""


@dataclass(slots=True)
class Edit:
    step: str
    rule: str
    start: int
    end: int
    removed: str
    reason: str
    inserted: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "rule": self.rule,
            "start": self.start,
            "end": self.end,
            "removed": self.removed,
            "inserted": self.inserted,
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Edit:
        return cls(
            step=d["step"],
            rule=d["rule"],
            start=int(d["start"]),
            end=int(d["end"]),
            removed=d["removed"],
            reason=d.get("reason", ""),
            inserted=d.get("inserted") or "",
        )


@dataclass(slots=True)
class Document:
    id: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    edits: list[Edit] = field(default_factory=list)
    scores: dict[str, Any] = field(default_factory=dict)
    # (step, rule, reason) once a step decides the document must go
    dropped: tuple[str, str, str] | None = None
    # sub-folder of kept/ the document is written to ("lang=ko" when a `lid` step routes by language)
    partition: str = ""

    def apply_cuts(self, step: str, cuts: Iterable[Cut]) -> int:
        """Apply one step's cuts in a single pass; returns the number of characters removed.

        Cuts must not overlap; they are sorted here. A step calls this at most once per document, so that
        all offsets of one step refer to the same text.
        """
        ordered = sorted(cuts, key=lambda c: (c.start, c.end))
        if not ordered:
            return 0
        if self.edits and self.edits[-1].step == step:
            raise RuntimeError(f"step {step!r} applied cuts twice to document {self.id!r}")
        text = self.text
        parts: list[str] = []
        pos = 0
        removed = 0
        for c in ordered:
            if c.start < pos or c.end < c.start or c.end > len(text):
                raise ValueError(f"{step}: bad or overlapping cut {c!r} (text length {len(text)})")
            if c.start == c.end and not c.inserted:
                continue
            parts.append(text[pos : c.start])
            parts.append(c.inserted)
            gone = text[c.start : c.end]
            self.edits.append(Edit(step, c.rule, c.start, c.end, gone, c.reason, c.inserted))
            removed += len(gone) - len(c.inserted)
            pos = c.end
        parts.append(text[pos:])
        self.text = "".join(parts)
        return removed

    def drop(self, step: str, rule: str, reason: str) -> None:
        self.dropped = (step, rule, reason)

    def to_record(self) -> dict[str, Any]:
        malgeum: dict[str, Any] = {"edits": [e.to_dict() for e in self.edits], "scores": self.scores}
        if self.dropped:
            step, rule, reason = self.dropped
            malgeum["dropped"] = {"step": step, "rule": rule, "reason": reason}
        return {"id": self.id, "text": self.text, "meta": {**self.meta, "malgeum": malgeum}}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Document:
        meta = dict(record.get("meta") or {})
        m = meta.pop("malgeum", None) or {}
        dropped = m.get("dropped")
        return cls(
            id=str(record["id"]),
            text=record["text"],
            meta=meta,
            edits=[Edit.from_dict(e) for e in m.get("edits", [])],
            scores=_scores(m.get("scores")),
            dropped=(dropped["step"], dropped["rule"], dropped["reason"]) if dropped else None,
        )


def _scores(value: Any) -> dict[str, Any]:
    """A record's scores: an object, or its JSON text (as a Parquet row holds them)."""
    if isinstance(value, str):
        import orjson

        value = orjson.loads(value)
    return dict(value or {})


class Span(NamedTuple):
    """A piece of the original text; `edit` is the edit that removed it, None if it survived."""

    text: str
    edit: Edit | None


def _edit_groups(edits: Sequence[Edit]) -> list[list[Edit]]:
    groups: list[list[Edit]] = []
    for e in edits:
        if groups and groups[-1][0].step == e.step:
            groups[-1].append(e)
        else:
            groups.append([e])
    return groups


def _split_at(spans: list[Span], offsets: Sequence[int]) -> list[Span]:
    """Split spans so that each offset (in the concatenated text) falls on a span boundary."""
    out: list[Span] = []
    pos = 0
    cuts = iter(sorted(set(offsets)))
    nxt = next(cuts, None)
    for s in spans:
        end = pos + len(s.text)
        start = pos
        while nxt is not None and nxt <= start:
            nxt = next(cuts, None)
        while nxt is not None and start < nxt < end:
            out.append(Span(s.text[start - pos : nxt - pos], s.edit))
            start = nxt
            nxt = next(cuts, None)
        out.append(Span(s.text[start - pos :], s.edit))
        pos = end
    return out


def trace(text: str, edits: Sequence[Edit]) -> list[Span]:
    """The original text as spans: survivors (edit None) and each removed piece with the edit that cut it.

    Text inserted by a replacement (normalisation) is not part of the original and is not shown; the
    replaced original characters carry the replacing edit.
    """
    spans = [Span(text, None)] if text else []
    for group in reversed(_edit_groups(edits)):
        # Offsets of this group's output text where each edit's inserted text lies.
        out_pos: list[tuple[int, int, Edit]] = []
        shift = 0
        for e in group:
            o = e.start + shift
            out_pos.append((o, o + len(e.inserted), e))
            shift += len(e.inserted) - (e.end - e.start)
        spans = _split_at(spans, [p for o, oe, _ in out_pos for p in (o, oe)])
        rebuilt: list[Span] = []
        pos = 0
        i = 0
        for o, oe, e in out_pos:
            while i < len(spans) and pos < o:
                rebuilt.append(spans[i])
                pos += len(spans[i].text)
                i += 1
            if e.removed:
                rebuilt.append(Span(e.removed, e))
            while i < len(spans) and pos < oe:
                pos += len(spans[i].text)
                i += 1
        rebuilt.extend(spans[i:])
        spans = rebuilt
    return spans


def restore(record: dict[str, Any] | Document) -> str:
    """The exact input text of a malgeum output record (or Document)."""
    doc = record if isinstance(record, Document) else Document.from_record(record)
    return "".join(s.text for s in trace(doc.text, doc.edits))
