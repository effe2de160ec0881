"""Crashes: a run killed with SIGKILL at 20 points resumes to the same bytes, and a full disk fails the run
loudly without touching finished shards."""

from __future__ import annotations

import errno
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
from test_run import _output_bytes, _synth, output_files, stats

from malgeum import writers
from malgeum.cli import main
from malgeum.engine import local

KILLS = 20


@pytest.mark.slow
def test_twenty_kills_then_a_rerun_give_the_bytes_of_an_uninterrupted_run(tmp_path):
    src = _synth(tmp_path, 9600, files=48)
    ref, out = tmp_path / "ref", tmp_path / "out"
    local.run([str(src)], ref, workers=2, progress=False)
    cmd = [sys.executable, "-m", "malgeum.cli", "clean", str(src), "-o", str(out), "--workers", "2", "-q"]
    rng = random.Random(11)

    def done() -> int:
        return len(list((out / "stats").glob("part-*.json"))) if (out / "stats").exists() else 0

    kills = []
    while len(kills) < KILLS:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if rng.random() < 0.2:
            time.sleep(rng.random() * 1.5)  # while starting: reading the plan, spawning workers
        else:
            target = done() + rng.randint(1, 2)
            while proc.poll() is None and done() < target:
                time.sleep(0.005)
            time.sleep(rng.random() * 0.15)  # often in the middle of writing a shard
        if proc.poll() is not None:
            break  # finished before this kill: no more kill points in this input
        proc.kill()  # SIGKILL: no clean-up runs
        proc.wait()
        kills.append(done())
    assert len(kills) >= KILLS, f"only {len(kills)} kill points before the run finished: {kills}"
    assert done() < 48
    subprocess.run(cmd, check=True, timeout=600)
    assert _output_bytes(out) == _output_bytes(ref)
    assert stats(out)["balanced"] and stats(out)["input_records"] == 9600
    assert not list(out.rglob(".*.tmp"))


def _processes_with(tag: str) -> list[int]:
    found = []
    for env in Path("/proc").glob("[0-9]*/environ"):
        try:
            if tag.encode() in env.read_bytes():
                found.append(int(env.parent.name))
        except OSError:  # gone, or not ours to read
            continue
    return found


def _workers_of(run: int, tag: str) -> list[int]:
    """The worker processes of the run `run`: forked by its fork server (the server's children), or spawned."""
    found = []
    for pid in _processes_with(tag):
        try:
            parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
            spawned = b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError, IndexError):  # gone meanwhile
            continue
        if spawned or (parent not in (run, 1) and pid != run):
            found.append(pid)
    return found


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")
def test_the_workers_of_a_killed_run_exit(tmp_path):
    """SIGKILL of the run must not leave its worker processes waiting forever for work."""
    src = _synth(tmp_path, 4000, files=8)
    tag = f"MALGEUM_TEST_RUN={os.getpid()}-{time.time_ns()}"
    env = {**os.environ, tag.split("=")[0]: tag.split("=")[1]}
    cmd = [sys.executable, "-m", "malgeum.cli", "clean", str(src), "-o", str(tmp_path / "out"), "--workers", "2", "-q"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while len(_workers_of(proc.pid, tag)) < 2 and time.time() < deadline:
        time.sleep(0.05)
    assert len(_workers_of(proc.pid, tag)) == 2
    proc.kill()
    proc.wait()
    deadline = time.time() + 10
    while _processes_with(tag) and time.time() < deadline:
        time.sleep(0.1)
    assert _processes_with(tag) == []


def test_a_full_disk_fails_loudly_and_spares_finished_shards(tmp_path, monkeypatch, capsys):
    src = _synth(tmp_path, 300, files=6)
    ref, out = tmp_path / "ref", tmp_path / "out"
    local.run([str(src)], ref, workers=1, progress=False)
    # room for the template step's first pass (written before any shard is cleaned) and half of the kept output
    learned = sum(p.stat().st_size for p in (ref / "templates").rglob("*") if p.is_file())
    budget = {"bytes": learned + sum(p.stat().st_size for p in output_files(ref, ("kept",))) // 2}
    real_open = open

    class FullDisk:
        """A file that fails with ENOSPC once the disk's budget is spent."""

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
    assert main(["clean", str(src), "-o", str(out), "--workers", "1", "-q"]) != 0
    assert "No space left on device" in capsys.readouterr().err
    finished = sorted(p.stem for p in (out / "stats").glob("part-*.json"))
    assert 0 < len(finished) < 6  # some shards were finished before the disk filled up
    reference = {p.name.split(".")[0]: p.read_bytes() for p in output_files(ref, ("kept",))}
    for name in finished:  # and they are whole
        (kept,) = (p for p in output_files(out, ("kept",)) if p.name.split(".")[0] == name)
        assert kept.read_bytes() == reference[name]
    assert not list(out.rglob(".*.tmp"))  # the shard that failed left nothing
    monkeypatch.undo()  # space freed: the same command finishes the run
    assert main(["clean", str(src), "-o", str(out), "--workers", "1", "-q"]) == 0
    assert _output_bytes(out) == _output_bytes(ref)


ORPHAN = """
import fcntl, sys, time
from pathlib import Path
stats, marker = Path(sys.argv[1]), sys.argv[2]
with open(stats / ".part-00000.lock", "w") as lock:
    fcntl.flock(lock, fcntl.LOCK_EX)
    print("locked", flush=True)
    time.sleep(1.0)
    (stats / "part-00000.json").write_bytes(Path(marker).read_bytes())  # the orphan finishes the shard
"""


def test_a_shard_an_orphan_finishes_is_left_to_it(tmp_path):
    """A worker of a killed run may still be finishing a shard when the rerun reaches it: the rerun waits for
    it and keeps its files, instead of deleting files the orphan is about to mark done."""
    from malgeum.cleaning import Settings, clean_shard
    from malgeum.readers import plan

    src = _synth(tmp_path, 60, files=1)
    out = tmp_path / "out"
    local.run([str(src)], out, workers=1, progress=False)
    marker = out / "stats" / "part-00000.json"
    saved = tmp_path / "marker.json"
    saved.write_bytes(marker.read_bytes())
    marker.unlink()  # finished files, no marker yet: the moment between the orphan's commit and its marker
    (kept,) = output_files(out, ("kept",))
    before = kept.stat().st_mtime_ns
    orphan = subprocess.Popen([sys.executable, "-c", ORPHAN, str(out / "stats"), str(saved)], stdout=subprocess.PIPE)
    assert orphan.stdout.readline().strip() == b"locked"
    t = time.perf_counter()
    recipe = orjson.loads((out / "run.json").read_bytes())["recipe"]
    stats = clean_shard(plan([str(src)])[0], Settings(str(out), orjson.dumps(recipe).decode()))
    assert time.perf_counter() - t >= 0.5  # it waited for the orphan
    assert orphan.wait() == 0
    assert kept.stat().st_mtime_ns == before and stats == orjson.loads(saved.read_bytes())
