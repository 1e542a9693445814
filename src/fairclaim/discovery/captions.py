"""What belongs to one image on a page: its caption, credit line and licence link.

Pure: an lxml element (from lxml.etree's HTML parser) in, strings out. Every walk is bounded: an
ancestor stops counting as "near" once its text passes NEARBY_TEXT_MAX, and that test stops
reading text as soon as it knows, so a long article around an image costs no more than a short one.
"""

from __future__ import annotations

import re

import lxml.etree

from fairclaim.discovery.links import absolute_url

MAX_TEXT = 300  # chars kept of alt/caption/credit: enough for a credit line, bounded for output
CREDIT_CONTEXT_LEVELS = 3  # ancestors searched for a credit line near an image
SECTION_TAGS = frozenset(
    {"figure", "img", "picture", "section", "article", "header", "footer", "nav", "h1", "h2", "h3"}
)
NEARBY_TEXT_MAX = 800  # an ancestor with more text than this is a page section, not "near" it
CC_HOST = "creativecommons.org"
CREDIT_CLASS_WORDS = ("credit", "copyright", "photographer", "byline")

CREDIT_RE = re.compile(
    r"(?:^|[\s(\[|–—-])("
    r"(?:photo|photos|foto|fotos|fotografie|bild|bilder|image|picture|pic|quelle|source|"
    r"credit|credits|photographer|fotograf|crédit|crédits)"
    r"(?:\s+(?:credit|credits|oben|unten|above|below|top|links|rechts))?\s*[:©/]\s*\S.*"
    r"|(?:©|\(c\)|copyright)\s*\S.*"
    r")",
    re.IGNORECASE,
)
CREDIT_HINTS = ("photo", "foto", "bild", "image", "picture", "pic", "quelle", "source", "credit",
                "crédit", "©", "(c)", "copyright")  # fmt: skip
CREDIT_LINE_SPLIT_RE = re.compile(r"[\n|•·]+")
_CREDIT_HINT_RE = re.compile("|".join(map(re.escape, CREDIT_HINTS)))  # on lowered text
_STRING_VALUE = lxml.etree.XPath("string()")  # what lxml.html's text_content() evaluates
# elements (the context element or inside it, in document order) whose class names a credit;
# translate() lowers ASCII only, which is enough: no other character lowers to these words' letters
_CREDIT_CLASSED = lxml.etree.XPath(
    "descendant-or-self::*[@class][{}]".format(
        " or ".join(
            f"contains(translate(@class, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', "
            f"'abcdefghijklmnopqrstuvwxyz'), '{word}')"
            for word in CREDIT_CLASS_WORDS
        )
    )
)


def clean(text: str | None, limit: int = MAX_TEXT) -> str:
    return " ".join((text or "").split())[:limit]


def text_of(element) -> str:
    try:
        return clean(_STRING_VALUE(element))
    except ValueError:
        return ""


def text_of_full(element) -> str:
    """Visible text with line breaks kept (credit lines are usually their own line)."""
    try:
        return "\n".join(t.strip() for t in element.itertext() if t.strip())
    except ValueError:
        return ""


def _text_longer_than(element, limit: int) -> bool:
    """len(text_of_full(element)) > limit, reading no more text than it needs to."""
    length = -1  # the first piece has no "\n" before it
    try:
        for piece in element.itertext():
            piece = piece.strip()
            if piece:
                length += len(piece) + 1
                if length > limit:
                    return True
    except ValueError:
        return False
    return False


def find_credit(text: str) -> str:
    if not _CREDIT_HINT_RE.search(text.lower()):
        return ""  # no line can match: one search of the whole text instead of one per line
    for line in CREDIT_LINE_SPLIT_RE.split(text):
        if not _CREDIT_HINT_RE.search(line.lower()):
            continue  # cheap test first: the full pattern costs ~30 µs on a long paragraph
        match = CREDIT_RE.search(line)
        if match:
            found = clean(match.group(1))
            if found.count(")") > found.count("("):
                found = found.rstrip(")").rstrip()  # "(© Name)" in a caption
            found = found.rstrip(",;: ")
            return found
    return ""


def _classes(element) -> str:
    return (element.get("class") or "").lower()


def _has_other_image(element, img) -> bool:
    return any(other is not img for other in element.iter("img"))


def image_context(img) -> list:
    """The elements that belong to this image: its figure (or wp-caption box, or the largest
    ancestor holding no other image, up to CREDIT_CONTEXT_LEVELS), then up to two following
    siblings without images (credit lines and licence links usually follow the picture)."""
    container = img
    node = img.getparent()
    for _ in range(CREDIT_CONTEXT_LEVELS + 2):
        if node is None or node.tag in {"body", "html"} or _has_other_image(node, img):
            break
        if _text_longer_than(node, NEARBY_TEXT_MAX):
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
        if _text_longer_than(sibling, NEARBY_TEXT_MAX):
            break
        context.append(sibling)
        sibling = sibling.getnext()
    return context


def caption_and_credit(img) -> tuple[str, str, list]:
    """Caption (figcaption, WordPress wp-caption-text) and credit line near `img`, plus the
    context elements (see image_context) used to find an image-level licence link."""
    context = image_context(img)
    caption = ""
    for element in context[0].iter("figcaption", "p", "div", "span"):
        if element.tag == "figcaption" or "caption" in _classes(element):
            caption = text_of(element)
            break
    credit = find_credit(caption) if caption else ""
    if not credit:
        for element in context:
            for inner in _CREDIT_CLASSED(element):
                found = text_of(inner)
                if found:
                    credit = find_credit(found) or found
                    break
            credit = credit or find_credit(text_of_full(element))
            if credit:
                break
    return caption, credit, context


def licence_near(context: list, base: str) -> str:
    for element in context:
        for a in element.iter("a"):
            href = absolute_url(base, a.get("href"))
            if href and ("license" in (a.get("rel") or "").lower().split() or CC_HOST in href):
                return href
    return ""
