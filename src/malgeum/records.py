"""What an input record may hold so that every output holds it exactly.

- meta nested deeper than MAX_META_DEPTH levels is refused when the record is read: orjson reads JSON 1,024
  levels deep but writes only 254, and the outputs wrap meta in up to two more (a record, a quarantine entry's
  `raw`). Refused at read time, every command (clean, dedup) and every rerun decides the same.
- Parquet columns of types JSON has no value for become strings when read (`malgeum.arrow_rows`).
"""

from __future__ import annotations

import json
from typing import Any

import orjson

ORJSON_MAX_DEPTH = 254  # containers orjson writes nested in each other (255 raise "Recursion limit reached")
MAX_META_DEPTH = ORJSON_MAX_DEPTH - 2  # a quarantine entry holds meta two levels down: {"raw": {"meta": ...}}
_CONTAINERS = (dict, list, tuple)  # tuple: what a Parquet map's pairs read as
_SCALARS = (str, int, float, type(None))  # bool is an int


def depth(value: Any) -> int:
    """Levels of containers in `value` (a flat dict is 1); without recursion, so that any depth is measured."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        v, d = stack.pop()
        deepest = max(deepest, d)
        for child in v.values() if isinstance(v, dict) else v:
            if isinstance(child, _CONTAINERS):
                stack.append((child, d + 1))
    return deepest


def meta_problem(meta: dict[str, Any]) -> str | None:
    """Why `meta` cannot be written as JSON by every output, or None. Only a meta with a nested value is looked
    at, by orjson itself (in C): the usual flat meta costs one type test per value."""
    for v in meta.values():
        if not isinstance(v, _SCALARS):
            break
    else:
        return None
    try:
        orjson.dumps([[meta]])  # the two levels an output may add around meta
        return None
    except TypeError as e:  # orjson.JSONEncodeError is a TypeError
        if (d := depth(meta)) > MAX_META_DEPTH:
            return f"meta too deep: nested {d} levels, over the depth limit of {MAX_META_DEPTH} that JSON output holds"
        for k, v in meta.items():  # name the field that holds what JSON cannot
            try:
                orjson.dumps(v)
            except TypeError:
                return f"meta field {k!r} holds a {type(v).__name__}, which JSON cannot hold: {e}"
        return f"meta cannot be written as JSON: {e}"


def exact_int(line: bytes, key: str, parsed: float) -> float | str:
    """The digits of an integer too large for 64 bits, which orjson reads as a float: the record's line read
    again by Python's json, whose integers have no limit (only for a float id: the rare path). `parsed` if the
    value is a float there too."""
    try:
        value = json.loads(line).get(key)
    except (ValueError, RecursionError):
        return parsed
    return str(value) if isinstance(value, int) else parsed


def writable(value: Any) -> bool:
    """Whether JSON holds `value` one level down (a field of a record)."""
    try:
        orjson.dumps([value])
        return True
    except orjson.JSONEncodeError:
        return False


def bounded_repr(value: Any, levels: int = 100) -> str:
    """Python's text of `value`, with containers nested past `levels` shown as "...": no RecursionError at any
    depth (the builtin repr recurses once per level, like orjson, only further)."""
    if isinstance(value, dict):
        if levels <= 0:
            return "{...}"
        return "{" + ", ".join(f"{k!r}: {bounded_repr(v, levels - 1)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        if levels <= 0:
            return "[...]" if isinstance(value, list) else "(...)"
        inner = ", ".join(bounded_repr(v, levels - 1) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner}{',' if len(value) == 1 else ''})"
    return repr(value)
