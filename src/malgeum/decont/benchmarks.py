"""Benchmark files as the user gives them: JSONL or Parquet (compressed or not), one item per record.

An item is the text of the fields named (`question`, `passage`, `choices`, ...; a dotted name reads inside an
object, `choices.text`), each field one segment; a list field's items are joined into one segment, an object's
values too. Its id is the record's `id` field when it has one, else `FILE:LINE` (Parquet: `FILE:ROW`, from 1).
A benchmark is named by its file's stem, or by `NAME=FILE`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from malgeum import readers

DEFAULT_FIELDS = ("question", "passage", "choices")
_NAME = re.compile(r"[^0-9A-Za-z_.-]+")


class BenchmarkError(ValueError):
    """A benchmark file that cannot be read as one, with what is wrong in words."""


@dataclass(frozen=True)
class Item:
    benchmark: str
    id: str
    segments: tuple[str, ...]


def parse_spec(spec: str) -> tuple[str, Path]:
    """`NAME=FILE` or `FILE` (named by its stem, `mmlu_ko` for `mmlu_ko.test.jsonl.gz`)."""
    name, sep, file = spec.partition("=")
    if not sep or not name or "/" in name:
        name, file = "", spec
    path = Path(file)
    if not name:
        name = path.name
        if c := readers.compression_of(name):
            name = name[: -len(c)]
        name = name.split(".")[0] or name
    clean = _NAME.sub("_", name).strip("._")
    if not clean:
        raise BenchmarkError(f"benchmark {spec!r}: give it a name of letters and digits (NAME=FILE)")
    return clean, path


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return "\n".join(t for v in value if (t := _text(v)))
    if isinstance(value, dict):
        return "\n".join(t for v in value.values() if (t := _text(v)))
    return str(value)


def _field(record: dict[str, Any], name: str) -> Any:
    value: Any = record
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _records(path: Path) -> Iterator[tuple[int, Any]]:
    kind = readers._kind(path.name)
    if kind == "parquet":
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(path)
        except Exception as e:
            raise BenchmarkError(f"benchmark {path}: not a readable Parquet file ({type(e).__name__}: {e})") from e
        for n, row in enumerate(table.to_pylist(), 1):
            yield n, row
        return
    if kind != "jsonl":
        raise BenchmarkError(f"benchmark {path}: expected a .jsonl or .parquet file (compressed or not)")
    try:
        with readers.decompressed(path) as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    yield n, orjson.loads(line)
                except orjson.JSONDecodeError as e:
                    raise BenchmarkError(f"benchmark {path}, line {n}: not JSON ({e})") from e
    except readers.STREAM_ERRORS as e:
        raise BenchmarkError(f"benchmark {path}: cannot be read ({type(e).__name__}: {e})") from e


def read(spec: str, fields: Sequence[str] = DEFAULT_FIELDS) -> Iterator[Item]:
    """The items of one benchmark file; raises BenchmarkError on a file that is not one (missing, not JSON, no
    record with any of `fields`)."""
    name, path = parse_spec(spec)
    if not path.is_file():
        raise BenchmarkError(f"benchmark {path}: no such file")
    seen_fields = 0
    first_keys: list[str] = []
    for n, rec in _records(path):
        if not isinstance(rec, dict):
            raise BenchmarkError(f"benchmark {path}, record {n}: expected an object, found {type(rec).__name__}")
        if not first_keys:
            first_keys = [str(k) for k in list(rec)[:12]]
        segments = tuple(t for f in fields if (t := _text(_field(rec, f)).strip()))
        seen_fields += any(_field(rec, f) is not None for f in fields)
        item_id = rec.get("id")
        yield Item(name, str(item_id) if item_id is not None else f"{path.name}:{n}", segments)
    if not seen_fields:
        raise BenchmarkError(
            f"benchmark {path}: no record has any of the fields {', '.join(fields)}"
            + (f" (its records have {', '.join(first_keys)}); name them with --benchmark-fields" if first_keys else "")
        )
