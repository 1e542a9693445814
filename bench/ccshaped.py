"""A Common Crawl-shaped WARC.gz for the discovery benchmarks: what a crawl archive holds, not
prose pages alone.

Per capture, as in CC-MAIN files: a request record, the response record and a metadata record,
one gzip member each, after a warcinfo record. Responses are mostly full HTML pages in the
shapes the web has (a WordPress post with its theme's inline CSS, JSON-LD, menus, sidebar and
comments; a Shopify-like product page with <picture> and srcset; a news article with lazy
images), 40-160 KB each; some are redirects, not-found pages, feeds and PDFs, which a scan skips.
Text is drawn from a made-up lexicon (so it compresses like prose, ~3x) and every page differs.
Deterministic for a seed.

    write_cc_unit(path, target_bytes)  # used by discovery_warc.py and discovery_dask.py
"""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

_SYLLABLES = ["ka", "ri", "mo", "ten", "sul", "ber", "ga", "lin", "dor", "fe", "zu", "an", "ex"]
WORDS = ["".join(random.Random(i).choices(_SYLLABLES, k=1 + i % 4)) for i in range(3000)]
LANGS = ("de-DE", "en-US", "fr-FR", "en-GB", "nl-NL")
SITES = 400  # distinct sites; a site keeps its theme, menus and imprint across its pages


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _theme_css(site: int) -> str:
    """A theme's inline global styles: long, repetitive, different per site."""
    rng = random.Random(site)
    rules = []
    for i in range(260 + site % 200):
        rules.append(
            f".wp-block-{rng.choice(WORDS)}-{i}{{margin:{rng.randint(0, 40)}px "
            f"{rng.randint(0, 40)}px;color:#{rng.randrange(1 << 24):06x};"
            f"font-size:var(--wp--preset--font-size--{rng.choice(('small', 'medium', 'large'))})}}"
        )
    rules.append(f'.site-header{{background-image:url("/wp-content/themes/t{site}/header.jpg")}}')
    return "\n".join(rules)


def _menu(rng: random.Random, site_url: str, n: int) -> str:
    items = "".join(
        f'<li class="menu-item menu-item-type-taxonomy menu-item-{rng.randint(10, 9999)}">'
        f'<a href="{site_url}/{rng.choice(WORDS)}/">{_words(rng, 2).title()}</a></li>'
        for _ in range(n)
    )
    return f'<ul id="primary-menu" class="menu nav-menu">{items}</ul>'


def _srcset(base: str, widths=(300, 768, 1024, 1536, 2048)) -> str:
    return ", ".join(f"{base}-{w}x{w * 2 // 3}.jpg {w}w" for w in widths)


def _prose(rng: random.Random, paragraphs: int) -> str:
    return "".join(f"<p>{_words(rng, rng.randint(40, 110))}.</p>" for _ in range(paragraphs))


def _footer(rng: random.Random, site: int, site_url: str) -> str:
    return (
        f'<footer class="site-footer"><div class="widget">{_menu(rng, site_url, 12)}</div>'
        f"<p>© 2025 {_words(random.Random(site), 2).title()} GmbH · "
        f'<a href="{site_url}/impressum/">Impressum</a> · '
        f'<a href="{site_url}/datenschutz/">Datenschutz</a> · '
        f'<a href="mailto:info@site{site}.example">info@site{site}.example</a></p></footer>'
    )


def wordpress_page(n: int, site: int, rng: random.Random) -> str:
    site_url = f"https://www.site{site}.example"
    up = f"{site_url}/wp-content/uploads/2025/{1 + n % 12:02d}"
    figures = []
    for k in range(rng.randint(2, 8)):
        credit = rng.choice(("", f"Foto: {_words(rng, 2).title()}", "© Agentur Bildwerk"))
        figures.append(
            f'<figure class="wp-block-image size-large"><img decoding="async" width="1024" '
            f'height="683" src="{up}/img-{n}-{k}-1024x683.jpg" alt="{_words(rng, 4)}" '
            f'class="wp-image-{n * 10 + k}" srcset="{_srcset(f"{up}/img-{n}-{k}")}" '
            f'sizes="(max-width: 1024px) 100vw, 1024px" />'
            f"<figcaption>{_words(rng, 8)}. {credit}</figcaption></figure>"
            + _prose(rng, rng.randint(2, 5))
        )
    comments = "".join(
        f'<li class="comment"><article class="comment-body"><footer class="comment-meta">'
        f'<img alt="" src="https://secure.gravatar.com/avatar/{rng.getrandbits(64):016x}?s=50" '
        f'class="avatar avatar-50 photo" height="50" width="50" loading="lazy"/>'
        f"<b>{_words(rng, 2)}</b></footer><p>{_words(rng, rng.randint(10, 60))}</p>"
        f"</article></li>"
        for _ in range(rng.randint(0, 12))
    )
    recent = "".join(
        f'<li><a href="{site_url}/{rng.choice(WORDS)}-{rng.randint(1, 999)}/">'
        f'<img width="150" height="150" src="{up}/thumb-{rng.randint(1, 9999)}-150x150.jpg" '
        f'alt="" loading="lazy" />{_words(rng, 5)}</a></li>'
        for _ in range(5)
    )
    lang = LANGS[site % len(LANGS)]
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="UTF-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_words(rng, 6)} – Site {site}</title>"
        f'<meta name="robots" content="index, follow, max-image-preview:large">'
        f'<meta property="og:image" content="{up}/img-{n}-0.jpg" />'
        f'<meta property="og:title" content="{_words(rng, 6)}" />'
        f'<meta name="twitter:card" content="summary_large_image" />'
        + "".join(
            f"<link rel='stylesheet' id='{w}-css' href='{site_url}/wp-content/plugins/{w}/style."
            f"min.css?ver=6.{rng.randint(0, 9)}' media='all' />"
            for w in rng.sample(WORDS, 12)
        )
        + f"<style id='global-styles-inline-css'>{_theme_css(site)}</style>"
        f'<script type="application/ld+json">{{"@context":"https://schema.org","@graph":['
        f'{{"@type":"Article","headline":"{_words(rng, 6)}","image":"{up}/img-{n}-0.jpg",'
        f'"author":{{"@type":"Person","name":"{_words(rng, 2)}"}}}}]}}</script>'
        f'<script>window._wpemojiSettings={{"baseUrl":"https://s.w.org/images/core/emoji/'
        f'15.0.3/72x72/","ext":".png","source":{{"concatemoji":"{site_url}/wp-includes/js/'
        f'wp-emoji-release.min.js"}}}};{"var a=1;" * rng.randint(200, 900)}</script>'
        f'</head><body class="post-template-default single single-post postid-{n}">'
        f'<div id="page" class="site"><header id="masthead" class="site-header">'
        f'<a href="{site_url}/" class="custom-logo-link"><img src="{site_url}/logo.png" '
        f'alt="Site {site}" width="240" height="60"></a>'
        f"<nav>{_menu(rng, site_url, 60)}</nav></header>"
        f'<main id="main"><article class="post-{n} post type-post status-publish">'
        f'<h1 class="entry-title">{_words(rng, 7)}</h1><div class="entry-content">'
        f"{_prose(rng, 3)}{''.join(figures)}</div></article>"
        f'<ol class="comment-list">{comments}</ol></main>'
        f'<aside id="secondary" class="widget-area"><ul class="recent">{recent}</ul>'
        f"{_menu(rng, site_url, 30)}</aside>"
        f"{_footer(rng, site, site_url)}</div></body></html>"
    )


def shop_page(n: int, site: int, rng: random.Random) -> str:
    site_url = f"https://shop{site}.example"
    cdn = f"//cdn.shopify.example/s/files/1/{site:04d}/products"
    pictures = "".join(
        f'<picture><source media="(min-width: 750px)" srcset="{cdn}/p{n}-{k}_1200x.jpg 1200w, '
        f'{cdn}/p{n}-{k}_2048x.jpg 2048w"><img src="{cdn}/p{n}-{k}_600x.jpg" '
        f'alt="{_words(rng, 3)}" loading="lazy" width="600" height="600"></picture>'
        for k in range(rng.randint(3, 9))
    )
    related = "".join(
        f'<div class="card"><a href="{site_url}/products/{rng.choice(WORDS)}">'
        f'<img src="{cdn}/r{rng.randint(1, 99999)}_300x.jpg" alt="{_words(rng, 3)}" '
        f'width="300" height="300"><span>{_words(rng, 3)}</span><span class="price">'
        f"{rng.randint(5, 300)},{rng.randint(0, 99):02d} €</span></a></div>"
        for _ in range(rng.randint(4, 16))
    )
    variants = ",".join(
        f'{{"id":{rng.getrandbits(40)},"title":"{_words(rng, 2)}",'
        f'"price":{rng.randint(500, 30000)},'
        f'"featured_image":{{"src":"{cdn}/v{rng.randint(1, 9999)}.jpg"}}}}'
        for _ in range(rng.randint(5, 40))
    )
    return (
        f'<!doctype html><html class="no-js" lang="{LANGS[site % 5][:2]}"><head>'
        f'<meta charset="utf-8"><title>{_words(rng, 4)} – Shop {site}</title>'
        f'<meta property="og:image" content="https:{cdn}/p{n}-0_1200x.jpg">'
        f"<style>{_theme_css(site + 1000)[:20000]}</style>"
        f'<script id="ProductJson" type="application/json">{{"variants":[{variants}]}}</script>'
        f"</head><body><header>{_menu(rng, site_url, 40)}</header><main>"
        f'<div class="product__media">{pictures}</div><div class="product__info">'
        f"<h1>{_words(rng, 4)}</h1>{_prose(rng, rng.randint(3, 10))}</div>"
        f'<div class="related">{related}</div></main>{_footer(rng, site, site_url)}</body></html>'
    )


def news_page(n: int, site: int, rng: random.Random) -> str:
    site_url = f"https://news{site}.example"
    teasers = "".join(
        f'<div class="teaser"><a href="{site_url}/{rng.choice(WORDS)}-{rng.randint(1, 10**6)}">'
        f'<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="https://img.news'
        f'{site}.example/{rng.getrandbits(48):012x}.jpg" alt="{_words(rng, 5)}" width="320" '
        f'height="180"><h3>{_words(rng, 8)}</h3></a></div>'
        for _ in range(rng.randint(6, 30))
    )
    return (
        f'<!DOCTYPE html><html lang="{LANGS[site % 5]}"><head><meta charset="utf-8">'
        f"<title>{_words(rng, 8)}</title>"
        f'<meta name="twitter:image" content="https://img.news{site}.example/lead-{n}.jpg">'
        f"<script>{'window.dataLayer=window.dataLayer||[];' * rng.randint(50, 400)}</script>"
        f"</head><body><nav>{_menu(rng, site_url, 80)}</nav><article>"
        f"<h1>{_words(rng, 9)}</h1>"
        f'<figure><img src="https://img.news{site}.example/lead-{n}.jpg" alt="{_words(rng, 6)}"'
        f' width="1200" height="675"><figcaption>{_words(rng, 10)} Foto: dpa / '
        f"{_words(rng, 2).title()}</figcaption></figure>{_prose(rng, rng.randint(8, 30))}"
        f'</article><section class="more">{teasers}</section>'
        f"{_footer(rng, site, site_url)}</body></html>"
    )


def _feed(n: int, rng: random.Random) -> tuple[str, bytes]:
    items = "".join(f"<item><title>{_words(rng, 6)}</title></item>" for _ in range(30))
    return "application/rss+xml", f"<rss><channel>{items}</channel></rss>".encode()


def write_cc_unit(path: Path, target_bytes: int, seed: int = 7) -> None:
    """Writes ~target_bytes of Common Crawl-shaped WARC.gz to `path`."""
    rng = random.Random(seed)
    moment = datetime(2025, 6, 1, tzinfo=UTC)
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(writer.create_warcinfo_record(
            path.name, {"software": "fairclaim bench", "format": "WARC File Format 1.1"}
        ))  # fmt: skip
        n = 0
        while fh.tell() < target_bytes:
            n += 1
            site = rng.randrange(SITES)
            moment += timedelta(milliseconds=rng.randint(5, 400))
            draw = rng.random()
            status, ctype, extra = "200 OK", "text/html; charset=UTF-8", []
            if draw < 0.06:
                status, body = "301 Moved Permanently", b""
                extra = [("Location", f"https://www.site{site}.example/p/{n}/")]
            elif draw < 0.08:
                status, body = "404 Not Found", b"<html><body><h1>Not found</h1></body></html>"
            elif draw < 0.10:
                ctype, body = _feed(n, rng)
            elif draw < 0.11:
                ctype, body = "application/pdf", b"%PDF-1.7\n" + rng.randbytes(30000)
            else:
                make = (wordpress_page, wordpress_page, shop_page, news_page)[n % 4]
                body = make(n, site, rng).encode()
            url = f"https://www.site{site}.example/p/{n}/"
            date = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
            request = (
                f"GET /p/{n}/ HTTP/1.1\r\nUser-Agent: CCBot/2.0 (https://commoncrawl.org/faq/)"
                f"\r\nAccept: text/html,application/xhtml+xml;q=0.9,*/*;q=0.8\r\n"
                f"Accept-Language: en-US,en;q=0.5\r\nHost: www.site{site}.example\r\n\r\n"
            ).encode()
            writer.write_record(writer.create_warc_record(
                url, "request", payload=io.BytesIO(request), length=len(request),
                warc_headers_dict={"WARC-Date": date},
            ))  # fmt: skip
            http = StatusAndHeaders(
                status,
                [("Date", moment.strftime("%a, %d %b %Y %H:%M:%S GMT")), ("Server", "nginx"),
                 ("Content-Type", ctype), ("Content-Length", str(len(body))),
                 ("Cache-Control", "max-age=600"), ("X-Crawler-Content-Encoding", "gzip"),
                 *extra],
                protocol="HTTP/1.1",
            )  # fmt: skip
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http,
                warc_headers_dict={"WARC-Date": date, "WARC-IP-Address": "192.0.2.1"},
            ))  # fmt: skip
            meta = f"fetchTimeMs: {rng.randint(50, 2000)}\r\ncharset-detected: UTF-8\r\n".encode()
            writer.write_record(writer.create_warc_record(
                url, "metadata", payload=io.BytesIO(meta), length=len(meta),
                warc_content_type="application/warc-fields", warc_headers_dict={"WARC-Date": date},
            ))  # fmt: skip
