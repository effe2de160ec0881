"""A Ray worker killed in the middle of a run: Ray runs its shard again, and no document is lost or doubled."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import orjson
import pytest
from test_engines import _comparable, _outputs

from malgeum.engine import local
from malgeum.synth import corpus

pytestmark = [pytest.mark.slow, pytest.mark.ray]


def _ray_processes(*names: str) -> list[int]:
    """Ray worker processes whose title (`ray::...`) holds every one of `names`."""
    found = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                title = (p / "cmdline").read_bytes().split(b"\0", 1)[0].decode(errors="replace")
            except OSError:
                continue
            if title.startswith("ray::") and all(n in title for n in names):
                found.append(int(p.name))
    return found


class _Killer(threading.Thread):
    """SIGKILLs one Ray worker running `names` once `ready()` holds; remembers whom."""

    def __init__(self, names: tuple[str, ...], ready) -> None:
        super().__init__(daemon=True)
        self.names, self.ready, self.killed, self.stop = names, ready, [], threading.Event()

    def run(self) -> None:
        while not self.stop.is_set() and not self.killed:
            busy = _ray_processes(*self.names)
            if busy and self.ready():
                os.kill(busy[0], signal.SIGKILL)
                self.killed.append(busy[0])
            time.sleep(0.01)


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("in")
    with open(src / "a.jsonl", "wb") as f:
        for i, (rec, _) in enumerate(corpus(2400, seed=3)):
            f.write(orjson.dumps(rec) + b"\n")
            if i % 9 == 0:
                f.write(orjson.dumps({**rec, "id": rec["id"] + "-again"}) + b"\n")
    return src


def _committed(folder: Path) -> bool:
    return folder.exists() and any(folder.rglob("part-*"))  # (a file under its final name: committed)


def test_a_killed_cleaning_task_loses_and_doubles_nothing(source, tmp_path):
    pytest.importorskip("ray")
    ref = local.run([str(source)], tmp_path / "ref", workers=2, progress=False, chunk_bytes=100_000)
    out = tmp_path / "ray"
    killer = _Killer(("_clean_shard_task",), lambda: _committed(out / "kept"))
    killer.start()
    try:
        got = local.run([str(source)], out, workers=2, progress=False, chunk_bytes=100_000, engine="ray")
    finally:
        killer.stop.set()
    assert killer.killed, "the run ended before a worker could be killed"
    assert _outputs(out) == _outputs(tmp_path / "ref")
    assert _comparable(got) == _comparable(ref) and got["balanced"]


def test_a_killed_dedup_task_loses_and_doubles_nothing(source, tmp_path):
    pytest.importorskip("ray")
    recipe = {"steps": ["normalize_whitespace", {"dedup": {}}]}
    ref = local.run([str(source)], tmp_path / "ref", recipe, workers=2, progress=False, chunk_bytes=100_000)
    out = tmp_path / "ray"
    # one task of pass 1 (keys into its index segment) and one of pass 2 (writing a shard)
    killers = [_Killer(("_keys",), lambda: True), _Killer(("_write",), lambda: _committed(out / "kept"))]
    for k in killers:
        k.start()
    try:
        got = local.run([str(source)], out, recipe, workers=2, progress=False, chunk_bytes=100_000, engine="ray")
    finally:
        for k in killers:
            k.stop.set()
    assert all(k.killed for k in killers), "the run ended before a worker could be killed"
    assert ref["dropped"] > 200
    assert _outputs(out) == _outputs(tmp_path / "ref")
    assert _comparable(got) == _comparable(ref) and got["balanced"]
