"""The local process pool and Ray clean the same input into the same records and the same stats."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from malgeum.engine import local
from malgeum.readers import decompressed
from malgeum.synth import corpus


def _outputs(out: Path) -> dict[str, bytes]:
    files = sorted(p for sub in ("kept", "dropped", "quarantine") for p in (out / sub).rglob("part-*"))
    assert files
    found = {}
    for p in files:
        with decompressed(p) as fh:
            found[str(p.relative_to(out))] = fh.read()
    return found


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


@pytest.fixture(scope="module")
def duplicated(tmp_path_factory) -> Path:
    """Three files of documents with copies, edits and re-crawls across files, a footer shared by many, bad lines."""
    src = tmp_path_factory.mktemp("dup")
    docs = [rec for rec, _ in corpus(90, seed=7)]
    footer = "\n본 기사는 맑음일보 제휴 콘텐츠이며 무단 전재와 재배포를 금지합니다."
    for k in range(3):
        with open(src / f"f{k}.jsonl", "wb") as f:
            for i, rec in enumerate(docs[k * 30 : (k + 1) * 30]):
                rec = {**rec, "url": f"https://news.example/{i % 7}/{k}", "meta": {"views": (i * 37) % 11}}
                if i % 3 == 0:
                    rec["text"] += footer
                f.write(orjson.dumps(rec) + b"\n")
                if i % 5 == 0:  # a copy of a document of the file before
                    earlier = docs[((k + 2) % 3) * 30 + i]
                    copy = {"id": f"{rec['id']}-copy", "text": "  " + earlier["text"], "meta": {"views": 50}}
                    f.write(orjson.dumps(copy) + b"\n")
                if i % 7 == 0:  # an edit
                    edit = {"id": f"{rec['id']}-edit", "text": rec["text"].replace("다.", "다!", 1) + " 추가 문장."}
                    f.write(orjson.dumps(edit) + b"\n")
            f.write(b"\xff\xfe not json\n")
    return src


def _dedup_comparable(stats: dict) -> dict:
    return {k: v for k, v in stats.items() if k not in ("seconds", "work")}


@pytest.mark.slow
@pytest.mark.ray
@pytest.mark.parametrize(
    "options",
    [{}, {"keep": "meta:views", "url_field": "url", "line_min_docs": 3}, {"keep": "longest", "unit": "word"}],
    ids=["default", "meta-url-lines", "longest-words"],
)
def test_dedup_on_ray_gives_identical_records_and_stats(options, duplicated, tmp_path):
    pytest.importorskip("ray")
    from malgeum.dedup import DedupSettings
    from malgeum.dedup import run as dedup

    settings = DedupSettings(**{"ngram": 2, **options} if options.get("unit") else options)
    a = dedup([str(duplicated)], tmp_path / "local", settings)
    b = dedup([str(duplicated)], tmp_path / "ray", settings, engine="ray", workers=2)
    assert a["balanced"] and a["quarantined"] == 3 and a["dropped"] > 10
    assert _dedup_comparable(a) == _dedup_comparable(b)
    assert _outputs(tmp_path / "local") == _outputs(tmp_path / "ray")
    if options.get("line_min_docs"):
        assert a["rules"]["dedup.frequent_line"]["docs"] > 10 and a["rules"]["dedup.url"]["docs"] > 0


@pytest.mark.slow
@pytest.mark.ray
def test_dedup_command_on_ray(duplicated, tmp_path, capsys):
    pytest.importorskip("ray")
    from malgeum.cli import main
    from malgeum.dedup import run as dedup

    out = tmp_path / "out"
    assert main(["dedup", str(duplicated), "-o", str(out), "--engine", "ray", "--workers", "2", "-q"]) == 0
    assert "near duplicates dropped" in capsys.readouterr().err
    assert orjson.loads((out / "index" / "meta.json").read_bytes())["engine"] == "ray"
    with pytest.raises(ValueError, match="built by the ray engine"):
        dedup([str(duplicated)], tmp_path / "more", against=out / "index")
    with pytest.raises(ValueError, match="local engine"):
        dedup([str(duplicated)], tmp_path / "more", against=out / "index", engine="ray")


@pytest.mark.slow
@pytest.mark.ray
def test_the_time_budget_holds_on_ray(source, tmp_path):
    pytest.importorskip("ray")
    stats = local.run([str(source)], tmp_path / "out", workers=2, progress=False, engine="ray", time_budget=1e-6)
    # a microsecond is too little for any document: every one is quarantined as a timeout, none hangs or is lost
    assert stats["balanced"] and stats["kept"] == stats["dropped"] == 0
    assert stats["quarantine_reasons"]["timeout"] == 240 and stats["quarantined"] == 244


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
@pytest.mark.ray
def test_clean_joins_a_cluster_through_ray_client(source, reference, tmp_path):
    """`--address ray://host:port` (a cluster started elsewhere with `ray start --head`): the `ray` extra has what
    Ray Client needs, and cleaning runs as plain tasks, which Ray Client runs (Ray Data does not)."""
    import os
    import secrets
    import shutil
    import subprocess
    import sys
    import tempfile
    import time

    ray_cli = Path(sys.executable).with_name("ray")
    port, client_port = _free_port(), _free_port()
    temp = tempfile.mkdtemp(prefix="r", dir="/tmp")  # Ray's socket paths must stay short
    env = {**os.environ, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(16)}
    log = tmp_path / "head.log"
    head = subprocess.Popen(
        [str(ray_cli), "start", "--head", f"--port={port}", f"--ray-client-server-port={client_port}",
         "--num-cpus=2", "--include-dashboard=false", f"--temp-dir={temp}", "--block"],
        env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while b"Ray runtime started" not in log.read_bytes():
            assert head.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        out = tmp_path / "out"
        address = f"ray://127.0.0.1:{client_port}"
        cmd = [sys.executable, "-m", "malgeum.cli", "clean", str(source), "-o", str(out), "--engine", "ray"]
        for _ in range(5):  # Ray's proxy starts a server per client; when that start fails (a port it wanted was
            # taken), the run stops with exit 4 and the same command resumes, as after any failure of the system
            done = subprocess.run([*cmd, "--address", address, "-q"], env=env, capture_output=True, timeout=600)
            if done.returncode != 4 or b"Starting Ray client server failed" not in done.stderr:
                break
            time.sleep(2)
        assert done.returncode == 0, done.stderr.decode()[-3000:]
        assert _outputs(out) == reference[0]
        cmd = [sys.executable, "-m", "malgeum.cli", "dedup", str(out / "kept"), "-o", str(tmp_path / "d")]
        refused = subprocess.run([*cmd, "--engine", "ray", "--address", address], env=env, capture_output=True)
        assert refused.returncode == 2 and b"ray job submit" in refused.stderr
    finally:
        head.terminate()
        head.wait(timeout=120)
        shutil.rmtree(temp, ignore_errors=True)


def test_a_worker_compiles_the_recipe_ahead_so_its_cleaning_pass_compiles_nothing(monkeypatch):
    import re
    import re._compiler

    from malgeum import recipe as recipes
    from malgeum.pipeline import Pipeline

    recipe = recipes.load("default")
    re.purge()
    local.compile_ahead(recipe)
    compiled: list[str] = []
    real = re._compiler.compile
    monkeypatch.setattr(re._compiler, "compile", lambda p, flags=0: compiled.append(p) or real(p, flags))
    Pipeline.from_recipe(recipe)
    assert compiled == []
    re.purge()
    Pipeline.from_recipe(recipe)
    assert compiled  # (the check can fail: without the cache, building compiles)


def test_compiling_ahead_leaves_a_bad_recipe_to_the_run():
    local.compile_ahead({"steps": ["no_such_step"]})  # no error here: the run reports it


@pytest.mark.slow
@pytest.mark.ray
def test_ray_reads_the_parts_of_a_compressed_file_the_driver_decompressed(source, tmp_path):
    pytest.importorskip("ray")
    import gzip

    packed = tmp_path / "in.jsonl.gz"
    packed.write_bytes(gzip.compress(b"".join((source / f"p{k}.jsonl").read_bytes() for k in range(4))))
    one = local.run([str(packed)], tmp_path / "one", workers=1, progress=False)
    ray_run = local.run([str(packed)], tmp_path / "ray", workers=2, progress=False, engine="ray", chunk_bytes=20_000)
    assert ray_run["shards"] > one["shards"] and ray_run["balanced"] and ray_run["quarantined"] == 4

    def lines(out: Path) -> list[bytes]:
        return [line for data in _outputs(out).values() for line in data.splitlines()]

    assert sorted(lines(tmp_path / "ray")) == sorted(lines(tmp_path / "one"))
