"""From web pages to text: charset decoding (legacy Korean encodings included) and main-content extraction.

resiliparse (fast, C++) extracts by default; trafilatura is the careful alternative (`extractor: trafilatura`),
about ten times slower. Extraction keeps block structure as lines, so the line rules of the recipe (menus,
share bars, bylines, captions' credits) cut what the extractor let through, with recorded edits.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from typing import Any

from malgeum.chars import INVISIBLE
from malgeum.limits import OverTime, time_limit

EXTRACTORS = ("malgeum", "resiliparse", "trafilatura")
HTML_TYPES = ("text/html", "application/xhtml+xml")
# Browsers stop nesting at 512 elements (Blink's parser puts deeper ones beside their parent). resiliparse's
# extractor costs time in proportion to each text's depth, so deeper pages are refused before extraction (100,000
# nested <div> took minutes in its C code, which no alarm interrupts); the deepest of trafilatura's 990 evaluation
# pages nests under 48.
MAX_DEPTH = 512
_DEEPER = " > ".join(["*"] * (MAX_DEPTH + 1))  # lexbor matches this in C: 0.2 ms a page

# what pages declare, and what Python must decode instead: EUC-KR pages are CP949 in practice (its superset),
# as browsers decode them
_SUPERSETS = {
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "windows-949": "cp949",
    "iso-8859-1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
}
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.-]{1,40})""", re.I)
_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE))  # (a browser shows none of them: the page's text has none)
_BLANK_LINES = re.compile(r"\n{3,}")
# resiliparse counts a <figure>'s caption as alternative text, dropped with the images' alt texts; as plain
# blocks the captions stay, and the recipe's caption policy decides (credits cut, the caption kept)
_FIGURES = re.compile(r"<(/?)(?:figure|figcaption)\b", re.I)


_PAGE_LANG = re.compile(r"""<html\b[^>]{0,500}?\blang\s*=\s*["']?([a-zA-Z]{2,3})\b""", re.I)


def keeps_captions(html: str) -> bool:
    """Whether a page's figure captions are part of its text: as its language's pack says (`captions` in
    `<lang>/extraction.yaml`; the language from `<html lang>`), else yes. Korean news keeps them (a careful
    reader keeps a photo's caption with its story); the article text of English pages, as extraction benchmarks
    and their annotators take it, does not."""
    found = _PAGE_LANG.search(html, 0, 8192)
    if found is None:
        return True
    from malgeum import langpacks

    return langpacks.load(found.group(1).lower(), "extraction").get("captions", "keep") != "drop"


class Undecodable(ValueError):
    pass


class PageTooDeep(ValueError):
    pass


def failure(e: BaseException) -> str:
    """A quarantine reason for a page that `extract` refused or failed on."""
    if isinstance(e, OverTime):
        return f"timeout: HTML extraction {e}"
    if isinstance(e, PageTooDeep):
        return str(e)
    return f"HTML extraction failed: {type(e).__name__}: {e}"


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    name = _SUPERSETS.get(name, name)
    try:
        "".encode(name)
    except LookupError:
        return None
    return name


def decode(body: bytes, declared: str | None = None) -> tuple[str, str, int]:
    """(text, codec, bad bytes): the HTTP charset if it decodes the page, then the page's <meta> charset, then
    UTF-8, then a detector's guess. A page that none of them decodes cleanly but one decodes with at most 1% of
    its characters bad (a stray byte in a crawled page is common) keeps U+FFFD there and says how many; any
    other page raises Undecodable."""
    from resiliparse.parse.encoding import detect_encoding

    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    meta = _META_CHARSET.search(body[:4096])
    tried: list[str] = []
    for name in (declared, meta.group(1).decode("ascii") if meta else None, "utf-8", detect_encoding(body)):
        codec = _codec(name)
        if codec is None or codec in tried:
            continue
        tried.append(codec)
        try:
            return body.decode(codec), codec, 0
        except UnicodeDecodeError:
            continue
    for codec in tried:
        text = body.decode(codec, errors="replace")
        bad = text.count("\ufffd")
        if bad <= 0.01 * len(text):
            return text, codec, bad
    raise Undecodable(f"undecodable page: not {', '.join(tried) or 'any known charset'}")


def extract(
    html: str,
    extractor: str = "resiliparse",
    url: str | None = None,
    seconds: float = 0,
    inspect: Callable[[Any], object] | None = None,
) -> str:
    """The page's main content as text, one block per line. Raises PageTooDeep for a page nested deeper than
    MAX_DEPTH elements, and OverTime when extraction takes over `seconds` (0: no limit). `inspect` is given the
    parsed page (resiliparse's HTMLTree) before extraction, within the time limit, so what else is read of the
    page (its metadata) costs no second parse."""
    if extractor not in EXTRACTORS:
        raise ValueError(f"extractor must be one of {EXTRACTORS}, not {extractor!r}")
    from resiliparse.parse.html import HTMLTree

    with time_limit(seconds):
        # resiliparse and malgeum read captions as blocks once <figure>s are <div>s (see _FIGURES)
        source = html if extractor == "trafilatura" or not keeps_captions(html) else _FIGURES.sub(r"<\1div", html)
        tree = HTMLTree.parse(source)
        if tree.document is not None and tree.document.query_selector(_DEEPER) is not None:
            raise PageTooDeep(f"page nested deeper than {MAX_DEPTH} elements")
        if inspect is not None:
            inspect(tree)
        text = _extract(tree, source, extractor, url)
    return _BLANK_LINES.sub("\n\n", text.translate(_INVISIBLE)).strip()


def _extract(tree: object, html: str, extractor: str, url: str | None) -> str:
    if extractor == "malgeum":
        from malgeum.extraction import extract_main

        return extract_main(tree, html)
    if extractor == "resiliparse":
        from resiliparse.extract.html2text import extract_plain_text

        return extract_plain_text(
            tree,
            preserve_formatting=True,
            main_content=True,
            list_bullets=False,
            alt_texts=False,
            links=False,
            form_fields=False,
            noscript=False,
            comments=False,
        )
    import trafilatura

    return trafilatura.extract(html, url=url, include_comments=False, include_tables=True, deduplicate=False) or ""


def http_body(raw: bytes, transfer_encoding: str | None, content_encoding: str | None) -> bytes:
    """A stored HTTP body as the page's bytes: de-chunked and decompressed as its headers say (crawlers such as
    wget store bodies as they came over the wire; Common Crawl stores them decoded and renames the headers)."""
    if transfer_encoding and "chunked" in transfer_encoding.lower():
        raw = _dechunk(raw)
    encoding = (content_encoding or "").strip().lower()
    if encoding in ("", "identity", "none"):
        return raw
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompress(raw, 47)  # a gzip or zlib header
    if encoding == "deflate":
        try:
            return zlib.decompress(raw)
        except zlib.error:
            return zlib.decompress(raw, -15)  # raw deflate, as some servers send it
    if encoding == "br":
        import brotli

        try:
            return brotli.decompress(raw)
        except brotli.error as e:
            raise ValueError(f"brotli: {e}") from e
    raise ValueError(f"unsupported Content-Encoding {encoding!r}")


def _dechunk(raw: bytes) -> bytes:
    parts, pos = [], 0
    while True:
        eol = raw.find(b"\r\n", pos, pos + 1024)
        if eol < 0:
            raise ValueError("chunked body cut short or malformed")
        size = int(raw[pos:eol].split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            return b"".join(parts)
        start = eol + 2
        if start + size > len(raw):
            raise ValueError("chunked body cut short")
        parts.append(raw[start : start + size])
        pos = start + size + 2


def is_html(content_type: str | None) -> bool:
    """Whether an HTTP content type is a page (a missing one counts: crawlers often leave it out)."""
    if not content_type:
        return True
    return content_type.split(";", 1)[0].strip().lower() in HTML_TYPES
