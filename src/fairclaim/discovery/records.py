"""Sighting records (one found image on one page) and scan counts; how pages become sightings.

Pure: PageContext + optional image facts in, SightingRecord out. `to_json()` gives the line written
to a scan's JSONL output (the stable CLI contract names the required keys).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from operator import attrgetter

from fairclaim.discovery.context import ImageOnPage, PageContext
from fairclaim.discovery.domains import host_of, is_hotlinked, registrable_domain
from fairclaim.discovery.imagemeta import ImageFacts


def utc_iso(moment: datetime) -> str:
    """UTC ISO-8601 with a Z, second precision: "2026-11-28T12:00:00Z"."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass an aware UTC time")
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class ImageFetch:
    """What fetching an image gave: its sha256 and embedded facts, or the error kind."""

    sha256: str = ""
    facts: ImageFacts | None = None
    error: str = ""  # DiscoveryError.kind when the fetch or decode failed


@dataclass(frozen=True)
class SightingRecord:
    """One image seen on one page, with the page context triage and notices need."""

    image_url: str
    page_url: str
    first_seen: str  # UTC ISO-8601: when this scan saw it (WARC: the capture's WARC-Date)
    source: str  # crawl | warc | manual | provider:<name>
    kind: str = "img"  # img | picture | css | meta | link | provider
    alt: str = ""
    title: str = ""
    caption: str = ""
    credit: str = ""  # credit line near the image ("Foto: …", "© …") or in its caption
    licence_url: str = ""  # licence link next to the image, else the page's rel=license/CC link
    licence_scope: str = ""  # image | page | "" (none found)
    hotlinked: bool = False  # served from another registrable domain than the page
    page_domain: str = ""
    image_domain: str = ""
    display_width: int | None = None
    display_height: int | None = None
    language: str = ""
    page_title: str = ""
    imprint_url: str = ""  # Impressum / legal notice / contact page: the notice's recipient
    contact_emails: tuple[str, ...] = ()
    company: str = ""
    sha256: str = ""  # of the image bytes, when fetched
    image_format: str = ""
    image_width: int | None = None  # intrinsic pixel size, when fetched
    image_height: int | None = None
    embedded_creator: str = ""  # EXIF Artist / IPTC By-line / XMP dc:creator
    embedded_copyright: str = ""  # EXIF Copyright / IPTC Copyright Notice / XMP dc:rights
    embedded_credit: str = ""  # IPTC Credit / XMP photoshop:Credit
    image_error: str = ""  # error kind when the image fetch failed
    alternates: tuple[str, ...] = ()  # other srcset/<source> URLs of the same image
    art_directed: tuple[str, ...] = ()  # other renditions of a <picture> (maybe other pictures)
    extra: Mapping[str, str] = field(default_factory=dict)  # e.g. provider scores

    def to_dict(self) -> dict:
        # what dataclasses.asdict gives (every field is a plain value), without its deep copy:
        # a scan writes one of these per sighting
        data = dict(zip(_FIELD_NAMES, _field_values(self), strict=True))
        data["contact_emails"] = list(self.contact_emails)
        data["alternates"] = list(self.alternates)
        data["art_directed"] = list(self.art_directed)
        data["extra"] = dict(self.extra)
        return data

    def to_json(self) -> str:
        return _JSON.encode(self.to_dict())

    @classmethod
    def from_dict(cls, data: Mapping) -> SightingRecord:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for name in ("contact_emails", "alternates", "art_directed"):
            values[name] = tuple(values.get(name) or ())
        return cls(**values)


_FIELD_NAMES = tuple(f.name for f in fields(SightingRecord))
_field_values = attrgetter(*_FIELD_NAMES)
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # one encoder, reused


def sighting_for_image(
    page: PageContext,
    image: ImageOnPage,
    *,
    first_seen: str,
    source: str,
    fetched: ImageFetch | None = None,
) -> SightingRecord:
    licence_url, scope = (image.licence_url, "image") if image.licence_url else ("", "")
    if not licence_url and page.licence_urls:
        licence_url, scope = page.licence_urls[0], "page"
    facts = fetched.facts if fetched else None
    page_host, image_host = host_of(page.url), host_of(image.url)
    return SightingRecord(
        image_url=image.url,
        page_url=page.url,
        first_seen=first_seen,
        source=source,
        kind=image.kind,
        alt=image.alt,
        title=image.title,
        caption=image.caption,
        credit=image.credit,
        licence_url=licence_url,
        licence_scope=scope,
        hotlinked=is_hotlinked(image.url, page.url),
        page_domain=registrable_domain(page_host) if page_host else "",
        image_domain=registrable_domain(image_host) if image_host else "",
        display_width=image.width,
        display_height=image.height,
        language=page.language,
        page_title=page.title,
        imprint_url=page.imprint.url,
        contact_emails=page.imprint.emails,
        company=page.imprint.company,
        sha256=fetched.sha256 if fetched else "",
        image_format=facts.format if facts else "",
        image_width=facts.width if facts else None,
        image_height=facts.height if facts else None,
        embedded_creator=facts.creator if facts else "",
        embedded_copyright=facts.copyright if facts else "",
        embedded_credit=facts.credit if facts else "",
        image_error=fetched.error if fetched else "",
        alternates=image.alternates,
        art_directed=image.art_directed,
    )


def sightings_from_page(
    page: PageContext,
    *,
    first_seen: str,
    source: str,
    fetched: Mapping[str, ImageFetch] | None = None,
) -> list[SightingRecord]:
    """One record per image on the page, joined with fetched image facts where available."""
    fetched = fetched or {}
    return [
        sighting_for_image(
            page, image, first_seen=first_seen, source=source, fetched=fetched.get(image.url)
        )
        for image in page.images
    ]


@dataclass
class ScanCounts:
    """What a scan did: pages read, sightings written, images fetched, errors by kind."""

    pages: int = 0
    sightings: int = 0
    images_fetched: int = 0
    errors: Counter[str] = field(default_factory=Counter)

    def error(self, kind: str, n: int = 1) -> None:
        self.errors[kind] += n

    def merge(self, other: ScanCounts | Mapping) -> None:
        if isinstance(other, Mapping):
            other = ScanCounts.from_dict(other)
        self.pages += other.pages
        self.sightings += other.sightings
        self.images_fetched += other.images_fetched
        self.errors.update(other.errors)

    def to_dict(self) -> dict:
        return {
            "pages": self.pages,
            "sightings": self.sightings,
            "images_fetched": self.images_fetched,
            "errors": dict(sorted(self.errors.items())),
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> ScanCounts:
        return cls(
            pages=int(data.get("pages", 0)),
            sightings=int(data.get("sightings", 0)),
            images_fetched=int(data.get("images_fetched", 0)),
            errors=Counter(data.get("errors", {})),
        )

    @classmethod
    def total(cls, parts: Iterable[ScanCounts]) -> ScanCounts:
        out = cls()
        for part in parts:
            out.merge(part)
        return out
