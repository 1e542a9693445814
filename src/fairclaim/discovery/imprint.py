"""Who runs a site, as its pages show it: imprint / legal-notice / contact link, contact e-mail
addresses and the company name (JSON-LD Organization, a legal-form line, og:site_name).

Pure: an lxml tree in, an Imprint out. The regexes run only on short candidate lines.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from fairclaim.discovery.links import absolute_url

EMAIL_RE = re.compile(r"[\w.%+-]+(?:@|\s?\[at\]\s?|\s?\(at\)\s?)[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
COMPANY_RE = re.compile(
    r"([A-ZÄÖÜ][\w&.,'\- ]{1,60}?\s(?:GmbH(?: & Co\. KG)?|UG(?: \(haftungsbeschränkt\))?|AG|KG|"
    r"e\.K\.|e\.V\.|Ltd\.?|Limited|LLC|Inc\.?|S\.?A\.?R\.?L\.?|SAS|S\.L\.|B\.V\.|N\.V\.|S\.p\.A\.|"
    r"S\.r\.l\.|Oy|AB|ApS|A/S|GbR|Corp\.?))(?![\w])"
)
COMPANY_HINT_RE = re.compile(
    r"(?:GmbH|\bUG\b|\bAG\b|\bKG\b|e\.[KV]\.|Ltd|Limited|LLC|Inc\b|S\.?A\.?R\.?L|\bSAS\b|"
    r"S\.L\.|B\.V\.|N\.V\.|S\.p\.A|S\.r\.l|\bOy\b|\bAB\b|ApS|A/S|GbR|Corp)"
)
# COMPANY_HINT_RE without its \b: a superset whose branches all start with a literal, so the
# regex engine skips ahead to candidate characters (~10x faster through text without a hint)
COMPANY_HINT_LITERAL_RE = re.compile(COMPANY_HINT_RE.pattern.replace(r"\b", ""))
COMPANY_LINE_MAX = 300  # chars
IMPRINT_WORDS = (
    "impressum",
    "imprint",
    "legal notice",
    "mentions légales",
    "mentions legales",
    "aviso legal",
    "note legali",
    "colofon",
    "legal",
)
CONTACT_WORDS = ("contact", "kontakt", "contacto", "contatti", "about us", "über uns")
IMPRINT_WORDS_RE = re.compile("|".join(map(re.escape, IMPRINT_WORDS)))
CONTACT_WORDS_RE = re.compile("|".join(map(re.escape, CONTACT_WORDS)))
EMAIL_HINTS = ("@", "(at)", "[at]")  # a line without one cannot hold an address


@dataclass(frozen=True)
class Imprint:
    """Who runs the site, as the page shows it: the addressee of a notice."""

    url: str = ""  # Impressum / imprint / legal notice, else contact page
    emails: tuple[str, ...] = ()
    company: str = ""


def _clean(text: str | None, limit: int) -> str:
    return " ".join((text or "").split())[:limit]


def extract_imprint(root, base: str, body_text: str, anchors: Iterable | None = None) -> Imprint:
    """`root`: the page's lxml root; `body_text`: its body's text nodes joined by newlines;
    `anchors`: its <a> elements in document order (all of them when None), or any subset that
    keeps every mailto: link and every <a> whose lowered label (text before the first child,
    title, href) contains one of IMPRINT_WORDS or CONTACT_WORDS."""
    imprint_url = contact_url = ""
    emails: list[str] = []
    for a in root.iter("a") if anchors is None else anchors:
        href = a.get("href") or ""
        if href.lower().startswith("mailto:"):
            address = href[7:].split("?", 1)[0].strip()
            if address and address not in emails:
                emails.append(address)
            continue
        label = f"{a.text or ''} {a.get('title') or ''} {href}".lower()  # direct text: cheap
        if not imprint_url and IMPRINT_WORDS_RE.search(label):
            imprint_url = absolute_url(base, href)
        elif not contact_url and CONTACT_WORDS_RE.search(label):
            contact_url = absolute_url(base, href)
    # Regexes run only on the few lines that can match: whole-page scans cost ~10 ms a page.
    if any(hint in body_text for hint in EMAIL_HINTS):
        lines = body_text.splitlines()
        email_lines = [ln for ln in lines if "@" in ln or "(at)" in ln or "[at]" in ln]
        for found in EMAIL_RE.findall("\n".join(email_lines)):
            address = re.sub(r"\s?[\[(]at[\])]\s?", "@", found)
            if address not in emails:
                emails.append(address)
    company = ""
    for script in root.iter("script"):
        if (script.get("type") or "").lower() == "application/ld+json":
            company = _jsonld_organisation(script.text or "")
            if company:
                break
    if not company:
        company = _company_line(body_text)
    if not company:
        for meta in root.iter("meta"):
            if (meta.get("property") or "").lower() == "og:site_name":
                company = _clean(meta.get("content"), 120)
                break
    return Imprint(url=imprint_url or contact_url, emails=tuple(emails[:10]), company=company)


def _company_line(text: str) -> str:
    """The company named on the first short line of `text` that carries a legal form."""
    # a company line is short (footer, imprint); long paragraphs would cost ms each (the hint
    # pattern is an alternation: it is slow to search through a long text). The short lines are
    # searched at once for the hint's literals, and only lines with one get the exact patterns.
    short = "\n".join([line for line in text.splitlines() if len(line) <= COMPANY_LINE_MAX])
    position = 0
    while found := COMPANY_HINT_LITERAL_RE.search(short, position):
        start = short.rfind("\n", 0, found.start()) + 1
        end = short.find("\n", found.end())
        end = len(short) if end < 0 else end
        line = short[start:end]
        if COMPANY_HINT_RE.search(line):
            match = COMPANY_RE.search(line)
            if match:
                return _clean(match.group(1), 120)
        position = end + 1
    return ""


def _jsonld_organisation(text: str) -> str:
    try:
        data = json.loads(text)
    except ValueError:
        return ""
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            kind = node.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if any(k in {"Organization", "LocalBusiness", "Corporation", "Store"} for k in kinds):
                name = node.get("legalName") or node.get("name")
                if isinstance(name, str) and name.strip():
                    return _clean(name, 120)
            stack.extend(v for v in node.values() if isinstance(v, dict | list))
    return ""
