"""malgeum's main-content extractor on pages written for these tests: the story stays, the template goes."""

from __future__ import annotations

import pytest

from malgeum.extraction.markup import boilerplate_word, words
from malgeum.extraction.phrases import boilerplate_line
from malgeum.html import extract

STORY_EN = [
    "City council approves new cycling lanes after a year of public debate",
    "The city council voted on Tuesday to build forty kilometres of protected cycling lanes across the old "
    "town, ending a year of hearings in which shop owners and residents argued over parking and deliveries.",
    "Supporters said the lanes would make the narrow streets safer for children riding to school, and pointed "
    "to a survey in which most residents said they would cycle more if the roads felt less dangerous.",
    "Construction is expected to begin in the spring and to take about two years, the council said, with the "
    "busiest streets rebuilt first so that the work disturbs the fewest people during the summer season.",
]
CAPTION_EN = "Cyclists ride along the river path on Tuesday morning."


def _links(prefix: str, n: int) -> str:
    return "".join(f'<li><a href="/{prefix}/{i}">{prefix.title()} item number {i}</a></li>' for i in range(n))


NEWS_EN = f"""<!doctype html><html lang="en"><head><title>Cycling lanes</title>
<script>var tracking = "this is not text";</script><style>body {{ color: red }}</style></head><body>
<div class="cookie-banner">We use cookies to improve your experience. By continuing to browse you agree to
our use of cookies and our privacy policy. <button>Accept all</button></div>
<header class="site-header"><a href="/">The Daily Example</a>
<nav class="main-nav"><ul>{_links("section", 8)}</ul></nav></header>
<div class="page"><main><article class="story">
<h1>{STORY_EN[0]}</h1>
<div class="byline">By Jane Doe, city reporter</div>
<div class="share-bar"><a href="#">Facebook</a> <a href="#">Twitter</a> <a href="#">Email</a></div>
<div class="article-body">
<p>{STORY_EN[1]}</p>
<figure><img src="lanes.jpg" alt="a lane"><figcaption>{CAPTION_EN}</figcaption></figure>
<h2>What happens next</h2>
<p>{STORY_EN[2]}</p>
<p>Read more: <a href="/other">Council budget passes after late-night session</a></p>
<p>{STORY_EN[3]}</p>
</div>
<section class="related-articles"><h3>Related articles</h3><ul>{_links("story", 5)}</ul></section>
<div id="comments" class="comments"><h3>12 comments</h3>
<div class="comment"><p>I have been waiting for this for years and I really hope the works start soon, my kids
would love to ride to school on their own instead of being driven every single morning.</p></div>
<div class="comment"><p>What about the shops on the main street? Deliveries will become a nightmare and nobody
on the council seems to have thought about the vans that park there every morning of the week.</p></div>
</div>
</article></main>
<aside class="sidebar"><h3>Most popular</h3><ul>{_links("popular", 6)}</ul>
<div class="newsletter">Sign up for our newsletter and get the best stories of the day in your inbox every
morning, free of charge, with no spam and an easy way to unsubscribe whenever you like.</div></aside></div>
<footer class="site-footer"><p>Copyright 2025 The Daily Example. All rights reserved. Contact us, advertise
with us, terms of use, privacy policy and cookie settings for every reader of this website.</p>
<ul>{_links("footer", 6)}</ul></footer>
</body></html>"""


STORY_KO = [
    "지역 도서관, 밤 열 시까지 문 연다",
    "시는 다음 달부터 지역 공공도서관 다섯 곳의 운영 시간을 밤 열 시까지 늘린다고 밝혔다. 퇴근한 직장인과 "
    "시험을 앞둔 학생들이 도서관을 더 오래 이용할 수 있도록 하려는 것이다.",
    "도서관 관계자는 저녁 시간에 자리가 부족하다는 민원이 꾸준히 들어왔다며 열람실 좌석도 이백 석가량 "
    "늘릴 계획이라고 말했다. 늘어난 운영 시간에는 사서 인력도 추가로 배치된다.",
    "시는 이용 현황을 석 달 동안 지켜본 뒤 다른 도서관으로 확대할지 결정할 예정이다. 주말 운영 시간은 "
    "지금과 같이 유지되며, 자세한 내용은 각 도서관 누리집에서 확인할 수 있다.",
]
CAPTION_KO = "시민들이 저녁 시간 도서관 열람실에서 책을 읽고 있다."


NEWS_KO = f"""<html lang="ko"><head><meta charset="utf-8"><title>도서관</title></head><body>
<div id="header"><ul class="gnb">{_links("menu", 9)}</ul></div>
<div class="location">홈 &gt; 사회 &gt; 지역</div>
<div id="container"><div class="article_view">
<h1 class="title">{STORY_KO[0]}</h1>
<div class="article_info">입력 2025.03.02 10:00 | 수정 2025.03.02 11:00</div>
<ul class="sns_share"><li><a href="#">페이스북</a></li><li><a href="#">트위터</a></li>
<li><a href="#">카카오톡</a></li></ul>
<div id="articleBody" class="article_body">
<p>{STORY_KO[1]}</p>
<figure><img src="a.jpg"><figcaption>{CAPTION_KO}</figcaption></figure>
<p>{STORY_KO[2]}</p>
<p>{STORY_KO[3]}</p>
</div>
<div class="relation_news"><strong>관련기사</strong><ul>{_links("news", 4)}</ul></div>
<div class="reply_area"><h4>댓글</h4><p>좋은 소식이네요. 저녁마다 자리가 없어서 다른 곳을 찾아다녔는데
이제 집 근처에서 공부할 수 있겠습니다. 주말에도 시간을 늘려 주시면 좋겠습니다.</p></div>
</div>
<div class="aside"><h3>많이 본 뉴스</h3><ol>{_links("rank", 5)}</ol></div></div>
<div id="footer"><p>주소: 서울시 중구 예시로 1 | 대표전화 02-000-0000 | Copyright 예시일보. All rights
reserved. 무단 전재 및 재배포 금지. 본 사이트의 모든 기사는 저작권법의 보호를 받습니다.</p></div>
</body></html>"""

BLOG_EN = f"""<html><body><div id="wrapper" class="site has-sidebar">
<div class="masthead"><a href="/">My little garden</a> <ul>{_links("archive", 6)}</ul></div>
<div class="post hentry">
<h2 class="entry-title">Growing tomatoes on a balcony</h2>
<div class="entry-meta">Posted on May 3 by Sam in <a href="/c/garden">Garden</a></div>
<div class="entry-content">
<p>Last spring I tried growing tomatoes in pots on my small balcony, and the harvest was far better than I
expected from three plants, a bag of compost and a little patience every evening after work.</p>
<h3>Choosing the pots</h3>
<p>Big pots matter more than anything else: the roots need room, and a small pot dries out within hours on a
sunny day, so I used containers of at least twenty litres and put a saucer under each of them.</p>
<ul><li>Water every evening in summer, never in the midday sun.</li>
<li>Pinch out the side shoots so the plant puts its strength into fruit.</li></ul>
</div>
<div class="post-tags">Tags: <a href="/t/1">tomatoes</a>, <a href="/t/2">balcony</a></div>
</div>
<div id="sidebar" class="widget-area"><div class="widget"><h3>About me</h3><p>I write about my small garden in
the city, about what grows there and about what the snails ate before I could harvest it myself.</p></div></div>
</div></body></html>"""

FORUM_EN = """<html><body><div class="navbar"><a href="/">Forum home</a> <a href="/new">New posts</a></div>
<div class="thread"><h1>Best way to store winter tyres?</h1>
<div class="message"><div class="author">wheelie</div><div class="message-body">I have a set of winter tyres on
rims and nowhere but a damp garage to keep them. Should I stack them or hang them, and do I need covers?</div></div>
<div class="message"><div class="author">torque42</div><div class="message-body">Tyres on rims are best hung on
a wall hook or stacked flat, never stood upright for months. Clean them first and keep them away from the
boiler and from sunlight, which both age the rubber.</div></div>
<div class="message"><div class="author">mech_anna</div><div class="message-body">Covers help in a damp garage,
but make sure they breathe. Also drop the pressure a little and write the position of each wheel on it in chalk
so you can rotate them next season.</div></div>
</div><div class="footer">Powered by ExampleBoard. Terms and rules. Privacy policy.</div></body></html>"""

PLAIN = """<html><body><table><tr><td>Opening hours of the community hall are from nine to five on weekdays.
<br>The hall can be booked for private events by calling the office during those hours.<br>Bring your own
chairs for events of more than fifty people.</td></tr></table></body></html>"""


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


@pytest.fixture(scope="module")
def news_en() -> str:
    return extract(NEWS_EN, "malgeum")


def test_news_keeps_the_story_and_its_heading_as_lines(news_en: str) -> None:
    lines = _lines(news_en)
    for paragraph in STORY_EN[1:]:
        assert paragraph in lines
    assert "What happens next" in lines  # a heading inside the story, on its own line
    assert STORY_EN[0] in lines  # the title: a heading of the container
    # the English pack leaves figure captions out of a page's text (`captions: drop`); a page in a language
    # whose pack keeps them, or that does not say its language, keeps the caption as a line of its own
    assert CAPTION_EN not in lines
    assert CAPTION_EN in _lines(extract(NEWS_EN.replace('<html lang="en">', "<html>"), "malgeum"))


@pytest.mark.parametrize(
    "junk",
    [
        "We use cookies",  # cookie banner
        "Section item",  # navigation
        "Facebook",  # share bar
        "Read more:",  # a link line inside the story
        "Related articles",  # the heading of a removed link list
        "Story item",  # related links
        "waiting for this for years",  # comments
        "Popular item",  # side column
        "Sign up for our newsletter",
        "All rights reserved",  # footer
        "this is not text",  # script
    ],
)
def test_news_drops_the_template(news_en: str, junk: str) -> None:
    assert junk not in news_en


def test_korean_news_keeps_the_story_and_drops_the_portal() -> None:
    text = extract(NEWS_KO, "malgeum")
    lines = _lines(text)
    for paragraph in STORY_KO[1:]:
        assert paragraph in lines
    assert CAPTION_KO in lines
    for junk in ("Menu item", "페이스북", "관련기사", "News item", "자리가 없어서", "많이 본 뉴스", "무단 전재"):
        assert junk not in text, junk


def test_blog_keeps_post_and_list_but_not_the_sidebar() -> None:
    text = extract(BLOG_EN, "malgeum")
    lines = _lines(text)
    assert "Choosing the pots" in lines
    assert "Water every evening in summer, never in the midday sun." in lines  # list items, one a line
    assert any(line.startswith("Big pots matter more than anything else") for line in lines)
    for junk in ("Archive item", "About me", "snails", "Tags:"):
        assert junk not in text, junk


def test_forum_thread_keeps_every_post() -> None:
    text = extract(FORUM_EN, "malgeum")
    for post in ("damp garage to keep them", "never stood upright", "write the position of each wheel"):
        assert post in text
    assert "Powered by ExampleBoard" not in text
    assert "New posts" not in text


def test_page_without_a_main_block_still_yields_its_text() -> None:
    text = extract(PLAIN, "malgeum")
    assert "Opening hours of the community hall" in text
    assert "Bring your own" in text


def test_empty_and_bodiless_pages() -> None:
    assert extract("", "malgeum") == ""
    assert extract("<html><head><title>t</title></head></html>", "malgeum") == ""


@pytest.mark.parametrize(
    ("classes", "ident", "word"),
    [
        ("post-share-bar", "", "share"),
        ("shareBar", "", "share"),
        ("", "comments", "comments"),
        ("widget widget_text", "", "widget"),
        ("shared-content", "", None),  # "shared" is not "share"
        ("tag-politics category-news post", "", None),  # an article's taxonomy, not a tag box
        ("entry-content", "", None),
        ("has-sidebar site", "", "sidebar"),  # named, but kept when it holds the story (see the blog test)
        ("field field--label-hidden", "", None),  # Drupal: the field's label is hidden, not the field
        ("title-hidden", "", None),
        ("is-hidden", "", "hidden"),
        ("", "commentlist", "comment"),  # run together with what holds it
        ("relatedposts", "", "related"),
        ("commentary", "", None),  # an opinion piece, not comments
        ("hidden-xs", "", None),  # responsive utilities: hidden on one screen size, shown on the others
        ("cms-1 l-hidden-s l-text-l", "", None),
        ("hide-on-mobile", "", None),
        ("hidden-print", "", "hidden"),  # hidden on screen
        ("row non-paywall", "", None),  # the story outside the paywall
        ("paywall-box", "", "paywall"),
    ],
)
def test_boilerplate_names(classes: str, ident: str, word: str | None) -> None:
    assert boilerplate_word(classes, ident) == word


def test_a_headings_id_is_its_anchor_not_a_template_name() -> None:
    assert boilerplate_word("", "what-to-read-next", "h2") is None
    assert boilerplate_word("", "nav_the-first-step", "h3") is None
    assert boilerplate_word("related-heading", "x", "h2") == "related"  # its class still names it
    assert boilerplate_word("", "what-to-read-next", "div") == "next"


def test_words_split_at_humps_and_separators() -> None:
    assert words("postShareBar") == ["post", "share", "bar"]
    assert words("sns_share-2") == ["sns", "share"]


@pytest.mark.parametrize(
    ("line", "junk"),
    [
        ("Share this article", True),
        ("▶ 관련기사", True),
        ("Read more: Council budget passes after late-night session", True),
        ("관련기사: 도서관 운영 시간 연장", True),
        ("Comments (12)", True),
        ("Print recipe", True),
        ("Back to list", True),
        ("The council will share the plans with residents next week.", False),
        ("Read more books, the librarian said.", False),  # no colon: a sentence, not a pointer
    ],
)
def test_pack_phrases(line: str, junk: bool) -> None:
    assert boilerplate_line(line) is junk


def test_pages_too_deep_are_refused_before_extraction() -> None:
    from malgeum.html import MAX_DEPTH, PageTooDeep

    with pytest.raises(PageTooDeep):
        extract("<div>" * (MAX_DEPTH + 10) + "deep" + "</div>" * (MAX_DEPTH + 10), "malgeum")


TEASERS = "".join(
    f'<li class="teaser"><a href="/t/{i}">Other story number {i}</a><div class="summary">Summary of another '
    f"story on this site, number {i}, long enough to read as a paragraph of prose on its own here.</div></li>"
    for i in range(8)
)
STORY_BESIDE_TEASERS = f"""<html><body><div class="page"><div class="columns">
<main><article><h1>{STORY_EN[0]}</h1>{"".join(f"<p>{p}</p>" for p in STORY_EN[1:])}
<h3>Latest from the city desk</h3></article></main>
<div class="column-two"><ul>{TEASERS}</ul></div></div></div></body></html>"""


def test_story_element_is_chosen_over_a_column_of_teasers_beside_it() -> None:
    # the teasers' summaries are prose too, so the container holding most prose holds both columns; the
    # <article> holding a third of it is the story
    text = extract(STORY_BESIDE_TEASERS, "malgeum")
    for paragraph in STORY_EN[1:]:
        assert paragraph in _lines(text)
    assert "Summary of another story" not in text
    assert "Latest from the city desk" not in text  # a heading after the story's last paragraph titles nothing


def test_indentation_is_not_text() -> None:
    # an archive list indented in the markup: counted with its runs of spaces, each item would read as a
    # link-poor paragraph; measured as a reader sees it, the list is links
    spaces = "\n" + " " * 60
    items = "".join(f"<li><a href='/{i}'>Archive entry {i}</a>{spaces}<span>May {i}</span></li>" for i in range(12))
    story = "".join(f"<p>{p}</p>" for p in STORY_EN[1:])
    text = extract(f"<html><body><article>{story}<ul>{items}</ul></article></body></html>", "malgeum")
    assert STORY_EN[1] in text
    assert "Archive entry" not in text


def test_ruby_readings_are_not_text() -> None:
    page = (
        "<html><body><article><p><ruby>法律<rt>ほうりつ</rt></ruby>ができて、親が子どもを教育するために、"
        "体罰を禁止することになりました。" * 3 + "</p></article></body></html>"
    )
    text = extract(page, "malgeum")
    assert "法律ができて" in text
    assert "ほうりつ" not in text


def test_a_noscript_swallowing_the_page_keeps_the_page() -> None:
    # <noscript><div></noscript>: the open <div> takes the rest of the page into the <noscript>
    story = "".join(f"<p>{p}</p>" for p in STORY_EN[1:])
    page = f"<html><body><noscript><div id='nojs'></noscript><div>{story}</div></body></html>"
    assert STORY_EN[1] in extract(page, "malgeum")
    fallback_message = f"<html><body><noscript>Please enable JavaScript.</noscript>{story}</body></html>"
    assert "enable JavaScript" not in extract(fallback_message, "malgeum")


def test_a_noscript_holding_the_post_keeps_it() -> None:
    # a blog whose scripts draw the post from JSON gives readers without scripts the post in a <noscript>, beside an
    # archive of links longer than the post
    post = "".join(f"<p>{p}</p>" for p in STORY_EN[1:] * 2)
    links = "".join(f"<li><a href='/{i}'>An older post of this blog, number {i}</a></li>" for i in range(60))
    notice = "<noscript>Please enable JavaScript to read the comments and see the archive of this blog.</noscript>"
    page = f"<html><body><div class='post'><noscript>{post}</noscript></div>{notice}<ul>{links}</ul></body></html>"
    assert 1000 < len(post) < 0.5 * len(page)
    text = extract(page, "malgeum")
    assert STORY_EN[1] in text
    assert "enable JavaScript" not in text


@pytest.mark.parametrize(
    ("line", "junk"),
    [
        ("Artikel teilen", True),
        ("Lesen Sie auch: Stadtrat beschließt neue Radwege", True),
        ("Mehr zum Thema", True),
        ("Zurück zur Listenansicht", True),
        ("Weiterführende Links", True),
        ("Möchten Sie den Artikel teilen?", True),
        ("Zurück zur Übersicht der Ergebnisse fanden die Forscher nichts.", False),
        ("Der Stadtrat will die Pläne nächste Woche teilen.", False),
    ],
)
def test_german_pack_phrases(line: str, junk: bool) -> None:
    assert boilerplate_line(line) is junk


def test_paragraphs_straight_in_the_body_between_brs_keep_their_lines_and_captions():
    """A feed's article body (an RSS `content:encoded`, an HTML field): text straight in <body> between <br>s,
    with <figure>s between its paragraphs. The body's own text is the prose, not the captions' blocks."""
    story = [
        "시청은 내년 봄부터 강변 자전거길을 넓히기로 했다고 3일 밝혔다. 공사는 두 달 걸리며 구간별로 나눠 진행된다.",
        "시 관계자는 출퇴근 시간대 자전거 이용자가 크게 늘어 길이 좁다는 민원이 이어졌다고 설명했다.",
        "새 길은 보행로와 분리되고, 야간 조명과 쉼터도 함께 들어선다. 시는 내년 여름까지 마칠 계획이다.",
    ]
    page = (
        '<figure><img src="a.jpg"><figcaption><small>넓어질 강변 자전거길 모습./가람시 제공</small>'
        "</figcaption></figure>"
        "<br><br>" + story[0] + "<br><br>" + story[1]
        + '<br><br><figure><img src="b.jpg"><figcaption><small>공사 구간 지도./가람시</small></figcaption></figure>'
        "<br><br>" + story[2]
    )  # fmt: skip
    lines = [line for line in extract(page, "malgeum").splitlines() if line.strip()]
    assert lines == ["넓어질 강변 자전거길 모습./가람시 제공", story[0], story[1], "공사 구간 지도./가람시", story[2]]


def test_captions_named_by_class_go_where_the_language_drops_captions() -> None:
    """WordPress and other templates write captions without <figure> (`<div class="wp-caption">`, `<span
    class="imageCaption">`): on an English page they go as <figure> captions do; where the page does not say its
    language, captions stay."""
    story = "".join(f"<p>{p}</p>" for p in STORY_EN[1:])
    caption = (
        '<div class="wp-caption aligncenter"><img src="a.jpg"><p class="wp-caption-text">'
        f"{CAPTION_EN}</p></div><p>Credit: <span class='imageCaption'>Photo desk archive</span></p>"
    )
    page = f'<html lang="en"><body><article>{caption}{story}</article></body></html>'
    text = extract(page, "malgeum")
    assert STORY_EN[1] in _lines(text)
    assert CAPTION_EN not in text
    assert "Photo desk archive" not in text
    kept = extract(page.replace('<html lang="en">', "<html>"), "malgeum")
    assert CAPTION_EN in _lines(kept)
    # a class that only contains the letters is no caption
    listed = page.replace("wp-caption", "captioned")
    assert CAPTION_EN in _lines(extract(listed, "malgeum"))
    # a legend is a caption (an image's `Bildlegende`, `légende`)
    legend = page.replace("wp-caption-text", "image-legend").replace("wp-caption aligncenter", "media")
    assert CAPTION_EN not in extract(legend, "malgeum")


def test_a_drupal_field_whose_label_is_hidden_is_kept() -> None:
    # Drupal marks every field whose label is not shown `field--label-hidden`: the lead in such a field is the
    # story's, while an element hidden itself goes
    fields = (
        '<div class="field field--name-intro field--label-hidden">A lead for the story that is long enough to '
        "read as a paragraph of its own, before the body.</div>"
        f'<div class="field field--name-body field--label-hidden">{"".join(f"<p>{p}</p>" for p in STORY_EN[1:])}</div>'
        '<div class="is-hidden">Text a reader never sees here.</div>'
    )
    text = extract(f"<html><body><article>{fields}</article></body></html>", "malgeum")
    assert "A lead for the story that is long enough to read as a paragraph of its own, before the body." in _lines(
        text
    )
    assert STORY_EN[1] in _lines(text)
    assert "never sees" not in text


def test_prose_before_the_body_inside_the_story_element_stays() -> None:
    """A lead three levels above the story's body, inside its <article>: kept, as prose just before the container
    is; the <header> with the headline and dek is the story's title block and goes; prose before the article,
    outside it, goes."""
    lead = (
        "Residents waited a year for this decision, and the vote on Tuesday finally settled where the lanes will "
        "run and how much of the old town's parking will make room for them."
    )
    dek = "A dek that sums up the story in one sentence of more than seventy characters, under the headline."
    other = "Another story's summary that sits before the article, long enough to read as prose on its own."
    body = "".join(f"<p>{p}</p>" for p in STORY_EN[1:] * 3)  # the body holds most of the prose
    page = (
        f"<html><body><div class='page'><div class='column'><p>{other}</p></div><article>"
        f"<header><h1>{STORY_EN[0]}</h1><p>{dek}</p></header><div class='intro'><p>{lead}</p></div>"
        f"<div class='story-main'><div class='story-text'><div class='text-blocks'>{body}</div></div></div>"
        "</article></div></body></html>"
    )
    lines = _lines(extract(page, "malgeum"))
    assert lead in lines
    assert STORY_EN[1] in lines
    assert dek not in lines
    assert other not in lines


def test_an_ingredient_list_before_the_steps_stays_and_a_byline_goes() -> None:
    """A recipe's ingredients are short lines, none of them prose, before the steps that hold the prose: as a
    whole they are link-poor text of some length, part of the story; a byline and date before the steps are not."""
    ingredients = [
        "250 g flour",
        "125 g cold butter",
        "100 g sugar",
        "1 egg",
        "1 pinch of salt",
        "500 g quark",
        "2 tins of mandarins",
        "1 packet of vanilla pudding powder",
        "200 ml cream",
        "1 lemon, its zest",
        "2 tablespoons of breadcrumbs",
        "butter for the tin",
        "icing sugar to dust the cake",
    ]
    steps = [
        "Rub the flour, butter, sugar, egg and salt into a smooth dough, wrap it and leave it in the fridge for "
        "half an hour while you prepare the filling.",
        "Stir the quark with the pudding powder, the cream and the lemon zest until no lumps remain, then fold "
        "in the drained mandarins carefully so that they stay whole.",
        "Line the tin with the dough, sprinkle the breadcrumbs over it, pour in the filling and bake the cake "
        "for about an hour at 175 degrees, then let it cool in the tin.",
    ]
    page = (
        "<html><body><div class='recipe'><div class='byline'>By Sam, 3 May</div>"
        f"<div class='ingredients'><ul>{''.join(f'<li>{i}</li>' for i in ingredients)}</ul></div>"
        f"<div class='preparation'><ol>{''.join(f'<li>{s}</li>' for s in steps)}</ol></div>"
        "</div></body></html>"
    )
    lines = _lines(extract(page, "malgeum"))
    assert steps[0] in lines
    assert "125 g cold butter" in lines
    assert "By Sam, 3 May" not in lines


def test_comments_go_even_when_they_outweigh_the_story() -> None:
    """A short story under a long thread of comments: the comments hold most of the prose, but a comments
    section is never the page's text while a tenth of the prose lies outside it. A page that is only comments
    (a forum thread whose posts are called comments) keeps them."""
    comment = (
        "<li class='comment-item'><p>Comment number {i}: I have read the story and I think the council should have "
        "asked the people who live on the main street before deciding anything about their parking.</p></li>"
    )
    thread = f"<ol id='commentlist'>{''.join(comment.format(i=i) for i in range(12))}</ol>"
    story = f"<div class='story'><p>{STORY_EN[1]}</p><p>{STORY_EN[2]}</p></div>"
    text = extract(f"<html><body><div class='post'>{story}{thread}</div></body></html>", "malgeum")
    assert STORY_EN[1] in _lines(text)
    assert "Comment number" not in text
    only = extract(f"<html><body><div class='post'><h1>Parking</h1>{thread}</div></body></html>", "malgeum")
    assert "Comment number 3" in only


def test_a_live_ticker_of_short_entries_called_comments_is_the_page() -> None:
    """No block is long enough to be prose: a match's live ticker (its entries in a `live-comments` element)
    is all the page has, and stays."""
    entries = "".join(f"<p>{m}' Corner for the home side, cleared at the near post.</p>" for m in range(1, 30))
    page = f"<html><body><h1>Lorient - Lyon</h1><div class='live-match-comments'>{entries}</div></body></html>"
    assert "12' Corner for the home side, cleared at the near post." in _lines(extract(page, "malgeum"))


@pytest.mark.parametrize("extractor", ["malgeum", "resiliparse"])
def test_invisible_characters_do_not_split_words(extractor: str) -> None:
    """A soft hyphen (`&shy;`, frequent in German news) or a zero-width space is not shown: left in, it splits
    the word it sits in for every tokenizer downstream."""
    story = "".join(f"<p>{s}</p>" for s in STORY_EN[1:])
    lead = "<p>Ohne unabh&auml;ngige For&shy;schung und auto&#x200b;nome Institute geht es nicht.</p>"
    page = f"<html><body><article>{lead}{story}</article></body></html>"
    text = extract(page, extractor)
    assert "Forschung" in text and "autonome" in text and "\u00ad" not in text
