"""Cut the lines that a site's template repeats on its pages, as learned from the corpus itself."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from malgeum import storage
from malgeum.document import Cut, Document
from malgeum.lines import non_overlapping, whole_line
from malgeum.step import Step
from malgeum.templates.learn import TABLE, Thresholds
from malgeum.templates.shapes import CORPUS, MAX_SHAPE, head, host_of, host_seed, key, scoped, shape


class CutTemplates(Step):
    """Lines a host repeats on its pages (a reporter box, `입력 … | 수정 …` stamps, an app's signature, a banner)
    or the corpus repeats across sites, cut whole (rules `template.host`, `template.corpus`, the counts in the
    reason). The counts come from a first pass over the whole input that the engine runs before cleaning
    (see `malgeum.templates.learn`: shapes with digits masked, once per group of near-copies, at a stable place
    in the page); `path` applies a table an earlier run learned instead (`--templates`). The thresholds are the
    first pass's; `keep` lists lines that are never cut (a veto of a learned template). `url_field` names the
    meta field that holds a document's URL, whose host groups its pages; without one, only the corpus counts.
    A host's line on `everywhere_share` of its pages is cut wherever it stands; a host of `few_pages` to
    `min_pages` pages has its lines on every page cut.
    """

    kind = "templates"

    def __init__(
        self,
        path: str | None = None,
        url_field: str = "url",
        keep: list[str] | None = None,
        min_pages: int = 5,
        share: float = 0.05,
        min_count: int = 5,
        max_count: int = 20,
        corpus_min_pages: int = 20,
        corpus_min_count: int = 10,
        corpus_max_count: int = 100,
        min_stability: float = 0.5,
        edge_share: float = 0.2,
        everywhere_share: float = 0.5,
        few_pages: int = 3,
        name: str | None = None,
    ) -> None:
        super().__init__(name)
        if path is not None and not isinstance(path, str):
            raise ValueError(f"path must be a file or folder name, got {path!r}")
        if not isinstance(url_field, str) or not url_field:
            raise ValueError(f"url_field must be a field name, got {url_field!r}")
        if keep is not None and (not isinstance(keep, list) or not all(isinstance(k, str) for k in keep)):
            raise ValueError(f"keep must be a list of lines, got {keep!r}")
        self.path = path
        self.url_field = url_field
        self.keep = {key(shape(k)) for k in keep or []}
        self.thresholds = Thresholds(
            min_pages,
            share,
            min_count,
            max_count,
            corpus_min_pages,
            corpus_min_count,
            corpus_max_count,
            min_stability,
            edge_share,
            everywhere_share,
            few_pages,
        )
        self.table = np.empty(0, TABLE)
        self._keys: frozenset[int] = frozenset()
        self._max_length = 0
        self._heads: frozenset[str] = frozenset()

    def setup(self) -> None:
        if self.path is not None:
            self.use(load_table(self.path))

    def use(self, table: np.ndarray) -> None:
        self.table = np.sort(table, order="key")
        self._keys = frozenset(self.table["key"].tolist())
        # most lines are longer than any template line: they are skipped before they are shaped (with room for
        # a template line that another page writes with more white space or longer numbers)
        self._max_length = int(self.table["length"].max()) * 5 // 4 + 16 if len(self.table) else 0
        self._heads = frozenset(map(chr, self.table["head"].tolist()))

    def apply(self, doc: Document) -> None:
        if not self._keys:
            return
        host = host_of(doc.meta.get(self.url_field))
        seed = host_seed(host)
        text = doc.text
        trimmed = trimmed_lines(doc)
        cuts = []
        pos = 0
        for line in text.split("\n"):
            s, e = pos, pos + len(line)
            pos = e + 1
            # most lines are longer than any template line, or start unlike one: they are not shaped at all
            short = line and len(line) <= self._max_length and head(line) in self._heads
            found = self._template(line, seed, host) if short else None
            if found is None and s in trimmed and line.strip():
                found = self._template(trimmed[s], seed, host)
            if found is not None:
                cuts.append(Cut(*whole_line(text, s, e), *found))
        if cuts:
            doc.apply_cuts(self.name, non_overlapping(cuts))  # consecutive lines share a break

    def _template(self, line: str, seed: int, host: str | None) -> tuple[str, str] | None:
        """(rule, reason) when the line is a learned template of the document's host or of the corpus."""
        if len(line) > self._max_length or head(line) not in self._heads:
            return None
        sh = shape(line)
        if not 0 < len(sh) <= MAX_SHAPE:
            return None
        k = key(sh)
        if k in self.keep:
            return None
        hk = scoped(k, seed) if seed != CORPUS else None
        if hk is not None and hk in self._keys:
            count, pages = self._counts(hk)
            return "template.host", f"on {count:,} of {pages:,} pages of {host}"
        if k in self._keys:
            count, pages = self._counts(k)
            return "template.corpus", f"on {count:,} of {pages:,} pages of the corpus"
        return None

    def _counts(self, k: int) -> tuple[int, int]:
        row = self.table[int(np.searchsorted(self.table["key"], np.uint64(k)))]
        return int(row["count"]), int(row["pages"])


def trimmed_lines(doc: Document) -> dict[int, str]:
    """{start of a line in the text: the line as it was} for the lines the last step before this one trimmed (a
    credit cut off a line's end, a byline off its start), so that a template line keeps its key though a rule
    took part of it (`누리일보 · 등록번호 … · ⓒ 누리일보 무단전재 및 재배포 금지` whose credit went first)."""
    if not doc.edits:
        return {}
    last = doc.edits[-1].step
    group = []
    for edit in reversed(doc.edits):
        if edit.step != last:
            break
        group.append(edit)
    text = doc.text
    pieces: dict[int, list[tuple[int, str]]] = {}  # line start -> (offset in the text, removed piece)
    shift = 0
    for edit in reversed(group):  # in order: offsets are the step's input's, shifted by the cuts before
        at = edit.start + shift
        shift += len(edit.inserted) - (edit.end - edit.start)
        if edit.inserted or "\n" in edit.removed or not any(c.isalnum() for c in edit.removed):
            continue  # a replacement, a whole line gone, or white space and marks, which a shape ignores anyway
        pieces.setdefault(text.rfind("\n", 0, at) + 1, []).append((at, edit.removed))
    out = {}
    for ls, found in pieces.items():
        le = text.find("\n", ls)
        le = len(text) if le < 0 else le
        parts, pos = [], ls
        for at, removed in found:
            parts += [text[pos:at], removed]
            pos = at
        out[ls] = "".join(parts) + text[pos:le]
    return out


def table_bytes(path: str | Path) -> bytes:
    """The file of a learned table: `templates.npy`, or the `templates/` folder of an earlier run, or that run's
    output folder."""
    loc = storage.location(str(path))
    for c in (loc, storage.join(loc, "templates.npy"), storage.join(loc, "templates", "templates.npy")):
        if str(c).endswith(".npy") and storage.exists(c) and not (isinstance(c, Path) and c.is_dir()):
            return storage.read_bytes(c)
    raise ValueError(f"no learned templates at {path} (expected templates.npy or a run's templates/ folder)")


def load_table(path: str | Path, data: bytes | None = None) -> np.ndarray:
    """The table at `path` (its file's bytes, when the caller has read them already)."""
    try:
        table = np.load(io.BytesIO(table_bytes(path) if data is None else data), allow_pickle=False)
    except (OSError, EOFError) as e:
        raise ValueError(f"{path}: not a table of learned templates ({e})") from e
    if not isinstance(table, np.ndarray) or table.dtype != TABLE:
        raise ValueError(f"{path}: not a table of learned templates")
    return table
