"""Links found on pages made absolute: http(s) URLs without fragments, srcset candidates.

Pure string work on the hot path of page extraction (most refs are absolute or root-relative).
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

_UNSAFE = frozenset("#\\ \t\n")  # characters that need urljoin's full treatment


@lru_cache(maxsize=4096)
def _origin(base: str) -> str:
    """The origin ("https://host:port") of an absolute http(s) base URL, or ""."""
    try:
        parts = urlsplit(base)
    except ValueError:
        return ""
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in {"http", "https"} else ""


def absolute_url(base: str, ref: str | None) -> str:
    """Absolute http(s) URL without fragment, or "" for data:, javascript:, empty or broken refs."""
    ref = (ref or "").strip()
    if not ref or ref.startswith(("data:", "javascript:", "mailto:", "tel:", "#", "about:")):
        return ""
    if ref[0] == "/" and ref[1:2] != "/" and "/." not in ref and not _UNSAFE.intersection(ref):
        origin = _origin(base)
        if origin:
            return origin + ref  # root-relative: the common case for site links (hot path)
    if ref.startswith(("http://", "https://", "//")) and not _UNSAFE.intersection(ref):
        start = ref.index("//") + 2
        host_end = ref.find("/", start)
        if host_end > start and "?" not in ref[start:host_end]:
            if ref[0] != "/":
                return ref  # already absolute: skip urljoin (hot path on link-heavy pages)
            origin = _origin(base)  # protocol-relative ("//cdn.shop.example/…"): CDNs use it
            if origin:
                return origin.split(":", 1)[0] + ":" + ref
    try:
        parts = urlsplit(urljoin(base, ref))
    except ValueError:
        return ""
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return ""
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def srcset_candidates(value: str | None) -> list[tuple[str, float]]:
    """Candidates of a srcset: (url, size) where size is the w or x descriptor (x scaled)."""
    out: list[tuple[str, float]] = []
    for candidate in (value or "").split(","):
        bits = candidate.strip().split()
        if not bits:
            continue
        size = 1.0
        if len(bits) > 1:
            descriptor = bits[1].lower()
            try:
                if descriptor.endswith("w"):
                    size = float(descriptor[:-1])
                elif descriptor.endswith("x"):
                    size = float(descriptor[:-1]) * 1000  # 2x outranks typical w values
            except ValueError:
                pass
        out.append((bits[0], size))
    return out
