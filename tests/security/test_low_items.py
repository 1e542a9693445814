"""The cheap low items of issue 16 item 10: headers, short portal sessions, clear errors instead
of tracebacks (nested JSON, huge CSV fields, malformed signed Stripe events), a message rate
limit, and a scan that says when it could read nothing."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fairclaim.cases.access_codes import new_access_code
from fairclaim.cases.models import Case
from fairclaim.cli import main
from tests.cast import PASSWORD, sign_in
from tests.payments.stripe.conftest import WEBHOOK_SECRET, event, sign

STRIPE_URL = "/payments/stripe/webhook/"


@pytest.fixture
def recipient(client, cast):
    case = cast.case
    Case.objects.filter(pk=case.pk).update(
        state="notice_sent", deadline=dt.date(2026, 12, 14), law_firm=None
    )
    code = new_access_code(case)
    client.post(reverse("portal:enter"), {"reference": case.reference, "code": code})
    return client, case


def test_html_pages_carry_a_content_security_policy(client, db):
    policy = client.get(reverse("portal:enter"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


def test_portal_pages_are_never_cached_and_the_session_ends_with_the_browser(recipient):
    client, case = recipient
    page = client.get(reverse("portal:case", args=[case.reference]))
    assert "no-store" in page["Cache-Control"]
    assert "private" in page["Cache-Control"]
    cookie = client.cookies["sessionid"]
    assert not cookie["max-age"]  # a browser-session cookie
    assert not cookie["expires"]


def test_portal_messages_are_rate_limited_per_case(recipient):
    client, case = recipient
    url = reverse("portal:messages", args=[case.reference])
    for i in range(30):
        client.post(url, {"body": f"message {i}"})
    refused = client.post(url, {"body": "one too many"})
    assert "Please wait an hour" in refused.content.decode()
    assert case.messages.count() == 30


def test_rules_check_refuses_deeply_nested_json_with_a_clear_error(tmp_path, capsys):
    facts = tmp_path / "deep.json"
    facts.write_text('{"x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert main(["rules", "check", str(facts)]) == 2
    assert "too deeply" in capsys.readouterr().err


def test_a_licence_csv_with_a_huge_field_or_nul_bytes_gets_a_clear_error(client, cast):
    client.login(username="alice", password=PASSWORD)
    huge = "licensee,reference\n" + "A" * 200_000 + ",x\n"
    response = client.post(
        reverse("works:import_licences"),
        {"csv_file": SimpleUploadedFile("ledger.csv", huge.encode())},
    )
    assert response.status_code == 400
    assert "not readable CSV" in response.content.decode()
    nul = client.post(
        reverse("works:import_licences"),
        {"csv_file": SimpleUploadedFile("nul.csv", b"licensee,reference\nShop\x00 Ltd,INV-1\n")},
    )
    assert nul.status_code == 302
    assert cast.work.owner.licences.get().licensee_name == "Shop Ltd"


@pytest.mark.parametrize(
    "payload",
    [
        json.dumps([{"id": "evt_1"}]),
        event("evt_2", "checkout.session.completed", {"amount_total": "lots", "currency": "eur"}),
        event("evt_3", "checkout.session.completed", {"amount_total": 100, "currency": "xyz"}),
        event("evt_4", "charge.refunded", {"amount_refunded": 5, "currency": ["eur"]}),
    ],
)
def test_malformed_events_with_a_valid_signature_get_400_not_500(client, settings, payload):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    response = client.post(
        STRIPE_URL, data=payload, content_type="application/json",
        headers={"Stripe-Signature": sign(payload)},
    )  # fmt: skip
    assert response.status_code == 400


def test_a_scan_whose_every_start_url_is_refused_exits_non_zero(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "fairclaim.cli", "scan", "--in-process", "--no-progress",
         "--out", str(tmp_path / "out.jsonl"), "--", "http://127.0.0.1:9/", "http://10.0.0.1/"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "FAIRCLAIM_ALLOW_LOOPBACK": "0"},
    )  # fmt: skip
    assert done.returncode == 1, done.stderr[-1000:]
    assert "nothing could be read" in done.stderr


def test_the_pixel_limit_setting_can_raise_pillows_own_limit_and_says_what_it_compares():
    from fairclaim.works.intake import Limits, UploadRefused, check_image
    from tests.images import png_claiming_size

    big = png_claiming_size(11_600, 8_700)  # 100.9 MP: over Pillow's 89.5 MP default
    with pytest.raises(UploadRefused) as refused:
        check_image("big.png", big, Limits(max_bytes=10**8, max_pixels=200_000_000))
    assert "MP" not in refused.value.reason  # past the pixel check: refused only as damaged
    with pytest.raises(UploadRefused) as over:
        check_image("big.png", big, Limits(max_bytes=10**8, max_pixels=100_000_000))
    assert "(100.9 MP); the limit is 100.0 MP" in over.value.reason


def test_notice_pdfs_in_the_portal_are_never_cached(recipient):
    from django.core.files.base import ContentFile

    from fairclaim.cases.models import Notice

    client, case = recipient
    notice = Notice(case=case, kind="demand", status="sent", idempotency_key="k-1",
                    recipient_email="a@b.example", subject="s", body_text="b")  # fmt: skip
    notice.pdf.save("n.pdf", ContentFile(b"%PDF-1.7 test"), save=True)
    from tests.webserver import drain

    response = client.get(reverse("portal:document", args=[case.reference, notice.pk]))
    assert response.status_code == 200
    assert drain(response) == b"%PDF-1.7 test"
    assert "no-store" in response["Cache-Control"]


def test_a_deeply_nested_rate_card_is_never_parsed_as_json(client, cast):
    # Probe L5 posted 50,000 nested arrays as the raw JSON price list (a 500). The price list is
    # now a form of rows: such a body is refused field by field and nothing is stored.
    from fairclaim.cases.models import RateCard

    client.login(username="alice", password=PASSWORD)
    before = list(RateCard.objects.values_list("pk", "pricing"))
    deep = "[" * 50_000 + "]" * 50_000
    response = client.post(reverse("cases:rate_card"), {
        "creator_type": "professional", "pricing": deep, "own_domains": "", "agency_domains": "",
    })  # fmt: skip
    assert response.status_code == 200
    assert list(RateCard.objects.values_list("pk", "pricing")) == before


def test_a_watch_list_url_is_never_read_as_an_option_of_the_scan(tmp_path, settings):
    from fairclaim.monitoring.actions import run_crawl

    settings.FAIRCLAIM_ALLOW_LOOPBACK = False
    records, _counts = run_crawl([f"--warc={tmp_path}/x.warc", f"--parts-dir={tmp_path}/p"], 1)
    assert records == []
    assert not (tmp_path / "p").exists()


def test_the_admin_shows_a_notice_and_a_defence_with_files(client, cast):
    from django.contrib.auth.models import Permission
    from django.core.files.base import ContentFile

    from fairclaim.cases.models import Defence, Notice

    cast.manager.user_permissions.set(Permission.objects.filter(content_type__app_label="cases"))
    sign_in(client, cast.manager)
    notice = Notice(case=cast.case, kind="demand", status="sent", idempotency_key="k-2",
                    recipient_email="a@b.example", subject="s", body_text="b")  # fmt: skip
    notice.pdf.save("n.pdf", ContentFile(b"%PDF-1.7 test"), save=True)
    defence = Defence(case=cast.case, kind="licence_elsewhere", statement="We have one.")
    defence.evidence.save("e.pdf", ContentFile(b"%PDF-1.7 test"), save=True)
    for name, pk in (("notice", notice.pk), ("defence", defence.pk)):
        page = client.get(reverse(f"admin:cases_{name}_change", args=[pk]))
        assert page.status_code == 200, name


def test_a_scan_of_a_garbage_warc_exits_non_zero(tmp_path):
    garbage = tmp_path / "garbage.warc"
    garbage.write_bytes(b"this is not a warc\n\x00\x01garbage")
    done = subprocess.run(
        [sys.executable, "-m", "fairclaim.cli", "scan", "--no-progress", "--warc", str(garbage),
         "--out", str(tmp_path / "out.jsonl")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr[-1000:]
    assert "nothing could be read" in done.stderr
