"""fetch(): the one outbound HTTP function, against a real local server with hostile endpoints."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from fairclaim.discovery.addresses import MappedResolver
from fairclaim.discovery.errors import (
    AddressRefused,
    BadUrl,
    FetchTimeout,
    HttpStatus,
    TooLarge,
    TooManyPixels,
    TooManyRedirects,
    WrongContentType,
)
from fairclaim.discovery.fetch import DEFAULT_LIMITS, fetch

LIMITS = replace(DEFAULT_LIMITS, total_timeout=3.0, max_bytes=2_000_000)


def test_fetches_a_page_when_loopback_is_allowed(site):
    result = fetch(f"{site.base}/p/0", limits=LIMITS, allow_loopback=True, expect="html")
    assert result.status == 200
    assert result.is_html
    assert b"Foto: Erika Muster" in result.body
    assert result.ip == "127.0.0.1"


def test_refuses_loopback_without_the_flag_and_never_connects(site):
    before = len(site.hits)
    with pytest.raises(AddressRefused):
        fetch(f"{site.base}/p/0", limits=LIMITS)
    with pytest.raises(AddressRefused):
        fetch(f"http://localhost:{site.port}/p/0", limits=LIMITS)
    assert len(site.hits) == before


def test_refuses_name_resolving_to_private_address():
    resolver = MappedResolver({"intranet.test": "192.168.0.10"})
    with pytest.raises(AddressRefused, match=r"intranet\.test"):
        fetch("http://intranet.test/", limits=LIMITS, allow_loopback=True, resolver=resolver)


def test_connects_to_the_address_it_checked_without_resolving_again(site):
    answers = iter(["127.0.0.1", "10.0.0.1", "10.0.0.1"])  # a rebinding DNS server
    calls = []

    def rebinding(host, port):
        calls.append(host)
        return [next(answers)]

    result = fetch(
        f"http://rebind.test:{site.port}/echo-host",
        limits=LIMITS,
        allow_loopback=True,
        resolver=rebinding,
    )
    assert calls == ["rebind.test"]
    assert result.ip == "127.0.0.1"
    assert f"rebind.test:{site.port}".encode() in result.body  # Host header names the site


def test_redirect_to_a_private_address_is_refused(site):
    with pytest.raises(AddressRefused):
        fetch(f"{site.base}/redirect-private", limits=LIMITS, allow_loopback=True)


def test_follows_a_redirect_and_reports_it(site):
    result = fetch(f"{site.base}/redirect-ok", limits=LIMITS, allow_loopback=True)
    assert result.final_url.endswith("/p/1")
    assert result.redirects == (f"{site.base}/p/1",)


def test_redirect_loop_is_a_typed_error(site):
    with pytest.raises(TooManyRedirects):
        fetch(f"{site.base}/loop/a", limits=LIMITS, allow_loopback=True)


def test_gzip_bomb_stops_at_the_byte_cap(site):
    with pytest.raises(TooLarge, match="max_bytes=2000000"):
        fetch(f"{site.base}/bomb", limits=LIMITS, allow_loopback=True)


def test_gzip_page_is_decoded(site):
    result = fetch(f"{site.base}/gzip-page", limits=LIMITS, allow_loopback=True, expect="html")
    assert b"Beitrag 1" in result.body


def test_slow_drip_ends_at_the_total_timeout(site):
    limits = replace(LIMITS, total_timeout=1.5)
    started = time.monotonic()
    with pytest.raises(FetchTimeout, match=r"total_timeout=1\.5"):
        fetch(f"{site.base}/drip", limits=limits, allow_loopback=True)
    assert time.monotonic() - started < 4


def test_huge_image_is_refused_by_the_pixel_cap(site):
    with pytest.raises(TooManyPixels, match="max_pixels"):
        fetch(f"{site.base}/huge.png", limits=LIMITS, allow_loopback=True, expect="image")


def test_html_served_as_jpeg_is_a_content_type_error(site):
    with pytest.raises(WrongContentType, match="expected an image"):
        fetch(f"{site.base}/fake.jpg", limits=LIMITS, allow_loopback=True, expect="image")


def test_image_is_sniffed_from_its_bytes(site):
    result = fetch(f"{site.base}/img/3.jpg", limits=LIMITS, allow_loopback=True, expect="image")
    assert result.sniffed_type == "image/jpeg"
    assert len(result.sha256) == 64


def test_server_error_is_a_typed_error_with_the_status(site):
    with pytest.raises(HttpStatus) as caught:
        fetch(f"{site.base}/status/500", limits=LIMITS, allow_loopback=True)
    assert caught.value.status == 500


@pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd", "http:///nohost"])
def test_non_http_urls_are_refused(url):
    with pytest.raises(BadUrl):
        fetch(url, limits=LIMITS)
