"""Open licences as the rules read them: what a licence name or URL says, and whether two name the
same licence.

A work's own notice or metadata may say "CC0", "Public Domain Mark", "CC BY-SA 4.0",
"https://creativecommons.org/licenses/by-nc/4.0/" or "GPL-3.0-or-later"; a page may state a licence
beside the image. `classify` turns either into an `OpenLicence`; `same_licence` says whether the
page names the licence the work is published under. Pure string work, no I/O.

Kinds:
- public_domain: no copyright to claim (Public Domain Mark, "public domain", "gemeinfrei").
- cc0: CC0 1.0, a waiver of every right the law allows to be waived; no attribution condition.
- cc: a Creative Commons licence; `elements` such as ("by", "nc", "sa"), `version` such as "4.0".
- open: another open licence (GPL, LGPL, AGPL, FDL, Free Art, MIT, Apache, BSD, OGL ...): use is
  licensed on its conditions (notice, attribution), like a CC licence.
- None from `classify`: not an open licence ("All rights reserved", an invoice number ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["public_domain", "cc0", "cc", "open"]

_CC_URL = re.compile(
    r"creativecommons\.org/(?:licenses|licences)/(?P<elements>[a-z\-]+)/(?P<version>\d\.\d)?"
)
_CC0_URL = re.compile(r"creativecommons\.org/publicdomain/zero/")
_PD_URL = re.compile(r"creativecommons\.org/publicdomain/mark/")
_CC_NAME = re.compile(
    r"\b(?:cc|creative\s+commons)[\s\-_]*(?:licen[cs]e[\s:]*)?"
    r"(?P<elements>(?:by|nc|nd|sa|attribution|noncommercial|non-commercial|noderivatives|"
    r"noderivs|sharealike|share-alike)(?:[\s\-_+]+(?:by|nc|nd|sa|attribution|noncommercial|"
    r"non-commercial|noderivatives|noderivs|sharealike|share-alike))*)"
    r"(?:[\s\-_]*(?:v(?:ersion)?\s*)?(?P<version>\d\.\d))?",
    re.IGNORECASE,
)
_CC0_NAME = re.compile(r"\bcc[\s\-_]*(?:0|zero)\b|\bcc0\b", re.IGNORECASE)
_PD_NAME = re.compile(
    r"\bpublic[\s\-_]*domain\b|\bgemeinfrei\b|\bpdm\b|\bno known copyright\b", re.IGNORECASE
)
_OPEN_NAMES = (
    # (pattern, canonical name); GPL before LGPL/AGPL would shadow them, so the longer first.
    (re.compile(r"\bagpl|\baffero general public licen[cs]e", re.IGNORECASE), "AGPL"),
    (re.compile(r"\blgpl|\blesser general public licen[cs]e", re.IGNORECASE), "LGPL"),
    (re.compile(r"\bgfdl|\bgnu free documentation licen[cs]e|\bfdl\b", re.IGNORECASE), "GFDL"),
    (re.compile(r"\bgpl|\bgnu general public licen[cs]e", re.IGNORECASE), "GPL"),
    (re.compile(r"\bfree art licen[cs]e|\blicence art libre|\blal\b", re.IGNORECASE), "Free Art"),
    (re.compile(r"\bopen government licen[cs]e|\bogl\b", re.IGNORECASE), "OGL"),
    (re.compile(r"\bapache[\s\-]*(?:licen[cs]e|2\.0)", re.IGNORECASE), "Apache"),
    (re.compile(r"\bmit licen[cs]e\b", re.IGNORECASE), "MIT"),
    (re.compile(r"\bbsd[\s\-]*(?:licen[cs]e|[23]-clause)", re.IGNORECASE), "BSD"),
)
_GNU_URL = re.compile(r"gnu\.org/licenses/(?P<name>agpl|lgpl|fdl|gpl)", re.IGNORECASE)
_ELEMENT_WORDS = {
    "attribution": "by",
    "noncommercial": "nc",
    "non-commercial": "nc",
    "noderivatives": "nd",
    "noderivs": "nd",
    "sharealike": "sa",
    "share-alike": "sa",
}
_ELEMENT_ORDER = ("by", "nc", "nd", "sa")


@dataclass(frozen=True)
class OpenLicence:
    kind: Kind
    name: str  # canonical: "CC BY-NC 4.0", "CC0 1.0", "Public Domain", "GPL"
    elements: tuple[str, ...] = ()  # CC only
    version: str | None = None

    @property
    def non_commercial(self) -> bool:
        return "nc" in self.elements

    @property
    def attribution_required(self) -> bool:
        """CC BY-anything and the other open licences ask for a notice; CC0 and PD do not."""
        return self.kind in {"cc", "open"}


def _cc(elements_text: str, version: str | None) -> OpenLicence | None:
    words = re.split(r"[\s\-_+]+", elements_text.lower().replace("non-commercial", "noncommercial"))
    words = [w for w in words if w]
    found = {_ELEMENT_WORDS.get(word, word) for word in words}
    found &= set(_ELEMENT_ORDER)
    if not found:
        return None
    found.add("by")  # every CC licence in use since 2.0 carries attribution
    elements = tuple(e for e in _ELEMENT_ORDER if e in found)
    name = "CC " + "-".join(e.upper() for e in elements) + (f" {version}" if version else "")
    return OpenLicence("cc", name, elements, version)


def classify(text: str | None, url: str | None = None) -> OpenLicence | None:
    """The open licence `text` or `url` names, or None when neither names one. A URL is the
    stronger evidence (it is what the CC chooser and licence metadata write), so it wins."""
    for value in (url, text):
        if not value:
            continue
        lowered = value.strip().lower()
        if _CC0_URL.search(lowered):
            return OpenLicence("cc0", "CC0 1.0", (), "1.0")
        if _PD_URL.search(lowered):
            return OpenLicence("public_domain", "Public Domain")
        match = _CC_URL.search(lowered)
        if match:
            licence = _cc(match.group("elements"), match.group("version"))
            if licence is not None:
                return licence
        gnu = _GNU_URL.search(lowered)
        if gnu:
            return OpenLicence("open", {"fdl": "GFDL"}.get(gnu["name"], gnu["name"].upper()))
    if not text:
        return None
    if _CC0_NAME.search(text):
        return OpenLicence("cc0", "CC0 1.0", (), "1.0")
    match = _CC_NAME.search(text)
    if match:
        licence = _cc(match.group("elements"), match.group("version"))
        if licence is not None:
            return licence
    if _PD_NAME.search(text):
        return OpenLicence("public_domain", "Public Domain")
    for pattern, name in _OPEN_NAMES:
        if pattern.search(text):
            return OpenLicence("open", name)
    return None


def same_licence(work: OpenLicence, stated: OpenLicence | None) -> bool:
    """The page states the licence the work is published under: same kind and name; for CC the
    same elements (a version the page leaves out, or states differently, still names the
    licence the recipient relied on: the conditions that matter are the elements)."""
    if stated is None or stated.kind != work.kind:
        return False
    if work.kind == "cc":
        return stated.elements == work.elements
    return stated.name == work.name
