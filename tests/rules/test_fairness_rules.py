"""The fairness rules of issue #14, table-driven at their boundaries (the last day, the day after,
a licence ending mid-month, each site type), through `check_claim` as `fairclaim rules check`
runs it. Base facts: tests/rules/conftest.py (DE, use 2026-01-15–2026-11-20, today 2026-11-28)."""

from datetime import date
from decimal import Decimal

import pytest

from fairclaim.rules.check import check_claim
from fairclaim.rules.deadlines import deadline, public_closed_days
from fairclaim.rules.rvg import consumer_lawyer_fee_cap

US = {"jurisdiction": "US", "recipient.country": "US", "recipient.us_state": "NY",
      "pricing.currency": "USD",
      "work.registration": {"number": "VA 1-111-111", "effective_date": "2021-06-01"}}  # fmt: skip
UK = {"jurisdiction": "UK", "recipient.country": "GB", "pricing.currency": "GBP"}


def check(make_facts, overrides):
    return check_claim(make_facts(overrides))


def effects(result):
    return {f.code: f.effect.value for f in result.findings}


def past_periods(result):
    return [
        (str(line.period.start), str(line.period.end))
        for line in result.statement.lines
        if line.code == "past_licence"
    ]


# --- rule 1: expired and partial licences ---------------------------------------------------


def licence(valid_from=None, valid_until=None, **more):
    return {"licences": [{"reference": "INV-1", "licensee": "Shop GmbH", "source": "own_sale",
                          "covers_recipient": True, "valid_from": valid_from,
                          "valid_until": valid_until, **more}]}  # fmt: skip


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "decision", "priced"),
    [
        # ends mid-month: priced from the day after expiry to the last capture
        (None, "2026-06-15", "send", [("2026-06-16", "2026-11-20")]),
        # ends the day before the last capture: one unlicensed day
        (None, "2026-11-19", "send", [("2026-11-20", "2026-11-20")]),
        # ends on the last capture: nothing unlicensed, nothing priced
        (None, "2026-11-20", "block", []),
        # ends the day before the use began: the whole use is unlicensed
        (None, "2026-01-14", "send", [("2026-01-15", "2026-11-20")]),
        # starts after the use began: the days before it
        ("2026-03-01", None, "send", [("2026-01-15", "2026-02-28")]),
        ("2026-01-16", None, "send", [("2026-01-15", "2026-01-15")]),
        ("2026-01-15", None, "block", []),
        # both: before the start and after the expiry, each priced on its own
        ("2026-03-01", "2026-06-15", "send",
         [("2026-01-15", "2026-02-28"), ("2026-06-16", "2026-11-20")]),
    ],
)  # fmt: skip
def test_only_the_days_no_licence_covered_are_priced(
    make_facts, valid_from, valid_until, decision, priced
):
    result = check(make_facts, licence(valid_from, valid_until))
    assert result.decision == decision
    assert "LICENCE_PARTIAL" not in effects(result) or effects(result)["LICENCE_PARTIAL"] == (
        "downgrade"
    )
    assert past_periods(result) == priced
    assert [list(p) for p in priced] == result.statement.as_json()["priced_periods"]
    if decision == "block":
        assert result.statement.lines == ()  # a licensed use owes nothing, not even a future fee


def test_licence_ending_mid_month_prices_the_started_months_after_it(make_facts):
    # 16 Jun–20 Nov: 6 started months at 100.00 = 600.00 (ties with the 12-month licence at
    # 600.00, and fewer licences win)
    result = check(make_facts, licence(None, "2026-06-15"))
    assert result.statement.offers["past_only"].gross.amount == Decimal("600.00")
    line = next(line for line in result.statement.lines if line.code == "past_licence")
    assert line.details["months_covered"] == 6


def test_two_licences_that_together_cover_the_use_block(make_facts):
    facts = licence(None, "2026-06-30")
    facts["licences"].append({**facts["licences"][0], "reference": "INV-2",
                              "valid_from": "2026-07-01", "valid_until": None})  # fmt: skip
    result = check(make_facts, facts)
    assert result.decision == "block"
    assert effects(result)["LICENCE_KNOWN"] == "block"


def test_a_licence_for_another_work_or_recipient_does_not_count(make_facts):
    result = check(make_facts, licence(None, None, work_id="W-OTHER"))
    assert result.decision == "send"
    assert effects(result)["LICENCE_NOT_COVERING"] == "info"
    result = check(make_facts, licence(None, None, recipient_id="R-OTHER"))
    assert result.decision == "send"


# --- rule 2: limitation that has run ----------------------------------------------------------


def use(first_seen, last_seen, discovered=None, today="2026-11-28"):
    return {"sighting.first_seen": first_seen, "sighting.last_seen": last_seen,
            "rights_holder.discovered_on": discovered or first_seen, "today": today}  # fmt: skip


@pytest.mark.parametrize(
    ("overrides", "code", "decision", "last_day"),
    [
        # Germany: knowledge 2023 → 31 Dec 2026 (a Thursday)
        (use("2023-02-01", "2023-06-30", today="2026-12-31"), "DE_LIMITATION_NEAR", "hold",
         "2026-12-31"),
        (use("2023-02-01", "2023-06-30", today="2027-01-01"), "DE_LIMITATION_EXPIRED", "block",
         "2026-12-31"),
        # knowledge 2025 → 31 Dec 2028 is a Sunday and 1 Jan a holiday: ends 2 Jan 2029 (§193 BGB)
        (use("2025-02-01", "2025-06-30", today="2029-01-02"), "DE_LIMITATION_NEAR", "hold",
         "2029-01-02"),
        (use("2025-02-01", "2025-06-30", today="2029-01-03"), "DE_LIMITATION_EXPIRED", "block",
         "2029-01-02"),
        # ten-year cap from the act, whatever the owner knew (§199(3) No. 1 BGB): 10 Jun 2026
        (use("2016-06-01", "2016-06-10", "2024-03-01", today="2026-06-10"),
         "DE_LIMITATION_NEAR", "hold", "2026-06-10"),
        (use("2016-06-01", "2016-06-10", "2024-03-01", today="2026-06-11"),
         "DE_LIMITATION_EXPIRED", "block", "2026-06-10"),
        # US, discovery rule: discovered 1 Jun 2023 after the use ended → 1 Jun 2026 (Monday)
        ({**US, **use("2023-01-10", "2023-05-31", "2023-06-01", today="2026-06-01")},
         "US_LIMITATION_NEAR", "hold", "2026-06-01"),
        ({**US, **use("2023-01-10", "2023-05-31", "2023-06-01", today="2026-06-02")},
         "US_LIMITATION_EXPIRED", "block", "2026-06-01"),
        # UK: six years from the last day of use, 27 Nov 2026 (a Friday)
        ({**UK, **use("2019-03-01", "2020-11-27", today="2026-11-27")}, "UK_LIMITATION_NEAR",
         "hold", "2026-11-27"),
        ({**UK, **use("2019-03-01", "2020-11-27", today="2026-11-28")}, "UK_LIMITATION_EXPIRED",
         "block", "2026-11-27"),
    ],
)  # fmt: skip
def test_limitation_names_its_last_day_and_blocks_the_day_after(
    make_facts, overrides, code, decision, last_day
):
    result = check(make_facts, overrides)
    assert result.decision == decision
    finding = next(f for f in result.findings if f.code == code)
    assert finding.effect.value == decision
    assert last_day in finding.reason
    assert finding.details["last_day"] == last_day
    if decision == "block":
        assert f"ended on {last_day}" in finding.reason
        assert result.statement.offers["past_only"].gross.amount == 0
    else:
        assert "days left" in finding.reason
        assert finding.details["days_left"] >= 0


# --- rule 3: own, agency and whitelisted sites ------------------------------------------------


@pytest.mark.parametrize(
    ("page_url", "listed", "code"),
    [
        ("https://www.anna.de/galerie", {"own_domains": ["anna.de"]}, "OWN_SITE"),
        ("https://shop.anna.de/p/1", {"own_domains": ["www.anna.de"]}, "OWN_SITE"),
        ("https://anna.github.io/p", {"own_domains": ["https://anna.github.io/"]}, "OWN_SITE"),
        ("https://xn--mnchen-3ya.de/", {"own_domains": ["münchen.de"]}, "OWN_SITE"),
        ("https://blog.bildagentur.de/", {"agency_domains": ["bildagentur.de"]}, "AGENCY_SITE"),
        ("https://www.partner.co.uk/", {"whitelist": ["partner.co.uk"]}, "WHITELISTED_SITE"),
        # not the same registrable domain
        ("https://bob.github.io/p", {"own_domains": ["anna.github.io"]}, None),
        ("https://anna.de.shop.example/p", {"own_domains": ["anna.de"]}, None),
        ("https://www.other.co.uk/", {"whitelist": ["co.uk"]}, None),  # a suffix names no site
        ("https://annade.com/", {"own_domains": ["anna.de"]}, None),
    ],
)  # fmt: skip
def test_a_use_on_the_rights_holders_own_sites_is_blocked_by_registrable_domain(
    make_facts, page_url, listed, code
):
    overrides = {"sighting.page_url": page_url}
    overrides.update({f"rights_holder.{key}": value for key, value in listed.items()})
    result = check(make_facts, overrides)
    if code is None:
        assert result.decision == "send"
        assert not {"OWN_SITE", "AGENCY_SITE", "WHITELISTED_SITE"} & set(effects(result))
    else:
        assert result.decision == "block"
        assert effects(result)[code] == "block"
        assert result.statement.lines == ()  # nothing is asked of the rights holder's own site


# --- rule 4: the payment deadline in the output -----------------------------------------------

NOV = {"today": "2026-11-02", "sighting.last_seen": "2026-10-30"}


@pytest.mark.parametrize(
    ("overrides", "payment_deadline", "moved_past"),
    [
        # 23 Dec + 14 = 6 Jan 2027: Epiphany is a holiday in Bavaria only
        ({"send_on": "2026-12-23"}, "2027-01-06", []),
        ({"send_on": "2026-12-23", "recipient.subdivision": "BY"}, "2027-01-07", ["2027-01-06"]),
        # 11 Dec + 14 = 25 Dec; 26 Dec (holiday, Saturday), 27 Dec (Sunday)
        ({"send_on": "2026-12-11"}, "2026-12-28", ["2026-12-25", "2026-12-26", "2026-12-27"]),
        # no send date: today (Saturday 28 Nov) + 14 = Saturday 12 Dec → Monday
        ({}, "2026-12-14", ["2026-12-12", "2026-12-13"]),
        # US: 21 days; 26 Nov Thanksgiving, 27 Nov a state holiday in California
        ({**US, **NOV, "recipient.us_state": "CA", "send_on": "2026-11-05"}, "2026-11-30",
         ["2026-11-26", "2026-11-27", "2026-11-28", "2026-11-29"]),
        ({**US, **NOV, "send_on": "2026-11-05"}, "2026-11-27", ["2026-11-26"]),
        # UK: Scotland's 2 January falls on a Saturday in 2027, so Monday 4 January is its
        # substitute day; in England only the weekend is skipped
        ({**UK, "send_on": "2026-12-19", "recipient.subdivision": "SCT"}, "2027-01-05",
         ["2027-01-02", "2027-01-03", "2027-01-04"]),
        ({**UK, "send_on": "2026-12-19"}, "2027-01-04", ["2027-01-02", "2027-01-03"]),
    ],
)  # fmt: skip
def test_the_payment_deadline_is_moved_off_the_recipients_closed_days(
    make_facts, overrides, payment_deadline, moved_past
):
    result = check(make_facts, overrides)
    out = result.as_json()["deadlines"]
    assert out["payment_deadline"] == payment_deadline
    assert [day["date"] for day in out["moved_past"]] == moved_past
    # the same calendar and period the letters use
    facts = make_facts(overrides)
    closed = public_closed_days(facts.recipient.country, facts.recipient_subdivision)
    days = out["notice_days"]
    assert deadline(facts.send_on or facts.today, days, closed) == date.fromisoformat(
        payment_deadline
    )


def test_an_unknown_country_falls_back_to_weekends_and_says_so(make_facts):
    out = check(make_facts, {"recipient.country": "ZZ", "send_on": "2026-12-11"}).as_json()
    assert out["deadlines"]["calendar"] == {
        "country": None,
        "subdivision": None,
        "fallback": "weekends only",
    }
    assert out["deadlines"]["payment_deadline"] == "2026-12-25"  # a Friday; no holidays known


def test_stored_facts_rechecked_later_send_today(make_facts):
    facts = make_facts({"send_on": "2026-11-30"})
    result = check_claim(facts, today=date(2026, 12, 10))
    assert result.as_json()["deadlines"]["send_on"] == "2026-12-10"
    assert result.as_json()["payment_deadline"] == "2026-12-24"


def test_send_date_before_today_is_refused(make_facts):
    from fairclaim.rules.facts import InvalidFacts

    with pytest.raises(InvalidFacts, match="send_on"):
        make_facts({"send_on": "2026-11-27"})


# --- rule 5: a licence proven before ------------------------------------------------------------


@pytest.mark.parametrize(
    ("proven", "decision"),
    [
        ({"proven_in_case": "FC-2025-0042"}, "block"),
        ({"proven_in_case": "FC-2025-0042", "work_id": "W-1", "recipient_id": "R-1"}, "block"),
        # dates do not narrow it: a proven licensee is not claimed again for that work
        ({"proven_in_case": "FC-2025-0042", "valid_until": "2026-03-31"}, "block"),
        ({"proven_in_case": "FC-2025-0042", "recipient_id": "R-2"}, "send"),
        ({"proven_in_case": "FC-2025-0042", "work_id": "W-2"}, "send"),
        ({"proven_in_case": "FC-2025-0042", "covers_recipient": False}, "send"),
    ],
)
def test_a_licence_proven_in_an_earlier_case_blocks_and_names_the_case(
    make_facts, proven, decision
):
    entry = {"reference": "Adobe Stock 1", "licensee": "Shop GmbH", "source": "other",
             "covers_recipient": True, **proven}  # fmt: skip
    result = check(make_facts, {"licences": [entry]})
    assert result.decision == decision
    if decision == "block":
        finding = next(f for f in result.findings if f.code == "LICENCE_PROVEN")
        assert "FC-2025-0042" in finding.reason
        assert finding.details["case_ref"] == "FC-2025-0042"


# --- rule 6: site types and German private persons --------------------------------------------

LAWYER_FEE = {"pricing.expenses": [{"kind": "lawyer_fee", "amount": "571.44", "basis": "RVG"}],
              "pricing.surcharges": [{"code": "missing_credit", "pct": "100"}],
              "sighting.credit_present": False}  # fmt: skip


@pytest.mark.parametrize(
    ("overrides", "decision", "code", "lawyer_fee", "credit_surcharge"),
    [
        ({"sighting.site_type": "commercial"}, "send", None, "571.44", True),
        ({"sighting.site_type": "non_commercial"}, "hold", "NON_COMMERCIAL_SITE", "571.44", True),
        # a private person in Germany: not exempt, the lawyer fee is capped
        ({"sighting.site_type": "private"}, "send", "DE_PRIVATE_USE", "140.90", True),
        ({"sighting.site_type": "private", "recipient.type": "consumer"}, "send",
         "DE_PRIVATE_USE", "140.90", True),
        # ... and a non-professional rights holder gets no missing-credit surcharge
        ({"sighting.site_type": "private", "rights_holder.professional": False}, "send",
         "DE_PRIVATE_USE", "140.90", False),
        ({"sighting.site_type": "private", "work.creator_type": "hobby"}, "send",
         "DE_PRIVATE_USE", "140.90", False),
        # already bound to cease and desist towards this claimant: §97a(3) No. 2, no cap
        ({"sighting.site_type": "private", "recipient.bound_by_prior_undertaking": True}, "send",
         "DE_PRIVATE_USE", "571.44", True),
        # a cap the rights holder states is used as given
        ({"sighting.site_type": "private", "pricing.consumer_lawyer_fee_cap": "134.40"}, "send",
         "DE_PRIVATE_USE", "134.40", True),
        # elsewhere a private site is reviewed, not blocked
        ({**US, "sighting.site_type": "private"}, "hold", "PRIVATE_SITE", "571.44", False),
        ({**UK, "sighting.site_type": "private"}, "hold", "PRIVATE_SITE", "571.44", False),
    ],
)  # fmt: skip
def test_each_site_type(make_facts, overrides, decision, code, lawyer_fee, credit_surcharge):
    result = check(make_facts, {**LAWYER_FEE, **overrides})
    assert result.decision == decision
    if code:
        assert code in effects(result)
    lines = {line.code: str(line.amount) for line in result.statement.lines}
    assert lines["lawyer_fee"] == lawyer_fee
    assert ("credit_surcharge" in lines) is credit_surcharge


@pytest.mark.parametrize(
    ("send_on", "cap"),
    [
        (date(2020, 12, 31), "124.00"),  # 1.3 × 80.00 + 20.00
        (date(2021, 1, 1), "134.40"),  # 1.3 × 88.00 + 20.00
        (date(2025, 5, 31), "134.40"),
        (date(2025, 6, 1), "140.90"),  # 1.3 × 93.00 + 20.00
    ],
)
def test_the_97a3_cap_follows_the_rvg_table_in_force_on_the_send_date(send_on, cap):
    assert consumer_lawyer_fee_cap(send_on) == Decimal(cap)


# --- rules 7 and 8: Creative Commons and the work's own licence -------------------------------

CC_BY = {"work.cc_licence": {"code": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}}  # fmt: skip  # noqa: E501


@pytest.mark.parametrize(
    ("credit", "page_licence", "decision", "lines"),
    [
        (True, "CC BY 4.0", "block", []),
        (True, "https://creativecommons.org/licenses/by/4.0/deed.de", "block", []),
        (True, "Creative Commons Attribution 3.0", "block", []),  # the licence, another version
        (True, None, "send", ["licence_notice_request"]),
        (True, "CC BY-SA 4.0", "send", ["licence_notice_request"]),  # not the work's licence
        (False, "CC BY 4.0", "send", ["attribution_request"]),
        (False, None, "send", ["attribution_request", "licence_notice_request"]),
    ],
)
def test_creative_commons_asks_only_for_what_the_page_lacks(
    make_facts, credit, page_licence, decision, lines
):
    overrides = {
        **CC_BY,
        "sighting.credit_present": credit,
        "sighting.page_cc_licence": page_licence,
    }
    result = check(make_facts, overrides)
    assert result.decision == decision
    assert [line.code for line in result.statement.lines] == lines
    assert all(line.amount.amount == 0 for line in result.statement.lines)


@pytest.mark.parametrize(
    ("own_licence", "page", "decision", "code", "money"),
    [
        ({"code": "CC0 1.0 Universal"}, {}, "block", "WORK_CC0", False),
        ({"url": "https://creativecommons.org/publicdomain/zero/1.0/"}, {}, "block", "WORK_CC0",
         False),
        ({"code": "Public Domain Mark 1.0", "source": "notice"}, {}, "block",
         "WORK_PUBLIC_DOMAIN", False),
        ({"code": "CC BY-SA 4.0", "source": "metadata"},
         {"sighting.page_licence": "CC BY-SA 4.0"}, "block", "CC_LICENSED", False),
        ({"code": "CC BY-SA 4.0"}, {}, "send", "CC_ATTRIBUTION_CURE", False),
        ({"code": "CC BY-NC 4.0"}, {}, "hold", "CC_NON_COMMERCIAL_TERMS", True),
        ({"code": "GPL-3.0-or-later"}, {"sighting.page_licence": "GNU General Public License"},
         "block", "CC_LICENSED", False),
        ({"code": "GPL-3.0-or-later"}, {"sighting.credit_present": False}, "send",
         "CC_ATTRIBUTION_CURE", False),
        # a notice that names no open licence changes nothing
        ({"code": "© 2021 Anna Berg. All rights reserved.", "source": "notice"}, {}, "send",
         None, True),
    ],
)  # fmt: skip
def test_the_works_own_licence_is_checked_against_the_use(
    make_facts, own_licence, page, decision, code, money
):
    result = check(make_facts, {"work.own_licence": own_licence, **page})
    assert result.decision == decision
    if code:
        assert code in effects(result)
    priced = result.statement.offers["past_only"].gross.amount
    assert (priced > 0) is money


@pytest.mark.parametrize("law", [{}, US, UK])
def test_limitation_never_holds_with_negative_days_and_blocks_exactly_after_the_last_day(
    make_facts, law
):
    """Across many uses and days: blocked iff today is after the named last day; a hold always
    has days left ≥ 0 (the old linter held with negative days)."""
    from datetime import timedelta

    law = {**law, "work.first_published_on": "2010-01-01"}
    if "work.registration" in law:
        law["work.registration"] = {"number": "VA 1", "effective_date": "2010-02-01"}
    checked = 0
    for first in (date(2015, 3, 1), date(2019, 12, 30), date(2022, 6, 15), date(2023, 12, 31)):
        for length in (0, 40, 400):
            last = first + timedelta(days=length)
            for offset in (-1, 0, 1, 200):
                facts = make_facts({**law, **use(str(first), str(last), today=str(last))})
                end = date.fromisoformat(
                    next(f for f in check_claim(facts).findings if "LIMITATION" in f.code).details[
                        "last_day"
                    ]
                )
                today = end + timedelta(days=offset)
                result = check(make_facts, {**law, **use(str(first), str(last), today=str(today))})
                limitation = [f for f in result.findings if "_LIMITATION_" in f.code]
                expired = any(f.code.endswith("_EXPIRED") for f in limitation)
                assert expired is (today > end), (first, last, today, end)
                for finding in limitation:
                    assert finding.details.get("days_left", 0) >= 0
                checked += 1
    assert checked == 48
