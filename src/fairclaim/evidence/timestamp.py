"""RFC 3161 trusted timestamps over the manifest digest: request a token, check a token.

A TimeStampReq carries the SHA-256 of the signed manifest, a random nonce and certReq=true, so the
TSA puts its certificate into the token and the token can be checked on its own. The token (a CMS
SignedData over a TSTInfo, DER) is stored in the bundle as-is. Checking a token means: the TSTInfo's
message imprint equals the manifest digest, the signed attributes' message digest equals the hash
of the TSTInfo, the signature over the signed attributes holds for the certificate in the token,
and that certificate is meant for timestamping (extended key usage id-kp-timeStamping).

What this does not do: check the TSA certificate against a trust list (eIDAS qualified TSAs,
Regulation (EU) No 910/2014, art. 41-42). The verifier reports the certificate's subject and SHA-256
so a person or a later trust-list check can decide whether that TSA is trusted.

Framework-free: no Django imports.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import cms, core, tsp
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from fairclaim.evidence.retry import RetryPolicy, with_retries

TSA_TIMEOUT_SECONDS = 20.0  # public TSAs answer in well under a second; beyond this, retry
TSA_MAX_RESPONSE_BYTES = 1_000_000  # a token with a certificate chain is a few kB
NONCE_BITS = 64  # RFC 3161 §2.4.1: a large random number binds the answer to this request
QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
GRANTED = ("granted", "granted_with_mods")

_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


class TimeStampResponse(core.Sequence):  # type: ignore[misc]  # asn1crypto has no types
    """RFC 3161 TimeStampResp; asn1crypto's own marks the token required, but a refusal has none."""

    _fields = [
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", cms.ContentInfo, {"optional": True}),
    ]


class TimestampError(Exception):
    """The TSA refused, answered garbage, or a token does not hold."""


@dataclass(frozen=True)
class TimestampInfo:
    """What a valid token says."""

    gen_time: datetime
    serial_number: int
    policy: str
    tsa_subject: str
    tsa_cert_sha256: str


def build_request(digest: bytes, nonce: int) -> bytes:
    """DER TimeStampReq for a SHA-256 digest."""
    request = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": digest,
            },
            "nonce": nonce,
            "cert_req": True,
        }
    )
    der: bytes = request.dump()
    return der


def token_from_response(response_der: bytes, digest: bytes, nonce: int) -> bytes:
    """Check a TimeStampResp against its request and return the token (DER ContentInfo)."""
    try:
        response = TimeStampResponse.load(response_der)
        status = response["status"]["status"].native
    except (ValueError, TypeError) as exc:
        raise TimestampError(f"TSA answer is not a TimeStampResp: {exc}") from exc
    if status not in GRANTED:
        text = response["status"]["status_string"].native
        raise TimestampError(f"TSA refused the request: {status} {text or ''}".strip())
    token = response["time_stamp_token"]
    tst_info = _tst_info(token)
    if tst_info["nonce"].native != nonce:
        raise TimestampError("TSA answered with another nonce (a replayed or foreign token)")
    token_der: bytes = token.dump()
    check_token(token_der, digest)
    return token_der


def request_token(
    tsa_url: str,
    digest: bytes,
    *,
    timeout: float = TSA_TIMEOUT_SECONDS,
    retry: RetryPolicy | None = None,
    allow_loopback: bool | None = None,
) -> bytes:
    """Ask the TSA at `tsa_url` for a token over `digest` (SHA-256); return the DER token."""
    nonce = secrets.randbits(NONCE_BITS)
    answer = post_query(
        tsa_url,
        build_request(digest, nonce),
        timeout=timeout,
        retry=retry,
        allow_loopback=allow_loopback,
    )
    return token_from_response(answer, digest, nonce)


def post_query(
    tsa_url: str,
    query: bytes,
    *,
    timeout: float = TSA_TIMEOUT_SECONDS,
    retry: RetryPolicy | None = None,
    allow_loopback: bool | None = None,
) -> bytes:
    """POST one DER TimeStampReq to the TSA and return its answer's bytes; TimestampError else.

    Through discovery's `fetch`, the one guarded way out (the TSA's address is checked after DNS
    resolution like any other; loopback only when allowed, by default per
    FAIRCLAIM_ALLOW_LOOPBACK). Connection failures and timeouts are retried per `retry`."""
    from fairclaim.discovery.addresses import allow_loopback_from_env
    from fairclaim.discovery.errors import (
        ConnectFailed,
        DiscoveryError,
        DnsFailed,
        FetchTimeout,
        TooLarge,
    )
    from fairclaim.discovery.fetch import FetchLimits, fetch

    limits = FetchLimits(
        total_timeout=timeout, connect_timeout=timeout, max_bytes=TSA_MAX_RESPONSE_BYTES
    )
    loopback = allow_loopback_from_env() if allow_loopback is None else allow_loopback

    def post() -> bytes:
        try:
            result = fetch(
                tsa_url,
                method="POST",
                body=query,
                headers={"Content-Type": QUERY_TYPE, "Accept": REPLY_TYPE},
                limits=limits,
                allow_loopback=loopback,
                raise_for_status=False,
            )
        except TooLarge as exc:
            raise TimestampError(f"TSA answer exceeds {TSA_MAX_RESPONSE_BYTES} bytes") from exc
        if result.status != 200:
            raise TimestampError(f"TSA {tsa_url} answered HTTP {result.status}")
        return result.body

    def transient(exc: BaseException) -> bool:
        return isinstance(exc, ConnectFailed | FetchTimeout | DnsFailed)

    try:
        return with_retries(post, transient, retry or RetryPolicy())
    except DiscoveryError as exc:
        raise TimestampError(f"TSA {tsa_url} unreachable: {exc}") from exc


def _tst_info(token: cms.ContentInfo) -> tsp.TSTInfo:
    if token["content_type"].native != "signed_data":
        raise TimestampError("token is not CMS SignedData")
    encap = token["content"]["encap_content_info"]
    if encap["content_type"].native != "tst_info":
        raise TimestampError("token does not carry a TSTInfo")
    return encap["content"].parsed


def check_token(token_der: bytes, digest: bytes) -> TimestampInfo:
    """Check a stored token against the manifest digest; raise TimestampError naming the fault."""
    try:
        return _check_token(token_der, digest)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        # asn1crypto parses lazily and cryptography rejects bad keys late: a damaged token can
        # fail anywhere, and must still come out as a TimestampError.
        raise TimestampError(f"token is malformed: {exc}") from exc


def _check_token(token_der: bytes, digest: bytes) -> TimestampInfo:
    try:
        token = cms.ContentInfo.load(token_der)
        tst_info = _tst_info(token)
        signed_data = token["content"]
        imprint = tst_info["message_imprint"]
        imprint_algorithm = imprint["hash_algorithm"]["algorithm"].native
        imprinted = imprint["hashed_message"].native
        gen_time = tst_info["gen_time"].native
        serial = tst_info["serial_number"].native
        policy = tst_info["policy"].dotted
        tst_bytes = signed_data["encap_content_info"]["content"].contents
        signer_infos = signed_data["signer_infos"]
        certificates = signed_data["certificates"]
    except (ValueError, TypeError, KeyError) as exc:
        raise TimestampError(f"token is malformed: {exc}") from exc
    if imprint_algorithm != "sha256" or imprinted != digest:
        raise TimestampError("token's message imprint does not match the manifest digest")
    if len(signer_infos) != 1:
        raise TimestampError(f"token has {len(signer_infos)} signers, expected 1")
    signer = signer_infos[0]
    certificate = _signer_certificate(signer, certificates)
    digest_name = signer["digest_algorithm"]["algorithm"].native
    if digest_name not in _HASHES:
        raise TimestampError(f"token uses unsupported digest {digest_name}")
    signed_attrs = signer["signed_attrs"]
    attr_digest = None
    for attribute in signed_attrs:
        if attribute["type"].native == "message_digest":
            attr_digest = attribute["values"][0].native
    hasher = hashlib.new(digest_name)
    hasher.update(tst_bytes)
    if attr_digest != hasher.digest():
        raise TimestampError("token's signed message digest does not match its TSTInfo")
    # The signature covers the signed attributes DER-encoded as a SET OF (RFC 5652 §5.4), not
    # with the [0] IMPLICIT tag they carry inside SignerInfo.
    signed_bytes = b"\x31" + signed_attrs.dump()[1:]
    _check_signature(certificate, signer["signature"].native, signed_bytes, digest_name)
    _check_timestamping_usage(certificate)
    if not certificate.not_valid_before_utc <= gen_time <= certificate.not_valid_after_utc:
        raise TimestampError(f"TSA certificate was not valid at the token's time {gen_time}")
    return TimestampInfo(
        gen_time=gen_time,
        serial_number=serial,
        policy=policy,
        tsa_subject=certificate.subject.rfc4514_string(),
        tsa_cert_sha256=certificate.fingerprint(hashes.SHA256()).hex(),
    )


def _signer_certificate(
    signer: cms.SignerInfo, certificates: cms.CertificateSet
) -> x509.Certificate:
    sid = signer["sid"]
    for choice in certificates or []:
        if choice.name != "certificate":
            continue
        cert = choice.chosen
        if sid.name == "issuer_and_serial_number":
            wanted = sid.chosen
            if (
                cert.issuer == wanted["issuer"]
                and cert.serial_number == wanted["serial_number"].native
            ):
                return x509.load_der_x509_certificate(cert.dump())
        elif cert.key_identifier == sid.chosen.native:
            return x509.load_der_x509_certificate(cert.dump())
    raise TimestampError("token does not include the TSA certificate (certReq was set)")


def _check_signature(
    certificate: x509.Certificate, signature: bytes, data: bytes, digest_name: str
) -> None:
    key = certificate.public_key()
    algorithm = _HASHES[digest_name]()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(algorithm))
        elif isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, data)
        else:
            raise TimestampError(f"unsupported TSA key type {type(key).__name__}")
    except InvalidSignature as exc:
        raise TimestampError("token signature does not hold for the TSA certificate") from exc


def _check_timestamping_usage(certificate: x509.Certificate) -> None:
    try:
        usage = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound as exc:
        raise TimestampError("TSA certificate has no extended key usage") from exc
    if ExtendedKeyUsageOID.TIME_STAMPING not in usage:
        raise TimestampError("TSA certificate is not for timestamping (no id-kp-timeStamping)")
