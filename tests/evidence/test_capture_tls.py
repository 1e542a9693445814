"""An HTTPS capture: the TLS certificate the server presented is recorded in the manifest.

Chromium is told to trust only this test certificate (by its SPKI hash), so the connection is
real TLS and nothing else about certificate checking changes.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import ssl
import threading
from datetime import UTC, datetime, timedelta
from http.server import ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from fairclaim.evidence.capture import CHROMIUM_ARGS, CaptureSession
from fairclaim.evidence.verify import verify_bundle
from tests.evidence.local_site import SiteState, _Handler

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def tls_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fairclaim test site")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=7))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    handler = type("Handler", (_Handler,), {"state": SiteState()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    pin = base64.b64encode(hashlib.sha256(spki).digest()).decode()
    yield f"https://127.0.0.1:{server.server_address[1]}", pin
    server.shutdown()
    server.server_close()


def test_https_capture_records_the_server_certificate(tls_site, capture_session, signer, tmp_path):
    base, pin = tls_site
    args = [*CHROMIUM_ARGS, f"--ignore-certificate-errors-spki-list={pin}"]
    with CaptureSession(args=args, playwright=capture_session.playwright) as session:
        result = session.capture(
            base + "/static.html", base + "/photo.jpg", out_path=tmp_path / "tls.wacz",
            signer=signer, allow_loopback=True,
        )  # fmt: skip
    tls = result.manifest["page"]["tls"]
    assert tls["subjectName"] == "fairclaim test site"
    assert tls["protocol"].startswith("TLS 1.")
    assert result.manifest["image"]["tls"]["subjectName"] == "fairclaim test site"
    assert result.image_present is True
    assert verify_bundle(tmp_path / "tls.wacz", trust_any_key=True).ok
