"""Input and output on an object store (S3 API, served by moto on localhost): the same records as on disk."""

from __future__ import annotations

import gzip
import os
import socket
from pathlib import Path

import orjson
import pytest
from test_engines import _comparable, _outputs

from malgeum.dedup import run as dedup
from malgeum.engine import local
from malgeum.synth import corpus

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def s3():
    """An S3 endpoint on localhost; every process started after this (pool workers, Ray) finds it by env."""
    pytest.importorskip("s3fs")
    server_mod = pytest.importorskip("moto.server")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = server_mod.ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    env = {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    import fsspec

    fs = fsspec.filesystem("s3", skip_instance_cache=True)
    fs.mkdir("corpus")
    yield fs
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    server.stop()


@pytest.fixture(scope="module")
def source(tmp_path_factory, s3) -> Path:
    """The same files on disk and under s3://corpus/in/."""
    src = tmp_path_factory.mktemp("in")
    rows = [rec for rec, _ in corpus(120, seed=5)]
    (src / "a.jsonl").write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows[:70]) + b"{broken\n")
    (src / "sub").mkdir()
    (src / "sub" / "b.jsonl.gz").write_bytes(gzip.compress(b"".join(orjson.dumps(r) + b"\n" for r in rows[70:])))
    s3.put(str(src) + "/", "corpus/in/", recursive=True)
    return src


def _remote_outputs(s3, url: str, into: Path) -> dict[str, bytes]:
    s3.get(url.removeprefix("s3://") + "/", str(into) + "/", recursive=True)
    return _outputs(into)


@pytest.mark.parametrize("engine", ["local", "ray"])
def test_clean_reads_and_writes_an_object_store(engine, s3, source, tmp_path):
    if engine == "ray":
        ray = pytest.importorskip("ray")
        ray.shutdown()  # Ray's workers must start after the endpoint's settings are in the environment
    ref = local.run([str(source)], tmp_path / "ref", workers=2, progress=False, chunk_bytes=20_000)
    out = f"s3://corpus/out-{engine}"
    got = local.run(["s3://corpus/in"], out, workers=2, progress=False, chunk_bytes=20_000, engine=engine)
    assert got["balanced"] and got["shards"] > 3 and got["quarantined"] == 1
    assert _comparable(got) == _comparable(ref)
    assert _remote_outputs(s3, out, tmp_path / "down") == _outputs(tmp_path / "ref")
    assert orjson.loads(s3.cat_file(f"{out}/stats.json"))["kept"] == ref["kept"]
    # a shard whose marker is gone is written again, and only it
    s3.rm(f"{out}/stats/part-00001.json")
    again = local.run(["s3://corpus/in"], out, workers=2, progress=False, chunk_bytes=20_000, engine=engine)
    assert _comparable(again) == _comparable(ref)
    assert _remote_outputs(s3, out, tmp_path / "down2") == _outputs(tmp_path / "ref")
    if engine == "ray":
        ray.shutdown()


def test_dedup_reads_an_object_store(s3, source, tmp_path):
    a = dedup([str(source)], tmp_path / "disk")
    b = dedup(["s3://corpus/in"], tmp_path / "s3")
    assert {k: v for k, v in a.items() if k not in ("seconds", "work")} == {
        k: v for k, v in b.items() if k not in ("seconds", "work")
    }
    assert _outputs(tmp_path / "disk") == _outputs(tmp_path / "s3")
