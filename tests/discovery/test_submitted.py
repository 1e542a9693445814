"""A page URL submitted by hand: fetch it, extract its images with context, fetch the images."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from fairclaim.discovery.errors import AddressRefused, WrongContentType
from fairclaim.discovery.fetch import DEFAULT_LIMITS
from fairclaim.discovery.submitted import fetch_page_sightings

LIMITS = replace(DEFAULT_LIMITS, total_timeout=3.0, max_bytes=2_000_000)
NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def test_returns_every_image_of_the_page_with_context_and_hashes(site):
    records = fetch_page_sightings(f"{site.base}/p/2", limits=LIMITS, allow_loopback=True, now=NOW)
    by_url = {r.image_url: r for r in records}
    own = by_url[f"{site.base}/img/2.jpg"]
    assert own.credit == "Foto: Erika Muster"
    assert own.first_seen == "2026-03-01T09:30:00Z"
    assert own.source == "manual"
    assert own.embedded_creator == "Erika Muster"
    assert own.embedded_copyright == "Copyright 2025 Erika Muster"
    assert (own.display_width, own.display_height) == (640, 480)
    assert own.image_width == 82
    assert own.language == "de"
    hotlinked = by_url["http://127.0.0.2:1/hotlinked-2.jpg"]
    assert hotlinked.hotlinked
    assert hotlinked.image_error == "connect"


def test_with_an_image_url_returns_only_that_image(site):
    (record,) = fetch_page_sightings(
        f"{site.base}/p/4", f"{site.base}/img/4.jpg", limits=LIMITS, allow_loopback=True, now=NOW
    )
    assert record.alt == "Motiv 4"
    assert record.sha256


def test_an_image_the_page_does_not_show_keeps_the_page_context(site):
    (record,) = fetch_page_sightings(
        f"{site.base}/p/4", f"{site.base}/img/9.jpg", limits=LIMITS, allow_loopback=True, now=NOW
    )
    assert record.kind == "submitted"
    assert record.imprint_url == f"{site.base}/impressum"
    assert record.sha256


def test_a_private_image_on_a_public_page_is_not_fetched(site):
    records = fetch_page_sightings(f"{site.base}/ssrf", limits=LIMITS, allow_loopback=True, now=NOW)
    errors = {r.image_url: r.image_error for r in records}
    assert errors["http://10.0.0.7/inside.jpg"] == "address_refused"
    assert errors["http://169.254.169.254/latest/meta-data.jpg"] == "address_refused"


def test_a_page_that_is_not_html_is_a_typed_error(site):
    with pytest.raises(WrongContentType):
        fetch_page_sightings(f"{site.base}/not-html", limits=LIMITS, allow_loopback=True)


def test_loopback_page_is_refused_without_the_flag(site):
    with pytest.raises(AddressRefused):
        fetch_page_sightings(f"{site.base}/p/1", limits=LIMITS)
