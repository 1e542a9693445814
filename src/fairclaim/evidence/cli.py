"""`fairclaim evidence ...`: capture a page into a signed bundle, verify bundles and case logs.

    fairclaim evidence capture PAGE_URL IMAGE_URL --out BUNDLE.wacz [--key PEM] [--tsa URL]
                               [--timeout SECONDS] [--allow-loopback] [--json]
    fairclaim evidence verify FILE [--public-key PEM | --trusted-keys KEYLIST.json |
                                    --trust-any-key] [--json]
                                    (a .wacz bundle, a PDF we issued, or a case log)
    fairclaim evidence public-key [--key PEM]                        (print the PEM and key id)
    fairclaim evidence rotate-keys [--key PEM]      (retire the current keys, create new ones)

Exit codes: capture 0 when the bundle was written (also when the image is gone: that is a finding),
1 when nothing could be captured or a requested timestamp is missing; verify 0 when every check
holds, 1 otherwise. Who signed counts as a check: without --public-key or --trusted-keys the
signature must come from a key in this installation's own key list (the folder of the signing key
that `capture` uses, retired keys included); a bundle signed by any other key is named but not
trusted, so verify exits 1 unless --trust-any-key is given.
Heavy imports (Playwright, warcio, pyHanko) happen inside the commands.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1


def _default_key_path() -> str:
    from fairclaim.evidence.keys import DEFAULT_KEY_PATH, SIGNING_KEY_ENV

    return os.environ.get(SIGNING_KEY_ENV) or str(DEFAULT_KEY_PATH)


def register(subparsers: Any) -> None:
    evidence = subparsers.add_parser(
        "evidence", help="capture verifiable evidence of a page (WACZ) and verify bundles"
    )
    verbs = evidence.add_subparsers(dest="evidence_verb", metavar="VERB", required=True)

    capture = verbs.add_parser(
        "capture", help="capture PAGE_URL showing IMAGE_URL into a signed WACZ bundle"
    )
    capture.add_argument("page_url")
    capture.add_argument("image_url")
    capture.add_argument("--out", required=True, help="bundle to write (.wacz)")
    capture.add_argument(
        "--key",
        default=None,
        help="Ed25519 signing key PEM, created on first use "
        "(default: $FAIRCLAIM_SIGNING_KEY or var/keys/signing-ed25519.pem)",
    )
    capture.add_argument("--tsa", default=None, help="RFC 3161 timestamp authority URL")
    capture.add_argument("--timeout", type=float, default=None, help="page load timeout, seconds")
    capture.add_argument(
        "--allow-loopback",
        action="store_true",
        default=None,
        help="allow 127.0.0.1/::1 (tests, demo); also FAIRCLAIM_ALLOW_LOOPBACK=1",
    )
    capture.add_argument("--json", action="store_true", help="print the result as JSON")
    capture.set_defaults(func=run_capture)

    verify = verbs.add_parser(
        "verify", help="verify a bundle's hashes, signature and timestamp, or a case-log export"
    )
    verify.add_argument("path", help="BUNDLE.wacz or CASELOG.json")
    verify.add_argument("--public-key", default=None, help="check against this public key PEM")
    verify.add_argument(
        "--trusted-keys",
        default=None,
        metavar="KEYLIST.json",
        help="check against the platform's published key list "
        "(saved from /.well-known/fairclaim-signing-keys.json)",
    )
    verify.add_argument(
        "--trust-any-key",
        action="store_true",
        help="accept a signature by any key (the key id is printed for you to check)",
    )
    verify.add_argument("--json", action="store_true", help="print the checks as JSON")
    verify.set_defaults(func=run_verify)

    public_key = verbs.add_parser("public-key", help="print the signing key's public PEM and id")
    public_key.add_argument("--key", default=None, help="signing key PEM (created if missing)")
    public_key.set_defaults(func=run_public_key)

    rotate = verbs.add_parser(
        "rotate-keys",
        help="retire the current signing keys (kept in the key list) and create new ones",
    )
    rotate.add_argument("--key", default=None, help="signing key PEM (its folder holds the rest)")
    rotate.set_defaults(func=run_rotate_keys)


def run_capture(args: argparse.Namespace) -> int:
    from fairclaim.evidence.addresses import AddressRefused
    from fairclaim.evidence.capture import DEFAULT_TIMEOUT, CaptureError, capture_page
    from fairclaim.evidence.keys import Signer, SigningKeyError

    try:
        signer = Signer.from_path(args.key or _default_key_path())
        result = capture_page(
            args.page_url,
            args.image_url,
            out_path=args.out,
            signer=signer,
            tsa_url=args.tsa,
            timeout=args.timeout or DEFAULT_TIMEOUT,
            allow_loopback=args.allow_loopback,
        )
    except (AddressRefused, CaptureError, SigningKeyError, OSError) as exc:
        print(f"capture failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    summary = {
        "bundle": result.path,
        "page_url": args.page_url,
        "image_url": args.image_url,
        "captured_at": result.manifest["captured_at"],
        "page_status": result.page_status,
        "image_present": result.image_present,
        "absence_reason": result.absence_reason,
        "manifest_sha256": result.manifest_sha256,
        "key_id": result.key_id,
        "timestamped": result.timestamped,
        "timestamp_error": result.timestamp_error,
    }
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        for name, value in summary.items():
            print(f"{name}: {value}")
    if result.timestamp_error:
        print(f"timestamp missing: {result.timestamp_error}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def run_verify(args: argparse.Namespace) -> int:
    from fairclaim.evidence.keyring import Keyring, KeyringError
    from fairclaim.evidence.keys import SigningKeyError, load_public_key
    from fairclaim.evidence.report import Check, Verification

    public_key = keyring = None
    try:
        if args.public_key:
            public_key = load_public_key(args.public_key)
        if args.trusted_keys:
            keyring = Keyring.load(args.trusted_keys)
        if public_key is None and keyring is None and not args.trust_any_key:
            keyring = _local_keyring()
    except (SigningKeyError, KeyringError) as exc:
        verification = Verification(kind="bundle", subject=args.path)
        verification.checks.append(Check("trusted key", False, str(exc)))
        return _print_verification(verification, args.json)
    verification = verify_path(
        args.path, public_key, keyring=keyring, trust_any_key=args.trust_any_key
    )
    return _print_verification(verification, args.json)


def _local_keyring() -> Any:
    """This installation's own key list (current and retired keys), when its signing key exists:
    what `fairclaim evidence capture` signed here verifies without flags (docs/architecture.md,
    Contracts), while a bundle signed by any other key is still not trusted. Never creates a key."""
    from fairclaim.evidence.keyring import platform_keyring
    from fairclaim.evidence.keys import Signer

    path = Path(_default_key_path())
    if not path.is_file():
        return None
    return platform_keyring(Signer.from_path(path, create=False), datetime.now(UTC))


def verify_path(
    path: str, public_key: Any = None, *, keyring: Any = None, trust_any_key: bool = False
) -> Any:
    """Verify a bundle, a PDF we issued, or (if the file is JSON) a case-log export."""
    from fairclaim.evidence.caselog import verify_case_log
    from fairclaim.evidence.report import Check, Verification
    from fairclaim.evidence.verify import verify_bundle

    try:
        with open(path, "rb") as handle:
            head = handle.read(64).lstrip()
    except OSError as exc:
        return Verification(kind="bundle", subject=path, checks=[Check(path, False, str(exc))])
    if head.startswith((b"{", b"[")):
        try:
            document = json.loads(Path(path).read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return Verification(
                kind="case-log", subject=path, checks=[Check(path, False, f"not JSON: {exc}")]
            )
        return verify_case_log(document)
    if head.startswith(b"%PDF-"):
        from fairclaim.evidence.pdfsign import verify_pdf_file

        return verify_pdf_file(path, keyring=keyring, trust_any_key=trust_any_key)
    return verify_bundle(path, public_key, keyring=keyring, trust_any_key=trust_any_key)


def _print_verification(verification: Any, as_json: bool) -> int:
    if as_json:
        print(json.dumps(verification.to_json(), indent=2, default=str))
    else:
        print("\n".join(verification.lines()))
    return EXIT_OK if verification.ok else EXIT_FAILED


def run_public_key(args: argparse.Namespace) -> int:
    from fairclaim.evidence.certificates import CertificateError
    from fairclaim.evidence.keys import Signer, SigningKeyError

    try:
        signer = Signer.from_path(args.key or _default_key_path())
    except SigningKeyError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_FAILED
    print(f"key id: {signer.key_id}")
    print(signer.public_key_pem().decode("ascii"), end="")
    # The document certificate and the WACZ key live beside it and are made here too, so this
    # one command prepares a production key folder (production never creates keys itself).
    try:
        document, spec = signer.document, signer.wacz
    except CertificateError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_FAILED
    if document is not None and spec is not None:
        print(
            f"document certificate: {document.key_id} (sha256 {document.fingerprint})",
            file=sys.stderr,
        )
        print(f"WACZ key: {spec.key_id}", file=sys.stderr)
    return EXIT_OK


def run_rotate_keys(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from fairclaim.evidence.certificates import CertificateError
    from fairclaim.evidence.keyring import KeyringError, rotate
    from fairclaim.evidence.keys import SigningKeyError

    try:
        keyring, _signer = rotate(args.key or _default_key_path(), datetime.now(UTC))
    except (SigningKeyError, CertificateError, KeyringError, OSError) as exc:
        print(f"rotation failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    for entry in keyring.keys:
        print(f"{entry.key_id}  {entry.algorithm:<10} {entry.period()}")
    print("restart the web and worker processes to sign with the new keys", file=sys.stderr)
    return EXIT_OK
