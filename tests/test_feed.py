"""A compressed file's parts read from one decompression by the driver give exactly what each part decompressing
from the start gives: the same records, line numbers, bad records and break, for any cut, any compression,
any subset of parts (a resumed run), and a line too long to hold; the workers never open the file."""

from __future__ import annotations

import bz2
import gzip
import hashlib
import lzma
import tempfile
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import orjson
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from malgeum.document import Document
from malgeum.engine import local
from malgeum.feed import BLOCK, fed
from malgeum.readers import Fields, Shard, ShardReader, plan

STORY = "구름시는 내년부터 새벽 순환버스를 강 건너 동네까지 늘린다고 밝혔다."

COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    ".gz": gzip.compress,
    ".zst": zstandard.ZstdCompressor().compress,
    ".bz2": lambda data: bz2.compress(data, 1),
    ".xz": lzma.compress,
}


def _noise(i: int) -> str:
    return hashlib.sha256(str(i).encode()).hexdigest()  # text that compresses as little as real text does


def _seen(shards: list[Shard], fields: Fields = Fields()) -> list[tuple]:
    out: list[tuple] = []
    for s in shards:
        for line, item in ShardReader(s, fields):
            if isinstance(item, Document):
                out.append((s.name, line, item.id, item.text))
            else:
                out.append((s.name, line, item.error, item.raw))
    return out


def _unfed(shards: list[Shard]) -> list[Shard]:
    return [Shard(s.index, s.kind, s.files, s.rels, s.start, s.stop, s.size, s.first_line) for s in shards]


LINE = st.one_of(
    st.builds(lambda t: orjson.dumps({"text": t}).decode(), st.text(min_size=1, max_size=60)),
    st.sampled_from(["", "   ", "{broken", "[1, 2]", '{"text": 3}', "\ufeff" + '{"text": "bom"}']),
    st.builds(lambda n: orjson.dumps({"text": STORY * n}).decode(), st.integers(5, 40)),
)


@settings(max_examples=150, deadline=None)
@given(
    lines=st.lists(LINE, min_size=1, max_size=60),
    final_break=st.booleans(),
    suffix=st.sampled_from(list(COMPRESSORS)),
    parts=st.integers(1, 12),
    cut=st.one_of(st.none(), st.floats(0.05, 0.99)),
    resumed=st.lists(st.booleans(), max_size=40),
)
def test_parts_fed_from_one_decompression_read_as_parts_decompressing_from_the_start(
    lines, final_break, suffix, parts, cut, resumed
):
    data = "\n".join(lines).encode() + (b"\n" if final_break else b"")
    chunk = max(64, len(data) // parts)  # (unfed, each part decompresses from the start: not too many)
    packed = COMPRESSORS[suffix](data)
    if cut is not None:
        packed = packed[: max(1, int(len(packed) * cut))]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"in.jsonl{suffix}"
        path.write_bytes(packed)
        shards = plan([str(path)], chunk_bytes=chunk)
        # a resumed run asks for some parts only
        todo = [s for i, s in enumerate(shards) if i >= len(resumed) or resumed[i]]
        expected = _seen(_unfed(todo))
        assert _seen(list(fed(_unfed(todo), Fields()))) == expected
        if cut is None and todo == shards:  # every line once
            assert len(expected) == sum(1 for line in data.splitlines() if line.strip())


def test_a_line_too_long_to_hold_leaves_its_part_and_the_next_unfed_and_reads_the_same(tmp_path):
    lines = [orjson.dumps({"text": f"{STORY} {_noise(i)}"}) for i in range(200)]
    lines[120] = orjson.dumps({"text": "".join(_noise(i) for i in range(500))})  # 32 kB, over the limit below
    data = b"\n".join(lines) + b"\n"
    path = tmp_path / "in.jsonl.gz"
    path.write_bytes(gzip.compress(data))
    fields = Fields(max_record_bytes=4000)
    shards = plan([str(path)], chunk_bytes=1000)
    given_ = list(fed(_unfed(shards), fields))
    at = data.index(lines[120])
    holder = next(i for i, s in enumerate(shards) if s.start <= at and (at < s.stop or s.stop < 0))
    assert 0 < holder < len(shards) - 1
    assert all(s.fed is not None for s in given_[:holder])
    assert all(s.fed is None for s in given_[holder + 1 :])
    seen = _seen(given_, fields)
    assert seen == _seen(_unfed(shards), fields)
    assert [x[1] for x in seen if str(x[2]).startswith("record larger than")] == [121]
    assert len(seen) == 200


def test_fed_parts_are_read_without_opening_the_file(tmp_path):
    data = b"".join(orjson.dumps({"text": f"{STORY} {_noise(i)}"}) + b"\n" for i in range(500))
    path = tmp_path / "in.jsonl.zst"
    path.write_bytes(zstandard.ZstdCompressor().compress(data))
    shards = plan([str(path)], chunk_bytes=4000)
    assert len(shards) > 5
    given_ = list(fed(shards, Fields()))
    path.unlink()  # what a worker reads is in the shard it was given
    texts = [item.text for s in given_ for _, item in ShardReader(s)]
    assert texts == [f"{STORY} {_noise(i)}" for i in range(500)]


def test_a_run_on_a_compressed_file_gives_the_plain_files_output_whatever_the_workers(tmp_path):
    rows = [{"id": f"d{i}", "text": f"{STORY}\n{i}번째 기사다. 시민들은 반겼다. {_noise(i)}"} for i in range(600)]
    data = b"".join(orjson.dumps(r) + b"\n" for r in rows)
    plain, packed = tmp_path / "in.jsonl", tmp_path / "in.jsonl.gz"
    plain.write_bytes(data)
    packed.write_bytes(gzip.compress(data))
    outs = {}
    for name, src, workers in (("plain", plain, 1), ("one", packed, 1), ("two", packed, 2)):
        stats = local.run([str(src)], tmp_path / name, progress=False, chunk_bytes=8000, workers=workers)
        assert stats["balanced"] and stats["input_records"] == 600
        if src == packed:
            assert stats["shards"] > 4
        outs[name] = [
            line for f in sorted((tmp_path / name / "kept").glob("part-*")) for line in gzip.open(f).read().splitlines()
        ]
    assert outs["one"] == outs["two"] == outs["plain"]


def test_feeding_holds_the_parts_in_flight_not_the_file(tmp_path):
    data = b"".join(orjson.dumps({"text": f"{STORY} {_noise(i)} {_noise(-i)}"}) + b"\n" for i in range(40_000))
    path = tmp_path / "in.jsonl.gz"
    path.write_bytes(gzip.compress(data, compresslevel=1))
    shards = plan([str(path)], chunk_bytes=64 << 10)
    assert len(shards) > 100 and len(data) > 8 << 20
    tracemalloc.start()
    try:
        seen = 0
        for s in fed(shards, Fields()):
            seen += len(s.fed.data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert seen == len(data)
    assert all(s.fed is None for s in shards)  # the caller's shards are not given the lines
    assert peak < 4 * BLOCK, peak  # a block being read and a part: not the 8 MB file


def test_parts_that_will_not_be_read_are_passed_over_unfed(tmp_path):
    data = b"".join(orjson.dumps({"text": f"{STORY} {_noise(i)}"}) + b"\n" for i in range(500))
    path = tmp_path / "in.jsonl.gz"
    path.write_bytes(gzip.compress(data))
    shards = plan([str(path)], chunk_bytes=4000)
    given_ = list(fed(shards, Fields(), unread=lambda s: s.index % 2 == 0))
    assert all((s.fed is None) == (s.index % 2 == 0) for s in given_)
    odd = [s for s in given_ if s.index % 2]
    assert _seen(odd) == _seen(_unfed(odd))
