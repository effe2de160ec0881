"""Show a document of an output folder with every cut in place."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pyarrow.parquet as pq

from malgeum.document import Document, trace
from malgeum.parquet_meta import from_row
from malgeum.readers import decompressed
from malgeum.terminal import safe
from malgeum.writers import JSONL_SUFFIXES

_RULE_COLOURS = ("31", "33", "35", "36", "34", "32")


def iter_records(out: Path, which: tuple[str, ...] = ("kept", "dropped")) -> Iterator[tuple[str, dict[str, Any]]]:
    """(folder, record) of every output record, in shard order, whatever the run's compression."""
    for sub in which:
        for f in sorted((out / sub).rglob("part-*")):
            if f.name.endswith(JSONL_SUFFIXES):
                with decompressed(f) as fh:
                    for line in fh:
                        yield sub, orjson.loads(line)
            elif f.name.endswith(".parquet"):
                file = pq.ParquetFile(f)
                struct = file.schema_arrow.field("meta").type
                for batch in file.iter_batches():
                    for row in batch.to_pylist():
                        yield sub, {**row, "meta": from_row(row["meta"], struct)}


def find(out: Path, doc_id: str) -> tuple[str, dict[str, Any]] | None:
    return next(((sub, r) for sub, r in iter_records(out) if str(r["id"]) == doc_id), None)


def render(record: dict[str, Any], colour: bool = True) -> str:
    """The document with its cuts marked (struck through in colour on a terminal); every piece of its text, id
    and reasons with control characters shown as escapes, so a crawled page cannot drive the terminal."""
    doc = Document.from_record(record)
    rules = sorted({e.rule for e in doc.edits})
    colours = {r: _RULE_COLOURS[i % len(_RULE_COLOURS)] for i, r in enumerate(rules)}
    parts = []
    for span in trace(doc.text, doc.edits):
        if span.edit is None:
            parts.append(safe(span.text))
            continue
        e = span.edit
        label = f"⟦{safe(e.rule)}"
        body = safe(span.text if not e.inserted else f"{span.text}→{e.inserted}")
        shown = f"{label}: {body}⟧"
        if colour:
            shown = f"\x1b[{colours[e.rule]};9m{label}: \x1b[29m{body}⟧\x1b[0m"
        parts.append(shown)
    head = [f"id: {safe(doc.id)}"]
    if doc.dropped:
        head.append(safe(f"DROPPED by {doc.dropped[0]} ({doc.dropped[1]}): {doc.dropped[2]}"))
    head.append(safe(f"{len(doc.edits)} edit(s); rules: {', '.join(rules) or '-'}"))
    legend = [safe(f"  {r}: {next(e.reason for e in doc.edits if e.rule == r)}") for r in rules]
    return "\n".join([*head, *legend, "-" * 60, "".join(parts)])
