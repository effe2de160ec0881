"""How input files are found and read: symbolic links are followed (each real file once), every compression a
crawl ships in is read, nothing inside an input folder is passed over without a word, names are unique and
text, a byte order mark is not part of a record, and a record too large to hold is quarantined without being
held."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from malgeum.document import Document
from malgeum.engine import local
from malgeum.explain import iter_records
from malgeum.readers import Bad, Fields, ShardReader, discover, plan, skipped

STORY = "구름시는 내년부터 새벽 순환버스를 강 건너 동네까지 늘린다고 밝혔다. 첫차는 다섯 시에 떠난다."


def _lines(*texts: str) -> bytes:
    return b"".join(orjson.dumps({"text": t}) + b"\n" for t in texts)


def _read(inputs: list[Path | str], fields: Fields = Fields(), chunk_bytes: int = 8 << 20) -> list[Document | Bad]:
    return [item for s in plan([str(i) for i in inputs], chunk_bytes) for _, item in ShardReader(s, fields)]


def _ids(items: list[Document | Bad]) -> list[str]:
    return [i.id if isinstance(i, Document) else f"bad {i.source}:{i.line}" for i in items]


# --- finding files ------------------------------------------------------------------------------------------


def test_symbolic_links_to_folders_and_files_are_followed_and_each_real_file_is_read_once(tmp_path):
    root, outside = tmp_path / "in", tmp_path / "outside"
    (root / "real").mkdir(parents=True)
    outside.mkdir()
    (root / "real" / "a.jsonl").write_bytes(_lines("a1", "a2"))
    (outside / "b.jsonl").write_bytes(_lines("b1"))
    (tmp_path / "loose.jsonl").write_bytes(_lines("c1"))
    (root / "real" / "up").symlink_to(root)  # back to an ancestor: no loop
    (root / "alias").symlink_to(root / "real")  # a second name of a folder read already
    (root / "linked").symlink_to(outside)
    (outside / "back").symlink_to(root)  # from outside, back in
    (root / "loose.jsonl").symlink_to(tmp_path / "loose.jsonl")
    (root / "again.jsonl").symlink_to(root / "real" / "a.jsonl")
    (root / "broken.jsonl").symlink_to(tmp_path / "nowhere.jsonl")

    assert [name for _, name, _, _ in discover([str(root)])] == ["linked/b.jsonl", "loose.jsonl", "real/a.jsonl"]
    assert _ids(_read([root])) == ["linked/b.jsonl:1", "loose.jsonl:1", "real/a.jsonl:1", "real/a.jsonl:2"]
    assert sorted(skipped([str(root)])) == [
        (str(root / "again.jsonl"), "another name of a file already read"),
        (str(root / "alias"), "link to a folder already read"),
        (str(root / "broken.jsonl"), "broken symbolic link: No such file or directory"),
        (str(root / "linked" / "back"), "link to a folder already read"),
        (str(root / "real" / "up"), "link to a folder already read"),
    ]


def test_what_a_folder_holds_and_is_not_read_is_listed_with_the_reason(tmp_path):
    root = tmp_path / "in"
    (root / ".git" / "objects").mkdir(parents=True)
    (root / ".git" / "objects" / "x.jsonl").write_bytes(_lines("hidden"))
    (root / "sub").mkdir()
    (root / ".notes.jsonl").write_bytes(_lines("hidden too"))
    (root / "README.md").write_text("what this is")
    (root / "sub" / "logo.png").write_bytes(b"\x89PNG")
    (root / "sub" / "data.jsonl").write_bytes(_lines("read"))
    os.mkfifo(root / "sub" / "pipe.jsonl")

    assert [name for _, name, _, _ in discover([str(root)])] == ["sub/data.jsonl"]
    unknown = "unknown type (expected .jsonl, .parquet, .txt, .html or .warc, .gz, .zst, .bz2 or .xz compressed)"
    listed = sorted(skipped([str(root)]))
    assert listed == [
        (str(root / ".git"), "hidden (its name starts with a dot)"),  # once, not its contents
        (str(root / ".notes.jsonl"), "hidden (its name starts with a dot)"),
        (str(root / "README.md"), unknown),
        (str(root / "sub" / "logo.png"), unknown),
        (str(root / "sub" / "pipe.jsonl"), "not a regular file"),
    ]
    read = {path for path, _, _, _ in discover([str(root)])}
    for folder, _, files in os.walk(root):  # nothing is passed over without a word
        for path in (os.path.join(folder, name) for name in files):
            assert path in read or any(path == p or path.startswith(p + os.sep) for p, _ in listed), path
    assert skipped([str(root / "sub" / "data.jsonl")]) == []  # a file argument is read whatever its name


# --- compressions -------------------------------------------------------------------------------------------

COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    ".gz": gzip.compress,
    ".GZ": gzip.compress,
    ".gzip": gzip.compress,
    ".bz2": lambda data: bz2.compress(data, 1),  # blocks of 100 kB: a cut file still has whole ones
    ".xz": lzma.compress,
    ".Xz": lzma.compress,
    ".zst": zstandard.ZstdCompressor().compress,
}


@pytest.mark.parametrize("suffix", list(COMPRESSORS))
def test_every_compression_is_read_whatever_the_case_of_its_suffix_and_a_cut_file_is_quarantined(tmp_path, suffix):
    texts = [f"{STORY} ({i})" for i in range(3000)]
    packed = COMPRESSORS[suffix](_lines(*texts))
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    whole.mkdir()
    cut.mkdir()
    (whole / f"data.jsonl{suffix}").write_bytes(packed)
    (cut / f"data.jsonl{suffix}").write_bytes(packed[: len(packed) * 2 // 3])

    items = _read([whole])
    assert [i.text for i in items] == texts
    assert _ids(items)[-1] == f"data.jsonl{suffix}:3000"
    # split into parts of the decompressed stream: the same records, each once, under the same ids
    assert len(plan([str(whole)], chunk_bytes=2 << 10)) > 1
    assert _ids(_read([whole], chunk_bytes=2 << 10)) == _ids(items)

    read = _read([cut])
    docs, bad = read[:-1], read[-1]
    assert docs and all(isinstance(d, Document) for d in docs) and len(docs) < len(texts)
    assert isinstance(bad, Bad) and bad.error.startswith(f"unreadable rest of file after line {len(docs)}")
    assert isinstance(_read([cut], chunk_bytes=2 << 10)[-1], Bad)


def test_a_compressed_file_is_cut_into_parts_of_equal_length_when_its_format_gives_its_size(tmp_path):
    data = _lines(*(f"{STORY} ({i})" for i in range(3000)))
    chunk = len(data) // 5 + 1  # five parts of the decompressed stream
    (tmp_path / "one.jsonl.gz").write_bytes(gzip.compress(data))  # ISIZE: the length of the whole
    (tmp_path / "one.jsonl.zst").write_bytes(zstandard.ZstdCompressor(write_content_size=True).compress(data))
    for name in ("one.jsonl.gz", "one.jsonl.zst"):
        shards = plan([str(tmp_path / name)], chunk_bytes=chunk)
        assert len(shards) == 5, name
        ranges = [(s.start, s.stop) for s in shards]
        lengths = [b - a for a, b in ranges[:-1]] + [len(data) - ranges[-1][0]]
        assert max(lengths) - min(lengths) <= 5 and ranges[-1][1] == -1, (name, lengths)  # the last holds the rest
        items = [item for sh in shards for _, item in ShardReader(sh)]
        assert [i.text for i in items] == [orjson.loads(line)["text"] for line in data.splitlines()]
    # two gzip members: the size read is the last one's, the parts are uneven, and every record is read once
    half = len(data) // 2
    (tmp_path / "two.jsonl.gz").write_bytes(gzip.compress(data[:half]) + gzip.compress(data[half:]))
    shards = plan([str(tmp_path / "two.jsonl.gz")], chunk_bytes=chunk)
    assert len(shards) > 1 and len([i for sh in shards for _, i in ShardReader(sh)]) == 3000
    bz = tmp_path / "b.jsonl.bz2"  # a format that does not say: three times the file's size
    bz.write_bytes(bz2.compress(data))
    assert len(plan([str(bz)], chunk_bytes=chunk)) == -(-bz.stat().st_size * 3 // chunk)
    assert len(plan([str(bz)], chunk_bytes=chunk, fed=False)) == min(8, -(-bz.stat().st_size * 3 // chunk))
    cut = tmp_path / "cut.jsonl.gz"  # its last four bytes are not a size: no thousands of empty parts
    cut.write_bytes(gzip.compress(data)[:-9])
    assert len(plan([str(cut)], chunk_bytes=chunk)) <= -(-cut.stat().st_size * 200 // chunk)


def test_compressed_text_html_and_warc_files_are_decompressed(tmp_path):
    (tmp_path / "note.txt.bz2").write_bytes(bz2.compress(STORY.encode()))
    (tmp_path / "page.html.XZ").write_bytes(lzma.compress(f"<html><body><p>{STORY}</p></body></html>".encode()))
    page = f"<html><body><article><p>{STORY}</p></article></body></html>".encode()
    (tmp_path / "crawl.warc.xz").write_bytes(lzma.compress(_warc_record("https://e.example/1", page)))
    items = _read([tmp_path])
    assert {i.id: i.text for i in items if isinstance(i, Document)} == {
        "note.txt.bz2": STORY,
        "page.html.XZ": STORY,
        items[0].id: STORY,  # the WARC record, named by its record id
    }
    assert items[0].meta["url"] == "https://e.example/1"


def _warc_record(url: str, body: bytes) -> bytes:
    from fastwarc.warc import WarcRecord, WarcRecordType

    r = WarcRecord()
    r.init_headers(record_type=WarcRecordType.response)
    r.headers["WARC-Target-URI"] = url
    r.headers["Content-Type"] = "application/http; msgtype=response"
    r.set_bytes_content(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + body)
    out = io.BytesIO()
    r.write(out)
    return out.getvalue()


# --- byte order marks ---------------------------------------------------------------------------------------

BOM = b"\xef\xbb\xbf"


def test_a_byte_order_mark_at_the_start_of_a_file_is_not_part_of_its_first_record(tmp_path):
    (tmp_path / "plain.jsonl").write_bytes(BOM + _lines("p1", "p2"))
    (tmp_path / "packed.jsonl.gz").write_bytes(gzip.compress(BOM + _lines("g1")))
    (tmp_path / "note.txt").write_bytes(BOM + STORY.encode())
    (tmp_path / "inside.jsonl").write_bytes(_lines("i1") + BOM + _lines("i2"))  # not at the start: not a BOM
    items = _read([tmp_path])
    assert {i.id: i.text for i in items if isinstance(i, Document)} == {
        "plain.jsonl:1": "p1",
        "plain.jsonl:2": "p2",
        "packed.jsonl.gz:1": "g1",
        "note.txt": STORY,
        "inside.jsonl:1": "i1",
    }
    (bad,) = [i for i in items if isinstance(i, Bad)]
    assert (bad.source, bad.line, bad.error.split(":")[0]) == ("inside.jsonl", 2, "malformed JSON")
    # a file split in byte ranges, and one in parts of its decompressed stream: only the first part has the start
    big = BOM + _lines(*(f"{STORY} ({i})" for i in range(2000)))
    (tmp_path / "plain.jsonl").write_bytes(big)
    (tmp_path / "packed.jsonl.gz").write_bytes(gzip.compress(big))
    for name in ("plain.jsonl", "packed.jsonl.gz"):
        shards = plan([str(tmp_path / name)], chunk_bytes=4 << 10)
        assert len(shards) > 2
        split = [i for s in shards for _, i in ShardReader(s)]
        assert all(isinstance(i, Document) for i in split) and len(split) == 2000, name


# --- names --------------------------------------------------------------------------------------------------


def test_files_of_one_name_under_two_input_folders_get_names_of_their_own(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    (a).mkdir()
    (b / "a").mkdir(parents=True)
    (a / "data.jsonl").write_bytes(_lines("from a") + b"not json\n")
    (a / "only.jsonl").write_bytes(_lines("only in a"))
    (b / "data.jsonl").write_bytes(_lines("from b") + b"not json\n")
    (b / "a" / "data.jsonl").write_bytes(_lines("from b/a"))  # its own name would be a's new one

    def names(*inputs: Path) -> list[str]:
        return [name for _, name, _, _ in discover([str(i) for i in inputs])]

    assert names(a) == ["data.jsonl", "only.jsonl"]  # a run of one folder names its files as it always did
    assert names(a, b) == ["a/data.jsonl", "only.jsonl", "b/a/data.jsonl", "b/data.jsonl"]
    assert names(a / "data.jsonl", b / "data.jsonl") == ["a/data.jsonl", "b/data.jsonl"]
    assert names(a, a) == ["data.jsonl", "only.jsonl", "data.jsonl#2", "only.jsonl#2"]  # a folder given twice
    assert names(b, b / "a") == ["a/data.jsonl", "data.jsonl", "a/data.jsonl#2"]  # and a folder inside it

    stats = local.run([str(a), str(b)], tmp_path / "out", workers=1, progress=False)
    assert stats["balanced"]
    ids = sorted(r["id"] for _, r in iter_records(tmp_path / "out"))
    assert ids == ["a/data.jsonl:1", "b/a/data.jsonl:1", "b/data.jsonl:1", "only.jsonl:1"]
    sources = sorted((r["source"], r["line"]) for _, r in iter_records(tmp_path / "out", ("quarantine",)))
    assert sources == [("a/data.jsonl", 2), ("b/data.jsonl", 2)]


def test_a_file_name_that_is_not_utf8_is_read_and_named_in_text(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    try:
        fd = os.open(os.fsencode(folder) + b"/bad\xff.jsonl", os.O_WRONLY | os.O_CREAT)
    except OSError:
        pytest.skip("this file system refuses names that are not UTF-8")
    os.write(fd, _lines(STORY) + b"not json\n")
    os.close(fd)
    assert [name for _, name, _, _ in discover([str(folder)])] == ["bad\\xff.jsonl"]
    stats = local.run([str(folder)], tmp_path / "out", workers=1, progress=False)
    assert stats["balanced"] and stats["input_records"] == 2
    assert [r["id"] for _, r in iter_records(tmp_path / "out")] == ["bad\\xff.jsonl:1"]
    (q,) = [r for _, r in iter_records(tmp_path / "out", ("quarantine",))]
    assert (q["source"], q["line"]) == ("bad\\xff.jsonl", 2)


# --- records too large to hold ------------------------------------------------------------------------------

BOUND = 256 << 10


def test_a_line_over_the_bound_is_quarantined_with_its_size_without_being_held(tmp_path):
    huge = orjson.dumps({"text": "가나다라" * (BOUND * 4 // 3)})  # 16 times the bound, in UTF-8
    (tmp_path / "data.jsonl.gz").write_bytes(gzip.compress(_lines("before") + huge + b"\n" + _lines("after")))
    fields = Fields(max_record_bytes=BOUND)
    tracemalloc.start()
    try:
        items = _read([tmp_path], fields)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert _ids(items) == ["data.jsonl.gz:1", "bad data.jsonl.gz:2", "data.jsonl.gz:3"]
    bad = items[1]
    assert bad.error == f"record larger than {BOUND} bytes: {len(huge)} bytes" and bad.extra == {"bytes": len(huge)}
    assert bad.raw == huge[:999].decode()  # its first bytes, as text (a character cut short left out)
    assert peak < len(huge) // 2, peak  # the line is never in memory


def test_the_bound_holds_at_its_edge_and_in_a_file_split_in_byte_ranges(tmp_path):
    edge = b'{"text": "' + b"x" * (1000 - 12) + b'"}'
    assert len(edge) == 1000
    (tmp_path / "edge.jsonl").write_bytes(edge + b"\n" + edge[:-2] + b'x"}\n' + edge)  # 1000, 1001, 1000 bytes
    items = _read([tmp_path / "edge.jsonl"], Fields(max_record_bytes=1000))
    assert _ids(items) == ["edge.jsonl:1", "bad edge.jsonl:2", "edge.jsonl:3"]
    assert items[1].error == "record larger than 1000 bytes: 1001 bytes"

    long_line = orjson.dumps({"text": "y" * (1 << 20)})  # over 16 chunks
    data = _lines(*map(str, range(3000))) + long_line + b"\n" + _lines(*map(str, range(3000)))
    (tmp_path / "split.jsonl").write_bytes(data)
    whole = _ids(_read([tmp_path / "split.jsonl"], Fields(max_record_bytes=BOUND)))
    assert whole[3000] == "bad split.jsonl:3001" and whole[-1] == "split.jsonl:6001" and len(whole) == 6001
    shards = plan([str(tmp_path / "split.jsonl")], chunk_bytes=64 << 10)
    assert len(shards) < len(data) // (64 << 10)  # no shard for the chunks inside the long line
    assert _ids(_read([tmp_path / "split.jsonl"], Fields(max_record_bytes=BOUND), chunk_bytes=64 << 10)) == whole


def test_text_html_warc_and_parquet_records_over_the_bound_are_quarantined(tmp_path):
    over = STORY * (BOUND // len(STORY.encode()) + 1)
    (tmp_path / "big.txt").write_text(over)
    (tmp_path / "small.txt").write_text(STORY)
    (tmp_path / "big.html.gz").write_bytes(gzip.compress(f"<html><body><p>{over}</p></body></html>".encode()))
    page = f"<html><body><article><p>{STORY}</p></article></body></html>".encode()
    records = [
        _warc_record("https://e.example/big", page * (BOUND // len(page) + 1)),
        _warc_record("https://e.example/s", page),
    ]
    (tmp_path / "crawl.warc.gz").write_bytes(b"".join(gzip.compress(r) for r in records))
    pq.write_table(pa.table({"text": [STORY, over, STORY], "note": ["a", "b", "c"]}), tmp_path / "rows.parquet")

    items = _read([tmp_path], Fields(max_record_bytes=BOUND))
    bad = {(b.source, b.line): b.error for b in items if isinstance(b, Bad)}
    n = len(over.encode())
    assert bad == {
        ("big.txt", None): f"record larger than {BOUND} bytes: the file holds more",
        ("big.html.gz", None): f"record larger than {BOUND} bytes: the file holds more",
        ("crawl.warc.gz", 1): f"record larger than {BOUND} bytes: {len(page) * (BOUND // len(page) + 1)} bytes",
        ("rows.parquet", 1): f"record larger than {BOUND} bytes: 'text' holds {n} bytes",
    }
    docs = {i.id: i.text for i in items if isinstance(i, Document)}
    assert docs["small.txt"] == STORY and docs["rows.parquet:0"] == STORY and docs["rows.parquet:2"] == STORY
    assert [d.meta["url"] for d in items if isinstance(d, Document) and "url" in d.meta] == ["https://e.example/s"]


def test_a_plain_file_of_a_few_chunks_is_cut_finer_so_that_no_shard_runs_alone_for_long(tmp_path, monkeypatch):
    from malgeum import readers

    monkeypatch.setattr(readers, "MIN_CHUNK_BYTES", 8 << 10)  # (as 1 MB and 4 MB chunks, in small)
    chunk = 64 << 10
    line = orjson.dumps({"text": STORY}) + b"\n"
    path = tmp_path / "big.jsonl"
    path.write_bytes(line * (8 * chunk // len(line)))  # eight chunks' worth: cut into FILE_PIECES
    shards = plan([str(path)], chunk)
    assert len(shards) in (readers.FILE_PIECES - 1, readers.FILE_PIECES), len(shards)
    assert all(abs(s.size - path.stat().st_size / len(shards)) <= 2 * len(line) for s in shards[:-1])
    assert sum(1 for s in shards for _ in ShardReader(s)) == path.stat().st_size // len(line)
    small = tmp_path / "small.jsonl"  # but into ranges no shorter than MIN_CHUNK_BYTES
    small.write_bytes(line * (5 * (8 << 10) // len(line)))
    assert len(plan([str(small)], chunk)) == 5
    large = tmp_path / "large.jsonl"  # and no longer than the chunk
    large.write_bytes(line * (64 * chunk // len(line)))
    assert len(plan([str(large)], chunk)) == 64
