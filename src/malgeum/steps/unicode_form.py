"""Unicode NFC, so that the same Hangul syllable is always one code point."""

from __future__ import annotations

import re
import unicodedata

from malgeum.document import Cut, Document
from malgeum.step import Step

# Composition never crosses white space, so tokens can be normalised one by one and offsets stay exact.
_TOKEN = re.compile(r"\S+")


class NormalizeUnicode(Step):
    kind = "normalize_unicode"

    def __init__(self, form: str = "NFC", name: str | None = None) -> None:
        super().__init__(name)
        if form not in ("NFC", "NFKC"):
            raise ValueError(f"form must be NFC or NFKC, not {form!r}")
        self.form = form

    def apply(self, doc: Document) -> None:
        if unicodedata.is_normalized(self.form, doc.text):
            return
        cuts = []
        for m in _TOKEN.finditer(doc.text):
            tok = m.group(0)
            if not unicodedata.is_normalized(self.form, tok):
                cuts.append(
                    Cut(
                        m.start(),
                        m.end(),
                        f"normalize.{self.form.lower()}",
                        f"Unicode {self.form}",
                        unicodedata.normalize(self.form, tok),
                    )
                )
        if cuts:
            doc.apply_cuts(self.name, cuts)
