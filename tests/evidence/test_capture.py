"""Real captures with Debian's Chromium of pages served on 127.0.0.1."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import datetime, timedelta

import numpy as np
import pytest
from PIL import Image
from warcio.archiveiterator import ArchiveIterator

from fairclaim.evidence.addresses import AddressRefused
from fairclaim.evidence.capture import CaptureError, CaptureTimeout
from fairclaim.evidence.retry import RetryPolicy
from fairclaim.evidence.timeline import build_timeline
from fairclaim.evidence.verify import verify_bundle

pytestmark = pytest.mark.browser
OUTLINE_PIXELS = 5_000  # a 4 px red frame around a 480x320 image has about 6,500 pixels


def read_member(path, name):
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def warc_records(path):
    data = read_member(path, "archive/data.warc.gz")
    records = []
    for record in ArchiveIterator(io.BytesIO(data)):
        records.append((record.rec_type, record.rec_headers, record.content_stream().read()))
    return records


def test_static_capture_records_page_status_headers_ip_title_and_image_bytes(site, static_capture):
    result, _ = static_capture
    manifest = result.manifest
    assert result.image_present is True
    assert manifest["image_present"] is True
    assert manifest["absence_reason"] is None
    page = manifest["page"]
    assert page["status"] == 200
    assert page["server_ip"] == "127.0.0.1"
    assert page["title"] == "Static page"
    assert ["Content-Type", "text/html; charset=utf-8"] in page["headers"]
    image = manifest["image"]
    assert image["status"] == 200
    assert image["sha256"] == hashlib.sha256(site.state.photo).hexdigest()
    assert image["bytes"] == len(site.state.photo)
    assert image["element"]["tag"] == "img"
    assert image["element"]["matched_by"] == "currentSrc"
    assert image["element"]["natural_width"] == 480
    assert "HeadlessChrome" not in manifest["user_agent"]
    assert manifest["user_agent"].startswith("Mozilla/5.0")
    assert manifest["software"]["name"] == "fairclaim"
    assert manifest["captured_at"].endswith("Z")
    assert manifest["page_url"] == site.url("/static.html")
    assert manifest["image_url"] == site.url("/photo.jpg")
    assert result.timestamped is True


def test_bundle_is_a_wacz_whose_datapackage_hashes_hold_and_lists_the_page(site, static_capture):
    _, path = static_capture
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        package = json.loads(archive.read("datapackage.json"))
        digest = json.loads(archive.read("datapackage-digest.json"))
        assert (
            digest["hash"]
            == "sha256:" + hashlib.sha256(archive.read("datapackage.json")).hexdigest()
        )
        assert package["profile"] == "data-package"
        assert package["wacz_version"] == "1.1.1"
        listed = {entry["path"]: entry for entry in package["resources"]}
        assert set(listed) == names - {"datapackage.json", "datapackage-digest.json"}
        for name, entry in listed.items():
            data = archive.read(name)
            assert entry["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
            assert entry["bytes"] == len(data)
        assert archive.getinfo("archive/data.warc.gz").compress_type == zipfile.ZIP_STORED
        pages = [json.loads(line) for line in archive.read("pages/pages.jsonl").splitlines()]
        index = archive.read("indexes/index.cdx").decode().splitlines()
    assert pages[0]["format"] == "json-pages-1.0"
    assert pages[1]["url"] == site.url("/static.html")
    assert pages[1]["title"] == "Static page"
    assert any(json.loads(line.split(" ", 2)[2])["url"] == site.url("/photo.jpg") for line in index)
    assert {"archive/data.warc.gz", "indexes/index.cdx", "fairclaim/manifest.tsr"} <= names


def test_warc_holds_page_and_image_responses_with_requests_screenshots_and_dom(
    site, static_capture
):
    _, path = static_capture
    records = warc_records(path)
    kinds = [kind for kind, _, _ in records]
    assert kinds[0] == "warcinfo"
    responses = {
        h.get_header("WARC-Target-URI"): (h, body) for k, h, body in records if k == "response"
    }
    page_headers, page_body = responses[site.url("/static.html")]
    assert b"Our team" in page_body
    assert page_headers.get_header("WARC-IP-Address") == "127.0.0.1"
    image_headers, image_body = responses[site.url("/photo.jpg")]
    assert image_body == site.state.photo
    requests = [h for k, h, _ in records if k == "request"]
    assert {h.get_header("WARC-Concurrent-To") for h in requests} >= {
        page_headers.get_header("WARC-Record-ID"),
        image_headers.get_header("WARC-Record-ID"),
    }
    resources = {h.get_header("WARC-Target-URI"): body for k, h, body in records if k == "resource"}
    assert resources["urn:view:" + site.url("/static.html")] == read_member(
        path, "fairclaim/screenshot-full.png"
    )
    assert b"Our team" in resources["urn:fairclaim:dom:" + site.url("/static.html")]
    assert "metadata" in kinds


def red_pixels(png: bytes) -> int:
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    red = (pixels[..., 0] > 220) & (pixels[..., 1] < 40) & (pixels[..., 2] < 40)
    return int(red.sum())


def test_viewport_screenshot_outlines_the_image_and_full_page_does_not(static_capture):
    _, path = static_capture
    full = read_member(path, "fairclaim/screenshot-full.png")
    viewport = read_member(path, "fairclaim/screenshot-viewport.png")
    assert Image.open(io.BytesIO(viewport)).size == (1280, 800)
    # The photo has a few red pixels of its own; the 4 px outline around 480x320 adds ~6,500.
    assert red_pixels(viewport) - red_pixels(full) > OUTLINE_PIXELS


def test_untouched_bundle_verifies_with_timestamp(static_capture, signer):
    _, path = static_capture
    verification = verify_bundle(path, signer.private_key.public_key())
    assert verification.ok, verification.lines()
    assert verification.key_id == signer.key_id
    parts = {check.part for check in verification.checks}
    assert "timestamp (fairclaim/manifest.tsr)" in parts
    assert "signature (fairclaim/manifest.sig.json)" in parts


def test_javascript_rendered_image_is_found_by_srcset(site, capture):
    result, path = capture(site, "/js.html", "/photo.jpg", "js")
    assert result.image_present is True
    assert result.manifest["image"]["element"]["matched_by"] in ("currentSrc", "srcset")
    assert result.manifest["page"]["title"] == "Gallery (rendered)"
    assert b"rendered photo" in read_member(path, "fairclaim/dom.html")
    assert result.manifest["image"]["sha256"] == hashlib.sha256(site.state.photo).hexdigest()
    assert verify_bundle(path, trust_any_key=True).ok


def test_lazy_background_image_far_below_the_fold_is_loaded_and_found(site, capture):
    result, path = capture(site, "/lazy.html", "/photo-lazy.jpg", "lazy")
    assert result.image_present is True
    element = result.manifest["image"]["element"]
    assert element["matched_by"] == "background-image"
    assert element["y"] > 4000
    assert result.manifest["image"]["sha256"] == hashlib.sha256(site.state.lazy_photo).hexdigest()
    assert red_pixels(read_member(path, "fairclaim/screenshot-viewport.png")) > OUTLINE_PIXELS


def test_redirected_page_and_image_are_followed_and_recorded(site, capture):
    result, path = capture(site, "/old-cdn.html", "/moved.jpg", "redirects")
    manifest = result.manifest
    assert result.image_present is True
    assert manifest["page"]["final_url"] == site.url("/cdn.html")
    assert manifest["page"]["status"] == 200
    assert manifest["image"]["response_url"] == site.url("/photo.jpg")
    assert manifest["image"]["sha256"] == hashlib.sha256(site.state.photo).hexdigest()
    statuses = {
        h.get_header("WARC-Target-URI"): h for k, h, _ in warc_records(path) if k == "response"
    }
    assert {site.url("/old-cdn.html"), site.url("/moved.jpg")} <= set(statuses)
    assert verify_bundle(path, trust_any_key=True).ok


def test_srcset_candidate_the_browser_skipped_is_fetched_directly(site, capture):
    result, path = capture(site, "/retina.html", "/moved2x.jpg", "retina")
    image = result.manifest["image"]
    assert result.image_present is True
    assert image["element"]["matched_by"] == "srcset"
    assert image["source"].startswith("direct fetch")
    assert image["response_url"] == site.url("/photo.jpg")  # followed the 302 by hand
    assert image["sha256"] == hashlib.sha256(site.state.photo).hexdigest()
    assert verify_bundle(path, trust_any_key=True).ok


def test_page_answering_404_is_recorded_as_image_absent(site, capture):
    result, path = capture(site, "/gone.html", "/photo.jpg", "gone")
    assert result.image_present is False
    assert result.page_status == 404
    assert result.manifest["image_present"] is False
    assert "HTTP 404" in result.manifest["absence_reason"]
    assert verify_bundle(path, trust_any_key=True).ok


def test_image_removed_between_two_captures_shows_in_timeline(site, capture):
    site.state.toggle_on = True
    first, _ = capture(site, "/toggle.html", "/toggle.jpg", "toggle-1")
    site.state.toggle_on = False
    try:
        second, second_path = capture(site, "/toggle.html", "/toggle.jpg", "toggle-2")
    finally:
        site.state.toggle_on = True
    assert first.image_present is True
    assert second.image_present is False
    assert "no longer shows the image" in second.absence_reason
    assert second.manifest["image"]["status"] == 404  # fetched directly: the URL is gone too
    timeline = build_timeline([second.summary(), first.summary()])
    assert timeline.status == "removed"
    assert timeline.first_seen == first.captured_at
    assert timeline.removed_at == second.captured_at
    assert timeline.removal_reason == second.absence_reason
    assert verify_bundle(second_path, trust_any_key=True).ok


def test_image_still_served_but_no_longer_on_the_page_is_absent_with_its_bytes(site, capture):
    result, path = capture(site, "/unlinked.html", "/photo.jpg", "unlinked")
    image = result.manifest["image"]
    assert result.image_present is False
    assert "no longer shows the image" in result.absence_reason
    assert image["status"] == 200
    assert image["sha256"] == hashlib.sha256(site.state.photo).hexdigest()
    assert image["element"] is None
    assert verify_bundle(path, trust_any_key=True).ok


def test_page_load_timeout_raises_and_leaves_no_bundle(site, capture):
    with pytest.raises(CaptureTimeout):
        capture(site, "/stall.html", "/photo.jpg", "stall", timeout=1.0)
    folder = capture.folder
    assert not (folder / "stall.wacz").exists()
    assert not list(folder.glob(".stall.wacz.*"))


# Chromium itself retries a dropped connection once, so a load fails after two drops.
DROPS_PER_FAILED_LOAD = 2


def test_dropped_connection_is_retried_with_backoff(site, capture):
    site.state.flaky_dropped = 0
    site.state.flaky_drops = DROPS_PER_FAILED_LOAD
    result, _ = capture(site, "/flaky.html", "/photo.jpg", "flaky")
    assert site.state.flaky_dropped == DROPS_PER_FAILED_LOAD
    assert result.image_present is True


def test_dropped_connection_without_retries_fails_cleanly(site, capture):
    site.state.flaky_drops = DROPS_PER_FAILED_LOAD
    with pytest.raises(CaptureError, match="ERR_EMPTY_RESPONSE"):
        capture(site, "/flaky.html", "/photo.jpg", "flaky-once", retry=RetryPolicy(attempts=1))
    assert not (capture.folder / "flaky-once.wacz").exists()


def test_rendering_blocks_requests_to_private_and_link_local_addresses(site, capture):
    result, path = capture(site, "/hostile.html", "/photo.jpg", "hostile")
    blocked = {entry["url"]: entry["reason"] for entry in result.manifest["blocked_requests"]}
    assert "link-local" in blocked["http://169.254.169.254/latest/meta-data.png"]
    assert "private" in blocked["http://10.1.2.3/internal.png"]
    targets = {h.get_header("WARC-Target-URI") for _, h, _ in warc_records(path)}
    assert "http://169.254.169.254/latest/meta-data.png" not in targets
    assert result.image_present is True


def test_refuses_loopback_page_unless_allowed_before_any_request(site, capture, monkeypatch):
    monkeypatch.delenv("FAIRCLAIM_ALLOW_LOOPBACK", raising=False)
    hits = len(site.state.hits)
    with pytest.raises(AddressRefused, match="loopback"):
        capture(site, "/static.html", "/photo.jpg", "refused", allow_loopback=None)
    assert len(site.state.hits) == hits


def test_timestamp_time_is_close_to_the_capture_time(static_capture):
    result, path = static_capture
    stamped = datetime.fromisoformat(verify_bundle(path, trust_any_key=True).info["timestamp"])
    assert abs(stamped - result.captured_at) < timedelta(minutes=1)
