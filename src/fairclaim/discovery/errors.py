"""Typed errors of the discovery package.

Every failure a hostile or broken source can cause is one of these, with a short `kind` used as the
key of the error counts a scan reports (pages, images, errors by kind). No I/O here.
"""

from __future__ import annotations


class DiscoveryError(Exception):
    """Base class: `kind` names the problem in scan counts; the message names the limit or cause."""

    kind = "error"


class BadUrl(DiscoveryError):
    """The URL is not an absolute http(s) URL with a host."""

    kind = "bad_url"


class AddressRefused(DiscoveryError):
    """The host resolves to a private, loopback, link-local or otherwise non-public address."""

    kind = "address_refused"


class DnsFailed(DiscoveryError):
    """The host name did not resolve."""

    kind = "dns"


class ConnectFailed(DiscoveryError):
    """The TCP/TLS connection failed or was dropped mid-response."""

    kind = "connect"


class FetchTimeout(DiscoveryError):
    """A response did not complete within the total time budget (also catches slow-drip servers)."""

    kind = "timeout"


class TooLarge(DiscoveryError):
    """The body (after decompression) passed the byte cap; names the cap."""

    kind = "too_large"


class TooManyRedirects(DiscoveryError):
    """More redirects than allowed, or a redirect loop."""

    kind = "redirects"


class HttpStatus(DiscoveryError):
    """The server answered with a non-2xx status."""

    kind = "http_status"

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class WrongContentType(DiscoveryError):
    """The body is not of the kind asked for (e.g. HTML served where an image was expected)."""

    kind = "content_type"


class BadEncoding(DiscoveryError):
    """The Content-Encoding could not be decoded (broken gzip/deflate stream)."""

    kind = "decoding"


class TooManyPixels(DiscoveryError):
    """An image declares more pixels than the pixel cap (decompression-bomb guard)."""

    kind = "too_many_pixels"


class BadImage(DiscoveryError):
    """The bytes are not a decodable image."""

    kind = "bad_image"


class BrokenRecord(DiscoveryError):
    """A WARC record could not be read (truncated, corrupted, digest mismatch)."""

    kind = "warc_record"


class ProviderError(DiscoveryError):
    """A reverse-image-search provider refused the request or answered in an unexpected shape."""

    kind = "provider"
