"""Who runs a site, as its pages show it: imprint / legal-notice / contact link, contact e-mail
addresses and the company name (JSON-LD Organization, a legal-form line, og:site_name).

Pure: an lxml tree in, an Imprint out. The regexes run only on short candidate lines.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import lxml.html

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


@dataclass(frozen=True)
class Imprint:
    """Who runs the site, as the page shows it: the addressee of a notice."""

    url: str = ""  # Impressum / imprint / legal notice, else contact page
    emails: tuple[str, ...] = ()
    company: str = ""


def _clean(text: str | None, limit: int) -> str:
    return " ".join((text or "").split())[:limit]


def extract_imprint(root: lxml.html.HtmlElement, base: str, body_text: str) -> Imprint:
    imprint_url = contact_url = ""
    emails: list[str] = []
    for a in root.iter("a"):
        href = a.get("href") or ""
        if href.lower().startswith("mailto:"):
            address = href[7:].split("?", 1)[0].strip()
            if address and address not in emails:
                emails.append(address)
            continue
        label = f"{a.text or ''} {a.get('title') or ''} {href}".lower()  # direct text: cheap
        if not imprint_url and any(word in label for word in IMPRINT_WORDS):
            imprint_url = absolute_url(base, href)
        elif not contact_url and any(word in label for word in CONTACT_WORDS):
            contact_url = absolute_url(base, href)
    # Regexes run only on the few lines that can match: whole-page scans cost ~10 ms a page.
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
        for line in lines:
            # a company line is short (footer, imprint); long paragraphs would cost ms each
            if len(line) <= COMPANY_LINE_MAX and COMPANY_HINT_RE.search(line):
                match = COMPANY_RE.search(line)
                if match:
                    company = _clean(match.group(1), 120)
                    break
    if not company:
        for meta in root.iter("meta"):
            if (meta.get("property") or "").lower() == "og:site_name":
                company = _clean(meta.get("content"), 120)
                break
    return Imprint(url=imprint_url or contact_url, emails=tuple(emails[:10]), company=company)


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
