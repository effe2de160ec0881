"""A web page's own metadata: title, publication and modification dates, author, language, canonical URL and site
name, read from its markup as trafilatura's metadata.py and htmldate read them.

Declared metadata is trusted first (OpenGraph and other <meta> names, JSON-LD, itemprop, <time datetime>), then
the page's structure (its <h1>, its <title>), and one free-text pattern only: the 입력/수정 stamps of Korean news
pages, matched where a keyword stands right before a date. Everything read is bounded (how many tags, how
large a JSON-LD blob, how long a string) and cleaned of control characters; a field that cannot be read is left
out, so metadata never costs a page.
"""

from __future__ import annotations

import re
import unicodedata
from collections import deque
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from email.utils import parsedate_to_datetime
from html import unescape
from typing import Any
from urllib.parse import urljoin, urlsplit

import orjson

# what is read of a page, at most: hostile pages hold thousands of tags or megabytes of JSON
MAX_META_TAGS = 400
MAX_JSONLD_BLOBS = 8
MAX_JSONLD_CHARS = 256 * 1024  # a larger blob is skipped unread (real ones are a few kB)
MAX_JSONLD_NODES = 2000  # objects and lists walked, over all blobs
MAX_JSONLD_DEPTH = 8
MAX_STAMP_HITS = 8  # occurrences of each Korean stamp keyword looked at
MAX_TITLE = 300  # characters; a longer candidate is no title
MAX_NAME = 100  # one author or site name
MAX_AUTHORS = 10
MAX_URL = 2048
EARLIEST_YEAR = 1991  # the first web page; a fixed range keeps the output the same whatever day it runs
LATEST_YEAR = 2100

# what the meta keys below are, lower case (property, name, itemprop or http-equiv), by trust within each field
TITLE_META = ("og:title", "twitter:title")
PUBLISHED_META = (
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "article:published",
    "datepublished",
    "dc.date.issued",
    "dcterms.issued",
    "citation_publication_date",
    "dcterms.created",
    "dc.date.created",
    "pubdate",
    "publishdate",
    "publish_date",
    "publish-date",
    "published_date",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date",
    "dcterms.date",
    "citation_date",
    "date",
)
MODIFIED_META = (
    "article:modified_time",
    "og:modified_time",
    "og:updated_time",
    "article:modified",
    "datemodified",
    "dcterms.modified",
    "dc.date.modified",
    "last-modified",
    "lastmod",
    "modified",
)
AUTHOR_META = ("author", "article:author", "byl", "dc.creator", "dcterms.creator", "citation_author", "parsely-author")
SITE_META = ("og:site_name",)
APP_META = ("application-name",)
# JSON-LD types whose headline, dates and author are the page's own (schema.org's Article and posting kinds)
ARTICLE_TYPES = re.compile(r"article|posting|report", re.I)
PERSONLESS_TYPES = {"organization", "newsmediaorganization", "corporation"}  # an author of these is a publisher
SITE_TYPES = {"website", "organization", "newsmediaorganization", "corporation"}
LD_DATES = {"datepublished": "datePublished", "datemodified": "dateModified"}

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufffd]")  # read as a space (U+FFFD: what a parser makes of NUL)
# soft hyphens, zero-width and direction marks, a byte order mark, lone surrogates: read as nothing
_INVISIBLE = re.compile(r"[\xad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\ud800-\udfff]")
_SPACES = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[\W_]+")
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_TAGS = re.compile(r"<[^<>]{0,500}>")
# " | Site", " - 조선일보", " :: Site", " « Site": a separator with space on both sides
_SEPARATOR = re.compile(r"\s+(?:[|–—•·»«:~/\\-]|::)\s+")
_BY = re.compile(r"^(?:by|von|par|por)\s+", re.I)
_AUTHOR_SPLIT = re.compile(r"\s*(?:[;|,/&]|\band\b)\s*", re.I)
_LANG = re.compile(r"([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*")
_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?"
)
_DOTTED = re.compile(r"(\d{4})[./](\d{1,2})[./](\d{1,2})\.?(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})?)?")
_RFC2822 = re.compile(r"(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}")
# Korean news stamps: 입력 2026.01.03 14:05, 기사입력 2024-03-01 오후 1:00, 수정 2024년 3월 1일 14시 5분
PUBLISHED_WORDS = ("입력", "등록", "송고", "게재", "작성", "발행")
MODIFIED_WORDS = ("수정", "업데이트")
_STAMP = re.compile(
    r"(?:입력|등록|송고|게재|작성|발행|수정|업데이트)\s*(?:일시|일자|시간|시각)?\s*[:：]?\s*"
    r"(\d{4})\s*[.\-/년]\s*(\d{1,2})\s*[.\-/월]\s*(\d{1,2})\s*일?\.?"
    r"(?:\s*\(?[월화수목금토일]\)?)?"
    r"(?:\s*(오전|오후|AM|PM|am|pm)?\s*(\d{1,2})\s*[:시]\s*(\d{1,2})(?:\s*[:분]\s*(\d{1,2}))?)?"
)


def read(tree: Any, page: str, url: str | None = None, crawled: str | None = None) -> dict[str, str]:
    """The metadata of a page parsed by resiliparse (`HTMLTree`), under the keys documents' meta takes: `title`,
    `published`, `modified`, `author`, `page_lang`, `canonical`, `site_name`, each only when found. `page` is
    the HTML the tree was parsed from (for the Korean stamps), `url` the page's address (to resolve a relative
    canonical link), `crawled` when it was fetched (ISO 8601: a date after it is refused). Never raises."""
    try:
        return _read(tree, page, url, crawled)
    except Exception:  # (each field is read on its own already: this is the parsed tree itself failing)
        return {}


def _read(tree: Any, page: str, url: str | None, crawled: str | None) -> dict[str, str]:
    if tree.document is None:
        return {}
    nodes = _Nodes(tree)
    found: dict[str, str] = {}
    page_url = url if isinstance(url, str) and _is_web(url) else None
    ld = _safe(_jsonld, [], nodes.scripts)
    site = _safe(_site_name, None, nodes.metas, ld)
    limit = _day(crawled)
    fields: list[tuple[str, Any]] = [
        ("site_name", lambda: site),
        ("title", lambda: _title(nodes, ld, site, page_url)),
        ("page_lang", lambda: _lang(nodes)),
        ("published", lambda: _date(_date_candidates(nodes, ld, PUBLISHED_META, "datepublished"), limit)),
        ("modified", lambda: _date(_date_candidates(nodes, ld, MODIFIED_META, "datemodified"), limit)),
        ("author", lambda: _author(nodes, ld, site)),
        ("canonical", lambda: _canonical(nodes, page_url)),
    ]
    for key, get in fields:
        if value := _safe(get, None):
            found[key] = value
    if found.get("page_lang") == "ko" or _HANGUL.search(found.get("title", "")):  # a Korean page: its stamps
        for key, words in (("published", PUBLISHED_WORDS), ("modified", MODIFIED_WORDS)):
            if key not in found and (value := _safe(_stamp, None, page, words, limit)):
                found[key] = value
    if "published" in found and "modified" in found and found["modified"][:10] < found["published"][:10]:
        del found["modified"]  # modified before published: one of them is wrong, the publication date is trusted
    return found


def from_html(page: str, url: str | None = None, crawled: str | None = None) -> dict[str, str]:
    """`read` of a page not parsed yet."""
    from resiliparse.parse.html import HTMLTree

    try:
        tree = HTMLTree.parse(page)
    except Exception:
        return {}
    return read(tree, page, url, crawled)


def title_first(text: str, title: str | None, heading: str | None = None) -> str:
    """The text with the title as its first line, unless it is there already: the text begins with it (or with
    the page's own `heading`, when the title is a record's), or one of its first lines is it (an extractor that
    kept a section label above the heading), compared without case, spaces or punctuation. The title is set
    apart as the text's blocks are (by a blank line, when they are). An empty text stays empty."""
    if not text or not title or not (key := _key(title)):
        return text
    lines = [k for k in (_key(line) for line in text.split("\n", 12)[:12]) if k][:5]
    for k in (key, _key(heading), *_without_site(title)):
        if k and (not lines or lines[0].startswith(k) or k in lines):
            return text
    gap = "\n\n" if "\n\n" in text[:4000] else "\n"
    return f"{title}{gap}{text}"


def _without_site(title: str) -> list[str]:
    """The keys of a title without what a separator sets off at its end or start, when that is the shorter part
    ("Story | Site", "Site - Story"): the text that leads with the story's heading leads with its title, whatever
    the site is called (no site name need be known)."""
    seps = list(_SEPARATOR.finditer(title))
    if not seps:
        return []
    parts = [(title[: seps[-1].start()], title[seps[-1].end() :]), (title[seps[0].end() :], title[: seps[0].start()])]
    return [_key(story) for story, site in parts if len(_key(story)) > len(_key(site))]


def clean_title(value: Any) -> str | None:
    """A title given with a record, as a first line takes it: one line, control characters out, not too long."""
    return _text(value, MAX_TITLE) if isinstance(value, str) else None


# --- reading the page ---------------------------------------------------------------------------------------

# the elements every page is read for, found in one walk of the tree; what only some pages need (headings,
# <time>, itemprop, rel=author) is looked for when it is needed. A walk costs about 0.05 ms a page and each
# element found about 8 µs more (resiliparse makes a Python object of it), so the <meta> that pages hold most
# and that say none of the fields read here (images, descriptions, viewport, twitter cards) are not asked for:
# half of them, half the cost
_UNREAD_META = (
    '[property^="og:image"]',
    '[property="og:description"]',
    '[property="og:type"]',
    '[property="og:locale"]',
    '[property="article:tag"]',
    '[property^="fb:"]',
    '[name="viewport"]',
    '[name="description"]',
    '[name="generator"]',
    '[name^="twitter:"]:not([name="twitter:title"])',
    '[name="robots"]',
    '[name="keywords"]',
    '[name^="msapplication"]',
    '[http-equiv="content-type" i]',
    '[http-equiv="x-ua-compatible" i]',
    '[name="google-site-verification"]',
    '[name="theme-color"]',
    '[itemprop="width"]',
    '[itemprop="height"]',
    '[itemprop="url"]',
    '[itemprop="name"]',
)
_SELECTOR = (
    f"meta[content]:not({', '.join(_UNREAD_META)}), "
    'script[type="application/ld+json" i], base[href], link[rel~="canonical" i][href]'
)
_BODY_SELECTOR = 'h1, time[datetime], [itemprop="datePublished" i], [itemprop="dateModified" i], a[rel~="author" i]'
MAX_NODES = 300  # of the elements a walk finds, in page order, looked at
MAX_H1 = 5


class _Nodes:
    """What the page says, as strings, each kind bounded."""

    def __init__(self, tree: Any) -> None:
        self.doc = tree.document
        self.title: str | None = _safe(lambda: tree.title, None)
        root = self.doc.document_element
        self.lang = [root.getattr("lang"), root.getattr("xml:lang")] if root is not None else []
        self.metas: dict[str, str] = {}  # the first content of each key: property, name, itemprop or http-equiv
        self.scripts: list[str] = []
        self.canonical: str | None = None
        self.base: str | None = None
        self._found: dict[str, list[Any]] = {}
        for node in _first(self.doc.query_selector_all(_SELECTOR), MAX_NODES):
            try:
                tag = node.tag
                if tag == "meta":
                    self._meta(node)
                elif tag == "script" and len(self.scripts) < MAX_JSONLD_BLOBS:
                    self.scripts.append(node.text)
                elif tag == "base" and self.base is None:
                    self.base = node.getattr("href")
                elif tag == "link" and self.canonical is None:
                    self.canonical = node.getattr("href")
            except Exception:  # (one odd element costs only itself)
                continue

    def _meta(self, node: Any) -> None:
        if len(self.metas) >= MAX_META_TAGS:
            return
        content = node.getattr("content")
        if not content or content.isspace():
            return
        for attr in ("property", "name", "itemprop", "http-equiv"):
            if key := node.getattr(attr):
                self.metas.setdefault(key.strip().lower()[:100], content[:MAX_URL])
                return

    def _body(self) -> dict[str, list[Any]]:
        """What only some pages are read for, in one more walk when first needed: <h1> texts, <time> (datetime,
        marked pubdate), itemprop dates (itemprop, value), rel=author link texts; each kind bounded."""
        if self._found:
            return self._found
        found: dict[str, list[Any]] = {"h1": [], "time": [], "itemprop": [], "a": []}
        limits = {"h1": MAX_H1, "time": 8, "itemprop": 8, "a": MAX_AUTHORS}
        for node in _first(self.doc.query_selector_all(_BODY_SELECTOR), MAX_NODES):
            try:
                prop = (node.getattr("itemprop") or "").lower()
                kind = "itemprop" if prop in ("datepublished", "datemodified") else node.tag
                if len(found[kind]) >= limits[kind]:
                    continue
                if kind == "itemprop":
                    found[kind].append((prop, node.getattr("datetime") or node.getattr("content")))
                elif kind == "time":
                    found[kind].append((node.getattr("datetime"), node.hasattr("pubdate")))
                else:
                    found[kind].append(node.text)
            except Exception:
                continue
        self._found = found
        return found

    def h1s(self) -> list[str]:
        return self._body()["h1"]

    def times(self) -> list[str]:
        """datetime of the <time> marked pubdate or inside an <article>; else of the page's only <time>."""
        times = self._body()["time"]
        marked = [value for value, pubdate in times if pubdate]
        if marked or len(times) < 2:
            return marked or [value for value, _ in times]
        inside = self.doc.query_selector("article time[datetime]")  # (a walk more, on pages of several <time>)
        return [inside.getattr("datetime")] if inside is not None else []

    def itemprops(self, prop: str) -> list[str]:
        """datetime or content of the elements whose itemprop is `prop` (datePublished or dateModified)."""
        return [value for key, value in self._body()["itemprop"] if key == prop.lower()][:4]

    def authors(self) -> list[str]:
        return self._body()["a"]


def _first(found: Any, limit: int) -> Any:
    """The first `limit` elements of a resiliparse node list. Indexing or slicing one makes Python objects of all
    its elements first (160 ms for 20,000), `item(i)` of one only: a page of 20,000 <meta> costs no more than
    `limit` of them."""
    n = len(found)
    return found.values() if n <= limit else [found.item(i) for i in range(limit)]


def _safe(get: Any, default: Any, *args: Any) -> Any:
    try:
        return get(*args)
    except Exception:  # a page's markup can be anything: a field that fails is left out
        return default


def _jsonld(scripts: list[str]) -> list[dict[str, Any]]:
    """The typed objects of the page's JSON-LD, outer ones first (@graph members and nested objects included)."""
    found: list[dict[str, Any]] = []
    budget = MAX_JSONLD_NODES
    for raw in scripts:
        if not raw or len(raw) > MAX_JSONLD_CHARS:
            continue
        try:
            data = orjson.loads(raw.strip().removeprefix("<!--").removesuffix("-->").strip().rstrip(";"))
        except orjson.JSONDecodeError:
            continue
        queue: deque[tuple[Any, int]] = deque([(data, 0)])
        while queue and budget > 0:
            value, depth = queue.popleft()
            budget -= 1
            if isinstance(value, dict):
                if "@type" in value:
                    found.append(value)
                children = value.values()
            elif isinstance(value, list):
                children = value
            else:
                continue
            if depth < MAX_JSONLD_DEPTH:
                queue.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return found


def _types(obj: dict[str, Any]) -> list[str]:
    t = obj.get("@type")
    return [x.lower() for x in (t if isinstance(t, list) else [t])[:8] if isinstance(x, str)]


def _articles(ld: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    return (o for o in ld if any(ARTICLE_TYPES.search(t) for t in _types(o)))


def _site_name(metas: dict[str, str], ld: list[dict[str, Any]]) -> str | None:
    for key in SITE_META:
        if name := _text(metas.get(key), MAX_NAME):
            return name
    for article in _articles(ld):
        if name := _name(article.get("publisher")):
            return name
    for obj in ld:
        if SITE_TYPES.intersection(_types(obj)) and (name := _name(obj)):
            return name
    return next((name for key in APP_META if (name := _text(metas.get(key), MAX_NAME))), None)


def _title(nodes: _Nodes, ld: list[dict[str, Any]], site: str | None, url: str | None) -> str | None:
    page_title = _text(nodes.title, MAX_TITLE)
    names = {_key(n) for n in (site, *_hosts(url)) if n}
    if site is None and page_title and _SEPARATOR.search(page_title):
        names.update(_key(n) for n in _home_names(nodes, url))

    def candidates() -> Iterator[Any]:
        if not _site_level(nodes.metas.get("og:url"), url):
            yield from (nodes.metas.get(key) for key in TITLE_META)
        yield from (_ld_text(a.get("headline")) for a in _articles(ld))
        h1s = [h for h in (_text(t, MAX_TITLE) for t in nodes.h1s()) if h and _key(h) not in names]
        # one <h1> is the heading; of several (a logo, "Navigation", the story), the one the <title> repeats;
        # when the <title> repeats none of them, the <title> is trusted before them
        whole = _key(page_title)
        yield h1s[0] if len(h1s) == 1 else next((h for h in h1s if _key(h) in whole), None)
        yield page_title
        yield h1s[0] if h1s else None

    for value in candidates():
        if (title := _text(value, MAX_TITLE)) and (title := _trim_site(title, names)) and _key(title) not in names:
            return title
    return None


_HOST = re.compile(r"[A-Za-z0-9.-]{1,253}")


def _home_names(nodes: _Nodes, url: str | None) -> list[str]:
    """What the links to the site's front page say (its logo, as text): the site's name where the page's metadata
    names none, to take off its title ("Story | 누리일보")."""
    host = urlsplit(url).hostname if url else None
    homes = ['a[href="/"]']
    if host and _HOST.fullmatch(host):
        homes += [f'a[href="{scheme}://{host}{end}"]' for scheme in ("http", "https") for end in ("", "/")]
    found = _first(nodes.doc.query_selector_all(", ".join(homes)), 4)
    return [t for t in (_text(a.text, 60) for a in found) if t]


def _site_level(og_url: str | None, url: str | None) -> bool:
    """Whether the page's OpenGraph describes its site, not itself: og:url is the site's root and the page is
    not (or is not known to be)."""
    if not og_url:
        return False
    try:
        og, page = urlsplit(og_url.strip()), urlsplit(url) if url else None
    except ValueError:
        return False
    at_root = og.path in ("", "/") and not og.query
    return at_root and (page is None or page.path not in ("", "/") or bool(page.query))


def _trim_site(title: str, names: set[str]) -> str:
    """The title without a site name after (or before) a separator: "Story | Site" → "Story"."""
    seps = list(_SEPARATOR.finditer(title))
    if not seps or not names:
        return title
    if _key(title[seps[-1].end() :]) in names:
        return title[: seps[-1].start()].strip()
    if _key(title[: seps[0].start()]) in names:
        return title[seps[0].end() :].strip()
    return title


def _date(candidates: Iterator[Any], limit: date | None) -> str | None:
    return next((iso for value in candidates if (iso := _iso(value, limit))), None)


def _date_candidates(nodes: _Nodes, ld: list[dict[str, Any]], keys: tuple[str, ...], prop: str) -> Iterator[Any]:
    """In order of trust: the first two meta keys (OpenGraph's article dates), JSON-LD of the article, then of
    anything, the other meta keys, itemprop elements, and for publication <time datetime>: one marked pubdate or
    inside an <article>, else the page's only one."""
    yield from (nodes.metas.get(k) for k in keys[:2])
    yield from (a.get(LD_DATES[prop]) for a in _articles(ld))
    yield from (o.get(LD_DATES[prop]) for o in ld)
    yield from (nodes.metas.get(k) for k in keys[2:])
    yield from nodes.itemprops(LD_DATES[prop])
    if prop == "datepublished":
        yield from nodes.times()


def _stamp(page: str, words: tuple[str, ...], limit: date | None) -> str | None:
    """The first Korean stamp (`입력 2026.01.03 14:05`) of one of `words` in the page, as ISO 8601 with no offset
    (the page gives none). Only a date right after the keyword counts, tags between them aside."""
    best: tuple[int, str] | None = None
    for word in words:
        pos, hits = page.find(word), 0
        while pos >= 0 and hits < MAX_STAMP_HITS and (best is None or pos < best[0]):
            hits += 1
            window = _SPACES.sub(" ", unescape(_TAGS.sub(" ", page[pos : pos + 400])))
            if (m := _STAMP.match(window)) and (iso := _stamp_iso(m, limit)):
                best = (pos, iso)
                break
            pos = page.find(word, pos + len(word))
    return best[1] if best else None


def _stamp_iso(m: re.Match[str], limit: date | None) -> str | None:
    year, month, day = int(m[1]), int(m[2]), int(m[3])
    if m[5] is None:
        return _valid(year, month, day, limit=limit)
    hour, minute, second = int(m[5]), int(m[6]), int(m[7] or 0)
    if m[4] in ("오후", "PM", "pm") and hour < 12:
        hour += 12
    elif m[4] in ("오전", "AM", "am") and hour == 12:
        hour = 0
    return _valid(year, month, day, (hour, minute, second), limit=limit)


def _author(nodes: _Nodes, ld: list[dict[str, Any]], site: str | None) -> str | None:
    """Names, "; " between them; the first source that gives any: meta, JSON-LD, rel=author links. The site's own
    name is no author (pages name their outlet as author)."""
    not_names = {_key(site)} if site else set()

    def names(values: Iterator[Any], split: bool) -> str | None:
        seen: dict[str, str] = {}
        for value in values:
            if not isinstance(value, str) or not _is_name(value):
                continue
            for part in _AUTHOR_SPLIT.split(value) if split else (value,):
                name = _text(_BY.sub("", _text(part, MAX_URL) or ""), MAX_NAME)
                if name and _is_name(name) and (k := _key(name)) not in not_names:
                    seen.setdefault(k, name)
                if len(seen) >= MAX_AUTHORS:
                    break
        return "; ".join(seen.values()) or None

    return (
        names((nodes.metas.get(k) for k in AUTHOR_META), split=True)
        or names((n for a in _articles(ld) for n in _ld_authors(a.get("author"))), split=False)
        or names(iter(nodes.authors()), split=False)
    )


def _ld_authors(value: Any) -> Iterator[str]:
    for item in (value if isinstance(value, list) else [value])[:MAX_AUTHORS]:
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict) and not PERSONLESS_TYPES.intersection(_types(item)):
            name = item.get("name")
            if isinstance(name, list):
                yield from (n for n in name[:MAX_AUTHORS] if isinstance(n, str))
            elif isinstance(name, str):
                yield name
            elif isinstance(item.get("familyName"), str):
                parts = (item.get(k) for k in ("givenName", "additionalName", "familyName"))
                yield " ".join(p for p in parts if isinstance(p, str))


def _is_name(name: str) -> bool:
    """A name, not an address: profile links (article:author is often one) and e-mails are left out."""
    low = name.lower()
    return (
        "://" not in low
        and not low.startswith("www.")
        and "@" not in low
        and not re.search(r"\.(?:com|net|org|kr|html?)\b", low)
        and any(c.isalpha() for c in name)
    )


def _lang(nodes: _Nodes) -> str | None:
    for value in (*nodes.lang, nodes.metas.get("content-language")):
        if isinstance(value, str) and (m := _LANG.fullmatch(value.split(",")[0].strip())):
            code = m[1].lower()
            if code not in ("und", "mul", "zxx", "xx"):
                return code
    return None


def _canonical(nodes: _Nodes, url: str | None) -> str | None:
    og_url = nodes.metas.get("og:url")
    if url is None and og_url and _is_web(og_url.strip()):
        url = og_url.strip()  # what a relative link is resolved against when the page's address is not known
    if nodes.base:
        joined = urljoin(url or "", nodes.base.strip())
        url = joined if _is_web(joined) else url
    for value in (nodes.canonical, None if _site_level(og_url, url) and url else og_url):
        if not value or len(value) > MAX_URL:
            continue
        value = value.strip()
        if _CONTROL.search(value) or _INVISIBLE.search(value) or " " in value:
            continue
        absolute = urljoin(url, value) if url else value
        if _is_web(absolute):
            return absolute
    return None


# --- values ---------------------------------------------------------------------------------------------------


def _text(value: Any, cap: int) -> str | None:
    """A string as one clean line: control and invisible characters out, spaces collapsed; None when empty or
    over `cap` characters (a "title" of 5,000 characters is no title)."""
    if not isinstance(value, str) or len(value) > 4 * cap:
        return None
    if "\\u" in value:  # JSON escapes left in an attribute (`Luis \\u00c1vila`)
        value = _ESCAPE.sub(lambda m: chr(int(m[1], 16)), value)
    text = _SPACES.sub(" ", _CONTROL.sub(" ", _INVISIBLE.sub("", value))).strip()
    return text if text and len(text) <= cap else None


def _ld_text(value: Any) -> str | None:
    """A JSON-LD string: some pages put HTML tags and entities in them."""
    if not isinstance(value, str):
        return None
    return unescape(_TAGS.sub(" ", value)) if "<" in value or "&" in value else value


def _name(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("name") or value.get("legalName")
    return _text(_ld_text(value), MAX_NAME)


def _key(text: str | None) -> str:
    """What two titles are compared by: letters and digits, case folded."""
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", text).casefold()) if text else ""


def _is_web(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and len(url) <= MAX_URL


def _hosts(url: str | None) -> tuple[str, ...]:
    """What a site name suffix may spell of the page's host: `www.theverge.com` → `theverge.com`, `theverge`."""
    host = (urlsplit(url).hostname or "").removeprefix("www.") if url else ""
    labels = host.split(".")
    while len(labels) > 1 and len(labels[-1]) <= 3:  # com, co.uk, or.kr
        labels.pop()
    return (host, labels[-1]) if host else ()


def _day(value: str | None) -> date | None:
    """The day after a crawl date (slack for time zones): no page is published later."""
    if not isinstance(value, str) or not (m := _ISO.match(value.strip())):
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3])) + timedelta(days=1)
    except ValueError:
        return None


def _iso(value: Any, limit: date | None = None) -> str | None:
    """A date the page declares, as ISO 8601: `2026-01-03`, or `2026-01-03T14:05:00` with the offset the page
    gives (`+09:00`, `Z` as `+00:00`). Out-of-range parts (2026-13-45, 25:00) and years outside the web's are
    refused; nothing is guessed from free text."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    value = value.strip()
    if m := _ISO.fullmatch(value):
        clock = (int(m[4]), int(m[5]), int(m[6] or 0)) if m[4] else None
        return _valid(int(m[1]), int(m[2]), int(m[3]), clock, m[7], limit)
    if (m := _DOTTED.fullmatch(value)) or (m := _COMPACT.fullmatch(value)):
        clock = (int(m[4]), int(m[5]), int(m[6] or 0)) if m[4] else None
        return _valid(int(m[1]), int(m[2]), int(m[3]), clock, None, limit)
    if _RFC2822.match(value):
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        offset = when.strftime("%z") if when.tzinfo else None
        clock = (when.hour, when.minute, when.second)
        return _valid(when.year, when.month, when.day, clock, offset, limit)
    return None


def _valid(
    year: int,
    month: int,
    day: int,
    clock: tuple[int, int, int] | None = None,
    offset: str | None = None,
    limit: date | None = None,
) -> str | None:
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        return None
    try:
        when = datetime(year, month, day, *(clock or (0, 0, 0)))
    except ValueError:  # month 13, day 45, hour 25
        return None
    if limit is not None and when.date() > limit:
        return None
    if clock is None:
        return when.date().isoformat()
    text = when.isoformat()
    if offset is None:
        return text
    if offset in ("Z", "+0000", "-0000"):
        return text + "+00:00"
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 14 or minutes > 59:
        return None
    return f"{text}{offset[0]}{hours:02d}:{minutes:02d}"
