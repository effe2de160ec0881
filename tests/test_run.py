"""`malgeum clean` end to end: formats, ids, quarantine, accounting, determinism, resume, explain."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from malgeum import restore
from malgeum.cli import main
from malgeum.engine import local
from malgeum.explain import iter_records
from malgeum.readers import Fields, decompressed
from malgeum.synth import corpus

STORY = (
    "(서울=연합뉴스) 홍길동 기자 = 정부는 24일 내년도 예산안을 발표했다.\n관계자는 추가 대책도 검토 중이라고 말했다."
)


def write_jsonl(path: Path, rows: list, opener=open) -> Path:
    with opener(path, "wb") as f:
        for r in rows:
            f.write(r if isinstance(r, bytes) else orjson.dumps(r))
            f.write(b"\n")
    return path


def records(out: Path, which=("kept",)) -> list[dict]:
    return [r for _, r in iter_records(out, which)]


def output_files(out: Path, which=("kept", "dropped", "quarantine")) -> list[Path]:
    """A run's shard files (in partitions too), whatever its compression: .jsonl.zst, .jsonl.gz, .jsonl, .parquet."""
    return sorted(p for sub in which for p in (out / sub).rglob("part-*") if p.is_file())


def jsonl_records(path: Path) -> list[dict]:
    """The records of one JSONL output file, decompressed as its name says."""
    with decompressed(path) as fh:
        return [orjson.loads(line) for line in fh]


def quarantined(out: Path) -> list[dict]:
    return [r for f in output_files(out, ("quarantine",)) for r in jsonl_records(f)]


def stats(out: Path) -> dict:
    return orjson.loads((out / "stats.json").read_bytes())


def test_every_input_record_is_accounted_for(tmp_path):
    src = write_jsonl(
        tmp_path / "in.jsonl",
        [
            {"id": "a", "text": STORY, "url": "https://x"},
            b'{"id": "b", "text": "unterminated',
            {"id": "c"},
            {"id": "d", "text": 42},
            [1, 2],
            {"id": "e", "text": "관련링크"},
            b"\xff\xfe not utf-8",
            b"",
            {"text": STORY},
        ],
    )
    out = tmp_path / "out"
    s = local.run([str(src)], out, progress=False)
    assert (s["input_records"], s["kept"], s["dropped"], s["quarantined"]) == (8, 2, 1, 5)
    assert s["balanced"] is True
    kept = {r["id"]: r for r in records(out)}
    assert set(kept) == {"a", "in.jsonl:9"}  # a missing id becomes file:line, never a counter
    assert kept["a"]["meta"]["url"] == "https://x"
    assert kept["a"]["text"].startswith("정부는 24일")
    assert restore(kept["a"]) == STORY
    q = {r["line"]: r for r in quarantined(out)}
    assert q[2]["error"].startswith("malformed JSON")
    assert q[3]["error"] == "missing text field 'text'"
    assert q[4]["error"] == "text field 'text' is a int, not a string"
    assert q[5]["error"] == "record is a JSON list, not an object"
    assert "raw_b64" in q[7] and q[7]["error"].startswith("malformed JSON")
    (dropped,) = records(out, ("dropped",))
    assert dropped["meta"]["malgeum"]["dropped"]["rule"] == "length.empty"


@pytest.mark.parametrize("suffix", [".jsonl.gz", ".jsonl.zst", ".parquet", ".jsonl"])
def test_input_formats_give_the_same_documents(tmp_path, suffix):
    rows = [{"doc_id": f"n{i}", "body": f"{STORY}\n{i}번째 기사다."} for i in range(5)]
    path = tmp_path / f"in{suffix}"
    if suffix == ".jsonl.gz":
        write_jsonl(path, rows, gzip.open)
    elif suffix == ".jsonl.zst":
        path.write_bytes(zstandard.ZstdCompressor().compress(b"\n".join(orjson.dumps(r) for r in rows)))
    elif suffix == ".parquet":
        pq.write_table(pa.Table.from_pylist(rows), path)
    else:
        write_jsonl(path, rows)
    out = tmp_path / "out"
    local.run([str(path)], out, fields=Fields(text="body", id="doc_id"), progress=False)
    kept = records(out)
    assert [r["id"] for r in kept] == [f"n{i}" for i in range(5)]
    assert all(r["text"].startswith("정부는") for r in kept)


def test_text_files_and_folders(tmp_path):
    (tmp_path / "docs" / "sub").mkdir(parents=True)
    (tmp_path / "docs" / "a.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / "docs" / "sub" / "b.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / "docs" / "bad.txt").write_bytes(b"\xc3\x28 invalid")
    out = tmp_path / "out"
    s = local.run([str(tmp_path / "docs")], out, progress=False)
    assert sorted(r["id"] for r in records(out)) == ["a.txt", "sub/b.txt"]
    assert s["quarantined"] == 1 and quarantined(out)[0]["source"] == "bad.txt"


def test_truncated_gzip_keeps_what_was_readable(tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl.gz", [{"id": str(i), "text": STORY * 20} for i in range(200)], gzip.open)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    out = tmp_path / "out"
    s = local.run([str(path)], out, progress=False)
    assert s["balanced"] and s["quarantined"] == 1 and 0 < s["kept"] < 200
    assert "unreadable rest of file" in quarantined(out)[0]["error"]


def test_split_files_keep_line_numbers_and_output(tmp_path):
    rows = [{"text": f"{STORY}\n{i}번째 기사다."} for i in range(300)]
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    whole, split = tmp_path / "whole", tmp_path / "split"
    local.run([str(src)], whole, progress=False)
    s = local.run([str(src)], split, progress=False, chunk_bytes=4096, workers=2)
    assert s["shards"] > 10
    assert records(whole) == records(split)
    assert [r["id"] for r in records(split)][:2] == ["in.jsonl:1", "in.jsonl:2"]


def _synth(tmp_path: Path, n: int, files: int = 4) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    docs = [rec for rec, _ in corpus(n, seed=3)]
    for k in range(files):
        write_jsonl(src / f"part{k}.jsonl", docs[k::files])
    return src


def _output_bytes(out: Path) -> dict[str, bytes]:
    """Every output file's bytes as written (gzip and zstd headers carry no name and no time)."""
    return {str(p.relative_to(out)): p.read_bytes() for p in output_files(out)}


def test_output_does_not_depend_on_the_number_of_workers(tmp_path):
    src = _synth(tmp_path, 400)
    one, two = tmp_path / "one", tmp_path / "two"
    local.run([str(src)], one, workers=1, progress=False)
    local.run([str(src)], two, workers=2, progress=False)
    assert _output_bytes(one) == _output_bytes(two)


def test_parquet_output(tmp_path):
    src = _synth(tmp_path, 50, files=1)
    out = tmp_path / "out"
    local.run([str(src)], out, fmt="parquet", progress=False)
    kept = records(out)
    assert len(kept) >= 45 and all(restore(r) for r in kept)


def test_rerun_skips_finished_shards_and_refuses_another_run(tmp_path, capsys):
    src = _synth(tmp_path, 40)
    out = tmp_path / "out"
    assert main(["clean", str(src), "-o", str(out), "-q"]) == 0
    before = _output_bytes(out)
    marker = out / "stats" / "part-00000.json"
    mtime = marker.stat().st_mtime_ns
    assert main(["clean", str(src), "-o", str(out), "-q"]) == 0
    assert marker.stat().st_mtime_ns == mtime and _output_bytes(out) == before
    assert main(["clean", str(src), "-o", str(out), "-q", "--keep-foreign"]) == 2
    assert "another run (another recipe)" in capsys.readouterr().err


def test_explain_shows_cuts_in_place(tmp_path, capsys):
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "x", "text": STORY + "\n관련링크"}])
    out = tmp_path / "out"
    assert main(["clean", str(src), "-o", str(out), "-q"]) == 0
    assert main(["explain", str(out), "--id", "x", "--color", "never"]) == 0
    shown = capsys.readouterr().out
    assert "⟦ko.byline.agency_prefix: (서울=연합뉴스) 홍길동 기자 = ⟧정부는 24일" in shown
    assert "⟦ko.nav.portal_link: \n관련링크⟧" in shown
    assert main(["explain", str(out), "--id", "nope"]) == 1


def test_explain_into_a_reader_that_leaves_early_is_not_an_error(tmp_path):
    """`malgeum explain OUT --id X | head -1`: the closed pipe is the reader's choice, not a failed run."""
    story = "\n".join(f"{n}번째 문단이다. " + STORY for n in range(400))  # more than a pipe buffer holds
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "x", "text": story}])
    out = tmp_path / "out"
    assert main(["clean", str(src), "-o", str(out), "-q"]) == 0
    cmd = [sys.executable, "-m", "malgeum.cli", "explain", str(out), "--id", "x", "--color", "never"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.readline().startswith(b"id: x")
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait() == 0 and err == ""


def test_recipe_errors_fail_before_reading(tmp_path, capsys):
    bad = tmp_path / "r.yaml"
    bad.write_text("steps:\n  - boilerplate: {langz: [ko]}\n")
    assert main(["clean", "nowhere.jsonl", "-o", str(tmp_path / "o"), "--recipe", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "unknown parameter(s) langz" in err and "accepted: langs" in err
    bad.write_text("steps:\n  - scrub\n")
    assert main(["recipe", "check", "--recipe", str(bad)]) == 2
    assert "unknown step 'scrub'" in capsys.readouterr().err


def test_recipe_show_round_trips(tmp_path, capsys):
    assert main(["recipe", "show"]) == 0
    shown = capsys.readouterr().out
    path = tmp_path / "r.yaml"
    path.write_text(shown)
    assert main(["recipe", "check", "--recipe", str(path)]) == 0


@pytest.mark.parametrize("suffix", [".jsonl.gz", ".jsonl.zst"])
def test_a_compressed_file_is_split_and_gives_the_same_output(tmp_path, suffix):
    rows = [{"text": f"{STORY}\n{i}번째 기사는 {i * 7}곳을 다녀온 이야기다."} for i in range(400)]
    (tmp_path / "plain").mkdir()
    plain = write_jsonl(tmp_path / "plain" / "in.jsonl", rows)
    packed = tmp_path / "packed" / f"in{suffix}"
    packed.parent.mkdir()
    data = plain.read_bytes()
    packed.write_bytes(gzip.compress(data) if suffix.endswith(".gz") else zstandard.ZstdCompressor().compress(data))
    whole = local.run([str(plain)], tmp_path / "whole", progress=False)
    split = local.run([str(packed)], tmp_path / "split", progress=False, chunk_bytes=512, workers=2)
    assert whole["shards"] == 1 and split["shards"] > 2
    ids = [r["id"] for r in records(tmp_path / "split")]
    assert ids == [f"in{suffix}:{i}" for i in range(1, 401)]  # every line once, numbered as in the file
    strip = [{**r, "id": r["id"].split(":")[1]} for r in records(tmp_path / "whole")]
    assert strip == [{**r, "id": r["id"].split(":")[1]} for r in records(tmp_path / "split")]


def test_a_truncated_compressed_file_split_in_parts_reports_its_break_once(tmp_path):
    rows = [{"text": f"{STORY}\n{i}번째 기사다."} for i in range(400)]
    plain = write_jsonl(tmp_path / "in.jsonl", rows)
    packed = tmp_path / "cut.jsonl.gz"
    data = gzip.compress(plain.read_bytes())
    packed.write_bytes(data[: len(data) * 2 // 3])
    stats = local.run([str(packed)], tmp_path / "out", progress=False, chunk_bytes=256, workers=2)
    assert stats["shards"] > 2 and stats["balanced"]
    assert stats["quarantined"] == 1 and 0 < stats["kept"] < 400
    ids = [r["id"] for r in records(tmp_path / "out")]
    assert ids == [f"cut.jsonl.gz:{i}" for i in range(1, len(ids) + 1)]
