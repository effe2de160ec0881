"""A run's output is always exactly its input's: changed inputs, reused and overlapping folders, concurrent runs
and lost output files are detected, never mixed; nothing deletes an input or an index it was given."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
from test_crash_safety import _workers_of
from test_run import _output_bytes, _synth, records, write_jsonl

from malgeum import writers
from malgeum.cli import main
from malgeum.engine import local
from malgeum.step import Step

STORY = "시청은 내년 봄부터 강변 자전거길을 넓히기로 했다고 3일 밝혔다. 공사는 두 달 걸린다."


def _rows(prefix: str, n: int) -> list[dict]:
    return [{"id": f"{prefix}{i}", "text": f"{STORY} {prefix} 번호 {i}번 구간은 {i * 7}미터다."} for i in range(n)]


def _input(tmp_path: Path, name: str = "in", prefix: str = "a", n: int = 20) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    write_jsonl(folder / "data.jsonl", _rows(prefix, n))
    return folder


def _ids(out: Path, which=("kept",)) -> set[str]:
    return {r["id"] for r in records(out, which)}


def test_an_input_appended_after_a_run_is_refused_by_name_and_overwrite_starts_again(tmp_path, capsys):
    src = _input(tmp_path)
    out = tmp_path / "out"
    assert main(["clean", str(src), "-o", str(out), "-q", "--workers", "1"]) == 0
    with open(src / "data.jsonl", "ab") as f:
        f.write(orjson.dumps({"id": "late", "text": STORY}) + b"\n")
    capsys.readouterr()
    assert main(["clean", str(src), "-o", str(out), "-q", "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert "data.jsonl changed since that run" in err and "--overwrite" in err
    assert "late" not in _ids(out)  # the folder is untouched
    assert main(["clean", str(src), "-o", str(out), "-q", "--workers", "1", "--overwrite"]) == 0
    assert "late" in _ids(out) and len(_ids(out)) == 21


def test_an_input_rewritten_with_its_size_and_time_kept_is_still_noticed(tmp_path, capsys):
    src = _input(tmp_path)
    out = tmp_path / "out"
    assert main(["clean", str(src), "-o", str(out), "-q", "--workers", "1"]) == 0
    f = src / "data.jsonl"
    st = f.stat()
    data = f.read_bytes()
    f.write_bytes(data.replace(b'"a0"', b'"b0"'))  # same size
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))  # as `cp -p` or an archive extraction would leave it
    assert f.stat().st_size == st.st_size and f.stat().st_mtime_ns == st.st_mtime_ns
    assert main(["clean", str(src), "-o", str(out), "-q", "--workers", "1"]) == 2
    assert "data.jsonl changed" in capsys.readouterr().err


class _AppendsToItsInput(Step):
    """Appends a record to the run's own input file while the run reads it."""

    kind = "test_appends_to_input"

    def __init__(self, path: str = "", name: str | None = None) -> None:
        super().__init__(name)
        self.path = path

    def apply(self, doc):
        if doc.id == "a0":
            with open(self.path, "ab") as f:
                f.write(orjson.dumps({"id": "during", "text": STORY}) + b"\n")


def test_an_input_that_changes_while_it_is_read_fails_the_run(tmp_path, capsys):
    src = _input(tmp_path)
    recipe = f"steps:\n  - normalize_whitespace\n  - test_appends_to_input: {{path: {src / 'data.jsonl'}}}\n"
    (tmp_path / "r.yaml").write_text(recipe)
    out = tmp_path / "out"
    code = main(["clean", str(src), "-o", str(out), "-q", "--workers", "1", "--recipe", str(tmp_path / "r.yaml")])
    assert code == 3
    assert "changed while this run read it" in capsys.readouterr().err
    # the rerun does not take the folder for this input's output either
    assert main(["clean", str(src), "-o", str(out), "-q", "--workers", "1", "--recipe", str(tmp_path / "r.yaml")]) == 2


def test_options_that_change_the_output_are_part_of_the_identity(tmp_path, capsys):
    src = _input(tmp_path)
    out = tmp_path / "out"
    assert main(["clean", str(src), "-o", str(out), "-q", "--workers", "1"]) == 0
    assert main(["clean", str(src), "-o", str(out), "-q", "--workers", "1", "--time-budget", "5"]) == 2
    assert "another time_budget" in capsys.readouterr().err
    assert main(["clean", str(src), "-o", str(out), "-q", "--workers", "2"]) == 0  # workers change nothing


def test_a_dedup_into_the_folder_of_another_dedup_is_refused_and_overwrite_replaces_it(tmp_path, capsys):
    a, b = _input(tmp_path, "a", "a"), _input(tmp_path, "b", "b", 5)
    out = tmp_path / "d"
    assert main(["dedup", str(a), "-o", str(out), "-q"]) == 0
    assert main(["dedup", str(b), "-o", str(out), "-q"]) == 2
    assert "holds the output of another run" in capsys.readouterr().err
    assert _ids(out) and all(i.startswith("a") for i in _ids(out))
    assert main(["dedup", str(b), "-o", str(out), "-q", "--overwrite"]) == 0
    stats = orjson.loads((out / "stats.json").read_bytes())
    assert stats["input_records"] == 5 and stats["balanced"]
    assert _ids(out, ("kept", "dropped")) == {f"b{i}" for i in range(5)}


def test_a_dedup_into_a_clean_folder_is_refused(tmp_path):
    src = _input(tmp_path)
    out = tmp_path / "out"
    assert main(["clean", str(src), "-o", str(out), "-q", "--workers", "1"]) == 0
    before = _output_bytes(out)
    assert main(["dedup", str(src), "-o", str(out), "-q"]) == 2
    assert _output_bytes(out) == before


def test_clean_overwrite_with_a_recipe_ending_in_dedup_leaves_nothing_of_the_old_run(tmp_path):
    a, b = _input(tmp_path, "a", "a"), _input(tmp_path, "b", "b", 5)
    for k in (1, 2):  # more shards than b has: their files must not outlive the run
        write_jsonl(a / f"more{k}.jsonl", _rows(f"m{k}-", 4))
    (tmp_path / "r.yaml").write_text("steps:\n  - normalize_whitespace\n  - dedup\n")
    out = tmp_path / "out"
    args = ["-o", str(out), "-q", "--workers", "1", "--recipe", str(tmp_path / "r.yaml")]
    assert main(["clean", str(a), *args]) == 0
    assert main(["clean", str(b), *args]) == 2
    assert main(["clean", str(b), *args, "--overwrite"]) == 0
    assert _ids(out, ("kept", "dropped")) == {f"b{i}" for i in range(5)}
    stats = orjson.loads((out / "stats.json").read_bytes())
    assert stats["input_records"] == 5 and stats["balanced"]


def test_dedup_never_deletes_its_input_or_the_index_it_was_given(tmp_path, capsys):
    src = _input(tmp_path)
    c = tmp_path / "c"
    assert main(["clean", str(src), "-o", str(c), "-q", "--workers", "1"]) == 0
    kept = _output_bytes(c)
    assert main(["dedup", str(c / "kept"), "-o", str(c), "-q"]) == 2
    assert "inside the output folder" in capsys.readouterr().err
    assert _output_bytes(c) == kept
    d = tmp_path / "d"
    assert main(["dedup", str(c / "kept"), "-o", str(d), "-q"]) == 0
    index = sorted((p.relative_to(d), p.read_bytes()) for p in (d / "index").rglob("*") if p.is_file())
    new = _input(tmp_path, "new", "n", 3)
    assert main(["dedup", str(new), "-o", str(d), "-q", "--against", str(d / "index")]) == 2
    assert "--against" in capsys.readouterr().err
    assert sorted((p.relative_to(d), p.read_bytes()) for p in (d / "index").rglob("*") if p.is_file()) == index


def test_an_output_folder_overlapping_an_input_is_refused(tmp_path, capsys):
    src = _input(tmp_path)
    assert main(["clean", str(src), "-o", str(src / "out"), "-q"]) == 2
    assert "inside the input" in capsys.readouterr().err
    assert not (src / "out").exists()
    assert main(["clean", str(src / "data.jsonl"), "-o", str(src), "-q"]) == 2
    assert main(["dedup", str(src), "-o", str(src / "d"), "-q"]) == 2
    assert sorted(p.name for p in src.iterdir()) == ["data.jsonl"]


def test_a_second_run_on_a_folder_in_use_is_refused_and_touches_nothing(tmp_path, capsys):
    src = _input(tmp_path)
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom pathlib import Path\nfrom malgeum import outlock\n"
            "with outlock.hold(Path(sys.argv[1])):\n    print('held', flush=True)\n    time.sleep(60)\n",
            str(out),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        (out / "kept").mkdir()
        tmp = out / "kept" / ".part-00000.jsonl.gz.1.tmp"  # the other run's file being written
        tmp.write_bytes(b"in progress")
        assert main(["clean", str(src), "-o", str(out), "-q"]) == 2
        assert "being written by another malgeum run" in capsys.readouterr().err
        assert main(["dedup", str(src), "-o", str(out), "-q"]) == 2
        assert main(["report", str(out)]) == 2  # the figures of a run half done would mislead
        assert tmp.read_bytes() == b"in progress" and not (out / "report.html").exists()
    finally:
        holder.kill()
        holder.wait()
    assert main(["clean", str(src), "-o", str(out), "-q", "--workers", "1"]) == 0  # the lock went with its process
    assert not tmp.exists()


def test_a_kept_file_deleted_after_a_run_is_written_again(tmp_path):
    src = _input(tmp_path, n=200)
    out = tmp_path / "out"
    local.run([str(src)], out, workers=1, progress=False, chunk_bytes=4096)
    before = _output_bytes(out)
    victim = sorted((out / "kept").glob("part-*"))[1]
    victim.unlink()
    local.run([str(src)], out, workers=1, progress=False, chunk_bytes=4096)
    assert _output_bytes(out) == before
    victim.write_bytes(victim.read_bytes()[:-10])  # cut short
    local.run([str(src)], out, workers=1, progress=False, chunk_bytes=4096)
    assert _output_bytes(out) == before


def test_dedup_clears_temporary_files_a_killed_run_left(tmp_path):
    src = _input(tmp_path)
    out = tmp_path / "d"
    assert main(["dedup", str(src), "-o", str(out), "-q"]) == 0
    left = [out / "kept" / ".part-00000.jsonl.gz.99.tmp", out / "index" / ".meta.json.99.tmp"]
    for f in left:
        f.write_bytes(b"x")
    assert main(["dedup", str(src), "-o", str(out), "-q"]) == 0
    assert not any(f.exists() for f in left)


def test_input_folder_names_that_are_not_utf8_are_written_as_escapes(tmp_path):
    try:
        folder = Path(os.fsdecode(bytes(tmp_path) + b"/in\xff"))
        folder.mkdir()
    except (OSError, UnicodeError):
        pytest.skip("the file system refuses names that are not UTF-8")
    write_jsonl(folder / "data.jsonl", _rows("a", 3))
    out = tmp_path / "out"
    assert main(["clean", str(folder), "-o", str(out), "-q", "--workers", "1"]) == 0
    run = orjson.loads((out / "run.json").read_bytes())
    assert run["inputs"][0].endswith("in\\xff")
    assert main(["clean", str(folder), "-o", str(out), "-q", "--workers", "1"]) == 0  # resumes: the same run


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")
@pytest.mark.slow
def test_a_killed_worker_ends_the_run_with_exit_4_and_the_resume_hint(tmp_path):
    src = _synth(tmp_path, 4000, files=8)
    out, ref = tmp_path / "out", tmp_path / "ref"
    tag = f"MALGEUM_TEST_RUN={os.getpid()}-{time.time_ns()}"
    env = {**os.environ, tag.split("=")[0]: tag.split("=")[1]}
    cmd = [sys.executable, "-m", "malgeum.cli", "clean", str(src), "-o", str(out), "--workers", "2", "-q"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    workers: list[int] = []
    while not workers and time.time() < deadline and proc.poll() is None:
        workers = _workers_of(proc.pid, tag)
        time.sleep(0.05)
    assert workers, "no worker seen"
    os.kill(workers[0], 9)  # as the OOM killer would
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 4, err
    assert "worker process died" in err and "run the same command again to resume" in err
    assert "Traceback" not in err
    assert subprocess.run(cmd, timeout=300).returncode == 0
    local.run([str(src)], ref, workers=2, progress=False)
    assert _output_bytes(out) == _output_bytes(ref)


def test_a_dedup_stopped_by_a_full_disk_leaves_no_temporary_file_and_reruns(tmp_path, monkeypatch, capsys):
    src = _synth(tmp_path, 300, files=3)
    ref, out = tmp_path / "ref", tmp_path / "d"
    assert main(["dedup", str(src), "-o", str(ref), "-q"]) == 0
    real_open = open
    budget = {"bytes": 20_000}

    class FullDisk:
        def __init__(self, f) -> None:
            self.f = f

        def write(self, data) -> int:
            budget["bytes"] -= len(data)
            if budget["bytes"] < 0:
                raise OSError(errno.ENOSPC, "No space left on device")
            return self.f.write(data)

        def __getattr__(self, name):
            return getattr(self.f, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            self.f.close()

    def small_disk_open(path, mode="r", *args, **kwargs):
        f = real_open(path, mode, *args, **kwargs)
        return FullDisk(f) if "w" in mode and str(path).endswith(".tmp") else f

    monkeypatch.setattr(writers, "open", small_disk_open, raising=False)
    assert main(["dedup", str(src), "-o", str(out), "-q"]) == 4
    assert "No space left on device" in capsys.readouterr().err
    assert not list(out.rglob(".*.tmp"))
    monkeypatch.undo()
    assert main(["dedup", str(src), "-o", str(out), "-q"]) == 0
    assert {k: v for k, v in _output_bytes(out).items() if k.startswith(("kept", "dropped"))} == {
        k: v for k, v in _output_bytes(ref).items() if k.startswith(("kept", "dropped"))
    }


def test_files_left_unread_are_listed_and_records_over_the_bound_quarantined(tmp_path, capsys):
    src = _input(tmp_path)
    (src / "notes.csv").write_text("a,b\n")
    (src / ".hidden.jsonl").write_bytes(orjson.dumps({"id": "h", "text": STORY}) + b"\n")
    write_jsonl(src / "big.jsonl", [{"id": "big", "text": "가" * 5000}])
    out = tmp_path / "out"
    assert main(["clean", str(src), "-o", str(out), "-q", "--workers", "1", "--max-record-bytes", "4000"]) == 0
    err = capsys.readouterr().err
    assert "skipped" in err and "notes.csv" in err and ".hidden.jsonl" in err
    stats = orjson.loads((out / "stats.json").read_bytes())
    assert {Path(p).name for p, _ in stats["skipped_files"]} == {"notes.csv", ".hidden.jsonl"}
    assert stats["quarantined"] == 1 and "record larger than" in next(iter(stats["quarantine_reasons"]))
    d = tmp_path / "d"
    assert main(["dedup", str(src), "-o", str(d), "-q", "--max-record-bytes", "4000"]) == 0
    assert "notes.csv" in capsys.readouterr().err
    dstats = orjson.loads((d / "stats.json").read_bytes())
    assert len(dstats["skipped_files"]) == 2 and dstats["quarantined"] == 1 and dstats["balanced"]
    with pytest.raises(SystemExit) as usage:  # argparse's exit for bad usage
        main(["clean", str(src), "-o", str(out), "-q", "--max-record-bytes", "0"])
    assert usage.value.code == 2
