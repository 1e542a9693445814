"""With a domain certificate in the key folder and a TSA, bundles carry the WACZ spec's
domain-identity signature, which Webrecorder's own tools check: `wacz validate --verify-auth`
against Webrecorder's authsign verifier, run here on 127.0.0.1 with this test's trust roots (the
verifier built into `wacz validate` trusts only Let's Encrypt and FreeTSA/DigiCert roots)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from fairclaim.evidence.certificates import WACZ_DOMAIN_CHAIN_FILE, WACZ_DOMAIN_KEY_FILE
from fairclaim.evidence.keys import Signer
from fairclaim.evidence.verify import verify_bundle
from tests.webserver import free_port

from .test_timestamp import synthetic_bundle
from .test_verify import failed_parts, member, rewrite

DOMAIN = "evidence.fairclaim.test"
WACZ = Path(sys.executable).parent / "wacz"
SPEC_PART = "WACZ signedData (datapackage-digest.json)"


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def domain_certificate(folder: Path, now: datetime) -> x509.Certificate:
    """A test CA and a fresh certificate for DOMAIN (what an ACME client would leave)."""
    ca_key = ec.generate_private_key(ec.SECP384R1())
    ca = (
        x509.CertificateBuilder().subject_name(_name("test CA")).issuer_name(_name("test CA"))
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder().subject_name(_name(DOMAIN)).issuer_name(ca.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + timedelta(days=7))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(DOMAIN)]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    (folder / WACZ_DOMAIN_KEY_FILE).write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    chain = leaf.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(
        serialization.Encoding.PEM
    )
    (folder / WACZ_DOMAIN_CHAIN_FILE).write_bytes(chain)
    return ca, key, chain


@pytest.fixture
def authsign(tmp_path, tsa):
    """Webrecorder's authsign server, verifying against this test's CA and TSA only."""
    authority, _ = tsa
    ca, key, chain = domain_certificate(tmp_path / "keys", datetime.now(UTC))
    # authsign's server also signs; given its key and certificate it asks no ACME server.
    data = tmp_path / "authsign-data"
    data.mkdir()
    (data / "cert.pem").write_bytes(chain)
    (data / "private-key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"passphrase"),  # authsign's fixed passphrase
        )
    )
    roots = tmp_path / "roots.yaml"
    roots.write_text(
        "domain_cert_roots:\n  - " + ca.fingerprint(hashes.SHA256()).hex() + "\n"
        "timestamp_cert_roots:\n  - " + authority.certificate.fingerprint(hashes.SHA256()).hex()
        + "\n"
    )  # fmt: skip
    config = tmp_path / "authsign.yaml"
    config.write_text(
        f"signing:\n  domain: {DOMAIN}\n  email: test@{DOMAIN}\n  port: 80\n"
        f"  output: {data}\ntrusted_roots: {roots}\n"
    )
    port = free_port()
    env = {**os.environ, "CONFIG": str(config), "NO_RENEW": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "authsign.main:app", "--host", "127.0.0.1",
         "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert server.poll() is None, "authsign exited"
            assert time.monotonic() < deadline, "authsign did not start"
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}/verify"
    server.terminate()
    server.wait(timeout=30)


def wacz_verify_auth(path, url):
    done = subprocess.run(
        [str(WACZ), "validate", "--verify-auth", "--verifier-url", url, "-f", str(path)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return done.stdout + done.stderr


def test_wacz_validate_verify_auth_checks_the_domain_signature(authsign, tsa, tmp_path):
    _, tsa_url = tsa
    signer = Signer.from_path(tmp_path / "keys" / "signing-ed25519.pem")
    bundle = tmp_path / "bundle.wacz"
    synthetic_bundle(bundle, signer, tsa_url)
    signed = json.loads(member(bundle, "datapackage-digest.json"))["signedData"]
    assert signed["domain"] == DOMAIN
    assert {"domainCert", "timeSignature", "timestampCert"} <= set(signed)
    report = wacz_verify_auth(bundle, authsign)
    assert f"Successfully verified signature via: {authsign}" in report, report

    ours = verify_bundle(bundle, signer.private_key.public_key())
    assert ours.ok, ours.lines()
    assert any(check.part == SPEC_PART and DOMAIN in check.detail for check in ours.checks)

    forged = dict(signed, hash="sha256:" + "0" * 64)
    digest = json.loads(member(bundle, "datapackage-digest.json"))
    tampered = tmp_path / "tampered.wacz"
    forged_digest = json.dumps({**digest, "signedData": forged}).encode()
    rewrite(bundle, tampered, {"datapackage-digest.json": forged_digest})
    assert "Successfully verified" not in wacz_verify_auth(tampered, authsign)
    assert SPEC_PART in failed_parts(verify_bundle(tampered, signer.private_key.public_key()))
