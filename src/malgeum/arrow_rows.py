"""How the values of Arrow columns (Parquet input) become values JSON holds.

Parquet columns of types JSON has no value for become strings when read, a whole column at a time, inside
struct, list and map columns too: timestamps, dates and times as ISO 8601 with the digits of their unit
(`2024-05-01T09:30:00.250` in ms; a timestamp with a time zone in its local time with the offset, `+09:00`, by
Arrow's zone rules, whose daylight saving ends in 2037: later instants are exact, their offset standard time;
years outside 0000-9999 with a sign, `+20000-01-01`, `-5000-03-01`, so nothing is out of range), durations as
ISO 8601 seconds (`PT90.500S`, `-PT3S`), decimals as their exact digits (`12.50`), binary values as base64
(not marked in meta: the file's schema says which columns were binary). Other columns are not touched.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def _converts(t: pa.DataType) -> bool:
    """Whether a value of type `t` (or inside it) becomes a string here."""
    if pa.types.is_dictionary(t):
        return _converts(t.value_type)
    if pa.types.is_struct(t):
        return any(_converts(f.type) for f in t)
    if pa.types.is_map(t):
        return _converts(t.key_type) or _converts(t.item_type)
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        return _converts(t.value_type)
    return _leaf(t) is not None


def _leaf(t: pa.DataType) -> Any:
    for is_kind, convert in _LEAVES:
        if is_kind(t):
            return convert
    return None


def jsonable(arr: pa.Array) -> pa.Array:
    """`arr` with every value of a type JSON has none for as a string (the module's docstring says how);
    raises for a value it cannot convert."""
    t = arr.type
    if not _converts(t):
        return arr
    mask = arr.is_null() if arr.null_count else None
    if pa.types.is_dictionary(t):
        return jsonable(arr.dictionary_decode())
    if pa.types.is_struct(t):
        children = [jsonable(arr.field(i)) for i in range(t.num_fields)]
        return pa.StructArray.from_arrays(children, names=[f.name for f in t], mask=mask)
    if pa.types.is_map(t) or pa.types.is_list(t) or pa.types.is_large_list(t):
        # offsets from 0, into the values of this slice only: Arrow builds no list of a slice with nulls
        offsets = arr.offsets
        first, last = offsets[0].as_py(), offsets[-1].as_py()
        offsets = pc.subtract(offsets, offsets[0])
        if pa.types.is_map(t):
            keys, items = (jsonable(a.slice(first, last - first)) for a in (arr.keys, arr.items))
            return pa.MapArray.from_arrays(offsets, keys, items, mask=mask)
        return type(arr).from_arrays(offsets, jsonable(arr.values.slice(first, last - first)), mask=mask)
    if pa.types.is_fixed_size_list(t):
        n = t.list_size
        values = jsonable(arr.values.slice(arr.offset * n, len(arr) * n))
        return pa.FixedSizeListArray.from_arrays(values, n, mask=mask)
    return _leaf(t)(arr)


def rows(table: pa.Table, text_field: str) -> Iterator[tuple[dict[str, Any], str]]:
    """(row as a dict, "" or why it cannot be read) of each row of `table`, read column by column: the values
    JSON has no type for converted to strings, except in the text field, which must be a string as it is. A
    value that still cannot be read (a type with no JSON form, a value out of Python's range) makes its row
    bad, with the column and its type."""
    names, columns, broken = table.column_names, [], []
    for name, col in zip(names, table.columns, strict=True):
        try:
            if name != text_field and col.num_chunks and _converts(col.type):
                col = pa.chunked_array([jsonable(c) for c in col.chunks])
            columns.append(col.to_pylist())
            continue
        except Exception as e:  # whatever Arrow or Python raise for a value: the rows say so, the run goes on
            why = f"column {name!r} of type {col.type} cannot be read: {type(e).__name__}: {e}"
        values, bad = [], set()  # the rare path: value by value, to find the rows
        for i, v in enumerate(col):
            try:
                values.append(v.as_py())
            except Exception:
                values.append(None)
                bad.add(i)
        columns.append(values)
        broken.append((why, bad))
    if "meta" in names and isinstance(table.schema.field("meta").type, pa.StructType):  # malgeum's own output
        from malgeum.parquet_meta import from_row

        at, struct = names.index("meta"), table.schema.field("meta").type
        columns[at] = [from_row(m, struct) for m in columns[at]]
    for i, values in enumerate(zip(*columns, strict=True) if columns else [()] * table.num_rows):
        yield dict(zip(names, values, strict=True)), "; ".join(w for w, bad in broken if i in bad)


_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}


def _ints(arr: pa.Array) -> np.ndarray:
    """The stored integers (nulls as 0: their strings are replaced by null at the end)."""
    width = pa.int32() if arr.type.bit_width == 32 else pa.int64()
    return np.asarray(arr.view(width).fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)


def _digits(values: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(pa.array(values).cast(pa.string()), width=width, padding="0")


def _join(parts: list[Any], arr: pa.Array) -> pa.Array:
    joined = pc.binary_join_element_wise(*parts, "")
    return pc.if_else(arr.is_valid(), joined, pa.scalar(None, pa.string())) if arr.null_count else joined


def _fraction(frac: np.ndarray, unit: str) -> Any:
    """ ".250" for 250 ms: as many digits as the unit has, so that the value reads back exactly."""
    width = {"s": 0, "ms": 3, "us": 6, "ns": 9}[unit]
    return pc.binary_join_element_wise(".", _digits(frac, width), "") if width else ""


def _date_parts(days: np.ndarray) -> list[Any]:
    """YYYY-MM-DD of days since 1970-01-01, any year (H. Hinnant's civil_from_days, on whole arrays)."""
    z = days + 719468
    era = np.floor_divide(z, 146097)
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    # ISO 8601: four digits for 0000-9999, a sign and at least four beyond
    sign = pa.array(np.where(year > 9999, "+", np.where(year < 0, "-", "")))
    return [sign, _digits(np.abs(year), 4), "-", _digits(month, 2), "-", _digits(day, 2)]


def _clock_parts(seconds_of_day: np.ndarray) -> list[Any]:
    s = seconds_of_day
    return [_digits(s // 3600, 2), ":", _digits(s // 60 % 60, 2), ":", _digits(s % 60, 2)]


def _split(values: np.ndarray, unit: str) -> tuple[np.ndarray, np.ndarray]:
    per = _PER_SECOND[unit]
    seconds = np.floor_divide(values, per)
    return seconds, values - seconds * per


def _timestamp(arr: pa.Array) -> pa.Array:
    unit, tz = arr.type.unit, arr.type.tz
    utc = _ints(arr)
    local = _ints(pc.local_timestamp(arr)) if tz else utc  # wall time in the zone, by its rules at that instant
    seconds, frac = _split(local, unit)
    days = np.floor_divide(seconds, 86400)
    parts = [*_date_parts(days), "T", *_clock_parts(seconds - days * 86400), _fraction(frac, unit)]
    if tz:
        offset = (local - utc) // _PER_SECOND[unit]
        size = np.abs(offset)
        sign = pa.array(np.where(offset < 0, "-", "+"))
        secs = pc.if_else(pa.array(size % 60 != 0), pc.binary_join_element_wise(":", _digits(size % 60, 2), ""), "")
        parts += [sign, _digits(size // 3600, 2), ":", _digits(size // 60 % 60, 2), secs]  # +09:00 (+08:27:52)
    return _join(parts, arr)


def _date(arr: pa.Array) -> pa.Array:
    days = _ints(arr)
    if pa.types.is_date64(arr.type):  # milliseconds, whole days by the format's definition
        days = np.floor_divide(days, 86_400_000)
    return _join(_date_parts(days), arr)


def _time(arr: pa.Array) -> pa.Array:
    seconds, frac = _split(_ints(arr), arr.type.unit)
    return _join([*_clock_parts(seconds), _fraction(frac, arr.type.unit)], arr)


def _duration(arr: pa.Array) -> pa.Array:
    values = _ints(arr)
    seconds, frac = _split(np.abs(values), arr.type.unit)
    sign = pa.array(np.where(values < 0, "-", ""))
    return _join([sign, "PT", pa.array(seconds).cast(pa.string()), _fraction(frac, arr.type.unit), "S"], arr)


def _decimal(arr: pa.Array) -> pa.Array:
    return arr.cast(pa.string())  # Arrow's own text of the value: every digit, the scale's trailing zeros too


def _binary(arr: pa.Array) -> pa.Array:
    # Arrow has no base64 kernel: one C call per value, on this column only
    b64 = base64.b64encode
    return pa.array([None if v is None else b64(v).decode("ascii") for v in arr.to_pylist()], pa.string())


def _is_binary(t: pa.DataType) -> bool:
    return (
        pa.types.is_binary(t)
        or pa.types.is_large_binary(t)
        or pa.types.is_fixed_size_binary(t)
        or pa.types.is_binary_view(t)
    )


_LEAVES = (
    (pa.types.is_timestamp, _timestamp),
    (pa.types.is_date, _date),
    (pa.types.is_time, _time),
    (pa.types.is_duration, _duration),
    (pa.types.is_decimal, _decimal),
    (_is_binary, _binary),
)
