"""Drop documents whose URL is on a block list the user gives, or whose host has a language pack's spam words."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from malgeum import blocklists, langpacks
from malgeum.document import Document
from malgeum.scripts import SHARE, script_counts, shares
from malgeum.step import Step


class FilterURLs(Step):
    """Drops a document whose URL (the meta field `url_field`) a block list names (rule
    `url_filter.<list>.<category>`, the entry in the reason). `lists` maps a list's name to a UT1 folder (a
    sub-folder per category holding `domains` and `urls` files; `categories` keeps only the ones named) or to a
    file: `domains:PATH` (the default for a file), `urls:PATH`, `substrings:PATH` or `patterns:PATH`, whose
    category is its kind. `pack` names language packs whose `url_filter.yaml` words of spam hosts (Korean
    gambling and adult sites, say) apply too, to documents in the pack's script (rule
    `url_filter.pack.<category>`). A document without a URL passes; they are counted as `url_filter.no_url`
    (no document dropped). See docs/url_filter.md for the matching rules.
    """

    kind = "url_filter"

    def __init__(
        self,
        lists: dict[str, str] | None = None,
        categories: list[str] | None = None,
        pack: list[str] | None = None,
        url_field: str = "url",
        name: str | None = None,
    ) -> None:
        super().__init__(name)
        if not lists and not pack:
            raise ValueError("give block lists (`lists: {name: path}`) or language packs (`pack: [ko]`), or both")
        for list_name, spec in (lists or {}).items():
            path = blocklists.parse_spec(list_name, spec)[1]
            if not path.exists():  # before any document is read, not in a worker
                raise ValueError(f"block list {list_name}: no file or folder {str(path)!r}")
        self.lists = dict(lists or {})
        self.categories = categories
        self.url_field = url_field
        self.packs = [(lang, _pack_words(lang)) for lang in pack or []]
        self.blocks: blocklists.BlockLists | None = None

    def reads(self) -> dict[str, Path]:
        return {f"block list {name}": blocklists.parse_spec(name, spec)[1] for name, spec in self.lists.items()}

    def setup(self) -> None:
        if self.blocks is None:
            self.blocks = blocklists.load(self.lists, self.categories)

    def apply(self, doc: Document) -> None:
        url = doc.meta.get(self.url_field)
        if not isinstance(url, str) or not url.strip():
            self.stats.add_rule("url_filter.no_url", 0, 0, 1)
            return
        if self.blocks is None:
            self.setup()
        assert self.blocks is not None
        hit = self.blocks.match(url)
        if hit is not None:
            how = {"domains": "under", "urls": "starts with", "substrings": "contains", "patterns": "matches"}
            doc.drop(
                self.name,
                f"url_filter.{hit.list}.{hit.category}",
                f"{url[:200]} {how[hit.kind]} {hit.entry!r} ({hit.list} {hit.category})",
            )
            return
        if self.packs:
            self._pack(doc, url)

    def _pack(self, doc: Document, url: str) -> None:
        parts = blocklists.split_url(url)
        if parts is None:
            return
        host = blocklists.unicode_host(parts[0])
        for lang, (script, words) in self.packs:
            for category, rx in words:
                m = rx.search(host)
                if m is None:
                    continue
                if script is not None and script not in shares(script_counts(doc.text), SHARE):
                    break  # a pack speaks its language: toto.co.jp on a Japanese page is not Korean gambling
                doc.drop(
                    self.name,
                    f"url_filter.pack.{category}",
                    f"host {host} has {m.group(0)!r}, a word of {category} sites in the {lang} pack",
                )
                return


def _pack_words(lang: str) -> tuple[str | None, list[tuple[str, re.Pattern[str]]]]:
    """(the pack's script, [(category, regex over a host)]) of `<lang>/url_filter.yaml`."""
    data: dict[str, Any] = langpacks.load(lang, "url_filter")
    if not data.get("categories"):
        raise ValueError(f"language pack {lang!r} has no url_filter.yaml with categories of host words")
    words = []
    for category, patterns in data["categories"].items():
        if not re.fullmatch(r"[a-z0-9_]+", str(category)) or not isinstance(patterns, list) or not patterns:
            raise ValueError(f"{lang}/url_filter.yaml: category {category!r} must be a name with a list of patterns")
        try:
            words.append((str(category), re.compile("|".join(f"(?:{p})" for p in patterns))))
        except re.error as e:
            raise ValueError(f"{lang}/url_filter.yaml: category {category}: {e}") from e
    return langpacks.script(lang), words
