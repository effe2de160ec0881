"""The local process pool and Ray clean the same input into the same records and the same stats."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pytest

from malgeum.engine import local
from malgeum.synth import corpus


def _outputs(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): gzip.decompress(p.read_bytes())
        for sub in ("kept", "dropped", "quarantine")
        for p in sorted((out / sub).rglob("*.gz"))
    }


def _comparable(stats: dict) -> dict:
    steps = [{k: v for k, v in s.items() if k != "seconds"} for s in stats["steps"]]
    return {**{k: v for k, v in stats.items() if k not in ("wall_seconds", "steps")}, "steps": steps}


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("in")
    for k in range(4):
        with open(src / f"p{k}.jsonl", "wb") as f:
            for rec, _ in corpus(60, seed=k):
                f.write(orjson.dumps(rec) + b"\n")
            f.write(b"{broken\n")
    return src


@pytest.fixture(scope="module")
def reference(source, tmp_path_factory) -> tuple[dict, dict]:
    out = tmp_path_factory.mktemp("ref")
    stats = local.run([str(source)], out, workers=1, progress=False)
    return _outputs(out), _comparable(stats)


@pytest.mark.slow
@pytest.mark.ray
@pytest.mark.parametrize("engine", ["local", "ray"])
def test_engines_give_identical_records_and_stats(engine, source, reference, tmp_path):
    pytest.importorskip("ray")
    stats = local.run([str(source)], tmp_path / "out", workers=2, progress=False, engine=engine)
    assert stats["balanced"] and stats["quarantined"] == 4
    assert _outputs(tmp_path / "out") == reference[0]
    assert _comparable(stats) == reference[1]
    # a second run finds every shard done
    again = local.run([str(source)], tmp_path / "out", workers=2, progress=False, engine=engine)
    assert _comparable(again) == reference[1]


@pytest.mark.slow
@pytest.mark.ray
def test_ray_runs_a_recipe_ending_in_dedup(source, reference, tmp_path):
    pytest.importorskip("ray")
    recipe = {"steps": ["normalize_whitespace", "boilerplate", {"dedup": {"threshold": 0.6}}]}
    a = local.run([str(source)], tmp_path / "local", recipe, workers=2, progress=False)
    b = local.run([str(source)], tmp_path / "ray", recipe, workers=2, progress=False, engine="ray")
    assert b["balanced"] and _comparable(a) == _comparable(b)
    assert _outputs(tmp_path / "local") == _outputs(tmp_path / "ray")
