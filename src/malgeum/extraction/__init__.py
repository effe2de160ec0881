"""malgeum's main-content extractor: trafilatura's and jusText's structural signals on resiliparse's C DOM.

1. What is never text goes (scripts, hidden elements, form controls, ruby readings, <noscript> fallbacks but
   one holding most of the page or a story's length of text), captions named by their class where the page's
   language leaves captions out, then page furniture (navigation, footers, side columns, dialogs, forms) unless
   it holds most of the page's text.
2. Text blocks (paragraphs, list items, cells, leaf divs) are measured as a reader sees them (the markup's
   indentation is not text): their length and the share of it inside links. Long, link-poor blocks are the
   page's prose; where it sits is its *mass*.
3. Every element whose class or id names boilerplate (share, comments, related, ads, cookie, newsletter...)
   goes, unless it holds most of the prose (a `<body class="has-sidebar">`); comments go unless they hold nearly
   all of it (a forum whose posts are called comments), so that a long thread under a short story goes.
4. The main container is the deepest element that still holds most of the prose, or the story element in it
   (`<article>`, `<main>`, `articleBody`) holding the most of its prose when that is a good share of it (a
   column of teasers beside the story); what lies outside it goes, but for the prose and titles just before it
   (a lead, the headline).
5. Inside it, link lists and short link-dense blocks go (menus and "read also" lines inside an article), and
   so do headings after its last paragraph (the title of a list already gone).
6. resiliparse renders what is left as lines, and lines that are only a boilerplate phrase of a language pack
   ("Share this article", "관련기사") go.
7. When that leaves little of the page's prose, and less than half of resiliparse's main-content extraction,
   the page had no main block of the shape looked for, and resiliparse's extraction is returned instead.

Everything that selects runs as CSS selectors in lexbor's C code; Python only visits text blocks and candidate
elements, never every node.
"""

from __future__ import annotations

from malgeum.extraction.extract import extract_main

__all__ = ["extract_main"]
