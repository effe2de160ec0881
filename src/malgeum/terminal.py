"""Crawled text on a terminal: control characters shown, never obeyed.

An id or a page can hold ESC sequences (clear the screen, set the window title, OSC 52 writes the clipboard) or
bidirectional overrides that make a line read other than it is; shown as escapes (`\\x1b`, `\\u202e`) instead.
"""

from __future__ import annotations

import re

# C0 but tab and newline, DEL, C1, and the bidirectional embeddings, overrides and isolates
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _shown(m: re.Match[str]) -> str:
    c = ord(m.group())
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def safe(text: str) -> str:
    """`text` with every control character that a terminal would obey written as an escape."""
    return _CONTROLS.sub(_shown, text)
