"""`fairclaim evidence ...`: capture a page into a signed bundle, verify bundles and case logs.

    fairclaim evidence capture PAGE_URL IMAGE_URL --out BUNDLE.wacz [--key PEM] [--tsa URL]
                               [--timeout SECONDS] [--allow-loopback] [--json]
    fairclaim evidence verify FILE [--public-key PEM] [--json]      (a .wacz bundle or a case log)
    fairclaim evidence public-key [--key PEM]                        (print the PEM and key id)

Exit codes: capture 0 when the bundle was written (also when the image is gone: that is a finding),
1 when nothing could be captured or a requested timestamp is missing; verify 0 when every check
holds, 1 otherwise. Heavy imports (Playwright, warcio) happen inside the commands.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
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
    verify.add_argument("--json", action="store_true", help="print the checks as JSON")
    verify.set_defaults(func=run_verify)

    public_key = verbs.add_parser("public-key", help="print the signing key's public PEM and id")
    public_key.add_argument("--key", default=None, help="signing key PEM (created if missing)")
    public_key.set_defaults(func=run_public_key)


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
    from fairclaim.evidence.keys import SigningKeyError, load_public_key
    from fairclaim.evidence.report import Check, Verification

    public_key = None
    if args.public_key:
        try:
            public_key = load_public_key(args.public_key)
        except SigningKeyError as exc:
            verification = Verification(kind="bundle", subject=args.path)
            verification.checks.append(Check("public key", False, str(exc)))
            return _print_verification(verification, args.json)
    return _print_verification(verify_path(args.path, public_key), args.json)


def verify_path(path: str, public_key: Any = None) -> Any:
    """Verify a bundle or, if the file is JSON, a case-log export."""
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
    return verify_bundle(path, public_key)


def _print_verification(verification: Any, as_json: bool) -> int:
    if as_json:
        print(json.dumps(verification.to_json(), indent=2, default=str))
    else:
        print("\n".join(verification.lines()))
    return EXIT_OK if verification.ok else EXIT_FAILED


def run_public_key(args: argparse.Namespace) -> int:
    from fairclaim.evidence.keys import Signer, SigningKeyError

    try:
        signer = Signer.from_path(args.key or _default_key_path())
    except SigningKeyError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_FAILED
    print(f"key id: {signer.key_id}")
    print(signer.public_key_pem().decode("ascii"), end="")
    return EXIT_OK
