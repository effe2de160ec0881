"""Output compression (`--compression zstd|gzip|none`): the files' names, runs that read back through the report,
dedup and resume in each, the same bytes from the same records, and a rerun in another compression refused."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pyarrow.parquet as pq
import pytest
import zstandard
from test_run import _output_bytes, _synth, jsonl_records, output_files, records, stats, write_jsonl

from malgeum import output, report, writers
from malgeum.cli import main
from malgeum.engine import local
from malgeum.synth import corpus

SUFFIX = {"zstd": ".jsonl.zst", "gzip": ".jsonl.gz", "none": ".jsonl"}


def _input(tmp_path: Path) -> Path:
    """30 stories, 10 of them again under other ids (for dedup), a page of nothing but a portal's link (dropped)
    and a line that is not JSON (quarantined)."""
    src = tmp_path / "in"
    src.mkdir()
    stories = [rec for rec, _ in corpus(30, seed=5)]
    write_jsonl(src / "a.jsonl", [*stories, {"id": "link", "text": "관련링크"}, b'{"id": "broken", "text": '])
    write_jsonl(src / "b.jsonl", [{**r, "id": f"copy-{r['id']}"} for r in stories[:10]])
    return src


def _clean(src: Path, out: Path, *options: str) -> int:
    return main(["clean", str(src), "-o", str(out), "-q", "--workers", "1", *options])


@pytest.mark.parametrize("compression", SUFFIX)
def test_each_compression_names_its_files_and_reads_back_in_the_report_and_dedup(tmp_path, compression):
    src, out, dd = _input(tmp_path), tmp_path / "out", tmp_path / "dd"
    assert _clean(src, out, "--compression", compression) == 0
    files = output_files(out)
    assert {f.parent.name for f in files} == {"kept", "dropped", "quarantine"}
    assert all(f.name.endswith(SUFFIX[compression]) for f in files), files
    s, kept = stats(out), {r["id"] for r in records(out)}
    assert s["kept"] + s["dropped"] == 41 and s["quarantined"] == 1
    assert len(kept) == s["kept"] and len(records(out, ("dropped",))) == s["dropped"]
    assert report.collect(out)["records"] == 41
    assert main(["dedup", str(out / "kept"), "-o", str(dd), "-q", "--compression", compression]) == 0
    assert all(f.name.endswith(SUFFIX[compression]) for f in output_files(dd))
    copies = {i for i in kept if i.startswith("copy-")}
    dropped = {r["id"]: r["meta"]["malgeum"]["dropped"]["rule"] for r in records(dd, ("dropped",))}
    assert copies and {i for i, rule in dropped.items() if rule == "dedup.exact"} == copies
    assert {r["id"] for r in records(dd)} | set(dropped) == kept


@pytest.mark.parametrize("compression", SUFFIX)
def test_the_same_records_give_the_same_bytes(tmp_path, compression):
    src = _synth(tmp_path, 120)
    one, two = tmp_path / "one", tmp_path / "two"
    local.run([str(src)], one, workers=1, progress=False, compression=compression)
    local.run([str(src)], two, workers=2, progress=False, compression=compression)
    assert output_files(one) and _output_bytes(one) == _output_bytes(two)


def test_a_zstd_file_is_one_frame_with_a_checksum_and_gzip_has_no_time(tmp_path):
    src = _synth(tmp_path, 40, files=1)
    for compression in ("zstd", "gzip"):
        local.run([str(src)], tmp_path / compression, workers=1, progress=False, compression=compression)
    (zst,) = output_files(tmp_path / "zstd", ("kept",))
    data = zst.read_bytes()
    frame = zstandard.get_frame_parameters(data)
    assert frame.has_checksum and frame.content_size == zstandard.CONTENTSIZE_UNKNOWN
    with zstandard.ZstdDecompressor().stream_reader(data) as r:  # what a user's zstandard code reads
        plain = r.read()
    (gz,) = output_files(tmp_path / "gzip", ("kept",))
    assert gz.read_bytes()[4:8] == b"\0\0\0\0"  # the header's mtime field
    assert plain == gzip.decompress(gz.read_bytes())


@pytest.mark.parametrize("compression", SUFFIX)
def test_a_resumed_run_redoes_only_what_is_missing_or_cut_short(tmp_path, compression):
    src = _synth(tmp_path, 200, files=1)
    ref, out = tmp_path / "ref", tmp_path / "out"
    local.run([str(src)], ref, workers=1, progress=False, chunk_bytes=8192, compression=compression)
    local.run([str(src)], out, workers=1, progress=False, chunk_bytes=8192, compression=compression)
    kept = output_files(out, ("kept",))
    assert len(kept) > 3
    (out / "stats" / f"{kept[0].name.split('.')[0]}.json").unlink()  # a shard that never finished
    kept[1].write_bytes(kept[1].read_bytes()[:-7])  # a file cut short since
    untouched = kept[2].stat().st_mtime_ns
    local.run([str(src)], out, workers=1, progress=False, chunk_bytes=8192, compression=compression)
    assert _output_bytes(out) == _output_bytes(ref)
    assert kept[2].stat().st_mtime_ns == untouched


def test_a_truncated_zstd_shard_is_not_taken_as_done(tmp_path):
    src = _synth(tmp_path, 60, files=1)
    out = tmp_path / "out"
    local.run([str(src)], out, workers=1, progress=False, compression="zstd")
    (kept,) = output_files(out, ("kept",))
    whole = kept.read_bytes()
    assert kept.name == "part-00000.jsonl.zst" and output.is_done(out, "part-00000")
    kept.write_bytes(whole[: len(whole) // 2])
    assert not output.is_done(out, "part-00000")
    with pytest.raises(EOFError, match="truncated"):  # and what reads it says so instead of reading half
        records(out)
    # a half-written file under its temporary name, with no marker: the shard is not done, the file never counts
    kept.unlink()
    (out / "stats" / "part-00000.json").unlink()
    (out / "kept" / ".part-00000.jsonl.zst.12345.tmp").write_bytes(whole[:100])
    assert not output.is_done(out, "part-00000")
    local.run([str(src)], out, workers=1, progress=False, compression="zstd")
    assert kept.read_bytes() == whole and not list(out.rglob("*.tmp"))


def test_another_compression_on_a_resumed_run_is_refused_unless_overwrite(tmp_path, capsys):
    src, out = _input(tmp_path), tmp_path / "out"
    assert _clean(src, out, "--compression", "zstd") == 0
    before = _output_bytes(out)
    assert all(name.endswith(".jsonl.zst") for name in before)
    assert _clean(src, out, "--compression", "gzip") == 2
    assert "another run (another compression: zstd then, gzip now)" in capsys.readouterr().err
    assert _output_bytes(out) == before
    assert _clean(src, out, "--compression", "gzip", "--overwrite") == 0
    assert output_files(out) and all(f.name.endswith(".jsonl.gz") for f in output_files(out))
    dd = ["dedup", str(out / "kept"), "-o", str(tmp_path / "dd"), "-q"]
    assert main([*dd, "--compression", "zstd"]) == 0
    assert main([*dd, "--compression", "none"]) == 2
    assert "another compression: zstd then, none now" in capsys.readouterr().err


def test_a_gzip_run_written_before_the_option_resumes_as_gzip(tmp_path, capsys):
    """A run.json without `compression` is of a run that wrote gzip: it resumes with gzip (the default), not with
    zstd."""
    src, out = _input(tmp_path), tmp_path / "out"
    assert _clean(src, out, "--compression", "gzip") == 0
    run = orjson.loads((out / "run.json").read_bytes())
    del run["compression"]
    (out / "run.json").write_bytes(orjson.dumps(run))
    marker = out / "stats" / "part-00000.json"
    finished = marker.stat().st_mtime_ns
    assert _clean(src, out, "--compression", "zstd") == 2
    assert "another compression: gzip then, zstd now" in capsys.readouterr().err
    assert _clean(src, out, "--compression", "gzip") == 0
    assert marker.stat().st_mtime_ns == finished  # resumed: nothing written again
    assert report.collect(out)["records"] == 41


def test_a_recipe_ending_in_dedup_writes_its_stage_and_its_output_in_the_compression(tmp_path):
    src, out = _input(tmp_path), tmp_path / "out"
    recipe = tmp_path / "r.yaml"
    recipe.write_text("steps:\n  - normalize_whitespace\n  - dedup: {}\n")
    assert _clean(src, out, "--recipe", str(recipe), "--compression", "none") == 0
    for folder in (out, out / "stage-clean"):
        files = output_files(folder)
        assert files and all(f.name.endswith(".jsonl") for f in files), files
    assert [f.name for f in output_files(out, ("quarantine",))] == ["part-clean-00000.jsonl"]
    s = stats(out)
    assert s["balanced"] and s["kept"] == 31 and s["dropped"] == 10 and s["quarantined"] == 1
    assert {r["id"] for r in records(out)} == {"link", *(f"synth-{i:08d}" for i in range(30))}


def test_parquet_columns_take_the_codec_and_a_rewrite_keeps_it(tmp_path):
    src, out = _input(tmp_path), tmp_path / "out"
    assert _clean(src, out, "--format", "parquet", "--compression", "gzip") == 0
    kept = output_files(out, ("kept",))
    assert kept and all(f.suffix == ".parquet" for f in kept)
    codecs = {pq.ParquetFile(f).metadata.row_group(0).column(0).compression for f in kept}
    assert codecs == {"GZIP"}
    (q,) = output_files(out, ("quarantine",))
    assert q.name.endswith(".jsonl.gz") and jsonl_records(q)[0]["line"] == 32
    writers.atomic_write_table(kept[0], pq.read_table(kept[0]))  # as harmonizing the meta types does
    assert pq.ParquetFile(kept[0]).metadata.row_group(0).column(0).compression == "GZIP"


def test_an_unknown_compression_is_refused_before_anything_is_written(tmp_path):
    src, out = _input(tmp_path), tmp_path / "out"
    with pytest.raises(ValueError, match="compression must be one of zstd, gzip, none, not 'lz4'"):
        local.run([str(src)], out, progress=False, compression="lz4")
    assert not out.exists()


def test_by_default_jsonl_is_gzip_and_parquet_columns_zstd(tmp_path):
    src = _input(tmp_path)
    assert _clean(src, tmp_path / "j") == 0 and _clean(src, tmp_path / "p", "--format", "parquet") == 0
    assert output_files(tmp_path / "j") and all(f.name.endswith(".jsonl.gz") for f in output_files(tmp_path / "j"))
    kept = output_files(tmp_path / "p", ("kept",))
    assert kept and all(pq.ParquetFile(f).metadata.row_group(0).column(0).compression == "ZSTD" for f in kept)
