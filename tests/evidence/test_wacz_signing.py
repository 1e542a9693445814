"""The WACZ Signing and Verification spec's anonymous signature (`signedData`), checked by tools
nobody here wrote: Webrecorder's `wacz validate` and the browser's own WebCrypto, called exactly
as ReplayWeb.page (wabac.js) calls it; tampering is caught by them and by our verifier."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from fairclaim.evidence.verify import verify_bundle

from .test_verify import failed_parts, member, rewrite

pytestmark = pytest.mark.browser

WACZ = Path(sys.executable).parent / "wacz"
SPEC_PART = "WACZ signedData (datapackage-digest.json)"


def wacz_validate(path):
    done = subprocess.run(
        [str(WACZ), "validate", "-f", str(path)], capture_output=True, text=True, timeout=120
    )
    return done.stdout + done.stderr


def test_the_digest_carries_an_anonymous_spec_signature_that_wacz_validate_accepts(
    static_capture, signer
):
    _, source = static_capture
    digest = json.loads(member(source, "datapackage-digest.json"))
    package = member(source, "datapackage.json")
    signed = digest["signedData"]
    assert signed["hash"] == "sha256:" + hashlib.sha256(package).hexdigest() == digest["hash"]
    assert signed["created"] == json.loads(package)["created"]
    assert set(signed) >= {"hash", "created", "software", "version", "signature", "publicKey"}
    manifest = json.loads(member(source, "fairclaim/manifest.json"))
    assert manifest["wacz_signing_key_id"] == signer.wacz.key_id
    report = wacz_validate(source)
    assert "Validation succeeded" in report, report
    # It found the signature and its `created` matches datapackage.json (its own check).
    assert "Has signature" in report


def test_the_browsers_webcrypto_verifies_it_as_replayweb_page_does(
    static_capture, capture_session, site
):
    _, source = static_capture
    signed = json.loads(member(source, "datapackage-digest.json"))["signedData"]
    page = capture_session.browser.new_page()
    try:
        page.goto(site.url("/static.html"))  # 127.0.0.1 is a secure context: crypto.subtle
        script = """async ({hash, signature, publicKey}) => {
            const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const key = await crypto.subtle.importKey("spki", bytes(publicKey),
                {name: "ECDSA", namedCurve: "P-384"}, true, ["verify"]);
            return await crypto.subtle.verify({name: "ECDSA", hash: "SHA-256"}, key,
                bytes(signature), new TextEncoder().encode(hash));
        }"""
        assert page.evaluate(script, signed) is True
        forged = {
            **signed,
            "hash": signed["hash"][:-1] + ("0" if signed["hash"][-1] != "0" else "1"),
        }
        assert page.evaluate(script, forged) is False
    finally:
        page.close()


def test_a_changed_file_is_caught_by_wacz_validate_and_by_fairclaim(static_capture, tmp_path):
    _, source = static_capture
    target = tmp_path / "tampered.wacz"
    pages = member(source, "pages/pages.jsonl").replace(b"Static page", b"Static pagE")
    rewrite(source, target, {"pages/pages.jsonl": pages})
    assert "Validation succeeded" not in wacz_validate(target)
    result = subprocess.run(
        [sys.executable, "-m", "fairclaim.cli", "evidence", "verify", str(target),
         "--trust-any-key"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    assert "FAILED pages/pages.jsonl" in result.stdout


def test_a_forger_who_rewrites_the_package_cannot_keep_the_spec_signature(static_capture, tmp_path):
    """Recomputing datapackage.json and its digest leaves the old signature over the old hash;
    re-signing with another P-384 key does not match the key the signed manifest names."""
    from fairclaim.evidence.certificates import WaczKey
    from fairclaim.evidence.waczsign import signed_data

    _, source = static_capture
    package = json.loads(member(source, "datapackage.json"))
    package["title"] = "something else"
    package_bytes = json.dumps(package).encode()
    digest = json.loads(member(source, "datapackage-digest.json"))
    digest["hash"] = "sha256:" + hashlib.sha256(package_bytes).hexdigest()
    kept = tmp_path / "kept.wacz"
    rewrite(source, kept, {"datapackage.json": package_bytes,
                           "datapackage-digest.json": json.dumps(digest).encode()})  # fmt: skip
    verification = verify_bundle(kept, trust_any_key=True)
    assert failed_parts(verification) == [SPEC_PART]
    assert "is not sha256:" in verification.failed[0].detail

    stranger = WaczKey.from_folder(tmp_path / "stranger", create=True)
    digest["signedData"] = signed_data(stranger, package_bytes, package["created"], "forger")
    resigned = tmp_path / "resigned.wacz"
    rewrite(source, resigned, {"datapackage.json": package_bytes,
                               "datapackage-digest.json": json.dumps(digest).encode()})  # fmt: skip
    verification = verify_bundle(resigned, trust_any_key=True)
    assert failed_parts(verification) == [SPEC_PART]
    assert f"signed by {stranger.key_id}, the manifest names" in verification.failed[0].detail
    assert base64.b64decode(digest["signedData"]["signature"])  # a well-formed forgery
