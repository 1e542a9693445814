"""The facts of a claim, gathered from the database: what `rules.check` reads (`build_facts`),
the answers a rights holder starts from (`initial_inputs`), the licences the linter weighs and
the recipient's calendar. Reads only; deciding is `rules/`' job, keeping is `claims`'."""

from __future__ import annotations

from datetime import date

from django.db.models import Max, Q

from fairclaim.monitoring.models import Match, WhitelistedDomain
from fairclaim.rules.deadlines import Closed, public_closed_days
from fairclaim.rules.domains import same_site
from fairclaim.rules.open_licences import classify
from fairclaim.works.models import Licence, Registration, Work

from .models import OPEN_CASE_STATES, Case, Claim, RateCard

# Where a photo's own metadata states its licence (XMP Creative Commons and rights fields; the
# copyright fields last, since they usually hold a name): the first an open licence is read from.
LICENCE_METADATA_TAGS = (
    "Xmp.cc.license",
    "Xmp.xmpRights.WebStatement",
    "Xmp.xmpRights.UsageTerms",
    "Xmp.dc.rights",
    "Iptc.Application2.Copyright",
    "Exif.Image.Copyright",
)
# The triage answers a rights holder gives, with the defaults shown on the claim form.
DEFAULT_INPUTS = {
    "site_type": "commercial",
    "usage": "",
    "placement": "",
    "territory": "worldwide",
    "use_started_on": "",
    "recipient_name": "",
    "recipient_type": "business",
    "recipient_country": "",
    "recipient_subdivision": "",
    "jurisdiction": "",
}


class ClaimNotReady(Exception):
    """A claim that cannot be checked or approved yet; the message says what is missing."""


def initial_inputs(match: Match) -> dict:
    """Sensible answers from what discovery saw; the rights holder confirms or corrects them."""
    context = match.sighting.context or {}
    inputs = dict(DEFAULT_INPUTS)
    inputs["recipient_name"] = context.get("company") or match.sighting.page_domain
    country = _country_from_domain(match.sighting.page_domain) or match.work.owner.country
    inputs["recipient_country"] = inputs["jurisdiction"] = country
    card = RateCard.objects.filter(owner=match.work.owner).first()
    if card and card.pricing.get("entries"):
        first = card.pricing["entries"][0]
        inputs["usage"] = first.get("usage", "")
        inputs["placement"] = first.get("placement") or ""
    return inputs


def build_facts(claim: Claim, today: date, send_on: date | None = None) -> dict:
    """The claim as `rules.facts.ClaimFacts` JSON. Raises ClaimNotReady naming what is missing.
    `send_on`: the day the notice would go out (deadlines run from it); default `today`."""
    match, inputs = claim.match, {**DEFAULT_INPUTS, **claim.inputs}
    work, sighting = match.work, match.sighting
    context = sighting.context or {}
    card = RateCard.objects.filter(owner=work.owner).first()
    if card is None:
        raise ClaimNotReady("Set up your prices (rate card) before claiming.")
    if not inputs["usage"]:
        raise ClaimNotReady("Say how the photo is used (usage) to price the claim.")
    width = sighting.display_width or context.get("image_width") or 0
    height = sighting.display_height or context.get("image_height") or 0
    if not (width and height):
        raise ClaimNotReady("The displayed size of the found image is unknown.")
    recipient_id = f"R-{sighting.page_domain}"
    registration = (
        work.registrations.filter(office=Registration.Office.US_COPYRIGHT_OFFICE)
        .order_by("effective_date")
        .first()
    )
    licence_url = context.get("licence_url", "")
    owner = work.owner
    subdivision = str(inputs.get("recipient_subdivision") or "").strip().upper()
    return {
        "schema_version": 1,
        "claim_id": f"CL-{claim.pk}",
        "today": today.isoformat(),
        "send_on": (send_on or today).isoformat(),
        "statement_version": (claim.statements.aggregate(v=Max("version"))["v"] or 0) + 1,
        "jurisdiction": inputs["jurisdiction"],
        "work": {
            "id": f"W-{work.pk}",
            "title": work.title or None,
            "creator_type": card.creator_type,
            "first_published_on": _iso(work.first_published_on),
            "registration": {
                "number": registration.number,
                "effective_date": registration.effective_date.isoformat(),
                "group": registration.group_registration,
            }
            if registration
            else None,
            "cc_licence": None,
            "own_licence": work_licence(work),
        },
        "sighting": {
            "page_url": sighting.page_url,
            "image_url": sighting.image_url,
            "use_started_on": inputs["use_started_on"] or None,
            "first_seen": sighting.first_seen.date().isoformat(),
            "last_seen": sighting.last_seen.date().isoformat(),
            "still_online": sighting.gone_at is None,
            "hotlinked": sighting.hotlinked,
            "image_source_authorised": None,
            "displayed_width": int(width),
            "displayed_height": int(height),
            "credit_present": bool(context.get("credit") or context.get("embedded_credit")),
            "page_cc_licence": licence_url if "creativecommons.org" in licence_url else None,
            # Any licence the page links beside the image (CC, GPL ...): rules 7 and 8.
            "page_licence": licence_url[:2048] or None,
            "site_type": inputs["site_type"],
            "usage": inputs["usage"],
            "placement": inputs["placement"] or None,
            "territory": inputs["territory"] or "worldwide",
        },
        "rights_holder": {
            "id": f"RH-{work.owner_id}",
            "name": owner.name,
            "professional": card.creator_type == "professional",
            "own_domains": list(owner.own_domains or []),
            "agency_domains": list(owner.agency_domains or []),
            "whitelist": list(
                WhitelistedDomain.objects.filter(organisation=owner).values_list(
                    "domain", flat=True
                )
            ),
        },
        "recipient": {
            "id": recipient_id,
            "name": inputs["recipient_name"] or sighting.page_domain,
            "type": inputs["recipient_type"],
            "country": inputs["recipient_country"],
            "subdivision": subdivision or None,
            # A US state is also the federal circuit (server test for embedded images).
            **({"us_state": subdivision} if _is_us_state(inputs, subdivision) else {}),
        },
        "licences": [
            _known_licence(lic, sighting.page_url, recipient_id) for lic in _licences(match)
        ],
        "open_cases": [
            {"case_ref": ref, "work_id": f"W-{work.pk}", "recipient_id": recipient_id}
            for ref in Case.objects.filter(
                rights_holder=work.owner,
                recipient_domain=sighting.page_domain,
                lines__work=work,
                state__in=OPEN_CASE_STATES,
            ).values_list("reference", flat=True)
        ],
        "pricing": card.pricing,
    }


def _licences(match: Match):
    """The owner's licences for this work or for all its works."""
    return Licence.objects.filter(owner=match.work.owner).filter(
        Q(work_id=match.work_id) | Q(work__isnull=True)
    )


def work_licence(work: Work) -> dict | None:
    """The open licence the work is published under, as `rules.facts.WorkLicence` JSON: the
    rights holder's own record first, then the photo's metadata, then its copyright notice.
    None when none of them names an open licence ("All rights reserved" is not one)."""
    if work.licence or work.licence_url:
        return {
            "code": work.licence or None,
            "url": work.licence_url or None,
            "source": "rights_holder",
        }
    tags = work.embedded_metadata if isinstance(work.embedded_metadata, dict) else {}
    for name in LICENCE_METADATA_TAGS:
        text = str(tags.get(name) or "").strip()[:2048]
        if text and classify(text, text if "://" in text else None):
            return {"code": text, "url": None, "source": "metadata"}
    notice = work.copyright_notice.strip()
    if notice and classify(notice):
        return {"code": notice, "url": None, "source": "notice"}
    return None


def _known_licence(licence: Licence, page_url: str, recipient_id: str) -> dict:
    """A licence as the linter reads it; it covers the recipient when one of its domains is the
    page's site (registrable domain: a licence for shop.example.com covers www.example.com)."""
    covers = any(same_site(page_url, d) for d in licence.domains) if licence.domains else None
    source = (
        "creative_commons"
        if licence.source == Licence.Source.CREATIVE_COMMONS
        else (licence.source if licence.source in {"own_sale", "agency", "stock"} else "other")
    )
    return {
        "reference": licence.reference or f"L-{licence.pk}",
        "licensee": licence.licensee_name,
        "source": source,
        "covers_recipient": covers,
        "valid_from": _iso(licence.starts_on),
        "valid_until": _iso(licence.ends_on),
        "proven_in_case": licence.proven_in_case or None,
        "work_id": f"W-{licence.work_id}" if licence.work_id else None,
        "recipient_id": recipient_id if covers else None,
    }


def recipient_calendar(case: Case) -> Closed:
    """The days the case's recipient is closed: weekends and the public holidays of its country
    and state, by the one calendar (and fallback) in `rules.deadlines` that `rules check` uses.
    The state is the one the rights holder gave on the case's claims (claim form)."""
    subdivision = next(
        (
            str(inputs.get("recipient_subdivision") or "").upper()
            for inputs in Claim.objects.filter(case=case).values_list("inputs", flat=True)
            if isinstance(inputs, dict) and inputs.get("recipient_subdivision")
        ),
        None,
    )
    return public_closed_days(case.recipient_country or case.jurisdiction, subdivision)


def _is_us_state(inputs: dict, subdivision: str) -> bool:
    return (
        inputs.get("recipient_country") == "US" and len(subdivision) == 2 and subdivision.isalpha()
    )


def _country_from_domain(domain: str) -> str:
    tld = domain.rsplit(".", 1)[-1].upper() if "." in domain else ""
    return {"UK": "GB"}.get(tld, tld) if len(tld) == 2 else ""


def _iso(value) -> str | None:
    return value.isoformat() if value else None
