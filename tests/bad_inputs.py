"""Writes the bad-input suite: one file per kind of byte-level dirt a crawl delivers.

    python tests/bad_inputs.py FOLDER [--big]      # --big adds a 100 MB document and a million tiny ones

Each entry of KINDS names a file, what is in it, and what a run must do with it: how many records it holds,
how many go to quarantine and with which message. tests/test_bad_input.py runs `malgeum clean` over the
folder and checks every kind; the README's "Guarantees" section lists them.
"""

from __future__ import annotations

import gzip
import sys
from dataclasses import dataclass
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import zstandard

STORY = "서울시는 내년부터 심야버스 노선을 북부 지역까지 늘리기로 했다고 25일 밝혔다. 새 노선은 자정부터 운행된다."


@dataclass(frozen=True)
class Kind:
    file: str
    what: str
    records: int  # input records the file holds
    quarantined: int
    message: str  # a piece of every quarantine message of this file ("" when none is quarantined)


def _nested(depth: int) -> dict:
    d: dict = {"leaf": True}
    for _ in range(depth):
        d = {"a": d}
    return d


def _line(rec: object) -> bytes:
    return orjson.dumps(rec) + b"\n"


def _docs(prefix: str, n: int) -> bytes:
    return b"".join(_line({"id": f"{prefix}{i}", "text": f"{STORY} ({i})"}) for i in range(n))


def write(folder: Path, big: bool = False) -> list[Kind]:
    folder.mkdir(parents=True, exist_ok=True)
    kinds = []

    def add(file: str, data: bytes, *expect: object) -> None:
        (folder / file).write_bytes(data)
        kinds.append(Kind(file, *expect))  # type: ignore[arg-type]

    add(
        "malformed.jsonl",
        _line({"id": "ok1", "text": STORY})
        + b'{"id": "cut", "text": "abc"\n'
        + b"not json at all\n"
        + b"[1, 2, 3]\n"
        + b'{"id": "ok2", "text": "'
        + STORY.encode()
        + b'"}\n',
        "malformed JSON lines and a JSON list",
        5,
        3,
        "",
    )
    whole = _docs("gz", 400)
    add("truncated.jsonl.gz", gzip.compress(whole)[:-2000], "a .gz cut short", -1, 1, "unreadable rest of file")
    zst = zstandard.ZstdCompressor().compress(whole)
    add("truncated.jsonl.zst", zst[: len(zst) // 2], "a .zst cut short", -1, 1, "unreadable rest of file")
    add(
        "invalid_utf8.jsonl",
        _line({"id": "u1", "text": STORY}) + b'{"id": "u2", "text": "bad \xff\xfe bytes"}\n',
        "invalid UTF-8 inside a string",
        2,
        1,
        "malformed JSON",
    )
    add(
        "surrogates.jsonl",
        b'{"id": "s1", "text": "a lone \\ud800 surrogate"}\n' + _line({"id": "s2", "text": STORY}),
        "a lone surrogate escape",
        2,
        1,
        "malformed JSON",
    )
    add(
        "nul.jsonl",
        _line({"id": "n1", "text": "NUL\u0000 bytes\u0000 inside " + STORY}) + b"\x00\x00\x00\n",
        "NUL characters in a text, NUL bytes as a line",
        2,
        1,
        "malformed JSON",
    )
    add(
        "empty.jsonl",
        _line({"id": "e1", "text": ""}) + _line({"id": "e2", "text": " \n\t \u3000 "}) + b"\n   \n",
        "empty and white-space-only texts (and blank lines, which are not records)",
        2,
        0,
        "",
    )
    add(
        "types.jsonl",
        b"".join(
            _line(r)
            for r in (
                {"id": "t1", "text": 42},
                {"id": "t2", "text": None},
                {"id": "t3", "text": ["a", "b"]},
                {"id": "t4", "text": {"x": 1}},
                {"id": {"nested": "id"}, "text": STORY},
                {"id": "t6"},
            )
        ),
        "text fields that are not strings, an object as id, no text field",
        6,
        6,
        "",
    )
    add(
        "nested.jsonl",
        _line({"id": "d1", "text": STORY, "meta": _nested(200)})
        + b'{"id": "d2", "text": "x", "meta": '
        + b'{"a": ' * 300
        + b"1"
        + b"}" * 300
        + b"}\n"
        + b'{"id": "d3", "text": "x", "meta": '
        + b"[" * 5000
        + b"]" * 5000
        + b"}\n",
        "meta nested 200, 300 (readable, not writable as JSON) and 5,000 deep",
        3,
        2,
        "",
    )
    add(
        "deeper.jsonl",
        _line({"id": "ok2", "text": STORY})
        + b'{"id": "d4", "text": "x", "meta": '
        + b'{"a": ' * 1000
        + b"1"
        + b"}" * 1001
        + b"\n",
        "meta nested 1,000 deep (deeper than any reader recurses)",
        2,
        1,
        "meta too deep",
    )
    add(
        "bom.jsonl",
        b"\xef\xbb\xbf" + _docs("bom", 2),
        "a UTF-8 byte order mark before the first record",
        2,
        0,
        "",
    )
    add(
        "odd_values.jsonl",
        _line({"id": "m1", "text": STORY, "meta": [1, 2]})
        + _line({"id": "m2", "text": STORY, "meta": "from a feed"})
        + b'{"id": 1180591620717411303424, "text": "'
        + STORY.encode()
        + b'"}\n',
        "a meta that is not an object (kept as meta.meta), an integer id beyond 64 bits (every digit kept)",
        3,
        0,
        "",
    )
    add(
        "duplicate_ids.jsonl",
        _line({"id": "same", "text": STORY}) + _line({"id": "same", "text": STORY + " 다른 문장이다."}),
        "two records with one id (both are documents; dedup decides)",
        2,
        0,
        "",
    )
    table = pa.table({"body": [STORY, STORY], "n": [1, 2]})
    pq.write_table(table, folder / "wrong_schema.parquet")
    kinds.append(Kind("wrong_schema.parquet", "Parquet without a text column", 2, 2, "missing text field"))
    pq.write_table(pa.table({"id": ["p1", "p2"], "text": [1, 2]}), folder / "int_text.parquet")
    kinds.append(Kind("int_text.parquet", "Parquet whose text column holds numbers", 2, 2, "not a string"))
    import datetime
    import decimal

    typed = pa.table(
        {
            "id": ["t1", "t2"],
            "text": [STORY, STORY],
            "seen": pa.array([0, 2**62], pa.timestamp("ns")),  # 2**62 ns: the year 2116
            "day": pa.array([datetime.date(2026, 1, 3), None]),
            "price": pa.array([decimal.Decimal("1.50"), decimal.Decimal("-3")], pa.decimal128(5, 2)),
            "blob": pa.array([b"\xff\x00", b""], pa.binary()),
            "far": pa.array([-(2**52), 2**52], pa.timestamp("ms")),  # some 140,000 years: beyond Python's 9999
        }
    )
    pq.write_table(typed, folder / "typed.parquet")
    kinds.append(
        Kind("typed.parquet", "Parquet timestamp, date, decimal and binary columns, years beyond 9999", 2, 0, "")
    )
    (folder / "not_parquet.parquet").write_bytes(b"PAR1 this is not a parquet file")
    kinds.append(Kind("not_parquet.parquet", "a .parquet that is not one", 1, 1, "unreadable Parquet file"))
    junk = bytes((i * 7919 + 13) % 256 for i in range(65536))
    add("binary.jsonl", junk, "64 KB of binary named .jsonl", -1, -1, "malformed JSON")
    if big:
        add(
            "big.jsonl",
            _line({"id": "big", "text": (STORY + "\n") * (100_000_000 // len((STORY + "\n").encode()))}),
            "one 100 MB document",
            1,
            -1,
            "",
        )
        with open(folder / "tiny.jsonl", "wb") as f:
            for i in range(1_000_000):
                f.write(b'{"id":"t%d","text":"%d"}\n' % (i, i))
        kinds.append(Kind("tiny.jsonl", "a million tiny documents", 1_000_000, 0, ""))
    return kinds


if __name__ == "__main__":
    for k in write(Path(sys.argv[1]), big="--big" in sys.argv):
        print(f"{k.file:24s} {k.what}")
