"""The extraction itself (the method is described in the package docstring)."""

from __future__ import annotations

from typing import Any

from resiliparse.extract.html2text import extract_plain_text

from malgeum.extraction import markup
from malgeum.extraction.phrases import drop_boilerplate_lines

Node = Any  # resiliparse's ElementNode

# a block of text: what a reader sees as one paragraph. Only the innermost blocks count, so that no text is
# counted twice; text that templates put straight into a <div> between <br>s is a block too
_BLOCK_TAGS = "p, pre, blockquote, li, dd, dt, td, th, h1, h2, h3, h4, h5, h6, div, ul, ol, dl, table, section, article"
BLOCKS = (
    f":is(p, pre, blockquote, li, dd, dt, td, th, h1, h2, h3, h4, h5, h6, div):not(:has({_BLOCK_TAGS})), "
    ":is(div, td, li):has(> br)"
)
LINK_GROUPS = "ul, ol, dl, table, div, section"

PROSE_CHARS = 70  # jusText's length_low: a shorter block is never judged prose by its length alone
PROSE_LINKS = 0.25  # a block with more of its text in links is not prose
KEEP_MASS = 0.5  # an element holding more of the prose than this is never removed as boilerplate
CONTAINER_MASS = 0.75  # the main container holds this much of the prose at least
LIST_LINKS = 0.6  # a list or table with more of its text in links is a link list
SHORT_BLOCK = 150  # a shorter block with more than LINE_LINKS of its text in links is a link line
LINE_LINKS = 0.5
FALLBACK_SHARE = 0.3  # less than this share of resiliparse's extraction means the page was misread

_RENDER = dict(
    preserve_formatting=True,
    list_bullets=False,
    alt_texts=False,
    links=False,
    form_fields=False,
    noscript=False,
    comments=False,
)


def _links(node: Node) -> int:
    links = node.get_elements_by_tag_name("a")
    return sum(len(a.text) for a in links.values()) if len(links) else 0


class _Blocks:
    """The page's text blocks with their length, link share and ancestors, read from the DOM once.

    Ancestors are fetched once per element (resiliparse builds a Python object for each node it hands out, so
    a walk to the root per block would cost far more than the page's rendering); masses are then summed in
    Python over the chains."""

    def __init__(self, body: Node) -> None:
        self.body = body
        self.parent: dict[Node, Node | None] = {body: None}
        self.blocks: list[tuple[Node, int, int]] = []
        for block in body.query_selector_all(BLOCKS).values():
            n = len(block.text.strip())
            if not n:
                continue
            self.blocks.append((block, n, _links(block) if n else 0))
            node = block
            while node not in self.parent:
                up = node.parent
                self.parent[node] = up
                if up is None:
                    break
                node = up

    def chain(self, node: Node):
        while node is not None:
            yield node
            node = self.parent.get(node)

    def mass(self, removed: set[Node]) -> tuple[dict[Node, int], int]:
        """Prose characters under each element (only ancestors of prose blocks appear) and the page's total,
        not counting blocks inside `removed` elements."""
        mass: dict[Node, int] = {}
        total = 0
        for block, n, links in self.blocks:
            if n < PROSE_CHARS or links > PROSE_LINKS * n:
                continue
            chain = list(self.chain(block))
            if removed and not removed.isdisjoint(chain):
                continue
            total += n
            for node in chain:
                mass[node] = mass.get(node, 0) + n
        return mass, total

    def inside(self, container: Node, removed: set[Node]):
        """The blocks under `container` that no removed element holds."""
        for block, n, links in self.blocks:
            chain = list(self.chain(block))
            if container in chain and removed.isdisjoint(chain):
                yield block, n, links


HEADINGS = frozenset(("h2", "h3", "h4", "h5", "h6"))
TITLED = True


def _decompose(nodes: list[Node]) -> None:
    for node in nodes:
        node.decompose()


def _with_titles(nodes: list[Node]) -> list[Node]:
    """The nodes and the heading right before each ("Related articles" above the list of them)."""
    if not TITLED:
        return nodes
    titles = []
    for node in nodes:
        before = node.previous_element_sibling
        if before is not None and before.tag in HEADINGS:
            titles.append(before)
    return nodes + titles


def _boilerplate(body: Node, mass: dict[Node, int], total: int) -> list[Node]:
    keep = KEEP_MASS * total

    def removable(node: Node) -> bool:
        return mass.get(node, 0) <= keep or total == 0

    doomed = [n for n in body.query_selector_all(markup.FURNITURE).values() if removable(n)]
    for node in body.query_selector_all(markup.NAMED).values():
        if markup.boilerplate_word(node.getattr("class", ""), node.getattr("id", "")) and removable(node):
            doomed.append(node)
    return doomed


def _container(body: Node, mass: dict[Node, int], total: int) -> Node:
    """The deepest element holding at least CONTAINER_MASS of the prose."""
    node = body
    while True:
        best, best_mass = None, 0
        for child in node.children.values():
            m = mass.get(child, 0)
            if m > best_mass:
                best, best_mass = child, m
        if best is None or best_mass < CONTAINER_MASS * total:
            return node
        node = best


OUTSIDE = "prose"
NEAR_LEVELS = 2
BEFORE_ONLY = True


def _keep_only(container: Node, body: Node, mass: dict[Node, int]) -> None:
    node = container
    level = 0
    while node is not body:
        parent = node.parent
        if parent is None:
            return
        level += 1
        if OUTSIDE == "drop" or level > NEAR_LEVELS:
            _decompose([c for c in parent.child_nodes.values() if c is not node])
        else:
            siblings = parent.children.values()
            at = siblings.index(node)
            _decompose([c for i, c in enumerate(siblings) if i != at and (not mass.get(c) or (BEFORE_ONLY and i > at))])
        node = parent


def _link_blocks(container: Node, blocks: _Blocks, removed: set[Node]) -> list[Node]:
    doomed = []
    for group in container.query_selector_all(LINK_GROUPS).values():
        n = len(group.text.strip())
        if n and _links(group) > LIST_LINKS * n:
            doomed.append(group)
    for block, n, links in blocks.inside(container, removed):
        if n < SHORT_BLOCK and links > LINE_LINKS * n:
            doomed.append(block)
    return doomed


def extract_main(tree: Any) -> str:
    """The main content of a parsed page as text, one block per line."""
    body = tree.body
    if body is None:
        return ""
    _decompose(body.query_selector_all(markup.INVISIBLE).values())
    fallback = extract_plain_text(tree, main_content=True, **_RENDER)
    blocks = _Blocks(body)
    mass, total = blocks.mass(set())
    doomed = _boilerplate(body, mass, total)
    removed = set(doomed)
    mass, kept = blocks.mass(removed)
    container = _container(body, mass, kept) if kept else body
    doomed += _link_blocks(container, blocks, removed)
    _decompose(_with_titles(doomed))
    if container is not body:
        _keep_only(container, body, mass)
    text = drop_boilerplate_lines(extract_plain_text(tree, main_content=False, **_RENDER))
    if len(text) < FALLBACK_SHARE * len(fallback):
        return fallback
    return text
