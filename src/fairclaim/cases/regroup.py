"""Regroup recipients recorded under a shared-hosting suffix (issue 16 item 2), once, by migration.

Before the Public Suffix List's private section was used, `alice.github.io` and `bob.github.io`
were both recorded as `github.io` (likewise blogspot.com, myshopify.com, netlify.app…): on
sightings (`page_domain`), on cases (`recipient_domain`) and on the licences a case issued
(`domains`). This pass gives every such record the registrable domain its own URLs name.

Only values that are themselves a public suffix are touched (nobody's site, so certainly the old
grouping); everything else is left as recorded. A case changes through its log: a
`recipient_domain_regrouped` entry (from, to, why) is appended to its hash chain, so the record
says what changed and when; nothing in the log is rewritten. A case whose lines turn out to be on
several sites is not split behind anyone's back: it keeps its value and gets a
`recipient_domain_needs_review` entry naming the sites, for the case manager. Running the pass
again changes nothing.

Works on the models it is given (`apps.get_model`), so the migration that runs it stays valid
whatever the models become later.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from fairclaim.rules.case_events import LogKind
from fairclaim.rules.case_log import LogEntry, append_entry
from fairclaim.rules.domains import host_of, registrable_domain

REASON = (
    "Recipients are grouped by registrable domain under the Public Suffix List including its "
    "private section: a site on a shared hosting platform is its own recipient"
)
ACTOR = "system"


def _shared_suffix(value: str) -> bool:
    """`github.io`, `blogspot.com`: a public suffix, which names no one's site."""
    return bool(value) and registrable_domain(value) is None


def _site_of(url: str) -> str | None:
    return registrable_domain(host_of(url)) if url else None


def regroup_shared_hosts(apps, now: datetime | None = None) -> dict[str, int]:
    """Regroup sightings, cases and case licences recorded under a public suffix; returns counts."""
    Sighting = apps.get_model("monitoring", "Sighting")
    Case = apps.get_model("cases", "Case")
    CaseLine = apps.get_model("cases", "CaseLine")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    Licence = apps.get_model("works", "Licence")
    now = (now or datetime.now(UTC)).astimezone(UTC)
    counts = {"sightings": 0, "cases": 0, "licences": 0, "review": 0}

    for sighting in Sighting.objects.only("pk", "page_url", "page_domain").iterator():
        site = _site_of(sighting.page_url)
        if _shared_suffix(sighting.page_domain) and site:
            Sighting.objects.filter(pk=sighting.pk).update(page_domain=site)
            counts["sightings"] += 1

    for case in Case.objects.all().order_by("pk"):
        old = case.recipient_domain
        if not _shared_suffix(old):
            continue
        urls = CaseLine.objects.filter(case=case, match__isnull=False).values_list(
            "match__sighting__page_url", flat=True
        )
        sites = sorted({site for site in map(_site_of, urls) if site})
        if len(sites) == 1:
            Case.objects.filter(pk=case.pk).update(recipient_domain=sites[0])
            _append(CaseEvent, case, LogKind.RECIPIENT_DOMAIN_REGROUPED,
                    {"from": old, "to": sites[0], "reason": REASON}, now)  # fmt: skip
            counts["cases"] += 1
            counts["licences"] += _regroup_licences(Licence, case.reference, old, sites[0])
        elif len(sites) > 1:
            kind = LogKind.RECIPIENT_DOMAIN_NEEDS_REVIEW
            if not CaseEvent.objects.filter(case=case, kind=kind).exists():
                _append(CaseEvent, case, kind,
                        {"domain": old, "sites": sites, "reason": REASON}, now)  # fmt: skip
                counts["review"] += 1
    return counts


def _regroup_licences(Licence, reference: str, old: str, new: str) -> int:
    """Licences a case issued name the case's recipient domain: name the regrouped one."""
    changed = 0
    for licence in Licence.objects.filter(reference=reference) if reference else []:
        if old in (licence.domains or []):
            licence.domains = [new if domain == old else domain for domain in licence.domains]
            licence.save(update_fields=["domains"])
            changed += 1
    return changed


def _append(CaseEvent, case, kind: str, payload: dict, now: datetime) -> None:
    """One entry at the end of the case's hash chain (the pure core computes the hash)."""
    last = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    previous = (
        LogEntry(last.seq, last.kind, last.payload, last.actor, last.at, last.prev_hash, last.hash)
        if last
        else None
    )
    entry = append_entry(previous, kind, json.loads(json.dumps(payload)), ACTOR, now)
    CaseEvent.objects.create(
        case=case, seq=entry.seq, kind=entry.kind, payload=entry.payload, actor=entry.actor,
        at=entry.at, prev_hash=entry.prev_hash, hash=entry.hash,
    )  # fmt: skip
