"""Cut benchmark items out of the training text, or drop the documents that hold them."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import orjson

from malgeum.decont.index import Index
from malgeum.decont.match import Hit, find
from malgeum.decont.units import units
from malgeum.document import Cut, Document
from malgeum.lines import whole_line
from malgeum.step import Step

EDGE = 4  # units of a line a span may hold at its edge and still be only a window's overlap


def _letters(s: str) -> int:
    return len(s) - sum(s.count(c) for c in " \t\r\n")


def _line(text: str, at: int) -> tuple[int, int]:
    """(start, end) of the line holding offset `at`, end before its line break."""
    end = text.find("\n", at)
    return text.rfind("\n", 0, at) + 1, len(text) if end < 0 else end


def extend(text: str, start: int, end: int, line_share: float) -> tuple[int, int]:
    """The span grown to the whole of its first and last lines when it covers at least `line_share` of their
    non-space characters (the choice label, the punctuation and the edited word at a copy's edge go with it),
    with the line break when it then removes whole lines. A span that goes on to the next line but holds only
    a few units (fewer than `EDGE`) of its first line's end starts on the next line instead, and the same at its
    end: a window that crosses from a line of the document into the item (`...했다.` then `③ 여름마다`) is
    no evidence against that line."""
    ls, le = _line(text, start)
    covered = text[start : min(end, le)]
    if _letters(covered) >= line_share * _letters(text[ls:le]):
        start = ls
    elif end > le and len(units(covered)) < EDGE:
        start = le + 1
    ls, le = _line(text, max(start, end - 1))
    covered = text[max(start, ls) : end]
    if _letters(covered) >= line_share * _letters(text[ls:le]):
        end = le
    elif start < ls and len(units(covered)) < EDGE:
        end = ls - 1
    if (start == 0 or text[start - 1] == "\n") and (end == len(text) or text[end] == "\n"):
        return whole_line(text, start, end)
    return start, end


class Decontaminate(Step):
    """Cut (`mode: cut`) the spans of a document where benchmark items stand, or drop the document (`mode: drop`).

    `index` is a folder `malgeum decont-index` (or `malgeum decont --index`) built from the benchmark files;
    `digest`, when given, must be that index's (meta.json), so a recipe cannot silently run against a rebuilt
    one (`malgeum decont` writes it). Text is compared NFKC-normalised and case-folded, in windows of Hangul, Han
    and kana characters with the spaces removed (8 by default) and of words elsewhere (5), over text whose line
    breaks and spaces are not part of it: re-spaced, re-wrapped and re-punctuated copies match as they are.
    An item is found when a span of the document holds at least `share` of its windows (a few changed
    characters kill few of them), or `piece` of them (a long piece of a long passage). A cut takes the whole
    line where it covers at least `line_share` of it; its rule is `decont.<benchmark>` and its reason names the
    item's id and the windows found.
    """

    kind = "decont"

    def __init__(
        self,
        index: str,
        mode: Literal["cut", "drop"] = "cut",
        share: float = 0.5,
        piece: int = 20,
        line_share: float = 0.5,
        digest: str | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name)
        meta_file = Path(index) / "meta.json"
        if not meta_file.is_file():
            raise ValueError(f"no decontamination index at {index} (build one with `malgeum decont-index`)")
        found = orjson.loads(meta_file.read_bytes()).get("digest")
        if digest is not None and found != digest:
            raise ValueError(f"the index at {index} is not the one this recipe names (digest {found}, not {digest})")
        if not 0 < share <= 1 or not 0 < line_share <= 1:
            raise ValueError("share and line_share must be above 0 and at most 1")
        self.index_path, self.mode, self.share, self.piece, self.line_share = index, mode, share, piece, line_share
        self._index: Index | None = None

    def setup(self) -> None:
        if self._index is None:
            self._index = Index(self.index_path)

    def hits(self, text: str) -> list[Hit]:
        self.setup()
        assert self._index is not None
        return find(self._index, text, self.share, self.piece)

    def apply(self, doc: Document) -> None:
        hits = self.hits(doc.text)
        if not hits:
            return
        if self.mode == "drop":
            best = max(hits, key=lambda h: (h.matched / h.windows, h.matched))
            doc.drop(self.name, f"decont.{best.benchmark}", _reason([best], len({(h.benchmark, h.item) for h in hits})))
            return
        text = doc.text
        spans = sorted((*extend(text, h.start, h.end, self.line_share), h) for h in hits)
        groups: list[tuple[int, int, list[Hit]]] = []
        for s, e, h in spans:
            if groups and s <= groups[-1][1]:
                groups[-1] = (groups[-1][0], max(e, groups[-1][1]), [*groups[-1][2], h])
            else:
                groups.append((s, e, [h]))
        cuts = []
        for s, e, hs in groups:
            best = max(hs, key=lambda h: h.matched)
            cuts.append(Cut(s, e, f"decont.{best.benchmark}", _reason(hs, len({(h.benchmark, h.item) for h in hs}))))
        doc.apply_cuts(self.name, cuts)


def _reason(hits: list[Hit], items: int) -> str:
    best = max(hits, key=lambda h: h.matched)
    more = f"; and {items - 1} more item(s)" if items > 1 else ""
    return f"{best.benchmark} item {best.item}: {best.matched} of its {best.windows} windows{more}"
