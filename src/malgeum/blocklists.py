"""URL and domain block lists: loading them (UT1's folder layout, plain files) and looking a URL up in them.

UT1's layout (the Université Toulouse 1 blacklists, also read by squidGuard): a folder with one sub-folder per
category (`adult/`, `gambling/`, ...), each holding a `domains` file, a `urls` file or both, one entry a line,
`#` comments. A plain file is one kind of entry: `domains` (also the hosts-file form `0.0.0.0 example.com`),
`urls`, `substrings` or `patterns` (regular expressions).

Matching, as the lists mean it:
- a domain entry `example.com` blocks example.com and every host under it (`a.b.example.com`), not
  `badexample.com`; `www.` is ignored on both sides, case too; hosts and entries are compared in their ASCII
  (punycode) form, so `한국.kr` and `xn--3e0b707e.kr` are one entry; ports, user names and the scheme are
  ignored; an IP address matches only itself;
- a URL entry `example.com/path` blocks the URLs that start with it once both are written without scheme,
  `www.`, port or user name (hosts under example.com included, as for a domain entry);
- a substring entry blocks a URL (so written) that contains it; a pattern entry one that it matches (`search`).

Lookups cost what the URL has, not what the lists hold: a host of k labels is k dictionary lookups of its
suffixes; its URL entries are a list keyed by host, scanned; substrings and patterns are one regex each
(bounded by `MAX_PATTERNS`). bench/url_filter.py measures loading and lookups on 2.2 million entries.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

KINDS = ("domains", "urls", "substrings", "patterns")
MAX_PATTERNS = 20_000  # substrings or patterns per list: one alternation regex; longer lists belong in domains/urls
# a line that is an ordinary ASCII domain already: most of a list, taken as it is, in C (no per-line Python)
_UNUSUAL = re.compile(r"^(?:www\.|\.|\*)[^\n]*$|^[a-z0-9.\-]*[^a-z0-9.\-\n][^\n]*$|^[^\n]*\.$", re.M)
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_HOSTS_FILE = ("0.0.0.0", "127.0.0.1", "::", "::1")


@dataclass(frozen=True)
class Hit:
    list: str
    category: str
    entry: str
    kind: str  # which kind of entry matched: domains, urls, substrings, patterns, pack


def ascii_host(host: str) -> str:
    """A host in lowercase ASCII: punycode for the labels that are not ASCII (IDNA 2003, as browsers map
    full-width dots and case), without a trailing dot or a leading `www.`."""
    host = host.strip().rstrip(".").lower()
    if not host.isascii():
        with contextlib.suppress(UnicodeError):  # a label IDNA refuses (too long, empty): compared as written
            host = host.encode("idna").decode("ascii")
    return host.removeprefix("www.")


def unicode_host(host: str) -> str:
    """The host as its owner writes it (punycode labels decoded), for words a language pack knows."""
    if "xn--" not in host:
        return host
    try:
        return host.encode("ascii").decode("idna")
    except UnicodeError:
        return host


def split_url(url: str) -> tuple[str, str] | None:
    """(host in ASCII, the rest: path, query and fragment) of a URL with or without scheme; None when it has
    no host."""
    u = url.strip()
    if (i := u.find("://", 0, 24)) >= 0:
        u = u[i + 3 :]
    elif u.startswith("//"):
        u = u[2:]
    end = len(u)
    for sep in "/?#":
        j = u.find(sep)
        if 0 <= j < end:
            end = j
    authority, rest = u[:end], u[end:]
    authority = authority.rpartition("@")[2]  # user:password@host
    if authority.startswith("["):  # [IPv6]:port
        host = authority[1 : authority.find("]")] if "]" in authority else authority[1:]
    else:
        host = authority.partition(":")[0]
    host = ascii_host(host)
    return (host, rest) if host else None


def normal_url(url: str) -> str | None:
    """A URL as the lists are matched against it: host in ASCII without `www.`, then the rest, lowercase."""
    parts = split_url(url)
    return parts[0] + parts[1].lower() if parts else None


def host_suffixes(host: str) -> Iterable[str]:
    """The host and each host above it (`a.b.c`, `b.c`, `c`); an IP address only itself."""
    if _IPV4.fullmatch(host) or ":" in host:
        yield host
        return
    while True:
        yield host
        i = host.find(".")
        if i < 0:
            return
        host = host[i + 1 :]


def _text(path: Path) -> str:
    text = path.read_bytes().decode("utf-8", "replace").lower()
    return text.replace("\r", "") if "\r" in text else text


def _domain_entry(line: str) -> str | None:
    """A line of a domains file as an entry, or None for a blank line or a comment."""
    line = line.partition("#")[0].strip()
    if not line:
        return None
    fields = line.split()
    if len(fields) >= 2 and fields[0] in _HOSTS_FILE:  # hosts-file form: 0.0.0.0 example.com
        line = fields[1]
    elif len(fields) > 1:
        return None  # not a domain (a sentence, a list in another format)
    if "/" in line or ":" in line:
        parts = split_url(line)
        return parts[0] if parts else None
    return ascii_host(line.lstrip("*").lstrip(".")) or None


@dataclass
class BlockLists:
    """Every list loaded, ready for `match`. Categories are numbered: a host suffix maps to the small number
    of its (list, category), so two million entries cost a dictionary of strings to ints."""

    categories: list[tuple[str, str]] = field(default_factory=list)
    domains: dict[str, int] = field(default_factory=dict)
    urls: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # host -> (rest of the URL, category)
    # (list, category, regex, entries): substrings (entries: the literal texts) and patterns (the regexes)
    searches: list[tuple[int, str, re.Pattern[str], list[str]]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # "list.category" -> entries loaded

    def _category(self, name: str, category: str) -> int:
        key = (name, category)
        if key not in self.categories:
            self.categories.append(key)
        return self.categories.index(key)

    def add_domains(self, name: str, category: str, text: str) -> None:
        """Domain entries, one a line of `text` (lowercase); an entry already in an earlier list or category
        keeps that one (the first wins)."""
        cat = self._category(name, category)
        unusual = set(_UNUSUAL.findall(text))
        fresh = dict.fromkeys(text.split("\n"), cat)  # in C: the bulk of a list is ordinary domains
        for line in unusual:
            del fresh[line]
        for line in unusual:
            if (entry := _domain_entry(line)) is not None:
                fresh.setdefault(entry, cat)
        fresh.pop("", None)
        n = len(fresh)
        if not self.domains:
            self.domains = fresh
        else:  # the earlier lists' categories win; only the new entries are inserted, in C
            self.domains.update(dict.fromkeys(fresh.keys() - self.domains.keys(), cat))
        self.counts[f"{name}.{category}"] = self.counts.get(f"{name}.{category}", 0) + n

    def add_urls(self, name: str, category: str, text: str) -> None:
        cat = self._category(name, category)
        n = 0
        for line in text.split("\n"):
            line = line.partition("#")[0].strip() if "#" in line and line.lstrip().startswith("#") else line.strip()
            if not line or (parts := split_url(line)) is None:
                continue
            host, rest = parts
            if not rest.strip("/"):  # a bare host in a urls file: a domain entry
                self.domains.setdefault(host, cat)
            else:
                self.urls.setdefault(host, []).append((rest, cat))
            n += 1
        self.counts[f"{name}.{category}"] = self.counts.get(f"{name}.{category}", 0) + n

    def add_search(self, name: str, category: str, kind: str, lines: list[str], origin: str) -> None:
        entries = [e for e in (line.strip() for line in lines) if e and not e.startswith("#")]
        if len(entries) > MAX_PATTERNS:
            raise ValueError(
                f"{origin}: {len(entries):,} {kind}, more than {MAX_PATTERNS:,}: list domains or URLs instead, "
                "which are looked up, not scanned"
            )
        if not entries:
            return
        if kind == "patterns":
            for n, p in enumerate(entries, 1):
                try:
                    re.compile(p)
                except re.error as e:
                    raise ValueError(f"{origin}: pattern {n} {p!r} is not a regular expression: {e}") from e
            joined = "|".join(f"(?:{p})" for p in entries)
        else:
            entries = [e.lower() for e in entries]
            joined = "|".join(map(re.escape, sorted(set(entries), key=len, reverse=True)))
        self.searches.append((self._category(name, category), kind, re.compile(joined), entries))
        self.counts[f"{name}.{category}"] = self.counts.get(f"{name}.{category}", 0) + len(entries)

    def match(self, url: str) -> Hit | None:
        """The first list entry that blocks `url`: domains, then URL prefixes, then substrings and patterns."""
        parts = split_url(url)
        if parts is None:
            return None
        host, rest = parts
        domains, urls = self.domains, self.urls
        for suffix in host_suffixes(host):
            cat = domains.get(suffix)
            if cat is not None and (suffix is host or not _IPV4.fullmatch(suffix)):  # an address is only itself
                return self._hit(cat, suffix, "domains")
        if urls:
            low = rest.lower()
            for suffix in host_suffixes(host):
                for prefix, cat in urls.get(suffix, ()):
                    if low.startswith(prefix):
                        return self._hit(cat, suffix + prefix, "urls")
        if self.searches:
            whole = host + rest.lower()
            for cat, kind, rx, entries in self.searches:
                m = rx.search(whole) if kind == "substrings" else rx.search(host + rest)
                if m is not None:
                    entry = m.group(0) if kind == "substrings" else _which(entries, host + rest)
                    return self._hit(cat, entry, kind)
        return None

    def _hit(self, cat: int, entry: str, kind: str) -> Hit:
        name, category = self.categories[cat]
        return Hit(name, category, entry, kind)


def _which(patterns: list[str], url: str) -> str:
    """The first pattern that matches (only asked once the joined regex did)."""
    return next((p for p in patterns if re.search(p, url)), patterns[0])


def parse_spec(name: str, spec: str) -> tuple[str, Path]:
    """`KIND:PATH` or `PATH` (a folder: UT1 layout; a file: domains) as (kind, path)."""
    kind, sep, rest = spec.partition(":")
    if sep and kind in KINDS:
        return kind, Path(rest)
    path = Path(spec)
    return ("ut1" if path.is_dir() else "domains"), path


def load(lists: dict[str, str], categories: list[str] | None = None) -> BlockLists:
    """Every list of `lists` (its name -> `KIND:PATH` or a path), in the order given; of UT1 folders only
    the `categories` named, when some are."""
    out = BlockLists()
    for name, spec in lists.items():
        if not re.fullmatch(r"[A-Za-z0-9_\-]+", name):
            raise ValueError(f"block list name {name!r}: letters, digits, - and _ only (it is part of a rule id)")
        kind, path = parse_spec(name, spec)
        if not path.exists():
            raise ValueError(f"block list {name}: no file or folder {str(path)!r}")
        if kind == "ut1":
            _load_ut1(out, name, path, categories)
        elif kind == "domains":
            out.add_domains(name, kind, _text(path))
        elif kind == "urls":
            out.add_urls(name, kind, _text(path))
        else:
            out.add_search(name, kind, kind, path.read_text("utf-8", "replace").splitlines(), f"{name} ({path})")
    return out


def _load_ut1(out: BlockLists, name: str, root: Path, categories: list[str] | None) -> None:
    folders = sorted(p for p in root.iterdir() if p.is_dir() and ((p / "domains").is_file() or (p / "urls").is_file()))
    if not folders:
        raise ValueError(f"block list {name}: {root} has no category folder holding a domains or urls file (UT1)")
    wanted = set(categories) if categories else None
    if wanted and (unknown := wanted - {p.name for p in folders}):
        raise ValueError(
            f"block list {name}: no category {', '.join(sorted(unknown))} in {root}; "
            f"it has {', '.join(p.name for p in folders)}"
        )
    seen: set[Path] = set()
    for folder in folders:
        if wanted is not None and folder.name not in wanted:
            continue
        real = folder.resolve()
        if real in seen:  # UT1 links some categories to others (ads -> publicite): loaded once
            continue
        seen.add(real)
        if (folder / "domains").is_file():
            out.add_domains(name, folder.name, _text(folder / "domains"))
        if (folder / "urls").is_file():
            out.add_urls(name, folder.name, _text(folder / "urls"))
