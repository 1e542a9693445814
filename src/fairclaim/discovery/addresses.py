"""Address policy: which IP addresses discovery may connect to, and name resolution behind it.

Every outbound connection (fetch(), the Scrapy crawl) resolves the host once, checks every address
with `check_address`, and connects to a checked address, so a name cannot resolve to a public
address for the check and a private one for the connection (DNS rebinding).
No Django, no network beyond `getaddrinfo`.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from fairclaim.discovery.errors import AddressRefused, DnsFailed

ALLOW_LOOPBACK_ENV = (
    "FAIRCLAIM_ALLOW_LOOPBACK"  # the CLI contract: "1" lets fetches reach 127.0.0.1
)

Resolver = Callable[[str, int], list[str]]
"""Resolves (host, port) to IP address strings; raises DnsFailed when the name does not resolve."""


def allow_loopback_from_env(environ: Mapping[str, str] | None = None) -> bool:
    """True when FAIRCLAIM_ALLOW_LOOPBACK is set to 1/true/yes (shells call this, not the cores)."""
    value = (environ if environ is not None else os.environ).get(ALLOW_LOOPBACK_ENV, "")
    return value.strip().lower() in {"1", "true", "yes", "on"}


def check_address(ip: str, *, allow_loopback: bool) -> None:
    """Raise AddressRefused unless `ip` is a public unicast address (loopback only if allowed)."""
    try:
        addr = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError as exc:
        raise AddressRefused(f"not an IP address: {ip!r}") from exc
    if isinstance(addr, ipaddress.IPv6Address):
        mapped = addr.ipv4_mapped or addr.sixtofour
        if mapped is not None:
            addr = mapped
    if addr.is_loopback:
        if allow_loopback:
            return
        raise AddressRefused(
            f"loopback address {addr} refused (set {ALLOW_LOOPBACK_ENV}=1 to allow)"
        )
    if addr.is_link_local:
        raise AddressRefused(f"link-local address {addr} refused")
    if addr.is_private and not addr.is_unspecified and not addr.is_reserved:
        raise AddressRefused(f"private address {addr} refused")
    if addr.is_private or addr.is_reserved or addr.is_multicast or addr.is_unspecified:
        raise AddressRefused(f"non-public address {addr} refused")
    if not addr.is_global:
        raise AddressRefused(f"non-global address {addr} refused")


def system_resolver(host: str, port: int) -> list[str]:
    """Resolve with the operating system (getaddrinfo), IPv4 and IPv6, in the order it returns."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise DnsFailed(f"{host}: {exc}") from exc
    seen: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        if sockaddr[0] not in seen:
            seen.append(str(sockaddr[0]))
    return seen


@dataclass(frozen=True)
class MappedResolver:
    """Answers names in `hosts` from the map (like curl's --resolve), others via `fallback`.

    The mapped addresses still pass through `check_address`: a map cannot open the policy.
    """

    hosts: Mapping[str, str]
    fallback: Resolver = field(default=system_resolver)

    def __call__(self, host: str, port: int) -> list[str]:
        mapped = self.hosts.get(host.lower())
        if mapped is not None:
            return [mapped]
        return self.fallback(host, port)


def parse_resolve_entries(entries: list[str]) -> dict[str, str]:
    """Parse HOST:IP (or HOST:PORT:IP, curl-style; the port is ignored) into a host map."""
    hosts: dict[str, str] = {}
    for entry in entries:
        parts = entry.split(":")
        if len(parts) < 2:
            raise ValueError(f"--resolve wants HOST:IP, got {entry!r}")
        host, ip = parts[0], ":".join(parts[2:] if len(parts) > 2 else parts[1:])
        ipaddress.ip_address(ip)  # raises ValueError naming the bad address
        hosts[host.lower()] = ip
    return hosts


def resolve_checked(
    host: str, port: int, *, allow_loopback: bool, resolver: Resolver = system_resolver
) -> str:
    """Resolve `host` and return the first address that passes the policy.

    IP literals are checked without resolution. If the name resolves only to refused addresses,
    AddressRefused names the first one; if some pass, the caller connects to the returned one.
    """
    host = host.strip("[]")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        addresses = resolver(host, port)
    else:
        addresses = [host]
    if not addresses:
        raise DnsFailed(f"{host}: no addresses")
    first_refusal: AddressRefused | None = None
    for ip in addresses:
        try:
            check_address(ip, allow_loopback=allow_loopback)
        except AddressRefused as exc:
            first_refusal = first_refusal or exc
            continue
        return ip
    assert first_refusal is not None
    raise AddressRefused(f"{host} resolves only to refused addresses: {first_refusal}")
