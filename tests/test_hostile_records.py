"""Records built to break the way records become documents: meta nested past what JSON output holds, Parquet
columns of types JSON has no value for, a meta that is not an object, an integer id beyond 64 bits. Each is a
document exactly as it came or a quarantine entry that says why, in clean and in dedup alike."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import orjson
from bad_inputs import STORY

from malgeum.document import Document
from malgeum.engine import local
from malgeum.explain import iter_records
from malgeum.readers import Bad, Fields, ShardReader, plan
from malgeum.records import MAX_META_DEPTH, bounded_repr

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
