"""The stable CLI contracts, run as a subprocess the way outside tools call them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fairclaim.evidence.keys import public_key_pem

from .test_caselog import EVENTS, chain
from .test_verify import flip_byte, rewrite


def fairclaim(*args, env_extra=None, timeout=120):
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "fairclaim.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


@pytest.mark.browser
def test_capture_with_timestamp_then_verify_exit_zero(site, tsa, tmp_path):
    key = tmp_path / "keys" / "signing.pem"
    out = tmp_path / "out" / "bundle.wacz"
    env = {"FAIRCLAIM_ALLOW_LOOPBACK": "1", "FAIRCLAIM_SIGNING_KEY": str(key)}
    captured = fairclaim(
        "evidence", "capture", site.url("/static.html"), site.url("/photo.jpg"),
        "--out", str(out), "--timeout", "20", "--tsa", tsa[1], "--json", env_extra=env,
    )  # fmt: skip
    assert captured.returncode == 0, captured.stderr
    summary = json.loads(captured.stdout)
    assert summary["image_present"] is True
    assert summary["bundle"] == str(out)
    assert summary["timestamped"] is True
    assert key.exists()
    published = fairclaim("evidence", "public-key", "--key", str(key))
    assert summary["key_id"] in published.stdout
    pem = tmp_path / "published.pem"
    pem.write_text(published.stdout.split("\n", 1)[1])
    verified = fairclaim("evidence", "verify", str(out), "--public-key", str(pem))
    assert verified.returncode == 0, verified.stdout
    assert verified.stdout.strip().endswith("VERIFIED")
    assert f"signed by key {summary['key_id']}" in verified.stdout
    assert "OK     timestamp (fairclaim/manifest.tsr)" in verified.stdout
    assert "OK     WACZ signedData (datapackage-digest.json)" in verified.stdout


def test_capture_of_a_loopback_page_is_refused_without_the_switch(site, tmp_path):
    env = {"FAIRCLAIM_ALLOW_LOOPBACK": "0", "FAIRCLAIM_SIGNING_KEY": str(tmp_path / "k.pem")}
    out = tmp_path / "bundle.wacz"
    result = fairclaim(
        "evidence", "capture", site.url("/static.html"), site.url("/photo.jpg"),
        "--out", str(out), env_extra=env,
    )  # fmt: skip
    assert result.returncode == 1
    assert "loopback" in result.stderr
    assert not out.exists()


@pytest.mark.browser
def test_verify_prints_a_line_per_check_and_names_the_tampered_part(static_capture, tmp_path):
    _, source = static_capture
    target = tmp_path / "tampered.wacz"
    with zipfile.ZipFile(source) as archive:
        screenshot = archive.read("fairclaim/screenshot-viewport.png")
    rewrite(source, target, {"fairclaim/screenshot-viewport.png": flip_byte(screenshot)})
    good = fairclaim("evidence", "verify", str(source), "--trust-any-key")
    bad = fairclaim("evidence", "verify", str(target), "--trust-any-key")
    assert good.returncode == 0
    assert all(
        line.startswith(("OK ", "INFO ", "signed by", "VERIFIED"))
        for line in good.stdout.splitlines()
    )
    assert "INFO   image_present: True" in good.stdout
    assert bad.returncode == 1
    failed = [line for line in bad.stdout.splitlines() if line.startswith("FAILED")]
    assert failed
    assert all("fairclaim/screenshot-viewport.png" in line for line in failed)
    assert "NOT VERIFIED" in bad.stdout


@pytest.mark.browser
def test_verify_json_and_public_key_options(static_capture, signer, tmp_path):
    _, source = static_capture
    right = tmp_path / "right.pem"
    right.write_bytes(signer.public_key_pem())
    wrong = tmp_path / "wrong.pem"
    wrong.write_bytes(public_key_pem(Ed25519PrivateKey.generate()))
    ok = fairclaim("evidence", "verify", str(source), "--public-key", str(right), "--json")
    assert ok.returncode == 0
    report = json.loads(ok.stdout)
    assert report["ok"] is True
    assert report["key_id"] == signer.key_id
    assert report["info"]["image_present"] is True
    assert {check["part"] for check in report["checks"]} >= {
        "archive/data.warc.gz",
        "signature (fairclaim/manifest.sig.json)",
        "timestamp (fairclaim/manifest.tsr)",
    }
    refused = fairclaim("evidence", "verify", str(source), "--public-key", str(wrong))
    assert refused.returncode == 1
    assert "FAILED trusted key: signed by key" in refused.stdout


def test_verify_checks_a_case_log_export(tmp_path):
    export = chain(EVENTS)
    good = tmp_path / "caselog.json"
    good.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    assert fairclaim("evidence", "verify", str(good)).returncode == 0
    export["events"][2]["payload"]["text"] = "changed"
    bad = tmp_path / "caselog-bad.json"
    bad.write_text(json.dumps(export), encoding="utf-8")
    result = fairclaim("evidence", "verify", str(bad))
    assert result.returncode == 1
    assert "FAILED event 3" in result.stdout


def test_verify_of_a_missing_file_exits_one(tmp_path):
    result = fairclaim("evidence", "verify", str(tmp_path / "nope.wacz"))
    assert result.returncode == 1
    assert "FAILED" in result.stdout
