"""Registrable domains (eTLD+1) and the hot-link test: is an image served from the page's own site?

The registrable domain is rules/domains.py's (the Public Suffix List with its private section, so
alice.github.io and bob.github.io are two sites); it never downloads the list at run time. Pure.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from fairclaim.rules.domains import registrable_domain as _registrable

__all__ = ["host_of", "is_hotlinked", "registrable_domain"]


def registrable_domain(host: str) -> str:
    """rules.domains.registrable_domain as a grouping key that is never None: a bare public suffix,
    an IP address or a single-label name stands for itself (discovery records and crawl scopes
    need a value for every host)."""
    return _registrable(host) or host.strip().lower().strip("[]").rstrip(".")


@lru_cache(maxsize=16384)  # a page's URL is asked for once per image on it
def host_of(url: str) -> str:
    if url.startswith(("https://", "http://")):
        # the common shape, without urlsplit: a printable ASCII host[:port] with no userinfo or
        # IPv6 brackets ends at the first "/", "?" or "#" (urlsplit's rules for this case)
        netloc = url[url.index("//") + 2 :]
        for stop in "/?#":
            netloc = netloc.split(stop, 1)[0]
        if netloc.isascii() and netloc.isprintable() and not any(c in netloc for c in "@[] "):
            return netloc.partition(":")[0].lower()
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def is_hotlinked(image_url: str, page_url: str) -> bool:
    """True when the image is served from another registrable domain than the page.

    A CDN on another domain (e.g. cdn.shopify.com for a shop) counts as hot-linked here: this
    states where the bytes come from; triage decides what that means.
    """
    image_host, page_host = host_of(image_url), host_of(page_url)
    if not image_host or not page_host:
        return False
    return registrable_domain(image_host) != registrable_domain(page_host)
