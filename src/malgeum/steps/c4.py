"""C4's line and page rules (Raffel et al. 2020), as line cuts with recorded edits."""

from __future__ import annotations

import re
from typing import Any

from malgeum import words
from malgeum.document import Cut, Document
from malgeum.lines import line_bounds, non_overlapping, whole_line
from malgeum.quality import Check
from malgeum.steps.judge import DocumentFilter

_CITATION = re.compile(r"\[\d*]|\[edit]|\[citation needed]")
_WHY = {
    "too_long_word": "a word longer than {limit} characters",
    "no_terminal_punct": "does not end a sentence",
    "too_few_words": "fewer than {limit} words",
    "javascript": "mentions JavaScript",
    "policy": "a cookie or terms-of-use notice",
}


class C4Lines(DocumentFilter):
    """Cuts lines that do not end a sentence, have fewer than 3 words, a word over 1000 characters, mention
    JavaScript or a cookie/terms notice, and wiki citation marks; drops pages with "lorem ipsum", a curly
    bracket, or fewer than 5 sentences left. Phrases and limits per language in quality.yaml (`c4`)."""

    kind = "c4"

    def judge(self, doc: Document, s: dict[str, Any]) -> tuple[dict[str, Any], Check | None, str]:
        p = s["params"]
        text = doc.text
        split = words.en_words if s["words"] == "en" else words.ko_words if s["words"] == "kiwi" else str.split
        ends = tuple(p.get("end_punctuation") or (".", "?", "!", '"', "'"))
        max_word = int(p.get("max_word_length") or -1)
        min_words = int(p.get("min_words_per_line") or -1)
        lorem = [x.lower() for x in p.get("lorem_ipsum") or ()]
        script = [x.lower() for x in p.get("javascript") or ()]
        policy = [x.lower() for x in p.get("policy") or ()]
        cuts: list[Cut] = []
        sentences = 0
        page: str | None = None
        for start, end in line_bounds(text):
            raw = text[start:end]
            line = raw.strip()
            tokens = line.split()
            why = None
            if max_word > 0 and any(len(w) > max_word for w in tokens):
                why = "too_long_word"
            else:
                citations = list(_CITATION.finditer(raw))
                line = _CITATION.sub("", line)
                low = line.lower()
                if not line.endswith(ends) or line.endswith("..."):
                    why = "no_terminal_punct"
                elif len(tokens) < min_words:
                    why = "too_few_words"
                elif any(x in low for x in lorem):
                    page = "lorem_ipsum"
                    break
                elif any(x in low for x in script):
                    why = "javascript"
                elif "{" in line:
                    page = "curly_bracket"
                    break
                elif any(x in low for x in policy):
                    why = "policy"
            if why:
                reason = _WHY[why].format(limit=max_word if why == "too_long_word" else min_words)
                cuts.append(Cut(*whole_line(text, start, end), f"c4.{why}", reason))
                continue
            cuts.extend(
                Cut(start + m.start(), start + m.end(), "c4.citation", "a wiki citation mark") for m in citations
            )
            sentences += words.count_sentences(split(line))
        figures: dict[str, Any] = {
            "lines_cut": sum(c.rule != "c4.citation" for c in cuts),
            "chars_cut": sum(c.end - c.start for c in cuts),
            "sentences": sentences,
        }
        failed: Check | None = None
        if page:
            figures["page_rule"] = page
            failed = Check(page, "page_rule", "max", 0, "lorem ipsum" if page == "lorem_ipsum" else "a curly bracket")
        elif int(p.get("min_num_sentences") or -1) > 0 and sentences < int(p["min_num_sentences"]):
            failed = Check(
                "too_few_sentences",
                "sentences",
                "min",
                float(p["min_num_sentences"]),
                "{value} sentences in lines kept, fewer than {limit}",
            )
        if failed is None and cuts and self.mode == "filter":
            doc.apply_cuts(self.name, non_overlapping(cuts))
        return figures, failed, s["words"]
