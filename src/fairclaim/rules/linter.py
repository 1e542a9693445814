"""The claim linter: may this claim be sent, and what may it ask for? (pure; `today` passed in)

Each rule reads `ClaimFacts` and returns findings; each finding carries its reason and its legal
source (market-and-law.md section and reference keys). Effects:

- block: no claim may be sent (licensed, time-barred, not lawful to claim, duplicate...).
- hold: a case manager must decide first (unclear licence, embedding outside the 9th Circuit...).
- downgrade: the claim may go out, but narrowed; the fee statement applies it (attribution request
  with zero money for a cure-able CC use; time-barred days dropped or limited to the residual
  licence fee; no attorney's fees or statutory damages under §412; §97a(3) cost cap).
- info: checked and fine; shown so every decision is explained.

Decision precedence: any block → "block"; else any hold → "hold"; else "send" (downgrades send).

`claim_scope` turns the same facts into what the fee statement may price (`ClaimScope`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from fairclaim.rules.facts import ClaimFacts
from fairclaim.rules.limitation import (
    LIMITATION_WARNING_DAYS,
    SOURCE_DE,
    SOURCE_UK,
    SOURCE_US,
    LimitationResult,
    de_limitation,
    uk_limitation,
    us_limitation,
)
from fairclaim.rules.money import CURRENCY_BY_JURISDICTION
from fairclaim.rules.periods import Period
from fairclaim.rules.registration import SOURCE as SOURCE_412
from fairclaim.rules.registration import statutory_damages_available

SUPPORTED_JURISDICTIONS = frozenset({"US", "DE", "UK"})  # the laws market-and-law.md C1–C3 model

DE_MINIMIS_MAX_SIDE_PX = 100  # ≤ 100 px on the longest side: thumbnail-scale, below what
# services themselves accept (Copytrack: > 100×100 px [C15]) and hardly observable [L11]
SMALL_DISPLAY_MAX_SIDE_PX = 200  # up to here observability (prominence) needs a human look

# States of the US Court of Appeals for the Ninth Circuit, where the server test governs
# (Perfect 10 v. Amazon; Hunley v. Instagram) [L12]. Territories GU and MP included.
NINTH_CIRCUIT = frozenset({"AK", "AZ", "CA", "HI", "ID", "MT", "NV", "OR", "WA", "GU", "MP"})

SOURCE_JURISDICTION = (
    "fairclaim policy: claims only under the laws market-and-law.md models (C1 US, C2 DE, "
    "C3 UK); unsupported countries are blocked by services too [P4][O3]"
)
SOURCE_OPEN_CASE = (
    "DESIGN.md product rule 2; market-and-law.md B1-8 (repeat claims against the same "
    "recipient) [K8]; Pixsy blocks when an open case exists [P4]"
)
SOURCE_LICENCE = (
    "market-and-law.md B1-1 (letters despite valid licences) [K6][K7][K17][K18] and (e)1 "
    "(a hit with a plausible licence path is held, not sent); DESIGN.md product rules 1–2"
)
SOURCE_CC = (
    "Creative Commons 4.0 licences §6(b): rights reinstate when a breach is cured within 30 days "
    "of discovery (licence text); OLG Köln: free CC images yield no licence damage [G19]; "
    "market-and-law.md (e)4 (cure rather than monetise), B1-7 [K19a][K19e]"
)
SOURCE_CREDIT_DE = (
    "§13, §72 UrhG; surcharge for a missing credit: OLG Hamm 4 U 34/15 (100 % usual), BGH "
    "I ZR 148/13, AG Hamburg 36a C 54/07 (50 %), none for non-professionals (LG Stuttgart "
    "17 O 872/12) — market-and-law.md C2 [G7][G10][G11][G15][G16]"
)
SOURCE_CREDIT_OTHER = (
    "market-and-law.md C1/C3: no credit surcharge in US or UK damages (US: §1202 CMI claims "
    "need removal and double scienter [L9]; UK: s.77 right must be asserted [U1])"
)
SOURCE_HOTLINK_US = (
    "server test: Perfect 10 v. Amazon (9th Cir. 2007), Hunley v. Instagram (9th Cir. 2023); "
    "rejected by other courts — market-and-law.md C1 'Embedding' [L12]"
)
SOURCE_HOTLINK_EU = (
    "Svensson C-466/12, BestWater C-348/13 (linking/framing freely available content: no new "
    "public); GS Media C-160/15; Renckhoff C-161/17 — market-and-law.md C4 [E1][E2]"
)
SOURCE_DE_MINIMIS = (
    "de minimis: Sandoval v. New Line Cinema, 147 F.3d 215 (2d Cir. 1998), Ringgold v. BET "
    "[L11]; Copytrack accepts only images > 100×100 px [C15]; market-and-law.md (e)4"
)
SOURCE_SITE_TYPE = (
    "market-and-law.md B1-7 (claims against small non-commercial users) and A1 rows 10–11 "
    "(services pursue commercial uses only) [C9][P4][R1]; OLG Braunschweig 2 U 7/11 (€20 per "
    "photo for a private sale) [G12]"
)
SOURCE_97A3 = "§97a(3) UrhG: cost cap for consumers (value €1,000) — market-and-law.md C2 [G1]"
SOURCE_HOBBY = (
    "BGH I ZR 187/17 (13 Sep 2018): MFM rates not for hobby photographers [G13]; LG Stuttgart "
    "17 O 872/12: no surcharge for simple photos by non-professionals [G11]"
)
SOURCE_CURRENCY = "fairclaim policy: a claim is made in the currency of its law; rules/ has no FX"


class Effect(StrEnum):
    BLOCK = "block"
    HOLD = "hold"
    DOWNGRADE = "downgrade"
    INFO = "info"


class Decision(StrEnum):
    SEND = "send"
    HOLD = "hold"
    BLOCK = "block"


@dataclass(frozen=True)
class Finding:
    code: str
    effect: Effect
    reason: str
    source: str
    details: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "effect": self.effect.value,
            "reason": self.reason,
            "source": self.source,
            "details": self.details,
        }


def decide(findings: Iterable[Finding]) -> Decision:
    effects = {f.effect for f in findings}
    if Effect.BLOCK in effects:
        return Decision.BLOCK
    if Effect.HOLD in effects:
        return Decision.HOLD
    return Decision.SEND


def use_period(facts: ClaimFacts) -> Period:
    """The evidenced use: earliest evidence to the latest capture (DESIGN.md: evidence timeline)."""
    return Period(facts.use_start, facts.sighting.last_seen)


def limitation_for(facts: ClaimFacts, today: date) -> LimitationResult | None:
    use = use_period(facts)
    match facts.claim_jurisdiction:
        case "US":
            return us_limitation(use, facts.discovered_on, today)
        case "DE":
            return de_limitation(use, facts.discovered_on, today)
        case "UK":
            return uk_limitation(use, today)
    return None


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


def rule_known_licences(facts: ClaimFacts, today: date) -> list[Finding]:
    use = use_period(facts)
    findings = []
    for licence in facts.licences:
        label = f"licence {licence.reference} ({licence.source}, {licence.licensee})"
        details = {"reference": licence.reference, "source": licence.source}
        if licence.covers_recipient is None:
            findings.append(
                Finding(
                    "LICENCE_UNCLEAR",
                    Effect.HOLD,
                    f"{label} may cover this recipient; check it before claiming",
                    SOURCE_LICENCE,
                    details,
                )
            )
            continue
        if not licence.covers_recipient:
            findings.append(
                Finding(
                    "LICENCE_NOT_COVERING",
                    Effect.INFO,
                    f"{label} was checked and does not cover this recipient or use",
                    SOURCE_LICENCE,
                    details,
                )
            )
            continue
        starts = licence.valid_from or date.min
        ends = licence.valid_until or date.max
        if starts <= use.start and ends >= use.end:
            findings.append(
                Finding(
                    "LICENCE_KNOWN",
                    Effect.BLOCK,
                    f"{label} covers this recipient for the whole use {use.start}–{use.end}",
                    SOURCE_LICENCE,
                    details,
                )
            )
        elif starts <= use.end and ends >= use.start:
            findings.append(
                Finding(
                    "LICENCE_PARTIAL",
                    Effect.HOLD,
                    f"{label} covers this recipient for part of the use "
                    f"({licence.valid_from or 'open'}–{licence.valid_until or 'open'}); "
                    "decide which period is unlicensed",
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
    return findings


def rule_creative_commons(facts: ClaimFacts, today: date) -> list[Finding]:
    cc = facts.work.cc_licence
    s = facts.sighting
    if cc is not None:
        details = {"licence": cc.code}
        if cc.non_commercial and s.site_type == "commercial":
            return [
                Finding(
                    "CC_NON_COMMERCIAL_TERMS",
                    Effect.HOLD,
                    f"the work is under {cc.code} (non-commercial) and the site is commercial: "
                    "the use may fall outside the licence; review before any money claim",
                    SOURCE_CC,
                    details,
                )
            ]
        if s.credit_present:
            return [
                Finding(
                    "CC_LICENSED",
                    Effect.BLOCK,
                    f"the work is under {cc.code} and the page credits the author: the use is "
                    "licensed",
                    SOURCE_CC,
                    details,
                )
            ]
        return [
            Finding(
                "CC_ATTRIBUTION_CURE",
                Effect.DOWNGRADE,
                f"the work is under {cc.code} and the credit is missing: ask for attribution "
                "(a cure), no money",
                SOURCE_CC,
                details,
            )
        ]
    if s.page_cc_licence:
        return [
            Finding(
                "CC_CLAIMED_ON_PAGE",
                Effect.HOLD,
                f"the page states {s.page_cc_licence!r} for the image but the rights holder has "
                "not granted a CC licence: find the source the recipient relied on first",
                SOURCE_CC,
                {"page_licence": s.page_cc_licence},
            )
        ]
    return []


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
    if facts.work.creator_type == "hobby":
        return [
            Finding(
                "CREDIT_MISSING_HOBBY",
                Effect.INFO,
                "the credit is missing, but no surcharge for a hobby photographer's picture",
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
        case "private":
            return [
                Finding(
                    "PRIVATE_SITE",
                    Effect.BLOCK,
                    "a private, non-commercial site: fairclaim does not send money claims here",
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
    details: dict[str, Any] = {
        "use": [str(result.use.start), str(result.use.end)],
        "newest_act_timely_until": str(result.newest_act_barred_after),
    }
    if j in {"US", "DE"}:
        details["discovered_on"] = str(facts.discovered_on)
    if result.fully_barred:
        return [
            Finding(
                f"{j}_LIMITATION_EXPIRED",
                Effect.BLOCK,
                f"every day of use ({result.use.start}–{result.use.end}) is time-barred",
                source,
                details,
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
    residual = result.residual_only_days
    if j == "DE" and residual is not None:
        findings.append(
            Finding(
                "DE_LIMITATION_RESIDUAL",
                Effect.DOWNGRADE,
                f"days {residual.start}–{residual.end} are past the regular period: only the "
                "residual licence fee (§852 BGB) is claimed for them, without surcharges",
                source,
                {**details, "residual": [str(residual.start), str(residual.end)]},
            )
        )
    left = result.days_left(today)
    if left < LIMITATION_WARNING_DAYS:
        findings.append(
            Finding(
                f"{j}_LIMITATION_NEAR",
                Effect.HOLD,
                f"only {left} days left before the newest day of use is time-barred "
                f"({result.newest_act_barred_after}): decide on suit before sending",
                source,
                details,
            )
        )
    elif not findings:
        reason = (
            f"timely; the newest day of use can be sued on until {result.newest_act_barred_after}"
        )
        if j == "US":
            reason += " (discovery rule assumed; its validity is still open [L8])"
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


def rule_de_consumer(facts: ClaimFacts, today: date) -> list[Finding]:
    if facts.claim_jurisdiction != "DE" or facts.recipient.type != "consumer":
        return []
    if facts.recipient.bound_by_prior_undertaking:
        return [
            Finding(
                "DE_97A3_NOT_APPLICABLE",
                Effect.INFO,
                "consumer already bound to cease and desist towards this claimant: no cap",
                SOURCE_97A3,
            )
        ]
    findings = [
        Finding(
            "DE_97A3_CONSUMER_CAP",
            Effect.DOWNGRADE,
            "recipient is a consumer: lawyer fees are reimbursable only on a €1,000 value",
            SOURCE_97A3,
            {"cap": str(facts.pricing.consumer_lawyer_fee_cap)}
            if facts.pricing.consumer_lawyer_fee_cap is not None
            else {},
        )
    ]
    has_lawyer_fee = any(e.kind == "lawyer_fee" for e in facts.pricing.expenses)
    if has_lawyer_fee and facts.pricing.consumer_lawyer_fee_cap is None:
        findings.append(
            Finding(
                "DE_97A3_CAP_UNKNOWN",
                Effect.HOLD,
                "a lawyer fee is claimed from a consumer but pricing.consumer_lawyer_fee_cap "
                "is not set, so the cap cannot be applied",
                SOURCE_97A3,
            )
        )
    return findings


def rule_de_hobby_schedule(facts: ClaimFacts, today: date) -> list[Finding]:
    if (
        facts.claim_jurisdiction == "DE"
        and facts.work.creator_type == "hobby"
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
    expected = CURRENCY_BY_JURISDICTION.get(facts.claim_jurisdiction)
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


# --- what the fee statement may price -------------------------------------------------------


@dataclass(frozen=True)
class ClaimScope:
    """What the linter allows the fee statement to price.

    priced_period: the days that may be priced at all (None: nothing).
    surcharge_period: the days for which damages surcharges are allowed (DE: regular-period days).
    """

    jurisdiction: str
    priced_period: Period | None
    surcharge_period: Period | None
    attribution_only: bool
    credit_surcharge_allowed: bool
    production_surcharges_allowed: bool
    lawyer_fee_allowed: bool
    consumer_cap_applies: bool
    lawyer_fee_cap: Decimal | None


def claim_scope(facts: ClaimFacts, today: date) -> ClaimScope:
    j = facts.claim_jurisdiction
    limitation = limitation_for(facts, today)
    if limitation is None:
        priced: Period | None = use_period(facts)
        surcharge_days: Period | None = priced
    else:
        priced, surcharge_days = limitation.claimable, limitation.full_claim
    cc = facts.work.cc_licence
    attribution_only = cc is not None and not (
        cc.non_commercial and facts.sighting.site_type == "commercial"
    )
    hobby_de = j == "DE" and facts.work.creator_type == "hobby"
    lawyer_fee_allowed = True
    if j == "US":
        reg = facts.work.registration
        lawyer_fee_allowed = statutory_damages_available(
            facts.use_start, facts.work.first_published_on, reg.effective_date if reg else None
        ).available
    consumer_cap_applies = (
        j == "DE"
        and facts.recipient.type == "consumer"
        and not facts.recipient.bound_by_prior_undertaking
    )
    return ClaimScope(
        jurisdiction=j,
        priced_period=priced,
        surcharge_period=surcharge_days,
        attribution_only=attribution_only,
        credit_surcharge_allowed=(j == "DE" and not facts.sighting.credit_present and not hobby_de),
        production_surcharges_allowed=facts.pricing.mode == "schedule" and not hobby_de,
        lawyer_fee_allowed=lawyer_fee_allowed,
        consumer_cap_applies=consumer_cap_applies,
        lawyer_fee_cap=facts.pricing.consumer_lawyer_fee_cap if consumer_cap_applies else None,
    )
