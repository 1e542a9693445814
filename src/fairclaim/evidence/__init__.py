"""Evidence capture, WARC/WACZ packaging, manifests, signing and verification.

Framework-free package: Django must never be imported here (docs/architecture.md, "Layers"), so the
CLI and a recipient's verifier work without a database. Modules:

- capture.py    headless Chromium capture of one page into a signed bundle (capture_page,
                CaptureSession, CaptureResult, CaptureError, CaptureTimeout)
- capture_steps.py  the steps of one capture: guard, load, render, collect, describe
- rendering.py  scrolling, finding and outlining the image, screenshots (page scripts)
- responses.py  which browser responses become WARC records; redirects; direct image fetch
- bundle.py     bundle layout, signed manifest, optional RFC 3161 token (write_bundle)
- wacz.py       WARC records (warcio), CDXJ, pages.jsonl, datapackage.json, atomic ZIP writing
- verify.py     verify_bundle(path, public_key=None) -> Verification (a check per part)
- report.py     Check and Verification (text lines, JSON)
- keys.py       Ed25519 key on disk (load_or_create_private_key, Signer, key_id, public_key_pem)
- timestamp.py  RFC 3161 client (through discovery's guarded fetch) and token check
                (request_token, post_query, check_token)
- addresses.py  refusal of private/loopback/link-local destinations after DNS
- retry.py      retries with backoff for transient network errors
- timeline.py   first-seen / last-seen / removed-at from capture summaries (pure)
- caselog.py    verify a hash-chained case-log export
- cli.py        `fairclaim evidence capture|verify|public-key`
"""
