"""From a match to a case: the facts of a claim, the linter's verdict, the rights holder's approval.

DESIGN.md product rule 1: no notice without a verified match, a clear linter result and a
rights-holder approval. `build_facts` gathers what `rules.check` needs from the database (the
rights holder's triage answers fill what the web cannot tell); `do_check_claim` runs the pure core
and keeps every statement; `do_open_cases` groups approved claims by recipient into draft cases.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from itertools import groupby

from django.db import transaction
from django.db.models import Max, Q

from fairclaim.accounts.models import User
from fairclaim.monitoring.models import Match, WhitelistedDomain
from fairclaim.rules.check import check_claim
from fairclaim.rules.deadlines import Closed, public_closed_days
from fairclaim.rules.domains import same_site
from fairclaim.rules.facts import InvalidFacts, parse_facts
from fairclaim.rules.fees import OfferTotal, basis_for_recipient
from fairclaim.rules.money import Money, currency_for
from fairclaim.rules.open_licences import classify
from fairclaim.works.models import Licence, Registration, Work

from .log import append_event
from .models import OPEN_CASE_STATES, Case, CaseLine, Claim, FeeStatement, RateCard

# A case's currency when the table in rules.money lists none for its law (the linter holds
# such a claim itself: CURRENCY_MISMATCH or JURISDICTION_UNSUPPORTED).
FALLBACK_CURRENCY = "EUR"
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


def open_claim(sender, match: Match, **kwargs) -> None:
    """A match claimed in triage (`monitoring.triage.match_claimed`) gets its claim, prefilled."""
    Claim.objects.get_or_create(match=match, defaults={"inputs": initial_inputs(match)})


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


def do_check_claim(claim: Claim, today: date) -> Claim:
    """Run the linter and the fee statement; keep the statement as a new version."""
    try:
        facts = parse_facts(build_facts(claim, today))
    except InvalidFacts as exc:
        raise ClaimNotReady(f"The claim's facts are not valid: {exc}") from None
    result = check_claim(facts)
    payload = result.as_json()
    with transaction.atomic():
        FeeStatement.objects.create(
            claim=claim,
            version=result.statement.version,
            inputs_digest=result.statement.inputs_digest,
            facts=facts.model_dump(mode="json"),
            statement=payload["statement"],
        )
        claim.decision = payload["decision"]
        claim.result = payload
        claim.status = Claim.Status.CHECKED
        claim.save(update_fields=["decision", "result", "status", "updated_at"])
    return claim


def do_approve_claim(claim: Claim, user: User, now: datetime) -> Claim:
    """The rights holder's approval; only a checked claim the linter lets through may pass."""
    if claim.status != Claim.Status.CHECKED:
        raise ClaimNotReady("Check the claim before approving it.")
    if claim.decision != "send":
        raise ClaimNotReady(
            f"The claim check says “{claim.decision}”: resolve its findings before approving."
        )
    updated = Claim.objects.filter(pk=claim.pk, status=Claim.Status.CHECKED).update(
        status=Claim.Status.APPROVED, approved_by=user, approved_at=now
    )
    if not updated:
        raise ClaimNotReady("The claim changed meanwhile; reload it.")
    claim.refresh_from_db()
    return claim


def do_open_cases(claims: list[Claim], *, actor: str, now: datetime) -> list[Case]:
    """Group approved claims by rights holder and recipient domain into draft cases: one case
    per recipient, one line per work, each with its statement total as the amount."""
    ready = [c for c in claims if c.status == Claim.Status.APPROVED and c.case_id is None]

    def recipient(claim: Claim) -> tuple[int, str]:
        return claim.match.work.owner_id, claim.match.sighting.page_domain

    cases = []
    for (owner_id, domain), group in groupby(sorted(ready, key=recipient), key=recipient):
        group = list(group)
        first = group[0]
        inputs = {**DEFAULT_INPUTS, **first.inputs}
        jurisdiction = inputs["jurisdiction"] or inputs["recipient_country"]
        with transaction.atomic():
            # One case per recipient: a draft not yet sent takes further works as lines.
            case = Case.objects.filter(
                rights_holder_id=owner_id, recipient_domain=domain, state="draft"
            ).first() or Case.objects.create(
                rights_holder_id=owner_id,
                jurisdiction=jurisdiction,
                currency=currency_for(jurisdiction, FALLBACK_CURRENCY),
                language="de" if jurisdiction in {"DE", "AT"} else "en",
                recipient_name=inputs["recipient_name"],
                recipient_domain=domain,
                recipient_email=_first_email(first),
                recipient_country=inputs["recipient_country"],
                recipient_type=_case_recipient_type(inputs["recipient_type"]),
                next_capture_at=now,  # evidence is captured as soon as the case opens
            )
            if not case.events.exists():
                append_event(case, "case_opened", {"recipient": domain}, actor=actor, at=now)
            for claim in group:
                total = claim.result["statement"]["totals"]["past_only"]
                CaseLine.objects.create(
                    case=case,
                    work=claim.match.work,
                    match=claim.match,
                    description=claim.match.sighting.page_url[:300],
                    amount=total.get("gross"),
                    basis=f"Fee statement v{claim.result['statement']['version']} "
                    f"({claim.result['statement']['inputs_digest'][:12]})",
                )
                Claim.objects.filter(pk=claim.pk).update(case=case, status=Claim.Status.IN_CASE)
                Match.objects.filter(pk=claim.match_id).update(status=Match.Status.CLAIMED)
                append_event(
                    case,
                    "claim_added",
                    {"claim": claim.pk, "work": claim.match.work_id, "decision": claim.decision},
                    actor=actor,
                    at=now,
                )
        cases.append(case)
    return cases


def statement_lines(case: Case, statements: list[FeeStatement] | None = None) -> list[dict]:
    """Every line of the case's latest fee statements as a recipient sees it: the work, the
    label, the amount and its basis (without research tags), and which offers include it.
    `statements`: the case's `latest_statements`, when the caller already has them."""
    lines = []
    for statement in latest_statements(case) if statements is None else statements:
        work = statement.claim.match.work
        for line in statement.statement["lines"]:
            lines.append(
                {
                    **line,
                    "basis": basis_for_recipient(line["basis"]),
                    "work": work.title or work.original_filename,
                }
            )
    return lines


def latest_statements(case: Case) -> list[FeeStatement]:
    """The newest fee statement of each claim in the case (earlier versions stay on record)."""
    latest: dict[int, FeeStatement] = {}
    statements = FeeStatement.objects.filter(claim__case=case).select_related("claim__match__work")
    for statement in statements.order_by("version"):
        latest[statement.claim_id] = statement
    return list(latest.values())


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


def _case_recipient_type(value: str) -> str:
    return {"consumer": "consumer", "micro_business": "micro"}.get(value, "business")


def _first_email(claim: Claim) -> str:
    emails = (claim.match.sighting.context or {}).get("contact_emails") or []
    return emails[0] if emails else ""


def _country_from_domain(domain: str) -> str:
    tld = domain.rsplit(".", 1)[-1].upper() if "." in domain else ""
    return {"UK": "GB"}.get(tld, tld) if len(tld) == 2 else ""


def _iso(value) -> str | None:
    return value.isoformat() if value else None


# The two offers a recipient can accept, summed over the case's lines from their latest fee
# statements (each line's statement names its basis; this only adds them up).
OFFERS = ("past_only", "past_and_future")


def case_offers(
    case: Case, statements: list[FeeStatement] | None = None, *, discounted: bool = True
) -> dict[str, OfferTotal]:
    """The offers' totals over the case's latest statements (passed in when already loaded);
    with an agreed settlement (and `discounted`), its discount comes off the past use."""
    offers = _statement_offers(case, statements)
    if discounted and case.settlement_amount is not None and "past_only" in offers:
        offers = _with_settlement(offers, case.settlement_amount)
    return offers


def _with_settlement(offers: dict[str, OfferTotal], agreed: Decimal) -> dict[str, OfferTotal]:
    """Both offers less the same discount on the past use; net and VAT keep their proportion."""
    past = offers["past_only"]
    currency = past.gross.currency
    discount = past.gross.amount - agreed
    ratio = agreed / past.gross.amount if past.gross.amount else Decimal(0)
    net = (past.net.amount * ratio).quantize(Decimal("0.01"))
    cut_net, cut_vat = past.net.amount - net, past.vat.amount - (agreed - net)
    settled = {"past_only": OfferTotal(
        "past_only", Money(net, currency), Money(agreed - net, currency), Money(agreed, currency)
    )}  # fmt: skip
    if "past_and_future" in offers:
        both = offers["past_and_future"]
        settled["past_and_future"] = OfferTotal(
            "past_and_future",
            Money(both.net.amount - cut_net, currency),
            Money(both.vat.amount - cut_vat, currency),
            Money(both.gross.amount - discount, currency),
        )
    return settled


def _statement_offers(case: Case, statements: list[FeeStatement] | None) -> dict[str, OfferTotal]:
    latest = latest_statements(case) if statements is None else statements
    if not latest:
        return {}
    currency = latest[0].statement["currency"]
    offers = {}
    for name in OFFERS:
        parts = [s.statement["totals"].get(name) for s in latest]
        if any(part is None for part in parts):
            continue
        net, vat, gross = (
            Money(sum((statement_amount(p[key]) for p in parts), Decimal(0)), currency)
            for key in ("net", "vat", "gross")
        )
        offers[name] = OfferTotal(name, net, vat, gross)
    return offers


def statement_amount(text: str) -> Decimal:
    """Statement JSON writes money as "450.00" or "450.00 EUR"; the number is what counts."""
    return Decimal(str(text).split()[0])
