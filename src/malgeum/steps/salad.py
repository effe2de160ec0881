"""Cut word salad: blocks of lines that are not sentences and whose words read no better in their order than
shuffled."""

from __future__ import annotations

import itertools
import math
import re
from importlib import resources
from pathlib import Path

from malgeum.document import Cut, Document
from malgeum.fluency import CharLM, OrderGain
from malgeum.lines import line_bounds, non_overlapping, whole_line
from malgeum.step import Step

_HANGUL = re.compile(r"[가-힣]")
# A piece of a line ends like a written Korean sentence: a final syllable of a sentence ending and a full stop,
# or a closing quote or bracket (quotations and asides end however they like).
# the spaces after a full stop; written from the first space back (not `(?<=[.?!…．？！])\s{1,40}`), so that
# Python's re skips to a space in C instead of trying every position (3x faster on news)
_PIECE_BREAK = re.compile(r"\s(?<=[.?!…．？！]\s)\s{0,39}")
# matched against a piece's last 12 characters only: a long run of brackets cannot make the scan quadratic
_SENTENCE_END = re.compile(r"(?:[다요죠까네군자냐][.?!…．？！]{1,6}|[.?!…．？！]{0,6}[\"'”’」』)\]]{1,6})\s{0,3}$")

# Headline and list punctuation (middle dots, ellipses, bullets, asides in brackets, percentages), numbers with
# units, speakers' quotations. Telegraphic sub-headlines, personnel lists and transcripts read as badly as salad
# to a character model, but they carry these; shuffled prose rarely does.
_HEADLINE_MARKS = re.compile(
    r"[·ㆍ…▲△◆◇■□▶▷●○※(%]|^\s{0,10}[-–—]"
    r"|\d[\d,.]{0,12}\s?(?:억|만|조|원|개사|개|명|건|곳|년|월|일)"  # counted things: news, not shuffled prose
    r"|^\s{0,10}[^\s“\"]{1,10}\s?[“\"]"  # a speaker and a quotation: a transcript line
)
# a spam keyword spelled out with dots (환·전·빠·른·곳) is not a headline's middle dot; headlines join up to three
# one-syllable words so (한·미, 노·사·정, 한·미·일)
_SPELLED_OUT = re.compile(r"(?<![^\s·ㆍ])(?:[^\s·ㆍ][·ㆍ]){3,12}[^\s·ㆍ](?![^\s·ㆍ])")


def _marked(line: str) -> bool:
    spelled_out_maybe = "·" in line or "ㆍ" in line
    return bool(_HEADLINE_MARKS.search(_SPELLED_OUT.sub("", line) if spelled_out_maybe else line))


# Spelled-out tokens (소 액 결 제, 바*카*라, J/A/C/K/P/O/T) and throwaway domains (ab12.xyz, cd34[.]com): the
# form of hidden spam, not its words, so no keyword list is involved
_DISGUISED = re.compile(
    r"(?<!\S)(?:[가-힣A-Za-z0-9] ){4,20}[가-힣A-Za-z0-9](?!\S)"
    r"|(?<!\S)(?:[가-힣A-Za-z0-9]{1,2}[*^_/♡♥★☆~-]){3,20}[가-힣A-Za-z0-9]{1,3}(?!\S)"
    r"|(?:[가-힣]\.){3,20}[가-힣]"
    r"|[A-Za-z]{2,12}\d{2,6}\s{0,2}(?:\.|\[\.\]|。|쩜)\s{0,2}(?:com|net|kr|co|xyz|top|org|io|me|pw)\b"
)

# The punctuation of reported text: commas, quotation marks, brackets. News lines carry them (0.34 commas, 0.68
# quotation marks, 0.39 brackets per line next to an injected block, non-gold Naver records); shuffled eojeol of
# prose hardly ever do (0.01, 0.01, 0.03): a sub-headline or caption next to a salad block keeps them
_NEWS_PUNCT = re.compile(r"[,，\"'“”‘’「」『』()\[\]<>〈〉《》]")
_NUMBER = re.compile(r"\d+")

# The marks of informal writing: jamo (ㅋㅋ, ㅎㅎ, ㅠㅠ, ㄷㄷ), emoticons (^^, ;;, :)), doubled ! and ?, a tilde or
# dots trailing a word (가자~~, 그런데..), a stop typed apart from the line's last word (좋다 .), emoji. Comments,
# chat and forum replies carry them (55% of the kocohub lines the step used to cut); shuffled prose does not (2%,
# and those from a disguised keyword, which is matched first). A jamo before a Latin letter is a disguise (ㅋr지노).
_INFORMAL = re.compile(
    r"[ㄱ-ㅎㅏ-ㅣ](?![A-Za-z])|\^\^|\^[_oㅇ]\^|;;|[:;]-?[)(D]|[!?]{2}|[가-힣]~|[가-힣]\.\.|[\U0001F300-\U0001FAFF]"
    r"| [.?!]\s{0,3}$"
)
# a full stop on its own (not one of an ellipsis' dots): shuffled prose carries its sentences' stops (81% of salad
# lines), while chat, lyrics and poems are written without them
_LONE_STOP = re.compile(r"(?<![.])[.．](?![.])")

BUNDLED_MODEL = "ko_fluency.npz"


def _mostly_hangul(line: str) -> bool:
    """At least half of the line's visible characters are Hangul syllables (spaces do not count: a salad line
    with a spaced-out keyword and a throwaway domain is still a Hangul line)."""
    return len(_HANGUL.findall(line)) * 2 >= len(line) - line.count(" ")


def _pieces(line: str) -> list[str]:
    return [p for p in _PIECE_BREAK.split(line.strip()) if p]


def sentence_like(line: str, pieces: list[str] | None = None) -> bool:
    """Every piece of the line ends like a sentence: 84% of news lines pass, 8% of salad lines (dev figures).
    (`pieces`: the line's, when already cut.)"""
    return all(_SENTENCE_END.search(p[-12:]) for p in (_pieces(line) if pieces is None else pieces))


# a line that ends with a full stop after a noun (`…날아가는 기러기 떼.`): a caption's or a list's telegraphic
# style; shuffled prose ends with a stop only where its last word ended a sentence (`…했다.`)
_NOUN_STOP = re.compile(r"[가-힣A-Za-z0-9)](?<![다요죠까네군자냐])\.\s{0,3}$")


def broken(line: str, plain: bool) -> bool:
    """A full stop inside a line that does not end like sentences (`plain`, from `sentence_like`: "걸었다. 바람
    노란"): shuffled prose carries the full stops of its words to random places (69% of salad lines, 11% of the news
    lines next to them)."""
    return not plain and bool(_PIECE_BREAK.search(line.strip()))


def fragments(line: str, pieces: list[str] | None = None) -> int:
    """Sentences of one or two words inside a longer line ("한다. 좋다."): shuffled prose scatters its full stops
    so (43% of salad lines, 1% of news lines, dev figures). A word and a stop that does not end like a sentence
    is a label, not a fragment (an essay's `충주. 방문을 잠그고 나왔다.`): the stops of shuffled prose follow
    sentence endings."""
    pieces = [p for p in (_pieces(line) if pieces is None else pieces) if _HANGUL.search(p)]
    if len(pieces) < 2:
        return 0
    return sum(len(p.split()) <= 2 and bool(_SENTENCE_END.search(p[-12:])) for p in pieces)


class CutWordSalad(Step):
    """Word salad is a block of lines made of real words in random order, with or without a spam keyword.

    Each line of at least `min_words` words, mostly Hangul, gets evidence for "salad" against "story":
    - per join between words, `weight` × (`midpoint` − gain), where gain is how much better the real word order
      reads than shuffles of it under a character model of clean Korean (`malgeum.fluency`; about 1.8 on news,
      0 on salad);
    - plus `fragment` for each of up to two one- or two-word `fragments`, and plus `not_sentence` when the line
      does not end like sentences or minus `sentence` when it does;
    - plus `broken` when a full stop sits inside a line that does not end like sentences;
    - minus `noun_stop` when the line ends with a full stop after a noun, as captions and list items do;
    - minus `punctuation` for each of up to `punctuation_cap` commas, quotation marks or brackets and minus
      `numbers` for each of up to two numbers: the marks of reported text, which shuffled words lack, so the
      sub-headline or caption next to a block stays with the story.
    A two-state path through the lines (Viterbi, `switch` to enter or leave salad) then decides, so each line is
    judged with its neighbours: a keywordless line, or a salad line that happens to end in 다., goes with its
    block. A salad run needs `min_block` lines of `block_words` words on average, and at most half of its lines
    may carry headline or list marks (·, …, ▲), so a single odd line, a run of telegraphic sub-headlines or a
    personnel list stays.

    The step abstains where its evidence is weak. Informal writing (comments, chat, forum replies) reads as badly
    as salad to a model of clean prose, so a document where `informal_share` of the lines (two at least) carry
    informal marks (ㅋㅋ, ㅠㅠ, ^^, 가자~~, doubled ?!, emoji) is not scored, and a marked line counts `informal` for
    the story. A salad run also needs a full stop on `stopped_share` of its lines (shuffled prose carries the stops
    of its sentences; chat, lyrics and poems are written without them), and a short line or one in another script
    ends a run.

    Only documents with two long odd lines close together are scored, only lines near those, and never a
    sentence-like line of more than `story_words` words (it stays). `model` is a file made by `malgeum
    train-lm`; the default is the bundled model trained on CC BY Korean prose (Korean Wikinews, CC BY 2.5;
    National Assembly Library of Korea book reviews, CC BY).
    """

    kind = "salad"

    def __init__(
        self,
        model: str | None = None,
        min_words: int = 5,
        midpoint: float = 0.9,
        weight: float = 0.3,
        not_sentence: float = 1.0,
        sentence: float = 2.0,
        switch: float = 4.0,
        fragment: float = 3.0,
        disguised: float = 4.0,
        broken: float = 0.5,
        noun_stop: float = 1.0,
        punctuation: float = 3.0,
        punctuation_cap: int = 3,
        numbers: float = 2.0,
        informal: float = 4.0,
        informal_share: float = 0.1,
        stopped_share: float = 0.2,
        min_block: int = 2,
        block_words: float = 8.0,
        story_words: int = 20,
        shuffles: int = 8,
        name: str | None = None,
    ) -> None:
        super().__init__(name)
        self.model = model
        self.min_words, self.min_block, self.block_words, self.shuffles = min_words, min_block, block_words, shuffles
        self.midpoint, self.weight, self.switch = midpoint, weight, switch
        self.not_sentence, self.sentence = not_sentence, sentence
        self.fragment, self.story_words, self.disguised = fragment, story_words, disguised
        self.broken, self.noun_stop, self.numbers = broken, noun_stop, numbers
        self.punctuation, self.punctuation_cap = punctuation, punctuation_cap
        self.informal, self.informal_share, self.stopped_share = informal, informal_share, stopped_share
        self._gain: OrderGain | None = None

    def setup(self) -> None:
        if self.model:
            lm = CharLM.load(Path(self.model))
        else:
            with resources.as_file(resources.files("malgeum.models") / BUNDLED_MODEL) as path:
                lm = CharLM.load(path)
        self._gain = OrderGain(lm, self.shuffles)

    def _salad_path(self, evidence: list[float]) -> list[bool]:
        """The most likely story/salad labelling of the lines given each line's evidence for salad."""
        story, salad = 0.0, -self.switch
        back: list[tuple[bool, bool]] = []  # per line: (best previous is salad, if story now; if salad now)
        for e in evidence:
            to_story = (False, story) if story >= salad - self.switch else (True, salad - self.switch)
            to_salad = (True, salad) if salad >= story - self.switch else (False, story - self.switch)
            back.append((to_story[0], to_salad[0]))
            story, salad = to_story[1], to_salad[1] + e
        state = salad - self.switch > story
        path = []
        for from_story, from_salad in reversed(back):
            path.append(state)
            state = from_salad if state else from_story
        return path[::-1]

    def _seed(self, line: str) -> bool:
        """A line that may start a block: long, mostly Hangul, no headline marks, not ending like sentences or
        holding a one- or two-word "sentence" (salad that happens to end in 다.)."""
        if line.count(" ") + 1 < self.block_words - 2:
            return False
        pieces = _pieces(line)  # (cut once for both tests)
        return (
            (not sentence_like(line, pieces) or fragments(line, pieces) > 0)
            and not _marked(line)
            and _mostly_hangul(line)
            and not _INFORMAL.search(_DISGUISED.sub(" ", line))
        )

    def apply(self, doc: Document) -> None:
        text = doc.text
        if not _HANGUL.search(text):
            return  # (a block starts at lines mostly of Hangul: an English page is passed over in one scan)
        spans = [(s, e) for s, e in line_bounds(text) if text[s:e].strip()]
        # a block needs two seed lines close together; most documents stop here, after one cheap pass
        seeds = [k for k, (s, e) in enumerate(spans) if self._seed(text[s:e])]
        if not any(b - a <= 2 for a, b in itertools.pairwise(seeds)):
            return
        # informal writing (a comment thread, a chat log) reads as badly as salad to a model of clean prose: where
        # a tenth of the lines (two at least) carry its marks, the evidence says nothing and the step abstains
        informal = sum(bool(_INFORMAL.search(_DISGUISED.sub(" ", text[s:e]))) for s, e in spans)
        if informal >= max(2, self.informal_share * len(spans)):
            doc.scores["salad_abstained"] = "informal"
            return
        seed_starts = {spans[k][0] for k in seeds}
        # every non-empty line, so that a short line or one in another script ends a block (salad is a run of lines)
        bounds = spans
        lines = [text[s:e] for s, e in bounds]
        # a disguised keyword or domain does not make a line foreign (J~A~C~K~P~O~T ab12.net 다니며 …)
        scored = [len(line.split()) >= self.min_words and _mostly_hangul(_DISGUISED.sub(" ", line)) for line in lines]
        plain = [sentence_like(line) for line in lines]
        long_odd = [k for k, (s, _) in enumerate(bounds) if s in seed_starts]
        # lines two away from any long odd one cannot join a block that the odd ones do not already start
        # and a long paragraph that ends like sentences is story: scoring it would be the step's main cost
        near = sorted(
            {
                j
                for k in long_odd
                for j in range(k - 2, k + 3)
                if 0 <= j < len(lines) and scored[j] and not (plain[j] and len(lines[j].split()) > self.story_words)
            }
        )
        assert self._gain is not None, "setup() loads the model"
        gains = dict(zip(near, self._gain.score([lines[k] for k in near]), strict=True))
        evidence = []
        for k, line in enumerate(lines):
            if k not in gains:
                evidence.append(-math.inf)  # not scored: story, and a block ends here
                continue
            joins = max(len(line.split()) - 1, 1)
            gain = min(max(gains[k], -1.0), 3.0)  # one freak line must not outvote its block
            frag = self.fragment * min(fragments(line), 2)
            # the digits and brackets of a disguised keyword or domain (벳♡3♡6♡5, ab12[.]com) are spam's, not news'
            bare = _DISGUISED.sub(" ", line)
            form = frag + (-self.sentence if plain[k] else self.not_sentence)
            form += self.disguised if bare != line else 0.0
            form -= self.informal if _INFORMAL.search(bare) else 0.0
            form += self.broken if broken(line, plain[k]) else 0.0
            form -= self.noun_stop if _NOUN_STOP.search(line[-8:]) else 0.0
            form -= self.punctuation * min(len(_NEWS_PUNCT.findall(bare)), self.punctuation_cap)
            form -= self.numbers * min(len(_NUMBER.findall(bare)), 2)
            evidence.append(self.weight * joins * (self.midpoint - gain) + form)
        path = self._salad_path(evidence)
        cuts = []
        for salad, group in itertools.groupby(range(len(lines)), key=path.__getitem__):
            run = list(group)
            if not salad:
                continue
            words = sum(len(lines[i].split()) for i in run) / len(run)
            marked = sum(_marked(lines[i]) for i in run)
            # shuffled prose carries the full stops of its sentences; a run of lines without them is chat, a
            # lyric or a poem (a disguised keyword counts as a stop: it is spam's own mark)
            stopped = sum(bool(_LONE_STOP.search(lines[i]) or _DISGUISED.search(lines[i])) for i in run)
            if (
                len(run) < self.min_block
                or words < self.block_words
                or marked * 2 > len(run)
                or stopped < self.stopped_share * len(run)
            ):
                continue
            cuts += [
                Cut(
                    *whole_line(text, *bounds[i]),
                    "salad.disordered_block",
                    f"word salad: word order gains {gains[i]:.2f} nats per join over shuffles"
                    f"{'' if plain[i] else ', not a sentence'} (block of {len(run)} lines)",
                )
                for i in run
            ]
        if cuts:
            doc.scores["salad_lines"] = len(cuts)
            doc.apply_cuts(self.name, non_overlapping(cuts))
