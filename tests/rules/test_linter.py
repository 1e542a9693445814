"""Every claim-linter rule, table-driven: the facts that trigger it, its code and its effect."""

from datetime import date

import pytest

from fairclaim.rules.linter import Decision, Effect, Finding, decide, lint_claim

TODAY = date(2026, 11, 28)
US = {"jurisdiction": "US", "recipient.country": "US", "recipient.us_state": "NY",
      "pricing.currency": "USD"}  # fmt: skip
UK = {"jurisdiction": "UK", "recipient.country": "GB", "pricing.currency": "GBP"}
REGISTERED = {"work.registration": {"number": "VA 1-111-111", "effective_date": "2021-06-01"}}
CC_BY = {"work.cc_licence": {"code": "CC BY 4.0"}}


def codes(findings: list[Finding]) -> dict[str, Effect]:
    return {f.code: f.effect for f in findings}


def test_base_claim_has_only_info_findings_and_is_sent(make_facts):
    findings = lint_claim(make_facts(), TODAY)
    assert codes(findings) == {
        "JURISDICTION_SUPPORTED": Effect.INFO,
        "CREDIT_PRESENT": Effect.INFO,
        "DE_LIMITATION_OK": Effect.INFO,
    }
    assert decide(findings) == Decision.SEND


CASES = [
    # jurisdiction
    ({"jurisdiction": "FR"}, "JURISDICTION_UNSUPPORTED", Effect.BLOCK),
    ({**US, **REGISTERED}, "JURISDICTION_SUPPORTED", Effect.INFO),
    ({**UK, "jurisdiction": "GB"}, "UK_LIMITATION_OK", Effect.INFO),
    # open case for the same work and recipient (another work or recipient does not count)
    ({"open_cases": [{"case_ref": "FC-9", "work_id": "W-1", "recipient_id": "R-1"}]},
     "OPEN_CASE_EXISTS", Effect.BLOCK),
    # licences
    ({"licences": [{"reference": "L1", "licensee": "Shop GmbH", "source": "stock",
                    "covers_recipient": True}]}, "LICENCE_KNOWN", Effect.BLOCK),
    ({"licences": [{"reference": "L1", "licensee": "Shop GmbH", "source": "own_sale",
                    "covers_recipient": True, "valid_from": "2026-01-15",
                    "valid_until": "2026-11-20"}]}, "LICENCE_KNOWN", Effect.BLOCK),
    ({"licences": [{"reference": "L1", "licensee": "Shop GmbH", "source": "agency",
                    "covers_recipient": True, "valid_until": "2026-06-30"}]},
     "LICENCE_PARTIAL", Effect.DOWNGRADE),
    ({"licences": [{"reference": "L1", "licensee": "Shop GmbH", "source": "agency",
                    "covers_recipient": True, "valid_until": "2026-01-14"}]},
     "LICENCE_OTHER_PERIOD", Effect.INFO),
    ({"licences": [{"reference": "L1", "licensee": "web agency", "source": "stock",
                    "covers_recipient": None}]}, "LICENCE_UNCLEAR", Effect.HOLD),
    ({"licences": [{"reference": "L1", "licensee": "Hotel", "source": "own_sale",
                    "covers_recipient": False}]}, "LICENCE_NOT_COVERING", Effect.INFO),
    # Creative Commons
    ({**CC_BY, "sighting.credit_present": False}, "CC_ATTRIBUTION_CURE", Effect.DOWNGRADE),
    ({**CC_BY, "sighting.page_cc_licence": "https://creativecommons.org/licenses/by/4.0/"},
     "CC_LICENSED", Effect.BLOCK),
    ({**CC_BY}, "CC_ATTRIBUTION_CURE", Effect.DOWNGRADE),  # credit given, licence not named
    ({"work.cc_licence": {"code": "CC BY-NC 4.0", "non_commercial": True}},
     "CC_NON_COMMERCIAL_TERMS", Effect.HOLD),
    ({"work.cc_licence": {"code": "CC BY-NC 4.0", "non_commercial": True},
      "sighting.site_type": "non_commercial", "sighting.page_licence": "CC BY-NC 4.0"},
     "CC_LICENSED", Effect.BLOCK),
    ({"sighting.page_cc_licence": "CC BY-SA 4.0"}, "CC_CLAIMED_ON_PAGE", Effect.HOLD),
    # credit
    ({"sighting.credit_present": False}, "CREDIT_MISSING", Effect.INFO),
    ({"sighting.credit_present": False, "work.creator_type": "hobby"},
     "CREDIT_MISSING_HOBBY", Effect.INFO),
    ({**US, **REGISTERED, "sighting.credit_present": False}, "CREDIT_MISSING", Effect.INFO),
    # hot-linking
    ({**US, **REGISTERED, "sighting.hotlinked": True, "recipient.us_state": "CA"},
     "HOTLINK_SERVER_TEST", Effect.BLOCK),
    ({**US, **REGISTERED, "sighting.hotlinked": True, "recipient.us_state": "WA"},
     "HOTLINK_SERVER_TEST", Effect.BLOCK),
    ({**US, **REGISTERED, "sighting.hotlinked": True}, "HOTLINK_REVIEW", Effect.HOLD),
    ({**US, **REGISTERED, "sighting.hotlinked": True, "recipient.us_state": None},
     "HOTLINK_REVIEW", Effect.HOLD),
    ({"sighting.hotlinked": True, "sighting.image_source_authorised": True},
     "HOTLINK_AUTHORISED_SOURCE", Effect.BLOCK),
    ({"sighting.hotlinked": True, "sighting.image_source_authorised": False},
     "HOTLINK_REVIEW", Effect.HOLD),
    ({"sighting.hotlinked": True}, "HOTLINK_REVIEW", Effect.HOLD),
    # displayed size
    ({"sighting.displayed_width": 100, "sighting.displayed_height": 75},
     "DE_MINIMIS", Effect.BLOCK),
    ({"sighting.displayed_width": 60, "sighting.displayed_height": 100},
     "DE_MINIMIS", Effect.BLOCK),
    ({"sighting.displayed_width": 101, "sighting.displayed_height": 75},
     "SMALL_DISPLAY", Effect.HOLD),
    ({"sighting.displayed_width": 200, "sighting.displayed_height": 200},
     "SMALL_DISPLAY", Effect.HOLD),
    # site type
    ({"sighting.site_type": "private"}, "DE_PRIVATE_USE", Effect.DOWNGRADE),
    ({**UK, "sighting.site_type": "private"}, "PRIVATE_SITE", Effect.HOLD),
    ({"sighting.site_type": "non_commercial"}, "NON_COMMERCIAL_SITE", Effect.HOLD),
    # US limitation (today 2026-11-28)
    ({**US, **REGISTERED, "sighting.first_seen": "2023-09-10", "sighting.last_seen": "2023-10-30"},
     "US_LIMITATION_EXPIRED", Effect.BLOCK),
    ({**US, **REGISTERED, "sighting.first_seen": "2023-09-10", "sighting.last_seen": "2024-06-30"},
     "US_LIMITATION_PARTIAL", Effect.DOWNGRADE),
    ({**US, **REGISTERED, "sighting.first_seen": "2023-09-10", "sighting.last_seen": "2024-01-31"},
     "US_LIMITATION_NEAR", Effect.HOLD),
    ({**US, **REGISTERED, "sighting.first_seen": "2023-12-01", "sighting.last_seen": "2024-06-30",
      "rights_holder.discovered_on": "2023-12-01"}, "US_LIMITATION_OK", Effect.INFO),
    # German limitation
    ({"sighting.first_seen": "2016-01-04", "sighting.last_seen": "2016-11-27"},
     "DE_LIMITATION_EXPIRED", Effect.BLOCK),
    ({"sighting.first_seen": "2021-06-01", "sighting.last_seen": "2026-11-20"},
     "DE_LIMITATION_RESIDUAL", Effect.DOWNGRADE),
    ({"sighting.first_seen": "2016-01-04", "sighting.last_seen": "2026-11-20"},
     "DE_LIMITATION_PARTIAL", Effect.DOWNGRADE),
    ({"sighting.first_seen": "2023-03-01", "sighting.last_seen": "2023-05-01",
      "today": "2026-10-15"}, "DE_LIMITATION_NEAR", Effect.HOLD),
    # UK limitation
    ({**UK, "sighting.first_seen": "2019-03-01", "sighting.last_seen": "2020-11-27"},
     "UK_LIMITATION_EXPIRED", Effect.BLOCK),
    ({**UK, "sighting.first_seen": "2019-03-01"}, "UK_LIMITATION_PARTIAL", Effect.DOWNGRADE),
    # §412
    ({**US}, "US_412_UNAVAILABLE", Effect.DOWNGRADE),
    ({**US, "notice.mentions_statutory_damages": True}, "US_412_STATUTORY_CITED", Effect.BLOCK),
    ({**US, **REGISTERED}, "US_412_AVAILABLE", Effect.INFO),
    ({**US, "work.registration": {"number": "VA 1", "effective_date": "2026-02-01"}},
     "US_412_UNAVAILABLE", Effect.DOWNGRADE),
    # published 2021-05-14, use began 2021-07-01: registration exactly 3 months later counts
    ({**US, "sighting.use_started_on": "2021-07-01",
      "work.registration": {"number": "VA 1", "effective_date": "2021-08-14"}},
     "US_412_AVAILABLE", Effect.INFO),
    ({**US, "sighting.use_started_on": "2021-07-01",
      "work.registration": {"number": "VA 1", "effective_date": "2021-08-15"}},
     "US_412_UNAVAILABLE", Effect.DOWNGRADE),
    # consumer in Germany, §97a(3)
    ({"recipient.type": "consumer"}, "DE_97A3_CONSUMER_CAP", Effect.DOWNGRADE),
    ({"recipient.type": "consumer",
      "pricing.expenses": [{"kind": "lawyer_fee", "amount": "413.90", "basis": "RVG"}]},
     "DE_97A3_CONSUMER_CAP", Effect.DOWNGRADE),
    ({"recipient.type": "consumer", "recipient.bound_by_prior_undertaking": True},
     "DE_97A3_NOT_APPLICABLE", Effect.INFO),
    # hobby photographer priced from a published table (Germany)
    ({"work.creator_type": "hobby", "pricing.mode": "schedule"}, "DE_HOBBY_SCHEDULE", Effect.HOLD),
    # currency of the law
    ({"pricing.currency": "USD"}, "CURRENCY_MISMATCH", Effect.HOLD),
    ({**US, **REGISTERED, "pricing.currency": "EUR"}, "CURRENCY_MISMATCH", Effect.HOLD),
]  # fmt: skip


@pytest.mark.parametrize(("overrides", "code", "effect"), CASES)
def test_rule_fires_with_expected_effect(make_facts, overrides, code, effect):
    facts = make_facts(overrides)
    findings = lint_claim(facts, facts.today)
    found = codes(findings)
    assert found.get(code) == effect, found
    finding = next(f for f in findings if f.code == code)
    assert finding.reason
    assert finding.source


NOT_FIRING = [
    ({"open_cases": [{"case_ref": "FC-9", "work_id": "W-2", "recipient_id": "R-1"}]},
     "OPEN_CASE_EXISTS"),
    ({"open_cases": [{"case_ref": "FC-9", "work_id": "W-1", "recipient_id": "R-2"}]},
     "OPEN_CASE_EXISTS"),
    ({"sighting.displayed_width": 201, "sighting.displayed_height": 50}, "SMALL_DISPLAY"),
    ({**US, **REGISTERED, "recipient.type": "consumer"}, "DE_97A3_CONSUMER_CAP"),
    ({**UK, "work.creator_type": "hobby", "pricing.mode": "schedule"}, "DE_HOBBY_SCHEDULE"),
    ({"jurisdiction": "FR", "pricing.currency": "USD"}, "CURRENCY_MISMATCH"),
    ({"jurisdiction": "FR"}, "DE_LIMITATION_OK"),
    ({"sighting.hotlinked": False, "sighting.image_source_authorised": True}, "HOTLINK_REVIEW"),
]  # fmt: skip


@pytest.mark.parametrize(("overrides", "code"), NOT_FIRING)
def test_rule_stays_silent_when_its_facts_are_absent(make_facts, overrides, code):
    facts = make_facts(overrides)
    assert code not in codes(lint_claim(facts, facts.today))


def test_us_limitation_near_names_the_days_left(make_facts):
    facts = make_facts(
        {
            **US,
            **REGISTERED,
            "sighting.first_seen": "2023-09-10",
            "sighting.last_seen": "2024-01-31",
        }
    )
    finding = next(f for f in lint_claim(facts, facts.today) if f.code == "US_LIMITATION_NEAR")
    # 31 Jan 2027 is a Sunday: the period runs on to Monday (Fed. R. Civ. P. 6(a)(1)(C)).
    assert "ends on 2027-02-01 (the last day to sue; 65 days left)" in finding.reason
    assert finding.details["newest_act_timely_until"] == "2027-02-01"


def test_de_residual_finding_names_the_residual_days(make_facts):
    facts = make_facts({"sighting.first_seen": "2021-06-01"})
    finding = next(f for f in lint_claim(facts, facts.today) if f.code == "DE_LIMITATION_RESIDUAL")
    assert finding.details["residual"] == ["2021-06-01", "2022-12-31"]


def test_unsupported_jurisdiction_skips_law_specific_rules(make_facts):
    facts = make_facts({"jurisdiction": "FR", "recipient.type": "consumer"})
    found = codes(lint_claim(facts, facts.today))
    assert not any(code.startswith(("DE_", "US_", "UK_")) for code in found)


@pytest.mark.parametrize(
    ("effects", "decision"),
    [
        ([], Decision.SEND),
        ([Effect.INFO, Effect.DOWNGRADE], Decision.SEND),
        ([Effect.INFO, Effect.HOLD, Effect.DOWNGRADE], Decision.HOLD),
        ([Effect.HOLD, Effect.BLOCK], Decision.BLOCK),
        ([Effect.BLOCK], Decision.BLOCK),
    ],
)
def test_decision_precedence_block_over_hold_over_send(effects, decision):
    assert decide([Finding("X", effect, "r", "s") for effect in effects]) == decision
