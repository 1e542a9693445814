"""What the claim linter allows the fee statement to price: `ClaimScope` (pure; `today` passed in).

`claim_scope` reads the same facts as the linter's rules (limitation, known licences, open
licences, own sites, §412 registration, the §97a(3) UrhG cost cap) and turns them into the days
and the items a fee statement may price. Imports the linter; the linter does not import it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fairclaim.rules.facts import ClaimFacts
from fairclaim.rules.linter import (
    de_cost_cap_applies,
    de_lawyer_fee_cap,
    limitation_for,
    missing_licence_conditions,
    own_site_match,
    rule_creative_commons,
    rule_known_licences,
    unlicensed_periods,
    use_period,
    work_open_licence,
)
from fairclaim.rules.periods import Period
from fairclaim.rules.registration import statutory_damages_available


@dataclass(frozen=True)
class ClaimScope:
    """What the linter allows the fee statement to price.

    priced_periods: the days that may be priced (limitation and licences applied), in order.
    surcharge_periods: of those, the days for which damages surcharges are allowed (DE:
    regular-period days). priced_period/surcharge_period: the span of each (None: no day).
    nothing_owed: the use is lawful or free (own site, licence, public domain, CC complied):
    the statement has no line at all. attribution_only: a curable open-licence use; the
    statement asks for `cure_requests` ("credit", "licence_notice") with no money.
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
    priced_periods: tuple[Period, ...] = ()
    surcharge_periods: tuple[Period, ...] = ()
    nothing_owed: bool = False
    cure_requests: tuple[str, ...] = ()
    licence_name: str | None = None


def _span(periods: list[Period]) -> Period | None:
    return Period(periods[0].start, periods[-1].end) if periods else None


NOTHING_OWED_CODES = frozenset(
    {
        "OWN_SITE",
        "AGENCY_SITE",
        "WHITELISTED_SITE",
        "LICENCE_PROVEN",
        "LICENCE_KNOWN",
        "WORK_PUBLIC_DOMAIN",
        "WORK_CC0",
        "CC_LICENSED",
    }
)


def claim_scope(facts: ClaimFacts, today: date) -> ClaimScope:
    j = facts.claim_jurisdiction
    limitation = limitation_for(facts, today)
    use = use_period(facts)
    if limitation is None:
        claimable: Period | None = use
        regular: Period | None = use
    else:
        claimable, regular = limitation.claimable, limitation.full_claim
        if j == "DE" and regular is None:
            claimable = None  # only the residual claim is left: blocked, nothing is priced
    priced = unlicensed_periods(facts, claimable)
    surcharge_days = unlicensed_periods(facts, regular)
    licence = work_open_licence(facts)
    nothing_owed = (
        own_site_match(facts) is not None
        or any(f.code in NOTHING_OWED_CODES for f in rule_known_licences(facts, today))
        or any(f.code in NOTHING_OWED_CODES for f in rule_creative_commons(facts, today))
    )
    if nothing_owed:
        priced, surcharge_days = [], []  # no day is priced where nothing is owed
    cure: tuple[str, ...] = ()
    attribution_only = False
    if licence is not None and licence.attribution_required and not nothing_owed:
        attribution_only = not (licence.non_commercial and facts.sighting.site_type == "commercial")
        if attribution_only:
            cure = missing_licence_conditions(facts, licence)
    professional = facts.rights_holder_professional
    hobby_de = j == "DE" and not professional
    lawyer_fee_allowed = True
    if j == "US":
        reg = facts.work.registration
        lawyer_fee_allowed = statutory_damages_available(
            facts.use_start, facts.work.first_published_on, reg.effective_date if reg else None
        ).available
    cap_applies = de_cost_cap_applies(facts)
    return ClaimScope(
        jurisdiction=j,
        priced_period=_span(priced),
        surcharge_period=_span(surcharge_days),
        attribution_only=attribution_only,
        credit_surcharge_allowed=(j == "DE" and not facts.sighting.credit_present and not hobby_de),
        production_surcharges_allowed=facts.pricing.mode == "schedule" and not hobby_de,
        lawyer_fee_allowed=lawyer_fee_allowed,
        consumer_cap_applies=cap_applies,
        lawyer_fee_cap=de_lawyer_fee_cap(facts, today) if cap_applies else None,
        priced_periods=tuple(priced),
        surcharge_periods=tuple(surcharge_days),
        nothing_owed=nothing_owed,
        cure_requests=cure,
        licence_name=licence.name if licence is not None else None,
    )
