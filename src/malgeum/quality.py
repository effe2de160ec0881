"""The figures behind the Gopher, FineWeb and C4 document filters, and the decision made from them.

Each filter turns a text into named figures (`*_figures`) and lists its checks in the order the published
implementation applies them (`*_checks`); the first check that fails names the reason. Figures follow
HuggingFace datatrove's definitions, so that a threshold published for datatrove means the same here.
Keeping figures and checks apart lets a step store the figures and re-decide later without recomputing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import regex

# a word made only of these is a symbol, not a word (datatrove's PUNCTUATION_SET, by Unicode class)
_HAS_NON_SYMBOL = regex.compile(r"[^\p{P}\p{S}\p{C}\p{Z}]")
_HAS_ALPHA = re.compile(r"[^\W\d_]")
# datatrove's TERMINAL_PUNCTUATION is Unicode's Sentence_Terminal and three Khmer signs
_TERMINAL = r"[\p{Sentence_Terminal}\u17d6\u17d9\u17da]"
_ENDS_TERMINAL = regex.compile(_TERMINAL + r"$", regex.MULTILINE)
_PARAGRAPHS = re.compile(r"\n{2,}")
_LINES = re.compile(r"\n+")


@dataclass(frozen=True)
class Check:
    """`figure` must be at least (`min`) or at most (`max`) `limit`; failing it gives `reason`."""

    reason: str
    figure: str
    bound: str  # "min" | "max"
    limit: float
    what: str  # how the reason reads: "{value} ... {limit}"

    def fails(self, figures: dict[str, Any], slack: float | dict[str, float] = 0.0) -> bool:
        """Slack > 0 makes the check stricter by that fraction of the limit, < 0 more lenient; a mapping
        gives the slack per figure (`default` for the rest)."""
        if isinstance(slack, dict):
            slack = slack.get(self.figure, slack.get("default", 0.0))
        value = figures.get(self.figure)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return False
        if self.bound == "min":
            return value < self.limit * (1 + slack)
        return value > self.limit * (1 - slack)

    def explain(self, figures: dict[str, Any]) -> str:
        v = figures[self.figure]
        shown = f"{v:.3g}" if isinstance(v, float) else str(v)
        return self.what.format(value=shown, limit=f"{self.limit:g}")


def verdict(checks: Sequence[Check], figures: dict[str, Any], slack: float | dict[str, float] = 0.0) -> Check | None:
    return next((c for c in checks if c.fails(figures, slack)), None)


def _limits(params: dict[str, Any], *specs: tuple[str, str, str, str, str]) -> list[Check]:
    """Checks whose limit is set (0 or null disables one, as in datatrove)."""
    out = []
    for reason, figure, bound, key, what in specs:
        limit = params.get(key)
        if limit:
            out.append(Check(reason, figure, bound, float(limit), what))
    return out


# -- Gopher quality --------------------------------------------------------------------------------------


def gopher_quality_figures(text: str, words: Sequence[str], stop_words: frozenset[str]) -> dict[str, Any]:
    n = len(words)
    content = [w for w in words if _HAS_NON_SYMBOL.search(w)]
    lines = text.splitlines() or [""]
    return {
        "words": len(content),
        "avg_word_length": sum(map(len, content)) / len(content) if content else float("nan"),
        "hash_ratio": text.count("#") / n if n else 0.0,
        "ellipsis_ratio": (text.count("...") + text.count("…")) / n if n else 0.0,
        "bullet_lines_ratio": sum(s.lstrip().startswith(("•", "-")) for s in lines) / len(lines),
        "end_ellipsis_lines_ratio": sum(s.rstrip().endswith(("...", "…")) for s in lines) / len(lines),
        "alpha_words_ratio": sum(1 for w in words if _HAS_ALPHA.search(w)) / n if n else 0.0,
        "stop_words": len(stop_words.intersection(words)),
    }


def gopher_quality_checks(p: dict[str, Any]) -> list[Check]:
    return _limits(
        p,
        ("short_doc", "words", "min", "min_doc_words", "{value} words, fewer than {limit}"),
        ("long_doc", "words", "max", "max_doc_words", "{value} words, more than {limit}"),
        (
            "below_avg_word_length",
            "avg_word_length",
            "min",
            "min_avg_word_length",
            "mean word length {value} < {limit}",
        ),
        (
            "above_avg_word_length",
            "avg_word_length",
            "max",
            "max_avg_word_length",
            "mean word length {value} > {limit}",
        ),
        ("too_many_hashes", "hash_ratio", "max", "max_symbol_word_ratio", "{value} '#' per word > {limit}"),
        ("too_many_ellipsis", "ellipsis_ratio", "max", "max_symbol_word_ratio", "{value} ellipses per word > {limit}"),
        (
            "too_many_bullets",
            "bullet_lines_ratio",
            "max",
            "max_bullet_lines_ratio",
            "{value} of lines are bullets > {limit}",
        ),
        (
            "too_many_end_ellipsis",
            "end_ellipsis_lines_ratio",
            "max",
            "max_ellipsis_lines_ratio",
            "{value} of lines end in an ellipsis > {limit}",
        ),
        (
            "below_alpha_threshold",
            "alpha_words_ratio",
            "min",
            "max_non_alpha_words_ratio",
            "{value} of words have a letter < {limit}",
        ),
        (
            "too_few_stop_words",
            "stop_words",
            "min",
            "min_stop_words",
            "{value} distinct stop words, fewer than {limit}",
        ),
    )


# -- Gopher repetition -----------------------------------------------------------------------------------


def _duplicates(items: list[str]) -> tuple[int, int]:
    """(duplicate items, their characters): every occurrence after the first counts."""
    seen: set[str] = set()
    n = chars = 0
    for x in items:
        if x in seen:
            n += 1
            chars += len(x)
        else:
            seen.add(x)
    return n, chars


_MULT = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
                  0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, 0x94D049BB133111EB, 0xBF58476D1CE4E5B9,
                  0x2545F4914F6CDD1D, 0x9FB21C651E98DF25], dtype=np.uint64)  # fmt: skip


def _ngram_keys(ids: np.ndarray, n: int) -> np.ndarray:
    """A 64-bit key per n-gram of word ids (collisions: about one in 2^64 per pair)."""
    m = len(ids) - n + 1
    key = np.zeros(m, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(n):
            key = (key ^ (ids[j : j + m] * _MULT[j])) * np.uint64(0x100000001B3)
    return key


def _greedy_duplicate_chars(keys: np.ndarray, gram_chars: np.ndarray, n: int) -> int:
    """Characters of n-grams seen before, skipping past each repeat (datatrove's find_all_duplicate)."""
    if len(np.unique(keys)) == len(keys):
        return 0
    seen: set[int] = set()
    total = idx = 0
    m = len(keys)
    k = keys.tolist()
    while idx < m:
        if k[idx] in seen:
            total += int(gram_chars[idx])
            idx += n
        else:
            seen.add(k[idx])
            idx += 1
    return total


def gopher_repetition_figures(
    text: str, words: Sequence[str], top_n: Sequence[int], dup_n: Sequence[int]
) -> dict[str, Any]:
    size = len(text) or 1
    paragraphs = _PARAGRAPHS.split(text.strip())
    para_dups, para_chars = _duplicates(paragraphs)
    lines = _LINES.split(text)
    line_dups, line_chars = _duplicates(lines)
    figures: dict[str, Any] = {
        "dup_para_frac": para_dups / len(paragraphs),
        "dup_para_char_frac": para_chars / size,
        "dup_line_frac": line_dups / len(lines),
        "dup_line_char_frac": line_chars / size,
    }
    vocab: dict[str, int] = {}
    ids = np.fromiter((vocab.setdefault(w, len(vocab)) for w in words), dtype=np.uint64, count=len(words))
    cum = np.concatenate(([0], np.cumsum(np.fromiter(map(len, words), dtype=np.int64, count=len(words)))))
    for n in top_n:
        if len(words) < n:
            figures[f"top_{n}_gram_char_frac"] = 0.0
            continue
        keys = _ngram_keys(ids, n)
        _, first, counts = np.unique(keys, return_index=True, return_counts=True)
        best = counts.max()
        i = int(first[counts == best].min())  # the first n-gram seen among the most frequent, as Counter does
        figures[f"top_{n}_gram_char_frac"] = float((cum[i + n] - cum[i] + n - 1) * best) / size
    for n in dup_n:
        if len(words) < n:
            figures[f"dup_{n}_gram_char_frac"] = 0.0
            continue
        gram_chars = cum[n:] - cum[:-n]
        figures[f"dup_{n}_gram_char_frac"] = _greedy_duplicate_chars(_ngram_keys(ids, n), gram_chars, n) / size
    return figures


def gopher_repetition_checks(p: dict[str, Any]) -> list[Check]:
    checks = _limits(
        p,
        ("dup_para_frac", "dup_para_frac", "max", "dup_para_frac", "{value} of paragraphs are repeats > {limit}"),
        (
            "dup_para_char_frac",
            "dup_para_char_frac",
            "max",
            "dup_para_char_frac",
            "{value} of text in repeated paragraphs > {limit}",
        ),
        ("dup_line_frac", "dup_line_frac", "max", "dup_line_frac", "{value} of lines are repeats > {limit}"),
        (
            "dup_line_char_frac",
            "dup_line_char_frac",
            "max",
            "dup_line_char_frac",
            "{value} of text in repeated lines > {limit}",
        ),
    )
    for n, limit in sorted((p.get("top_n_grams") or {}).items()):
        if limit:
            f = f"top_{n}_gram_char_frac"
            what = f"the top {n}-gram covers {{value}} > {{limit}}"
            checks.append(Check(f"top_{n}_gram", f, "max", float(limit), what))
    for n, limit in sorted((p.get("dup_n_grams") or {}).items()):
        if limit:
            f = f"dup_{n}_gram_char_frac"
            what = f"repeated {n}-grams cover {{value}} > {{limit}}"
            checks.append(Check(f"duplicated_{n}_grams", f, "max", float(limit), what))
    return checks


# -- FineWeb quality -------------------------------------------------------------------------------------


def fineweb_quality_figures(text: str, words: Sequence[str], short_line_length: int) -> dict[str, Any]:
    lines = [s for s in text.split("\n") if s.strip()]
    if not lines:
        return {"lines": 0}
    body = len(text) - text.count("\n")
    return {
        "lines": len(lines),
        "line_punct_ratio": len(_ENDS_TERMINAL.findall("\n".join(lines))) / len(lines),
        "short_line_ratio": sum(1 for s in lines if len(s) <= short_line_length) / len(lines),
        "char_dup_ratio": _duplicates(lines)[1] / body if body else 0.0,
        "list_ratio": text.count("\n") / len(words) if words else float("inf"),
    }


def fineweb_quality_checks(p: dict[str, Any]) -> list[Check]:
    checks = [Check("empty", "lines", "min", 1, "no text")]
    if p.get("line_punct_thr"):
        checks.append(
            Check(
                "line_punct_ratio",
                "line_punct_ratio",
                "min",
                float(p["line_punct_thr"]),
                "{value} of lines end a sentence < {limit}",
            )
        )
    return checks + _limits(
        p,
        ("short_line_ratio", "short_line_ratio", "max", "short_line_thr", "{value} of lines are short > {limit}"),
        (
            "char_dup_ratio",
            "char_dup_ratio",
            "max",
            "char_duplicates_ratio",
            "{value} of text in repeated lines > {limit}",
        ),
        ("list_ratio", "list_ratio", "max", "new_line_ratio", "{value} line breaks per word > {limit}"),
    )


FIGURES: dict[str, Callable[..., dict[str, Any]]] = {
    "gopher_quality": gopher_quality_figures,
    "gopher_repetition": gopher_repetition_figures,
    "fineweb_quality": fineweb_quality_figures,
}
CHECKS: dict[str, Callable[[dict[str, Any]], list[Check]]] = {
    "gopher_quality": gopher_quality_checks,
    "gopher_repetition": gopher_repetition_checks,
    "fineweb_quality": fineweb_quality_checks,
}
