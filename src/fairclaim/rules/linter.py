"""The claim linter: may this claim be sent, and what may it ask for? (pure; `today` passed in)

Each rule reads `ClaimFacts` and returns findings; each finding carries its reason and its legal
source (statute, section, leading case). Effects:

- block: no claim may be sent (own site, licensed, proven licence, public domain, time-barred,
  not lawful to claim, duplicate...).
- hold: a case manager must decide first (unclear licence, embedding outside the 9th Circuit...).
- downgrade: the claim may go out, but narrowed; the fee statement applies it (only the days a
  licence did not cover; an attribution or licence-notice request with zero money for a curable
  CC or open-licence use; time-barred days dropped or limited to the residual licence fee; no
  attorney's fees under §412; the §97a(3) UrhG cost cap for a private person).
- info: checked and fine; shown so every decision is explained.

Decision precedence: any block → "block"; else any hold → "hold"; else "send" (downgrades send).

`scope.claim_scope` turns the same facts into what the fee statement may price (`ClaimScope`);
the findings themselves (`Finding`, effects, decision) are in `findings`, their legal sources in
`sources`, their titles and plain sentences in `finding_texts`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from fairclaim.rules.deadlines import public_closed_days
from fairclaim.rules.domains import matching_domain, registrable_domain
from fairclaim.rules.facts import ClaimFacts, KnownLicence

# Decision and decide live with the findings; imported here too, where callers long found them.
from fairclaim.rules.findings import Decision as Decision
from fairclaim.rules.findings import Effect, Finding
from fairclaim.rules.findings import decide as decide
from fairclaim.rules.limitation import (
    LIMITATION_WARNING_DAYS,
    SOURCE_DE,
    SOURCE_UK,
    SOURCE_US,
    Closed,
    LimitationResult,
    de_limitation,
    uk_limitation,
    us_limitation,
)
from fairclaim.rules.money import currency_for
from fairclaim.rules.open_licences import OpenLicence, classify, same_licence
from fairclaim.rules.periods import Period, without
from fairclaim.rules.registration import SOURCE as SOURCE_412
from fairclaim.rules.registration import statutory_damages_available
from fairclaim.rules.rvg import SOURCE as SOURCE_RVG
from fairclaim.rules.rvg import consumer_lawyer_fee_cap
from fairclaim.rules.sources import (
    SOURCE_97A3,
    SOURCE_CC,
    SOURCE_CREDIT_DE,
    SOURCE_CREDIT_OTHER,
    SOURCE_CURRENCY,
    SOURCE_DE_MINIMIS,
    SOURCE_HOBBY,
    SOURCE_HOTLINK_EU,
    SOURCE_HOTLINK_US,
    SOURCE_JURISDICTION,
    SOURCE_LICENCE,
    SOURCE_OPEN_CASE,
    SOURCE_OPEN_LICENCE,
    SOURCE_OWN_SITE,
    SOURCE_PROVEN_LICENCE,
    SOURCE_PUBLIC_DOMAIN,
    SOURCE_SITE_TYPE,
)

SUPPORTED_JURISDICTIONS = frozenset({"US", "DE", "UK"})  # the laws these rules model

DE_MINIMIS_MAX_SIDE_PX = 100  # ≤ 100 px on the longest side: thumbnail-scale, below what
# enforcement services themselves accept (> 100×100 px) and hardly observable (Sandoval)
SMALL_DISPLAY_MAX_SIDE_PX = 200  # up to here observability (prominence) needs a human look

# States of the US Court of Appeals for the Ninth Circuit, where the server test governs
# (Perfect 10 v. Amazon; Hunley v. Instagram). Territories GU and MP included.
NINTH_CIRCUIT = frozenset({"AK", "AZ", "CA", "HI", "ID", "MT", "NV", "OR", "WA", "GU", "MP"})


def use_period(facts: ClaimFacts) -> Period:
    """The evidenced use: earliest evidence to the latest capture (the evidence timeline)."""
    return Period(facts.use_start, facts.sighting.last_seen)


def court_calendar(jurisdiction: str) -> Closed:
    """Days the courts of `jurisdiction` are closed (weekends, national public holidays): a
    limitation period ending on one runs on to the next open day."""
    return public_closed_days({"UK": "GB"}.get(jurisdiction, jurisdiction))


def limitation_for(facts: ClaimFacts, today: date) -> LimitationResult | None:
    use = use_period(facts)
    j = facts.claim_jurisdiction
    match j:
        case "US":
            return us_limitation(use, facts.discovered_on, today, court_calendar(j))
        case "DE":
            return de_limitation(use, facts.discovered_on, today, court_calendar(j))
        case "UK":
            return uk_limitation(use, today, court_calendar(j))
    return None


def _licence_applies(facts: ClaimFacts, licence: KnownLicence) -> bool:
    """The licence is about this work and this recipient as far as the facts record it."""
    if licence.work_id is not None and licence.work_id != facts.work.id:
        return False
    return licence.recipient_id is None or licence.recipient_id == facts.recipient.id


def _licence_period(licence: KnownLicence) -> Period:
    return Period(licence.valid_from or date.min, licence.valid_until or date.max)


def licensed_periods(facts: ClaimFacts) -> list[Period]:
    """The periods known licences cover for this recipient, this work and this use."""
    return [
        _licence_period(licence)
        for licence in facts.licences
        if licence.covers_recipient and _licence_applies(facts, licence)
    ]


def unlicensed_periods(facts: ClaimFacts, period: Period | None) -> list[Period]:
    """The days of `period` that no known licence covers (before a licence started, after it
    expired, between two licences)."""
    if period is None:
        return []
    return without(period, licensed_periods(facts))


def work_open_licence(facts: ClaimFacts) -> OpenLicence | None:
    """The open licence the work is published under: its own notice or metadata first, then a
    CC licence the rights holder recorded. A licence text that names no open licence: None."""
    own = facts.work.own_licence
    if own is not None:
        found = classify(own.code, own.url)
        if found is not None:
            return found
    cc = facts.work.cc_licence
    if cc is None:
        return None
    found = classify(cc.code, cc.url)
    if found is None:
        # A code the reader does not know is still a CC grant; keep the recorded terms.
        found = OpenLicence("cc", cc.code, ("by", "nc") if cc.non_commercial else ("by",))
    elif cc.non_commercial and not found.non_commercial:
        found = OpenLicence("cc", found.name, (*found.elements, "nc"), found.version)
    return found


def page_stated_licence(facts: ClaimFacts) -> OpenLicence | None:
    s = facts.sighting
    for text in (s.page_licence, s.page_cc_licence):
        if text:
            found = classify(text, text if "://" in text else None)
            if found is not None:
                return found
    return None


def missing_licence_conditions(facts: ClaimFacts, licence: OpenLicence) -> tuple[str, ...]:
    """What the page lacks of an attribution licence's conditions: "credit" (the author is not
    named) and/or "licence_notice" (the licence is not named or linked)."""
    missing = []
    if licence.attribution_required and not facts.sighting.credit_present:
        missing.append("credit")
    if licence.attribution_required and not same_licence(licence, page_stated_licence(facts)):
        missing.append("licence_notice")
    return tuple(missing)


# --- rules -----------------------------------------------------------------------------------

Rule = Callable[[ClaimFacts, date], list[Finding]]


def rule_jurisdiction(facts: ClaimFacts, today: date) -> list[Finding]:
    j = facts.claim_jurisdiction
    if j in SUPPORTED_JURISDICTIONS:
        return [
            Finding(
                "JURISDICTION_SUPPORTED", Effect.INFO, f"{j} law is modelled", SOURCE_JURISDICTION
            )
        ]
    return [
        Finding(
            "JURISDICTION_UNSUPPORTED",
            Effect.BLOCK,
            f"claims under {j} law are not supported (supported: DE, UK, US)",
            SOURCE_JURISDICTION,
            {"jurisdiction": j},
        )
    ]


def own_site_match(facts: ClaimFacts) -> tuple[str, str] | None:
    """(kind, listed domain) when the page is on the rights holder's own, its agency's or a
    whitelisted site, compared by registrable domain (subdomains included)."""
    rh = facts.rights_holder
    for kind, domains in (
        ("own", rh.own_domains),
        ("agency", rh.agency_domains),
        ("whitelist", rh.whitelist),
    ):
        listed = matching_domain(facts.sighting.page_url, domains)
        if listed is not None:
            return kind, listed
    return None


def rule_own_site(facts: ClaimFacts, today: date) -> list[Finding]:
    found = own_site_match(facts)
    if found is None:
        return []
    kind, listed = found
    site = registrable_domain(facts.sighting.page_url)
    what = {
        "own": "the rights holder's own site",
        "agency": "the site of the rights holder's agency",
        "whitelist": "a site the rights holder has whitelisted",
    }[kind]
    code = {"own": "OWN_SITE", "agency": "AGENCY_SITE", "whitelist": "WHITELISTED_SITE"}[kind]
    return [
        Finding(
            code,
            Effect.BLOCK,
            f"the page is on {site}, {what} ({listed}): nothing to claim",
            SOURCE_OWN_SITE,
            {"site": site, "listed": listed, "list": kind},
        )
    ]


def rule_open_case(facts: ClaimFacts, today: date) -> list[Finding]:
    same = [
        c.case_ref
        for c in facts.open_cases
        if c.work_id == facts.work.id and c.recipient_id == facts.recipient.id
    ]
    if not same:
        return []
    return [
        Finding(
            "OPEN_CASE_EXISTS",
            Effect.BLOCK,
            f"case {', '.join(same)} is already open for this work and recipient",
            SOURCE_OPEN_CASE,
            {"case_refs": same},
        )
    ]


def _fmt(period: Period) -> str:
    start = "open" if period.start == date.min else str(period.start)
    end = "open" if period.end == date.max else str(period.end)
    return f"{start}–{end}"


def rule_known_licences(facts: ClaimFacts, today: date) -> list[Finding]:
    use = use_period(facts)
    findings = []
    proven = [
        licence
        for licence in facts.licences
        if licence.proven_in_case
        and licence.covers_recipient is not False
        and _licence_applies(facts, licence)
    ]
    for licence in proven:
        findings.append(
            Finding(
                "LICENCE_PROVEN",
                Effect.BLOCK,
                f"licence {licence.reference} ({licence.licensee}) was proven in case "
                f"{licence.proven_in_case} for this work and recipient: no new claim",
                SOURCE_PROVEN_LICENCE,
                {
                    "reference": licence.reference,
                    "case_ref": licence.proven_in_case,
                    "licensee": licence.licensee,
                },
            )
        )
    for licence in facts.licences:
        if licence in proven:
            continue
        label = f"licence {licence.reference} ({licence.source}, {licence.licensee})"
        details: dict[str, Any] = {"reference": licence.reference, "source": licence.source}
        if not _licence_applies(facts, licence):
            findings.append(
                Finding(
                    "LICENCE_NOT_COVERING",
                    Effect.INFO,
                    f"{label} is for another work or recipient",
                    SOURCE_LICENCE,
                    details,
                )
            )
        elif licence.covers_recipient is None:
            findings.append(
                Finding(
                    "LICENCE_UNCLEAR",
                    Effect.HOLD,
                    f"{label} may cover this recipient; check it before claiming",
                    SOURCE_LICENCE,
                    details,
                )
            )
        elif not licence.covers_recipient:
            findings.append(
                Finding(
                    "LICENCE_NOT_COVERING",
                    Effect.INFO,
                    f"{label} was checked and does not cover this recipient or use",
                    SOURCE_LICENCE,
                    details,
                )
            )
        elif not without(use, [_licence_period(licence)]):
            findings.append(
                Finding(
                    "LICENCE_KNOWN",
                    Effect.BLOCK,
                    f"{label} covers this recipient for the whole use {use.start}–{use.end}",
                    SOURCE_LICENCE,
                    details,
                )
            )
        elif without(use, [_licence_period(licence)]) != [use]:
            details["licensed"] = [str(licence.valid_from), str(licence.valid_until)]
            findings.append(
                Finding(
                    "LICENCE_PARTIAL",
                    Effect.DOWNGRADE,
                    f"{label} covers this recipient for {_fmt(_licence_period(licence))}, "
                    "part of the use: only the days outside it are priced",
                    SOURCE_LICENCE,
                    details,
                )
            )
        else:
            findings.append(
                Finding(
                    "LICENCE_OTHER_PERIOD",
                    Effect.INFO,
                    f"{label} covers this recipient, but not during the use {use.start}–{use.end}",
                    SOURCE_LICENCE,
                    details,
                )
            )
    covered = licensed_periods(facts)
    gaps = without(use, covered)
    settled = any(f.code in {"LICENCE_KNOWN", "LICENCE_PROVEN"} for f in findings)
    if covered and not gaps and not settled:
        findings.append(
            Finding(
                "LICENCE_KNOWN",
                Effect.BLOCK,
                f"the known licences together cover the whole use {use.start}–{use.end}",
                SOURCE_LICENCE,
                {"references": [lic.reference for lic in facts.licences if lic.covers_recipient]},
            )
        )
    elif gaps and gaps != [use]:
        findings.append(
            Finding(
                "UNLICENSED_DAYS",
                Effect.INFO,
                "days of use no licence covers: "
                + ", ".join(f"{p.start}–{p.end} ({p.days} days)" for p in gaps),
                SOURCE_LICENCE,
                {"unlicensed": [[str(p.start), str(p.end)] for p in gaps]},
            )
        )
    return findings


def rule_creative_commons(facts: ClaimFacts, today: date) -> list[Finding]:
    """Rules 7 and 8: the work's own licence (CC, CC0, public domain, GPL ...) against the use."""
    licence = work_open_licence(facts)
    s = facts.sighting
    if licence is None:
        stated = page_stated_licence(facts)
        if stated is None:
            return []
        return [
            Finding(
                "CC_CLAIMED_ON_PAGE",
                Effect.HOLD,
                f"the page states {stated.name!r} for the image but the rights holder has not "
                "published the work under it: find the source the recipient relied on first",
                SOURCE_CC,
                {"page_licence": s.page_licence or s.page_cc_licence, "licence": stated.name},
            )
        ]
    details: dict[str, Any] = {"licence": licence.name, "kind": licence.kind}
    if licence.kind in {"public_domain", "cc0"}:
        what = "in the public domain" if licence.kind == "public_domain" else "dedicated under CC0"
        return [
            Finding(
                "WORK_PUBLIC_DOMAIN" if licence.kind == "public_domain" else "WORK_CC0",
                Effect.BLOCK,
                f"the work is {what} ({licence.name}): anyone may use it, nothing to ask",
                SOURCE_PUBLIC_DOMAIN,
                details,
            )
        ]
    source = SOURCE_CC if licence.kind == "cc" else SOURCE_OPEN_LICENCE
    if licence.non_commercial and s.site_type == "commercial":
        return [
            Finding(
                "CC_NON_COMMERCIAL_TERMS",
                Effect.HOLD,
                f"the work is under {licence.name} (non-commercial) and the site is commercial: "
                "the use may fall outside the licence; review before any money claim",
                source,
                details,
            )
        ]
    missing = missing_licence_conditions(facts, licence)
    if not missing:
        return [
            Finding(
                "CC_LICENSED",
                Effect.BLOCK,
                f"the work is under {licence.name} and the page gives the credit and the "
                "licence: the use is licensed, nothing to ask",
                source,
                details,
            )
        ]
    asks = {"credit": "credit the author", "licence_notice": f"name and link {licence.name}"}
    return [
        Finding(
            "CC_ATTRIBUTION_CURE",
            Effect.DOWNGRADE,
            f"the work is under {licence.name} and the page does not "
            + " or ".join(
                {"credit": "credit the author", "licence_notice": "name the licence"}[m]
                for m in missing
            )
            + ": ask to "
            + " and ".join(asks[m] for m in missing)
            + " (a cure), no money",
            source,
            {**details, "missing": list(missing)},
        )
    ]


def rule_credit(facts: ClaimFacts, today: date) -> list[Finding]:
    s = facts.sighting
    if s.credit_present:
        source = SOURCE_CREDIT_DE if facts.claim_jurisdiction == "DE" else SOURCE_CREDIT_OTHER
        return [Finding("CREDIT_PRESENT", Effect.INFO, "the author is credited", source)]
    if facts.claim_jurisdiction != "DE":
        return [
            Finding(
                "CREDIT_MISSING",
                Effect.INFO,
                "the credit is missing; this law gives no surcharge for it",
                SOURCE_CREDIT_OTHER,
            )
        ]
    if not facts.rights_holder_professional:
        return [
            Finding(
                "CREDIT_MISSING_HOBBY",
                Effect.INFO,
                "the credit is missing, but no surcharge for a non-professional rights holder",
                SOURCE_HOBBY,
            )
        ]
    return [
        Finding(
            "CREDIT_MISSING",
            Effect.INFO,
            "the credit is missing: a surcharge of up to 100 % on the licence fee is allowed",
            SOURCE_CREDIT_DE,
        )
    ]


def rule_hotlink(facts: ClaimFacts, today: date) -> list[Finding]:
    s = facts.sighting
    if not s.hotlinked:
        return []
    if facts.claim_jurisdiction == "US":
        state = facts.recipient.us_state
        if state in NINTH_CIRCUIT:
            return [
                Finding(
                    "HOTLINK_SERVER_TEST",
                    Effect.BLOCK,
                    f"the image is embedded from another server and the recipient is in {state} "
                    "(9th Circuit): under the server test the site does not display a copy",
                    SOURCE_HOTLINK_US,
                    {"us_state": state},
                )
            ]
        return [
            Finding(
                "HOTLINK_REVIEW",
                Effect.HOLD,
                "the image is embedded from another server; outside the 9th Circuit the server "
                "test may not apply — review before claiming",
                SOURCE_HOTLINK_US,
                {"us_state": state},
            )
        ]
    if s.image_source_authorised:
        return [
            Finding(
                "HOTLINK_AUTHORISED_SOURCE",
                Effect.BLOCK,
                "the image is embedded from a host that shows it with the rights holder's consent: "
                "linking to freely available content reaches no new public",
                SOURCE_HOTLINK_EU,
            )
        ]
    return [
        Finding(
            "HOTLINK_REVIEW",
            Effect.HOLD,
            "the image is embedded from another host whose authorisation is "
            + ("denied" if s.image_source_authorised is False else "unknown")
            + ": review (GS Media knowledge test) before claiming",
            SOURCE_HOTLINK_EU,
        )
    ]


def rule_display_size(facts: ClaimFacts, today: date) -> list[Finding]:
    s = facts.sighting
    side = max(s.displayed_width, s.displayed_height)
    details = {"displayed": f"{s.displayed_width}×{s.displayed_height}", "longest_side": side}
    if side <= DE_MINIMIS_MAX_SIDE_PX:
        return [
            Finding(
                "DE_MINIMIS",
                Effect.BLOCK,
                f"displayed at {details['displayed']} px (≤ {DE_MINIMIS_MAX_SIDE_PX} px): too "
                "small to matter",
                SOURCE_DE_MINIMIS,
                details,
            )
        ]
    if side <= SMALL_DISPLAY_MAX_SIDE_PX:
        return [
            Finding(
                "SMALL_DISPLAY",
                Effect.HOLD,
                f"displayed at {details['displayed']} px (≤ {SMALL_DISPLAY_MAX_SIDE_PX} px): "
                "check prominence before claiming",
                SOURCE_DE_MINIMIS,
                details,
            )
        ]
    return []


def rule_site_type(facts: ClaimFacts, today: date) -> list[Finding]:
    match facts.sighting.site_type:
        case "private" if facts.claim_jurisdiction == "DE":
            # §97a(3) UrhG caps the costs, not the liability: the claim goes ahead, reduced.
            reduced = []
            if not facts.recipient.bound_by_prior_undertaking:
                reduced.append("lawyer fees capped at the statutory fees on a 1,000 EUR value")
            if not facts.rights_holder_professional:
                reduced.append("no missing-credit surcharge (the rights holder is no professional)")
            return [
                Finding(
                    "DE_PRIVATE_USE",
                    Effect.DOWNGRADE,
                    "a private person's non-commercial site: the claim may go ahead"
                    + (", reduced: " + "; ".join(reduced) if reduced else ""),
                    SOURCE_97A3,
                    {"professional_rights_holder": facts.rights_holder_professional},
                )
            ]
        case "private":
            return [
                Finding(
                    "PRIVATE_SITE",
                    Effect.HOLD,
                    "a private person's non-commercial site: review whether to claim and at what "
                    "scale (fair use and de minimis weigh more for a private use)",
                    SOURCE_SITE_TYPE,
                )
            ]
        case "non_commercial":
            return [
                Finding(
                    "NON_COMMERCIAL_SITE",
                    Effect.HOLD,
                    "a non-commercial site (association, charity, blog without ads): review "
                    "whether to claim and at what scale",
                    SOURCE_SITE_TYPE,
                )
            ]
    return []


def rule_limitation(facts: ClaimFacts, today: date) -> list[Finding]:
    result = limitation_for(facts, today)
    if result is None:
        return []
    j = result.jurisdiction
    source = {"US": SOURCE_US, "DE": SOURCE_DE, "UK": SOURCE_UK}[j]
    last = result.newest_act_barred_after
    details: dict[str, Any] = {
        "use": [str(result.use.start), str(result.use.end)],
        "newest_act_timely_until": str(last),
        "last_day": str(last),
    }
    if j in {"US", "DE"}:
        details["discovered_on"] = str(facts.discovered_on)
    if result.fully_barred or (j == "DE" and result.full_claim is None):
        residual = ""
        if not result.fully_barred:
            # Only the residual enrichment claim (§852 BGB) is left: a court matter, not a notice.
            residual = (
                "; only the residual licence-fee claim (§852 BGB) survives, which fairclaim "
                "does not demand by notice"
            )
        return [
            Finding(
                f"{j}_LIMITATION_EXPIRED",
                Effect.BLOCK,
                f"the limitation period ended on {last}: every day of use "
                f"({result.use.start}–{result.use.end}) is time-barred{residual}",
                source,
                {**details, "ended_on": str(last)},
            )
        ]
    findings = []
    assert result.claimable is not None
    details["claimable"] = [str(result.claimable.start), str(result.claimable.end)]
    if result.partly_barred:
        findings.append(
            Finding(
                f"{j}_LIMITATION_PARTIAL",
                Effect.DOWNGRADE,
                f"days before {result.claimable.start} are time-barred and not priced",
                source,
                details,
            )
        )
    residual_days = result.residual_only_days
    if j == "DE" and residual_days is not None:
        findings.append(
            Finding(
                "DE_LIMITATION_RESIDUAL",
                Effect.DOWNGRADE,
                f"days {residual_days.start}–{residual_days.end} are past the regular period: "
                "only the residual licence fee (§852 BGB) is claimed for them, without surcharges",
                source,
                {**details, "residual": [str(residual_days.start), str(residual_days.end)]},
            )
        )
    left = result.days_left(today)
    if left < LIMITATION_WARNING_DAYS:
        findings.append(
            Finding(
                f"{j}_LIMITATION_NEAR",
                Effect.HOLD,
                f"the limitation period for the newest day of use ends on {last} (the last day "
                f"to sue; {left} day{'s' if left != 1 else ''} left): decide on suit before "
                "sending",
                source,
                {**details, "days_left": left},
            )
        )
    elif not findings:
        reason = f"timely; the newest day of use can be sued on until {last}"
        if j == "US":
            reason += " (discovery rule assumed; the Supreme Court left its validity open in Nealy)"
        findings.append(Finding(f"{j}_LIMITATION_OK", Effect.INFO, reason, source, details))
    return findings


def rule_us_registration(facts: ClaimFacts, today: date) -> list[Finding]:
    if facts.claim_jurisdiction != "US":
        return []
    reg = facts.work.registration
    verdict = statutory_damages_available(
        facts.use_start, facts.work.first_published_on, reg.effective_date if reg else None
    )
    details = {
        "infringement_commenced": str(facts.use_start),
        "first_published_on": str(facts.work.first_published_on)
        if facts.work.first_published_on
        else None,
        "registration_effective": str(reg.effective_date) if reg else None,
        "grace_ends": str(verdict.grace_ends) if verdict.grace_ends else None,
    }
    if verdict.available:
        return [
            Finding(
                "US_412_AVAILABLE",
                Effect.INFO,
                "statutory damages and attorney's fees are available: " + verdict.reason,
                SOURCE_412,
                details,
            )
        ]
    findings = [
        Finding(
            "US_412_UNAVAILABLE",
            Effect.DOWNGRADE,
            "no statutory damages or attorney's fees: "
            + verdict.reason
            + "; the claim is the licence fee (actual damages) only",
            SOURCE_412,
            details,
        )
    ]
    if facts.notice.mentions_statutory_damages:
        findings.append(
            Finding(
                "US_412_STATUTORY_CITED",
                Effect.BLOCK,
                "the notice cites statutory damages that §412 excludes for this infringement",
                SOURCE_412,
                details,
            )
        )
    return findings


def de_cost_cap_applies(facts: ClaimFacts) -> bool:
    """§97a(3) sentence 2 UrhG: a natural person not acting for a trade or profession (a
    consumer, or whoever runs a private site), not already bound towards this claimant."""
    private = facts.recipient.type == "consumer" or facts.sighting.site_type == "private"
    return (
        facts.claim_jurisdiction == "DE"
        and private
        and not facts.recipient.bound_by_prior_undertaking
    )


def de_lawyer_fee_cap(facts: ClaimFacts, today: date) -> Decimal:
    """The given cap, else the statutory fees on the §97a(3) value on the send date."""
    if facts.pricing.consumer_lawyer_fee_cap is not None:
        return facts.pricing.consumer_lawyer_fee_cap
    return consumer_lawyer_fee_cap(facts.send_on or today)


def rule_de_consumer(facts: ClaimFacts, today: date) -> list[Finding]:
    if facts.claim_jurisdiction != "DE":
        return []
    private = facts.recipient.type == "consumer" or facts.sighting.site_type == "private"
    if not private:
        return []
    if facts.recipient.bound_by_prior_undertaking:
        return [
            Finding(
                "DE_97A3_NOT_APPLICABLE",
                Effect.INFO,
                "the recipient is already bound to cease and desist towards this claimant: no cap",
                SOURCE_97A3,
            )
        ]
    cap = de_lawyer_fee_cap(facts, today)
    given = facts.pricing.consumer_lawyer_fee_cap is not None
    return [
        Finding(
            "DE_97A3_CONSUMER_CAP",
            Effect.DOWNGRADE,
            "the recipient is a private person: lawyer fees are reimbursable only on a 1,000 EUR "
            f"value, at most {cap:.2f} EUR net",
            SOURCE_97A3 if given else f"{SOURCE_97A3}; {SOURCE_RVG}",
            {"cap": f"{cap:.2f}", "cap_source": "pricing" if given else "RVG table"},
        )
    ]


def rule_de_hobby_schedule(facts: ClaimFacts, today: date) -> list[Finding]:
    if (
        facts.claim_jurisdiction == "DE"
        and not facts.rights_holder_professional
        and facts.pricing.mode == "schedule"
    ):
        return [
            Finding(
                "DE_HOBBY_SCHEDULE",
                Effect.HOLD,
                f"{facts.pricing.name!r} is a published fee table, which courts do not apply to "
                "hobby photographers: price from proven own sales instead",
                SOURCE_HOBBY,
            )
        ]
    return []


def rule_currency(facts: ClaimFacts, today: date) -> list[Finding]:
    expected = currency_for(facts.claim_jurisdiction)
    if expected is None or facts.pricing.currency == expected:
        return []
    return [
        Finding(
            "CURRENCY_MISMATCH",
            Effect.HOLD,
            f"prices are in {facts.pricing.currency} but a {facts.claim_jurisdiction} claim is "
            f"made in {expected}; convert the price list first",
            SOURCE_CURRENCY,
            {"expected": expected, "given": facts.pricing.currency},
        )
    ]


RULES: tuple[Rule, ...] = (
    rule_jurisdiction,
    rule_own_site,
    rule_open_case,
    rule_known_licences,
    rule_creative_commons,
    rule_credit,
    rule_hotlink,
    rule_display_size,
    rule_site_type,
    rule_limitation,
    rule_us_registration,
    rule_de_consumer,
    rule_de_hobby_schedule,
    rule_currency,
)

JURISDICTION_RULES = frozenset(
    {rule_limitation, rule_us_registration, rule_de_consumer, rule_de_hobby_schedule, rule_currency}
)


def lint_claim(facts: ClaimFacts, today: date) -> list[Finding]:
    """All findings for the claim, in rule order; law-specific rules only for supported laws."""
    supported = facts.claim_jurisdiction in SUPPORTED_JURISDICTIONS
    findings: list[Finding] = []
    for rule in RULES:
        if rule in JURISDICTION_RULES and not supported:
            continue
        findings.extend(rule(facts, today))
    return findings
