"""Pages read once: what a shard's reader gave the template pass, kept for the cleaning pass.

Extracting a web page's text is most of the cost of reading it, and a recipe that learns templates reads every
shard twice. So the first pass writes each record it read (its line, the document or the bad record, and how far
into the shard the reader was) to `<folder>/<shard>.read`, completed by a rename before the shard counts as
counted, and the cleaning pass reads that file instead of the input when it is there: one extraction per page, and
both passes see the very same text. The files go when the run ends.

Pickle, as the records are the run's own, written and read by the same version: a quarantined record's raw input
comes back byte for byte, whatever its type.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from malgeum.document import Document
from malgeum.readers import Bad, Fields, Shard

SUFFIX = ".read"


def worth_it(shard: Shard, fields: Fields) -> bool:
    """Whether reading the shard extracts pages (an HTML field, .html files, WARC): only then is a copy cheaper
    than reading it again."""
    return fields.html is not None or shard.kind in ("html", "warc")


def path(folder: Path, name: str) -> Path:
    return folder / f"{name}{SUFFIX}"


class Writer:
    """Writes a shard's records under a temporary name; `commit` puts the file in place."""

    def __init__(self, folder: Path, name: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.final = path(folder, name)
        self.tmp = self.final.with_name(f".{self.final.name}.{os.getpid()}.tmp")
        self._fh: BinaryIO = open(self.tmp, "wb")  # closed by commit or abort

    def write(self, progress: int, line: int | None, item: Document | Bad) -> None:
        # one pickle per record (a pickler's memo would grow with the shard, and could not be cut short safely)
        pickle.dump((progress, line, item), self._fh, protocol=pickle.HIGHEST_PROTOCOL)

    def commit(self) -> None:
        self._fh.close()
        os.replace(self.tmp, self.final)

    def abort(self) -> None:
        self._fh.close()
        self.tmp.unlink(missing_ok=True)


class Replay:
    """A shard's records as its reader gave them, from the file the first pass wrote; `progress` as the reader's."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.progress = 0

    def __iter__(self) -> Iterator[tuple[int | None, Any]]:
        with open(self.file, "rb") as fh:
            while True:
                try:
                    self.progress, line, item = pickle.load(fh)
                except EOFError:
                    return
                yield line, item


def remove(folder: Path) -> None:
    """The run is over: its copies go."""
    for f in folder.glob(f"*{SUFFIX}"):
        f.unlink(missing_ok=True)
