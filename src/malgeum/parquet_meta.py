"""`meta` as a Parquet struct column: its fields are columns that duckdb (`meta.url`), Hugging Face `datasets`
and pandas read as they are, and every file of a run has the same type, so a folder of them loads as one table.

A field's type comes from its values: text, true/false, whole numbers (64 bits), numbers; a field holding
objects, lists or values of several kinds is kept as JSON text, its Parquet field marked `malgeum.json`, and
read back as the values it held. `malgeum` (edits, scores, dropped) has one fixed type. A record's meta keeps
only the keys it had (the others read as null), so a Parquet row rebuilds its input like a JSONL record does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

JSON = {b"malgeum.json": b"1"}  # field metadata: the values are JSON text
EDIT = pa.struct(
    [
        ("step", pa.string()),
        ("rule", pa.string()),
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("removed", pa.string()),
        ("inserted", pa.string()),
        ("reason", pa.string()),
    ]
)
MALGEUM = pa.struct(
    [
        ("edits", pa.list_(EDIT)),
        pa.field("scores", pa.string(), metadata=JSON),
        ("dropped", pa.struct([("step", pa.string()), ("rule", pa.string()), ("reason", pa.string())])),
        ("lang", pa.string()),  # the language a lid step recorded, for filtering without JSON functions
    ]
)
_SCALARS = {str: pa.string(), bool: pa.bool_(), int: pa.int64(), float: pa.float64()}
_INT64 = (-(2**63), 2**63 - 1)


def _kind(value: Any) -> pa.DataType | None:
    """The Parquet type of one value; None for null; pa.null() for a value kept as JSON."""
    if value is None:
        return None
    t = _SCALARS.get(type(value))
    if t is pa.int64() and not _INT64[0] <= value <= _INT64[1]:
        return pa.null()
    return t if t is not None else pa.null()


def _field_type(types: set[Any]) -> tuple[pa.DataType, bool]:
    """(type, as JSON) of a field from the types its values have."""
    types.discard(None)
    if types == {pa.int64(), pa.float64()}:
        return pa.float64(), False
    if len(types) == 1 and pa.null() not in types:
        return next(iter(types)), False
    if not types:
        return pa.string(), False  # (only nulls)
    return pa.string(), True


def meta_type(metas: list[dict[str, Any]]) -> pa.StructType:
    """The struct type of these records' meta (keys in order of first appearance, `malgeum` last)."""
    seen: dict[str, set[Any]] = {}
    for m in metas:
        for k, v in m.items():
            if k != "malgeum":
                seen.setdefault(k, set()).add(_kind(v))
    fields = []
    for k, types in seen.items():
        t, as_json = _field_type(types)
        fields.append(pa.field(k, t, metadata=JSON if as_json else None))
    return pa.struct([*fields, pa.field("malgeum", MALGEUM)])


def _malgeum(m: dict[str, Any]) -> dict[str, Any]:
    scores = m.get("scores") or {}
    lang = scores.get("lang")
    return {
        "edits": m.get("edits") or [],
        "scores": orjson.dumps(scores).decode(),
        "dropped": m.get("dropped"),
        "lang": lang if isinstance(lang, str) else None,
    }


def meta_array(metas: list[dict[str, Any]], struct: pa.StructType) -> pa.Array:
    """The meta column of these records, of type `struct` (which may have fields they do not)."""
    as_json = {f.name for f in struct if f.metadata == JSON}
    rows = []
    for m in metas:
        row = {}
        for k, v in m.items():
            if k == "malgeum":
                row[k] = _malgeum(v)
            elif k in as_json and v is not None:
                row[k] = orjson.dumps(v, option=orjson.OPT_NON_STR_KEYS).decode()
            else:
                row[k] = v
        rows.append(row)
    return pa.array(rows, type=struct)


def table(records: list[dict[str, Any]], struct: pa.StructType | None = None) -> pa.Table:
    metas = [r["meta"] for r in records]
    struct = struct or meta_type(metas)
    return pa.Table.from_arrays(
        [
            pa.array([str(r["id"]) for r in records], pa.string()),
            pa.array([r["text"] for r in records], pa.string()),
            meta_array(metas, struct),
        ],
        names=["id", "text", "meta"],
    )


def from_row(meta: Any, struct: pa.DataType | None) -> dict[str, Any]:
    """A record's meta as it was written, from a Parquet row's `meta` (a JSON string in files of older
    versions): nulls of fields the record did not have left out, JSON fields decoded."""
    if isinstance(meta, str):
        return orjson.loads(meta)
    if not isinstance(meta, dict):
        return {}
    as_json = {f.name for f in struct if f.metadata == JSON} if isinstance(struct, pa.StructType) else set()
    out = {}
    for k, v in meta.items():
        if v is None:
            continue
        if k == "malgeum" and isinstance(v, dict):
            m = {"edits": v.get("edits") or [], "scores": orjson.loads(v["scores"]) if v.get("scores") else {}}
            if v.get("dropped"):
                m["dropped"] = v["dropped"]
            out[k] = m
        else:
            out[k] = orjson.loads(v) if k in as_json and isinstance(v, str) else v
    return out


def unify(types: list[pa.StructType]) -> pa.StructType:
    """One struct type that every one of `types` casts to: a field of one type where all agree, JSON text
    where they do not (or where any of them is JSON already)."""
    fields: dict[str, list[pa.Field]] = {}
    for t in types:
        for f in t:
            if f.name != "malgeum":
                fields.setdefault(f.name, []).append(f)
    out = []
    for name, fs in fields.items():
        kinds = {f.type for f in fs}
        if any(f.metadata == JSON for f in fs):
            out.append(pa.field(name, pa.string(), metadata=JSON))
        elif kinds == {pa.int64(), pa.float64()}:
            out.append(pa.field(name, pa.float64()))
        elif len(kinds) == 1:
            out.append(pa.field(name, kinds.pop()))
        else:
            out.append(pa.field(name, pa.string(), metadata=JSON))
    return pa.struct([*out, pa.field("malgeum", MALGEUM)])


def harmonize(files: list[Path]) -> list[Path]:
    """Give every Parquet file of a run the same meta type (their union), rewriting (atomically) those whose
    type differs; returns the files rewritten. Fields of one kind in some files and another elsewhere become
    JSON text in all of them."""
    from malgeum.writers import atomic_write_table

    types = {f: pq.read_schema(f).field("meta").type for f in files}
    target = unify(list(types.values()))

    def same(t: pa.StructType) -> bool:  # (types compare without their fields' metadata: JSON marks too)
        return t == target and [x.metadata for x in t] == [x.metadata for x in target]

    rewritten = []
    for f, t in types.items():
        if same(t):
            continue
        old = pq.read_table(f)
        metas = [from_row(m, t) for m in old.column("meta").to_pylist()]
        ids, texts = old.column("id").to_pylist(), old.column("text").to_pylist()
        records = [{"id": i, "text": x, "meta": m} for i, x, m in zip(ids, texts, metas, strict=True)]
        atomic_write_table(f, table(records, target))
        rewritten.append(f)
    return rewritten
