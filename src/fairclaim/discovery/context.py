"""Page-context extraction: every image a visitor sees on an HTML page, with the context later
steps need (alt, caption, credit line, licence link, displayed size), plus page facts (language,
title, licence links, imprint/contact: the recipient of a notice) and the links to crawl.

Pure: HTML bytes and the page URL in, a PageContext out. Malformed HTML yields what lxml recovers;
bounded by named caps so a hostile page cannot blow up memory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import lxml.etree
import lxml.html
from w3lib.encoding import html_to_unicode

from fairclaim.discovery.imprint import Imprint, extract_imprint
from fairclaim.discovery.links import absolute_url, srcset_candidates

MAX_IMAGES_PER_PAGE = 1000  # galleries rarely pass a few hundred; more is a trap page
MAX_LINKS_PER_PAGE = 3000  # keeps a link-farm page from flooding the crawl frontier
MAX_TEXT = 300  # chars kept of alt/caption/credit: enough for a credit line, bounded for output
MAX_STYLE_CHARS = 200_000  # same-page <style> scanned for background images, up to this size
CREDIT_CONTEXT_LEVELS = 3  # ancestors searched for a credit line near an image
SECTION_TAGS = frozenset(
    {"figure", "img", "picture", "section", "article", "header", "footer", "nav", "h1", "h2", "h3"}
)
NEARBY_TEXT_MAX = 800  # an ancestor with more text than this is a page section, not "near" it

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".tif", ".tiff", ".bmp")
LAZY_SRC_ATTRS = ("data-src", "data-lazy-src", "data-original", "data-lazy", "data-url")
LAZY_SRCSET_ATTRS = ("data-srcset", "data-lazy-srcset")
META_IMAGE_KEYS = frozenset(
    {"og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"}
)

CREDIT_RE = re.compile(
    r"(?:^|[\s(\[|–—-])("
    r"(?:photo|photos|foto|fotos|fotografie|bild|bilder|image|picture|pic|quelle|source|"
    r"credit|credits|photographer|fotograf|crédit|crédits)"
    r"(?:\s+(?:credit|credits|oben|unten|above|below|top|links|rechts))?\s*[:©/]\s*\S.*"
    r"|(?:©|\(c\)|copyright)\s*\S.*"
    r")",
    re.IGNORECASE,
)
XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*>")
CREDIT_HINTS = ("photo", "foto", "bild", "image", "picture", "pic", "quelle", "source", "credit",
                "crédit", "©", "(c)", "copyright")  # fmt: skip
CSS_URL_RE = re.compile(r"url\(\s*(['\"]?)([^'\")]+)\1\s*\)", re.IGNORECASE)
CSS_BG_DECL_RE = re.compile(r"background(?:-image)?\s*:[^;}]*", re.IGNORECASE)
CC_HOST = "creativecommons.org"
# A page can show an image only through markup that contains one of these (case-insensitive,
# on the decoded text): <img, "image" (og:image, image_src, <image>), "url" (CSS url()), an <a
# with attributes (a link to an image file), or a character reference other than the five
# common ones (it could spell any of the others inside an attribute: "u&#114;l(", "og:im&#97;ge").
IMAGE_MARKUP_RE = re.compile(r"<img|image|url|<a[\s/]|&(?!(?:amp|lt|gt|quot|nbsp);)[#a-z]", re.I)


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


@dataclass(frozen=True)
class PageContext:
    url: str
    title: str = ""
    language: str = ""
    licence_urls: tuple[str, ...] = ()  # rel=license and Creative Commons links on the page
    imprint: Imprint = field(default_factory=Imprint)
    images: tuple[ImageOnPage, ...] = ()
    links: tuple[str, ...] = ()  # absolute http(s) links, fragments removed, for crawling


def _clean(text: str | None, limit: int = MAX_TEXT) -> str:
    return " ".join((text or "").split())[:limit]


def _pixels(value: str | None) -> int | None:
    value = (value or "").strip().lower().removesuffix("px")
    return int(value) if value.isdigit() and 0 < int(value) < 100_000 else None


def _text_of(element: lxml.html.HtmlElement) -> str:
    try:
        return _clean(element.text_content())
    except ValueError:
        return ""


def _text_of_full(element: lxml.html.HtmlElement) -> str:
    """Visible text with line breaks kept (credit lines are usually their own line)."""
    try:
        return "\n".join(t.strip() for t in element.itertext() if t.strip())
    except ValueError:
        return ""


def _find_credit(text: str) -> str:
    for line in re.split(r"[\n|•·]+", text):
        lowered = line.lower()
        if not any(word in lowered for word in CREDIT_HINTS):
            continue  # cheap test first: the full pattern costs ~30 µs on a long paragraph
        match = CREDIT_RE.search(line)
        if match:
            found = _clean(match.group(1))
            if found.count(")") > found.count("("):
                found = found.rstrip(")").rstrip()  # "(© Name)" in a caption
            found = found.rstrip(",;: ")
            return found
    return ""


def _classes(element: lxml.html.HtmlElement) -> str:
    return (element.get("class") or "").lower()


def _has_other_image(element: lxml.html.HtmlElement, img: lxml.html.HtmlElement) -> bool:
    return any(other is not img for other in element.iter("img"))


def _image_context(img: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """The elements that belong to this image: its figure (or wp-caption box, or the largest
    ancestor holding no other image, up to CREDIT_CONTEXT_LEVELS), then up to two following
    siblings without images (credit lines and licence links usually follow the picture)."""
    container = img
    node = img.getparent()
    for _ in range(CREDIT_CONTEXT_LEVELS + 2):
        if node is None or node.tag in {"body", "html"} or _has_other_image(node, img):
            break
        if len(_text_of_full(node)) > NEARBY_TEXT_MAX:
            break
        container = node
        if node.tag == "figure" or "wp-caption" in _classes(node):
            break
        node = node.getparent()
    context = [container]
    sibling = container.getnext()
    while sibling is not None and len(context) < 3:
        if not isinstance(sibling.tag, str):
            sibling = sibling.getnext()
            continue
        if sibling.tag in SECTION_TAGS or _has_other_image(sibling, img):
            break
        if len(_text_of_full(sibling)) > NEARBY_TEXT_MAX:
            break
        context.append(sibling)
        sibling = sibling.getnext()
    return context


def _caption_and_credit(img: lxml.html.HtmlElement) -> tuple[str, str, list]:
    """Caption (figcaption, WordPress wp-caption-text) and credit line near `img`, plus the
    context elements (see _image_context) used to find an image-level licence link."""
    context = _image_context(img)
    caption = ""
    for element in context[0].iter("figcaption", "p", "div", "span"):
        if element.tag == "figcaption" or "caption" in _classes(element):
            caption = _text_of(element)
            break
    credit = _find_credit(caption) if caption else ""
    if not credit:
        for element in context:
            for inner in element.iter():
                if not isinstance(inner.tag, str):
                    continue
                cls = _classes(inner)
                if any(word in cls for word in ("credit", "copyright", "photographer", "byline")):
                    found = _text_of(inner)
                    if found:
                        credit = _find_credit(found) or found
                        break
            credit = credit or _find_credit(_text_of_full(element))
            if credit:
                break
    return caption, credit, context


def _licence_near(context: list, base: str) -> str:
    for element in context:
        for a in element.iter("a"):
            href = absolute_url(base, a.get("href"))
            if href and ("license" in (a.get("rel") or "").lower().split() or CC_HOST in href):
                return href
    return ""


def _language(root: lxml.html.HtmlElement) -> str:
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    if not lang:
        for meta in root.iter("meta"):
            if (meta.get("http-equiv") or "").lower() == "content-language":
                lang = meta.get("content") or ""
                break
            if (meta.get("property") or "").lower() == "og:locale":
                lang = (meta.get("content") or "").replace("_", "-")
    return _clean(lang, 35).split(",")[0].strip()


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
            url=known.url, kind=known.kind, alternates=known.alternates, **merged
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


def extract_page(html: bytes | str, page_url: str, *, content_type: str = "") -> PageContext:
    """Parse an HTML page and return its images and context; never raises on malformed HTML.

    Bytes are decoded with decode_html; str is taken as already decoded.
    """
    if isinstance(html, bytes):
        html = decode_html(html, content_type)
    html = XML_DECL_RE.sub("", html, count=1)  # lxml refuses str input with an XML declaration
    try:
        root = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return PageContext(url=page_url)
    base = page_url
    for base_el in root.iter("base"):
        base = absolute_url(page_url, base_el.get("href")) or page_url
        break
    for bad in root.iter("script", "template"):
        if (bad.get("type") or "").lower() != "application/ld+json":
            bad.text = ""  # script text is not visible; keeps credit/email search honest
    body_text = ""
    body = root.find("body")
    if body is not None:
        try:
            body_text = "\n".join(body.itertext())
        except ValueError:
            body_text = ""
    title_el = root.find(".//title")
    images = _Collector()
    for img in root.iter("img"):
        _add_img(images, img, base)
    for element in root.xpath("//*[@style]"):
        style = element.get("style") or ""
        if "url(" not in style:
            continue
        label = _clean(element.get("aria-label") or element.get("title"))
        for decl in CSS_BG_DECL_RE.findall(style):
            for _q, ref in CSS_URL_RE.findall(decl):
                images.add(ImageOnPage(url=absolute_url(base, ref), kind="css", title=label))
    for style_el in root.iter("style"):
        css = (style_el.text or "")[:MAX_STYLE_CHARS]
        for decl in CSS_BG_DECL_RE.findall(css):
            for _q, ref in CSS_URL_RE.findall(decl):
                images.add(ImageOnPage(url=absolute_url(base, ref), kind="css"))
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or "").lower()
        if key in META_IMAGE_KEYS:
            images.add(ImageOnPage(url=absolute_url(base, meta.get("content")), kind="meta"))
    for link in root.iter("link"):
        if (link.get("rel") or "").lower() == "image_src":
            images.add(ImageOnPage(url=absolute_url(base, link.get("href")), kind="meta"))
    links: list[str] = []
    seen_links: set[str] = set()
    licence_urls: list[str] = []
    for a in root.iter("a", "link"):
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
                    alt=_clean(inner.get("alt")) if inner is not None else "",
                    title=_clean(a.get("title")) or _text_of(a),
                )
            )
        elif href not in seen_links and len(links) < MAX_LINKS_PER_PAGE:
            seen_links.add(href)
            links.append(href)
    return PageContext(
        url=page_url,
        title=_text_of(title_el) if title_el is not None else "",
        language=_language(root),
        licence_urls=tuple(licence_urls),
        imprint=extract_imprint(root, base, body_text),
        images=tuple(images.by_url.values()),
        links=tuple(links),
    )


def _grandparent(element: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    parent = element.getparent()
    return parent.getparent() if parent is not None else None


def _add_img(images: _Collector, img: lxml.html.HtmlElement, base: str) -> None:
    candidates: list[tuple[str, float]] = []
    src = img.get("src") or ""
    lazy = next((img.get(a) for a in LAZY_SRC_ATTRS if img.get(a)), "")
    if lazy:
        candidates.append((lazy, 1.5))  # the real image behind a placeholder src
    if src:
        candidates.append((src, 1.0))
    for attr in ("srcset", *LAZY_SRCSET_ATTRS):
        candidates.extend(srcset_candidates(img.get(attr)))
    # libxml2's HTML4 parser may nest <img> inside an unknown <source>: look two levels up.
    picture = next((a for a in img.iterancestors() if a.tag == "picture"), None)
    in_picture = picture is not None and picture in (img.getparent(), _grandparent(img))
    if in_picture:
        for source in picture.iter("source"):
            candidates.extend(srcset_candidates(source.get("srcset") or source.get("data-srcset")))
    urls = [(u, size) for u, size in ((absolute_url(base, u), s) for u, s in candidates) if u]
    if not urls:
        return
    best = max(urls, key=lambda pair: pair[1])[0]
    alternates = tuple(dict.fromkeys(u for u, _ in urls if u != best))
    caption, credit, context = _caption_and_credit(img)
    images.add(
        ImageOnPage(
            url=best,
            kind="picture" if in_picture else "img",
            alt=_clean(img.get("alt")),
            title=_clean(img.get("title")),
            caption=caption,
            credit=credit,
            width=_pixels(img.get("width")),
            height=_pixels(img.get("height")),
            licence_url=_licence_near(context, base),
            alternates=alternates,
        )
    )
