"""The stable contract of `fairclaim rules check FACTS.json`, run as a real subprocess."""

import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from .conftest import build

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "facts" / "examples"

EXPECTED = {
    "de-send-shop-missing-credit.json": ("send", "5235.00", "6480.93"),
    "de-send-cc-attribution.json": ("send", "0.00", "0.00"),
    "de-hold-hobby-consumer.json": ("hold", "450.90", "819.80"),
    "de-block-licence-known.json": ("block", "0.00", "0.00"),
    "us-send-registered.json": ("send", "4800.00", "6000.00"),
    "us-hold-hotlink-texas.json": ("hold", "900.00", "1800.00"),
    "us-block-time-barred.json": ("block", "0.00", "1200.00"),
    "uk-send-rate-card.json": ("send", "430.00", "718.00"),
    "uk-block-thumbnail.json": ("block", "430.00", "718.00"),
    # rule 1: only the days no licence covered
    "de-send-licence-expired-mid-month.json": ("send", "1080.00", "1651.20"),
    "de-send-licence-before-start-and-after-expiry.json": ("send", "1440.00", "2011.20"),
    # rule 2: limitation
    "de-block-limitation-ended.json": ("block", "0.00", "571.20"),
    "de-hold-limitation-last-day.json": ("hold", "960.00", "1531.20"),
    "us-block-limitation-ended-discovery.json": ("block", "0.00", "1200.00"),
    # rule 3: own, agency and whitelisted sites; a shared hosting suffix is not "own"
    "de-block-own-site-subdomain.json": ("block", "0.00", "0.00"),
    "us-block-agency-site.json": ("block", "0.00", "0.00"),
    "de-block-whitelisted-site.json": ("block", "0.00", "0.00"),
    "de-send-shared-hosting-not-own.json": ("send", "2040.00", "2611.20"),
    # rule 4: deadlines
    "de-send-deadline-bavarian-holiday.json": ("send", "2040.00", "2611.20"),
    "us-send-deadline-thanksgiving.json": ("send", "4800.00", "6000.00"),
    # rule 5: a licence proven in an earlier case
    "de-block-licence-proven.json": ("block", "0.00", "0.00"),
    # rule 6: German private persons
    "de-send-private-person-capped.json": ("send", "1220.90", "1435.10"),
    "de-send-private-person-hobby-rights-holder.json": ("send", "680.90", "895.10"),
    # rules 7 and 8: Creative Commons and the work's own licence
    "de-block-cc-credit-and-licence-given.json": ("block", "0.00", "0.00"),
    "de-send-cc-licence-notice-missing.json": ("send", "0.00", "0.00"),
    "de-block-work-cc0.json": ("block", "0.00", "0.00"),
    "us-block-work-public-domain.json": ("block", "0.00", "0.00"),
    "de-send-work-gpl-cure.json": ("send", "0.00", "0.00"),
}


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fairclaim.cli", "rules", "check", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def outputs():
    """All examples in one subprocess each, once for the module."""
    return {name: run(str(EXAMPLES / name)) for name in EXPECTED}


def test_every_example_file_is_covered():
    assert {p.name for p in EXAMPLES.glob("*.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_gives_expected_decision_and_totals(outputs, name):
    proc = outputs[name]
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    decision, past_only, past_and_future = EXPECTED[name]
    assert result["decision"] == decision
    totals = result["statement"]["totals"]
    assert totals["past_only"]["gross"] == past_only
    assert totals["past_and_future"]["gross"] == past_and_future


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_output_follows_the_contract(outputs, name):
    result = json.loads(outputs[name].stdout)
    assert result["decision"] in {"send", "hold", "block"}
    for finding in result["findings"]:
        assert finding["code"]
        assert finding["reason"]
        assert finding["source"]
        assert finding["effect"] in {"block", "hold", "downgrade", "info"}
    statement = result["statement"]
    assert statement["currency"] in {"EUR", "USD", "GBP"}
    assert "rate" in statement["vat"]
    for line in statement["lines"]:
        assert Decimal(line["amount"]) >= 0
        assert line["basis"]
    for total in statement["totals"].values():
        assert Decimal(total["net"]) + Decimal(total["vat"]) == Decimal(total["gross"])


def test_hold_example_names_its_reasons(outputs):
    result = json.loads(outputs["us-hold-hotlink-texas.json"].stdout)
    holds = [f["code"] for f in result["findings"] if f["effect"] == "hold"]
    assert holds == ["HOTLINK_REVIEW"]


def test_invalid_facts_exit_2_naming_the_field(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(build({"sighting.first_seen": "2026-13-01"})), encoding="utf-8")
    proc = run(str(path))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "sighting.first_seen" in proc.stderr


def test_float_money_exits_2_naming_the_price(tmp_path):
    path = tmp_path / "bad.json"
    facts = build({"pricing.entries": [{"usage": "web_commercial", "months": 1, "price": 9.5}]})
    path.write_text(json.dumps(facts), encoding="utf-8")
    proc = run(str(path))
    assert proc.returncode == 2
    assert "pricing.entries[0].price" in proc.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [("{broken", "not JSON"), ("[1, 2]", "expected a JSON object")],
)
def test_unreadable_facts_exit_2(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    proc = run(str(path))
    assert proc.returncode == 2
    assert message in proc.stderr


def test_missing_file_exits_2(tmp_path):
    proc = run(str(tmp_path / "nope.json"))
    assert proc.returncode == 2
    assert "cannot read" in proc.stderr


def test_today_defaults_to_the_real_date_in_the_cli():
    facts = build({"today": ...})
    proc = run("-", stdin=json.dumps(facts))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["today"] == date.today().isoformat()


@pytest.fixture(scope="module")
def new_outputs(outputs):
    return {name: json.loads(proc.stdout) for name, proc in outputs.items()}


@pytest.mark.parametrize(
    ("name", "code", "text"),
    [
        ("de-block-limitation-ended.json", "DE_LIMITATION_EXPIRED", "ended on 2025-12-31"),
        ("de-hold-limitation-last-day.json", "DE_LIMITATION_NEAR", "ends on 2026-12-31"),
        ("us-block-limitation-ended-discovery.json", "US_LIMITATION_EXPIRED", "2026-11-30"),
        ("de-block-licence-proven.json", "LICENCE_PROVEN", "FC-2025-0042"),
        ("de-block-own-site-subdomain.json", "OWN_SITE", "anna-berg.example"),
        ("us-block-agency-site.json", "AGENCY_SITE", "northlight-agency.example"),
        ("de-block-whitelisted-site.json", "WHITELISTED_SITE", "hotel-elbblick.example"),
        ("de-send-private-person-capped.json", "DE_97A3_CONSUMER_CAP", "140.90"),
        ("de-block-work-cc0.json", "WORK_CC0", "CC0"),
        ("us-block-work-public-domain.json", "WORK_PUBLIC_DOMAIN", "public domain"),
        ("de-send-licence-expired-mid-month.json", "LICENCE_PARTIAL", "2025-11-15"),
    ],
)
def test_example_names_its_reason(new_outputs, name, code, text):
    finding = next(f for f in new_outputs[name]["findings"] if f["code"] == code)
    assert text in finding["reason"]


@pytest.mark.parametrize(
    ("name", "send_on", "payment_deadline"),
    [
        ("de-send-deadline-bavarian-holiday.json", "2026-12-23", "2027-01-07"),
        ("us-send-deadline-thanksgiving.json", "2026-11-05", "2026-11-30"),
        ("de-send-shop-missing-credit.json", "2026-11-28", "2026-12-14"),
    ],
)
def test_example_output_carries_the_payment_deadline(new_outputs, name, send_on, payment_deadline):
    deadlines = new_outputs[name]["deadlines"]
    assert deadlines["send_on"] == send_on
    assert deadlines["payment_deadline"] == payment_deadline
    assert new_outputs[name]["payment_deadline"] == payment_deadline


def test_cc_and_open_licence_examples_ask_for_no_money(new_outputs):
    given = new_outputs["de-block-cc-credit-and-licence-given.json"]["statement"]
    assert given["lines"] == []  # not even a credit request
    cure = new_outputs["de-send-work-gpl-cure.json"]["statement"]
    assert {line["code"] for line in cure["lines"]} == {
        "attribution_request",
        "licence_notice_request",
    }
    assert all(line["amount"] == "0.00" for line in cure["lines"])


def test_licence_gap_example_prices_each_unlicensed_stretch(new_outputs):
    statement = new_outputs["de-send-licence-before-start-and-after-expiry.json"]["statement"]
    assert statement["priced_periods"] == [
        ["2024-11-02", "2025-02-09"],
        ["2026-02-10", "2026-11-20"],
    ]
