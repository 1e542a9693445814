"""Page-context extraction: every image a visitor sees on an HTML page, with the context later
steps need (alt, caption, credit line, licence link, displayed size), plus page facts (language,
title, licence links, imprint/contact: the recipient of a notice) and the links to crawl.

Pure: HTML bytes and the page URL in, a PageContext out. Malformed HTML yields what lxml recovers;
bounded by named caps so a hostile page cannot blow up memory. Image-level context (caption,
credit, licence link) is in captions.py, the notice recipient in imprint.py.

Speed matters here (a WARC scan parses every page): the tree comes from lxml.etree's HTML parser
(lxml.html's element classes cost a Python call per element touched), one pass over the tree
collects the elements of interest, and text is read only where it can change the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import lxml.etree
from w3lib.encoding import html_to_unicode

from fairclaim.discovery.captions import caption_and_credit, clean, licence_near, text_of
from fairclaim.discovery.imprint import CONTACT_WORDS, IMPRINT_WORDS, Imprint, extract_imprint
from fairclaim.discovery.links import absolute_url, srcset_candidates

MAX_IMAGES_PER_PAGE = 1000  # galleries rarely pass a few hundred; more is a trap page
MAX_LINKS_PER_PAGE = 3000  # keeps a link-farm page from flooding the crawl frontier
MAX_STYLE_CHARS = 200_000  # same-page <style> scanned for background images, up to this size

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".tif", ".tiff", ".bmp")
LAZY_SRC_ATTRS = ("data-src", "data-lazy-src", "data-original", "data-lazy", "data-url")
LAZY_SRCSET_ATTRS = ("data-srcset", "data-lazy-srcset")
META_IMAGE_KEYS = frozenset(
    {"og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"}
)

XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*>")
CSS_URL_RE = re.compile(r"url\(\s*(['\"]?)([^'\")]+)\1\s*\)", re.IGNORECASE)
CSS_BG_DECL_RE = re.compile(r"background(?:-image)?\s*:[^;}]*", re.IGNORECASE)
CC_HOST = "creativecommons.org"
# A page can show an image only through markup that contains one of these (case-insensitive,
# on the decoded text): <img, "image" (og:image, image_src, <image>), "url" (CSS url()), an <a
# with attributes (a link to an image file), or a character reference other than the five
# common ones (it could spell any of the others inside an attribute: "u&#114;l(", "og:im&#97;ge").
IMAGE_MARKUP_RE = re.compile(r"<img|image|url|<a[\s/]|&(?!(?:amp|lt|gt|quot|nbsp);)[#a-z]", re.I)
_STYLED = lxml.etree.XPath("//*[@style]")
_TEXT_NODES = lxml.etree.XPath(".//text()", smart_strings=False)  # itertext() in C: ~3x faster
# Without crawl links an <a> matters only through its href (an image file, a Creative Commons
# licence, mailto:), its rel (license) or its imprint/contact label: one search of its lowered
# text, title, href and rel keeps the few that can, and the exact tests run on those alone. A
# base URL holding an image extension or the CC host can make any relative href ("?page=2") an
# image or licence link, so then every <a> is kept.
_ANCHOR_MAY_MATTER_RE = re.compile(
    "|".join(
        map(re.escape, (*IMAGE_EXTENSIONS, CC_HOST, "mailto:", "license", *IMPRINT_WORDS,
                        *CONTACT_WORDS))
    )
)  # fmt: skip
_BASE_MAY_MATTER_RE = re.compile("|".join(map(re.escape, (*IMAGE_EXTENSIONS, CC_HOST))))
_COLLECTED_TAGS = ("base", "title", "script", "template", "img", "style", "meta", "link", "a")


@dataclass(frozen=True)
class ImageOnPage:
    """One image as a visitor sees it: `url` is the largest candidate, the rest are alternates."""

    url: str
    kind: str  # img | picture | css | meta | link
    alt: str = ""
    title: str = ""
    caption: str = ""
    credit: str = ""
    width: int | None = None  # displayed size from attributes, when given in pixels
    height: int | None = None
    licence_url: str = ""  # a licence link next to the image (its figure/container)
    alternates: tuple[str, ...] = ()
    # The largest candidate of each other rendition a <picture> art-directs (a <source media=…>,
    # or the <img>'s own candidates when a source won): possibly a different crop or picture,
    # so matching fetches these too. Sizes of one rendition (srcset widths) are not listed.
    art_directed: tuple[str, ...] = ()


@dataclass(frozen=True)
class PageContext:
    url: str
    title: str = ""
    language: str = ""
    licence_urls: tuple[str, ...] = ()  # rel=license and Creative Commons links on the page
    imprint: Imprint = field(default_factory=Imprint)
    images: tuple[ImageOnPage, ...] = ()
    links: tuple[str, ...] = ()  # absolute http(s) links, fragments removed, for crawling


def _pixels(value: str | None) -> int | None:
    value = (value or "").strip().lower().removesuffix("px")
    return int(value) if value.isdigit() and 0 < int(value) < 100_000 else None


class _Collector:
    """Keeps images in page order, merging a URL seen twice (first kind wins, context filled in)."""

    def __init__(self) -> None:
        self.by_url: dict[str, ImageOnPage] = {}

    def add(self, image: ImageOnPage) -> None:
        if not image.url or len(self.by_url) >= MAX_IMAGES_PER_PAGE:
            return
        known = self.by_url.get(image.url)
        if known is None:
            self.by_url[image.url] = image
            return
        merged = {
            name: getattr(known, name) or getattr(image, name)
            for name in ("alt", "title", "caption", "credit", "width", "height", "licence_url")
        }
        self.by_url[image.url] = ImageOnPage(
            url=known.url,
            kind=known.kind,
            alternates=known.alternates,
            art_directed=known.art_directed,
            **merged,
        )


def decode_html(html: bytes, content_type: str = "") -> str:
    """Bytes decoded as a browser would (BOM, Content-Type charset, <meta charset>, then UTF-8)."""
    _encoding, text = html_to_unicode(content_type or None, html)
    return text


def may_show_images(text: str) -> bool:
    """False only when the decoded page cannot yield any image: extract_page would find none.

    A cheap test to run before parsing; it errs towards True (a page with links is parsed).
    """
    return IMAGE_MARKUP_RE.search(text) is not None


def _parse(html: str):
    """The document's root element, or None when there is no document."""
    try:
        return lxml.etree.fromstring(html, lxml.etree.HTMLParser())
    except (lxml.etree.ParserError, ValueError):
        return None


def _language(root, metas: list) -> str:
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    if not lang:
        for meta in metas:
            if (meta.get("http-equiv") or "").lower() == "content-language":
                lang = meta.get("content") or ""
                break
            if (meta.get("property") or "").lower() == "og:locale":
                lang = (meta.get("content") or "").replace("_", "-")
    return clean(lang, 35).split(",")[0].strip()


def _anchor_may_matter(a) -> bool:
    """False only when `a` cannot be an image link, licence link, mailto: or imprint/contact
    link (see _ANCHOR_MAY_MATTER_RE); the label is a superset of imprint.py's."""
    href = a.get("href")
    if not href:
        return False  # no URL: absolute_url("") is "", so every test below finds nothing
    label = f"{a.text or ''} {a.get('title') or ''} {href} {a.get('rel') or ''}".lower()
    if _ANCHOR_MAY_MATTER_RE.search(label):
        return True
    return not href.isprintable()  # urlsplit drops tab, CR, LF: "creative\tcommons.org" counts


def extract_page(
    html: bytes | str, page_url: str, *, content_type: str = "", links: bool = True
) -> PageContext:
    """Parse an HTML page and return its images and context; never raises on malformed HTML.

    Bytes are decoded with decode_html; str is taken as already decoded. With links=False the
    crawl links are not collected (PageContext.links stays empty): a WARC scan has no use for them.
    """
    if isinstance(html, bytes):
        html = decode_html(html, content_type)
    html = XML_DECL_RE.sub("", html, count=1)  # lxml refuses str input with an XML declaration
    root = _parse(html)
    if root is None:
        return PageContext(url=page_url)
    base_el = title_el = None
    imgs: list = []
    styles: list = []
    metas: list = []
    link_els: list = []
    anchors: list = []  # <a> and <link> in document order (without links: the <a> that matter)
    every_anchor = links or _BASE_MAY_MATTER_RE.search(page_url.lower()) is not None
    for element in root.iter(*_COLLECTED_TAGS):
        tag = element.tag
        if tag == "a":
            if every_anchor or _anchor_may_matter(element):
                anchors.append(element)
        elif tag == "img":
            imgs.append(element)
        elif tag == "meta":
            metas.append(element)
        elif tag == "link":
            anchors.append(element)
            link_els.append(element)
        elif tag in ("script", "template"):
            if (element.get("type") or "").lower() != "application/ld+json":
                element.text = ""  # script text is not visible; keeps credit/email search honest
        elif tag == "style":
            styles.append(element)
        elif tag == "title":
            title_el = element if title_el is None else title_el
        elif tag == "base":
            base_el = element if base_el is None else base_el
    base = page_url
    if base_el is not None:
        base = absolute_url(page_url, base_el.get("href")) or page_url
        if not every_anchor and _BASE_MAY_MATTER_RE.search(base.lower()):
            anchors = list(root.iter("a", "link"))  # see _ANCHOR_MAY_MATTER_RE
    body_text = ""
    body = root.find("body")
    if body is not None:
        try:
            body_text = "\n".join(_TEXT_NODES(body))
        except ValueError:
            body_text = ""
    images = _Collector()
    for img in imgs:
        _add_img(images, img, base)
    for element in _STYLED(root):
        style = element.get("style") or ""
        if "url(" not in style:
            continue
        label = clean(element.get("aria-label") or element.get("title"))
        for decl in CSS_BG_DECL_RE.findall(style):
            for _q, ref in CSS_URL_RE.findall(decl):
                images.add(ImageOnPage(url=absolute_url(base, ref), kind="css", title=label))
    for style_el in styles:
        for ref in _background_refs((style_el.text or "")[:MAX_STYLE_CHARS]):
            images.add(ImageOnPage(url=absolute_url(base, ref), kind="css"))
    for meta in metas:
        key = (meta.get("property") or meta.get("name") or "").lower()
        if key in META_IMAGE_KEYS:
            images.add(ImageOnPage(url=absolute_url(base, meta.get("content")), kind="meta"))
    for link in link_els:
        if (link.get("rel") or "").lower() == "image_src":
            images.add(ImageOnPage(url=absolute_url(base, link.get("href")), kind="meta"))
    crawl_links: list[str] = []
    seen_links: set[str] = set()
    licence_urls: list[str] = []
    for a in anchors:
        href = absolute_url(base, a.get("href"))
        if not href:
            continue
        rel = (a.get("rel") or "").lower().split()
        if ("license" in rel or CC_HOST in href) and href not in licence_urls:
            licence_urls.append(href)
        if a.tag != "a":
            continue
        if href.split("?", 1)[0].lower().endswith(IMAGE_EXTENSIONS):
            inner = a.find(".//img")
            images.add(
                ImageOnPage(
                    url=href,
                    kind="link",
                    alt=clean(inner.get("alt")) if inner is not None else "",
                    title=clean(a.get("title")) or text_of(a),
                )
            )
        elif links and href not in seen_links and len(crawl_links) < MAX_LINKS_PER_PAGE:
            seen_links.add(href)
            crawl_links.append(href)
    return PageContext(
        url=page_url,
        title=text_of(title_el) if title_el is not None else "",
        language=_language(root, metas),
        licence_urls=tuple(licence_urls),
        imprint=extract_imprint(root, base, body_text, [a for a in anchors if a.tag == "a"]),
        images=tuple(images.by_url.values()),
        links=tuple(crawl_links),
    )


def _background_refs(css: str) -> list[str]:
    """The url() references of `background`/`background-image` declarations in a stylesheet.

    A declaration match never crosses ";" or "}", so only the stretches between those that hold
    "url(" need the (case-insensitive, slow on a 30 KB theme stylesheet) declaration pattern.
    Positions found in the lowered text are the same in the original only for ASCII text."""
    if not css.isascii():
        return [ref for decl in CSS_BG_DECL_RE.findall(css) for _q, ref in CSS_URL_RE.findall(decl)]
    lowered = css.lower()
    refs: list[str] = []
    at = lowered.find("url(")
    while at >= 0:
        start = max(lowered.rfind(";", 0, at), lowered.rfind("}", 0, at)) + 1
        ends = [i for i in (lowered.find(";", at), lowered.find("}", at)) if i >= 0]
        end = min(ends) if ends else len(css)
        for decl in CSS_BG_DECL_RE.findall(css, start, end):
            refs.extend(ref for _q, ref in CSS_URL_RE.findall(decl))
        at = lowered.find("url(", end)
    return refs


def _add_img(images: _Collector, img, base: str) -> None:
    candidates: list[tuple[str, float]] = []
    src = img.get("src") or ""
    lazy = next((img.get(a) for a in LAZY_SRC_ATTRS if img.get(a)), "")
    if lazy:
        candidates.append((lazy, 1.5))  # the real image behind a placeholder src
    if src:
        candidates.append((src, 1.0))
    for attr in ("srcset", *LAZY_SRCSET_ATTRS):
        candidates.extend(srcset_candidates(img.get(attr)))
    # libxml2's HTML4 parser nests <img> inside the unknown <source> elements before it: the
    # <picture> is the first ancestor that is not a <source>.
    parent = img.getparent()
    while parent is not None and parent.tag == "source":
        parent = parent.getparent()
    picture = parent if parent is not None and parent.tag == "picture" else None
    in_picture = picture is not None
    renditions = [_absolute(base, candidates)]  # the <img>'s own, then each art-directed source
    if in_picture:
        for source in picture.iter("source"):
            found = srcset_candidates(source.get("srcset") or source.get("data-srcset"))
            candidates.extend(found)
            if source.get("media"):  # `media` selects a rendition; `type` only a file format
                renditions.append(_absolute(base, found))
    urls = _absolute(base, candidates)
    if not urls:
        return
    best = max(urls, key=lambda pair: pair[1])[0]
    alternates = tuple(dict.fromkeys(u for u, _ in urls if u != best))
    largest = (max(r, key=lambda pair: pair[1])[0] for r in renditions if r)
    art_directed = tuple(dict.fromkeys(u for u in largest if u != best))
    caption, credit, context = caption_and_credit(img)
    images.add(
        ImageOnPage(
            url=best,
            kind="picture" if in_picture else "img",
            alt=clean(img.get("alt")),
            title=clean(img.get("title")),
            caption=caption,
            credit=credit,
            width=_pixels(img.get("width")),
            height=_pixels(img.get("height")),
            licence_url=licence_near(context, base),
            alternates=alternates,
            art_directed=art_directed,
        )
    )


def _absolute(base: str, candidates: list[tuple[str, float]]) -> list[tuple[str, float]]:
    return [(u, size) for u, size in ((absolute_url(base, u), s) for u, s in candidates) if u]
