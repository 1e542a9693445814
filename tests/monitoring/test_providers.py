"""Reverse image search: a provider speaking TinEye's documented API (a local server) names
pages; each page is fetched for its context and recorded as a sighting of the work."""

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread

import pytest
from django.utils import timezone

from fairclaim.monitoring.models import Sighting
from fairclaim.monitoring.providers import claim_due_searches, do_search_providers
from fairclaim.works.models import Work
from tests.webserver import serving


@pytest.fixture
def site():
    routes = {
        "/blog/post": ("text/html", b'<html><body><figure><img src="/img/a.jpg" alt="A">'
                       b"<figcaption>Foto: Someone</figcaption></figure></body></html>"),
        "/img/a.jpg": ("image/jpeg", b"\xff\xd8\xff\xe0 not really decoded here"),
    }  # fmt: skip
    with serving(routes) as base:
        yield base


@pytest.fixture
def tineye(site):
    """Answers POST /rest/search/ like api.tineye.com; records what it was asked."""
    asked = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            asked.append((self.path, self.headers.get("x-api-key"), b"image_upload" in body))
            answer = {
                "code": 200, "messages": [], "stats": {},
                "results": {"matches": [{
                    "image_url": f"{site}/img/a.jpg", "domain": "127.0.0.1", "score": 88.1,
                    "width": 640, "height": 480,
                    "backlinks": [{"url": f"{site}/img/a.jpg", "backlink": f"{site}/blog/post",
                                   "crawl_date": "2026-10-01"}],
                }]},
            }  # fmt: skip
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", asked
    server.shutdown()
    server.server_close()


def test_a_provider_hit_becomes_a_sighting_with_page_context(cast, settings, tineye, site):
    base, asked = tineye
    settings.FAIRCLAIM_ALLOW_LOOPBACK = True
    settings.FAIRCLAIM_TINEYE_API_KEY = "test-key"
    settings.FAIRCLAIM_TINEYE_URL = base
    recorded = do_search_providers(cast.work.pk, timezone.now())
    assert asked == [("/rest/search/", "test-key", True)]
    [sighting] = recorded.new
    assert (sighting.page_url, sighting.image_url) == (f"{site}/blog/post", f"{site}/img/a.jpg")
    assert sighting.source == Sighting.Source.PROVIDER
    assert "Someone" in sighting.context["credit"]


def test_nothing_is_searched_without_an_api_key(cast, settings):
    settings.FAIRCLAIM_TINEYE_API_KEY = ""
    settings.FAIRCLAIM_GOOGLE_VISION_API_KEY = ""
    Work.objects.update(next_provider_search_at=timezone.now())
    assert claim_due_searches(timezone.now()) == []


def test_due_works_are_claimed_once_per_interval(cast, settings):
    settings.FAIRCLAIM_TINEYE_API_KEY = "k"
    now = timezone.now()
    Work.objects.update(next_provider_search_at=now)
    first = claim_due_searches(now)
    assert set(first) == set(Work.objects.values_list("pk", flat=True))
    assert claim_due_searches(now) == []
