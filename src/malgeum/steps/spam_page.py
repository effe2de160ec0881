"""Judge a page whole: is its purpose gambling, adult or loan promotion?

A fluent SEO article about 토토사이트 추천, a casino lobby or a 먹튀 verification site has no stuffed line for
the `spam` step to find, yet every paragraph of it promotes. What gives it away is the density, over the page,
of two kinds of signal: terms of its topic and calls to act (sign up, deposit, enter a code, message a handle,
follow the new address), plus the words of its address when the document has one (`meta.url`). News and
comments that talk about gambling, loans or sex name the topic but seldom call to act, and when they do they
read like reporting (institutions, legal terms, "밝혔다"), which promotion does not: reporting marks abstain.

The signals are data, per language (`langpacks/<lang>/spam_page.yaml`), and a pack judges only pages mainly written in
its script, counting on the lines written in it (`malgeum.scripts`): a Korean page quoting an English casino
advert is judged by the Korean pack, on its Korean lines. The step scores first
(`doc.scores["spam_page"]`, so `meta.malgeum.scores`) and decides second: `mode: filter` drops the page,
`mode: tag` keeps every document with its figures, so that thresholds can be retuned without a rerun.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from malgeum import langpacks
from malgeum.document import Document
from malgeum.prefilter import Scanner
from malgeum.quality import Check, verdict
from malgeum.scripts import LineScripts
from malgeum.step import Step
from malgeum.steps.judge import MODES


@dataclass
class _Signals:
    script: str | None  # the pages and lines it reads; None: every one
    topics: dict[str, re.Pattern[str]]
    calls: re.Pattern[str]
    reporting: re.Pattern[str] | None
    url_words: re.Pattern[str] | None
    url_weight: float
    call_words: dict[str, str]
    checks: list[Check]

    def __post_init__(self) -> None:
        # the topics found in one scan of the page (see malgeum.prefilter), then, on the few pages that name one,
        # the calls and the reporting marks in another
        self._topics = Scanner(list(self.topics.values()))
        self._rest = Scanner([self.calls, *([self.reporting] if self.reporting else [])])

    @classmethod
    def load(cls, lang: str, overrides: dict[str, Any]) -> _Signals | None:
        data = {**langpacks.load(lang, "spam_page"), **overrides}
        if not data.get("topics") or not data.get("calls"):
            return None
        rep, url = data.get("reporting"), data.get("url_words")
        # the page is promotion when no check fails; the first that fails says why it is not
        checks = [
            Check("short", "chars", "min", float(data.get("min_chars", 0)), "{value} characters"),
            Check("few_terms", "terms", "min", float(data["min_terms"]), "{value} topic terms"),
            Check("few_calls", "calls", "min", float(data["min_calls"]), "{value} calls"),
            Check("sparse", "density", "min", float(data["min_density"]), "{value} signals per 1,000 characters"),
        ]
        if rep:
            checks.append(
                Check("reporting", "reporting_share", "max", float(data["max_reporting"]), "{value} reporting")
            )
        return cls(
            langpacks.script(lang),
            # one pattern per topic: an alternation whose branches all start with a fixed character lets Python's
            # re skip, in C, every position where none starts (named groups around them turn that off: 15x slower)
            {t: re.compile(rx) for t, rx in data["topics"].items()},
            re.compile(data["calls"]),
            re.compile(rep) if rep else None,
            re.compile(url) if url else None,
            float(data.get("url_weight", 1)),
            dict(data.get("call_words") or {}),
            checks,
        )

    def figures(self, text: str, url: str | None, scripts: LineScripts) -> dict[str, Any] | None:
        """The page's figures, or None when it names no topic at all (the common case, kept cheap)."""
        if self.script is not None and scripts.main() != self.script:
            return None  # a page is judged in its own language

        def count(found: Iterable[re.Match[str]]) -> int:
            return sum(1 for m in found if scripts.fits(m.start(), self.script))

        topics = zip(self.topics, self._topics.finditer(text), strict=True)
        per_topic = {t: n for t, found in topics if (n := count(found))}
        if not per_topic:
            return None
        found = iter(self._rest.finditer(text))
        topic, terms = max(per_topic.items(), key=lambda kv: kv[1])
        calls = count(next(found))
        url_hits = len(self.url_words.findall(url)) if url and self.url_words else 0
        reporting = count(next(found)) if self.reporting else 0
        chars = len(text)
        signals = terms + calls + self.url_weight * url_hits
        return {
            "topic": topic,
            "terms": terms,
            "terms_by_topic": per_topic,
            "calls": calls,
            "url_words": url_hits,
            "reporting": reporting,
            "chars": chars,
            "density": round(1000 * signals / chars, 2) if chars else 0.0,
            "reporting_share": round(reporting / (terms + calls), 3),
        }

    def reason(self, f: dict[str, Any]) -> str:
        calls = self.call_words.get(f["topic"], "calls to act")
        url = f", {f['url_words']} {f['topic']} words in its address" if f["url_words"] else ""
        return f"{f['terms']} {f['topic']} terms and {f['calls']} {calls} in {f['chars']:,} characters{url}"


class JudgeSpamPage(Step):
    """Drop a page whose purpose is gambling, adult or loan promotion, from the density of topic terms and calls
    to act over the whole page (and its address); reporting about such things abstains."""

    kind = "spam_page"

    def __init__(
        self,
        langs: Sequence[str] = ("ko", "en"),
        mode: str = "filter",
        thresholds: dict[str, dict[str, Any]] | None = None,
        url_field: str = "url",
        name: str | None = None,
    ) -> None:
        super().__init__(name)
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        self.mode = mode
        self.url_field = url_field
        # {lang or "*": {key: value}} laid over the language pack's values
        over = thresholds or {}
        packs = {lang: _Signals.load(lang, {**over.get("*", {}), **over.get(lang, {})}) for lang in langs}
        self._packs = {lang: s for lang, s in packs.items() if s is not None}

    def apply(self, doc: Document) -> None:
        url = doc.meta.get(self.url_field)
        url = url if isinstance(url, str) else None
        # each pack reads the page in its own language; the one that finds the most topic terms judges it
        best: tuple[str, _Signals, dict[str, Any]] | None = None
        scripts = LineScripts(doc.text)
        for lang, signals in self._packs.items():
            f = signals.figures(doc.text, url, scripts)
            if f is not None and (best is None or f["terms"] > best[2]["terms"]):
                best = (lang, signals, f)
        if best is None:
            return
        lang, signals, figures = best
        failed = verdict(signals.checks, figures)
        # the verdict, or the first check the page passes as not promotion (why it was kept)
        doc.scores[self.name] = {"lang": lang, **figures, "verdict": failed.reason if failed else "page"}
        if failed is None and self.mode == "filter":
            doc.drop(self.name, "spam.page", f"{signals.reason(figures)} ({lang})")
