"""`malgeum explain` shows crawled text on a terminal: escape sequences in ids, text and reasons are shown as
escapes, never sent to the terminal."""

from __future__ import annotations

from test_run import write_jsonl

from malgeum.cli import main
from malgeum.terminal import safe

HOSTILE = "\x1b]0;owned\x07\x1b[2J\x1b]52;c;ZWNobyBoaQ==\x07\u202eevil\x9b31m"


def test_safe_shows_every_control_a_terminal_obeys_and_keeps_text():
    shown = safe(HOSTILE + "\n\t한국어 text")
    assert not any(c in shown for c in "\x1b\x07\x9b\u202e")
    assert shown.startswith("\\x1b]0;owned\\x07") and "\\u202e" in shown and shown.endswith("\n\t한국어 text")


def test_explain_never_writes_raw_escapes(tmp_path, capsys):
    write_jsonl(tmp_path / "in.jsonl", [{"id": f"x{HOSTILE}", "text": f"제목 {HOSTILE}\n\n본문은 이렇다. {HOSTILE}"}])
    out = tmp_path / "out"
    assert main(["clean", str(tmp_path / "in.jsonl"), "-o", str(out), "-q", "--workers", "1"]) == 0
    capsys.readouterr()
    for colour in ("always", "never"):
        assert main(["explain", str(out), "--id", f"x{HOSTILE}", "--color", colour]) == 0
        printed = capsys.readouterr().out
        assert "owned" in printed and "\x07" not in printed and "\x9b" not in printed and "\u202e" not in printed
        escapes = printed.count("\x1b")
        assert escapes == (0 if colour == "never" else printed.count("\x1b[0m") * 3)  # only our own colours
    assert main(["explain", str(out), "--id", HOSTILE]) == 1
    assert "\x1b" not in capsys.readouterr().err
