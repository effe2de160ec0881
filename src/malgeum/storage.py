"""Where input and output live: local paths, or any fsspec filesystem named by URL (s3://, gs://, file://).

Object stores have no rename, but an object appears whole or not at all. So a worker writes a shard into a
local staging folder exactly as it does for a local run, then uploads its files, and its stats marker last:
a shard whose marker exists is complete; anything else of that shard is overwritten when it is redone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

from malgeum.writers import atomic_write_bytes

Location = Path | str  # a local folder, or a URL


def is_url(path: Location) -> bool:
    return isinstance(path, str) and "://" in path


def location(path: str | Path) -> Location:
    return str(path).rstrip("/") if is_url(str(path)) else Path(path)


def _fs(url: str) -> tuple[Any, str]:
    import fsspec

    return fsspec.core.url_to_fs(url)


def join(base: Location, *parts: str) -> Location:
    if isinstance(base, Path):
        return base.joinpath(*parts)
    return "/".join([base.rstrip("/"), *parts])


def exists(path: Location) -> bool:
    if isinstance(path, Path):
        return path.exists()
    fs, p = _fs(path)
    return fs.exists(p)


def read_bytes(path: Location) -> bytes:
    if isinstance(path, Path):
        return path.read_bytes()
    fs, p = _fs(path)
    return fs.cat_file(p)


def write_bytes(path: Location, data: bytes) -> None:
    """Atomically: a temporary file renamed on disk, one PUT on an object store."""
    if isinstance(path, Path):
        atomic_write_bytes(path, data)
    else:
        fs, p = _fs(path)
        fs.pipe_file(p, data)


def remove_tree(url: str) -> None:
    fs, p = _fs(url)
    if fs.exists(p):
        fs.rm(p, recursive=True)


def open_input(path: str, buffered: bool = False) -> BinaryIO:
    """A file to read; unbuffered on disk unless asked (the JSONL reader counts the bytes it pulls)."""
    if is_url(path):
        fs, p = _fs(path)
        return fs.open(p, "rb")
    return open(path, "rb", buffering=-1 if buffered else 0)


def parquet_source(path: str) -> Any:
    """What pyarrow opens best: the path on disk, a file object elsewhere."""
    return open_input(path) if is_url(path) else path


def list_files(url: str) -> list[tuple[str, str, int]]:
    """(URL, path relative to `url`, size) of every file at or under `url`, sorted."""
    fs, root = _fs(url)
    if fs.isfile(root):
        return [(url, root.rsplit("/", 1)[-1], int(fs.size(root)))]
    found = fs.find(root, detail=True)
    if not found:
        raise FileNotFoundError(f"{url}: no such file or folder")
    root = root.rstrip("/")
    return [
        (fs.unstrip_protocol(p), p[len(root) + 1 :], int(info["size"]))
        for p, info in sorted(found.items())
        if info.get("type", "file") == "file"
    ]


def publish(stage: Path, out: str, shard_name: str) -> None:
    """Upload the files of one finished shard from `stage` to `out`, its stats marker last, after removing
    whatever an earlier, interrupted attempt of this shard left there (in any partition)."""
    fs, root = _fs(out)
    root = root.rstrip("/")
    for pattern in ("kept", "kept/*", "dropped", "quarantine"):
        for old in fs.glob(f"{root}/{pattern}/{shard_name}.*"):
            fs.rm(old)
    files = sorted(f for f in stage.rglob("*") if f.is_file() and not f.name.startswith("."))
    marker = [f for f in files if f.parent.name == "stats"]
    for f in [*(f for f in files if f not in marker), *marker]:
        fs.put_file(str(f), f"{root}/{f.relative_to(stage).as_posix()}")
