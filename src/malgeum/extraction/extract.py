"""The extraction itself (the method is described in the package docstring)."""

from __future__ import annotations

from typing import Any

from resiliparse.extract.html2text import extract_plain_text

from malgeum.extraction import markup
from malgeum.extraction.phrases import drop_boilerplate_lines

Node = Any  # resiliparse's ElementNode

# a block of text: what a reader sees as one paragraph. Leaf divs hold text that templates put in <div>s
_BLOCK_INSIDE = "div, p, ul, ol, dl, table, section, article, main, pre, blockquote, form, header, h1, h2, h3, h4"
BLOCKS = f"p, pre, blockquote, li, dd, dt, td, th, h1, h2, h3, h4, h5, h6, div:not(:has({_BLOCK_INSIDE}))"
LINK_GROUPS = "ul, ol, dl, table"

PROSE_CHARS = 70  # jusText's length_low: a shorter block is never judged prose by its length alone
PROSE_LINKS = 0.25  # a block with more of its text in links is not prose
KEEP_MASS = 0.5  # an element holding more of the prose than this is never removed as boilerplate
CONTAINER_MASS = 0.85  # the main container holds this much of the prose at least
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
    return sum(len(a.text) for a in node.query_selector_all("a").values())


def _prose_mass(body: Node) -> tuple[dict[Node, int], int]:
    """Prose characters under each element (only ancestors of prose blocks appear), and the page's total."""
    mass: dict[Node, int] = {}
    total = 0
    for block in body.query_selector_all(BLOCKS).values():
        n = len(block.text.strip())
        if n < PROSE_CHARS or _links(block) > PROSE_LINKS * n:
            continue
        total += n
        node = block
        while node is not None:
            mass[node] = mass.get(node, 0) + n
            if node is body:
                break
            node = node.parent
    return mass, total


def _decompose(nodes: list[Node]) -> None:
    for node in nodes:
        node.decompose()


def _prune_boilerplate(body: Node, mass: dict[Node, int], total: int) -> None:
    keep = KEEP_MASS * total

    def removable(node: Node) -> bool:
        return mass.get(node, 0) <= keep or total == 0

    doomed = [n for n in body.query_selector_all(markup.FURNITURE).values() if removable(n)]
    for node in body.query_selector_all(markup.CANDIDATES).values():
        if removable(node) and markup.boilerplate_word(node.class_name or "", node.id or ""):
            doomed.append(node)
    _decompose(doomed)


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


def _keep_only(container: Node, body: Node) -> None:
    node = container
    while node is not body:
        parent = node.parent
        if parent is None:
            return
        _decompose([c for c in parent.child_nodes.values() if c is not node])
        node = parent


def _prune_link_blocks(container: Node) -> None:
    doomed = []
    for group in container.query_selector_all(LINK_GROUPS).values():
        n = len(group.text.strip())
        if n and _links(group) > LIST_LINKS * n:
            doomed.append(group)
    _decompose(doomed)
    doomed = []
    for block in container.query_selector_all(BLOCKS).values():
        n = len(block.text.strip())
        if n and n < SHORT_BLOCK and _links(block) > LINE_LINKS * n:
            doomed.append(block)
    _decompose(doomed)


def extract_main(tree: Any) -> str:
    """The main content of a parsed page as text, one block per line."""
    body = tree.body
    if body is None:
        return ""
    _decompose(body.query_selector_all(markup.INVISIBLE).values())
    fallback = extract_plain_text(tree, main_content=True, **_RENDER)
    mass, total = _prose_mass(body)
    _prune_boilerplate(body, mass, total)
    mass, total = _prose_mass(body)
    if total:
        container = _container(body, mass, total)
        if container is not body:
            _keep_only(container, body)
        _prune_link_blocks(container)
    text = drop_boilerplate_lines(extract_plain_text(tree, main_content=False, **_RENDER))
    if len(text) < FALLBACK_SHARE * len(fallback):
        return fallback
    return text
