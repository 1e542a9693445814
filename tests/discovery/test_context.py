"""Page-context extraction on real-world-shaped markup (WordPress, Shopify) and broken HTML."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from fairclaim.discovery.context import decode_html, extract_page, may_show_images
from fairclaim.discovery.records import sightings_from_page

FIXTURES = Path(__file__).parent / "fixtures"
WP_URL = "https://alpenglühen.example/2024/06/koenigssee/"
SHOP_URL = "https://harbourandpine.example/products/linen-tote-bag"
UPLOADS = "https://alpenglühen.example/wp-content/uploads"


@pytest.fixture(scope="module")
def wordpress():
    return extract_page((FIXTURES / "wordpress.html").read_bytes(), WP_URL)


@pytest.fixture(scope="module")
def shopify():
    return extract_page((FIXTURES / "shopify.html").read_bytes(), SHOP_URL)


def by_url(page):
    return {image.url: image for image in page.images}


def test_wordpress_figure_gives_largest_srcset_candidate_alt_caption_and_credit(wordpress):
    image = by_url(wordpress)[f"{UPLOADS}/2024/06/koenigssee-2048x1365.jpg"]
    assert image.kind == "img"
    assert image.alt == "Blick über den Königssee auf St. Bartholomä"
    assert image.caption == "St. Bartholomä am Morgen. Foto: Erika Musterfrau"
    assert image.credit == "Foto: Erika Musterfrau"
    assert (image.width, image.height) == (1024, 683)
    assert f"{UPLOADS}/2024/06/koenigssee-300x200.jpg" in image.alternates


def test_lazy_loaded_image_behind_a_placeholder_is_found_with_its_copyright_caption(wordpress):
    image = by_url(wordpress)[f"{UPLOADS}/2024/06/saletalm.jpg"]
    assert image.credit == "© Hans Beispiel / Bildagentur Alpen"
    assert f"{UPLOADS}/2024/06/saletalm-600x400.jpg" in image.alternates


def test_credit_and_licence_link_after_an_image_belong_to_that_image_only(wordpress):
    images = by_url(wordpress)
    obersee = images["https://images.stockfotos.example/photos/obersee-wasserfall.jpg"]
    assert obersee.credit == "Bild oben: Max Mustermann"
    assert obersee.licence_url == "https://creativecommons.org/licenses/by-sa/4.0/deed.de"
    assert images[f"{UPLOADS}/2024/06/koenigssee-2048x1365.jpg"].licence_url == ""


def test_css_backgrounds_meta_images_and_linked_files_are_found(wordpress):
    kinds = {image.url: image.kind for image in wordpress.images}
    assert kinds[f"{UPLOADS}/2024/06/watzmann-panorama.jpg"] == "css"  # inline style
    assert kinds[f"{UPLOADS}/2024/01/header-berge.jpg"] == "css"  # same-page <style>
    assert kinds[f"{UPLOADS}/2024/06/koenigssee-1200x630.jpg"] == "meta"  # og:image
    assert kinds[f"{UPLOADS}/2024/06/koenigssee-twitter.jpg"] == "meta"  # twitter:image
    assert kinds[f"{UPLOADS}/2024/06/watzmann-panorama-full.jpg"] == "link"


def test_wordpress_page_facts_name_the_notice_recipient(wordpress):
    assert wordpress.language == "de-DE"
    assert wordpress.imprint.url == "https://alpenglühen.example/impressum/"
    assert wordpress.imprint.company == "Alpenglühen Medien UG (haftungsbeschränkt)"
    assert wordpress.imprint.emails == ("redaktion@alpenglühen.example",)
    assert wordpress.licence_urls == ("https://creativecommons.org/licenses/by-sa/4.0/deed.de",)


def test_site_footer_copyright_is_not_taken_as_a_photo_credit(wordpress):
    assert all("Reiseblog" not in image.credit for image in wordpress.images)


def test_shopify_picture_sources_and_protocol_relative_urls(shopify):
    images = by_url(shopify)
    lifestyle = images["https://cdn.shopify.com/s/files/1/0123/4567/files/tote-lifestyle_1500x.jpg"]
    assert lifestyle.kind == "picture"
    assert lifestyle.alt == "Model carrying the tote in a market"
    front = "https://harbourandpine.example/cdn/shop/files/tote-front.jpg?v=1700000000&width=1946"
    assert images[front].width == 973
    assert "https://harbourandpine.example/cdn/shop/files/banner-linen.jpg?v=1" in images


def test_shopify_credit_paragraph_and_legal_notice(shopify):
    sunset = by_url(shopify)["https://i.pinimg.example/originals/aa/bb/cc/harbour-sunset.jpg"]
    assert sunset.credit == "Photo credit: Jamie Example Photography"
    assert shopify.imprint.url == "https://harbourandpine.example/policies/legal-notice"
    assert shopify.imprint.company == "Harbour and Pine Trading Ltd"
    assert shopify.imprint.emails == ("hello@harbourandpine.example",)
    assert shopify.language == "en"


def test_sightings_mark_hotlinked_images_and_carry_page_context(shopify):
    records = {
        r.image_url: r
        for r in sightings_from_page(shopify, first_seen="2026-01-02T03:04:05Z", source="crawl")
    }
    cdn = records["https://cdn.shopify.com/s/files/1/0123/4567/files/tote-lifestyle_1500x.jpg"]
    assert cdn.hotlinked is True
    own = records["https://harbourandpine.example/cdn/shop/files/banner-linen.jpg?v=1"]
    assert own.hotlinked is False
    assert own.imprint_url.endswith("/policies/legal-notice")
    assert own.first_seen == "2026-01-02T03:04:05Z"
    assert set(own.to_dict()) >= {
        "image_url",
        "page_url",
        "alt",
        "credit",
        "licence_url",
        "hotlinked",
        "first_seen",
    }


def test_subdomains_share_a_registrable_domain():
    page = extract_page(
        b'<html><body><img src="https://static.news.co.uk/a.jpg"></body></html>',
        "https://www.news.co.uk/story",
    )
    (record,) = sightings_from_page(page, first_seen="2026-01-01T00:00:00Z", source="manual")
    assert record.hotlinked is False
    assert record.page_domain == "news.co.uk"


@pytest.mark.parametrize(
    "html",
    [
        b"",
        b"\x00\xff\xfe\x00",
        b"<html><body><img src='/a.jpg' alt='x'<p>unclosed <b><i></div></span><<<>>>",
        b"<?xml version='1.0' encoding='utf-8'?><html><body><img src='/a.jpg'></body></html>",
        b"<img src=javascript:alert(1)><img src='data:image/png;base64,AAA'><img src='http://[::1'>",
        b"<html>" + b"<div>" * 5000 + b"<img src=/deep.jpg>",
    ],
)
def test_malformed_html_never_raises(html):
    page = extract_page(html, "http://example.com/")
    assert all(image.url.startswith("http") for image in page.images)


def test_charset_from_meta_is_honoured():
    html = (
        '<html><head><meta charset="iso-8859-1"></head>'
        '<body><img src=a.jpg alt="Grüße"></body></html>'
    )
    page = extract_page(html.encode("iso-8859-1"), "http://example.com/")
    assert page.images[0].alt == "Grüße"


# Pages whose only image is written in a way a naive byte test would miss.
TRICKY_IMAGE_PAGES = {
    "uppercase tags": b"<HTML><BODY><IMG SRC=/upper.jpg></BODY></HTML>",
    "srcset only": b"<body><img srcset='/a-1x.jpg 1x, /a-2x.jpg 2x'></body>",
    "data-src only": b"<body><img data-src=/lazy.jpg></body>",
    "inline background-image": b"<body><div style=\"background-image:url('/bg.jpg')\">x</div>",
    "uppercase css": b"<body><STYLE>.x{BACKGROUND:URL(/s.gif)}</STYLE><p>x</p></body>",
    "og:image": b'<head><meta property="og:image" content="/og.jpg"></head><body>x</body>',
    "image_src link": b"<head><LINK REL=image_src HREF=/share.png></head>",
    "link to a file, newline after <A": b"<body><A\nHREF=/big.JPG>big</A></body>",
    "entity-spelled url(": b'<body><div style="background:u&#114;l(/e.png)">x</div></body>',
    "entity-spelled og:image": b'<head><meta property="og:im&#97;ge" content="/og.jpg"></head>',
    "utf-16": "<html><body><img src=/u16.jpg></body></html>".encode("utf-16"),
}


@pytest.mark.parametrize("html", TRICKY_IMAGE_PAGES.values(), ids=TRICKY_IMAGE_PAGES.keys())
def test_pre_check_never_rules_out_a_page_that_shows_an_image(html):
    assert extract_page(html, "http://example.com/p").images
    assert may_show_images(decode_html(html))


@pytest.mark.parametrize("name", ["wordpress.html", "shopify.html"])
def test_pre_check_passes_the_real_world_fixtures(name):
    assert may_show_images(decode_html((FIXTURES / name).read_bytes()))


def test_pre_check_rules_out_plain_text_pages():
    html = b"<html><head><title>News</title></head><body><p>Only words &amp; more.</p></body>"
    assert not extract_page(html, "http://example.com/").images
    assert not may_show_images(decode_html(html))


LINKED_PAGE = (
    "<html><head>{head}</head><body><p>Text <a href='/p/2'>next</a></p>"
    "<a href='?size=large'>full size</a>"
    "<a href='https://creative\tcommons.org/publicdomain/zero/1.0/'>CC0</a>"
    "<a href='/rights' rel='LICENSE'>rights</a>"
    "<a href='/files/Photo.JPG?x=1'>photo</a>"
    "<a href='MAILTO:info@example.com'>mail</a>"
    "<a href='/about'><b>x</b></a><a href='/kontakt-seite'>Team</a>"
    "<a href='/site-notice' title='Mentions Légales'>§</a>"
    "<footer>Beispiel GmbH</footer></body></html>"
)
BASES = [
    "http://example.com/",
    "http://example.com/gallery/photo.jpg",  # "?size=large" is then a link to an image
    "https://creativecommons.org/about/",  # every link on the page is then a CC link
]


@pytest.mark.parametrize(
    ("html", "url"),
    [
        *((LINKED_PAGE.format(head=""), base) for base in BASES),
        *(
            (LINKED_PAGE.format(head=f"<base href='{base}'>"), "http://o.example/")
            for base in BASES
        ),
        ((FIXTURES / "wordpress.html").read_bytes(), WP_URL),
        ((FIXTURES / "shopify.html").read_bytes(), SHOP_URL),
    ],
)
def test_page_without_crawl_links_has_the_same_images_licences_and_imprint(html, url):
    with_links = extract_page(html, url)
    without = extract_page(html, url, links=False)
    assert without.links == ()
    assert without == replace(with_links, links=())


def _random_texts(alphabet: list[str], count: int, seed: int) -> list[str]:
    import random

    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14))) for _ in range(count)]


def test_stylesheet_background_search_equals_the_declaration_pattern():
    """_background_refs looks only around each url( for speed: it must find exactly what the
    declaration pattern finds over the whole stylesheet, however the pieces fall."""
    from fairclaim.discovery.context import CSS_BG_DECL_RE, CSS_URL_RE, _background_refs

    pieces = ["background", "BackGround", "-image", ":", ";", "}", "{", "url(", "URL(", ")"]
    pieces += ["'", '"', " ", "\n", "a.jpg", "background-color:", "data:image/png;base64,A", "é"]
    for css in _random_texts(pieces, 20_000, seed=3):
        expected = [ref for d in CSS_BG_DECL_RE.findall(css) for _q, ref in CSS_URL_RE.findall(d)]
        assert _background_refs(css) == expected, css


def test_host_of_agrees_with_urlsplit():
    from urllib.parse import urlsplit

    from fairclaim.discovery.domains import host_of

    def reference(url: str) -> str:
        try:
            return (urlsplit(url).hostname or "").lower()
        except ValueError:
            return ""

    pieces = ["a", "B", ".", ":", "/", "?", "#", "@", "[", "]", " ", "\t", "%", "\\", "é", "8"]
    for tail in _random_texts(pieces, 20_000, seed=4):
        for url in ("http://" + tail, "https://" + tail):
            assert host_of.__wrapped__(url) == reference(url), url


ART_DIRECTED = b"""<!doctype html><html><body><picture>
<source media="(max-width: 600px)" srcset="/img/square-600.jpg 600w, /img/square-300.jpg 300w">
<source type="image/webp" srcset="/img/wide.webp 1000w">
<img src="/img/wide-800.jpg" srcset="/img/wide-1200.jpg 1200w, /img/wide-800.jpg 800w" alt="x">
</picture><img src="/img/plain.jpg" srcset="/img/plain-2x.jpg 2x"></body></html>"""


def test_picture_names_art_directed_renditions_apart_from_sizes_and_formats():
    page = extract_page(ART_DIRECTED, "https://example.test/page")
    images = by_url(page)
    wide = images["https://example.test/img/wide-1200.jpg"]
    # the media-selected source may be another crop or picture: matching looks at it too
    assert wide.art_directed == ("https://example.test/img/square-600.jpg",)
    # a type-only source and srcset widths are the same picture: alternates only
    assert "https://example.test/img/wide.webp" in wide.alternates
    assert images["https://example.test/img/plain-2x.jpg"].art_directed == ()
    (record,) = [
        r
        for r in sightings_from_page(page, first_seen="2026-01-02T03:04:05Z", source="crawl")
        if r.image_url.endswith("wide-1200.jpg")
    ]
    assert record.to_dict()["art_directed"] == ["https://example.test/img/square-600.jpg"]
