"""Links that work: every link we send is on the one public base URL, the HTML mail has a real
button and a plain link, and its images travel as inline parts (`cid:`), never `data:` URIs."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from fairclaim.cases.sending import do_create_demand, do_send_notice
from fairclaim.links import demo_public_url
from tests.cases.sound import case_with_claim

PUBLIC = "http://127.0.0.1:8123"


@pytest.fixture(autouse=True)
def _site(evidence_site):
    """Every notice here needs the recipient's page, captured."""


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_mail_links_to_the_public_url_with_a_button_and_inline_images(
    cast, inbox, signing, settings, language
):
    settings.FAIRCLAIM_PUBLIC_URL = PUBLIC
    case = case_with_claim(
        cast, "de-send-shop-missing-credit.json", language=language, jurisdiction="DE"
    )
    notice = do_create_demand(case, now=timezone.now(), actor="manager")
    assert do_send_notice(notice.pk, timezone.now())
    [mail] = inbox.messages
    html = mail.get_body(("html",)).get_content()
    text = mail.get_body(("plain",)).get_content()
    assert "data:" not in html
    button = re.search(r'<a class="button" href="([^"]+)"', html)
    assert button, "the HTML mail has a button"
    link = button[1]
    assert link.startswith(f"{PUBLIC}/portal/link/")
    assert f'<a href="{link}">{link}</a>' in html  # the plain link beside it
    assert link in text
    assert ":8000" not in html + text
    ours = r"https?://[^\s<\"')/]+/(?:portal|verify|\.well-known)/[^\s<\"')]*"
    links = re.findall(ours, html + text)
    assert len(links) >= 4
    for url in links:
        assert url.startswith(PUBLIC), url
    # Every cid: the HTML names is an inline image part of the same multipart/related.
    cids = set(re.findall(r'src="cid:([^"]+)"', html))
    assert cids, "the QR code and thumbnails are inline images"
    parts = {
        part["Content-ID"].strip("<>"): part
        for part in mail.walk()
        if part["Content-ID"] is not None
    }
    assert cids <= set(parts)
    assert all(parts[c].get_content_type().startswith("image/") for c in cids)
    # The PDF is still the one attachment.
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    # The link opens the case (once).
    recipient = Client()
    opened = recipient.get(link.removeprefix(PUBLIC))
    assert opened.status_code == 302
    assert recipient.get(opened["Location"]).status_code == 200


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("127.0.0.1", 8100, "http://127.0.0.1:8100"),
        ("0.0.0.0", 9000, "http://127.0.0.1:9000"),  # noqa: S104  (a bind address, as given)
        ("demo.example", 80, "http://demo.example:80"),
        ("::1", 8100, "http://[::1]:8100"),
    ],
)
def test_the_demo_derives_its_public_url_from_host_and_port(host, port, url):
    assert demo_public_url(host, port) == url
