"""Ctrl-C: a terminal sends SIGINT to every process of the job. The run stops its workers at once, leaves no
shard half-written and no traceback, says how to resume and exits 130; the same command then finishes the run
with the bytes of an uninterrupted one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from test_run import _output_bytes, _synth, stats

from malgeum.engine import local


@pytest.mark.slow
def test_ctrl_c_stops_a_two_worker_run_and_the_same_command_finishes_it(tmp_path):
    src = _synth(tmp_path, 4800, files=24)
    ref, out = tmp_path / "ref", tmp_path / "out"
    local.run([str(src)], ref, workers=2, progress=False)
    cmd = [sys.executable, "-m", "malgeum.cli", "clean", str(src), "-o", str(out), "--workers", "2"]
    # its own process group, as a terminal's job: the signal goes to the run and to its workers alike
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    while not list((out / "stats").glob("part-*.json")) and proc.poll() is None:
        time.sleep(0.01)
    assert proc.poll() is None, "the run finished before it could be interrupted"
    t0 = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    stopped_in = time.monotonic() - t0
    text = err.decode()
    assert proc.returncode == 130, text
    assert "Traceback" not in text and "KeyboardInterrupt" not in text, text
    assert "run the same command again to resume" in text
    assert stopped_in < 10, stopped_in
    assert not list(out.rglob("*.tmp")), "a half-written shard was left"
    done = len(list((out / "stats").glob("part-*.json")))
    assert 0 < done < 24
    subprocess.run([*cmd, "-q"], check=True, timeout=600)
    assert _output_bytes(out) == _output_bytes(ref)
    assert stats(out)["balanced"] and stats(out)["input_records"] == 4800


@pytest.mark.slow
def test_ctrl_c_while_the_workers_start_prints_no_traceback(tmp_path):
    src = _synth(tmp_path, 400)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "malgeum.cli", "clean", str(src), "-o", str(out), "--workers", "2", "-q"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    while not (out / ".lock").exists() and proc.poll() is None:
        time.sleep(0.005)
    time.sleep(0.3)  # the workers are importing malgeum
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        return  # (a fast machine finished first)
    assert proc.returncode == 130 and "Traceback" not in err.decode(), err.decode()
    subprocess.run(cmd, check=True, timeout=600)
    assert stats(out)["balanced"]
