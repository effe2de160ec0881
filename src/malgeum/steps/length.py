"""Drop documents with too little text left."""

from __future__ import annotations

from malgeum.document import Document
from malgeum.scripts import letters_outside_links
from malgeum.step import Step


class DropShort(Step):
    """Drops a document with no text left, fewer than `min_chars` characters other than white space, or no
    letter outside its links (a bare link, a row of digits or marks: no language's text, which no pack's rule
    may name)."""

    kind = "min_length"

    def __init__(self, min_chars: int = 20, name: str | None = None) -> None:
        super().__init__(name)
        self.min_chars = min_chars

    def apply(self, doc: Document) -> None:
        n = len(doc.text) - sum(doc.text.count(c) for c in " \n\t")
        if n == 0:
            doc.drop(self.name, "length.empty", "no text left" if doc.edits else "empty input text")
        elif n < self.min_chars:
            doc.drop(self.name, "length.too_short", f"{n} characters left, fewer than {self.min_chars}")
        elif not letters_outside_links(doc.text):
            doc.drop(self.name, "length.no_letters", "no letters outside links")
