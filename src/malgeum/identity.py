"""What a run is: its command, inputs (each file with its size, modification time and a fingerprint of its
ends), recipe or settings and options. `clean` and `dedup` write it to OUT/run.json and compare it on a rerun,
so that an output folder only ever holds the output of one run of unchanged inputs.

A changed input is refused by name (the rerun would mix records of two versions of the file); `--overwrite`
starts the folder again. Inputs are checked once more when a run ends, so a file rewritten while it was read
is caught too.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson
import xxhash

from malgeum import storage

ENDS = 64 * 1024  # bytes hashed at each end of a file: a rewrite of the same size and time rarely spares both ends
# what a run.json written before an option existed meant by leaving it out (every such run wrote gzip), so that
# those runs resume with that option and are refused without it
EARLIER = {"compression": "gzip"}


class Refused(ValueError):
    """A run that must not start: OUT belongs to another run, overlaps an input, or is in use."""


class InputChanged(RuntimeError):
    """An input file changed while the run read it: the output does not match any one version of it."""


def text(path: str | os.PathLike[str]) -> str:
    """A path as valid text: the bytes of a name that is not UTF-8 as backslash escapes (JSON cannot hold them)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def fingerprint(path: str) -> dict[str, Any]:
    """Size, modification time and a hash of the first and last bytes of one input file."""
    if storage.is_url(path):
        fs, p = storage._fs(path)
        info = fs.info(p)
        tag = info.get("ETag") or info.get("etag") or info.get("md5Hash") or info.get("generation")
        mtime = info.get("LastModified") or info.get("mtime") or info.get("updated")
        return {"size": int(info.get("size") or 0), "mtime": str(mtime), "tag": str(tag)}
    st = os.stat(path)
    h = xxhash.xxh3_64()
    with open(path, "rb") as f:
        h.update(f.read(ENDS))
        if st.st_size > ENDS:
            f.seek(max(ENDS, st.st_size - ENDS))
            h.update(f.read(ENDS))
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "ends": h.hexdigest()}


def files(paths: list[str]) -> dict[str, dict[str, Any]]:
    """Every input file (path or URL) with its fingerprint, by path."""
    return {text(p): fingerprint(p) for p in paths}


class Run:
    """The identity of one run over `shards` (of `inputs`): `as_json` goes to run.json; `check_unchanged` at the
    end tells whether the input files are still what was read."""

    def __init__(self, command: str, inputs: list[str], shards: list[Any], **options: Any) -> None:
        from malgeum import __version__

        self.paths = sorted({f for s in shards for f in s.files})
        self.files = files(self.paths)
        self.as_json = {
            "command": command,
            "malgeum": __version__,
            "inputs": arguments(inputs),
            "files": self.files,
            "shards": [s.describe() for s in shards],
            **options,
        }

    def check_unchanged(self) -> None:
        check_changes(self.paths, self.files)


def arguments(inputs: list[str | Path]) -> list[str]:
    return [str(i) if storage.is_url(str(i)) else text(Path(i).resolve()) for i in inputs]


def normal(identity: dict[str, Any]) -> Any:
    """The identity as it reads back from run.json (tuples become lists, keys strings)."""
    return orjson.loads(orjson.dumps(identity))


def differences(previous: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """What makes `current` another run than `previous`, in words; empty when it is the same run."""
    current, previous = normal(current), {**EARLIER, **previous}
    why = []
    old_files, new_files = previous.get("files", {}), current.get("files", {})
    changed = [p for p in new_files if p in old_files and old_files[p] != new_files[p]]
    if changed:
        why.append(
            f"input file {changed[0]} changed since that run" + (f" (and {len(changed) - 1} more)" * (len(changed) > 1))
        )
    added = [p for p in new_files if p not in old_files]
    removed = [p for p in old_files if p not in new_files]
    if added or removed:
        what = [
            f"{len(added)} input file(s) more, e.g. {added[0]}" if added else "",
            f"{len(removed)} fewer, e.g. {removed[0]}" if removed else "",
        ]
        why.append("; ".join(w for w in what if w))
    for key in sorted(set(previous) | set(current)):
        if key not in ("files", "shards") and previous.get(key) != current.get(key):
            was, now = previous.get(key), current.get(key)
            values = isinstance(was, str | int | float) and isinstance(now, str | int | float)
            why.append(f"another {key}" + (f": {was} then, {now} now" if values else ""))
    if not why and previous != current:
        why.append("another plan of shards")
    return why


def check_changes(paths: list[str], before: dict[str, dict[str, Any]]) -> None:
    """Raise InputChanged if an input file (of `paths`, fingerprinted `before` by `files`) is not what it was."""
    now = files(paths)
    changed = [p for p in before if now.get(p) != before[p]]
    if changed:
        raise InputChanged(
            f"input file {changed[0]} changed while this run read it: its output does not match one version of it. "
            "Run the same command again with --overwrite."
        )


def check_overlap(out: str | Path, inputs: list[str], also: dict[str, str | Path | None] | None = None) -> None:
    """Refuse an output folder inside an input, an input inside the output folder, and an index or table the run
    reads (`also`: what the option is called -> its path) inside the output folder: the run would read its own
    output, or delete what it was given."""
    if not storage.is_url(str(out)):
        at = Path(out)
        while not at.exists() and at != at.parent:
            at = at.parent
        if at.exists() and not at.is_dir():
            raise Refused(f"the output {text(out)} must be a folder, but {text(at)} is a file")
    o = _resolved(out)
    for i in inputs:
        p = _resolved(i)
        if _within(o, p):
            raise Refused(f"the output folder {text(out)} is inside the input {text(i)}: choose an output outside it")
        if _within(p, o):
            raise Refused(
                f"the input {text(i)} is inside the output folder {text(out)}: it would be overwritten; "
                "choose another output folder"
            )
    for option, path in (also or {}).items():
        if path is not None and _within(_resolved(path), o):
            raise Refused(
                f"{option} {text(path)} is inside the output folder {text(out)}, which this run rewrites: "
                "choose another output folder"
            )


def _resolved(path: str | Path) -> str:
    s = str(path)
    if storage.is_url(s):
        return s.rstrip("/")
    return str(Path(s).resolve())


def _within(inner: str, outer: str) -> bool:
    sep = "/" if "://" in outer else os.sep
    return inner == outer or inner.startswith(outer.rstrip(sep) + sep)


def content_digest(paths: dict[str, Path]) -> str:
    """A hash of the names and bytes of every file under `paths` (what the option is called -> a file or a
    folder): a step's block lists, say, whose change between two runs into one OUT makes another run."""
    h = xxhash.xxh3_64()
    for name, path in sorted(paths.items()):
        files = sorted(f for f in path.rglob("*") if f.is_file()) if path.is_dir() else [path]
        for f in files:
            h.update(f"{name}\0{f.relative_to(path) if path.is_dir() else f.name}\0".encode())
            with open(f, "rb") as fh:
                while block := fh.read(1 << 20):
                    h.update(block)
    return h.hexdigest()
