"""A real RFC 3161 time-stamping authority on 127.0.0.1, for tests.

It answers TimeStampReq POSTs with a TimeStampResp whose token is CMS SignedData signed by a fresh
ECDSA key; its self-signed certificate carries the critical id-kp-timeStamping usage, as RFC 3161
§2.3 requires. Built with asn1crypto and cryptography, the same libraries a real TSA would use.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from asn1crypto import cms, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from fairclaim.evidence.timestamp import TimeStampResponse  # the refusal shape (no token)

TSA_POLICY = "1.3.6.1.4.1.99999.1"  # a private policy id for the test authority


class LocalTSA:
    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fairclaim test TSA")])
        now = datetime.now(UTC)
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30))
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
            )
            .sign(self.key, hashes.SHA256())
        )
        self.serial = 0
        self.requests = 0
        # or "reject", "wrong-nonce", "http-500", "after-expiry": misbehaviours to test
        self.mode = "grant"

    def respond(self, request_der: bytes) -> bytes:
        self.requests += 1
        request = tsp.TimeStampReq.load(request_der)
        if self.mode == "reject":
            status = {"status": "rejection", "status_string": ["unaccepted policy"]}
            return TimeStampResponse({"status": status}).dump()
        nonce = request["nonce"].native + (1 if self.mode == "wrong-nonce" else 0)
        self.serial += 1
        now = datetime.now(UTC).replace(microsecond=0)
        if self.mode == "after-expiry":  # a time past the certificate's 30 days
            now += timedelta(days=60)
        tst_info = tsp.TSTInfo(
            {
                "version": "v1",
                "policy": TSA_POLICY,
                "message_imprint": request["message_imprint"],
                "serial_number": self.serial,
                "gen_time": now,
                "nonce": nonce,
            }
        )
        tst_der = tst_info.dump()
        cert = asn1_x509.Certificate.load(self.certificate.public_bytes(serialization.Encoding.DER))
        signed_attrs = cms.CMSAttributes(
            [
                {"type": "content_type", "values": ["tst_info"]},
                {"type": "signing_time", "values": [cms.Time({"utc_time": now})]},
                {"type": "message_digest", "values": [hashlib.sha256(tst_der).digest()]},
            ]
        )
        signature = self.key.sign(b"\x31" + signed_attrs.dump()[1:], ec.ECDSA(hashes.SHA256()))
        signed_data = cms.SignedData(
            {
                "version": "v3",
                "digest_algorithms": [{"algorithm": "sha256"}],
                "encap_content_info": {"content_type": "tst_info", "content": tst_info},
                "certificates": [cert],
                "signer_infos": [
                    {
                        "version": "v1",
                        "sid": {
                            "issuer_and_serial_number": {
                                "issuer": cert.issuer,
                                "serial_number": cert.serial_number,
                            }
                        },
                        "digest_algorithm": {"algorithm": "sha256"},
                        "signed_attrs": signed_attrs,
                        "signature_algorithm": {"algorithm": "sha256_ecdsa"},
                        "signature": signature,
                    }
                ],
            }
        )
        token = cms.ContentInfo({"content_type": "signed_data", "content": signed_data})
        return tsp.TimeStampResp(
            {"status": {"status": "granted"}, "time_stamp_token": token}
        ).dump()


class _Handler(BaseHTTPRequestHandler):
    tsa: LocalTSA

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.tsa.mode == "http-500":
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        answer = self.tsa.respond(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format, *args) -> None:
        pass


def start_tsa() -> tuple[LocalTSA, ThreadingHTTPServer, str]:
    """Start a TSA on a free port; returns (authority, server, URL). Call server.shutdown()."""
    tsa = LocalTSA()
    handler = type("Handler", (_Handler,), {"tsa": tsa})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return tsa, server, f"http://127.0.0.1:{server.server_address[1]}/tsa"
