"""Hand the parts of a compressed JSONL file to the workers from one decompression.

A compressed file is planned as parts of its decompressed stream, as a plain file is planned as byte ranges
(`readers.plan`): a part owns the lines that start inside its range. A worker alone finds its part only by
decompressing everything before it, so a run's driver decompresses each file once, in order, and gives each part
its lines as bytes (`Shard.fed`); memory holds the parts in flight, not the file. The lines, their numbers and a
broken stream's error are exactly those a worker decompressing from the start would read.

A part whose lines cannot be held (the part's last record runs past the largest a record may be, or an open-ended last
part holds far more than the file's size said) is handed without them, as is every later part of its file: the
worker decompresses from the start, as it does with no feed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import BinaryIO

from malgeum import storage
from malgeum.readers import CHUNK_BYTES, STREAM_ERRORS, Counting, Fed, Fields, Shard, compression_of, open_stream

BLOCK = 1 << 20  # decompressed bytes asked for at a time


def is_part(shard: Shard) -> bool:
    """Whether the shard is one of several parts of a compressed JSONL file."""
    return shard.kind == "jsonl" and compression_of(shard.files[0]) is not None and (shard.start, shard.stop) != (0, -1)


def fed(shards: Iterable[Shard], fields: Fields, unread: Callable[[Shard], bool] | None = None) -> Iterator[Shard]:
    """The shards in their order, each part of a compressed file with its lines (`Shard.fed`); a part's lines hold
    records of `fields.max_record_bytes` at most. `unread(shard)`: the shard will not be read (its pages were kept
    by an earlier pass), so it is not fed."""
    limit = fields.max_record_bytes + 1  # a line of the largest record, and its line break
    source: _Source | None = None
    try:
        for s in shards:
            if is_part(s) and not (unread is not None and unread(s)):
                if source is None or not source.reaches(s):
                    if source is not None:
                        source.close()
                    try:
                        source = _Source(s.files[0], limit)
                    except OSError:  # unfed, the part's reader meets what this met, and says so
                        source = None
                if source is not None:
                    s = source.give(s)
            yield s
    finally:
        if source is not None:
            source.close()


class _Source:
    """One compressed file, decompressed once; its parts are given in increasing order."""

    def __init__(self, path: str, limit: int) -> None:
        self.path, self.limit = path, limit
        self.file: BinaryIO = storage.open_input(path)
        self.stream = open_stream(path, Counting(self.file))
        self.buf = bytearray()  # decompressed bytes not yet given, from a line's start
        self.base = 0  # offset of buf[0] in the decompressed stream
        self.lines = 0  # lines before buf[0]
        self.scanned = 0  # buf[:scanned] holds no line break past the last cut looked for
        self.ended = False
        self.error: str | None = None  # how the stream broke, once it has
        self.reported = False  # the break went with a part
        self.given_to = 0  # stop of the last part given
        self.gave_up = False
        self.width = 0  # of the widest part given

    def reaches(self, s: Shard) -> bool:
        return s.files[0] == self.path and s.start >= self.given_to and self.given_to >= 0

    def give(self, s: Shard) -> Shard:
        """The part with its lines (a copy: the caller's list of shards does not hold every part's lines)."""
        self.given_to = s.stop
        if self.gave_up:
            return s
        # lines that start before the part belong to parts given by an earlier run
        if self._cut(s.start, keep=False) is None:
            self.gave_up = True
            return s
        start, first_line = self.base, self.lines
        if s.stop >= 0:
            self.width, cap = max(self.width, s.stop - s.start), None
        else:  # the last part, which holds the rest of a file larger than its size said
            cap = max(4 * CHUNK_BYTES, 4 * self.width) + self.limit
        data = self._cut(s.stop, keep=True, cap=cap)
        if data is None:
            self.gave_up = True
            return s
        error = None
        if self.error is not None and not self.reported and not self.buf:
            error, self.reported = self.error, True
        return replace(s, fed=Fed(data, start, first_line, error))

    def _cut(self, stop: int, keep: bool, cap: int | None = None) -> bytes | None:
        """The lines from buf's start that start before `stop` (-1: to the end), taken off buf (None when they
        cannot be held). Where the stream broke, a last line without its end is dropped: the part that was to
        read it reports the break after its complete lines."""
        taken: list[bytes] = []
        while True:
            if stop >= 0:
                at = stop - 1 - self.base  # the last line starting before stop ends at the first break from here
                if at < 0:
                    return b"".join(taken)
                i = self.buf.find(b"\n", max(at, self.scanned))
                if i >= 0:
                    taken.append(self._take(i + 1))
                    return b"".join(taken)
                self.scanned = len(self.buf)
                if len(self.buf) - at > self.limit:  # the part's last line is too long to hold
                    return None
                if not keep and at > len(self.buf):  # passing over lines not asked for, a block at a time
                    j = self.buf.rfind(b"\n")
                    if j >= 0:
                        self._take(j + 1)
            if self.ended:
                end = len(self.buf) if self.error is None else self.buf.rfind(b"\n") + 1
                if self.error is not None:
                    self.buf = self.buf[:end]  # the broken line: unread, as a reader reading it finds it
                    if not keep:
                        self.reported = True  # a part given by an earlier run reported it
                taken.append(self._take(end))
                del self.buf[:]
                return b"".join(taken) if keep else b""
            if cap is not None and len(self.buf) > cap:
                return None
            try:
                block = self.stream.read1(BLOCK)
            except STREAM_ERRORS as e:
                self.ended, self.error = True, f"{type(e).__name__}: {e}"
                continue
            if not block:
                self.ended = True
            self.buf += block

    def _take(self, n: int) -> bytes:
        piece = bytes(self.buf[:n])
        del self.buf[:n]
        self.base += n
        self.lines += piece.count(b"\n")
        self.scanned = 0
        return piece

    def close(self) -> None:
        self.file.close()
