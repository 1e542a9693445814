"""Registrable domains: who owns a host name, by the Public Suffix List with its private section.

`alice.github.io` and `bob.github.io` are two different sites with two different owners, because
`github.io` is a suffix under which anyone may register (the list's private section names these
platforms: github.io, blogspot.com, myshopify.com, netlify.app, pages.dev ...). Recipients are
grouped by this value, so collapsing them to the platform would put strangers into one case.

The list is publicsuffixlist's bundled snapshot (updated with the dependency, never fetched at run
time). Pure: no Django, no network, no clock.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from publicsuffixlist import PublicSuffixList

_PSL = PublicSuffixList(only_icann=False)  # only_icann=False: the private section counts too


@lru_cache(maxsize=65536)
def registrable_domain(host: str) -> str:
    """The registrable domain (eTLD+1) of `host`, lower-case.

    "www.shop.example.co.uk" -> "example.co.uk"; "alice.github.io" -> "alice.github.io".
    IP addresses, bare names and public suffixes themselves come back as given (normalised).
    """
    host = host.strip().lower().strip("[]").rstrip(".")
    if not host:
        return host
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    else:
        return host
    return _PSL.privatesuffix(host) or host
