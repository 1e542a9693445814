"""Key rotation: new keys sign from the rotation on; everything signed before still verifies
against the published key list, which keeps every key with the period it signed in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from fairclaim.evidence.keyring import Keyring, KeyringError, platform_keyring, rotate
from fairclaim.evidence.keys import Signer
from fairclaim.evidence.pdfsign import sign_pdf, verify_pdf
from fairclaim.evidence.verify import verify_bundle

from .test_timestamp import synthetic_bundle


def plain_pdf() -> bytes:
    from weasyprint import HTML

    return HTML(string="<html lang=en><title>t</title><p>Pay 100 EUR</p>").write_pdf()


def test_a_bundle_and_a_pdf_signed_before_a_rotation_still_verify_after_it(tmp_path):
    key = tmp_path / "keys" / "signing-ed25519.pem"
    old = Signer.from_path(key)
    platform_keyring(old, datetime.now(UTC))
    synthetic_bundle(tmp_path / "before.wacz", old)
    pdf_before = sign_pdf(plain_pdf(), old.document, reason="test")

    keyring, new = rotate(key, datetime.now(UTC))

    assert new.key_id != old.key_id
    assert new.document.key_id != old.document.key_id
    assert new.wacz.key_id != old.wacz.key_id
    assert len(keyring.keys) == 6
    assert {e.key_id for e in keyring.current()} == {
        new.key_id, new.document.key_id, new.wacz.key_id,
    }  # fmt: skip
    retired = keyring.entry(old.key_id)
    assert retired.valid_until is not None
    assert (tmp_path / "keys" / "retired").is_dir()  # the old private keys are kept, not lost
    published = Keyring.from_json((tmp_path / "keys" / "keyring.json").read_bytes())

    before = verify_bundle(tmp_path / "before.wacz", keyring=published)
    assert before.ok, before.lines()
    synthetic_bundle(tmp_path / "after.wacz", new)
    after = verify_bundle(tmp_path / "after.wacz", keyring=published)
    assert after.ok, after.lines()
    pdf_check = verify_pdf(pdf_before, keyring=published)
    assert pdf_check.ok, pdf_check.lines()
    pdf_after = verify_pdf(sign_pdf(plain_pdf(), new.document, reason="test"), keyring=published)
    assert pdf_after.ok, pdf_after.lines()


def test_a_retired_key_signing_after_its_period_is_refused(tmp_path):
    """A stolen retired key cannot sign new evidence that the key list accepts."""
    key = tmp_path / "keys" / "signing-ed25519.pem"
    old = Signer.from_path(key)
    platform_keyring(old, datetime.now(UTC) - timedelta(days=30))
    keyring, _ = rotate(key, datetime.now(UTC) - timedelta(days=1))
    synthetic_bundle(tmp_path / "late.wacz", old)  # captured now, after the old key retired
    verification = verify_bundle(tmp_path / "late.wacz", keyring=keyring)
    assert not verification.ok
    assert any("outside its period" in check.detail for check in verification.failed)


def test_the_cli_rotates_and_the_key_list_is_plain_json(tmp_path):
    key = tmp_path / "keys" / "signing-ed25519.pem"
    env = {**os.environ, "FAIRCLAIM_SIGNING_KEY": str(key)}
    made = subprocess.run(
        [sys.executable, "-m", "fairclaim.cli", "evidence", "public-key"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert "document certificate: rsa:" in made.stderr
    done = subprocess.run(
        [sys.executable, "-m", "fairclaim.cli", "evidence", "rotate-keys"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 6
    document = json.loads((tmp_path / "keys" / "keyring.json").read_text())
    assert document["format"] == "fairclaim-keyring/1"
    assert sum(1 for entry in document["keys"] if entry["valid_until"] is None) == 3
    assert all("PRIVATE" not in json.dumps(entry) for entry in document["keys"])


def test_a_broken_key_list_is_a_clear_error(tmp_path):
    path = tmp_path / "keys.json"
    path.write_text('{"format": "something else"}')
    with pytest.raises(KeyringError, match="fairclaim-keyring/1"):
        Keyring.load(path)


def test_a_pdf_signed_with_a_tsa_carries_an_rfc3161_timestamp(tmp_path, tsa):
    _, url = tsa
    signer = Signer.from_path(tmp_path / "keys" / "signing-ed25519.pem")
    keyring = platform_keyring(signer, datetime.now(UTC))
    stamped = sign_pdf(
        plain_pdf(), signer.document, reason="test", tsa_url=url, allow_loopback=True
    )
    verification = verify_pdf(stamped, keyring=keyring)
    assert verification.ok, verification.lines()
    assert "timestamp" in verification.info
    path = tmp_path / "stamped.pdf"
    path.write_bytes(stamped)
    report = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert "Signature is Valid" in report


def test_pdfs_are_signed_and_checked_inside_a_running_event_loop(tmp_path):
    """A worker that also captures pages holds Playwright's event loop; signing still works."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from fairclaim.evidence.pdfsign import check_pdf

    signer = Signer.from_path(tmp_path / "keys" / "signing-ed25519.pem")

    async def inside_a_loop():
        signed = sign_pdf(plain_pdf(), signer.document, reason="test")
        return check_pdf(signed, [signer.document.certificate])

    # A thread of its own: this test process may already hold Playwright's loop in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(asyncio.run, inside_a_loop()).result().ok
