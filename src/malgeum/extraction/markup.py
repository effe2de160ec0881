"""What page templates call their boilerplate: tags, ARIA roles and the words of class and id names.

These names are the vocabulary of HTML templates (mostly English whatever the page's language), not of a
language, so they live here rather than in a language pack. A class or id names boilerplate when one of its
words is in `BOILERPLATE_WORDS`: class tokens are split into words at `-`, `_`, digits and camelCase humps, so
`post-share-bar`, `shareBar` and `social_links` all say "share" or "social", while `shared-content` does not;
a word run together with what holds it (`commentlist`, `sharebox`) says it too.
"""

from __future__ import annotations

import re
from functools import lru_cache

# never text (ruby annotations: the reading over a word, not the text): removed before anything is measured
INVISIBLE = (
    "script, style, template, svg, canvas, iframe, object, embed, video, audio, map, "
    "button, select, textarea, input, option, rt, rp, "
    "[hidden], [aria-hidden=true], [style*='display:none' i], [style*='display: none' i], "
    "[style*='visibility:hidden' i], [style*='visibility: hidden' i]"
)

# what a browser running scripts never shows; a <noscript> that holds most of the page is a template's slip (an
# element left open inside it swallows the page) and stays
NOSCRIPT = "noscript"

# page furniture by what it is: navigation, the page's footer, side columns, dialogs and forms' chrome
FURNITURE = (
    "nav, aside, footer, menu, dialog, form, "
    "[role=navigation], [role=contentinfo], [role=complementary], [role=search], [role=dialog], "
    "[role=alertdialog], [role=menu], [role=menubar], [role=toolbar], [role=banner], "
    "header:not(article header, main header, [role=main] header)"
)

# the words of class and id names that mark a kind of boilerplate, by kind (the kind is only for the reader)
_KINDS: dict[str, tuple[str, ...]] = {
    "navigation": (
        "nav",
        "navbar",
        "navigation",
        "menu",
        "menubar",
        "submenu",
        "breadcrumb",
        "breadcrumbs",
        "crumbs",
        "pagination",
        "pager",
        "paging",
        "toolbar",
        "topbar",
        "skip",
        "skiplink",
        "masthead",
    ),
    "footer": ("footer", "colophon", "copyright", "imprint"),
    "side columns": ("sidebar", "widget", "widgets", "rail", "aside"),
    "sharing": ("share", "sharing", "shares", "social", "sociable", "addthis", "shariff", "sharedaddy", "sharethis"),
    "comments": ("comment", "comments", "disqus", "respond", "reply", "replies"),
    "related": (
        "related",
        "recommended",
        "recommendations",
        "recirculation",
        "popular",
        "mostviewed",
        "mostread",
        "trending",
        "similar",
        "teaser",
        "teasers",
        "outbrain",
        "taboola",
        "plista",
        "readmore",
        "more",
        "prev",
        "next",
        "previous",
    ),
    "ads": (
        "ad",
        "ads",
        "adv",
        "advert",
        "adverts",
        "advertisement",
        "advertising",
        "adsense",
        "adslot",
        "dfp",
        "sponsor",
        "sponsored",
        "promo",
        "promotion",
        "promoted",
        "banner",
        "commercial",
        "affiliate",
    ),
    "subscription": (
        "newsletter",
        "subscribe",
        "subscription",
        "signup",
        "login",
        "signin",
        "register",
        "paywall",
        "donate",
        "donation",
        "membership",
    ),
    "consent": ("cookie", "cookies", "consent", "gdpr", "cmp"),
    "post metadata": (
        "author",
        "authors",
        "byline",
        "bio",
        "tags",
        "tagcloud",
        "taglist",
        "keywords",
        "rating",
        "ratings",
        "print",
        "meta",
        "postmeta",
        "dateline",
        "timestamp",
        "credit",
        "credits",
    ),
    "overlays": ("modal", "popup", "overlay", "lightbox", "hidden", "hide", "offcanvas", "sronly", "tooltip"),
}
COMMENT_WORDS = frozenset(_KINDS["comments"])
BOILERPLATE_WORDS = frozenset(w for words in _KINDS.values() for w in words)

_PARTS = re.compile(r"[^A-Za-z]+")
_HUMPS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
# "tag-politics", "category-news", "author-jane" on an article name its taxonomy, not a tag box
_TAXONOMY = re.compile(r"^(?:tag|category|categories|author|format)-", re.I)


# what holds a kind of boilerplate, written run together with its word: "commentlist", "sharebox", "relatedposts"
_HOLDERS = ("list", "links", "box", "bar", "area", "block", "wrap", "wrapper", "container", "section", "posts")


def _run_together(word: str) -> str | None:
    """The boilerplate word of a lower-case compound of it and a holder (`commentlist` -> comment), or None."""
    for holder in _HOLDERS:
        if word.endswith(holder) and word[: -len(holder)] in BOILERPLATE_WORDS:
            return word[: -len(holder)]
    return None


def words(name: str) -> list[str]:
    """The lower-cased words of one class token or id: `postShareBar` -> post, share, bar."""
    out: list[str] = []
    for part in _PARTS.split(name):
        if part.islower():
            out.append(part)
        elif part:
            out.extend(w.lower() for w in _HUMPS.findall(part))
    return out


def boilerplate_word(classes: str, ident: str, tag: str = "") -> str | None:
    """The first boilerplate word among an element's class tokens and id, or None. A heading's id is an anchor
    made of its own words (`what-to-read-next`, `nav_the-first-step`), not a template's name."""
    return _named(classes) or (_named(ident) if ident and tag not in _HEADINGS else None)


_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))


# what follows "hidden"/"hide" in a responsive utility class (`hidden-xs`, `l-hidden-s`, `hide-on-mobile`): the
# element is hidden on one screen size and shown on the others
_SCREENS = frozenset(
    [
        "xs",
        "s",
        "sm",
        "m",
        "md",
        "l",
        "lg",
        "xl",
        "xxl",
        "mobile",
        "phone",
        "tablet",
        "desktop",
        "small",
        "medium",
        "large",
        "up",
        "down",
    ]
)
_NEGATIONS = frozenset(("non", "not"))  # `non-paywall`: the part of a story outside the paywall


def _on_some_screens(parts: list[str], i: int) -> bool:
    """Whether the words after parts[i] name a screen size (`hidden-xs`, `hide-on-mobile`)."""
    rest = parts[i + 1 : i + 3]
    if rest[:1] in (["on"], ["for"]):
        rest = rest[1:]
    return bool(rest) and rest[0] in _SCREENS


@lru_cache(maxsize=1 << 16)  # templates repeat their class names on every element of a kind, and every page
def _named(names: str) -> str | None:
    for token in names.split():
        if _TAXONOMY.match(token):
            continue
        parts = words(token)
        for i, w in enumerate(parts):
            if w in BOILERPLATE_WORDS and not (w == "hidden" and i and parts[i - 1] in ("label", "title")):
                if (w in ("hidden", "hide") and _on_some_screens(parts, i)) or (i and parts[i - 1] in _NEGATIONS):
                    continue
                return w
            run_together = _run_together(w)
            if run_together:
                return run_together
    return None


# captions that templates write without <figure> (WordPress's `wp-caption`, `image-caption`, TYPO3's
# `csc-textpic-caption`, an image's `legend`): they go with <figure> captions where a page's language leaves
# captions out
CAPTIONS = "[class*=caption i], [class*=legend i]"
CAPTION_WORDS = frozenset(("caption", "captions", "figcaption", "legend"))


def caption_word(classes: str) -> bool:
    """Whether a class token names a caption (`wp-caption-text`, `imageCaption`; not `captioned-list`)."""
    return any(w in CAPTION_WORDS for token in classes.split() for w in words(token))


# elements that may carry a boilerplate name; links, images, list items and inline words are left to the
# lists and blocks that hold them (a menu's <li class="menu-item"> goes with its menu)
NAMED = ":is([class], [id]):not(a, img, i, b, em, strong, small, label, li, time, abbr, option, br, hr)"
