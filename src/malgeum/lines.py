"""Line geometry shared by the line-surgical steps."""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from malgeum.document import Cut


def line_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line, end excluding the line break."""
    bounds = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        bounds.append((pos, end))
        pos = end + 1
    return bounds


def line_starts(bounds: list[tuple[int, int]]) -> list[int]:
    return [s for s, _ in bounds]


def line_of(starts: list[int], offset: int) -> int:
    return bisect.bisect_right(starts, offset) - 1


def whole_line(text: str, start: int, end: int) -> tuple[int, int]:
    """The range that removes a line with its line break (the one after it, or before it at the end)."""
    if end < len(text):
        return start, end + 1
    if start > 0 and text[start - 1] == "\n":
        return start - 1, end
    return start, end


def non_overlapping(cuts: Iterable[Cut]) -> list[Cut]:
    """Sorted cuts with overlaps clipped (the earlier cut keeps the shared characters)."""
    out: list[Cut] = []
    for c in sorted(cuts, key=lambda c: (c.start, -c.end)):
        if out and c.start < out[-1].end:
            if c.end <= out[-1].end:
                continue
            c = c._replace(start=out[-1].end)
        out.append(c)
    return out
