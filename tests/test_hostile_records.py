"""Records built to break the way records become documents: meta nested past what JSON output holds, Parquet
columns of types JSON has no value for, a meta that is not an object, an integer id beyond 64 bits. Each is a
document exactly as it came or a quarantine entry that says why, in clean and in dedup alike."""

from __future__ import annotations

import datetime
import decimal
import os
from collections import defaultdict
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from bad_inputs import STORY, write

from malgeum import dedup
from malgeum.document import Document
from malgeum.engine import local
from malgeum.explain import iter_records
from malgeum.readers import Bad, Fields, ShardReader, plan
from malgeum.records import MAX_META_DEPTH, bounded_repr, meta_problem

LIGHT = {"steps": ["normalize_whitespace"]}  # what is read does not depend on the recipe


def _nested(levels: int) -> dict:
    """A meta `levels` containers deep (itself included)."""
    d: dict = {"leaf": True}
    for _ in range(levels - 1):
        d = {"a": d}
    return d


def _read(path: Path, fields: Fields = Fields()) -> list[Document | Bad]:
    return [item for shard in plan([str(path)]) for _, item in ShardReader(shard, fields)]


def _clean(folder: Path, out: Path) -> tuple[dict, dict[str, list[dict]], dict[str, dict]]:
    stats = local.run([str(folder)], out, LIGHT, workers=1, progress=False)
    quarantine: dict[str, list[dict]] = defaultdict(list)
    for _, r in iter_records(out, ("quarantine",)):
        quarantine[r["source"]].append(r)
    return stats, quarantine, {r["id"]: r for _, r in iter_records(out)}


def _line(rec: dict) -> bytes:
    return orjson.dumps(rec) + b"\n"


# --- 1. meta deeper than JSON output holds ---------------------------------------------------------------------


def _deep_meta_line(levels: int, rid: str) -> bytes:
    """A record whose meta is `levels` deep, written by hand: orjson writes no deeper than 254."""
    return f'{{"id": "{rid}", "text": "{STORY}", "meta": '.encode() + b'{"a": ' * (levels - 1) + b'{"leaf": true}'


def test_meta_nested_1000_deep_is_quarantined_when_read_with_its_line_on_every_run(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    deep = _deep_meta_line(1000, "deep") + b"}" * 999 + b"}\n"
    limit = _deep_meta_line(MAX_META_DEPTH, "limit") + b"}" * (MAX_META_DEPTH - 1) + b"}\n"
    over = _deep_meta_line(MAX_META_DEPTH + 1, "over") + b"}" * MAX_META_DEPTH + b"}\n"
    (folder / "a.jsonl").write_bytes(deep + limit + over + _line({"id": "after", "text": STORY}))
    for run in ("first", "again"):  # a rerun decides the same: the reader decides, not the writer
        stats, quarantine, docs = _clean(folder, tmp_path / f"out-{run}")
        assert stats["balanced"] and stats["quarantined"] == 2 and set(docs) == {"limit", "after"}
        entries = sorted(quarantine["a.jsonl"], key=lambda r: r["line"])
        assert [(r["line"], r["error"]) for r in entries] == [
            (1, f"meta too deep: nested 1000 levels, over the depth limit of {MAX_META_DEPTH} that JSON output holds"),
            (3, f"meta too deep: nested 253 levels, over the depth limit of {MAX_META_DEPTH} that JSON output holds"),
        ]
        assert entries[0]["raw"].encode() == deep.strip() and entries[1]["raw"].encode() == over.strip()
        assert stats["quarantine_reasons"] == {"meta too deep": 2}
    # the deepest meta allowed is written whole, in kept and in quarantine (a timeout's entry holds it as raw)
    kept = docs["limit"]["meta"]
    for _ in range(MAX_META_DEPTH - 1):
        kept = kept["a"]
    assert kept == {"leaf": True}
    assert orjson.dumps({"raw": {"meta": _nested(MAX_META_DEPTH)}})


def test_quarantine_entries_are_writable_whatever_they_hold():
    deep_row = {"id": "p", "text": "x", "meta": _nested(2000)}  # a decoded row deeper than JSON (or repr) goes
    entry = Bad("rows.parquet", 7, "some reason", deep_row).to_record()
    assert orjson.loads(orjson.dumps(entry))["raw"].startswith("{'id': 'p', 'text': 'x', 'meta': {'a': {'a': ")
    assert "..." in entry["raw"]  # the levels past the bound, shown cut
    lone = Bad("b\udcff.txt", None, "unwritable as JSON: str is not valid UTF-8", {"id": "b\udcff.txt"}).to_record()
    assert orjson.loads(orjson.dumps(lone)) == {
        "source": "'b\\udcff.txt'",
        "line": None,
        "error": "unwritable as JSON: str is not valid UTF-8",
        "raw": "{'id': 'b\\udcff.txt'}",
    }
    assert bounded_repr([[[[]]]]) == "[[[[]]]]"
    very_deep: list = []
    for _ in range(100_000):
        very_deep = [very_deep]
    assert len(bounded_repr(very_deep)) < 1000  # no RecursionError at any depth


# --- 3. Parquet columns JSON has no type for -------------------------------------------------------------------

CYCLE = 146_097 * 86_400  # seconds in 400 Gregorian years: dates beyond Python's, counted exactly
YEAR_20000 = (
    int((datetime.datetime(9600, 1, 1, 12, 34, 56) - datetime.datetime(1970, 1, 1)).total_seconds()) + 26 * CYCLE
)
YEAR_MINUS_5000 = int((datetime.datetime(2200, 3, 1) - datetime.datetime(1970, 1, 1)).total_seconds()) - 18 * CYCLE


def _typed_table() -> pa.Table:
    ts = datetime.datetime(2024, 5, 1, 9, 30, 0, 250_000)
    stamp = int((ts - datetime.datetime(1970, 1, 1)).total_seconds() * 1000)  # in ms
    return pa.table(
        {
            "id": ["t1", "t2"],
            "text": [STORY, STORY + " 둘째 줄이다."],
            "ts_s": pa.array([YEAR_20000, YEAR_MINUS_5000], pa.timestamp("s")),  # stored by Parquet in ms
            "ts_ms": pa.array([stamp, None], pa.timestamp("ms")),
            "ts_us_utc": pa.array([stamp * 1000, 0], pa.timestamp("us", tz="UTC")),
            "ts_ns_seoul": pa.array([stamp * 1_000_000 + 1, 0], pa.timestamp("ns", tz="Asia/Seoul")),
            "day": pa.array([19844, -719162], pa.date32()),
            "day64": pa.array([19844 * 86_400_000, 0], pa.date64()),
            "clock": pa.array([34_200_250, 0], pa.time32("ms")),
            "clock_ns": pa.array([34_200_000_000_001, 0], pa.time64("ns")),
            "took": pa.array([90_500, -3_000], pa.duration("ms")),
            "price": pa.array([decimal.Decimal("12.50"), decimal.Decimal("-0.07")], pa.decimal128(10, 2)),
            "big": pa.array([decimal.Decimal("1" * 40), None], pa.decimal256(60, 0)),
            "blob": pa.array([b"\x00\xffab", b""], pa.binary()),
            "large_blob": pa.array([b"abc", None], pa.large_binary()),
            "nested": pa.array(
                [{"at": stamp, "raw": b"x", "tags": [stamp, None]}, None],
                pa.struct([("at", pa.timestamp("ms")), ("raw", pa.binary()), ("tags", pa.list_(pa.timestamp("ms")))]),
            ),
            "stamps": pa.array([[YEAR_20000], []], pa.large_list(pa.timestamp("s"))),
            "pairs": pa.array([[(b"k", 1)], None], pa.map_(pa.binary(), pa.duration("s"))),
        }
    )


EXPECTED_META = {
    "t1": {
        "ts_s": "+20000-01-01T12:34:56.000",
        "ts_ms": "2024-05-01T09:30:00.250",
        "ts_us_utc": "2024-05-01T09:30:00.250000+00:00",
        "ts_ns_seoul": "2024-05-01T18:30:00.250000001+09:00",
        "day": "2024-05-01",
        "day64": "2024-05-01",
        "clock": "09:30:00.250",
        "clock_ns": "09:30:00.000000001",
        "took": "PT90.500S",
        "price": "12.50",
        "big": "1" * 40,
        "blob": "AP9hYg==",
        "large_blob": "YWJj",
        "nested": {
            "at": "2024-05-01T09:30:00.250",
            "raw": "eA==",
            "tags": ["2024-05-01T09:30:00.250", None],
        },
        "stamps": ["+20000-01-01T12:34:56.000"],
        "pairs": [["aw==", "PT1S"]],
    },
    "t2": {
        "ts_s": "-5000-03-01T00:00:00.000",
        "ts_ms": None,
        "ts_us_utc": "1970-01-01T00:00:00.000000+00:00",
        "ts_ns_seoul": "1970-01-01T09:00:00.000000000+09:00",
        "day": "0001-01-01",
        "day64": "1970-01-01",
        "clock": "00:00:00.000",
        "clock_ns": "00:00:00.000000000",
        "took": "-PT3.000S",
        "price": "-0.07",
        "big": None,
        "blob": "",
        "large_blob": None,
        "nested": None,
        "stamps": [],
        "pairs": None,
    },
}


def test_parquet_columns_json_has_no_type_for_become_strings(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    pq.write_table(_typed_table(), folder / "typed.parquet")
    stats, quarantine, docs = _clean(folder, tmp_path / "out")
    assert not quarantine and stats["kept"] == 2
    for rid, expected in EXPECTED_META.items():
        meta = docs[rid]["meta"]
        assert {k: meta[k] for k in expected} == expected
    # dedup reads the same (it crashed on timestamp[ns], read as pandas Timestamps)
    d = dedup.run([str(folder)], tmp_path / "dedup")
    assert d["balanced"] and d["kept"] + d["dropped"] == 2 and d["quarantined"] == 0


def test_parquet_values_that_cannot_be_read_send_their_row_to_quarantine(tmp_path):
    table = pa.table(
        {
            "id": ["i1", "i2", "i3"],
            # a text column of timestamps: the text is not converted, and year 20000 is beyond Python's dates
            "text": pa.array([YEAR_20000, None, 0], pa.timestamp("s")),
        }
    )
    pq.write_table(table, tmp_path / "odd.parquet")
    got = _read(tmp_path / "odd.parquet")
    assert [(b.line, b.error) for b in got if isinstance(b, Bad)] == [
        (0, "column 'text' of type timestamp[ms] cannot be read: OverflowError: date value out of range"),
        (1, "missing text field 'text'"),
        (2, "text field 'text' is a datetime, not a string"),
    ]
    assert got[0].raw == {"id": "i1", "text": None}  # what could be read of the row
    # a value JSON has no form for (Parquet stores none such, other readers might): named with its field
    why = meta_problem({"url": "https://example.org", "span": pa.scalar(pa.MonthDayNano([1, 2, 3])).as_py()})
    assert (
        why
        == "meta field 'span' holds a MonthDayNano, which JSON cannot hold: Type is not JSON serializable: MonthDayNano"
    )


# --- 4. a meta that is not an object; 5. an integer id beyond 64 bits ------------------------------------------


def test_a_meta_that_is_not_an_object_is_kept_under_meta(tmp_path):
    rows = [
        {"id": "list", "text": STORY, "meta": ["a", 1]},
        {"id": "str", "text": STORY, "meta": "from the crawler"},
        {"id": "num", "text": STORY, "meta": 3.5, "url": "https://example.org/x"},
        {"id": "null", "text": STORY, "meta": None},
        {"id": "obj", "text": STORY, "meta": {"lang": "ko"}, "url": "https://example.org/y"},
    ]
    (tmp_path / "m.jsonl").write_bytes(b"".join(_line(r) for r in rows))
    assert [d.meta for d in _read(tmp_path / "m.jsonl")] == [
        {"meta": ["a", 1]},
        {"meta": "from the crawler"},
        {"meta": 3.5, "url": "https://example.org/x"},
        {},
        {"lang": "ko", "url": "https://example.org/y"},
    ]


def test_an_integer_id_beyond_64_bits_keeps_every_digit(tmp_path):
    (tmp_path / "ids.jsonl").write_bytes(
        b'{"id": 123456789012345678901234567890, "text": "a"}\n'
        b'{"id": -9223372036854775809, "text": "b"}\n'
        b'{"id": 18446744073709551615, "text": "c"}\n'
        b'{"id": 1.5, "text": "d"}\n'
        b'{"id": 1e30, "text": "e"}\n'
    )
    got = _read(tmp_path / "ids.jsonl")
    assert [g.id for g in got[:3]] == ["123456789012345678901234567890", "-9223372036854775809", "18446744073709551615"]
    assert [g.error for g in got[3:]] == ["id field 'id' is a float, not a string or number"] * 2


# --- 2. dedup accounts for every bad record as clean does ------------------------------------------------------


def _hostile(folder: Path) -> None:
    """This file's hostile records, beside the bad-input suite."""
    deep = _deep_meta_line(1000, "deep") + b"}" * 1000 + b"\n"
    (folder / "hostile.jsonl").write_bytes(
        deep
        + b'{"id": 123456789012345678901234567890, "text": "' + STORY.encode() + b' (big id)"}\n'
        + _line({"id": "listmeta", "text": STORY + " (list meta)", "meta": [1, 2]})
    )  # fmt: skip
    pq.write_table(_typed_table(), folder / "typed.parquet")
    table = pa.table({"id": ["x"], "text": pa.array([YEAR_20000], pa.timestamp("s"))})
    pq.write_table(table, folder / "odd_text.parquet")


READING = ("timeout", "step ", "unwritable as JSON")  # reasons of clean's steps and writing, not of reading


def test_dedup_quarantines_what_clean_does_and_balances(tmp_path):
    folder = tmp_path / "bad"
    write(folder)
    _hostile(folder)
    _, clean_q, _ = _clean(folder, tmp_path / "clean")
    stats = dedup.run([str(folder)], tmp_path / "dedup")
    assert stats["balanced"]
    assert stats["input_records"] == stats["kept"] + stats["dropped"] + stats["quarantined"]
    dedup_q = {(r["source"], r["line"], r["error"]) for _, r in iter_records(tmp_path / "dedup", ("quarantine",))}
    read_q = {(r["source"], r["line"], r["error"]) for rs in clean_q.values() for r in rs}
    assert not [e for e in read_q if e[2].startswith(READING)]
    assert read_q == dedup_q
    assert ("hostile.jsonl", 1, f"meta too deep: nested 1000 levels, over the depth limit of {MAX_META_DEPTH} "
            "that JSON output holds") in dedup_q  # fmt: skip
    written = {r["id"] for _, r in iter_records(tmp_path / "dedup")}
    assert {"123456789012345678901234567890", "listmeta", "t1", "t2"} <= written


@pytest.mark.skipif(os.uname().sysname != "Linux", reason="file names of any bytes")
def test_dedup_passes_agree_on_a_file_name_that_is_not_utf8(tmp_path):
    """A file name that is not UTF-8 gives an id written with escapes (JSON holds it): dedup's two passes both
    count the document, so that the documents after it keep their ordinals."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl").write_bytes(_line({"id": "first", "text": STORY}))
    with open(os.path.join(os.fsencode(folder), b"b\xff.txt"), "wb") as f:
        f.write("다른 이야기다. 이 문서는 파일 이름이 UTF-8이 아니다.".encode())
    (folder / "c.jsonl").write_bytes(_line({"id": "copy", "text": STORY}) + _line({"id": "own", "text": "딴 글."}))
    stats = dedup.run([str(folder)], tmp_path / "out")
    assert stats["balanced"] and (stats["kept"], stats["dropped"], stats["quarantined"]) == (3, 1, 0)
    got = {r["id"]: (sub, r) for sub, r in iter_records(tmp_path / "out")}
    assert (
        got["copy"][0] == "dropped"
        and got["copy"][1]["meta"]["malgeum"]["dropped"]["reason"] == "the same text as first"
    )
    assert got["own"][0] == "kept" and got["b\\xff.txt"][0] == "kept"


def test_dedup_keeps_a_malgeum_meta_that_is_not_malgeums_as_plain_meta(tmp_path):
    """An input's `malgeum` field is read as the edits of an earlier run; one that is not (edits without
    offsets) stays the input's meta instead of stopping the run."""
    bogus = {"id": "x", "text": STORY, "meta": {"malgeum": {"edits": [{"rule": "made up"}]}}}
    (tmp_path / "in.jsonl").write_bytes(_line(bogus))
    stats = dedup.run([str(tmp_path / "in.jsonl")], tmp_path / "out")
    assert stats["balanced"] and stats["kept"] == 1
    ((_, r),) = list(iter_records(tmp_path / "out"))
    assert r["meta"]["malgeum_input"] == {"edits": [{"rule": "made up"}]} and r["meta"]["malgeum"]["edits"] == []
