"""Registrable domains (eTLD+1) by the Public Suffix List, private section included.

One definition for every part of fairclaim that asks "is this the same site?": the claim linter
(a rights holder's own sites, the whitelist, a licence's domains) and grouping recipients. The
private section matters: `anna.github.io` and `bob.github.io` are two sites, not one
`github.io` (product rule 9, docs/architecture.md: never group by a shared hosting suffix).

Pure: tldextract's snapshot of the list ships inside the package and is read once, on first use;
`suffix_list_urls=()` and `cache_dir=None` mean nothing is ever fetched or written at run time.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import suppress
from functools import lru_cache

from tldextract import TLDExtract


@lru_cache(maxsize=1)
def _extractor() -> TLDExtract:
    return TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


def _normalised(value: str) -> str:
    """Lower-case, no trailing dot, no path after a bare host, Unicode labels as punycode (so
    `münchen.de` and `xn--mnchen-3ya.de` are one site)."""
    text = value.strip().lower()
    if "//" not in text and "/" in text:
        text = text.split("/", 1)[0]
    if not text.isascii():
        # Not a valid IDN (e.g. a whole URL with a Unicode path): leave it to tldextract.
        with suppress(UnicodeError):
            text = text.encode("idna").decode("ascii")
    return text


def host_of(value: str) -> str:
    """The host name of a URL or a bare host (`https://Shop.Example.com:443/x` →
    `shop.example.com`), lower-case, without a trailing dot; '' when there is none."""
    parts = _extractor()(_normalised(value))
    host = parts.fqdn or parts.ipv4 or parts.ipv6
    if not host and not parts.suffix:
        # No listed suffix (localhost, an unlisted TLD such as .example): the name as written.
        host = ".".join(label for label in (parts.subdomain, parts.domain) if label)
    return host.rstrip(".")


@lru_cache(maxsize=65536)
def registrable_domain(value: str) -> str | None:
    """The registrable domain of a URL or host: `https://www.shop.example.co.uk/p` →
    `example.co.uk`, `https://anna.github.io/` → `anna.github.io`. An IP address or a
    single-label name (localhost) comes back as itself; an unlisted TLD (.example, .internal)
    counts as a public suffix, as the list's default rule "*" says; a bare public suffix
    (`github.io`, `co.uk`) or an empty value gives None, because it names no one's site."""
    text = _normalised(value).rstrip(".")
    if not text:
        return None
    parts = _extractor()(text)
    if parts.ipv4 or parts.ipv6:
        return parts.ipv4 or parts.ipv6
    if parts.top_domain_under_public_suffix:
        return parts.top_domain_under_public_suffix
    if parts.suffix:
        return None  # a bare public suffix
    # No rule of the list matches (an unlisted TLD such as .example or .internal): the list's
    # own algorithm then applies the default rule "*", so the last label is the suffix.
    labels = [label for label in f"{parts.subdomain}.{parts.domain}".split(".") if label]
    return ".".join(labels[-2:]) if labels else None


def same_site(a: str, b: str) -> bool:
    """Both URLs or hosts belong to one registrable domain (subdomains included)."""
    left = registrable_domain(a)
    return left is not None and left == registrable_domain(b)


def matching_domain(value: str, domains: Iterable[str]) -> str | None:
    """The first entry of `domains` on the same registrable domain as `value`, if any."""
    site = registrable_domain(value)
    if site is None:
        return None
    for domain in domains:
        if registrable_domain(domain) == site:
            return domain
    return None
