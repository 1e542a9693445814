"""Who is asking: the client address a request came from, as throttles should count it.

Behind a reverse proxy every request arrives from the proxy's address, so counting failures by
REMOTE_ADDR would let one stranger lock out every visitor. When the request comes from a trusted
proxy (FAIRCLAIM_TRUSTED_PROXIES), the client is the nearest address in X-Forwarded-For that is not
itself a trusted proxy; a client cannot forge its way past that, because everything to the left
of it was written by the client. IPv6 clients are counted per /64: one subscriber line gets a
whole /64 and could otherwise try from 2**64 addresses.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

IPV6_PREFIX = 64  # the allocation a single subscriber line gets


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip().strip('"')
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_address(request) -> str:
    """The client's address for throttling: an IPv4 address or an IPv6 /64 in CIDR form."""
    trusted = _networks(tuple(settings.FAIRCLAIM_TRUSTED_PROXIES))
    peer = _parse(request.META.get("REMOTE_ADDR", ""))
    client = peer
    if peer is not None and any(peer in network for network in trusted):
        hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        for hop in reversed(hops):
            address = _parse(hop)
            if address is None:
                break  # garbage from here leftwards was written by the client
            client = address
            if not any(address in network for network in trusted):
                break
    if client is None:
        return ""
    if isinstance(client, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{client}/{IPV6_PREFIX}", strict=False))
    return str(client)
