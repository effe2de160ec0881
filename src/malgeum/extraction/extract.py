"""The extraction itself (the method is described in the package docstring)."""

from __future__ import annotations

from typing import Any

from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.html import HTMLTree

from malgeum.extraction import markup
from malgeum.extraction.phrases import drop_boilerplate_lines
from malgeum.html import keeps_captions

Node = Any  # resiliparse's ElementNode

# a block of text: what a reader sees as one paragraph. Only the innermost blocks count, so that no text is
# counted twice; text that templates put straight into a <div> between <br>s is a block too
_BLOCK_TAGS = "p, pre, blockquote, li, dd, dt, td, th, h1, h2, h3, h4, h5, h6, div, ul, ol, dl, table, section, article"
BLOCKS = (
    f":is(p, pre, blockquote, li, dd, dt, td, th, h1, h2, h3, h4, h5, h6, div):not(:has({_BLOCK_TAGS})), "
    ":is(div, td, li):has(> br)"
)
LINK_GROUPS = frozenset(("ul", "ol", "dl", "table", "div", "section"))
HEADINGS = frozenset(("h2", "h3", "h4", "h5", "h6"))
TITLES = frozenset(("h1", "h2"))  # the story's title and dek, just before its text

PROSE_CHARS = 70  # jusText's length_low: a shorter block is never judged prose by its length alone
PROSE_LINKS = 0.25  # a block with more of its text in links is not prose
KEEP_MASS = 0.5  # an element holding more of the prose than this is never removed as boilerplate
# a <noscript> with more text than this is the page's story for readers without scripts (a blog whose scripts draw
# the post from JSON), not a notice: "please enable JavaScript" notices run to a few hundred characters
NOSCRIPT_STORY = 1000
COMMENTS_BESIDE = 0.1  # but comments go when this share of the prose lies outside them (a short story)
CONTAINER_MASS = 0.75  # the main container holds this much of the prose at least
NEAR_LEVELS = 2  # prose just before the container, this many levels up, is its lead and stays
LEAD_TEXT = 200  # so is this much link-poor text in short blocks (a byline and a date are shorter)
LIST_LINKS = 0.6  # a list, table or division with more of its text in links is a link list
SHORT_BLOCK = 150  # a shorter block with more than LINE_LINKS of its text in links is a link line
LINE_LINKS = 0.5
# what templates call the story itself; the one of them holding most of the container's prose is the story
# when the container also holds prose beside it (teasers, a column of other stories' summaries)
STORY = "article, main, [role=main], [itemprop=articleBody]"
STORY_MASS = 0.3
# less than this share of the page's prose, and less than half of resiliparse's extraction: the page was misread
FALLBACK_SHARE = 0.3
FALLBACK_RATIO = 0.5
FALLBACK_CHARS = 200

_RENDER = dict(
    preserve_formatting=True,
    list_bullets=False,
    alt_texts=False,
    links=False,
    form_fields=False,
    noscript=True,  # the only <noscript> left holds the page (see _noscripts)
    comments=False,
)
_FALLBACK = {**_RENDER, "noscript": False}


def _chars(text: str) -> int:
    """The characters a reader sees: templates indent their markup, and its runs of spaces and newlines would
    count as text."""
    return len(" ".join(text.split()))


def _links(node: Node) -> int:
    links = node.get_elements_by_tag_name("a")
    return sum(_chars(a.text) for a in links.values()) if len(links) else 0


class _Page:
    """The page's text blocks with their length, link text and ancestors, read from the DOM once, and the text
    and link characters under every element that holds a block, summed in Python.

    resiliparse builds a Python object for each node it hands out, so each ancestor is fetched once and
    numbered, its chain to the body kept as numbers, and no decision after this one asks the DOM for text."""

    def __init__(self, body: Node) -> None:
        self.nodes: list[Node] = [body]
        self.index: dict[Node, int] = {body: 0}
        self.chains: list[tuple[int, ...]] = [(0,)]
        self.blocks: list[tuple[int, int, int]] = []  # (node, characters, link characters)
        for block in body.query_selector_all(BLOCKS).values():
            n = _chars(block.text)
            if n:
                self.blocks.append((self._number(block), n, _links(block)))
        if body.query_selector("body > br") is not None:  # paragraphs straight in the body between <br>s (a
            # feed's article body) are a block too, the body's own: else the prose is only its captions' divs
            n = _chars(body.text) - sum(n for _, n, _ in self.blocks)
            if n > 0:
                self.blocks.append((0, n, max(0, _links(body) - sum(k for _, _, k in self.blocks))))
        self.text = [0] * len(self.nodes)
        self.links = [0] * len(self.nodes)
        for i, n, links in self.blocks:
            for up in self.chains[i]:
                self.text[up] += n
                self.links[up] += links

    def _number(self, node: Node) -> int:
        climbed = []
        while node is not None and node not in self.index:
            climbed.append(node)
            node = node.parent
        chain = self.chains[self.index[node]] if node is not None else ()
        for up in reversed(climbed):
            i = len(self.nodes)
            self.nodes.append(up)
            self.index[up] = i
            chain = (i, *chain)
            self.chains.append(chain)
        return self.index[climbed[0]] if climbed else self.index[node]

    def prose(self, removed: set[int]) -> tuple[list[int], int]:
        """Prose characters under each element and the page's total, leaving out blocks inside `removed`."""
        mass = [0] * len(self.nodes)
        total = 0
        for i, n, links in self.blocks:
            chain = self.chains[i]
            if n < PROSE_CHARS or links > PROSE_LINKS * n or (removed and not removed.isdisjoint(chain)):
                continue
            total += n
            for up in chain:
                mass[up] += n
        return mass, total

    def mass_of(self, mass: list[int], node: Node) -> int:
        i = self.index.get(node)
        return 0 if i is None else mass[i]


def _decompose(nodes: list[Node]) -> None:
    for node in nodes:
        node.decompose()


def _noscripts(body: Node) -> list[Node]:
    """<noscript> fallbacks, unless one holds most of the page's text or a story's worth of it."""
    keep = min(KEEP_MASS * len(body.text), NOSCRIPT_STORY)
    return [n for n in body.query_selector_all(markup.NOSCRIPT).values() if len(n.text) <= keep]


def _captions(body: Node) -> list[Node]:
    """Elements whose class names a caption, unless one holds most of the page's text."""
    keep = KEEP_MASS * len(body.text)
    found = body.query_selector_all(markup.CAPTIONS).values()
    return [n for n in found if markup.caption_word(n.getattr("class", "")) and len(n.text) <= keep]


def _furniture(body: Node) -> list[Node]:
    """Navigation, footers, side columns, forms... unless one holds most of the page's text (a <form> around a
    whole page, as some frameworks write them). Removed before the blocks are read, so that their many small
    blocks are never fetched."""
    keep = KEEP_MASS * len(body.text)
    return [n for n in body.query_selector_all(markup.FURNITURE).values() if len(n.text) <= keep]


def _named(body: Node, page: _Page, mass: list[int], total: int) -> list[Node]:
    """Elements whose class or id names boilerplate, unless they hold most of the prose; comments unless
    nearly all of it."""
    keep = KEEP_MASS * total

    def removable(node: Node, word: str) -> bool:
        held = page.mass_of(mass, node)
        if word in markup.COMMENT_WORDS:
            return total > 0 and total - held >= COMMENTS_BESIDE * total
        return total == 0 or held <= keep

    doomed = []
    for node in body.query_selector_all(markup.NAMED).values():
        word = markup.boilerplate_word(node.getattr("class", ""), node.getattr("id", ""), node.tag)
        if word and removable(node, word):
            doomed.append(node)
    return doomed


def _container(page: _Page, mass: list[int], total: int) -> Node:
    """The deepest element holding at least CONTAINER_MASS of the prose."""
    node = page.nodes[0]
    while True:
        best, best_mass = None, 0
        for child in node.children.values():
            m = page.mass_of(mass, child)
            if m > best_mass:
                best, best_mass = child, m
        if best is None or best_mass < CONTAINER_MASS * total:
            return node
        node = best


def _story(container: Node, page: _Page, mass: list[int]) -> Node:
    """The story element inside the container that holds most of its prose, if it holds at least STORY_MASS of
    it; else the container."""
    held = page.mass_of(mass, container)
    best, best_mass = container, 0
    for node in container.query_selector_all(STORY).values():
        m = page.mass_of(mass, node)
        if m > best_mass:
            best, best_mass = node, m
    return best if best_mass >= STORY_MASS * held else container


def _is_story(node: Node) -> bool:
    return node.tag == "article" or node.getattr("itemprop") == "articleBody"


def _story_levels(container: Node) -> int:
    """How many levels up the story element holding the container is (0: none holds it)."""
    node, level = container.parent, 1
    while node is not None and node.tag != "body":
        if _is_story(node):
            return level
        node, level = node.parent, level + 1
    return 0


def _leads(page: _Page, mass: list[int], node: Node) -> bool:
    """Whether an element before the container is part of the story: it holds prose, or LEAD_TEXT characters of
    link-poor text in short blocks (a recipe's list of ingredients above its steps)."""
    i = page.index.get(node)
    if i is None:
        return False
    return mass[i] > 0 or (page.text[i] >= LEAD_TEXT and page.links[i] <= PROSE_LINKS * page.text[i])


def _titles(node: Node) -> bool:
    """Whether an element is or holds the story's title block (`<header>`, `<h1>`)."""
    return node.tag in ("header", "hgroup", "h1") or node.query_selector("header, h1") is not None


def _outside(container: Node, page: _Page, mass: list[int]) -> list[Node]:
    """What lies outside the container, but for the prose just before it (a lead, a standfirst): up to
    NEAR_LEVELS up, and further up to the story element holding the container (a recipe's introduction above
    its steps, a lead above the story's body), there but for the story's title block (kicker, headline, dek:
    news benchmarks' story text leaves it out)."""
    doomed = []
    node, level, body = container, 0, page.nodes[0]
    story = 0 if _is_story(container) else _story_levels(container)
    while node is not body:
        parent = node.parent
        if parent is None:
            break
        level += 1
        siblings = parent.child_nodes.values()
        at = siblings.index(node)
        near = level <= NEAR_LEVELS
        for i, sibling in enumerate(siblings):
            if i < at and near and (sibling.tag in TITLES or _leads(page, mass, sibling)):
                continue
            if i < at and level <= story and _leads(page, mass, sibling) and not _titles(sibling):
                continue
            if i != at and (not near or sibling.type == node.type):  # text between elements stays near
                doomed.append(sibling)
        node = parent
    return doomed


def _link_blocks(container: Node, page: _Page, removed: set[int]) -> list[Node]:
    """Link lists and link lines inside the container: lists, tables and divisions whose text is mostly link
    text, and short blocks that are mostly a link."""
    inside = page.index[container]
    doomed = []
    for i, n in enumerate(page.text):
        if n and page.links[i] > LIST_LINKS * n and i != inside:
            chain = page.chains[i]
            if inside in chain and removed.isdisjoint(chain) and page.nodes[i].tag in LINK_GROUPS:
                doomed.append(page.nodes[i])
    for i, n, links in page.blocks:
        if n < SHORT_BLOCK and links > LINE_LINKS * n:
            chain = page.chains[i]
            if inside in chain and removed.isdisjoint(chain):
                doomed.append(page.nodes[i])
    return doomed


def _after_story(container: Node, page: _Page, removed: set[int]) -> list[Node]:
    """Headings after the container's last prose block: they title nothing of the story ("Latest articles"
    above a list already gone)."""
    inside = page.index[container]
    last = None
    for k, (i, n, links) in enumerate(page.blocks):
        chain = page.chains[i]
        if n >= PROSE_CHARS and links <= PROSE_LINKS * n and inside in chain and removed.isdisjoint(chain):
            last = k
    if last is None:
        return []
    doomed = []
    for i, _, _ in page.blocks[last + 1 :]:
        node = page.nodes[i]
        if node.tag in HEADINGS and inside in page.chains[i]:
            doomed.append(node)
    return doomed


def _with_headings(nodes: list[Node]) -> list[Node]:
    titles = [n.previous_element_sibling for n in nodes]
    return nodes + [t for t in titles if t is not None and t.tag in HEADINGS]


def _with_titles(nodes: list[Node], page: _Page) -> list[Node]:
    """The nodes and the heading right before each outermost one that holds text ("Related articles" above the
    list of them)."""
    held = {page.index[n] for n in nodes if n in page.index}
    titles = []
    for node in nodes:
        i = page.index.get(node)
        if i is None or not held.isdisjoint(page.chains[i][1:]):
            continue
        before = node.previous_element_sibling
        if before is not None and before.tag in HEADINGS:
            titles.append(before)
    return nodes + titles


def extract_main(tree: Any, html: str) -> str:
    """The main content of a parsed page as text, one block per line (`html`: the page the tree was parsed
    from, parsed again only when the page has to be read as resiliparse reads it)."""
    body = tree.body
    if body is None:
        return ""
    _decompose(body.query_selector_all(markup.INVISIBLE).values())
    _decompose(_noscripts(body))
    if not keeps_captions(html):
        _decompose(_captions(body))
    furniture = _furniture(body)
    _decompose(_with_headings(furniture))
    page = _Page(body)
    mass, total = page.prose(set())
    doomed = _named(body, page, mass, total)
    removed = {page.index[n] for n in doomed if n in page.index}
    mass, kept = page.prose(removed)
    container = _container(page, mass, kept) if kept else body
    if kept:
        container = _story(container, page, mass)
    doomed += _link_blocks(container, page, removed)
    doomed += _after_story(container, page, removed)
    if container is not body:
        doomed += _outside(container, page, mass)
    _decompose(_with_titles(doomed, page))
    text = drop_boilerplate_lines(extract_plain_text(tree, main_content=False, **_RENDER))
    if len(text) < max(FALLBACK_SHARE * total, FALLBACK_CHARS):
        fallback = extract_plain_text(HTMLTree.parse(html), main_content=True, **_FALLBACK)
        if len(text) < FALLBACK_RATIO * len(fallback):
            return fallback
    return text
